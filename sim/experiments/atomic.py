"""Atomic output directories: a reader sees the old directory or the complete new one, never half.

Everything is written into a temporary sibling, which replaces the target in one rename when the
writing succeeded, and is removed when it failed or was interrupted. Only a directory this tool
wrote (its metadata.json, sweep.json or comparison.json says so) or an empty one is ever replaced:
`--force` once deleted a user's directory of notes.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import SimError
from sim.experiments.lock import output_lock
from sim.scenario.schema import Scenario
from sim.scenario.yamltext import dump_yaml

#: The file each kind of output directory holds, with the package version and creation time.
MARKERS = ("metadata.json", "sweep.json", "comparison.json", "calibration.json", "optimize.json", "sensitivity.json")


class ResultsExistError(SimError, FileExistsError):
    """The output directory exists and --force was not given (or it is not ours to replace)."""


class WriteError(SimError, OSError):
    """The file system refused a write (read-only, full, not a directory…): said plainly, not as a crash."""

    exit_code = 1
    prefix = "dostyk: "


def is_results_dir(path: Path) -> bool:
    """True for a directory written by this tool: the marker file of a run, sweep, comparison,
    calibration, optimisation or sensitivity ranking (with a version and a creation time)."""
    for name in MARKERS:
        try:
            info = json.loads((path / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(info, dict) and "version" in info and "created" in info:
            return True
    return False


def replaceable(target: Path) -> str | None:
    """Why `target` must not be replaced (None: absent, empty, or a directory this tool wrote)."""
    if not target.exists() and not target.is_symlink():
        return None
    if target.is_symlink():
        return f"{target} is a symbolic link; only a real results directory is replaced (give its own path)"
    if not target.is_dir():
        return f"{target} is not a directory"
    if not any(target.iterdir()) or is_results_dir(target):
        return None
    found = ", ".join(sorted(p.name for p in target.iterdir())[:5])
    return (f"{target} is not a results directory written by dostyk (it has no {' / '.join(MARKERS)}; it holds "
            f"{found}…), so --force will not delete it; choose another --out")


def check_target(target: Path, force: bool) -> None:
    """Refuse an existing `target` unless `force` and it is ours (or empty)."""
    if (target.exists() or target.is_symlink()) and not force:
        raise ResultsExistError(f"{target} already exists; use --force to replace it")
    why = replaceable(target)
    if why is not None:
        raise ResultsExistError(why)


@contextmanager
def write_errors(what: str) -> Iterator[None]:
    """An OSError while writing `what` becomes a WriteError saying so (exit status 1, no traceback)."""
    try:
        yield
    except SimError:  # ResultsExistError and friends are OSErrors too, but already say what is wrong
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        where = f" ({exc.filename})" if exc.filename else ""
        raise WriteError(f"could not write {what}: {reason}{where}") from exc


@contextmanager
def atomic_directory(out: str | os.PathLike[str], force: bool = False) -> Iterator[Path]:
    """Yield a temporary directory that becomes `out` if the block completes."""
    target = Path(out)
    with write_errors(str(target)):
        target.parent.mkdir(parents=True, exist_ok=True)
        with output_lock(target):
            check_target(target, force)
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
            try:
                tmp.chmod(0o755)
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
    path.write_text(dump_yaml(scenario.to_dict()), encoding="utf-8")
