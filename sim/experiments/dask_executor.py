"""Tasks on a Dask distributed cluster: a scheduler's address, a Client, or a local cluster started here.

Apart from sim.experiments.executors (this process and local processes) because it is another
concept — a cluster that may be someone else's, reached by address, with its own settings — and
because Dask is optional: `distributed` and `dask` are imported only inside the functions that use
them, so that `import sim` and the command line stay light. sim.experiments.executors re-exports
these names and builds a DaskExecutor for `--executor dask`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

from sim.errors import SimError, option
from sim.experiments import arguments
from sim.experiments.replication import ReplicationResult
from sim.experiments.task import Task, TaskError, execute_recording
from sim.experiments.worker_warnings import WorkerWarning, alone_on_dask, reissue
from sim.scenario.warn import warn


class SchedulerError(SimError):
    """The Dask scheduler given by address cannot be reached (exit status 1: the address may be right)."""

    exit_code = 1
    prefix = "dostyk: "


def connect(scheduler: str) -> Any:
    """A Dask client of the scheduler at `scheduler`; one that cannot be reached is a SchedulerError
    (a TimeoutError is an OSError: it was said as 'could not write the work directory'). Its workers
    are asked once whether they trim memory (warn_if_trimmed): someone else started them."""
    from distributed import Client

    try:
        client = Client(arguments.scheduler(scheduler))
    except OSError as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {scheduler}: {exc}; check the address and that the "
                             f"scheduler is running (without {option('--scheduler', 'scheduler=')}, a local cluster is "
                             "started)") from None
    warn_if_trimmed(client, scheduler)
    return client


# Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536, fixing glibc's mmap threshold: ~30 % more CPU per replication
TRIM = "MALLOC_TRIM_THRESHOLD_"  # (docs/performance.md, "Many runs")
UNTRIMMED = {f"distributed.nanny.pre-spawn-environ.{TRIM}": None}
#: what starts a remote cluster's workers untrimmed (docs/howto/compare-levers.md)
EXPORT_UNTRIMMED = f"export DASK_DISTRIBUTED__NANNY__PRE_SPAWN_ENVIRON=\"{{'{TRIM}': None}}\""


def trimmed_workers(client: Any) -> tuple[int, int]:
    """How many of the client's workers run with MALLOC_TRIM_THRESHOLD_ set (any value fixes glibc's mmap
    threshold), and of how many; (0, 0) when they cannot be asked (old workers, no permission, gone)."""
    try:  # os.getenv, sent by name, reads the worker's environment; os.environ.get would carry this one's
        settings = client.run(os.getenv, TRIM, on_error="ignore")
    except Exception:  # a check of the workers' settings never fails the run
        return 0, 0
    return sum(value is not None for value in settings.values()), len(settings)


def warn_if_trimmed(client: Any, scheduler: str) -> None:
    """One warning when workers of the user's cluster run with MALLOC_TRIM_THRESHOLD_, which Dask's nanny
    sets unless told not to: each replication there costs about 30 % more CPU, and nothing else says so."""
    trimmed, workers = trimmed_workers(client)
    if trimmed:
        warn(f"{trimmed} of {workers} Dask worker{'s' if workers != 1 else ''} at {scheduler} "
             f"run{'s' if trimmed == 1 else ''} with {TRIM} set (Dask's nanny sets it unless told not to), "
             f"under which a replication takes about 30 % more CPU; start the workers after "
             f"{EXPORT_UNTRIMMED} (docs/howto/compare-levers.md)")


def local_cluster(workers: int) -> Any:
    """A Dask cluster of `workers` single-threaded worker processes on this machine's loopback, without
    dashboard, quiet about tasks cancelled by Ctrl-C, with glibc's own memory trimming (UNTRIMMED)."""
    import dask.config
    from distributed import LocalCluster

    with dask.config.set(UNTRIMMED):
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address=None, silence_logs=logging.ERROR)


def execute_noting(task: Task, client_pid: int) -> tuple[ReplicationResult, list[WorkerWarning]]:
    """Run one task on a Dask worker: its result and the warnings it raised (sim.experiments.worker_warnings)."""
    return execute_recording(task, alone_on_dask(client_pid))


class DaskExecutor:
    """Tasks on a Dask distributed cluster: `scheduler` address, a Client, or a local cluster.

    Workers need this package installed (the same version) to import `sim.experiments.dask_executor.execute_noting`.
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
        futures = client.map(execute_noting, list(tasks), pure=False, client_pid=os.getpid())
        by_future, warned = dict(zip(futures, tasks)), set[tuple[object, ...]]()
        try:
            # results gathered in the background as tasks finish (not one round trip per result)
            for future, result in as_completed(futures, loop=client.loop, with_results=True, raise_errors=False):
                task = by_future[future]
                if future.status == "error":
                    exc = result if isinstance(result, BaseException) else future.exception()
                    if isinstance(exc, TaskError):
                        exc.task = task
                        reissue(exc.warned, warned)  # what it warned of before it failed
                        raise exc
                    raise TaskError(f"dask could not run {task.describe()}: {type(exc).__name__}: {exc}\n"
                                    f"  {task.reproduce_hint()}")
                reissue(result[1], warned)  # on the thread taking the results, once for the map
                yield task, result[0]
                future.release()
        finally:
            client.cancel(futures)
            if own_client:
                client.close()
                if cluster is not None:
                    cluster.close()
