"""Replications of a scenario: seeds, executors and the collection of their results.

Replication r of a run with seed S draws every random number from streams keyed (S, r, name), so
a replication's result does not depend on which process ran it or in what order. Replications are
tasks (sim/executors.py) run by an executor; with a work directory (sim/workdir.py) each finished
task is stored at once, so an interrupted run keeps its finished replications and can be resumed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim import metrics
from sim.model import simulate
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.executors import Executor, Task
    from sim.results import Results
    from sim.workdir import WorkDir

EXECUTORS = ("serial", "process", "dask")


@dataclass
class ReplicationResult:
    """What one replication returns: KPI rows, daily series, dated events, diagnostics and the
    dwell distribution (quantiles per cargo)."""

    replication: int
    seed: int
    kpis: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame
    diagnostics: dict[str, Any]
    dwell: pd.DataFrame = field(default_factory=pd.DataFrame)


def run_replication(scenario: Scenario, replication: int, seed: int | None = None, trace: bool = False) -> ReplicationResult:
    """Simulate replication `replication` and reduce it to KPIs and series."""
    seed = scenario.seed if seed is None else seed
    obs = simulate(scenario, replication, seed=seed, trace=trace)
    k = metrics.kpis(obs, scenario.costs.wagon_day_usd)
    k.insert(0, "replication", replication)
    d = metrics.daily(obs, scenario.start)
    d.insert(0, "replication", replication)
    e = metrics.events(obs, scenario.start)
    e.insert(0, "replication", replication)
    diagnostics = dict(obs.diagnostics)
    diagnostics["wagons_delivered_total"] = obs.totals["wagons_delivered_total"][: len(obs.cargo)].tolist()
    diagnostics["min_backlog"] = obs.diagnostics.get("min_backlog")
    q = metrics.dwell_quantiles(obs)
    q.insert(0, "replication", replication)
    return ReplicationResult(replication, seed, k, d, e, diagnostics, q)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the work; finished tasks are kept in `workdir` (if any)."""

    def __init__(self, done: int, total: int, workdir: Path | None) -> None:
        super().__init__(done, total, workdir)
        self.done = done
        self.total = total
        self.workdir = workdir

    def __str__(self) -> str:
        kept = f"; they are kept in {self.workdir}" if self.workdir is not None and self.done else ""
        return f"interrupted after {self.done} of {self.total} tasks{kept}"


Progress = bool | Callable[[Iterator[Any], int], Iterator[Any]]


def run_tasks(
    tasks: Sequence[Task],
    executor: str | Executor = "process",
    workers: int | None = None,
    workdir: WorkDir | None = None,
    progress: Progress = False,
    desc: str = "",
    unit: str = "rep",
    scheduler: str | None = None,
) -> tuple[dict[str, ReplicationResult], int]:
    """Run tasks not already in `workdir`, storing each as it finishes.

    Returns the results by task key and how many of them were reused from the work directory.
    Raises Interrupted on Ctrl-C/SIGTERM and TaskError (naming the task) when a replication fails.
    """
    from sim.executors import TaskError, make_executor

    ex = make_executor(executor, workers, scheduler) if isinstance(executor, str) else executor
    keys = {t.key for t in tasks}
    if len(keys) != len(tasks):
        raise ValueError("task keys must be unique")
    done: dict[str, ReplicationResult] = workdir.load(keys) if workdir is not None else {}
    reused = len(done)
    todo = [t for t in tasks if t.key not in done]
    inner = ex.map_unordered(todo)
    stream: Iterator[tuple[Task, ReplicationResult]] = inner
    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), initial=reused, desc=desc or None, unit=unit, dynamic_ncols=True)
    elif callable(progress):
        stream = progress(stream, len(todo))
    try:
        with ExitStack() as stack:  # on any exit, close the wrapper, then the executor (stops workers)
            for it in (inner, stream):
                if hasattr(it, "close"):
                    stack.callback(it.close)
            for task, result in stream:
                if workdir is not None:
                    workdir.save(task.key, result)
                done[task.key] = result
                if bar is not None:
                    bar.update()
    except KeyboardInterrupt:
        raise Interrupted(len(done), len(tasks), workdir.path if workdir is not None else None) from None
    except TaskError as exc:
        if workdir is not None and exc.task is not None:
            exc.args = (f"{exc.args[0]}\n  the failing scenario is saved as {_save_failed(workdir, exc.task)}"
                        f"\n  {len(done)} finished task(s) are kept in {workdir.path}; --resume reuses them",)
        raise
    finally:
        if bar is not None:
            bar.close()
    return done, reused


def _save_failed(workdir: WorkDir, task: Task) -> Path:
    import yaml

    path = workdir.path / "failed" / f"{task.key}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(task.scenario, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def replication_tasks(scenario: Scenario, replications: Iterable[int], seed: int, prefix: str = "r",
                      changes: dict[str, Any] | None = None, keep_series: bool = True) -> list[Task]:
    """One task per replication of `scenario`."""
    from sim.executors import Task, task_key

    data = scenario.to_dict()
    return [Task(task_key(f"{prefix}{r:05d}", data, r, seed), data, r, seed, dict(changes or {}), keep_series)
            for r in replications]


def iter_replications(
    scenario: Scenario,
    replications: Iterable[int],
    seed: int,
    executor: str = "process",
    workers: int | None = None,
) -> Iterator[ReplicationResult]:
    """Yield replication results as they finish (in any order)."""
    from sim.executors import make_executor

    ex = make_executor(executor, workers)
    with closing(ex.map_unordered(replication_tasks(scenario, replications, seed))) as stream:  # type: ignore[type-var]
        for _, result in stream:
            yield result


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    progress: Progress = False,
    workdir: str | Path | None = None,
    resume: bool = False,
    scheduler: str | None = None,
) -> Results:
    """Run a scenario's replications and collect them into Results (pandas DataFrames).

    With `workdir`, each finished replication is stored there; after an interruption, the same
    call with `resume=True` computes only the missing replications.
    """
    from sim.results import Results
    from sim.workdir import WorkDir

    n = scenario.replications if replications is None else int(replications)
    if n < 1:
        raise ValueError("replications must be at least 1")
    if replications is not None:  # the file's own replications were bounded when it was validated
        from sim.limits import workload_problems

        too_many = [msg for path, msg in workload_problems(scenario, n) if path == "replications"]
        if too_many:
            raise ValueError(f"replications={n}: {too_many[0]}")
    seed = scenario.seed if seed is None else int(seed)
    tasks = replication_tasks(scenario, range(n), seed)
    work = None
    if workdir is not None:
        work = WorkDir.open(workdir, resume=resume, manifest={
            "kind": "run", "scenario": scenario.name, "seed": seed, "replications": n})
    results, reused = run_tasks(tasks, executor, workers, work, progress, desc=scenario.name, scheduler=scheduler)
    done = sorted(results.values(), key=lambda r: r.replication)
    out = Results.from_replications(scenario, seed, done)
    out.metadata["replications_reused"] = reused
    return out
