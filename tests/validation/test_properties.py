"""Model invariants that must hold for EVERY valid scenario, checked on generated ones.

Hypothesis draws scenarios across the schema's ranges (tests/strategies.py) and each is
simulated once with a stage trace and once without. On every one:

- wagons are conserved: generated = delivered + queued at origin + in the journey, per cargo;
- no level goes negative (border backlog, held trains);
- gates never exceed their slots or daily quotas (disruptions only ever reduce them here);
- a fleet bounds the wagons in circulation;
- every stage takes at least its minimum time, and a train's dwell at least the sum of them;
- simulated time runs forward for every train, through the stages in the scenario's order;
- unloading is first in, first out per cargo;
- checks start only within working hours and outside closures; nothing enters a closed line or
  yard, and no wagon starts unloading while its cargo's unloading is closed;
- KPIs are consistent (tonnes = wagons x payload, percentiles ordered, utilisation <= 1);
- the same seed gives the same results, traced or not.

The run is derandomized (the same scenarios every time, so CI is deterministic); set
DOSTYK_PROPERTY_EXAMPLES to try more locally.
"""

from __future__ import annotations

import itertools
import math
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from sim.analysis import metrics
from sim.experiments.replication import run_replication
from sim.model.crossing import CrossingModel
from sim.model.observations import Observations
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.target_ref import TargetRef
from sim.units import DAY
from tests.validation.strategies import scenarios

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("DOSTYK_PROPERTY_EXAMPLES", "200"))
PROFILE = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EPS = 1e-7


def _slowest_factor(s: Scenario, target: str) -> float:
    """The smallest product of time factors that disruptions can apply to `target` at once."""
    f = 1.0
    for d in s.disruptions:
        if d.target == target and d.time_factor < 1.0:
            f *= d.time_factor
    return f


def _closed(model: CrossingModel, target: str) -> list[tuple[float, float]]:
    sched = model.schedules.get(TargetRef.parse(target))  # type: ignore[arg-type]
    return sched.closed_windows() if sched is not None else []


def _inside(t: float, windows: list[tuple[float, float]]) -> bool:
    return any(a + EPS < t < b - EPS for a, b in windows)


def _in_hours(t: float, hours: tuple[float, float]) -> bool:
    opens, closes = hours
    tod = t % DAY
    if tod > DAY - EPS:
        tod = 0.0
    if opens < closes:
        return opens - EPS <= tod < closes + EPS
    return tod >= opens - EPS or tod < closes + EPS


def _check_conservation(s: Scenario, diag: dict[str, Any], delivered: np.ndarray) -> None:
    """initial + generated = delivered + refused + queued + held back + in journey + dropped, per
    cargo (the last four only with the corridor's keys), and the fleet is all accounted for."""
    for ci, cargo in enumerate(s.cargo_names):
        generated = diag["generated_wagons"][ci] + diag["initial_wagons"][ci]
        queued = diag["origin_queued_wagons"][ci]
        journey = diag["in_journey_wagons"][ci]
        elsewhere = (diag["rejected_wagons"][ci] + diag["origin_held_back_wagons"][ci] + diag["dropped_wagons"][ci])
        assert generated == delivered[ci] + queued + journey + elsewhere, (
            f"{cargo}: generated {generated} != delivered {delivered[ci]} + queued {queued} + in journey {journey}"
            f" + refused, held back or dropped {elsewhere}"
        )
        assert min(queued, journey) >= 0
        if s.fleet and cargo in s.fleet:
            assert journey <= s.fleet[cargo], f"{cargo}: {journey} wagons in circulation, fleet {s.fleet[cargo]}"
            assert s.fleet[cargo] == (diag["empties_at_origin"][ci] + journey + diag["returning_empty_wagons"][ci]
                                      + diag["returning_loaded_wagons"][ci] + diag["unloaded_in_yard_wagons"][ci])


def _check_en_route(s: Scenario, obs: Observations) -> None:
    """Per crossing and cargo: in journey = at the border + en route, at the end (KPI series and
    the model's own count agree); the en-route level never negative."""
    diag, t = obs.diagnostics, obs.totals
    n = len(s.cargo_names)
    for x, name in enumerate(s.crossing_names):
        for ci in range(n):
            k = x * (n + 1) + ci
            assert diag["in_journey_by_crossing"][name][ci] == t["backlog_end"][k] + t["en_route_end"][k]
            assert diag["en_route_by_crossing"][name][ci] == t["en_route_end"][k]
    assert diag["min_en_route"] >= 0


def _check_gates(s: Scenario, diag: dict[str, Any]) -> None:
    for gate, slots in diag["gate_slots"].items():
        if slots is not None:
            assert diag["gate_max_in_use"][gate] <= slots, f"{gate}: {diag['gate_max_in_use'][gate]} in use > {slots}"
    for gate, quota in diag["gate_quota"].items():
        if quota is not None:
            worst = max(diag["gate_admitted_per_day"][gate].values(), default=0)
            assert worst <= quota, f"{gate}: {worst} admitted in a day > quota {quota}"
    if s.line.max_trains_per_day is not None:
        assert diag["gate_quota"]["line"] == s.line.max_trains_per_day
    if s.yard.capacity_wagons is not None:
        assert diag["gate_slots"]["yard"] == s.yard.capacity_wagons


def _check_trace(s: Scenario, model: CrossingModel, trace: list[tuple[int, str, str, str, float]]) -> None:
    """Stage order, forward time, minimum stage times and calendars, train by train."""
    rows: dict[int, list[tuple[str, str, float]]] = defaultdict(list)
    for train_id, cargo, stage, what, t in trace:
        if train_id >= 0:
            rows[train_id].append((cargo, stage, what, t))  # type: ignore[arg-type]
    # unloading is FIFO per cargo: wagons start in the order they were queued
    starts_by_cargo: dict[str, list[float]] = defaultdict(list)
    for _, cargo, stage, what, t in trace:
        if stage.startswith("unloading.") and what == "wagon":
            starts_by_cargo[cargo].append(t)
    for cargo, starts in starts_by_cargo.items():
        assert all(b >= a - EPS for a, b in itertools.pairwise(starts)), f"{cargo}: unloading is not FIFO"
    line_closed = _closed(model, "line")
    transit_min = s.line.transit_time.minimum * _slowest_factor(s, "line")
    for train_id, items in rows.items():
        cargo = items[0][0]
        events = [(stage, what, t) for _, stage, what, t in items if what != "reject"]
        refused = len(events) < len(items)
        wagons = s.cargo[cargo].wagons_per_train
        if refused:  # refused in part (fewer wagons to unload) or whole (nothing after the check)
            wagons = sum(1 for stage, what, _ in events if stage.startswith("unloading.") and what == "wagon")
        # the expected order of stages for this train
        expected = [("line", "enter"), ("line", "exit"), ("yard", "enter")]
        for check in s.checks:
            if check.cargo is None or cargo in check.cargo:
                expected += [(f"checks.{check.name}", "start"), (f"checks.{check.name}", "end")]
        expected += [(f"unloading.{cargo}", "wagon"), (f"unloading.{cargo}", "wagon_end")] * wagons
        expected += [("yard", "leave")]
        got = [(stage, what) for stage, what, _ in events]
        assert got == expected[: len(got)], f"train {train_id}: stages {got} out of order"
        # forward time through the non-wagon stages, in the order they happened
        stamps = [t for stage, what, t in events if not stage.startswith("unloading.")]
        assert all(b >= a - EPS for a, b in itertools.pairwise(stamps)), f"train {train_id}: time ran backwards"
        assert all(0.0 <= t <= s.duration + EPS for t in stamps)
        at = {(stage, what): t for stage, what, t in events}
        if ("line", "exit") in at:
            assert at[("line", "exit")] - at[("line", "enter")] >= transit_min - EPS
            for key in (("line", "enter"), ("line", "exit")):
                assert not _inside(at[key], line_closed), f"train {train_id}: {key} while the line was closed"
        if ("yard", "enter") in at:
            assert not _inside(at[("yard", "enter")], _closed(model, "yard")), f"train {train_id}: yard entered while closed"
        lower = 0.0  # the least this train's dwell can be
        for check in s.checks:
            key = f"checks.{check.name}"
            if (key, "end") not in at:
                continue
            start, end = at[(key, "start")], at[(key, "end")]
            least = check.time.minimum * _slowest_factor(s, key)
            assert end - start >= least - EPS, f"train {train_id}: {key} took {end - start} < {least}"
            lower += least
            if check.hours is not None and check.hours != (0.0, 24.0) and end > start:
                assert _in_hours(start, check.hours), f"train {train_id}: {key} started at {start % DAY:.3f}h"
            if end > start:
                assert not _inside(start, _closed(model, key)), f"train {train_id}: {key} started while closed"
        wagon_starts = [t for stage, what, t in events if stage.startswith("unloading.") and what == "wagon"]
        wagon_ends = [t for stage, what, t in events if stage.startswith("unloading.") and what == "wagon_end"]
        if wagons and len(wagon_ends) == wagons:
            ready = max(t for stage, what, t in events if not stage.startswith("unloading.") and what != "leave")
            assert min(wagon_starts) >= ready - EPS, f"train {train_id}: unloading began before it was ready"
            least_wagon = s.unloading.groups[cargo].wagon_time.minimum * _slowest_factor(s, f"unloading.{cargo}")
            unloading_closed = _closed(model, f"unloading.{cargo}")
            for a, b in zip(wagon_starts, wagon_ends):
                assert b - a >= least_wagon - EPS
                if b > a:
                    assert not _inside(a, unloading_closed), f"train {train_id}: a wagon started while unloading was closed"
            lower += math.ceil(wagons / s.unloading.groups[cargo].points) * least_wagon
            dwell = max(wagon_ends) - at[("line", "exit")]
            assert dwell >= lower - 1e-6, f"train {train_id}: dwell {dwell} below the sum of minimum stage times {lower}"
            if ("yard", "leave") in at:
                assert abs(at[("yard", "leave")] - max(wagon_ends)) <= EPS


def _check_kpis(s: Scenario, k: pd.DataFrame) -> None:
    numeric = k.drop(columns=["cargo", "crossing"]).to_numpy(dtype=float)
    assert not np.isinf(numeric).any(), "a KPI is infinite"
    assert (np.nan_to_num(numeric, nan=0.0) >= -1e-9).all(), "a KPI is negative"
    sl = s.policies.stop_loading
    for _, row in k.iterrows():
        cargo = row["cargo"]
        if cargo != "all":
            assert math.isclose(row["tonnes_delivered"], row["wagons_delivered"] * s.cargo[cargo].payload_t,
                                rel_tol=1e-9, abs_tol=1e-6)
            halted = sl is not None and cargo in sl.cargo
            bans = [d for d in s.disruptions if d.target == f"demand.{cargo}"]
            if (not halted or sl.on_halt == "lose") and all(d.on_halt == "lose" for d in bans):
                assert row["tonnes_deferred"] == 0
            if (not halted or sl.on_halt == "defer") and all(d.on_halt != "lose" for d in bans):
                assert row["tonnes_lost"] == 0
        if not math.isnan(row["unloading_utilization"]):
            assert row["unloading_utilization"] <= 1 + 1e-9
        assert row["backlog_wagons_mean"] <= row["backlog_wagons_max"] + 1e-9
        assert row["held_trains_mean"] <= row["held_trains_max"] + 1e-9
        if not math.isnan(row["dwell_h_p50"]):
            assert row["dwell_h_p50"] <= row["dwell_h_p90"] <= row["dwell_h_p99"]


@PROFILE
@given(data=scenarios())
def test_invariants_hold_on_generated_scenarios(data: dict[str, Any]) -> None:
    s = Scenario.model_validate(data)  # the strategy must only make valid scenarios
    model = CrossingModel(s, replication=0, seed=s.seed, trace=True)
    obs = model.run()
    diag = obs.diagnostics
    n = len(s.cargo_names)
    delivered = obs.totals["wagons_delivered_total"][:n]
    _check_conservation(s, diag, delivered)
    _check_en_route(s, obs)
    assert diag["min_backlog"] >= 0 and diag["min_held"] >= 0, "a queue went negative"
    _check_gates(s, diag)
    _check_trace(s, model, diag["trace"])
    traced = metrics.kpis(obs, s.costs.wagon_day_usd)
    _check_kpis(s, traced)
    # the same seed, untraced: identical KPIs and daily series
    again = run_replication(s, 0, s.seed)
    pd.testing.assert_frame_equal(traced, again.kpis.drop(columns=["replication"]), check_exact=True)
    daily = metrics.daily(obs, s.start)
    pd.testing.assert_frame_equal(daily, again.daily.drop(columns=["replication"]), check_exact=True)
    assert again.diagnostics["generated_wagons"] == diag["generated_wagons"]


@settings(max_examples=30, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=scenarios())
def test_scenario_round_trips_through_its_dict(data: dict[str, Any]) -> None:
    """The resolved scenario written to results/scenario.yaml reads back as the same scenario."""
    s = Scenario.model_validate(data)
    assert Scenario.model_validate(s.to_dict()) == s


# -- boundary values: every one valid, every one must run -----------------------------------------

_WHOLE_ERA = {"from": "1900-01-01", "to": "2200-01-01"}
EXTREMES: list[dict[str, Any]] = [
    {"line.transit_time": 0},
    {"line.transit_time": "876000h"},
    {"unloading.grain.wagon_time": 0},
    {"checks.customs.time": 0},
    {"checks.phytosanitary.hours": "00:00-24:00"},
    {"checks.phytosanitary.hours": "23:59-00:00"},
    {"disruptions": [{"name": "x", **_WHOLE_ERA, "target": "line", "capacity": 0}]},
    {"disruptions": [{"name": "x", **_WHOLE_ERA, "target": "yard", "capacity": 0}]},
    {"disruptions": [{"name": "x", **_WHOLE_ERA, "target": "checks.customs", "capacity": 0}]},
    {"disruptions": [{"name": "x", **_WHOLE_ERA, "target": "unloading.grain", "capacity": 0}]},
    {"disruptions": [{"name": "x", "from": "0001-01-01", "to": "9999-01-01", "target": "line", "capacity": 0}]},
    {"disruptions": [{"name": "x", "from": "2023-01-02", "to": "2023-01-05", "target": "checks.handover",
                      "capacity": 100}]},
    {"disruptions": [{"name": "x", "from": "2023-01-02", "to": "2023-01-05", "target": "checks.handover",
                      "time_factor": 1000}]},
    {"disruptions": [{"name": "x", "from": "2023-01-02", "to": "2023-01-05", "target": "yard", "capacity": 0.001}]},
    {"disruptions": [{"name": "x", "every": "1h", "lasts": "876000h", "target": "line", "capacity": 0}]},
    {"disruptions": [{"name": "x", "every": {"dist": "empirical", "values": [0, 1]}, "lasts": 0, "target": "line",
                      "capacity": 0}]},
    {"unloading.grain.points": 10_000},
    {"cargo.grain.wagons_per_train": 500, "yard.capacity_wagons": 500, "fleet.grain": 500},
    {"policies.stop_loading.above_wagons": 2, "policies.stop_loading.resume_below": 1},
    {"policies.stop_loading.above_wagons": 2, "policies.stop_loading.resume_below": 1,
     "policies.stop_loading.on_halt": "lose"},
    {"warmup": "239.999h"},
    {"duration": "1s"},
    {"start": "2024-02-29"},
    {"start": "2161-01-01", "duration": "36500d", "demand.grain.tonnes_per_year": 1000,
     "demand.containers.trains_per_day": 0.01, "disruptions": [], "replications": 4},  # (the most a century's daily rows allow)
    {"unloading.breakdowns.mttr": "876000h"},
    {"empties.return_time": "876000h", "fleet.grain": 55},
    {"demand.grain.monthly_profile": [0] * 11 + [1]},
    {"line.transit_time": {"dist": "lognormal", "mean": "1s", "sd": "876000h"}},
    {"line.transit_time": {"dist": "gamma", "mean": "1s", "cv": 100}},
    {"checks.handover.trains_per_day": 1_000_000, "checks.customs.trains_at_once": 1_000_000,
     "line.max_trains_per_day": 1_000_000, "yard.capacity_wagons": 1_000_000},
    {"seed": 2**63 - 1, "costs.wagon_day_usd": 1_000_000},
]


@pytest.mark.parametrize("changes", EXTREMES, ids=[",".join(c) for c in EXTREMES])
def test_boundary_values_run_and_keep_the_invariants(changes: dict[str, Any]) -> None:
    """Valid values at the edges of their ranges simulate without error and conserve wagons."""
    base = load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").with_changes({"duration": "10d"})
    s = base.with_changes({k: v for k, v in changes.items() if k != "warmup"})
    if "warmup" in changes:
        s = s.with_changes({"warmup": changes["warmup"]})
    model = CrossingModel(s, replication=0, seed=s.seed)
    obs = model.run()
    n = len(s.cargo_names)
    _check_conservation(s, obs.diagnostics, obs.totals["wagons_delivered_total"][:n])
    assert obs.diagnostics["min_backlog"] >= 0 and obs.diagnostics["min_held"] >= 0
    if all(d.capacity <= 1 for d in s.disruptions):  # a factor above 1 raises the limits legitimately
        _check_gates(s, obs.diagnostics)
    _check_kpis(s, metrics.kpis(obs, s.costs.wagon_day_usd))
