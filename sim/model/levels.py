"""A piecewise-constant level over time (wagons in backlog, trains held), folded day by day.

The model reports dated +/- changes; at each day boundary the changes before it are sorted and
folded into per-day end, maximum and integral, a histogram of levels (time-weighted) and the
statistics-window totals, so memory depends on days, not on the number of changes.
"""

from __future__ import annotations

import numpy as np


class LevelSeries:
    """A piecewise-constant level (wagons in backlog, trains held) fed with dated +/- changes."""

    def __init__(self, n_days: int, histogram: bool) -> None:
        self.level = 0
        self.min_level = 0
        # changes not yet folded: single ones in lists, blocks (a train's wagon ends) as arrays
        self.times: list[float] = []
        self.deltas: list[int] = []
        self.blocks: list[tuple[np.ndarray, np.ndarray]] = []
        self.day_end = np.zeros(n_days)
        self.day_max = np.zeros(n_days)
        self.day_integral = np.zeros(n_days)
        self.integral = 0.0  # statistics window only
        self.maximum = 0
        self.hist: np.ndarray | None = np.zeros(256) if histogram else None
        self.last_segments: tuple[np.ndarray, np.ndarray] | None = None

    def add(self, t: float, delta: int) -> None:
        self.times.append(t)
        self.deltas.append(delta)

    def add_many(self, times: np.ndarray, deltas: np.ndarray) -> None:
        """Changes at `times` by `deltas` (int64 arrays of the same length; never modified)."""
        self.blocks.append((times, deltas))

    def flush(self, a: float, b: float, day: int, in_stats: bool) -> None:
        """Fold every change dated before b into the accumulators of period [a, b)."""
        if not (self.times or self.blocks):
            self._flush_constant(a, b, day, in_stats)
            return
        blocks = self.blocks
        if self.times:
            blocks.append((np.asarray(self.times), np.asarray(self.deltas, dtype=np.int64)))
            self.times, self.deltas = [], []
        ts = np.concatenate([t for t, _ in blocks])
        ds = np.concatenate([d for _, d in blocks])
        now = ts < b
        if now.all():
            self.blocks = []
        else:
            keep = ~now
            self.blocks = [(ts[keep], ds[keep])]
            ts, ds = ts[now], ds[now]
        # decreases before increases at equal times: no spurious peaks (the order of the
        # changes before sorting does not matter: equal (time, delta) pairs are interchangeable)
        order = np.lexsort((ds, ts))
        ts, ds = ts[order], ds[order]
        starts = np.concatenate(([a], ts))
        levels = np.concatenate(([self.level], self.level + np.cumsum(ds)))
        durations = np.diff(np.concatenate((starts, [b])))
        positive = durations > 0
        # A level that lasts no time is not a state of the system: with decreases sorted first,
        # wagons that arrive and are unloaded at the same instant would dip below the true level.
        lasting = levels[positive]
        self.last_segments = (starts[positive], lasting)
        end_level = int(levels[-1])
        any_lasting = len(lasting) > 0
        lo = int(lasting.min()) if any_lasting else end_level
        self.min_level = min(self.min_level, lo)
        day_max = int(lasting.max()) if any_lasting else end_level
        integral = float(np.dot(levels, durations))
        if 0 <= day < len(self.day_end):
            self.day_end[day] = end_level
            self.day_max[day] = max(self.day_max[day], day_max)
            self.day_integral[day] += integral
        if in_stats:
            self.integral += integral
            self.maximum = max(self.maximum, day_max)
            if self.hist is not None and any_lasting:
                lv = np.maximum(lasting, 0)
                top = int(lv.max())
                self._hist_up_to(top)[: top + 1] += np.bincount(lv, weights=durations[positive], minlength=top + 1)
        self.level = end_level

    def _flush_constant(self, a: float, b: float, day: int, in_stats: bool) -> None:
        """flush() of a period without changes (most days of the held-trains series): the same
        sums for the one level over [a, b), without building arrays."""
        level = self.level
        span = b - a
        self.last_segments = (np.array([a]), np.array([level]))
        self.min_level = min(self.min_level, level)
        integral = float(level) * span
        if 0 <= day < len(self.day_end):
            self.day_end[day] = level
            self.day_max[day] = max(self.day_max[day], level)
            self.day_integral[day] += integral
        if in_stats:
            self.integral += integral
            self.maximum = max(self.maximum, level)
            if self.hist is not None:
                lv = max(level, 0)
                self._hist_up_to(lv)[lv] += span

    def _hist_up_to(self, top: int) -> np.ndarray:
        """The level histogram, grown (doubling) so that index `top` exists."""
        assert self.hist is not None
        if top >= len(self.hist):
            grown = np.zeros(max(top + 1, 2 * len(self.hist)))
            grown[: len(self.hist)] = self.hist
            self.hist = grown
        return self.hist

    def level_before(self, t: float) -> int:
        """Level just before t, for t inside the period last flushed."""
        assert self.last_segments is not None
        starts, levels = self.last_segments
        i = max(int(np.searchsorted(starts, t, side="left")) - 1, 0)
        return int(levels[i])

    def first_at_or_below(self, threshold: int, after: float) -> float | None:
        """First time >= `after` in the period last flushed at which the level is <= threshold."""
        assert self.last_segments is not None
        starts, levels = self.last_segments
        i0 = max(int(np.searchsorted(starts, after, side="right")) - 1, 0)
        hits = np.nonzero(levels[i0:] <= threshold)[0]
        if not len(hits):
            return None
        return max(float(starts[i0 + hits[0]]), after)


def max_of_sum(x: LevelSeries, y: LevelSeries) -> int:
    """The largest level x + y held for a positive time in the period both last flushed (the
    maximum of a sum is not the sum of the maxima: wagons move from one to the other)."""
    if x.last_segments is None or y.last_segments is None:
        return x.level + y.level
    (sx, lx), (sy, ly) = x.last_segments, y.last_segments
    if not len(sx) or not len(sy):
        return x.level + y.level
    if len(sy) == 1:  # (most periods of a quiet series: one level throughout)
        return int(lx.max() + ly[0])
    starts = np.union1d(sx, sy)  # both cover the period from its start, so every piece has a level
    ix = np.searchsorted(sx, starts, side="right") - 1
    iy = np.searchsorted(sy, starts, side="right") - 1
    return int((lx[ix] + ly[iy]).max())
