"""Where trains wait: the queue in front of one gated stage and why its head cannot enter, by day.

A gate (sim.model.gates) reports after every change of its queue the number of trains waiting and,
when someone waits, why the train at the head cannot enter: the stage is closed (working hours or
a disruption with capacity 0), its daily quota is used up, or it is full (slots or yard room,
scaled by any disruption). When several hold at once, the first in that order is named: time a
head waits for a slot or the quota while the stage is also closed counts as closed (the log splits
such spans by the stage's calendar, since a gate does not look again when its working hours end). The log
folds these piecewise-constant states into per-day integrals, maxima and end values as time moves
on, in O(1) per report (times never go back), so it adds no per-day array work to the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.units import DAY

if TYPE_CHECKING:
    from sim.model.availability import Calendar

CLOSED, QUOTA, FULL = 0, 1, 2
#: Why the head of a queue waits, in the order the gate checks (index = CLOSED, QUOTA, FULL).
REASONS = ("closed", "quota", "full")


class StageLog:
    """Daily queue length (mean, max, end) and hours blocked by each reason, for one stage."""

    __slots__ = ("_day", "_day_end", "_q", "_reason", "_t", "blocked_h", "calendar", "n_days", "name",
                 "queue_end", "queue_integral", "queue_max")

    def __init__(self, name: str, n_days: int) -> None:
        self.name = name
        self.n_days = n_days
        self.queue_integral = [0.0] * n_days   # train-hours waiting, per day
        self.queue_max = [0] * n_days          # most trains waiting for a positive time
        self.queue_end = [0] * n_days          # trains waiting at the end of the day
        self.blocked_h = [[0.0] * n_days for _ in REASONS]  # hours the head waited, per reason
        self._q = 0
        self._reason = -1                      # -1: nobody waits
        self._t = 0.0
        self._day = 0
        self._day_end = DAY
        self.calendar: Calendar | None = None  # the stage's open time, when it is not always open

    def update(self, t: float, waiting: int, reason: int) -> None:
        """From time t on, `waiting` trains wait, the head because of `reason` (-1 when none wait)."""
        if not waiting:
            reason = -1
        if waiting == self._q and reason == self._reason:
            return  # nothing changed: the state is folded at the next change
        start = self._t
        if t > start:
            if t < self._day_end:  # the common case, inline: the same day as the last change
                q = self._q
                if q:
                    day = self._day
                    span = t - start
                    self.queue_integral[day] += q * span
                    if q > self.queue_max[day]:
                        self.queue_max[day] = q
                    if self._reason >= 0:
                        self._blocked(day, start, t, self._reason)
                self._t = t
            else:
                self._advance(t)
        self._q = waiting
        self._reason = reason

    def _advance(self, t: float) -> None:
        """Fold the state held since the last report up to time t into the days it spans."""
        q, reason, start = self._q, self._reason, self._t
        while True:
            day, end = self._day, min(t, self._day_end)
            span = end - start
            if day < self.n_days and span > 0:
                self.queue_integral[day] += q * span
                if q > self.queue_max[day]:
                    self.queue_max[day] = q
                if reason >= 0:
                    self._blocked(day, start, end, reason)
            if t < self._day_end:
                break
            if day < self.n_days:
                self.queue_end[day] = q
            start = self._day_end
            self._day += 1
            self._day_end += DAY
        self._t = t

    def _blocked(self, day: int, start: float, end: float, reason: int) -> None:
        """Add [start, end) to the day's hours held back by `reason`, the closed parts as CLOSED."""
        cal = self.calendar
        if reason == CLOSED or cal is None:
            self.blocked_h[reason][day] += end - start
            return
        t = start
        while t < end:
            if cal.is_open(t):
                stop = min(cal.open_until(t), end)
                self.blocked_h[reason][day] += stop - t
            else:
                stop = min(cal.next_open(t), end)
                self.blocked_h[CLOSED][day] += stop - t
            t = stop

    def finish(self, horizon: float) -> dict[str, np.ndarray]:
        """Per-day arrays up to `horizon`: queue mean/max/end (trains) and hours blocked by each reason."""
        self._advance(horizon)
        if self._day < self.n_days:  # the last, partial day ends at the horizon
            self.queue_end[self._day] = self._q
        hours = np.minimum(horizon - np.arange(self.n_days) * DAY, DAY)
        out = {
            "queue_mean": np.asarray(self.queue_integral) / hours,
            "queue_max": np.asarray(self.queue_max, dtype=float),
            "queue_end": np.asarray(self.queue_end, dtype=float),
        }
        for i, reason in enumerate(REASONS):
            out[f"blocked_{reason}_h"] = np.asarray(self.blocked_h[i])
        return out
