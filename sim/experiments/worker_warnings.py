"""Warnings a task raises in a worker process, carried back with its result and issued again in this one.

A worker printed its warnings straight to the stderr it inherited: the workbench's page never saw them (they
went to the server's console), and a command said the same warning once per worker or per task, where a
warning raised in this process is said once (the CLI's filter, sim.app.thread_warnings on a job's thread).
So the worker records what a task raises (`recorded`) and sends it back beside the result; the thread that
takes the results issues each again (`reissue`) with its own category, text, file and line, where this
process's filters and hooks decide as for any warning of its own; identical ones from many tasks once.

`warnings.catch_warnings()` swaps module-wide state, so it records a task's warnings only in a process that
runs that task alone (a process pool's worker; a single-threaded Dask worker that is not this process);
elsewhere the warnings are left as they were (`alone=False`).
"""

from __future__ import annotations

import os
import pickle
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: what the "default" and "module" filters have shown of them, as a module's __warningregistry__ keeps it
_registry: dict[str | tuple[str, type[Warning], int], int] = {}


@dataclass(frozen=True)
class WorkerWarning:
    """One warning as a worker raised it: plain data that crosses processes."""

    message: Warning | str   # the warning itself, or its text when it does not survive pickling
    category: type[Warning]
    filename: str
    lineno: int
    module: str | None       # the raising module's name, which filters match (None: Python derives one)

    def key(self) -> tuple[object, ...]:
        return self.category, str(self.message), self.filename, self.lineno


def _module_of(filename: str) -> str | None:
    for name, module in list(sys.modules.items()):
        if getattr(module, "__file__", None) == filename:
            return name
    return None


def _carried(caught: warnings.WarningMessage) -> WorkerWarning:
    """`caught` as it can travel: a warning (or category) that pickle cannot bring back goes as text (or as a
    UserWarning naming its category)."""
    message: Warning | str = caught.message
    category = caught.category
    try:
        pickle.loads(pickle.dumps(message))
    except Exception:  # any failure to travel: its text travels instead
        message = str(message)
        try:
            pickle.loads(pickle.dumps(category))
        except Exception:  # (a class defined in a function, say)
            message, category = f"{category.__name__}: {message}", UserWarning
    return WorkerWarning(message, category, caught.filename, caught.lineno, _module_of(caught.filename))


@contextmanager
def recorded(alone: bool = True) -> Iterator[list[WorkerWarning]]:
    """The warnings raised inside the block, each once and none printed, listed as it ends (also when it fails).
    All are kept whatever this process's filters say: those of the process that reissues them decide.
    `alone`: this process runs only this block's task, as catch_warnings needs; else none are kept or hidden."""
    said: list[WorkerWarning] = []
    if not alone:
        yield said
        return
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
    finally:  # also when the block fails: its warnings may say why
        seen = set()
        for one in caught:  # a warning raised in a loop, each time: carried once
            key = (one.category, str(one.message), one.filename, one.lineno)
            if key not in seen:
                seen.add(key)
                said.append(_carried(one))


def alone_on_dask(client_pid: int) -> bool:
    """Whether this Dask worker runs one task at a time in a process of its own (local_cluster's workers do;
    a cluster's may run several, or be threads of the client's process, where catch_warnings would take its
    warnings and those of the tasks beside it)."""
    from distributed import get_worker

    return os.getpid() != client_pid and get_worker().state.nthreads == 1


def reissue(said: Iterable[WorkerWarning], already: set[tuple[object, ...]]) -> None:
    """Issue again here each warning a worker raised, unless its like is in `already` (the map's: identical
    warnings from many tasks are one), as raised at its own file and line."""
    for note in said:
        if note.key() in already:
            continue
        already.add(note.key())
        warnings.warn_explicit(note.message, note.category, note.filename, note.lineno,  # type: ignore[arg-type]
                               module=note.module, registry=_registry)  # (typeshed: a str, or a Warning)
