"""One crossing's border backlog: wagons of each cargo at the border (held or in the yard) and not
yet unloaded, exact at any time.

A policy that watches the backlog (stop-loading, diversion) asks for it often. Counting the trains
in the system at each question would cost a pass over them; instead arrivals and departures keep a
running count per cargo, and each unloaded train's wagon ends wait in a heap (one entry per train,
not per wagon) to be taken off when a question comes after them. Kept only when a policy watches:
without one, nothing would take the ends off and the heap would grow by every wagon of the run.
"""

from __future__ import annotations

import heapq
import itertools
from bisect import bisect_right
from collections.abc import Callable


class BorderBacklog:
    """The running count per cargo index, and what unloading will take off it."""

    __slots__ = ("_order", "_pending", "count", "on_arrival", "tracked")

    def __init__(self, cargo: int) -> None:
        self.tracked = False  # a policy watches it (else `at` is not asked, and no ends are kept)
        self.on_arrival: Callable[[int], None] | None = None  # told the cargo of each arrival
        self.count = [0] * cargo  # arrived, less left, less the ends already taken off
        # trains with wagons still to unload: (next end, order, cargo index, wagon ends sorted, next's index)
        self._pending: list[tuple[float, int, int, list[float], int]] = []
        self._order = itertools.count()

    def track(self, on_arrival: Callable[[int], None] | None = None) -> None:
        """Keep the backlog exact from now on; tell `on_arrival` (when given) each arriving train's cargo."""
        self.tracked = True
        self.on_arrival = on_arrival or self.on_arrival

    def arrived(self, ci: int, wagons: int) -> None:
        self.count[ci] += wagons
        if self.on_arrival is not None:
            self.on_arrival(ci)

    def left(self, ci: int, wagons: int) -> None:
        """Wagons leave the border loaded (refused, or re-routed while held)."""
        self.count[ci] -= wagons

    def unloading(self, ci: int, ends: list[float]) -> None:
        """A train of cargo `ci` whose wagons are unloaded at `ends` (sorted)."""
        heapq.heappush(self._pending, (ends[0], next(self._order), ci, ends, 0))

    def at(self, ci: int, now: float) -> int:
        """Wagons of cargo `ci` at the border and not yet unloaded at `now` (not before the last question)."""
        pending = self._pending
        count = self.count
        while pending and pending[0][0] <= now:
            _, order, c, ends, i = pending[0]
            j = bisect_right(ends, now, i)  # this train's wagons unloaded by now
            count[c] -= j - i
            if j < len(ends):
                heapq.heapreplace(pending, (ends[j], order, c, ends, j))
            else:
                heapq.heappop(pending)
        return count[ci]
