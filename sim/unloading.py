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

from sim.calendar import Calendar
from sim.disruptions import TargetSchedule
from sim.distributions import Sampler


@dataclass
class WagonSchedule:
    starts: list[float]
    ends: list[float]
    busy: list[tuple[float, float]]  # open intervals actually worked, over all wagons


class UnloadingGroup:
    """A cargo's unloading points, each with its own calendar of downtime."""

    def __init__(
        self,
        points: int,
        wagon_time: Sampler,
        point_calendars: list[Calendar],
        schedule: TargetSchedule | None,
    ) -> None:
        if len(point_calendars) != points:
            raise ValueError("one calendar per point is needed")
        self.points = points
        self._wagon_time = wagon_time
        self._calendars = point_calendars
        self._schedule = schedule if schedule is not None and not schedule.empty else None
        self._all_open = all(c.always_open for c in point_calendars)
        # (free-from time, point index); a heap keyed by when each point can next take a wagon
        self._free: list[tuple[float, int]] = [(0.0, p) for p in range(points)]

    def schedule_train(self, ready: float, wagons: int) -> WagonSchedule:
        """Assign the train's wagons to points in queue order; return their start and end times."""
        free = self._free
        works = self._wagon_time.draw(wagons)
        starts: list[float] = []
        ends: list[float] = []
        busy: list[tuple[float, float]] = []
        tf = self._schedule.time_factor_at if self._schedule is not None else None
        if self._all_open and tf is None:
            # Fast path: no downtime anywhere; exactly the M/G/c FIFO recursion.
            for work in works:
                at, p = free[0]
                start = at if at > ready else ready
                end = start + work
                heapq.heapreplace(free, (end, p))
                starts.append(start)
                ends.append(end)
                busy.append((start, end))
            return WagonSchedule(starts, ends, busy)
        calendars = self._calendars
        for work in works:
            while True:
                at, p = free[0]
                earliest = at if at > ready else ready
                start = calendars[p].next_open(earliest)
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
            busy.extend(segments)
        return WagonSchedule(starts, ends, busy)
