"""One file replaced in one rename: a reader sees the old file or the whole new one, never half.

Markers, work-directory parts and single output files (a plot asked for by name) are all written
this way; a failed or interrupted write leaves no temporary file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write `data` beside `path`, then rename it into place (with `mode`: mkstemp's 0600 is for secrets)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
