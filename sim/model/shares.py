"""A daily quota shared between cargo by weights, instead of served by strict priority.

In January 2024 the handover's quota was cut to 2 trains a day; by strict priority every slot went
to container trains and no grain passed. With `shares`, each cargo is allotted part of the day's
quota: cargo k's quota in force when the day's quota is Q is its count among the first Q picks of
a smooth weighted round-robin sequence (sim.model.routing) that carries on from day to day. The
count never falls as Q grows and the counts sum to Q, so a quota cut or raised during the day is
well defined; and because the sequence carries on, fractions carry across days: at 2 trains a day
and weights 1:2, grain gets 2 trains every 3 days (rounding each day would give it none).

Within its allotment a cargo's trains go in order (priority, then arrival): nobody overtakes the
head of their own cargo's queue. A slot a cargo leaves unused may be taken by another cargo whose
own allotment is spent (`share_unused`, default true), provided no cargo with allotment left has a
train waiting at that moment.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import simpy

from sim.model.availability import Calendar
from sim.model.disruptions import TargetSchedule
from sim.model.gates import ClassQueuedGate
from sim.model.routing import SmoothRoundRobin
from sim.model.waiting import QUOTA, StageLog
from sim.units import DAY


class SharedQuotaGate(ClassQueuedGate):
    """A Gate whose daily quota is apportioned between classes (cargo) by weights."""

    def __init__(self, env: simpy.Environment, name: str, weights: Sequence[float], share_unused: bool, *,
                 slots: int | None = None, quota: int, calendar: Calendar | None = None,
                 schedule: TargetSchedule | None = None, log: StageLog | None = None) -> None:
        super().__init__(env, name, slots=slots, quota=quota, calendar=calendar, schedule=schedule, log=log)
        self._day = 0  # the sequence starts on day 0, whenever the first train comes
        self.share_unused = share_unused
        self._rr = SmoothRoundRobin(weights)  # the sequence's state at the start of the current day
        self._queues: list[list[tuple[int, int, int, simpy.Event]]] = [[] for _ in weights]
        self._used = [0] * len(weights)
        self._prefix: list[list[int]] = [[0] * len(weights)]  # counts after q picks of today's sequence
        #: per class and day: trains admitted (for tests and diagnostics)
        self.admitted_by_class: list[dict[int, int]] = [{} for _ in weights]
        #: every admission beyond the class's own allotment: (time, class)
        self.borrowed: list[tuple[float, int]] = []

    def release(self, units: int, cls: int = 0) -> None:
        self.in_use -= units
        if self.waiting:
            self._dispatch()

    def allotment(self, quota: int) -> list[int]:
        """Each class's quota in force today when the day's quota is `quota`."""
        prefix = self._prefix
        if quota >= len(prefix):
            rr = self._rr.copy()
            for _ in range(len(prefix) - 1):
                rr.pick()
            while len(prefix) <= quota:
                counts = list(prefix[-1])
                k = rr.pick()
                if k >= 0:
                    counts[k] += 1
                prefix.append(counts)
        return prefix[quota]

    def _start_day(self, now: float) -> int:
        day = int(now // DAY)
        if day != self._day:
            if self._day >= 0:
                for d in range(self._day, day):  # carry the sequence over each day gone by
                    for _ in range(self._day_quota(d)):
                        self._rr.pick()
            self._day = day
            self._admitted_today = 0
            self._used = [0] * len(self._used)
            self._prefix = [[0] * len(self._used)]
        return day

    def _day_quota(self, day: int) -> int:
        """The day's quota when it begins: how far the sequence moves on that day."""
        q = self._capacity(self.quota, day * DAY)
        return int(q) if math.isfinite(q) else 0

    def _within_share(self, now: float, change: float) -> list[int] | None:
        quota = int(self._capacity(self.quota, now))
        if self._admitted_today >= quota:
            self._share_spent(now, change)
            return None
        allot = self.allotment(quota)
        return [k for k, q in enumerate(self._queues) if q and self._used[k] < allot[k]]

    def _share_spent(self, now: float, change: float) -> None:
        """Trains wait, but the day's quota (or their cargo's allotment of it) is used up."""
        self._why = QUOTA
        self._wake(min((math.floor(now / DAY) + 1) * DAY, change))

    def _count(self, cls: int, units: int, day: int) -> None:
        self._used[cls] += 1
        self.admitted_by_class[cls][day] = self._used[cls]
