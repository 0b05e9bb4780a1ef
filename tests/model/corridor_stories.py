"""Small fixed-time scenarios and trace readers shared by the corridor's semantics tests.

Times are fixed and arrivals regular unless a test says otherwise, so every formation, arrival
and unloading is exact: the line takes 3 h, customs 2 h, handover 1 h and each wagon 30 min;
12 trains of 10 wagons are requested a day (one every 2 h, from 2 h).
"""

from __future__ import annotations

import copy
from typing import Any

import pandas as pd

from sim.experiments.replication import ReplicationResult, run_replication
from sim.scenario.schema import Scenario

DAY = 24.0
WAGONS = 10
PAYLOAD = 60.0
A, B = 9 * DAY + 6, 11 * DAY + 18  # a window from 2023-01-10T06:00 to 2023-01-12T18:00
WINDOW = ("2023-01-10T06:00", "2023-01-12T18:00")

BASE: dict[str, Any] = {
    "name": "corridor-story",
    "start": "2023-01-01",
    "duration": "30d",
    "cargo": {"x": {"payload_t": PAYLOAD, "wagons_per_train": WAGONS}},
    "demand": {"x": {"trains_per_day": 12, "arrivals": "regular"}},
    "line": {"transit_time": 3.0},
    "yard": {"capacity_wagons": 300},
    "checks": [{"name": "customs", "time": 2.0}, {"name": "handover", "time": 1.0}],
    "unloading": {"x": {"points": 4, "wagon_time": 0.5}},
}


def build(changes: dict[str, Any] | None = None, base: dict[str, Any] | None = None) -> Scenario:
    """BASE (or `base`) with top-level keys replaced."""
    data = copy.deepcopy(base or BASE)
    for key, value in (changes or {}).items():
        data[key] = value
    return Scenario.model_validate(data)


def traced(scenario: Scenario, seed: int = 2, replication: int = 0) -> tuple[ReplicationResult, pd.DataFrame]:
    rep = run_replication(scenario, replication, seed=seed, trace=True)
    trace = pd.DataFrame(rep.diagnostics["trace"], columns=["train", "cargo", "stage", "what", "t"])
    return rep, trace


def formations(rep: ReplicationResult) -> pd.DataFrame:
    """One row per train formed: id, cargo, crossing index, requested and formed times, wagons."""
    return pd.DataFrame(rep.diagnostics["formations"],
                        columns=["train", "cargo", "crossing", "requested", "formed", "wagons"])


def requested_times(scenario: Scenario, cargo: str = "x") -> list[float]:
    """Request times of a regular demand of `trains_per_day` (the first after one gap)."""
    d = scenario.demand[cargo]
    assert d.trains_per_day is not None and d.arrivals == "regular"
    gap = DAY / d.trains_per_day
    out = []
    t = gap
    while t < scenario.duration - 1e-9:
        out.append(t)
        t += gap
    return out


def kpi(rep: ReplicationResult, name: str, cargo: str = "x", crossing: str | None = None) -> float:
    k = rep.kpis
    rows = k[k["cargo"] == cargo]
    if crossing is not None:
        rows = rows[rows["crossing"] == crossing]
    assert len(rows) == 1, rows
    return float(rows[name].iloc[0])
