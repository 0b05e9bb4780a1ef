"""When a resource can work: daily working hours and closed windows, and work that pauses between.

Checks that work daytime only, targets closed by a disruption (capacity 0) and unloading points
that are broken down all reduce to the same question — given a start time and an amount of work,
when is it done? Answering it in closed form lets the model schedule a whole task with one event.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable

from sim.units import DAY, INF


def merge_windows(windows: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sorted, non-overlapping union of (start, end) windows; empty windows dropped."""
    out: list[tuple[float, float]] = []
    for start, end in sorted(w for w in windows if w[1] > w[0]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


class Calendar:
    """Open time of one resource: optional daily hours (open, close), minus closed windows."""

    __slots__ = ("_starts", "closed", "hours")

    def __init__(
        self, hours: tuple[float, float] | None = None, closed: Iterable[tuple[float, float]] = ()
    ) -> None:
        self.hours = hours
        self.closed = merge_windows(closed)
        self._starts = [w[0] for w in self.closed]

    @property
    def always_open(self) -> bool:
        return self.hours is None and not self.closed

    # -- daily hours -------------------------------------------------------------------------
    def _hours_open(self, t: float) -> bool:
        if self.hours is None:
            return True
        opens, closes = self.hours
        tod = t % DAY
        if opens < closes:
            return opens <= tod < closes
        return tod >= opens or tod < closes

    def _hours_next_open(self, t: float) -> float:
        if self._hours_open(t):
            return t
        opens, _ = self.hours  # type: ignore[misc]
        day0 = math.floor(t / DAY) * DAY
        candidate = day0 + opens
        return candidate if candidate >= t else candidate + DAY

    def _hours_close_after(self, t: float) -> float:
        """Given open at t, when the daily hours next close."""
        if self.hours is None:
            return INF
        opens, closes = self.hours
        day0 = math.floor(t / DAY) * DAY
        candidate = day0 + (closes if closes <= DAY else DAY)
        if opens > closes and t % DAY >= opens:
            candidate = day0 + DAY + closes
        return candidate if candidate > t else candidate + DAY

    # -- windows -----------------------------------------------------------------------------
    def _window_containing(self, t: float) -> int:
        i = bisect_right(self._starts, t) - 1
        if i >= 0 and t < self.closed[i][1]:
            return i
        return -1

    def _next_window_start(self, t: float) -> float:
        i = bisect_right(self._starts, t)
        return self._starts[i] if i < len(self._starts) else INF

    # -- public ------------------------------------------------------------------------------
    def is_open(self, t: float) -> bool:
        return self._hours_open(t) and self._window_containing(t) < 0

    def next_open(self, t: float) -> float:
        """The earliest time >= t at which the resource is open."""
        if self.hours is None:  # closed windows only (unloading points): one bisection
            i = bisect_right(self._starts, t) - 1
            return self.closed[i][1] if i >= 0 and t < self.closed[i][1] else t
        while True:
            t1 = self._hours_next_open(t)
            i = self._window_containing(t1)
            if i < 0:
                return t1
            t = self.closed[i][1]

    def open_throughout(self, start: float, end: float) -> bool:
        """Whether the resource is open at `start` and stays open until `end` (a window may begin
        at `end`). Answered for closed windows only; with daily hours, False unless always open."""
        if self.hours is not None:
            return self.always_open
        i = bisect_right(self._starts, start) - 1
        if i >= 0 and start < self.closed[i][1]:
            return False
        return i + 1 >= len(self._starts) or self._starts[i + 1] >= end

    def open_until(self, t: float) -> float:
        """Given open at t, when it next closes (inf if never)."""
        return min(self._hours_close_after(t), self._next_window_start(t))

    def finish(self, t: float, work: float) -> tuple[float, float, list[tuple[float, float]]]:
        """Start at the first open time >= t and work `work` hours of open time.

        Returns (start, end, busy segments). Segments are the open intervals actually worked.
        """
        if self.hours is None:
            return self._finish_between_windows(t, work)
        start = t = self.next_open(t)
        if self.always_open:
            return start, start + work, [(start, start + work)]
        segments: list[tuple[float, float]] = []
        remaining = work
        while True:
            stop = self.open_until(t)
            if t + remaining <= stop:
                segments.append((t, t + remaining))
                return start, t + remaining, segments
            if stop > t:
                segments.append((t, stop))
                remaining -= stop - t
            t = self.next_open(stop)

    def _finish_between_windows(self, t: float, work: float) -> tuple[float, float, list[tuple[float, float]]]:
        """`finish` without daily hours: walk the merged closed windows from a bisection.

        The same arithmetic in the same order as the general loop (so the same floats), without
        its calls: this runs once per wagon unloaded on points that break down (issue 17, item 1).
        """
        starts, closed = self._starts, self.closed
        n = len(starts)
        i = bisect_right(starts, t)
        if i and t < closed[i - 1][1]:
            t = closed[i - 1][1]  # inside window i-1; merged windows: the next one starts after its end
        start = t
        segments: list[tuple[float, float]] = []
        remaining = work
        while True:
            stop = starts[i] if i < n else INF
            if t + remaining <= stop:
                segments.append((t, t + remaining))
                return start, t + remaining, segments
            if stop > t:
                segments.append((t, stop))
                remaining -= stop - t
            t = closed[i][1]
            i += 1
