"""Dated loading bans (`demand.<cargo>`): exactly what is and is not loaded in the window.

On the fixed-time story (tests/model/corridor_stories.py) every request time is known, so each
claim is exact: with capacity 0 no train is formed in the window and the window's requests are
deferred (formed from its end, in request order) or lost; with 0.5 exactly half of the trains
picked in the window are formed; a ban and a stop-loading halt together stop loading whenever
either applies. The acceptance test runs a stochastic grain-only crossing at a binding handover
quota of 9 trains a day and checks, replication by replication, that a 7-day ban lowers the
border backlog by at least the 63 trains the handover passes minus those already en route.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.scenario.schema import Scenario
from tests.model.corridor_stories import (
    DAY,
    PAYLOAD,
    WAGONS,
    WINDOW,
    A,
    B,
    build,
    formations,
    kpi,
    requested_times,
    traced,
)


def ban(capacity: float, on_halt: str | None = None, target: str = "demand.x") -> dict:
    d = {"name": "ban", "target": target, "from": WINDOW[0], "to": WINDOW[1], "capacity": capacity}
    if on_halt is not None:
        d["on_halt"] = on_halt
    return d


def in_window(t: pd.Series | np.ndarray) -> np.ndarray:
    t = np.asarray(t)
    return (t >= A) & (t < B)


def test_without_a_ban_every_request_is_formed_at_once() -> None:
    s = build()
    rep, _ = traced(s)
    f = formations(rep)
    assert (f["formed"] == f["requested"]).all()
    assert in_window(f["formed"]).sum() >= 20  # so "nothing formed in the window" below means something


def test_closed_ban_defers_the_window_s_trains_to_its_end_in_request_order() -> None:
    s = build({"disruptions": [ban(0)]})
    rep, _ = traced(s)
    f = formations(rep)
    assert not in_window(f["formed"]).any(), "a train was formed during the ban"
    assert ((f["formed"] >= A - DAY) & (f["formed"] < A)).sum() >= 3, "loading before the ban"
    asked = np.array(requested_times(s))
    during = asked[in_window(asked)]
    late = f[in_window(f["requested"])]
    assert list(late["requested"]) == list(during)  # every request of the window is formed, in order
    assert (late["formed"] >= B).all() and (late["formed"] == B).all()  # all at the window's end (no rate)
    assert kpi(rep, "tonnes_deferred") == len(during) * WAGONS * PAYLOAD
    assert kpi(rep, "tonnes_lost") == 0
    assert kpi(rep, "stop_loading_days") == 0  # a ban is not a stop-loading halt


def test_closed_ban_that_loses_drops_the_window_s_requests() -> None:
    s = build({"disruptions": [ban(0, "lose")]})
    rep, _ = traced(s)
    f = formations(rep)
    asked = np.array(requested_times(s))
    during = asked[in_window(asked)]
    assert not in_window(f["formed"]).any()
    assert not in_window(f["requested"]).any(), "a train requested during the ban was formed later"
    assert len(f) == len(asked) - len(during)
    assert kpi(rep, "tonnes_lost") == len(during) * WAGONS * PAYLOAD
    assert kpi(rep, "tonnes_deferred") == 0
    # lost trains are part of the demand, not of the unmet demand
    assert kpi(rep, "tonnes_demanded") == len(asked) * WAGONS * PAYLOAD
    assert kpi(rep, "tonnes_unmet") == 0


@pytest.mark.parametrize(("factor", "on_halt"), [(0.5, "defer"), (0.5, "lose"), (0.3, "defer")])
def test_partial_ban_forms_exactly_its_share_of_the_trains_picked(factor: float, on_halt: str) -> None:
    s = build({"disruptions": [ban(factor, on_halt)]})
    rep, _ = traced(s)
    f = formations(rep)
    asked = np.array(requested_times(s))
    picked = in_window(asked).sum()
    formed_in = f[in_window(f["formed"])]
    assert len(formed_in) == math.floor(factor * picked)
    # which ones: the m-th pick (from 0) is formed iff floor((m+1)f) > floor(mf)
    expected = [t for m, t in enumerate(asked[in_window(asked)])
                if math.floor((m + 1) * factor + 1e-9) > math.floor(m * factor + 1e-9)]
    assert list(formed_in["requested"]) == expected
    skipped = picked - len(formed_in)
    if on_halt == "defer":
        back = f[in_window(f["requested"]) & (f["formed"] >= B)]
        assert len(back) == skipped and (back["formed"] == B).all()
        assert list(back["requested"]) == sorted(back["requested"])
        assert kpi(rep, "tonnes_deferred") == skipped * WAGONS * PAYLOAD
    else:
        assert len(f) == len(asked) - skipped
        assert kpi(rep, "tonnes_lost") == skipped * WAGONS * PAYLOAD
        # lost at formation: still part of the demand, and conserved (generated = ... + dropped)
        d = rep.diagnostics
        assert d["dropped_wagons"] == [skipped * WAGONS]
        assert kpi(rep, "tonnes_demanded") == len(asked) * WAGONS * PAYLOAD


def test_ban_and_stop_loading_together_stop_loading_whenever_either_applies() -> None:
    # slow unloading so that the backlog crosses the stop-loading thresholds repeatedly
    s = build({
        "unloading": {"x": {"points": 1, "wagon_time": 0.22}},
        "policies": {"stop_loading": {"cargo": ["x"], "above_wagons": 80, "resume_below": 40}},
        "disruptions": [ban(0)],
    })
    rep, _ = traced(s)
    f = formations(rep)
    halts = rep.events[rep.events["kind"] == "stop_loading"]
    assert len(halts) >= 3, "the policy must switch for this to mean anything"
    closed = [(A, B), *zip(halts["start_h"], halts["end_h"])]
    for t in f["formed"]:
        assert not any(a < t < b for a, b in closed), f"formed at {t} while loading was stopped"
    # a train is formed at the end of the ban only if no halt is in force then, and vice versa
    halted_at_b = any(a <= B < b for a, b in zip(halts["start_h"], halts["end_h"]))
    assert ((f["formed"] == B).any()) == (not halted_at_b)


def test_ban_on_one_cargo_leaves_the_other_alone() -> None:
    s = build({
        "cargo": {"x": {"payload_t": PAYLOAD, "wagons_per_train": WAGONS},
                  "y": {"payload_t": 30, "wagons_per_train": 5}},
        "demand": {"x": {"trains_per_day": 12, "arrivals": "regular"},
                   "y": {"trains_per_day": 4, "arrivals": "regular"}},
        "unloading": {"x": {"points": 4, "wagon_time": 0.5}, "y": {"points": 2, "wagon_time": 0.25}},
        "disruptions": [ban(0)],
    })
    rep, _ = traced(s)
    f = formations(rep)
    assert not in_window(f.loc[f["cargo"] == "x", "formed"]).any()
    y = f[f["cargo"] == "y"]
    assert (y["formed"] == y["requested"]).all() and in_window(y["formed"]).sum() >= 8


# -- acceptance: a 7-day grain ban at a binding handover quota --------------------------------------

BAN_DAYS = 7
QUOTA = 9
GRAIN_W = 55
BAN_FROM, BAN_TO = 20, 27  # days since the start


def grain_ban_scenario() -> Scenario:
    """Grain only, handover 9 trains a day (binding: 11 a day are requested), a starting backlog of
    2,500 wagons held at the border, and a ban on loading grain on days 20 to 26."""
    return Scenario.model_validate({
        "name": "grain-ban-7d",
        "start": "2024-01-01",
        "duration": "40d",
        "seed": 7,
        "cargo": {"grain": {"payload_t": 68, "wagons_per_train": GRAIN_W}},
        "demand": {"grain": {"trains_per_day": 11, "arrivals": "poisson"}},
        "line": {"transit_time": {"dist": "lognormal", "mean": "20h", "sd": "6h"}},
        "yard": {"capacity_wagons": 1200},
        "checks": [
            {"name": "customs", "time": {"dist": "lognormal", "mean": "4.25h", "sd": "1.5h"}, "trains_at_once": 3},
            {"name": "handover", "time": {"dist": "triangular", "min": 1, "mode": 2, "max": 4},
             "trains_per_day": QUOTA},
        ],
        "unloading": {"grain": {"points": 30, "wagon_time": {"dist": "gamma", "mean": "1h", "cv": 0.3}}},
        "initial_state": {"grain": {"held_wagons": 2500, "in_yard_wagons": 1100, "after_check": "customs"}},
        "disruptions": [{"name": "grain-ban", "target": "demand.grain", "from": "2024-01-21", "to": "2024-01-28",
                         "capacity": 0}],
    })


@pytest.mark.parametrize("replication", range(5))
def test_seven_day_ban_lowers_the_backlog_by_the_handover_quota(replication: int) -> None:
    """backlog(A) - backlog(B) >= (7 × 9 - trains en route at A) × 55 - 55.

    During the ban nothing is formed, so the only arrivals are trains already on the line at A;
    the handover passes 9 trains a day as long as trains wait for it (they do: the yard is full),
    and a train handed over leaves the backlog when its last wagon is unloaded, so at most one
    train handed over before B is still unloading at B (the extra 55).
    """
    s = grain_ban_scenario()
    rep, trace = traced(s, seed=s.seed, replication=replication)
    a, b = BAN_FROM * DAY, BAN_TO * DAY
    daily = rep.daily[rep.daily["cargo"] == "grain"].set_index("day")
    backlog_a = daily.loc[BAN_FROM - 1, "backlog_end"]
    backlog_b = daily.loc[BAN_TO - 1, "backlog_end"]
    enter = trace[(trace["stage"] == "line") & (trace["what"] == "enter")].set_index("train")["t"]
    exit_ = trace[(trace["stage"] == "line") & (trace["what"] == "exit")].set_index("train")["t"]
    en_route = int(((enter < a) & (exit_.reindex(enter.index) >= a)).sum())
    handed = trace[(trace["stage"] == "checks.handover") & (trace["what"] == "start")]["t"]
    assert ((handed >= a) & (handed < b)).sum() == BAN_DAYS * QUOTA, "the quota must bind through the ban"
    drop = backlog_a - backlog_b
    assert drop >= (BAN_DAYS * QUOTA - en_route) * GRAIN_W - GRAIN_W, (backlog_a, backlog_b, en_route)
    f = formations(rep)
    assert not ((f["formed"] >= a) & (f["formed"] < b)).any()
