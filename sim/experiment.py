"""Replications of a scenario: seeds, executors and the collection of their results.

Replication r of a run with seed S draws every random number from streams keyed (S, r, name), so
a replication's result does not depend on which process ran it or in what order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim import metrics
from sim.model import simulate
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.results import Results

EXECUTORS = ("serial", "process")


@dataclass
class ReplicationResult:
    """What one replication returns: its KPI rows, daily series, dated events and diagnostics."""

    replication: int
    seed: int
    kpis: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame
    diagnostics: dict[str, Any]


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
    return ReplicationResult(replication, seed, k, d, e, diagnostics)


def _task(args: tuple[dict[str, Any], int, int]) -> ReplicationResult:
    data, replication, seed = args
    return run_replication(Scenario.model_validate(data), replication, seed)


def iter_replications(
    scenario: Scenario,
    replications: Iterable[int],
    seed: int,
    executor: str = "process",
    workers: int | None = None,
) -> Iterator[ReplicationResult]:
    """Yield replication results as they finish (in any order)."""
    reps = list(replications)
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; expected one of: {', '.join(EXECUTORS)}")
    workers = workers or os.cpu_count() or 1
    if executor == "serial" or len(reps) <= 1 or workers <= 1:
        for r in reps:
            yield run_replication(scenario, r, seed)
        return
    data = scenario.to_dict()
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(reps)), mp_context=ctx) as pool:
        futures = [pool.submit(_task, (data, r, seed)) for r in reps]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    executor: str = "process",
    workers: int | None = None,
    progress: bool | Callable[[Iterator[ReplicationResult], int], Iterator[ReplicationResult]] = False,
) -> Results:
    """Run a scenario's replications and collect them into Results (pandas DataFrames)."""
    from sim.results import Results

    n = scenario.replications if replications is None else int(replications)
    if n < 1:
        raise ValueError("replications must be at least 1")
    seed = scenario.seed if seed is None else int(seed)
    stream = iter_replications(scenario, range(n), seed, executor, workers)
    if progress is True:
        from tqdm.auto import tqdm

        stream = iter(tqdm(stream, total=n, desc=scenario.name, unit="rep"))
    elif callable(progress):
        stream = progress(stream, n)
    done = sorted(stream, key=lambda r: r.replication)
    return Results.from_replications(scenario, seed, done)
