"""Where trains start: train records, the demand's monthly rate, and the origin of each cargo.

The origin holds trains requested but not yet loaded and forms them, in request order, when every
crossing's loading allows: not while stop-loading or a ban closes every crossing the cargo may go
to, not before enough empty wagons are back (a fleet), not faster than the loading rate
(sim.model.loading). Each train formed is routed to a crossing (sim.model.routing) and handed to
that crossing's journey.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import simpy

from sim.model.bans import OPEN, BanState
from sim.model.loading import LoadingBucket
from sim.model.recorder import Recorder
from sim.model.room_log import RoomLog
from sim.model.routing import Router
from sim.units import DAY, INF

#: hours after which an origin whose next train no crossing could take looks again
ROOM_RETRY = 1.0


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
    unloaded_by: np.ndarray | None = None  # each wagon's unloading end, once scheduled
    crossing: int = 0
    lane: int = 0  # the recorder's lane: crossing × number of cargo + cargo index
    deferred: bool = False  # its tonnes were counted as deferred once already
    waited_for_room: bool = False  # no crossing could take it once already (counted once)
    departed: float = math.nan  # when it set off for the border (nan: under way at the start)
    reroute: int = -1  # the crossing it is being re-routed to (sim.model.rerouting), while on its detour


@dataclass
class Trace:
    """Optional stage-by-stage log of every train, for tests and debugging (off by default)."""

    rows: list[tuple[int, str, str, str, float]] = field(default_factory=list)
    #: (train id, cargo, crossing index, requested at, formed at, wagons) of every train formed
    formations: list[tuple[int, str, int, float, float, int]] = field(default_factory=list)
    #: (train id, unloading stage, first wagon's start, last wagon's end, wagons) of every train scheduled
    unloadings: list[tuple[int, str, float, float, int]] = field(default_factory=list)
    #: (train id, crossing index, time) of every arrival at a border (a re-routed train's at each)
    arrivals: list[tuple[int, int, float]] = field(default_factory=list)
    #: (train id, wagons) of every refusal at a check (sim.model.rejects)
    refusals: list[tuple[int, int]] = field(default_factory=list)
    #: (train id, cargo, requested at, wagons) of every train lost at origin (halt or ban with lose)
    lost: list[tuple[int, str, float, int]] = field(default_factory=list)
    #: also a row per wagon's start and end: what the stories in the tests read; a train log (sim.analysis.
    #: train_log) needs only the lists above, and the wagons' rows would triple a replication's time
    per_wagon: bool = True

    #: the diagnostics' keys of the lists a train log reads (None in a run without a trace)
    LOGS = ("trace", "formations", "unloadings", "arrivals", "refusals", "lost")

    @staticmethod
    def logs(trace: Trace | None) -> dict[str, list[Any] | None]:
        """The lists for a run's diagnostics, under LOGS's keys."""
        if trace is None:
            return dict.fromkeys(Trace.LOGS)
        return {"trace": trace.rows, "formations": trace.formations, "unloadings": trace.unloadings,
                "arrivals": trace.arrivals, "refusals": trace.refusals, "lost": trace.lost}

    def __call__(self, train: Train, stage: str, what: str, t: float) -> None:
        self.rows.append((train.id, train.cargo, stage, what, t))

    def unloading(self, train: Train, stage: str, starts: np.ndarray, ends: np.ndarray) -> None:
        """A train's wagons are scheduled on the points from `starts` to `ends`."""
        if len(ends):
            self.unloadings.append((train.id, stage, float(starts.min()), float(ends.max()), len(ends)))
        if self.per_wagon:
            for start, end in zip(starts, ends):
                self(train, stage, "wagon", start)
                self(train, stage, "wagon_end", end)

    def refused(self, train: Train, stage: str, wagons: int, t: float) -> None:
        """`wagons` of the train refused at a check."""
        self(train, stage, "reject", t)
        self.refusals.append((train.id, wagons))


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
    """Where trains of one cargo are formed: halts and bans per crossing, the empty-wagon pool, the
    loading rate and the routing between crossings.

    `dispatch(train, crossing)` starts a formed train's journey; the origin knows nothing else of
    the crossings.
    """

    def __init__(self, env: simpy.Environment, recorder: Recorder, cargo: str, ci: int, payload_t: float,
                 fleet: int | None, dispatch: Callable[[Train, int], None], n_cargo: int = 1, n_crossings: int = 1,
                 router: Router | None = None, bucket: LoadingBucket | None = None,
                 trace: Trace | None = None) -> None:
        self.env = env
        self.recorder = recorder
        self.cargo = cargo
        self.ci = ci
        self.payload_t = payload_t
        self.dispatch = dispatch
        self.n_cargo = n_cargo
        self.queue: deque[Train] = deque()
        self.held_back: list[Train] = []  # skipped by a partial ban, loaded when it changes
        self.halted_at = [False] * n_crossings  # stop-loading, per crossing
        self.halted_since = [0.0] * n_crossings
        self.ban: list[BanState] = [OPEN] * n_crossings
        self._ban_picks = [0] * n_crossings
        self.open = [True] * n_crossings
        self.blocked = False  # no crossing can take a train of this cargo now
        self.empties: float = math.inf if fleet is None else fleet
        self.on_halt = "defer"
        self.generated_wagons = 0
        self.dropped_wagons = 0  # lost at formation by a partial ban
        self.formed_wagons = [0] * n_crossings
        self.router = router
        self.bucket = bucket
        self.trace = trace
        self._simple = n_crossings == 1 and bucket is None
        #: (crossing, cargo index, wagons) -> whether that crossing can take the train (sim.model.room)
        self.room: Callable[[int, int, int], bool] | None = None
        self.waiting_for_room = False  # the head of the queue could go nowhere when last tried
        self.room_log: RoomLog | None = None
        self.waited_for_room_wagons = 0
        self._timer_at = INF

    @property
    def halted(self) -> bool:
        """Halted by stop-loading (at the only crossing, or at every crossing)."""
        return all(self.halted_at)

    @property
    def queued_wagons(self) -> int:
        return sum(t.wagons for t in self.queue)

    @property
    def held_back_wagons(self) -> int:
        return sum(t.wagons for t in self.held_back)

    # -- what closes loading ----------------------------------------------------------------------
    def set_halted(self, crossing: int, halted: bool) -> None:
        self.halted_at[crossing] = halted
        self._update()

    def set_ban(self, crossing: int, state: BanState) -> None:
        """A new ban state from now on: partial-ban counts restart (a new constant-factor segment)."""
        self.ban[crossing] = state
        self._ban_picks[crossing] = 0
        if state is not OPEN:
            self._simple = False
        self._update()

    def _update(self) -> None:
        self.open = [not h and b.factor > 0 for h, b in zip(self.halted_at, self.ban)]
        self.blocked = not (self.router.routable(self.open) if self.router is not None else self.open[0])

    def _lose_when_blocked(self) -> bool:
        """Trains requested while nothing can be loaded are lost only if every closing cause says so."""
        weights = self.router.rr.weights if self.router is not None else None
        for x in range(len(self.halted_at)):
            if weights is not None and weights[x] <= 0:
                continue
            if self.halted_at[x] and self.on_halt != "lose":
                return False
            if self.ban[x].factor == 0 and not self.ban[x].lose:
                return False
        return True

    def restore_held_back(self) -> None:
        """Trains skipped by a partial ban go back to the front of the queue, in request order."""
        if self.held_back:
            self.queue.extendleft(reversed(self.held_back))
            self.held_back = []

    # -- requests and formation -------------------------------------------------------------------
    def demand(self, train: Train) -> None:
        now = self.env.now
        tonnes = train.wagons * self.payload_t
        if self.blocked:
            if self._lose_when_blocked():
                self.recorder.lost(self.ci, now, tonnes)
                if self.trace is not None:
                    self.trace.lost.append((train.id, self.cargo, train.demanded, train.wagons))
                return
            self.recorder.deferred(self.ci, now, tonnes)
            train.deferred = True
        self.generated_wagons += train.wagons
        self.recorder.generated(self.ci, now, train.wagons)
        self.queue.append(train)
        self.release()

    def release(self) -> None:
        if self._simple:
            while self.queue and not self.blocked and self.empties >= self.queue[0].wagons:
                train = self.queue.popleft()
                self.empties -= train.wagons
                self._form(train, 0)
            return
        self._release_general()

    def _release_general(self) -> None:
        now = self.env.now
        queue = self.queue
        bucket = self.bucket
        self.waiting_for_room = False  # (until the head is found to go nowhere again)
        while queue and not self.blocked:
            wagons = queue[0].wagons
            if self.empties < wagons:
                return
            if bucket is not None:
                wait = bucket.wait(now, wagons)
                if wait > 0:
                    self._wake(now + wait)
                    return
            x = self._route(queue[0]) if self.router is not None else 0
            if x < 0:  # no crossing open to the cargo can take the train now
                self._wait_for_room()
                return
            train = queue.popleft()
            ban = self.ban[x]
            if ban.factor < 1.0:
                m = self._ban_picks[x]
                self._ban_picks[x] = m + 1
                if math.floor((m + 1) * ban.factor + 1e-9) == math.floor(m * ban.factor + 1e-9):
                    self._skip(train, ban.lose)
                    continue
            self.empties -= wagons
            if bucket is not None:
                bucket.take(now, wagons)
            self._form(train, x)

    def _route(self, train: Train) -> int:
        """The train's crossing (sim.model.routing), seeing what each crossing can take."""
        assert self.router is not None
        room = self.room
        if room is None:
            return self.router.pick(self.open)
        ci, wagons = self.ci, train.wagons
        return self.router.pick(self.open, lambda x: room(x, ci, wagons))

    def _wait_for_room(self) -> None:
        """The queue stays at origin, each train counted once, and the origin looks again in ROOM_RETRY hours."""
        self.waiting_for_room = True
        now = self.env.now
        for train in self.queue:
            if not train.waited_for_room:
                train.waited_for_room = True
                self.waited_for_room_wagons += train.wagons
                if self.room_log is not None:
                    self.room_log.waited_for_room(self.ci, now, train.wagons)
        self._wake(now + ROOM_RETRY)

    def _skip(self, train: Train, lose: bool) -> None:
        """A train the partial ban does not let be loaded now: lost, or held back until it changes."""
        tonnes = train.wagons * self.payload_t
        if lose:
            self.dropped_wagons += train.wagons
            self.recorder.dropped(self.ci, self.env.now, tonnes)
            if self.trace is not None:
                self.trace.lost.append((train.id, self.cargo, train.demanded, train.wagons))
            return
        if not train.deferred:
            self.recorder.deferred(self.ci, self.env.now, tonnes)
            train.deferred = True
        self.held_back.append(train)

    def _form(self, train: Train, x: int) -> None:
        now = self.env.now
        if x:
            train.crossing = x
            train.lane = x * self.n_cargo + self.ci
        else:
            train.lane = self.ci
        self.formed_wagons[x] += train.wagons
        self.recorder.formed(train.lane, now, train.wagons)
        if self.trace is not None:
            self.trace.formations.append((train.id, self.cargo, x, train.demanded, now, train.wagons))
        self.dispatch(train, x)

    def _wake(self, at: float) -> None:
        """Look again at `at` (the loading rate allows the next train then); one timer at a time."""
        if self._timer_at <= at and self._timer_at > self.env.now:
            return
        self._timer_at = at
        timer = self.env.timeout(at - self.env.now)
        timer.callbacks.append(self._on_wake)

    def _on_wake(self, _event: simpy.Event) -> None:
        if self.env.now >= self._timer_at:
            self._timer_at = INF
        self.release()

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
