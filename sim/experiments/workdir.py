"""A work directory: one part file per finished task, so interrupted work can be resumed.

Each finished replication is pickled into `parts/<task key>.pkl` through a temporary file and a
rename, so a part file is either complete or absent: an interruption (Ctrl-C, SIGTERM, a killed
worker) loses at most the tasks in flight. Part files are private to resuming (pickle keeps every
column's dtype, so a resumed result is identical to an uninterrupted one); the final outputs are
the CSV files written by `Results.write` and friends. A task key includes a digest of its scenario,
replication and seed (`sim.experiments.executors.task_key`), so a part is only reused for the same work;
manifest.json records the code that computed the parts (`CODE`, sim.experiments.code_stamp), so parts
of another version of dostyk are refused rather than mixed with this version's replications, and, when
the work is a command's, whose it is (sim.experiments.identity): another file's, command's or options'
work is neither resumed nor discarded as this one's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.errors import SimError, option
from sim.experiments import arguments
from sim.experiments.arguments import ArgumentError
from sim.experiments.atomic import write_errors
from sim.experiments.atomic_file import write_atomically
from sim.experiments.code_stamp import code_stamp
from sim.experiments.identity import Identity
from sim.experiments.lock import output_lock

PART_SUFFIX = ".pkl"
PARTS = "parts"
FAILED = "failed"  # the scenario of each task that failed, to reproduce it
OWN = (PARTS, FAILED, "manifest.json")  # what a work directory holds that dostyk wrote
CODE = "code"  # manifest.json's key: the code_stamp() of the dostyk that computed the parts


class WorkExistsError(SimError, FileExistsError):
    """A work directory from an earlier, interrupted run exists and neither resume nor force was asked."""


class WorkDir:
    """Part files of one experiment (a run, a sweep or a comparison).

    `identity`: whose work it is (a command's, sim.experiments.identity), recorded in the manifest and
    checked against what an existing one records. A WorkDir is a path (os.PathLike), so a command passes
    one with its identity wherever the engine takes a `workdir`."""

    def __init__(self, path: str | os.PathLike[str], identity: Identity | None = None) -> None:
        self.path = Path(path)
        self.parts = self.path / PARTS
        self.failed = self.path / FAILED
        self.identity = identity

    def __fspath__(self) -> str:
        return str(self.path)

    @classmethod
    def open(cls, path: str | os.PathLike[str], resume: bool = False, force: bool = False,
             manifest: dict[str, Any] | None = None) -> WorkDir:
        """Create, reuse (`resume`) or replace (`force`) the work directory at `path`.

        Hold `output_lock(path)` while using it (see `session`): two processes sharing one work
        directory delete each other's files.
        """
        _check_arguments(path, resume, force)
        work = path if isinstance(path, WorkDir) else cls(path)
        work.check(resume, force, (manifest or {}).get("kind"))
        with write_errors(f"the work directory {work.path}"):
            if work.path.exists() and not resume and work.count():
                work.remove()
            work.parts.mkdir(parents=True, exist_ok=True)
            for stale in work.parts.glob(".*.tmp"):  # a write cut short; its task is simply redone
                stale.unlink(missing_ok=True)
            if manifest is not None:
                owner = work.identity.record() if work.identity is not None else {}
                info = {**manifest, **owner, CODE: code_stamp(), "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
                write_atomically(work.path / "manifest.json", (json.dumps(info, indent=2, default=str) + "\n").encode())
        return work

    @classmethod
    @contextmanager
    def session(cls, path: str | os.PathLike[str] | None, resume: bool = False,
                manifest: dict[str, Any] | None = None) -> Iterator[WorkDir | None]:
        """`open` under the work directory's lock, held for the block (nothing when `path` is None)."""
        if path is None:
            yield None
            return
        _check_arguments(path, resume)
        existed = Path(path).exists()
        with write_errors(f"the work directory {path}"), output_lock(path):
            work = cls.open(path, resume=resume, manifest=manifest)
            try:
                yield work
            except BaseException:
                # a failure before any task finished (an unreachable scheduler, a bad first task
                # whose scenario is kept in failed/ stays) leaves nothing to resume: no empty OUT.work
                if not existed and work.holds_nothing():
                    work.remove()
                raise

    def manifest(self) -> dict[str, Any]:
        """What the work directory says it holds (empty if it does not say)."""
        try:
            info = json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def check(self, resume: bool, force: bool, kind: str | None) -> None:
        """Refuse to reuse or delete what is not this work's: another kind's tasks, or not a work directory."""
        if not self.path.exists() and not self.path.is_symlink():
            return
        if self.path.is_symlink() or not self.path.is_dir() or not (
                self.parts.is_dir() or (self.path / "manifest.json").is_file()):
            raise WorkExistsError(f"{self.path} exists but is not a dostyk work directory (no parts/ or "
                                  f"manifest.json), so it is neither used nor deleted; move it, or "
                                  f"{option('use another --out', 'give another workdir=')}")
        if self.identity is not None and self.count():
            self.check_owner()
        held = self.manifest().get("kind")
        if resume and kind and held and held != kind and self.count():
            raise WorkExistsError(
                f"{self.path} holds {self.count()} finished task(s) of an interrupted {held}, not of a {kind}: "
                f"resuming would discard them; " + option(
                    f"finish it with `dostyk {held} … --resume` (the same command as before), or use another --out "
                    f"(--force without --resume discards it)",
                    f"finish it with the same {held} call as before (with resume=True), or give another workdir= "
                    f"(deleting {self.path} discards them)"))
        if resume and self.count():
            self.check_same_code()
        if not resume and self.count() and not force:
            raise WorkExistsError(
                f"{self.path} holds {self.count()} finished task(s) of an interrupted {held or kind or 'run'}; "
                + option("use --resume to complete it, or --force to start afresh",
                         f"pass resume=True to complete it, or delete {self.path} (or give another workdir=) "
                         f"to start afresh"))

    def check_owner(self) -> None:
        """Refuse to resume or discard another's work: another command's, scenario's, file's or options'
        (what the manifest does not record, e.g. work of an earlier version, is not held against this)."""
        held = self.manifest()
        if self.identity is None:
            return
        conflict = self.identity.conflict(held, held.get("kind") if isinstance(held.get("kind"), str) else None)
        if conflict is None:
            return
        began = held.get("kind") if isinstance(held.get("kind"), str) else self.identity.kind
        whose = f", not of a {self.identity.kind}" if conflict.what == "kind" else f" {conflict.text}"
        how = (f"`dostyk {began} {conflict.theirs} … --resume`" if conflict.what == "file" else
               f"`dostyk {began} … --resume` (the same command as before)" if conflict.what == "kind" else
               "the command that began it, with --resume")
        raise WorkExistsError(
            f"{self.path} holds {self.count()} finished task(s) of an interrupted {began}{whose}; this "
            f"{self.identity.kind} neither resumes nor discards that work: " + option(
                f"finish it with {how}, or use another --out (delete {self.path} to discard it)",
                f"finish it with the call that began it (with resume=True), or give another workdir= (delete "
                f"{self.path} to discard it)"))

    def check_same_code(self) -> None:
        """Refuse to resume parts another version of dostyk computed: its model, KPIs and tables may
        differ, and a results directory must hold one model's replications under the version it names."""
        held = self.manifest().get(CODE)
        if held == code_stamp():
            return
        who = (f"an older version of dostyk, from before work directories recorded the code that computed them "
               f"({self.path / 'manifest.json'} has no `{CODE}`)" if held is None
               else f"another version of dostyk (code {held}; this one is {code_stamp()})")
        raise WorkExistsError(
            f"{self.path} holds {self.count()} finished task(s) computed by {who}; they are not mixed with this "
            f"version's replications. Finish the work with the version that began it, or start afresh "
            + option("with --force instead of --resume (this discards them)",
                     f"without resume=True after deleting {self.path} (or with another workdir=)"))

    def finished_keys(self) -> set[str]:
        if not self.parts.is_dir():
            return set()
        return {p.name[: -len(PART_SUFFIX)] for p in self.parts.glob(f"*{PART_SUFFIX}") if not p.name.startswith(".")}

    def count(self) -> int:
        return len(self.finished_keys())

    def holds_nothing(self) -> bool:
        """No finished task to resume and no failed task's scenario to reproduce."""
        return not self.count() and not any(self.failed.glob("*"))

    def part_path(self, key: str) -> Path:
        return self.parts / f"{key}{PART_SUFFIX}"

    def save(self, key: str, result: Any) -> None:
        """Store one finished task (atomically)."""
        write_atomically(self.part_path(key), pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))

    def load(self, keys: set[str] | None = None, keep: Callable[[Any], Any] | None = None) -> dict[str, Any]:
        """Finished tasks (only those in `keys`, when given), each as `keep(part)` when given (one part
        at a time is whole in memory); unreadable parts are dropped and redone."""
        out: dict[str, Any] = {}
        for key in self.finished_keys():
            if keys is not None and key not in keys:
                continue
            path = self.part_path(key)
            try:
                with open(path, "rb") as fh:
                    part = pickle.load(fh)  # our own files, written by save() with this code
            except Exception:
                path.unlink(missing_ok=True)
                continue
            out[key] = part if keep is None else keep(part)
        return out

    def remove(self) -> None:
        """Delete the work directory once its results are safely written (or discarded with --force):
        its part files, failed tasks and manifest; a file of the user's in it is kept, with the folder."""
        for name in OWN:
            target = self.path / name
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.rmdir()  # only when empty


def unfinished_work(path: str | os.PathLike[str]) -> str | None:
    """What a reader of results (`report`, `kpis`, `Results.read`) says of `path` when it is unfinished
    work rather than results: `OUT.work` itself, or an `OUT` that does not exist beside its `OUT.work`
    (after Ctrl-C). Was "not a complete results directory (missing: …)" and "no such results directory"."""
    given = Path(path)
    is_work = given.name.endswith(".work")
    work = WorkDir(given if is_work else given.with_name(given.name + ".work"))
    if (not is_work and given.exists()) or not work.path.is_dir() or not (
            work.parts.is_dir() or (work.path / "manifest.json").is_file()):
        return None
    info = work.manifest()
    kind = info.get("kind") if isinstance(info.get("kind"), str) else "run"
    file = info.get("file") if isinstance(info.get("file"), str) else None
    command = f"`dostyk {kind}{' ' + file if file else ''} …`"
    final = work.path.with_name(work.path.name[: -len(".work")])
    head = (f"{given} holds unfinished work, not results" if is_work
            else f"{given}: no such results directory; {work.path} holds its unfinished work")
    how = option("Finish it with the same command and --resume", "Finish it with the same call and resume=True")
    return f"{head}: {work.count()} finished task(s) of an interrupted {command}. {how}; the results are then written to {final}"


def _check_arguments(path: Any, resume: Any, force: Any = False) -> None:
    """A work directory's path and yes/no switches, checked: resume="no" resumed (any text is true)."""
    arguments.path("workdir", path, "a work directory")
    for name, value in (("resume", resume), ("force", force)):
        if not isinstance(value, bool):
            raise ArgumentError(f"{name} must be True or False, got {value!r}")
