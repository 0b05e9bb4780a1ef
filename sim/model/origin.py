"""Where trains start: train records, the demand's monthly rate, and the origin of each cargo.

The origin holds trains requested but not yet loaded (stop-loading halts them; a fleet makes them
wait for empty wagons) and hands each loaded train to the crossing's journey.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import simpy

from sim.model.recorder import Recorder
from sim.units import DAY


@dataclass(slots=True)
class Train:
    """A train of `wagons` wagons of one cargo, from its request at origin to its last wagon unloaded."""

    id: int
    cargo: str
    ci: int
    wagons: int
    priority: int
    demanded: float
    border_arrival: float = math.nan
    unloaded_by: list[float] = field(default_factory=list)


@dataclass
class Trace:
    """Optional stage-by-stage log of every train, for tests and debugging (off by default)."""

    rows: list[tuple[int, str, str, str, float]] = field(default_factory=list)

    def __call__(self, train: Train, stage: str, what: str, t: float) -> None:
        self.rows.append((train.id, train.cargo, stage, what, t))


class RateSegment(NamedTuple):
    """Trains requested per hour from `start` to `end` (hours since the scenario's start)."""

    start: float
    end: float
    trains_per_hour: float


def month_segments(start: dt.date, horizon: float) -> list[tuple[float, float, int]]:
    """(from hour, to hour, month 0-11) for every calendar month overlapping [0, horizon)."""
    out = []
    y, m = start.year, start.month
    t0 = 0.0
    first_day = start.day
    while t0 < horizon:
        days_in_month = _cal.monthrange(y, m)[1]
        length = (days_in_month - first_day + 1) * DAY
        out.append((t0, t0 + length, m - 1))
        t0 += length
        first_day = 1
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class Origin:
    """Where trains of one cargo are formed: the stop-loading switch and the empty-wagon pool.

    `dispatch(train)` starts a loaded train's journey (the crossing's); the origin knows nothing else
    of the crossing.
    """

    def __init__(self, env: simpy.Environment, recorder: Recorder, cargo: str, ci: int, payload_t: float,
                 fleet: int | None, dispatch: Callable[[Train], None]) -> None:
        self.env = env
        self.recorder = recorder
        self.cargo = cargo
        self.ci = ci
        self.payload_t = payload_t
        self.dispatch = dispatch
        self.queue: deque[Train] = deque()
        self.halted = False
        self.halted_since = 0.0
        self.empties: float = math.inf if fleet is None else fleet
        self.on_halt = "defer"
        self.generated_wagons = 0

    @property
    def queued_wagons(self) -> int:
        return sum(t.wagons for t in self.queue)

    def demand(self, train: Train) -> None:
        now = self.env.now
        tonnes = train.wagons * self.payload_t
        if self.halted:
            if self.on_halt == "lose":
                self.recorder.lost(self.ci, now, tonnes)
                return
            self.recorder.deferred(self.ci, now, tonnes)
        self.generated_wagons += train.wagons
        self.recorder.generated(self.ci, now, train.wagons)
        self.queue.append(train)
        self.release()

    def release(self) -> None:
        while self.queue and not self.halted and self.empties >= self.queue[0].wagons:
            train = self.queue.popleft()
            self.empties -= train.wagons
            self.dispatch(train)

    def returned(self, wagons: int) -> None:
        self.empties += wagons
        self.release()


def demand_segments(start: dt.date, horizon: float, trains_per_day: float | None, tonnes_per_year: float | None,
                    profile: list[float], tonnes_per_train: float) -> list[RateSegment]:
    """The request rate of one cargo as constant pieces: one piece for a fixed number of trains a
    day; one per calendar month for annual tonnes spread by the monthly profile."""
    if trains_per_day is not None:
        return [RateSegment(0.0, math.inf, trains_per_day / DAY)]
    assert tonnes_per_year is not None
    segments = []
    for a, b, month in month_segments(start, horizon):
        tonnes = tonnes_per_year * profile[month] / 12
        segments.append(RateSegment(a, b, tonnes / tonnes_per_train / (_days_in_month(start, a) * DAY)))
    return segments


def _days_in_month(start: dt.date, hour: float) -> int:
    day = start + dt.timedelta(hours=hour)
    return _cal.monthrange(day.year, day.month)[1]
