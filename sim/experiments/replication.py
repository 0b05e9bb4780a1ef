"""One replication: simulate a scenario once and reduce it to KPIs, daily series and events.

This is the unit of work every executor runs; its result depends only on the scenario, the
replication number and the seed (random streams are keyed by them, see sim.model.rng).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.analysis import metrics
from sim.analysis.train_log import train_table
from sim.experiments import arguments
from sim.model.crossing import simulate
from sim.model.orders import Order
from sim.model.origin import Trace
from sim.scenario.schema import Scenario


@dataclass
class ReplicationResult:
    """What one replication returns: KPI rows, daily series, dated events, diagnostics and the
    dwell distribution (quantiles per cargo); and KPIs over dated windows when its task asked for them
    (sim.experiments.executors.Task.windows), and its table of trains when asked (run_replication's `trains`)."""

    replication: int
    seed: int
    kpis: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame
    diagnostics: dict[str, Any]
    dwell: pd.DataFrame = field(default_factory=pd.DataFrame)
    windows: pd.DataFrame = field(default_factory=pd.DataFrame)  # KPIs over dated windows, when a task asks
    trains: pd.DataFrame = field(default_factory=pd.DataFrame)  # with trains=True: sim.analysis.train_log


def run_replication(scenario: Scenario, replication: int, seed: int | None = None, trace: bool = False,
                    trains: bool = False, order: Order | None = None) -> ReplicationResult:
    """Simulate replication `replication` and reduce it to KPIs and series (`trains`: and its table of
    trains, sim.analysis.train_log, whose raw log is then dropped from the diagnostics; `order`: a
    one-off order added to the demand, sim.model.orders).

    The arguments are checked as sim.run checks them: seed=1.5 ran and was recorded as seed 1.5, a
    negative replication was a numpy error, a path an AttributeError.
    """
    # not validated again: every replication of a run comes here from a worker that has just validated its
    # scenario, and validation would be ~1.5 % of a replication's function calls (benchmarks/work.py)
    scenario = arguments.scenario(scenario, validate=False)
    replication = arguments.whole("replication", replication, 0)
    seed = arguments.seed(seed, scenario.seed)
    obs = simulate(scenario, replication, seed=seed, trace=trace, train_log=trains, order=order)
    k = metrics.kpis(obs, scenario.costs.wagon_day_usd)
    k.insert(0, "replication", replication)
    d = metrics.daily(obs, scenario.start)
    d.insert(0, "replication", replication)
    e = metrics.events(obs, scenario.start)
    e.insert(0, "replication", replication)
    diagnostics = dict(obs.diagnostics)
    n = len(obs.cargo)
    corridor = len(obs.crossings) * (n + 1) if len(obs.crossings) > 1 else 0  # the corridor's block
    diagnostics["wagons_delivered_total"] = obs.totals["wagons_delivered_total"][corridor : corridor + n].tolist()
    diagnostics["min_backlog"] = obs.diagnostics.get("min_backlog")
    q = metrics.dwell_quantiles(obs)
    q.insert(0, "replication", replication)
    table = pd.DataFrame()
    if trains:
        table = train_table(diagnostics, obs.crossings)
        table.insert(0, "replication", replication)
        if not trace:
            for raw in Trace.LOGS:
                diagnostics[raw] = None
    return ReplicationResult(replication, seed, k, d, e, diagnostics, q, trains=table)
