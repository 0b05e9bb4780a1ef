"""Refusals at a check (`reject:`): refused wagons leave the border loaded and go back.

Checked on the fixed-time story: a train refused whole leaves the backlog at the end of its check
(the idle wagon-days are exactly those up to that instant) and is never unloaded; nothing is
refused outside the refusal window or cargo; refused wagons rejoin the fleet after their return
time; a per-wagon share is binomial; and wagons are conserved with refusals counted.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.model.corridor_stories import BASE, DAY, PAYLOAD, WAGONS, build, formations, kpi, traced


def checks_with(reject: list[dict]) -> list[dict]:
    return [BASE["checks"][0], {**BASE["checks"][1], "reject": reject}]


def spans(trace: pd.DataFrame, stage: str, start: str, end: str) -> pd.DataFrame:
    s = trace[(trace["stage"] == stage) & (trace["what"] == start)].set_index("train")["t"]
    e = trace[(trace["stage"] == stage) & (trace["what"] == end)].set_index("train")["t"]
    return pd.DataFrame({"start": s, "end": e})


def test_a_train_refused_whole_leaves_the_backlog_at_the_end_of_its_check() -> None:
    s = build({"checks": checks_with([{"share": 1.0, "per": "train"}])})
    rep, trace = traced(s)
    assert kpi(rep, "wagons_delivered") == 0 and kpi(rep, "trains_delivered") == 0
    arrived = trace[(trace["stage"] == "line") & (trace["what"] == "exit")].set_index("train")["t"]
    refused = trace[trace["what"] == "reject"].set_index("train")["t"]
    ends = trace[(trace["stage"] == "checks.handover") & (trace["what"] == "end")].set_index("train")["t"]
    assert (refused == ends.reindex(refused.index)).all()
    assert kpi(rep, "wagons_rejected") == len(refused) * WAGONS
    assert kpi(rep, "trains_rejected") == len(refused)
    assert kpi(rep, "tonnes_rejected") == len(refused) * WAGONS * PAYLOAD
    # the backlog counts each refused train's wagons from its arrival to its refusal, no longer
    stay = (refused.reindex(arrived.index).fillna(s.duration) - arrived).clip(lower=0)
    assert kpi(rep, "wagon_idle_days") == pytest.approx(float(stay.sum()) * WAGONS / DAY, rel=1e-12)
    assert not (trace["stage"] == "unloading.x").any(), "a refused train was unloaded"
    # and it has gone on to no other stage, nor held the yard after its refusal
    assert not (trace["what"] == "leave").any()
    assert rep.diagnostics["gate_max_in_use"]["yard"] <= 300


def test_refusals_only_in_their_window_and_for_their_cargo() -> None:
    s = build({
        "cargo": {"x": {"payload_t": PAYLOAD, "wagons_per_train": WAGONS}, "y": {"payload_t": 30, "wagons_per_train": 5}},
        "demand": {"x": {"trains_per_day": 12, "arrivals": "regular"}, "y": {"trains_per_day": 6, "arrivals": "regular"}},
        "unloading": {"x": {"points": 4, "wagon_time": 0.5}, "y": {"points": 2, "wagon_time": 0.25}},
        "checks": checks_with([{"share": 0.5, "per": "train", "cargo": ["x"], "from": "2023-01-10", "to": "2023-01-15"}]),
    })
    rep, trace = traced(s)
    r = trace[trace["what"] == "reject"]
    assert len(r) >= 10
    assert (r["cargo"] == "x").all()
    assert ((r["t"] >= 9 * DAY) & (r["t"] < 14 * DAY)).all()
    handed = trace[(trace["stage"] == "checks.handover") & (trace["what"] == "end") & (trace["cargo"] == "x")]
    inside = ((handed["t"] >= 9 * DAY) & (handed["t"] < 14 * DAY)).sum()
    assert len(r) < inside  # some, not all (share 0.5 per train)
    assert kpi(rep, "wagons_rejected", "y") == 0


def test_per_wagon_refusals_are_binomial() -> None:
    share = 0.1
    s = build({"checks": checks_with([{"share": share}]), "duration": "60d"})
    rep, trace = traced(s)
    arrived = kpi(rep, "wagons_rejected") + kpi(rep, "wagons_delivered") + rep.diagnostics["in_journey_wagons"][0]
    refused = kpi(rep, "wagons_rejected")
    handed = (trace["what"] == "end") & (trace["stage"] == "checks.handover")
    n = int(handed.sum()) * WAGONS  # wagons that reached the end of the handover
    sd = math.sqrt(n * share * (1 - share))
    assert abs(refused - share * n) < 4 * sd, (refused, share * n, sd)
    assert kpi(rep, "trains_rejected") <= 1  # 10 wagons all refused: 1e-10 a train
    assert arrived > 0
    # partly refused trains are still unloaded (their remaining wagons) and delivered
    assert kpi(rep, "trains_delivered") > 0.95 * int(handed.sum()) - 5


def test_refused_wagons_rejoin_the_fleet_after_their_return_time() -> None:
    """One train's worth of wagons: the next train is formed exactly when the refused ones are
    back (refusal time + return time)."""
    ret = 30.0
    s = build({"fleet": {"x": WAGONS}, "checks": checks_with([{"share": 1.0, "per": "train", "return_time": ret}]),
               "empties": {"return_time": 5.0}})
    rep, trace = traced(s)
    f = formations(rep)
    refused = trace[trace["what"] == "reject"].set_index("train")["t"]
    assert len(f) >= 10
    for prev, nxt in zip(f["train"].iloc[:-1], f["formed"].iloc[1:]):
        assert nxt == pytest.approx(refused[prev] + ret)
    assert kpi(rep, "wagons_returned") == (refused + ret <= s.duration).sum() * WAGONS


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_wagons_and_the_fleet_are_conserved_with_refusals(seed: int) -> None:
    s = build({"demand": {"x": {"trains_per_day": 14, "arrivals": "poisson"}},
               "fleet": {"x": 400}, "empties": {"return_time": {"dist": "exponential", "mean": "2d"}},
               "checks": checks_with([{"share": 0.2}, ]),
               "line": {"transit_time": {"dist": "lognormal", "mean": "6h", "sd": "2h"}}})
    rep, _ = traced(s, seed=seed)
    d = rep.diagnostics
    delivered = d["wagons_delivered_total"][0]
    assert d["generated_wagons"][0] == (delivered + d["rejected_wagons"][0] + d["origin_queued_wagons"][0]
                                        + d["origin_held_back_wagons"][0] + d["in_journey_wagons"][0]
                                        + d["dropped_wagons"][0])
    assert (d["empties_at_origin"][0] + d["in_journey_wagons"][0] + d["returning_empty_wagons"][0]
                   + d["returning_loaded_wagons"][0] + d["unloaded_in_yard_wagons"][0]) == 400
    assert d["rejected_wagons"][0] > 0
