"""Where replication tasks run: in this process, in local processes, or on a Dask cluster.

Every executor takes the same list of `Task`s (sim.experiments.task) and yields `(task, result)`
pairs as tasks finish, in any order; every executor gives identical results for the same seed. What a
task warns of in a worker process is said in this process, once (sim.experiments.worker_warnings). The
Dask executor has its own module (sim.experiments.dask_executor); its names are importable from
here too, as they always were, and `make_executor` builds any of the three.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Protocol

from sim.errors import option
from sim.experiments import arguments
from sim.experiments.dask_executor import UNTRIMMED, DaskExecutor, SchedulerError, connect, local_cluster
from sim.experiments.mainguard import check_main_guard
from sim.experiments.replication import ReplicationResult
from sim.experiments.task import Task, TaskError, execute, execute_recording, task_key
from sim.experiments.worker_warnings import WorkerWarning, reissue

__all__ = [
    "EXECUTORS", "UNTRIMMED", "DaskExecutor", "Executor", "ProcessExecutor", "SchedulerError", "SerialExecutor",
    "Task", "TaskError", "connect", "execute", "execute_to_file", "local_cluster", "make_executor", "task_key",
]

EXECUTORS = arguments.EXECUTORS  # the first is the default


def execute_to_file(task: Task, directory: str) -> str:
    """Run one task in a worker process and leave its result, and the warnings it raised, in a file; return
    the file's path.

    Only the short path travels through the pool's result pipe. A worker killed (SIGKILL, out of
    memory) while sending a large result would leave half a message in that pipe, and the pool's
    reader would then wait for the rest forever; a message this small is written in one piece.
    """
    result, said = execute_recording(task, alone=True)  # a pool's worker runs one task at a time
    fd, path = tempfile.mkstemp(prefix=f"{task.key}.", suffix=".pickle", dir=directory)
    with os.fdopen(fd, "wb") as out:
        pickle.dump((result, said), out, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _load_result_file(path: str) -> tuple[ReplicationResult, list[WorkerWarning]]:
    with open(path, "rb") as f:
        result: tuple[ReplicationResult, list[WorkerWarning]] = pickle.load(f)
    os.remove(path)
    return result


def _with_task(fn: Any, arg: Any, task: Task | None = None) -> ReplicationResult:
    """Call fn(arg); a TaskError leaving it carries the Task, so the caller can save its scenario."""
    try:
        return fn(arg)  # type: ignore[no-any-return]
    except TaskError as exc:
        exc.task = task if task is not None else arg
        raise


class Executor(Protocol):
    """Runs tasks and yields (task, result) as each finishes; stops its workers when closed."""

    name: str

    def map_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, ReplicationResult]]: ...


class SerialExecutor:
    """Tasks one after another in this process: simplest, and what debugging wants."""

    name = "serial"

    def map_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, ReplicationResult]]:
        for task in tasks:
            yield task, _with_task(execute, task)


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops them; no half-finished tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _mp_context() -> multiprocessing.context.BaseContext:
    """Fork server with the model preloaded where available (POSIX), else spawn.

    Both start workers from a clean single-threaded process, so they are safe with threads in
    the caller (progress bars, Dask, notebooks), unlike a plain fork. The fork server imports
    the model once and forks workers from it: starting a pool takes ~0.1 s instead of each
    worker importing numpy, pandas and the model (~1 s or more) as with spawn.
    """
    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["sim.experiments.executors"])
        return ctx
    return multiprocessing.get_context("spawn")


class ProcessExecutor:
    """Local worker processes (started by a fork server or spawned); default all cores.

    With `keep_pool`, the workers live from the first call to `close()`, so that a search's batches
    (calibrate, optimize, sensitivity) do not start a pool each; a failure or an interruption still
    stops them at once. With `stoppable`, one task runs in a worker process too (not in this process,
    where nothing could end it), so that `stop()` ends any run within a second (the workbench's Cancel).
    """

    name = "process"

    def __init__(self, workers: int | None = None, keep_pool: bool = False, stoppable: bool = False) -> None:
        self.workers = arguments.workers(workers) or os.cpu_count() or 1
        self.keep_pool = keep_pool
        self.stoppable = stoppable
        self._pool: ProcessPoolExecutor | None = None
        self._kept: ProcessPoolExecutor | None = None
        self._stopped = False  # final: set by stop(), a map started after it starts no workers
        self._pool_lock = threading.Lock()  # stop() and the map's start of its pool are one step each

    def close(self) -> None:
        """Stop the workers kept between calls (nothing to do without keep_pool)."""
        pool, self._kept = self._kept, None
        if pool is not None:
            pool.shutdown(wait=True)

    def stop(self) -> None:
        """End the workers of the map in progress now, from another thread (the workbench's Cancel):
        that map then raises KeyboardInterrupt, instead of the caller waiting for the replications in
        flight. It is final: asked before a map has started its workers (Cancel at once after Run), that
        map starts none and raises KeyboardInterrupt (else that Cancel was lost until a replication finished)."""
        with self._pool_lock:
            self._stopped = True
            pool = self._pool
        if pool is not None:
            _stop_pool(pool)

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (empty when no tasks are running)."""
        procs = getattr(self._pool, "_processes", None) or {}
        return [p.pid for p in procs.values() if p.pid is not None]

    def map_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, ReplicationResult]]:
        if not tasks:
            return
        if (self.workers <= 1 or len(tasks) == 1) and not self.stoppable:
            yield from SerialExecutor().map_unordered(tasks)
            return
        check_main_guard()  # before any worker starts: they would re-run an unguarded script
        with self._pool_lock:  # a stop() from now on sees the pool; one asked before it is honoured here
            if self._stopped:
                raise KeyboardInterrupt
            pool = self._kept or ProcessPoolExecutor(
                max_workers=self.workers if self.keep_pool else min(self.workers, len(tasks)),
                mp_context=_mp_context(), initializer=_ignore_sigint)
            self._kept = None
            self._pool = pool
        inbox = tempfile.mkdtemp(prefix="dostyk-results-")
        pending: dict[Future[str], Task] = {pool.submit(execute_to_file, t, inbox): t for t in tasks}
        clean, warned = False, set[tuple[object, ...]]()
        try:
            while pending:
                if self._stopped:
                    raise KeyboardInterrupt
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                if self._stopped:  # the ended workers broke the pool: that is the stop, not a failure
                    raise KeyboardInterrupt
                for future in finished:
                    task = pending.pop(future)
                    try:
                        path = _with_task(Future.result, future, task)
                    except TaskError as exc:
                        reissue(exc.warned, warned)  # what it warned of before it failed
                        raise
                    except BrokenProcessPool:
                        raise TaskError(
                            f"a worker process died (killed, or out of memory) while running tasks; "
                            f"one of them was {task.describe()}\n  {task.reproduce_hint()}"
                        ) from None
                    result, said = _load_result_file(path)  # type: ignore[arg-type]
                    reissue(said, warned)  # on the thread taking the results, once for the map
                    yield task, result
            clean = True
        finally:
            self._pool = None
            if clean and self.keep_pool:
                self._kept = pool
            elif clean:
                pool.shutdown(wait=True)
            else:
                _stop_pool(pool)
            shutil.rmtree(inbox, ignore_errors=True)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks and end the workers now, rather than waiting for tasks in flight.

    Python < 3.14 has no public way to do this (3.14 adds `terminate_workers`), so the workers
    are taken from the pool's `_processes` mapping.
    """
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        if p.is_alive():
            p.terminate()
    for p in processes:
        p.join(timeout=5)


def make_executor(name: str = "process", workers: int | None = None, scheduler: str | None = None) -> Executor:
    """The executor called `name` (serial, process or dask)."""
    workers = arguments.workers(workers)
    if scheduler is not None and name != "dask":
        raise arguments.ArgumentError(f"a scheduler address ({scheduler}) goes with the dask executor, not {name!r}; "
                         + option("add --executor dask", "pass executor='dask'"))
    if name == "serial":
        return SerialExecutor()
    if name == "process":
        return ProcessExecutor(workers)
    if name == "dask":
        return DaskExecutor(scheduler, workers)
    raise arguments.ArgumentError(f"unknown executor {name!r}; expected one of: {', '.join(EXECUTORS)}")
