"""Several crossings (`crossings:`) and routing between them (`routing:`).

A two-crossing story (both crossings as the fixed-time story's, Altynkol's checks slower) checks:
the single-crossing forms agree; a closure at one crossing leaves the other alone; trains are
dealt to open crossings exactly as a reference smooth weighted round-robin deals them; no train
is formed for a crossing closed to its cargo (by a ban or by stop-loading there) while another is
open; diversion switches exactly at its thresholds (replayed review by review from the trace);
and per-crossing figures add up to the corridor's.
"""

from __future__ import annotations

import copy
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.scenario.schema import Scenario
from tests.conftest import SCENARIOS
from tests.model.corridor_stories import BASE, DAY, WINDOW, A, B, formations, traced

STAGES = {k: copy.deepcopy(BASE[k]) for k in ("line", "yard", "checks", "unloading")}


def corridor(routing: dict[str, Any] | None = None, **changes: Any) -> Scenario:
    altynkol = copy.deepcopy(STAGES)
    altynkol["checks"] = [{"name": "customs", "time": 5.0, "trains_at_once": 1}, {"name": "handover", "time": 1.0}]
    altynkol["line"] = {"transit_time": 5.0}
    data = {k: copy.deepcopy(v) for k, v in BASE.items() if k not in STAGES}
    data["crossings"] = {"dostyk": copy.deepcopy(STAGES), "altynkol": altynkol}
    data["routing"] = routing or {"x": {"shares": {"dostyk": 3, "altynkol": 1}}}
    data.update(changes)
    return Scenario.model_validate(data)


class ReferenceSWRR:
    """Credits: each pick adds every open crossing's weight, takes the open total from the winner."""

    def __init__(self, weights: list[float]) -> None:
        total = sum(weights)
        self.w = [Fraction(x).limit_denominator(10**6) / Fraction(total).limit_denominator(10**6) for x in weights]
        self.c = [Fraction(0)] * len(weights)

    def pick(self, open_: list[bool]) -> int:
        idx = [i for i in range(len(self.w)) if open_[i] and self.w[i] > 0]
        for i in idx:
            self.c[i] += self.w[i]
        best = max(idx, key=lambda i: (self.c[i], -i))
        self.c[best] -= sum(self.w[i] for i in idx)
        return best


def test_a_single_crossing_under_crossings_is_the_same_as_at_the_top_level() -> None:
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"duration": "90d"})
    data = base.to_dict()
    data["crossings"] = {"dostyk": {k: data.pop(k) for k in ("line", "yard", "checks", "unloading")}}
    nested = Scenario.model_validate(data)
    assert nested.targets() == base.targets()
    a = sim.run_replication(base, 1)
    b = sim.run_replication(nested, 1)
    pd.testing.assert_frame_equal(a.kpis, b.kpis, check_exact=True)
    pd.testing.assert_frame_equal(a.daily, b.daily, check_exact=True)


def test_frames_name_one_crossing_or_each_and_the_corridor() -> None:
    one = sim.run_replication(sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"duration": "20d"}), 0)
    for frame in (one.kpis, one.daily, one.events, one.dwell):
        assert set(frame["crossing"]) <= {"dostyk"}
    two = sim.run_replication(corridor(duration="10d"), 0)
    for frame in (two.kpis, two.daily, two.dwell):
        assert set(frame["crossing"]) == {"dostyk", "altynkol", "all"}
    assert len(two.kpis) == 3 * 2  # (x, all) at each crossing and for the corridor


def test_shares_are_dealt_exactly_among_open_crossings() -> None:
    s = corridor()
    rep, _ = traced(s)
    f = formations(rep)
    ref = ReferenceSWRR([3, 1])
    assert list(f["crossing"]) == [ref.pick([True, True]) for _ in range(len(f))]
    share = (f["crossing"] == 1).cumsum() / np.arange(1, len(f) + 1)
    assert abs(share.iloc[-1] - 0.25) < 1 / len(f) + 1e-12


def test_a_closure_at_one_crossing_stops_only_that_crossing() -> None:
    s = corridor(disruptions=[{"name": "hold", "target": "crossings.altynkol.checks.handover", "from": WINDOW[0],
                               "to": WINDOW[1], "capacity": 0}])
    _, trace = traced(s)
    started = trace[trace["what"] == "start"]
    alt = started[started["stage"] == "crossings.altynkol.checks.handover"]["t"]
    dos = started[started["stage"] == "crossings.dostyk.checks.handover"]["t"]
    assert not ((alt > A) & (alt < B)).any()
    assert ((dos > A) & (dos < B)).sum() >= 20
    assert ((alt >= B) & (alt < B + DAY)).sum() >= 3


def halts_by_crossing(events: pd.DataFrame) -> dict[str, list[tuple[float, float]]]:
    h = events[events["kind"] == "stop_loading"]
    return {x: list(zip(g["start_h"], g["end_h"])) for x, g in h.groupby("crossing")}


def test_no_train_is_formed_for_a_closed_crossing_while_another_is_open() -> None:
    """Dostyk is banned in a window; Altynkol's slow customs make its backlog cross stop-loading's
    thresholds over and over. Each train goes to a crossing open at its formation, the sequence is
    the reference's fed with the open sets, and nothing is formed while both are closed."""
    s = corridor(
        policies={"stop_loading": {"cargo": ["x"], "above_wagons": 60, "resume_below": 30, "crossings": ["altynkol"],
                                   "check_every": 0.7}},
        demand={"x": {"trains_per_day": 12, "arrivals": "poisson"}},  # (no request at a review's instant)
        disruptions=[{"name": "ban", "target": "crossings.dostyk.demand.x", "from": WINDOW[0], "to": WINDOW[1],
                      "capacity": 0}],
        routing={"x": {"shares": {"dostyk": 1, "altynkol": 1}}},
    )
    rep, _ = traced(s, seed=4)
    f = formations(rep)
    halts = halts_by_crossing(rep.events).get("altynkol", [])
    assert len(halts) >= 3

    def open_at(t: float) -> list[bool]:
        dostyk = not (A <= t < B)
        altynkol = not any(a <= t < b for a, b in halts)
        return [dostyk, altynkol]

    ref = ReferenceSWRR([1, 1])
    both_closed = 0
    for t, x in zip(f["formed"], f["crossing"]):
        o = open_at(t)
        assert o[x], f"a train was formed at {t} for crossing {x}, closed then"
        assert ref.pick(o) == x
    # while both were closed nothing was formed, and trains waited (they are deferred, not lost)
    for a, b in halts:
        lo, hi = max(a, A), min(b, B)
        if hi > lo:
            both_closed += 1
            assert not ((f["formed"] > lo) & (f["formed"] < hi)).any()
    assert both_closed >= 1, "the test needs a spell with both crossings closed"
    assert ((f["formed"] > A) & (f["formed"] < B) & (f["crossing"] == 1)).sum() >= 5


def replay_divert(trace: pd.DataFrame, crossing_prefix: str, above: int, below: int, every: float,
                  horizon: float, wagons: int) -> list[tuple[str, float, int]]:
    """Hysteresis on the crossing's border backlog rebuilt from the trace at each review."""
    arrivals = np.sort(trace[(trace["stage"] == f"{crossing_prefix}line") & (trace["what"] == "exit")]["t"].to_numpy())
    ends = np.sort(trace[(trace["stage"].str.startswith(f"{crossing_prefix}unloading"))
                         & (trace["what"] == "wagon_end")]["t"].to_numpy())
    out = []
    on = False
    t = 0.0
    while t < horizon:
        if np.any(arrivals == t) or np.any(ends == t):
            pytest.fail(f"a border event coincides with the review at {t}; choose another seed")
        backlog = int(np.searchsorted(arrivals, t, side="right") * wagons - np.searchsorted(ends, t, side="right"))
        if not on and backlog > above:
            on = True
            out.append(("on", t, backlog))
        elif on and backlog < below:
            on = False
            out.append(("off", t, backlog))
        t += every
    return out


def test_diversion_switches_at_its_thresholds_and_sends_its_share() -> None:
    rule = {"from": "dostyk", "to": "altynkol", "above_wagons": 60, "resume_below": 30, "check_every": 1.5,
            "share": 0.5}
    s = corridor(
        routing={"x": {"shares": {"dostyk": 1, "altynkol": 0}, "divert": [rule]}},
        demand={"x": {"trains_per_day": 12, "arrivals": "poisson"}},
    )
    s = s.with_changes({"crossings.dostyk.unloading.x.wagon_time": {"dist": "exponential", "mean": 0.62},
                        "crossings.dostyk.line.transit_time": {"dist": "lognormal", "mean": 3, "sd": 1}})
    rep, trace = traced(s, seed=11)
    log = [(d.action, d.time, d.backlog) for d in rep.diagnostics["divert_log"]]
    assert len(log) >= 4
    assert log == replay_divert(trace, "crossings.dostyk.", 60, 30, 1.5, s.duration, 10)
    f = formations(rep)
    spans = list(zip([t for a, t, _ in log if a == "on"], [t for a, t, _ in log if a == "off"] + [s.duration]))
    diverted = f[f["crossing"] == 1]
    assert len(diverted) >= 5
    for t in diverted["formed"]:
        assert any(a <= t < b for a, b in spans), f"diverted at {t} while diversion was off"
    during = f[[any(a <= t < b for a, b in spans) for t in f["formed"]]]
    assert abs((during["crossing"] == 1).sum() - 0.5 * len(during)) <= 1 * len(spans)


def test_per_crossing_figures_add_up_to_the_corridor() -> None:
    s = corridor(fleet={"x": 300}, empties={"return_time": 30.0},
                 demand={"x": {"trains_per_day": 12, "arrivals": "poisson"}})
    s = s.with_changes({"crossings.altynkol.checks[1].reject": [{"share": 0.1}]})
    rep, _ = traced(s, seed=5)
    k = rep.kpis.set_index(["crossing", "cargo"])
    for kpi in ("wagons_delivered", "wagons_rejected", "wagons_formed", "wagon_idle_days", "trains_delivered"):
        for cargo in ("x", "all"):
            parts = k.loc[("dostyk", cargo), kpi] + k.loc[("altynkol", cargo), kpi]
            assert k.loc[("all", cargo), kpi] == pytest.approx(parts, rel=1e-12), kpi
    assert k.loc[("altynkol", "x"), "wagons_rejected"] > 0
    assert np.isnan(k.loc[("dostyk", "x"), "tonnes_demanded"]) and k.loc[("all", "x"), "tonnes_demanded"] > 0
    d = rep.diagnostics
    circulating = 300 - d["empties_at_origin"][0]
    assert circulating == (d["in_journey_wagons"][0] + d["returning_empty_wagons"][0]
                           + d["returning_loaded_wagons"][0] + d["unloaded_in_yard_wagons"][0])
    assert d["generated_wagons"][0] == (d["wagons_delivered_total"][0] + d["rejected_wagons"][0]
                                        + d["origin_queued_wagons"][0] + d["origin_held_back_wagons"][0]
                                        + d["in_journey_wagons"][0] + d["dropped_wagons"][0])
    daily = rep.daily.set_index(["crossing", "cargo", "day"])
    for col in ("unloaded_wagons", "backlog_end", "formed_wagons", "arrivals_wagons"):
        both = daily.loc["dostyk"][col] + daily.loc["altynkol"][col]
        assert (daily.loc["all"][col] == both).all(), col
