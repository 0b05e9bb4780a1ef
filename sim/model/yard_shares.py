"""A yard whose room is reserved between cargo by weights, instead of filled by strict priority.

In January 2024 the handover took 2 trains a day. Sharing the handover's quota (sim.model.shares)
is not enough: by strict priority every train that left the yard was replaced by a container train,
so the yard filled with containers, grain was held short of it and never reached the handover whose
slots it was allotted. With `yard.shares`, cargo k has a reserved room of floor(C · w_k) wagons, C
being the yard's capacity in force (disruptions included) and w_k its normalised weight.

A waiting train is *entitled* when its cargo has a weight above 0 and the train fits in what is left
of its cargo's reserved room (or its cargo has nothing in the yard, so a reservation smaller than a
train still lets one train in). Among the heads of the cargo queues (priority, then arrival), an
entitled one goes first; only when no entitled train waits may a train use room reserved for
another cargo (`share_unused`, default true). The train chosen enters when the yard has room; until
then nobody overtakes it. Nothing is ever pushed out: a cargo that borrowed room keeps it until its
trains leave, and room that frees goes first to a cargo below its reservation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction

import simpy

from sim.model.availability import Calendar
from sim.model.disruptions import TargetSchedule
from sim.model.gates import ClassQueuedGate
from sim.model.routing import as_fraction
from sim.model.waiting import FULL, StageLog


class SharedYardGate(ClassQueuedGate):
    """A Gate on wagons (the yard's room) reserved between classes (cargo) by weights."""

    def __init__(self, env: simpy.Environment, name: str, weights: Sequence[float], share_unused: bool, *,
                 slots: int, calendar: Calendar | None = None, schedule: TargetSchedule | None = None,
                 log: StageLog | None = None) -> None:
        super().__init__(env, name, slots=slots, calendar=calendar, schedule=schedule, log=log)
        fractions = [as_fraction(w) for w in weights]
        total = sum(fractions, Fraction(0))
        self.weights = [w / total for w in fractions]
        self.share_unused = share_unused
        self.occupied = [0] * len(weights)  # wagons of each class in the yard
        self.max_occupied = [0] * len(weights)
        self._queues: list[list[tuple[int, int, int, simpy.Event]]] = [[] for _ in weights]
        #: every admission beyond the class's reserved room: (time, class)
        self.borrowed: list[tuple[float, int]] = []

    def reserved(self, t: float) -> list[int]:
        """Each class's reserved room (wagons) at time t."""
        room = self._capacity(self.slots, t)
        if math.isinf(room):
            return [MAX_ROOM] * len(self.weights)
        return [math.floor(room * w) for w in self.weights]

    def occupy(self, units: int, cls: int = 0) -> None:
        super().occupy(units)
        self._take(cls, units)

    def release(self, units: int, cls: int = 0) -> None:
        self.in_use -= units
        self.occupied[cls] -= units
        if self.waiting:
            self._dispatch()

    def _take(self, cls: int, units: int) -> None:
        self.occupied[cls] += units
        self.max_occupied[cls] = max(self.max_occupied[cls], self.occupied[cls])

    def _entitled(self, k: int, units: int, reserved: list[int]) -> bool:
        return self.weights[k] > 0 and (self.occupied[k] == 0 or self.occupied[k] + units <= reserved[k])

    def _within_share(self, now: float, change: float) -> list[int] | None:
        reserved = self.reserved(now)
        return [k for k, q in enumerate(self._queues) if q and self._entitled(k, q[0][2], reserved)]

    def _share_spent(self, now: float, change: float) -> None:
        """Every waiting cargo has filled its reserved room."""
        self._why = FULL
        self._wake(change)  # a release also wakes us

    def _count(self, cls: int, units: int, day: int) -> None:
        self._take(cls, units)


#: the reserved room of a yard without a capacity (never the binding limit)
MAX_ROOM = 2**62
