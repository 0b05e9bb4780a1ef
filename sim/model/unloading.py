"""Transshipment across the gauge break: `points` parallel positions per cargo, one wagon each.

Each cargo's group serves its own FIFO queue of wagons. With FIFO and a failure/disruption
timetable fixed in advance, the moment a train is ready fixes exactly when each of its wagons
starts and ends: every point takes the next wagon as soon as it is free and up, and later trains
queue behind. So the group schedules a whole train at once — the same schedule a per-wagon
process would produce, without a simulation event per wagon.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from sim.model.availability import Calendar
from sim.model.disruptions import TargetSchedule
from sim.model.rng import Streams
from sim.scenario.distributions import Exponential, Sampler
from sim.scenario.stages import Breakdowns
from sim.scenario.stages import UnloadingGroup as GroupSpec


@dataclass
class WagonSchedule:
    starts: np.ndarray
    ends: np.ndarray
    # open intervals actually worked, over all wagons, as parallel arrays of starts and ends
    # (the very arrays `starts` and `ends` when no point ever stops)
    busy_starts: np.ndarray
    busy_ends: np.ndarray


class UnloadingGroup:
    """A cargo's unloading points, each with its own calendar of downtime."""

    def __init__(
        self,
        points: int,
        wagon_time: Sampler,
        point_calendars: list[Calendar],
        schedule: TargetSchedule | None,
        start_calendars: list[Calendar] | None = None,
    ) -> None:
        """`point_calendars`: when each point works (a wagon's work pauses while it is down);
        `start_calendars`: when each may take a new wagon, if that is less often (default the same)."""
        if len(point_calendars) != points or (start_calendars is not None and len(start_calendars) != points):
            raise ValueError("one calendar per point is needed")
        self.points = points
        self._wagon_time = wagon_time
        self._calendars = point_calendars
        self._start_calendars = start_calendars or point_calendars
        self._schedule = schedule if schedule is not None and not schedule.empty else None
        self._all_open = all(c.always_open for c in self._start_calendars)
        # (free-from time, point index); a heap keyed by when each point can next take a wagon
        self._free: list[tuple[float, int]] = [(0.0, p) for p in range(points)]
        # Without downtime the points are interchangeable: a heap of free-from times is enough.
        self._fast = self._all_open and self._schedule is None
        self._free_at: list[float] = [0.0] * points

    @classmethod
    def build(cls, cargo: str, group: GroupSpec, breakdowns: Breakdowns | None, schedule: TargetSchedule | None,
              streams: Streams, horizon: float, label: str | None = None) -> UnloadingGroup:
        """A cargo's group as the scenario describes it: points taken out by disruption windows
        (the highest-numbered first; the wagon in hand waits for the point to be back), points
        added by windows that raise the capacity (the highest-numbered: they take wagons only in
        such a window, and finish the one in hand after it) and, with breakdowns, each point's
        failures laid out to the horizon on its own random stream. `label` names the streams
        (default unloading.<cargo>)."""
        label = label or f"unloading.{cargo}"
        base = group.points
        points = schedule.most_units(base) if schedule is not None else base
        down: list[list[tuple[float, float]]] = [[] for _ in range(points)]
        absent: list[list[tuple[float, float]]] = [[] for _ in range(points)]  # added points, out of their windows
        if schedule is not None:
            for start, end, units in schedule.unit_segments(base):
                for p in range(units, points):
                    (down if p < base else absent)[p].append((start, end))
        if breakdowns is not None:
            for p in range(points):
                rng = streams.get(f"{label}.point{p}.breakdowns")
                up = Sampler(Exponential(dist="exponential", mean_=breakdowns.mtbf), rng)
                repair = Sampler(breakdowns.mttr, rng)
                t = up()
                while t < horizon:
                    r = repair()
                    down[p].append((t, t + r))
                    t += r + up()
        calendars = [Calendar(closed=d) for d in down]
        starts = [Calendar(closed=d + a) if a else c for c, d, a in zip(calendars, down, absent)]
        wagon_time = Sampler(group.wagon_time, streams.get(f"{label}.wagon_time"))
        return cls(points, wagon_time, calendars, schedule, starts if points > base else None)

    def schedule_train(self, ready: float, wagons: int) -> WagonSchedule:
        """Assign the train's wagons to points in queue order; return their start and end times."""
        works, work_array = self._wagon_time.draw_array(wagons)
        if self._fast:
            # No downtime anywhere: exactly the M/G/c FIFO recursion. A point free before the
            # train is ready becomes free at `ready` (max(., ready) keeps the heap order); then
            # each wagon starts when the earliest point frees and holds it for its work.
            free_at = self._free_at
            for i, at in enumerate(free_at):
                if at < ready:
                    free_at[i] = ready
            replace = heapq.heapreplace
            fast_starts = np.fromiter([replace(free_at, free_at[0] + work) for work in works], float, wagons)
            fast_ends = fast_starts + work_array  # (the same sums as the heap's, in numpy)
            return WagonSchedule(fast_starts, fast_ends, fast_starts, fast_ends)
        quiet = self._quiet_schedule(ready, works, work_array)
        if quiet is not None:
            return quiet
        free = self._free
        starts: list[float] = []
        ends: list[float] = []
        busy_starts: list[float] = []
        busy_ends: list[float] = []
        tf = self._schedule.time_factor_at if self._schedule is not None else None
        calendars = self._calendars
        start_calendars = self._start_calendars
        for work in works:
            while True:
                at, p = free[0]
                earliest = at if at > ready else ready
                start = start_calendars[p].next_open(earliest)
                if start == earliest:
                    break
                # This point is down then; look again at it when it is back up.
                heapq.heapreplace(free, (start, p))
            if tf is not None:
                work *= tf(start)
            start, end, segments = calendars[p].finish(start, work)
            heapq.heapreplace(free, (end, p))
            starts.append(start)
            ends.append(end)
            for seg_start, seg_end in segments:
                busy_starts.append(seg_start)
                busy_ends.append(seg_end)
        return WagonSchedule(np.array(starts), np.array(ends), np.array(busy_starts), np.array(busy_ends))

    def _quiet_schedule(self, ready: float, works: list[float], work_array: np.ndarray) -> WagonSchedule | None:
        """The train's schedule when no point it uses is down, absent or slowed while it works
        there — most trains, as points fail every few hundred hours: the calendar recursion below
        then takes exactly these steps (the same heap of (free-from, point), the same floats),
        without its calendar calls. None, and the heap untouched, when some point is not open."""
        free = self._free.copy()
        replace = heapq.heapreplace
        starts: list[float] = []
        for work in works:
            at, p = free[0]
            start = at if at > ready else ready
            replace(free, (start + work, p))
            starts.append(start)
        before = {p: at for at, p in self._free}
        for at, p in free:
            first = before[p] if before[p] > ready else ready
            # a point whose free-from time moved took wagons from `first` until `at`
            if not self._start_calendars[p].open_throughout(first, at if at > before[p] else first):
                return None
        s = np.array(starts)
        if self._schedule is not None:
            factor, change = self._schedule.time_factor_at(starts[0]), self._schedule.next_change(starts[0])
            if factor != 1.0 or change <= starts[-1]:
                return None
        self._free = free
        e = s + work_array
        return WagonSchedule(s, e, s, e)
