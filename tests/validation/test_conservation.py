"""Conservation of wagons, non-negative queues and the stop-loading thresholds.

Every shipped scenario (globbed, so new ones are covered) is run over its full horizon: each
wagon generated at origin must be either delivered or still somewhere in the system at the end,
no backlog or held-train count may ever dip below zero, and every stop-loading decision must be
taken at its threshold. A scenario built here makes the policy switch often, so its decisions
can be replayed review by review from the stage trace.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

import sim
from sim.analysis import metrics
from sim.experiments.replication import run_replication
from sim.model.crossing import CrossingModel
from sim.scenario.schema import Scenario
from tests.conftest import SCENARIOS
from tests.validation.strategies import corridors

SCENARIO_FILES = sorted(SCENARIOS.glob("*.yaml"))
FULL_HORIZON_REPS = 2


def test_scenarios_are_found() -> None:
    assert len(SCENARIO_FILES) >= 1


def check_conservation(scenario: Scenario, diagnostics: dict, daily: pd.DataFrame) -> None:
    """generated = delivered + queued at origin + in the system, per cargo; queues never negative."""
    d = diagnostics
    for ci, cargo in enumerate(scenario.cargo_names):
        generated = d["generated_wagons"][ci]
        delivered = d["wagons_delivered_total"][ci]
        queued = d["origin_queued_wagons"][ci]
        inside = d["in_journey_wagons"][ci]
        assert generated == delivered + queued + inside, (
            f"{cargo}: generated {generated} != delivered {delivered} + origin {queued} + in system {inside}"
        )
        if cargo in scenario.demand:
            assert generated > 0 and delivered > 0
        mine = daily[daily["cargo"] == cargo]
        # the daily series add up to the same deliveries
        assert mine["unloaded_wagons"].sum() == delivered
        # wagons still in the system are at the border or en route (the corridor's rows come last)
        assert 0 <= mine["backlog_end"].iloc[-1] <= inside
        assert mine["backlog_end"].iloc[-1] + mine["wagons_en_route_end"].iloc[-1] == inside
        assert mine["held_trains_end"].iloc[-1] >= 0
    assert d["min_backlog"] >= 0
    assert d["min_held"] >= 0 and d["min_en_route"] >= 0
    for frame_col in ("backlog_end", "backlog_max", "held_trains_end", "held_trains_max"):
        assert (daily[frame_col] >= 0).all()


def check_stop_loading_log(scenario: Scenario, diagnostics: dict, events: pd.DataFrame) -> int:
    """Every halt above `above_wagons`, every resume below `resume_below`, halts and resumes alternate.

    Returns the number of halts, so callers can insist the policy was exercised.
    """
    log = diagnostics["stop_loading_log"]
    sl = scenario.policies.stop_loading
    if sl is None:
        assert log == []
        return 0
    halts = 0
    for cargo in sl.cargo:
        mine = [(action, t, backlog) for c, action, t, backlog in log if c == cargo]
        expected_action = "halt"
        starts: list[float] = []
        ends: list[float] = []
        for action, t, backlog in mine:
            assert action == expected_action, f"{cargo}: {action} at {t} without a {expected_action} before"
            if action == "halt":
                assert backlog > sl.above_wagons
                starts.append(t)
                halts += 1
                expected_action = "resume"
            else:
                assert backlog < sl.resume_below
                ends.append(t)
                expected_action = "halt"
        if len(ends) < len(starts):  # still halted at the horizon
            ends.append(scenario.duration)
        recorded = events[(events["kind"] == "stop_loading") & (events["target"] == f"demand.{cargo}")]
        np.testing.assert_allclose(sorted(recorded["start_h"]), starts)
        np.testing.assert_allclose(sorted(recorded["end_h"]), ends)
    return halts


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=lambda p: p.stem)
def test_shipped_scenario_conserves_wagons(path: Path) -> None:
    scenario = sim.load_scenario(path)
    results = sim.run(scenario, replications=FULL_HORIZON_REPS, executor="serial")
    assert len(results.diagnostics) == FULL_HORIZON_REPS
    for r, diagnostics in enumerate(results.diagnostics):
        daily = results.daily[results.daily["replication"] == r]
        assert len(daily["day"].unique()) == math.ceil(scenario.duration / 24)  # the whole horizon was run
        check_conservation(scenario, diagnostics, daily)
        check_stop_loading_log(scenario, diagnostics, results.events[results.events["replication"] == r])


# -- a policy that switches often, replayed review by review --------------------------------------

def switching_scenario(on_halt: str) -> Scenario:
    """The baseline's first four months with thresholds inside its normal grain backlog range."""
    return sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({
        "duration": "120d",
        "warmup": "10d",
        "policies.stop_loading": {
            "cargo": ["grain"], "above_wagons": 300, "resume_below": 150, "on_halt": on_halt, "check_every": "2h",
        },
    })


def replay_policy(scenario: Scenario, trace: list[tuple[int, str, str, str, float]]) -> list[tuple[str, str, float, int]]:
    """The decisions the policy should take, from the trace alone.

    The border backlog at each review is rebuilt from border arrivals (line exits, a whole train's
    wagons) minus wagon unloading ends up to that moment; the hysteresis rule is then applied.
    """
    sl = scenario.policies.stop_loading
    assert sl is not None
    arrivals = sorted(
        (t, scenario.cargo[cargo].wagons_per_train)
        for _, cargo, stage, what, t in trace
        if cargo in sl.cargo and stage == "line" and what == "exit"
    )
    ends = sorted(t for _, cargo, stage, what, t in trace if cargo in sl.cargo and what == "wagon_end")
    arr_t = np.array([t for t, _ in arrivals])
    arr_cum = np.concatenate(([0], np.cumsum([w for _, w in arrivals])))
    end_t = np.array(ends)
    halted = dict.fromkeys(sl.cargo, False)
    out: list[tuple[str, str, float, int]] = []
    t = 0.0
    while t < scenario.duration:
        if np.any(arr_t == t) or np.any(end_t == t):
            pytest.fail(f"a border event coincides with the review at {t}; choose another seed")
        backlog = int(arr_cum[np.searchsorted(arr_t, t, side="right")] - np.searchsorted(end_t, t, side="right"))
        for cargo in sl.cargo:
            if not halted[cargo] and backlog > sl.above_wagons:
                halted[cargo] = True
                out.append((cargo, "halt", t, backlog))
            elif halted[cargo] and backlog < sl.resume_below:
                halted[cargo] = False
                out.append((cargo, "resume", t, backlog))
        t += sl.check_every
    return out


@pytest.mark.parametrize("on_halt", ["defer", "lose"])
def test_stop_loading_switches_exactly_at_its_thresholds(on_halt: str) -> None:
    scenario = switching_scenario(on_halt)
    rep = run_replication(scenario, 0, seed=5, trace=True)
    d = rep.diagnostics
    halts = check_stop_loading_log(scenario, d, rep.events)
    assert halts >= 3, "the policy must switch for this test to mean anything"
    assert d["stop_loading_log"] == replay_policy(scenario, d["trace"])
    check_conservation(scenario, d, rep.daily)
    grain = rep.kpis.set_index("cargo").loc["grain"]
    assert grain["stop_loading_days"] > 0
    if on_halt == "defer":
        assert grain["tonnes_deferred"] > 0 and grain["tonnes_lost"] == 0
    else:
        assert grain["tonnes_lost"] > 0 and grain["tonnes_deferred"] == 0


# -- two crossings with routing by room, diversion and re-routing (issue 16) -----------------------

@settings(max_examples=int(os.environ.get("DOSTYK_CORRIDOR_EXAMPLES", "80")), deadline=None, derandomize=True,
          database=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=corridors())
def test_wagons_are_conserved_per_crossing_and_for_the_corridor_with_rerouting(data: dict[str, Any]) -> None:
    """Wagons in = delivered + in the system + en route between crossings + waiting at origin +
    refused + lost, for the corridor; and at each crossing, wagons formed for it + re-routed to it =
    delivered there + still in its system + refused there + re-routed away; per cargo, exactly."""
    s = Scenario.model_validate(data)
    obs = CrossingModel(s, replication=0, seed=s.seed).run()
    d = obs.diagnostics
    n = len(s.cargo_names)
    delivered = obs.totals["wagons_delivered_total"]
    for ci, cargo in enumerate(s.cargo_names):
        at_crossings = 0
        for x, name in enumerate(s.crossing_names):
            mine = d["by_crossing"][name]
            got = int(delivered[x * (n + 1) + ci])
            at_crossings += got
            assert mine["formed"][ci] + mine["rerouted_in"][ci] == (
                got + mine["in_journey"][ci] + mine["rejected"][ci] + mine["rerouted_out"][ci]), (name, cargo, mine)
        corridor = int(delivered[len(s.crossing_names) * (n + 1) + ci])
        assert corridor == at_crossings
        wagons_in = d["generated_wagons"][ci] + d["initial_wagons"][ci]
        assert wagons_in == (corridor + d["in_journey_wagons"][ci] + d["on_detour_wagons"][ci]
                             + d["origin_queued_wagons"][ci] + d["origin_held_back_wagons"][ci]
                             + d["rejected_wagons"][ci] + d["dropped_wagons"][ci]), cargo
        assert d["on_detour_wagons"][ci] >= 0
        moved_out = sum(x["rerouted_out"][ci] for x in d["by_crossing"].values())
        moved_in = sum(x["rerouted_in"][ci] for x in d["by_crossing"].values())
        assert moved_out == moved_in + d["on_detour_wagons"][ci]
    assert d["min_backlog"] >= 0 and d["min_held"] >= 0
    k = metrics.kpis(obs, None).set_index(["crossing", "cargo"])
    assert (k["wagons_rerouted"] >= 0).all() and (k["detour_cost_usd"] >= 0).all()
    for cargo in [*s.cargo_names, "all"]:
        parts = sum(k.loc[(x, cargo), "wagons_rerouted"] for x in s.crossing_names)
        assert k.loc[("all", cargo), "wagons_rerouted"] == parts
