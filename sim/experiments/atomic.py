"""Atomic output directories: a reader sees the old directory or the complete new one, never half.

Everything is written into a temporary sibling, which replaces the target in one rename when the
writing succeeded, and is removed when it failed or was interrupted. Only a directory this tool
wrote (its metadata.json, sweep.json or comparison.json says so) or an empty one is ever replaced:
`--force` once deleted a user's directory of notes. And only the tool's own files in it are
replaced (sim.experiments.manifest): anything else — notes beside the results, a file in plots/ —
is carried into the new directory (hard-linked, so it is never absent from both), and a file of the
user's that the new results would overwrite is refused.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import SimError, option
from sim.experiments import arguments
from sim.experiments.lock import output_lock
from sim.experiments.manifest import KIND_MARKER, MARKERS, clashes, foreign, is_results_dir, seal
from sim.scenario.schema import Scenario
from sim.scenario.yamltext import dump_yaml

__all__ = ["MARKERS", "ResultsExistError", "WriteError", "atomic_directory", "check_target", "is_results_dir",
           "replaceable", "write_errors", "write_scenario_yaml"]


class ResultsExistError(SimError, FileExistsError):
    """The output directory exists and --force was not given (or it is not ours to replace)."""


class WriteError(SimError, OSError):
    """The file system refused a write (read-only, full, not a directory…): said plainly, not as a crash."""

    exit_code = 1
    prefix = "dostyk: "


def replaceable(target: Path, kind: str | None = None) -> str | None:
    """Why `target` must not be replaced (None: absent, empty, or a directory this tool wrote).

    With `kind` (the command: run, sweep…), also a file of the user's in it that such a command
    would overwrite (one it writes, e.g. report.html, which is not in the manifest).
    """
    if not target.exists() and not target.is_symlink():
        return None
    if target.is_symlink():
        return f"{target} is a symbolic link; only a real results directory is replaced (give its own path)"
    if not target.is_dir():
        return f"{target} is not a directory"
    if not any(target.iterdir()):
        return None
    if is_results_dir(target):
        theirs = clashes(target, kind) if kind in KIND_MARKER else []
        if not theirs:
            return None
        return (f"{target} holds {', '.join(theirs[:5])}, which dostyk did not write (not in its list of files) "
                f"but a {kind} writes a file of that name; {_force()} replaces only dostyk's own files: move it away, "
                f"or choose {_another_out()}")
    found = ", ".join(sorted(p.name for p in target.iterdir())[:5])
    named = [m for m in MARKERS if (target / m).is_file()]  # a file with a marker's name that is not one
    why = (f"its {' / '.join(named)} is not a marker dostyk wrote (no version and creation time in it)" if named
           else f"it has no {' / '.join(MARKERS)}")
    return (f"{target} is not a results directory written by dostyk ({why}; it holds {found}…), so {_force()} "
            f"will not delete it; choose {_another_out()}")


def _force() -> str:
    return option("--force", "force=True")


def _another_out() -> str:
    return option("another --out", "another directory")


def check_target(target: Path, force: bool) -> None:
    """Refuse an existing `target` unless `force` and it is ours (or empty); what force would not replace either is
    said first, not "use --force"."""
    why = replaceable(target)
    if why is not None:
        raise ResultsExistError(why)
    if (target.exists() or target.is_symlink()) and not force:
        raise ResultsExistError(f"{target} already exists; {option('use --force', 'pass force=True')} to replace it")


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
    arguments.path("out", out, "the results directory to write")
    target = Path(out)
    with write_errors(str(target)):
        target.parent.mkdir(parents=True, exist_ok=True)
        with output_lock(target):
            check_target(target, force)
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent))
            try:
                tmp.chmod(0o755)
                yield tmp
                seal(tmp)
                replace_dir(tmp, target)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise


def replace_dir(tmp: Path, out: Path) -> None:
    """Move tmp to out in one rename; an old out is moved aside first and removed after, once the
    files in it that the tool did not write are carried into tmp."""
    if out.exists():
        carry_foreign(out, tmp)
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        try:
            os.replace(tmp, out)
        except BaseException:
            os.replace(old, out)  # the old directory back in place, the user's files in it
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def carry_foreign(old: Path, new: Path) -> None:
    """Hard-link (or copy) every file of `old` the tool did not write into `new`, at the same place.

    A link leaves the original in `old` until `old` is removed after the swap, so an interruption
    at any moment loses nothing. A name the new results also have is refused (nothing replaced).
    """
    for rel in foreign(old):
        src, dest = old / rel, new / rel
        inside = [new / "/".join(rel.rstrip("/").split("/")[:i]) for i in range(1, rel.rstrip("/").count("/") + 1)]
        taken = dest.is_symlink() or (dest.exists() and not (rel.endswith("/") and dest.is_dir()))
        blocked = next((p for p in inside if p.is_symlink() or p.is_file()), dest if taken else None)
        if blocked is not None:
            raise ResultsExistError(
                f"{old / rel.rstrip('/')} was not written by dostyk, and the new results have "
                f"{blocked.relative_to(new).as_posix()}; {_force()} replaces only dostyk's own files, so nothing was "
                f"replaced: move it away and run again")
        if rel.endswith("/"):
            dest.mkdir(parents=True, exist_ok=True)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dest)
            continue
        try:
            os.link(src, dest)
        except OSError:  # a file system without hard links: a copy
            shutil.copy2(src, dest)


def write_scenario_yaml(path: Path, scenario: Scenario) -> None:
    """The resolved scenario in the YAML's own shape (durations in hours)."""
    path.write_text(dump_yaml(scenario.to_dict()), encoding="utf-8")
