"""Stories of disruption windows (sim.model.disruptions): laying them out, and a target's schedule.

Semantics pinned here (read from the code): a dated window is kept whole when it overlaps the
run [0, horizon) — not clipped to it — and dropped when it does not; a recurring window starts
`every` after `from` (or after 0) and after the end of the previous one, and is cut at `to` or
at the horizon. In a TargetSchedule, overlapping windows multiply their factors; a factor holds
on [start, end); `scaled` rounds down, with a 1e-9 allowance for float round-off.
"""

from __future__ import annotations

import copy
import itertools
import math
from typing import Any

from sim.model.disruptions import TargetSchedule, Window, lay_out_windows, scaled
from sim.model.rng import Streams
from sim.scenario.schema import Scenario
from sim.scenario.target_ref import TargetRef

BASE: dict[str, Any] = {
    "name": "disruption-stories",
    "start": "2023-01-01",
    "duration": "30d",  # horizon 720 h
    "cargo": {"grain": {"payload_t": 68, "wagons_per_train": 5}},
    "demand": {"grain": {"trains_per_day": 1, "arrivals": "regular"}},
    "line": {"transit_time": "10h", "max_trains_per_day": 4},
    "checks": [{"name": "customs", "time": "2h", "trains_per_day": 5}],
    "unloading": {"grain": {"points": 2, "wagon_time": "1h"}},
}


def scenario(disruptions: list[dict[str, Any]], **changes: Any) -> Scenario:
    data = copy.deepcopy(BASE)
    data.update(changes)
    data["disruptions"] = disruptions
    return Scenario.model_validate(data)


def spans(windows: list[Window]) -> list[tuple[str, float, float]]:
    return [(w.name, w.start, w.end) for w in windows]


def test_dated_windows_overlapping_the_run_are_kept_whole_others_dropped() -> None:
    """Start 2023-01-01, 30 days (720 h). A window from 2022-12-31 to 2023-01-02 is kept as
    (-24, 24); one from 2023-01-30 to 2023-02-05 as (696, 840), past the horizon; one ending exactly
    at the start (end 0) and one starting exactly at the horizon (720) are dropped. Times may carry
    an hour: 2023-01-03 to 2023-01-04T12:00 is (48, 84). The list is sorted by start."""
    s = scenario([
        {"name": "hold", "target": "checks.customs", "capacity": 0.2, "from": "2023-01-03", "to": "2023-01-04T12:00"},
        {"name": "late", "target": "line", "capacity": 0, "from": "2023-01-31", "to": "2023-02-02"},
        {"name": "before", "target": "line", "capacity": 0, "from": "2022-12-31", "to": "2023-01-02"},
        {"name": "gone", "target": "line", "capacity": 0, "from": "2022-12-01", "to": "2023-01-01"},
        {"name": "after", "target": "line", "capacity": 0.5, "from": "2023-01-30", "to": "2023-02-05"},
    ])
    windows = lay_out_windows(s, Streams(s.seed, 0), s.duration)
    assert spans(windows) == [("before", -24.0, 24.0), ("hold", 48.0, 84.0), ("after", 696.0, 840.0)]
    hold = windows[1]
    assert (hold.target, hold.capacity, hold.time_factor) == ("checks.customs", 0.2, 1.0)


def test_recurring_fixed_windows_follow_every_and_lasts() -> None:
    """every 10 d, lasts 1 d, from the start: (240, 264), then 240 h after that window's end:
    (504, 528); the next would start at 768 >= 720. With `from` 2023-01-05 (96 h) the first starts
    at 96 + 240 = 336; with `to` 2023-01-20 (456 h) too, only (336, 360) remains."""
    every = {"name": "wind", "target": "line", "capacity": 0, "every": "10d", "lasts": "1d"}
    s = scenario([every])
    assert spans(lay_out_windows(s, Streams(0, 0), s.duration)) == [("wind", 240.0, 264.0), ("wind", 504.0, 528.0)]
    s = scenario([{**every, "from": "2023-01-05"}])
    assert spans(lay_out_windows(s, Streams(0, 0), s.duration)) == [("wind", 336.0, 360.0), ("wind", 600.0, 624.0)]
    s = scenario([{**every, "from": "2023-01-05", "to": "2023-01-20"}])
    assert spans(lay_out_windows(s, Streams(0, 0), s.duration)) == [("wind", 336.0, 360.0)]


def test_recurring_window_is_cut_at_to_and_at_the_horizon() -> None:
    """every 10 d, lasts 5 d: the first window (240, 360) is cut to (240, 288) by `to` 2023-01-13
    (288 h), and likewise by a 12-day horizon (288 h) — unlike a dated window, which is kept whole."""
    every = {"name": "wind", "target": "line", "capacity": 0, "every": "10d", "lasts": "5d"}
    s = scenario([{**every, "to": "2023-01-13"}])
    assert spans(lay_out_windows(s, Streams(0, 0), s.duration)) == [("wind", 240.0, 288.0)]
    s = scenario([every], duration="12d")
    assert spans(lay_out_windows(s, Streams(0, 0), s.duration)) == [("wind", 240.0, 288.0)]


RANDOM_WIND = {
    "name": "wind", "target": "line", "capacity": 0,
    "every": {"dist": "exponential", "mean": "5d"}, "lasts": {"dist": "uniform", "min": "6h", "max": "36h"},
}


def test_recurring_random_windows_are_reproducible_and_differ_by_replication() -> None:
    """Exponential gaps, uniform lengths: the same seed and replication give the same windows;
    another replication or another seed gives others; adding an unrelated dated window changes
    nothing in the wind's windows (its own stream, 'disruptions.wind')."""
    s = scenario([RANDOM_WIND], duration="120d")
    first = lay_out_windows(s, Streams(11, 0), s.duration)
    assert len(first) >= 5
    assert lay_out_windows(s, Streams(11, 0), s.duration) == first
    assert spans(lay_out_windows(s, Streams(11, 1), s.duration)) != spans(first)
    assert spans(lay_out_windows(s, Streams(12, 0), s.duration)) != spans(first)
    dated = {"name": "hold", "target": "checks.customs", "capacity": 0.2, "from": "2023-01-03", "to": "2023-01-04"}
    both = scenario([dated, RANDOM_WIND], duration="120d")
    with_hold = lay_out_windows(both, Streams(11, 0), both.duration)
    assert [w for w in with_hold if w.name == "wind"] == first
    for w in first:  # each window's length is within `lasts`, and they do not overlap
        assert 6.0 <= w.end - w.start <= 36.0 or w.end == s.duration
    assert all(a.end < b.start for a, b in itertools.pairwise(first))


def test_recurring_windows_before_the_start_are_not_laid_out() -> None:
    """A recurring wind season from 2022-12-01 (744 h before the start), every 10 d lasting 1 d,
    has windows at -504..-480 and -240..-216 h that lie wholly before the run: like dated windows
    ending at or before 0, they should be dropped; only (24, 48), (288, 312), (552, 576) remain."""
    s = scenario([{"name": "wind", "target": "line", "capacity": 0, "every": "10d", "lasts": "1d",
                   "from": "2022-12-01"}])
    windows = lay_out_windows(s, Streams(0, 0), s.duration)
    assert spans(windows) == [("wind", 24.0, 48.0), ("wind", 288.0, 312.0), ("wind", 552.0, 576.0)]


def window(start: float, end: float, capacity: float = 1.0, time_factor: float = 1.0, name: str = "w") -> Window:
    return Window(name, TargetRef("line"), start, end, capacity, time_factor)


def test_overlapping_windows_multiply() -> None:
    """A: [0, 10) capacity 0.5; B: [5, 15) capacity 0.5 and time factor 2. Capacity is 0.5 on
    [0, 5), 0.25 on [5, 10), 0.5 on [10, 15), 1 elsewhere; the time factor is 2 on [5, 15)."""
    sched = TargetSchedule([window(0, 10, 0.5, name="A"), window(5, 15, 0.5, 2.0, name="B")])
    caps = {t: sched.capacity_at(t) for t in (-1.0, 0.0, 4.99, 5.0, 9.99, 10.0, 14.99, 15.0, 100.0)}
    assert caps == {-1.0: 1.0, 0.0: 0.5, 4.99: 0.5, 5.0: 0.25, 9.99: 0.25, 10.0: 0.5, 14.99: 0.5,
                    15.0: 1.0, 100.0: 1.0}
    tfs = [sched.time_factor_at(t) for t in (0.0, 4.99, 5.0, 10.0, 14.99, 15.0)]
    assert tfs == [1.0, 1.0, 2.0, 2.0, 2.0, 1.0]


def test_next_change_is_the_next_window_edge_after_t() -> None:
    """Edges at 0, 5, 10, 15: next_change(-3) = 0, (0) = 5 (strictly after), (12) = 15, (15) = inf."""
    sched = TargetSchedule([window(0, 10, 0.5), window(5, 15, 0.5)])
    assert [sched.next_change(t) for t in (-3.0, 0.0, 5.0, 12.0, 15.0)] == [0.0, 5.0, 10.0, 15.0, math.inf]


def test_closed_windows_are_where_the_product_is_zero_merged() -> None:
    """[0, 10) and [10, 20) at 0 give one closure (0, 20); [30, 40) at 0 overlapping [35, 50) at
    0.5 gives (30, 40): 0 x 0.5 is still closed on [35, 40), but [40, 50) at 0.5 is open."""
    sched = TargetSchedule([window(0, 10, 0.0), window(10, 20, 0.0), window(30, 40, 0.0), window(35, 50, 0.5)])
    assert sched.closed_windows() == [(0.0, 20.0), (30.0, 40.0)]
    assert TargetSchedule([window(0, 10, time_factor=3.0)]).closed_windows() == []


def test_reduced_windows_give_units_left_per_piece() -> None:
    """Base 4 units: A [0, 10) at 0.5 and B [5, 15) at 0.5 leave 2, 1 (floor of 4 x 0.25), 2;
    a window at 1.2 (4.8 -> 4) reduces nothing; one at 0 leaves 0."""
    sched = TargetSchedule([window(0, 10, 0.5), window(5, 15, 0.5), window(20, 30, 1.2), window(40, 50, 0.0)])
    assert sched.reduced_windows(4) == [(0.0, 5.0, 2), (5.0, 10.0, 1), (10.0, 15.0, 2), (40.0, 50.0, 0)]


def test_empty_schedule_changes_nothing() -> None:
    """No windows: capacity and time factor 1 everywhere, no change ever, nothing closed."""
    sched = TargetSchedule([])
    assert sched.empty
    assert (sched.capacity_at(5.0), sched.time_factor_at(5.0), sched.next_change(5.0)) == (1.0, 1.0, math.inf)
    assert sched.closed_windows() == [] and sched.reduced_windows(3) == []


def test_scaled_rounds_down_but_forgives_float_round_off() -> None:
    """A quota of 12 at 0.2 is 2 a day (README); 3 at 0.5 is 1; 4 at 1.5 is 6; 100 x 0.29 is
    28.999999999999996 in floats, yet 29 units."""
    assert 100 * 0.29 < 29
    assert [scaled(12, 0.2), scaled(3, 0.5), scaled(4, 1.5), scaled(100, 0.29), scaled(5, 0.0)] == [2, 1, 6, 29, 0]
