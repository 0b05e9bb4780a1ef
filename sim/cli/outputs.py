"""Where a command's results go: `--out` checked, the output locked, the work directory prepared.

Everything here happens before any computing, so a refusal costs nothing: an empty `--out`, the
current directory or one above it, a name kept for work directories; an existing output without
`--force`, or one this tool did not write (never deleted, even with `--force`), or a file in it
that is not the tool's but has the name of one it writes; a work directory
of another kind of command, or not a work directory at all; and another process writing the same
output (the lock, sim.experiments.lock). While the command runs it holds the lock; a write that
the file system refuses (read-only, full) is said plainly, with how to resume.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from sim.cli.options import echo
from sim.errors import SimError
from sim.experiments.atomic import ResultsExistError, WriteError, replaceable, write_errors
from sim.experiments.atomic_file import write_atomically
from sim.experiments.identity import FILE_KEY, Identity
from sim.experiments.lock import output_lock
from sim.experiments.manifest import Ownership, is_results_dir
from sim.experiments.workdir import WorkDir


class OutputPathError(SimError):
    """An --out that cannot hold results (empty, the current directory, a work directory's name…)."""


def work_path(out_dir: Path) -> Path:
    """Where part files of unfinished work live: next to the output, never under its final name."""
    return out_dir.with_name(out_dir.name + ".work")


def out_path(out: str | None, default: Path) -> Path:
    """The results directory: `--out` as given, or `default`; refuse one that cannot be ours."""
    if out is None:
        return default
    if not out.strip():
        raise OutputPathError("--out is empty; give a directory for the results, e.g. --out results/run1")
    path = Path(out)
    here = Path.cwd().resolve()
    resolved = path.resolve()
    if path.name in ("", ".", "..") or resolved == here or resolved in here.parents:
        raise OutputPathError(
            f"--out {out} is the current directory or one above it; results need a directory of their own "
            f"(written whole, and replaced whole with --force), e.g. --out results/run1")
    if path.name.endswith(".work"):
        raise OutputPathError(f"--out {out}: names ending in .work are kept for unfinished work (OUT.work beside "
                              f"OUT); choose another name")
    return path


def check_output_file(path: str, option: str, reading: Iterable[Path] = (), force: bool = False) -> Path:
    """Refuse a single output file (`--csv`, `--plot`) that cannot be written or must not be, before any work.

    Refused: an empty name; a path below a file (`afile/x.png`: found only when writing, after the
    work); a file the command reads, or a file of a results directory that dostyk wrote there (`dostyk
    kpis R --csv R/daily.csv` replaced the data it had just read); an existing file without --force.
    A new name inside a results directory is fine: it is the user's, and `--force` keeps it. Missing
    directories above the file are made when it is written (as for --out)."""
    if not path.strip():
        raise click.BadParameter(f"{option} is empty; give a file name", param_hint=option)
    target = Path(path)
    above = next((d for d in target.parents if d.exists()), None)
    if above is not None and not above.is_dir():
        raise click.BadParameter(f"cannot write {path}: {above} is a file, not a directory; choose another file",
                                 param_hint=option)
    if target.is_dir():
        raise click.BadParameter(f"{path} is a directory; give a file name", param_hint=option)
    resolved = target.resolve()
    for parent in resolved.parents:
        if is_results_dir(parent):
            rel = resolved.relative_to(parent).as_posix()
            if Ownership.of(parent).owns(rel):
                given = Path(os.path.normpath(path)).as_posix()
                shown = given[:-len(rel)].rstrip("/") or "." if given.endswith(rel) else str(parent)
                raise click.BadParameter(
                    f"{path} is {rel} of the results directory {shown}, written by dostyk; writing there would "
                    f"replace it: choose a file outside it, or a name dostyk does not write", param_hint=option)
    if target.exists() or target.is_symlink():
        for source in reading:
            if source.exists() and target.exists() and os.path.samefile(target, source):
                raise click.BadParameter(f"{path} is the same file as {source}, which this command reads; writing "
                                         f"there would replace it: choose another file", param_hint=option)
        if not force:
            raise click.BadParameter(f"{path} already exists; add --force to replace it, or choose another file",
                                     param_hint=option)
    return target


def write_output_file(path: str | Path, data: bytes, option: str) -> None:
    """Write a single output file whole or not at all, making missing directories above it (removed again
    if the write fails); a write the file system refuses is said plainly (WriteError), not as a crash."""
    target = Path(path)
    missing = [d for d in target.parents if not d.exists()]
    try:
        with write_errors(f"{option} {target}"):
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(target, data)
    except BaseException:
        _remove_empty(missing)
        raise


def say_unchecked(directory: str) -> None:
    """A run's directory written before files had checksums is only checked for consistency: say so."""
    if Ownership.of(Path(directory)).manifest("metadata.json") is None:
        echo(f"Note: {directory} was written before dostyk recorded checksums of its files; only their "
             f"consistency is checked (run it again to have them recorded).", err=True)


@dataclass
class Claim:
    """A locked output and its work directory, claimed by a command of this `identity`."""

    work: Path
    identity: Identity

    @property
    def workdir(self) -> WorkDir:
        """The work directory as the engine takes it (`workdir=`): its manifest records the identity."""
        return WorkDir(self.work, self.identity)

    def mark(self, metadata: dict[str, Any]) -> None:
        """Record the identity in the results' marker (`metadata`), as the work manifest records it."""
        metadata.update(self.identity.record())

    def finish(self, tasks: int) -> None:
        """Delete the work directory once the results are written, unless it holds others' tasks.

        Every one of this command's `tasks` left a part there; with --resume, parts of other work
        (another scenario, --set, seed or more replications) are not reused, and they are left in
        place, and said, rather than deleted with this command's own.
        """
        others = WorkDir(self.work).count() - tasks
        if others > 0:
            files = [self.identity.file] if isinstance(self.identity.file, str) else list(self.identity.file or ())
            edited = f", or {', '.join(files)} edited since" if files else ""
            echo(f"Note: {self.work} keeps {others} finished task(s) of other work that this command did not "
                       f"use (another scenario, --set, seed or more replications{edited}); delete it when they are "
                       f"not needed.", err=True)
            return
        WorkDir(self.work).remove()


@contextmanager
def claim_output(out_dir: Path, force: bool, resume: bool, identity: Identity) -> Iterator[Claim]:
    """Lock `out_dir`, check it and its work directory, and yield the claim (call `finish` after writing).

    `identity` is the command's (its kind, run, sweep, compare…, its file and options): a work directory
    another identity left is neither resumed as this one's (its finished tasks would be deleted at the end)
    nor discarded by --force (sim.experiments.identity).
    """
    work = work_path(out_dir)
    missing = [d for d in [out_dir.parent, *out_dir.parent.parents] if not d.exists()]
    above = next((d for d in [out_dir.parent, *out_dir.parent.parents] if d.exists()), None)
    if above is not None and not above.is_dir():
        raise OutputPathError(f"cannot write {out_dir}: {above} is a file, not a directory; choose another --out")
    try:
        with write_errors(f"into {out_dir.parent}"):
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            with output_lock(out_dir):
                _check(out_dir, work, force, resume, identity)
                try:
                    yield Claim(work, identity)
                except BaseException as exc:
                    kept = WorkDir(work).count()
                    # a disk that refused, or a user's file in the way: say how to finish without recomputing
                    if isinstance(exc, (WriteError, ResultsExistError)) and kept and "--resume" not in str(exc):
                        when = "once the disk can be written" if isinstance(exc, WriteError) else "then"
                        hint = (f"{kept} finished task(s) are kept in {work}: {when}, run the same command with "
                                f"--resume to write the results without computing them again")
                        exc.args = (f"{exc}\n  {hint}",)
                    _drop_if_empty(work)
                    raise
    finally:
        _remove_empty(missing)  # a refused or failed command leaves no empty directories behind


def _check(out_dir: Path, work: Path, force: bool, resume: bool, identity: Identity) -> None:
    why = replaceable(out_dir, identity.kind)  # first: "use --force" for what --force will not delete misled
    if why is not None:
        raise ResultsExistError(why)
    if out_dir.exists() and not force:
        if resume and not work.exists():
            raise ResultsExistError(f"{out_dir} is already complete; nothing to resume (use --force to recompute it)")
        raise ResultsExistError(f"{out_dir} already exists; use --force to replace it, or --out DIR")
    directory = WorkDir(work, identity)
    directory.check(resume, force, identity.kind)
    if work.exists() and not resume:
        kept = directory.count()
        if kept and identity.file is not None and FILE_KEY not in directory.manifest():
            echo(f"Note: {work} held {kept:,} finished task(s) of an interrupted {identity.kind} that recorded no "
                       f"file (begun by an earlier dostyk, or from Python); the same command and scenario, it was taken "
                       f"as this one's and discarded (--force).", err=True)
        directory.remove()


def _drop_if_empty(work: Path) -> None:
    """A command that failed before any task finished (a bad lever found late, an unreachable scheduler)
    leaves nothing to resume: remove its work directory rather than leave an empty OUT.work behind.
    A failed task's scenario (failed/) is kept, to reproduce it."""
    directory = WorkDir(work)
    if work.is_dir() and directory.holds_nothing():
        directory.remove()


def _remove_empty(made: list[Path]) -> None:
    """Remove the directories `made` for the output (deepest first), as long as they are empty."""
    with contextlib.suppress(OSError):
        for d in made:
            d.rmdir()
