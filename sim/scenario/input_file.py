"""Whether a path a user names as input can be read: one answer for every input file.

Scenario files, the files they extend, targets, experiment files, workbooks and observed times
were each checked their own way: a directory was "no such file" in one place, a named pipe or
/dev/zero was opened and read until the process hung or ran out of memory in another. Here the
file is looked at (never opened) and what is wrong is said in the same words everywhere.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from sim.scenario.quoting import argument_in_words
from sim.scenario.yamltext import MAX_FILE_BYTES, size_problem

#: a path no file system holds (a file's `extends:` or `baseline:`, or a Python caller's text, may)
NUL_IN_PATH = "a path holding a NUL character (U+0000), which no file name can hold"


def not_a_path(value: Any, expected: str) -> str | None:
    """Why `value` is no path at all (None, a mapping, a Scenario, empty text), or None when it is one.

    `Path(None)` was a TypeError from pathlib, and `Path("")` is the current directory; a NUL in the text
    was os.stat's ValueError ("embedded null byte"), an internal error."""
    if isinstance(value, os.PathLike) or (isinstance(value, str) and value.strip()):
        text = os.fspath(value)
        if isinstance(text, str) and "\0" in text:
            return f"expected the path of {expected}; got {NUL_IN_PATH}"
        return None
    got = "empty text" if isinstance(value, str) else argument_in_words(value)
    return f"expected the path of {expected}, as text or a pathlib.Path; got {got}"


def unreadable(path: Path, expected: str = "a file", max_bytes: int | None = MAX_FILE_BYTES) -> str | None:
    """Why `path` cannot be read as an input file, or None when it can (a regular file, not too large)."""
    if "\0" in str(path):  # no file system has such a name: os.stat's ValueError was an internal error
        return f"cannot be read: {NUL_IN_PATH}"
    try:
        info = path.stat()
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:  # no permission to look, a path through a file…
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISDIR(info.st_mode):
        ran = path / "scenario.yaml"  # a results folder keeps the scenario it ran
        return f"is a directory; expected {expected}" + (
            f" (this one holds a run's results: the scenario they ran is {ran})" if ran.is_file() else "")
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file (a device, pipe or socket would never end or never answer); expected {expected}"
    return None if max_bytes is None else size_problem(info.st_size, max_bytes)
