"""Evaluate batches of candidates (lever values) as executor tasks, with common random numbers.

Every candidate runs replications 0..n-1 with the same seed, so candidate A's replication r and
candidate B's see the same demand, transit times, breakdowns and wind: differences between
candidates come from the levers, not from luck (as in sweeps). Tasks go through
sim.experiment.run_tasks, so they run on any executor (serial, process, Dask) and, with a
WorkDir, every finished replication is stored at once: an interrupted search, replayed with the
same seed, finds its finished tasks there and computes only the rest.

A task's key is a digest of its scenario, replication and seed, so two candidates that make the
same scenario (a search proposing a value twice, or 6.2 and 5.9 both rounded to 6 points) share
their tasks, which are computed once.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.stats import corridor_rows, t_halfwidth
from sim.decision.errors import DecisionError
from sim.experiments.replication import ReplicationResult
from sim.experiments.runner import replication_tasks, run_tasks
from sim.experiments.sweep import point_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario

if TYPE_CHECKING:
    from sim.experiments.executors import Executor, Task
    from sim.experiments.workdir import WorkDir

#: What is kept of one replication: named values (a KPI of a cargo, a target's value…).
Measure = Callable[[ReplicationResult], dict[str, float]]


def kpi_measure(names: Sequence[tuple[str, str]]) -> Measure:
    """A Measure reading whole-run KPIs: (kpi, cargo) pairs, named 'kpi@cargo'."""
    wanted = list(names)

    def measure(result: ReplicationResult) -> dict[str, float]:
        k = corridor_rows(result.kpis).set_index("cargo")  # several crossings: the corridor's rows
        out = {}
        for kpi, cargo in wanted:
            present = kpi in k.columns and cargo in k.index
            out[f"{kpi}@{cargo}"] = float(k.at[cargo, kpi]) if present else math.nan
        return out

    return measure


@dataclass
class Candidate:
    """One point of a search: its lever values and the measured values per replication."""

    changes: dict[str, Any]
    values: pd.DataFrame = field(default_factory=pd.DataFrame)  # replication + one column per measure
    error: str | None = None   # the scenario these values make is invalid (nothing was simulated)

    def mean(self, name: str) -> float:
        col = self.values[name].dropna() if name in self.values else pd.Series(dtype=float)
        return float(col.mean()) if len(col) else math.nan

    def halfwidth(self, name: str, level: float = 0.95) -> float:
        """Half-width of the Student-t CI of the mean (NaN with fewer than 2 replications)."""
        col = self.values[name].dropna().to_numpy(dtype=float) if name in self.values else np.array([])
        if len(col) < 2:
            return math.nan
        sd = float(col.std(ddof=1))
        return 0.0 if sd == 0 else t_halfwidth(sd, len(col), level)

    def n(self, name: str) -> int:
        return int(self.values[name].notna().sum()) if name in self.values else 0


class Evaluator:
    """Runs candidates' replications as tasks and keeps only their measures (small) in memory."""

    def __init__(self, base: Scenario, measure: Measure, replications: int, seed: int | None = None,
                 executor: str | Executor = "process", workers: int | None = None, workdir: WorkDir | None = None,
                 progress: bool = False, keep_series: bool = False, scheduler: str | None = None,
                 desc: str = "", planned: int | None = None) -> None:
        if replications < 1:
            raise DecisionError("replications must be at least 1")
        self.base = base
        self.measure = measure
        self.replications = int(replications)
        self.seed = base.seed if seed is None else int(seed)
        self.executor = executor
        self.workers = workers
        self.workdir = workdir
        self.keep_series = keep_series
        self.scheduler = scheduler
        self.desc = desc
        self.tasks_run = 0
        self.tasks_reused = 0
        self._cache: dict[str, dict[str, float]] = {}
        self._bar: Any = None
        self.planned: int | None = None
        self._owned: list[Any] = []   # kept workers (a local pool, or a Dask client and cluster), closed by close()
        self._shared: Any = None
        if progress:
            from tqdm.auto import tqdm

            # with `planned` (candidates × replications, known before the search) the total is fixed
            # up front and tasks shared by two candidates count as done; without it, it grows per batch
            self.planned = planned
            self._bar = tqdm(desc=desc or None, unit="task", dynamic_ncols=True, total=planned or 0)

    def settle(self) -> None:
        """The search ended normally with fewer tasks than planned (an integer grid tried whole): the bar ends full."""
        if self._bar is not None and self._bar.n < self._bar.total:
            self._bar.total = self._bar.n
            self._bar.refresh()

    def close(self) -> None:
        """Close the progress bar and, for Dask, the cluster kept for the whole search."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        for resource in reversed(self._owned):
            resource.close()
        self._owned.clear()

    def _executor(self) -> str | Executor:
        """The executor for a batch. Dask keeps one client (and local cluster) for every batch of the
        search: starting a cluster takes seconds, a batch may take less; local processes likewise
        keep their workers for the whole search."""
        if self.executor == "process":
            if self._shared is None:  # one kept pool for every batch, stopped by close()
                from sim.experiments.executors import ProcessExecutor

                self._shared = ProcessExecutor(self.workers, keep_pool=True)
                self._owned.append(self._shared)
            return self._shared  # type: ignore[no-any-return]
        if self.executor != "dask":
            return self.executor
        if not self._owned:
            from distributed import Client

            from sim.experiments.executors import DaskExecutor, connect, local_cluster

            if self.scheduler:
                client = connect(self.scheduler)
            else:
                cluster = local_cluster(self.workers or os.cpu_count() or 1)
                self._owned.append(cluster)
                client = Client(cluster)
            self._owned.append(client)
            self._shared = DaskExecutor(client=client)
        return self._shared

    def evaluate(self, points: Sequence[dict[str, Any]]) -> list[Candidate]:
        """Measure every point (lever path -> value); points in one call run as one parallel batch."""
        out: list[Candidate] = []
        plan: list[tuple[Candidate, list[Task]]] = []
        todo: dict[str, Task] = {}
        for changes in points:
            candidate = Candidate(dict(changes))
            out.append(candidate)
            try:
                scen = point_scenario(self.base, candidate.changes)
            except ScenarioError as exc:
                candidate.error = "; ".join(f"{p}: {m}" for p, m in exc.problems)
                continue
            tasks = replication_tasks(scen, range(self.replications), self.seed, prefix="c",
                                      changes=candidate.changes, keep_series=self.keep_series)
            plan.append((candidate, tasks))
            todo.update({t.key: t for t in tasks if t.key not in self._cache})
        if self._bar is not None and self.planned:
            self._bar.update(sum(len(tasks) for _, tasks in plan) - len(todo))  # shared or already measured
        if todo:
            self._run(list(todo.values()))
        for candidate, tasks in plan:
            rows = [{"replication": t.replication, **self._cache[t.key]} for t in tasks]
            candidate.values = pd.DataFrame(rows)
        return out

    def _run(self, tasks: list[Task]) -> None:
        if self._bar is not None and not self.planned:
            self._bar.total += len(tasks)
            self._bar.refresh()
        executor = self._executor()
        # each result is reduced to its measures as it arrives: a batch never holds its tasks' tables
        # (with dated targets, whole daily series) together, so searches need no bound on rows held
        measured, reused = run_tasks(tasks, executor, self.workers, self.workdir, self._progress, desc=self.desc,
                                     unit="task", scheduler=self.scheduler if isinstance(executor, str) else None,
                                     keep=self.measure)
        self.tasks_reused += reused
        self.tasks_run += len(tasks) - reused
        if self._bar is not None and reused:
            self._bar.update(reused)
        self._cache.update(measured)

    def _progress(self, stream: Iterator[Any], _n: int) -> Iterator[Any]:
        for item in stream:
            if self._bar is not None:
                self._bar.update()
            yield item


