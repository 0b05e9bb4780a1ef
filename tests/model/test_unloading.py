"""Stories of one cargo's unloading points (sim.model.unloading): the closed-form FIFO c-server schedule.

`UnloadingGroup.schedule_train(ready, wagons)` fixes every wagon's start and end when the train is
ready: each wagon, in queue order, goes to the point that can take it first (free and up), and
later trains queue behind. A wagon caught by a point's downtime stays on that point and resumes
after the repair (Calendar.finish); its busy segments leave the downtime out. A disruption's
time factor multiplies a wagon's work by the factor in force when the wagon *starts*.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.availability import Calendar
from sim.model.disruptions import TargetSchedule, Window
from sim.model.unloading import UnloadingGroup
from sim.scenario.distributions import Fixed, Gamma, Sampler
from sim.scenario.target_ref import TargetRef


class Scripted:
    """A stand-in for a Sampler that hands out the given wagon times in order."""

    def __init__(self, values: list[float]) -> None:
        self.values = list(values)

    def draw(self, n: int) -> list[float]:
        out, self.values = self.values[:n], self.values[n:]
        assert len(out) == n, "script ran out of wagon times"
        return out

    def draw_array(self, n: int) -> tuple[list[float], np.ndarray]:
        out = self.draw(n)
        return out, np.array(out)


def fixed(hours: float) -> Sampler:
    return Sampler(Fixed(value=hours), np.random.default_rng(0))


def group(points: int, wagon_time, calendars: list[Calendar] | None = None,
          schedule: TargetSchedule | None = None) -> UnloadingGroup:
    return UnloadingGroup(points, wagon_time, calendars or [Calendar() for _ in range(points)], schedule)


def segments(plan) -> list[tuple[float, float]]:
    return list(zip(plan.busy_starts, plan.busy_ends))


def test_two_points_three_wagons_of_one_hour() -> None:
    """2 points, 1 h a wagon, 3 wagons ready at 0: two start at 0, the third when a point frees at 1."""
    g = group(2, fixed(1.0))
    plan = g.schedule_train(0.0, 3)
    assert plan.starts.tolist() == [0.0, 0.0, 1.0]
    assert plan.ends.tolist() == [1.0, 1.0, 2.0]
    assert segments(plan) == [(0.0, 1.0), (0.0, 1.0), (1.0, 2.0)]


def test_second_train_queues_behind_the_first() -> None:
    """After the story above (points free at 1 and 2), a 3-wagon train ready at 0.5 waits:
    its first wagon starts at 1 (end 2); then both points are free at 2 (ends 3, 3)."""
    g = group(2, fixed(1.0))
    g.schedule_train(0.0, 3)
    plan = g.schedule_train(0.5, 3)
    assert plan.starts.tolist() == [1.0, 2.0, 2.0]
    assert plan.ends.tolist() == [2.0, 3.0, 3.0]
    # a train ready after the points went idle starts at its own ready time
    later = g.schedule_train(10.0, 2)
    assert later.starts.tolist() == [10.0, 10.0] and later.ends.tolist() == [11.0, 11.0]


def test_each_wagon_goes_to_the_first_free_point() -> None:
    """2 points, wagon times 3, 1, 1, 1 h: the long wagon keeps point A busy 0-3 while point B
    unloads the next three one after the other: starts [0, 0, 1, 2], ends [3, 1, 2, 3]."""
    g = group(2, Scripted([3.0, 1.0, 1.0, 1.0]))
    plan = g.schedule_train(0.0, 4)
    assert plan.starts.tolist() == [0.0, 0.0, 1.0, 2.0]
    assert plan.ends.tolist() == [3.0, 1.0, 2.0, 3.0]


def test_breakdown_pauses_the_wagon_in_progress_until_the_repair() -> None:
    """1 point down 1.5-3.5 h; 3 wagons of 1 h ready at 0. Wagon 1: 0-1. Wagon 2 starts at 1,
    works 0.5 h, waits for the repair, works the remaining 0.5 h from 3.5: ends at 4.0.
    Wagon 3: 4-5. The busy segments leave the 2 h of downtime out (3 h worked in all)."""
    g = group(1, fixed(1.0), [Calendar(closed=[(1.5, 3.5)])])
    plan = g.schedule_train(0.0, 3)
    assert plan.starts.tolist() == [0.0, 1.0, 4.0]
    assert plan.ends.tolist() == [1.0, 4.0, 5.0]
    assert segments(plan) == [(0.0, 1.0), (1.0, 1.5), (3.5, 4.0), (4.0, 5.0)]
    assert sum(e - s for s, e in segments(plan)) == 3.0


def test_wagon_on_a_broken_point_is_not_moved_to_a_free_one() -> None:
    """2 points, point A down 0.5-2.5 h; 4 wagons of 1 h ready at 0. Wagon 1 (on A) pauses and
    ends at 3.0; point B unloads wagons 2, 3, 4 at 0-1, 1-2, 2-3: starts [0, 0, 1, 2]."""
    g = group(2, fixed(1.0), [Calendar(closed=[(0.5, 2.5)]), Calendar()])
    plan = g.schedule_train(0.0, 4)
    assert plan.starts.tolist() == [0.0, 0.0, 1.0, 2.0]
    assert plan.ends.tolist() == [3.0, 1.0, 2.0, 3.0]
    assert segments(plan) == [(0.0, 0.5), (2.5, 3.0), (0.0, 1.0), (1.0, 2.0), (2.0, 3.0)]


def test_point_down_when_the_train_is_ready_is_skipped_until_repaired() -> None:
    """2 points, point A down 0-5 h; 4 wagons of 2 h ready at 0. Point B takes wagons 1-3 at 0, 2, 4;
    point A, back up at 5, takes wagon 4 at 5 (before B frees at 6): starts [0, 2, 4, 5]."""
    g = group(2, fixed(2.0), [Calendar(closed=[(0.0, 5.0)]), Calendar()])
    plan = g.schedule_train(0.0, 4)
    assert plan.starts.tolist() == [0.0, 2.0, 4.0, 5.0]
    assert plan.ends.tolist() == [2.0, 4.0, 6.0, 7.0]


def test_time_factor_applies_to_wagons_started_in_the_window() -> None:
    """1 point, 1 h a wagon, window [0, 10) with time_factor 2; 3 wagons ready at 9.5. Wagon 1 starts
    in the window and takes 2 h (9.5-11.5, past the window's end); wagons 2 and 3 start after it and
    take 1 h: starts [9.5, 11.5, 12.5], ends [11.5, 12.5, 13.5]."""
    slow = TargetSchedule([Window("slow", TargetRef("unloading", "grain"), 0.0, 10.0, 1.0, 2.0)])
    g = group(1, fixed(1.0), schedule=slow)
    plan = g.schedule_train(9.5, 3)
    assert plan.starts.tolist() == [9.5, 11.5, 12.5]
    assert plan.ends.tolist() == [11.5, 12.5, 13.5]


def test_time_factor_2_doubles_every_wagon_of_a_train_inside_the_window() -> None:
    """2 points, 1 h a wagon, window [0, 100) with time_factor 2; 4 wagons at 0: 0-2, 0-2, 2-4, 2-4."""
    slow = TargetSchedule([Window("slow", TargetRef("unloading", "grain"), 0.0, 100.0, 1.0, 2.0)])
    plan = group(2, fixed(1.0), schedule=slow).schedule_train(0.0, 4)
    assert plan.starts.tolist() == [0.0, 0.0, 2.0, 2.0]
    assert plan.ends.tolist() == [2.0, 2.0, 4.0, 4.0]


@pytest.mark.parametrize("force", ["far_closure", "far_time_factor"])
def test_fast_path_and_calendar_path_give_the_same_schedule(force: str) -> None:
    """With calendars always open over the trains' span, the calendar path (forced by a closure or
    a time-factor window far in the future) gives bit-identical starts and ends to the fast path,
    for gamma wagon times, 3 points and five trains of 7 wagons arriving faster than served."""
    dist = Gamma(dist="gamma", mean=1.5, cv=0.5)
    fast = group(3, Sampler(dist, np.random.default_rng(7)))
    if force == "far_closure":
        slow = group(3, Sampler(dist, np.random.default_rng(7)),
                     [Calendar(closed=[(1e6, 1e6 + 1.0)]) for _ in range(3)])
    else:
        sched = TargetSchedule([Window("far", TargetRef("unloading", "grain"), 1e6, 1e6 + 1.0, 1.0, 3.0)])
        slow = group(3, Sampler(dist, np.random.default_rng(7)), schedule=sched)
    for ready in (0.0, 2.0, 2.0, 5.5, 30.0):
        a = fast.schedule_train(ready, 7)
        b = slow.schedule_train(ready, 7)
        assert a.starts.tolist() == b.starts.tolist()
        assert a.ends.tolist() == b.ends.tolist()
        assert a.busy_starts.tolist() == b.busy_starts.tolist() and a.busy_ends.tolist() == b.busy_ends.tolist()
        assert min(a.starts) >= ready


def test_empty_schedule_is_the_fast_path() -> None:
    """An empty TargetSchedule (no window on this target) is ignored: same as no schedule."""
    plan = group(2, fixed(1.0), schedule=TargetSchedule([])).schedule_train(0.0, 3)
    assert plan.starts.tolist() == [0.0, 0.0, 1.0] and plan.ends.tolist() == [1.0, 1.0, 2.0]


def test_one_calendar_per_point_is_required() -> None:
    """Two points with one calendar is a programming error, refused at construction."""
    with pytest.raises(ValueError, match="one calendar per point"):
        UnloadingGroup(2, fixed(1.0), [Calendar()], None)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_trains_that_meet_no_downtime_take_the_calendar_paths_steps(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Most trains meet no breakdown: they are scheduled without the calendar calls
    (`_quiet_schedule`), and must get exactly what the calendar recursion gives — every start,
    end and busy segment equal as floats, and the same points free at the same times after —
    over 400 trains on 4 points that break down (some windows start at a wagon's start or end,
    some points are absent for a while), with a slowing window in force part of the time."""
    rng = np.random.default_rng(seed)
    dist = Gamma(dist="gamma", mean=1.0, cv=0.6)

    def windows(p: int) -> list[tuple[float, float]]:
        starts = np.cumsum(rng.exponential(60.0, 40))
        return [(float(s), float(s + rng.exponential(4.0))) for s in starts] + [(48.0 * p, 48.0 * p + 1.0)]

    down = [windows(p) for p in range(4)]
    absent = [[(100.0, 140.0)] if p == 3 else [] for p in range(4)]
    sched = TargetSchedule([Window("slow", TargetRef("unloading", "grain"), 500.0, 700.0, 1.0, 1.5)])

    def build() -> UnloadingGroup:
        return UnloadingGroup(4, Sampler(dist, np.random.default_rng(seed)), [Calendar(closed=d) for d in down],
                              sched, [Calendar(closed=d + a) for d, a in zip(down, absent)])

    quiet, full = build(), build()
    monkeypatch.setattr(full, "_quiet_schedule", lambda ready, works, work_array: None)
    outcomes: list[bool] = []
    shortcut = quiet._quiet_schedule

    def counted(ready: float, works: list[float], work_array: np.ndarray):  # type: ignore[no-untyped-def]
        plan = shortcut(ready, works, work_array)
        outcomes.append(plan is not None)
        return plan

    monkeypatch.setattr(quiet, "_quiet_schedule", counted)
    ready = 0.0
    for _ in range(400):
        ready += float(rng.exponential(3.5))
        wagons = int(rng.integers(1, 12))
        a, b = quiet.schedule_train(ready, wagons), full.schedule_train(ready, wagons)
        for field in ("starts", "ends", "busy_starts", "busy_ends"):
            assert getattr(a, field).tolist() == getattr(b, field).tolist(), field
        assert quiet._free == full._free
    assert 100 < sum(outcomes) < 390  # both paths were taken, often
