"""Where replication tasks run: in this process, in local processes, or on a Dask cluster.

Every executor takes the same list of `Task`s and yields `(task, result)` pairs as tasks finish, in
any order. A task's result depends only on its scenario, replication and seed (random streams are
keyed by them, see sim.model.rng), so every executor gives identical results for the same seed.

A task that fails in a worker raises `TaskError`, whose message names the scenario, the lever
values, the replication and the seed needed to reproduce it in a single process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import shutil
import signal
import tempfile
import threading
import traceback
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from sim.analysis.stats import corridor_rows
from sim.analysis.window import over_windows
from sim.errors import SimError, option
from sim.experiments import arguments
from sim.experiments.mainguard import check_main_guard
from sim.experiments.replication import ReplicationResult, run_replication
from sim.model.orders import Order
from sim.scenario.schema import Scenario

EXECUTORS = arguments.EXECUTORS  # the first is the default


@dataclass(frozen=True)
class Task:
    """One replication of one scenario: plain data, cheap to send to any worker."""

    key: str                      # unique within an experiment; names the task's part file
    scenario: dict[str, Any]      # Scenario.to_dict(): validated again on the worker
    replication: int
    seed: int
    changes: dict[str, Any] = field(default_factory=dict)  # lever values that made this scenario
    keep_series: bool = True      # False: return KPIs and events only (sweeps; smaller parts)
    keep_daily: tuple[str, ...] = ()  # with keep_series False: these daily columns of cargo `all` (compare's plots)
    windows: tuple[tuple[str, str], ...] = ()  # (first, last) ISO days: their KPIs, the corridor's (compare --window)
    keep_trains: bool = False     # also the table of trains (sim.analysis.train_log; a consignment's answer)
    order: Order | None = None    # a one-off order added to the demand (sim.model.orders)

    def describe(self) -> str:
        """Everything needed to reproduce this task in one process."""
        name = self.scenario.get("name", "?")
        where = f"scenario {name!r}"
        if self.changes:
            where += " with " + ", ".join(f"{k}={v!r}" for k, v in self.changes.items())
        if self.order is not None:
            where += f" and the order sim.{self.order!r}"
        return f"{where}, replication {self.replication}, seed {self.seed}"

    def reproduce_hint(self) -> str:
        changes = f".with_changes({self.changes!r})" if self.changes else ""
        trains = ", trains=True" if self.keep_trains else ""
        order = f", order=sim.{self.order!r}" if self.order is not None else ""
        return (f"reproduce with: sim.run_replication(sim.load_scenario(PATH){changes}, "
                f"{self.replication}, seed={self.seed}{trains}{order})")


def task_key(prefix: str, scenario_data: dict[str, Any], replication: int, seed: int, extra: Any = None) -> str:
    """A part-file name: readable prefix plus a digest of exactly what the task computes.

    A part is reused on --resume only if scenario, replication and seed are all the same (and `extra`,
    what else the part holds, such as a comparison's windows or a consignment's order), so a changed experiment can never pick
    up a stale result. Without `extra` the digest is the one parts always had.
    """
    blob = json.dumps([scenario_data, replication, seed] + ([extra] if extra else []), sort_keys=True,
                      default=str).encode()
    return f"{prefix}-{hashlib.sha256(blob).hexdigest()[:12]}"


class TaskError(SimError):
    """A replication failed in a worker. `details` holds the worker's traceback."""

    exit_code = 1
    prefix = "dostyk: "

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details
        self.task: Task | None = None

    def __reduce__(self) -> tuple[Any, ...]:  # keep `details` across process boundaries
        return (type(self), (self.args[0], self.details))


class SchedulerError(SimError):
    """The Dask scheduler given by address cannot be reached (exit status 1: the address may be right)."""

    exit_code = 1
    prefix = "dostyk: "


def connect(scheduler: str) -> Any:
    """A Dask client of the scheduler at `scheduler`; one that cannot be reached is a SchedulerError
    (a TimeoutError is an OSError: it was said as 'could not write the work directory')."""
    from distributed import Client

    try:
        return Client(arguments.scheduler(scheduler))
    except OSError as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}; check the address and that the "
                             f"scheduler is running (without {option('--scheduler', 'scheduler=')}, a local cluster is "
                             "started)") from None


# Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536, fixing glibc's mmap threshold: ~30 % more CPU per replication
UNTRIMMED = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}  # (docs/performance.md)


def local_cluster(workers: int) -> Any:
    """A Dask cluster of `workers` single-threaded worker processes on this machine's loopback, without
    dashboard, quiet about tasks cancelled by Ctrl-C, with glibc's own memory trimming (UNTRIMMED)."""
    import dask.config
    from distributed import LocalCluster

    with dask.config.set(UNTRIMMED):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, silence_logs=logging.ERROR)


def execute(task: Task) -> ReplicationResult:
    """Run one task (this is what workers call); failures become a TaskError naming the task."""
    try:
        result = run_replication(Scenario.model_validate(task.scenario), task.replication, task.seed,
                                 trains=task.keep_trains, order=task.order)
    except Exception as exc:
        raise TaskError(
            f"replication failed: {task.describe()}: {type(exc).__name__}: {exc}\n  {task.reproduce_hint()}",
            traceback.format_exc(),
        ) from None
    if task.windows:  # from the whole daily series, before it is cut down below
        result.windows = corridor_rows(over_windows(result.daily, task.windows)).drop(columns=["crossing"],
                                                                                        errors="ignore")
    if not task.keep_series:
        daily = result.daily
        daily = corridor_rows(daily)  # with several crossings: the corridor's rows
        result.daily = (daily.loc[daily["cargo"] == "all", ["replication", "date", "day", *task.keep_daily]]
                        .reset_index(drop=True) if task.keep_daily else pd.DataFrame())
        result.dwell = pd.DataFrame()
        result.diagnostics = {}
    return result


def execute_to_file(task: Task, directory: str) -> str:
    """Run one task in a worker process and leave its result in a file; return the file's path.

    Only the short path travels through the pool's result pipe. A worker killed (SIGKILL, out of
    memory) while sending a large result would leave half a message in that pipe, and the pool's
    reader would then wait for the rest forever; a message this small is written in one piece.
    """
    result = execute(task)
    fd, path = tempfile.mkstemp(prefix=f"{task.key}.", suffix=".pickle", dir=directory)
    with os.fdopen(fd, "wb") as out:
        pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
    return path


def _load_result_file(path: str) -> ReplicationResult:
    with open(path, "rb") as f:
        result: ReplicationResult = pickle.load(f)
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
        clean = False
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
                    except BrokenProcessPool:
                        raise TaskError(
                            f"a worker process died (killed, or out of memory) while running tasks; "
                            f"one of them was {task.describe()}\n  {task.reproduce_hint()}"
                        ) from None
                    yield task, _load_result_file(path)  # type: ignore[arg-type]
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


class DaskExecutor:
    """Tasks on a Dask distributed cluster: `scheduler` address, a Client, or a local cluster.

    Workers need this package installed (the same version) to import `sim.experiments.executors.execute`.
    """

    name = "dask"

    def __init__(self, scheduler: str | None = None, workers: int | None = None, client: Any = None) -> None:
        self.scheduler = arguments.scheduler(scheduler)
        self.workers = arguments.workers(workers) or os.cpu_count() or 1
        self.client = client

    def map_unordered(self, tasks: Sequence[Task]) -> Iterator[tuple[Task, ReplicationResult]]:
        if not tasks:
            return
        try:
            from distributed import Client, as_completed
        except ImportError:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                "the dask executor needs Dask distributed: pip install 'dostyk-sim[dask]'"
            ) from None
        cluster = None
        client = self.client
        own_client = client is None
        if own_client:
            if self.scheduler:
                client = connect(self.scheduler)
            else:
                cluster = local_cluster(min(self.workers, len(tasks)))
                client = Client(cluster)
        futures = client.map(execute, list(tasks), pure=False)
        by_future = dict(zip(futures, tasks))
        try:
            # results gathered in the background as tasks finish (not one round trip per result)
            for future, result in as_completed(futures, loop=client.loop, with_results=True, raise_errors=False):
                task = by_future[future]
                if future.status == "error":
                    exc = result if isinstance(result, BaseException) else future.exception()
                    if isinstance(exc, TaskError):
                        exc.task = task
                        raise exc
                    raise TaskError(f"dask could not run {task.describe()}: {type(exc).__name__}: {exc}\n"
                                    f"  {task.reproduce_hint()}")
                yield task, result
                future.release()
        finally:
            client.cancel(futures)
            if own_client:
                client.close()
                if cluster is not None:
                    cluster.close()


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
