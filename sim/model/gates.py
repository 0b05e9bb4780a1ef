"""Admission of trains into a stage: a priority queue in front of finite slots, a daily quota,
opening hours and disruption windows.

The line's daily cap, the yard's wagon capacity and each administrative check are all gates:
trains wait in order (priority, then arrival) and the head of the queue is admitted as soon as
every limit allows it. Nobody overtakes the head — a train that cannot fit blocks those behind
it, as on a single approach track.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable

import simpy

from sim.model.availability import Calendar
from sim.model.disruptions import TargetSchedule, scaled
from sim.model.waiting import CLOSED, FULL, QUOTA, StageLog
from sim.units import DAY, INF


class Gate:
    """Admits trains when slots, the day's quota and the calendar allow."""

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        *,
        slots: int | None = None,
        quota: int | None = None,
        calendar: Calendar | None = None,
        schedule: TargetSchedule | None = None,
        on_admit: Callable[[str, float, int], None] | None = None,
        log: StageLog | None = None,
    ) -> None:
        self.env = env
        self.name = name
        self.slots = slots
        self.quota = quota
        self.calendar = calendar or Calendar()
        self._always_open = self.calendar.always_open
        self.schedule = schedule
        self.in_use = 0
        self.max_in_use = 0
        self._day = -1
        self._admitted_today = 0
        self.admitted_per_day: dict[int, int] = {}
        self._queue: list[tuple[int, int, int, simpy.Event]] = []
        self._seq = 0
        self._wake_at = INF
        self._on_admit = on_admit
        self._log = log  # where trains wait (sim.model.waiting); told after every change of the queue
        if log is not None and not self._always_open:
            log.calendar = self.calendar
        self._why = -1   # why the head of the queue waits: CLOSED, QUOTA or FULL

    @property
    def waiting(self) -> int:
        return len(self._queue)

    def request(self, units: int, priority: int = 0, cls: int = 0) -> simpy.Event:
        """An event that fires when `units` are admitted (check `.triggered` to see if at once).

        `cls` (the cargo) matters only to a gate that shares its quota (sim.model.shares)."""
        event = self.env.event()
        self._seq += 1
        heapq.heappush(self._queue, (priority, self._seq, units, event))
        self._dispatch()
        return event

    def try_admit(self, units: int) -> bool:
        """Admit `units` at once, with no event, if nobody waits and every limit allows it now.

        The common case of a gate with room costs no simulation event; when False, call
        `request` (which queues the train exactly as before).
        """
        if self._queue:
            return False
        now = self.env.now
        day = self._start_day(now)
        if self._blocked_until(now, units) is not None:
            return False
        self._admit(units, now, day)
        return True

    def occupy(self, units: int, cls: int = 0) -> None:
        """Units in use from the start (a run starting from a reported state), past every limit.

        `cls` (the cargo) matters only to a yard that reserves room by cargo (sim.model.yard_shares)."""
        self.in_use += units
        self.max_in_use = max(self.max_in_use, self.in_use)

    def withdraw(self, event: simpy.Event) -> bool:
        """Take a waiting request out of the queue (its train goes elsewhere); True if it was waiting.

        The trains behind it may go now, so the gate looks again (and its log sees the shorter queue)."""
        for queue in self._waiting_queues():
            for i, entry in enumerate(queue):
                if entry[3] is event:
                    queue.pop(i)
                    heapq.heapify(queue)
                    self._dispatch()
                    return True
        return False

    def _waiting_queues(self) -> list[list[tuple[int, int, int, simpy.Event]]]:
        return [self._queue]

    def release(self, units: int, cls: int = 0) -> None:
        self.in_use -= units
        if self._queue:
            self._dispatch()

    # -- limits at time t --------------------------------------------------------------------
    def _capacity(self, base: int | None, t: float) -> float:
        if base is None:
            return INF
        if self.schedule is None:
            return base
        return scaled(base, self.schedule.capacity_at(t))

    def _start_day(self, now: float) -> int:
        """The day of `now`; a new day resets the quota count."""
        day = int(now // DAY)
        if day != self._day:
            self._day = day
            self._admitted_today = 0
        return day

    def _admit(self, units: int, now: float, day: int) -> None:
        self.in_use += units
        self.max_in_use = max(self.max_in_use, self.in_use)
        self._admitted_today += 1
        self.admitted_per_day[day] = self._admitted_today
        if self._on_admit is not None:
            self._on_admit(self.name, now, units)

    def _dispatch(self) -> None:
        now = self.env.now
        day = self._start_day(now)
        while self._queue:
            _, _, units, event = self._queue[0]
            wake = self._blocked_until(now, units)
            if wake is not None:
                self._wake(wake)
                break
            heapq.heappop(self._queue)
            self._admit(units, now, day)
            event.succeed(now)
        if self._log is not None:
            self._log.update(now, len(self._queue), self._why)

    def _blocked_until(self, now: float, units: int) -> float | None:
        """None if the head can go now; else the next time worth looking again (inf: on release)."""
        if not self._always_open and not self.calendar.is_open(now):
            self._why = CLOSED
            return self.calendar.next_open(now)
        change = self.schedule.next_change(now) if self.schedule is not None else INF
        if self.quota is not None and self._admitted_today >= self._capacity(self.quota, now):
            self._why = QUOTA
            return min((math.floor(now / DAY) + 1) * DAY, change)
        if self.slots is not None and self.in_use + units > self._capacity(self.slots, now):
            self._why = FULL
            return change  # a release also wakes us
        return None

    def _wake(self, at: float) -> None:
        if at == INF or (self._wake_at <= at and self._wake_at > self.env.now):
            return
        self._wake_at = at
        timer = self.env.timeout(at - self.env.now)
        timer.callbacks.append(self._on_wake)

    def _on_wake(self, _event: simpy.Event) -> None:
        if self.env.now >= self._wake_at:
            self._wake_at = INF
        self._dispatch()


class ClassQueuedGate(Gate):
    """A Gate with a queue per class (cargo), for gates that share a limit between cargo by weights
    (sim.model.shares, sim.model.yard_shares): a train waits in its cargo's queue, in order
    (priority, then arrival), and every admission goes through `request`, since it needs the cargo.
    A subclass sets `_queues` (one heap per class) and says what each class's share is: which heads
    are within it (`_within_share`), what to wait for when none is and none may borrow
    (`_share_spent`), and what an admission uses of it (`_count`)."""

    _queues: list[list[tuple[int, int, int, simpy.Event]]]
    share_unused: bool  # a head beyond its class's share may go when no head within its own waits
    borrowed: list[tuple[float, int]]  # every admission beyond the class's own share: (time, class)

    @property
    def waiting(self) -> int:
        return sum(len(q) for q in self._queues)

    def _waiting_queues(self) -> list[list[tuple[int, int, int, simpy.Event]]]:
        return self._queues

    def request(self, units: int, priority: int = 0, cls: int = 0) -> simpy.Event:
        event = self.env.event()
        self._seq += 1
        heapq.heappush(self._queues[cls], (priority, self._seq, units, event))
        self._dispatch()
        return event

    def try_admit(self, units: int) -> bool:
        return False  # every admission needs its cargo: always through request()

    def _dispatch(self) -> None:
        """Admit heads while every limit allows: a class within its share first, else (`share_unused`)
        any; among those, priority, then arrival; nobody overtakes the head chosen."""
        now = self.env.now
        day = self._start_day(now)
        queues = self._queues
        while self.waiting:
            if not self._always_open and not self.calendar.is_open(now):
                self._why = CLOSED
                self._wake(self.calendar.next_open(now))
                break
            change = self.schedule.next_change(now) if self.schedule is not None else INF
            own = self._within_share(now, change)
            if own is None:  # the whole gate's limit is reached (the reason and the wake-up are set)
                break
            pool = own or ([k for k, q in enumerate(queues) if q] if self.share_unused else [])
            if not pool:
                self._share_spent(now, change)
                break
            k = min(pool, key=lambda j: queues[j][0][:2])
            units = queues[k][0][2]
            if self.slots is not None and self.in_use + units > self._capacity(self.slots, now):
                self._why = FULL
                self._wake(change)  # a release also wakes us
                break
            _, _, _, event = heapq.heappop(queues[k])
            if not own:
                self.borrowed.append((now, k))
            self._count(k, units, day)
            self._admit(units, now, day)
            event.succeed(now)
        if self._log is not None:
            self._log.update(now, self.waiting, self._why)

    def _within_share(self, now: float, change: float) -> list[int] | None:
        """The classes whose head may go within its own share now; None if the gate's whole limit is
        reached (after setting why and when to look again)."""
        raise NotImplementedError

    def _share_spent(self, now: float, change: float) -> None:
        """Heads wait, and none may go: say why, and when to look again."""
        raise NotImplementedError

    def _count(self, cls: int, units: int, day: int) -> None:
        """A head of class `cls` with `units` was admitted on `day`: count it against its share."""
        raise NotImplementedError
