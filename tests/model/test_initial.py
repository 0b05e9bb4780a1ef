"""A start from a reported state (`initial_state:`): wagons in the yard, held, and en route.

On the fixed-time story: the day-0 backlog is the reported one; trains are the reported wagons
in trains of 10 plus a remainder; held trains queue for the yard's remaining room at time 0;
en-route trains reach the border at (i + ½)/n of `arriving_within`; trains already at the border
are delivered but left out of the dwell; and with nothing else to do the backlog clears at the
unloading points' rate.
"""

from __future__ import annotations

import math

import pytest

from sim.model.initial import split_wagons
from tests.model.corridor_stories import DAY, WAGONS, build, kpi, traced


def test_wagons_become_full_trains_and_one_shorter_train() -> None:
    assert split_wagons(130, 55) == [55, 55, 20]
    assert split_wagons(110, 55) == [55, 55]
    assert split_wagons(0, 55) == []


def test_the_run_starts_from_the_reported_backlog() -> None:
    # the yard holds 300 wagons: 250 in it, so of 95 held wagons (trains of 10, 10, …, 5) five trains
    # of 10 fit in the 50 left and the other five (45 wagons) stay held at time 0
    s = build({"initial_state": {"x": {"in_yard_wagons": 250, "held_wagons": 95}}})
    rep, trace = traced(s)
    day0 = rep.daily[rep.daily["cargo"] == "x"].iloc[0]
    assert day0["backlog_max"] == 345
    enter0 = trace[(trace["stage"] == "yard") & (trace["what"] == "enter") & (trace["t"] == 0) & (trace["train"] < 0)]
    assert len(enter0) == 5  # the held trains that fit at once
    assert day0["held_trains_max"] == 5
    assert rep.diagnostics["initial_wagons"] == [345]
    assert (trace[trace["train"] < 0]["train"].nunique()) == 25 + 10


def test_en_route_trains_arrive_evenly_over_their_window() -> None:
    s = build({"initial_state": {"x": {"en_route_wagons": 45, "arriving_within": "10h"}}})
    _, trace = traced(s)
    exits = trace[(trace["stage"] == "line") & (trace["what"] == "exit") & (trace["train"] < 0)]
    assert sorted(exits["t"]) == pytest.approx([(i + 0.5) / 5 * 10.0 for i in range(5)])
    # the default window is the mean transit time (3 h here)
    s = build({"initial_state": {"x": {"en_route_wagons": 20}}})
    _, trace = traced(s)
    exits = trace[(trace["stage"] == "line") & (trace["what"] == "exit") & (trace["train"] < 0)]
    assert sorted(exits["t"]) == pytest.approx([0.75, 2.25])


def test_trains_at_the_border_at_the_start_are_delivered_but_not_in_the_dwell() -> None:
    s = build({"initial_state": {"x": {"in_yard_wagons": 100, "held_wagons": 40, "en_route_wagons": 30}}})
    rep, trace = traced(s)
    delivered = kpi(rep, "wagons_delivered")
    ends = trace[(trace["what"] == "wagon_end") & (trace["t"] < s.duration)]
    assert delivered == len(ends)
    from_border = ends[ends["train"].isin(trace[(trace["train"] < 0)]["train"])]
    en_route_ids = trace[(trace["stage"] == "line") & (trace["what"] == "exit") & (trace["train"] < 0)]["train"]
    uncounted = from_border[~from_border["train"].isin(en_route_ids)]
    assert len(uncounted) == 140
    # the dwell is that of the other wagons only: the same mean as from their own trace rows
    arrived = trace[(trace["stage"] == "line") & (trace["what"] == "exit")].set_index("train")["t"]
    counted = ends[~ends["train"].isin(uncounted["train"])]
    dwell = (counted["t"].to_numpy() - arrived.loc[counted["train"]].to_numpy()).mean()
    assert kpi(rep, "dwell_h_mean") == pytest.approx(dwell, rel=1e-12)


def test_with_nothing_else_to_do_the_backlog_clears_at_the_unloading_rate() -> None:
    """100 wagons in the yard past every check, no demand for them, 2 points of 30 min: two wagons
    leave every half hour, so the backlog is 100 - 2k on [k/2, (k+1)/2) and clears at 25 h."""
    s = build({
        "cargo": {"x": {"payload_t": 60, "wagons_per_train": WAGONS}, "y": {"payload_t": 30, "wagons_per_train": 1}},
        "demand": {"y": {"trains_per_day": 0.01, "arrivals": "regular"}},
        "unloading": {"x": {"points": 2, "wagon_time": 0.5}, "y": {"points": 1, "wagon_time": 0.5}},
        "initial_state": {"x": {"in_yard_wagons": 100, "after_check": "handover"}},
        "duration": "3d",
    })
    rep, trace = traced(s)
    daily = rep.daily[rep.daily["cargo"] == "x"].set_index("day")
    assert daily.loc[0, "backlog_end"] == 100 - 2 * 47  # level just before midnight (the 48th pair ends at 24 h)
    assert daily.loc[1, "backlog_end"] == 0
    integral = sum((100 - 2 * k) * 0.5 for k in range(50))
    assert kpi(rep, "wagon_idle_days") == pytest.approx(integral / DAY)
    assert not trace[trace["train"] < 0]["stage"].str.startswith("checks").any()  # past every check
    assert kpi(rep, "wagons_delivered") == 100
    assert math.isnan(kpi(rep, "dwell_h_mean"))


def test_the_fleet_starts_with_the_wagons_under_way_taken_out() -> None:
    s = build({"fleet": {"x": 60}, "empties": {"return_time": 100.0},
               "initial_state": {"x": {"held_wagons": 50}}})
    rep, _ = traced(s)
    f = rep.diagnostics["formations"]
    # 10 empties at the start: one train, then nothing until the first empties return after 100 h
    assert [t for _, _, _, _, t, _ in f if t < 100.0] == [2.0]
