"""What a crossing can take: the limit on trains sent to it beyond its own share.

A divert rule, or a halt or ban at one crossing, sends trains to another. That other crossing can
take a train of cargo c with w wagons at time t when all of these hold:

- its daily quotas are not used up by the trains already sent to it today: for its line's
  `max_trains_per_day` and for each check's `trains_per_day` that c passes (each as scaled by the
  disruptions in force at t), the trains formed for (or re-routed to) the crossing since midnight
  that pass that stage number fewer than the quota;
- its yard has room for the train: capacity_wagons (as scaled at t) minus the wagons in the yard,
  held at its border, on its line (or waiting to enter it) and on a detour towards it is at least w.

Whether loading for the crossing is open to c (no stop-loading halt there, no ban) is the origin's
to know (sim.model.origin); a closed crossing takes nothing. A crossing without quotas or yard
capacity can take any train.
"""

from __future__ import annotations

from sim.model.views import CrossingView
from sim.units import DAY


class Room:
    """Trains sent to one crossing today, and whether it can take one more."""

    __slots__ = ("_day", "crossing", "incoming_wagons", "sent")

    def __init__(self, crossing: CrossingView) -> None:
        self.crossing = crossing
        self.sent = [0] * len(crossing.cargo)  # trains per cargo sent since midnight of `_day`
        self._day = 0
        self.incoming_wagons = 0  # on a detour towards this crossing (sim.model.rerouting)

    def _today(self, now: float) -> list[int]:
        day = int(now // DAY)
        if day != self._day:
            self._day = day
            self.sent = [0] * len(self.sent)
        return self.sent

    def count(self, ci: int, now: float) -> None:
        """A train of cargo ci was sent to the crossing now."""
        self._today(now)[ci] += 1

    def can_take(self, ci: int, wagons: int, now: float) -> bool:
        """Whether the crossing can take a train of cargo ci with `wagons` wagons now (see above)."""
        x = self.crossing
        sent = self._today(now)
        quota = x.spec.line.max_trains_per_day
        if quota is not None and sum(sent) >= x.line_gate._capacity(quota, now):
            return False
        cargo = x.cargo[ci]
        for stage in x.checks:
            check = stage.check
            only = check.cargo
            if check.trains_per_day is None or stage.gate is None or (only is not None and cargo not in only):
                continue
            passing = sum(n for k, n in enumerate(sent) if only is None or x.cargo[k] in only)
            if passing >= stage.gate._capacity(check.trains_per_day, now):
                return False
        capacity = x.spec.yard.capacity_wagons
        if capacity is not None:
            committed = x.yard_gate.in_use + x.held_wagons + sum(x.on_line_wagons) + self.incoming_wagons
            if x.yard_gate._capacity(capacity, now) - committed < wagons:
                return False
        return True
