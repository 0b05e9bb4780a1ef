"""Atomic output directories: a reader sees the old directory or the complete new one, never half.

Everything is written into a temporary sibling, which replaces the target in one rename when the
writing succeeded, and is removed when it failed or was interrupted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from sim.errors import SimError
from sim.scenario.schema import Scenario


class ResultsExistError(SimError, FileExistsError):
    """The output directory exists and --force was not given."""


@contextmanager
def atomic_directory(out: str | os.PathLike[str], force: bool = False) -> Iterator[Path]:
    """Yield a temporary directory that becomes `out` if the block completes."""
    target = Path(out)
    if target.exists() and not force:
        raise ResultsExistError(f"{target} already exists; use --force to replace it")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
    tmp.chmod(0o755)
    try:
        yield tmp
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_dir(tmp: Path, out: Path) -> None:
    """Move tmp to out in one rename; an old out is moved aside first and removed after."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def write_scenario_yaml(path: Path, scenario: Scenario) -> None:
    """The resolved scenario in the YAML's own shape (durations in hours)."""
    path.write_text(yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True), encoding="utf-8")
