"""A piecewise-constant level over time (wagons in backlog, trains held), folded by periods of days.

The model reports dated +/- changes; at each fold (sim.model.periods) the changes before its end are
sorted and folded into per-day end, maximum and integral, a histogram of levels (time-weighted) and
the statistics-window totals, so memory depends on days, not on the number of changes.
"""

from __future__ import annotations

import numpy as np

from sim.model.periods import Period


class LevelSeries:
    """A piecewise-constant level (wagons in backlog, trains held) fed with dated +/- changes."""

    def __init__(self, n_days: int, histogram: bool) -> None:
        self.level = 0
        self.min_level = 0
        # changes not yet folded: single ones in lists (and what the last fold left of them for
        # later, as arrays in time order), and runs of -1 each (wagons unloaded) as sorted arrays
        self.times: list[float] = []
        self.deltas: list[int] = []
        self.later: tuple[np.ndarray, np.ndarray] | None = None
        self.decrements: list[np.ndarray] = []
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

    def add_decrements(self, times: np.ndarray) -> None:
        """A change of -1 at each of `times`, sorted (the wagons a lane unloaded, sorted once for
        every series it feeds; the array is never modified)."""
        self.decrements.append(times)

    def _singles(self, b: float) -> tuple[np.ndarray, np.ndarray]:
        """The single changes dated before b, in time order; the rest are kept for later."""
        later = self.later
        ts, ds = np.asarray(self.times, dtype=float), np.asarray(self.deltas, dtype=np.int64)
        self.times, self.deltas = [], []
        if later is not None:
            ts, ds = np.concatenate((later[0], ts)), np.concatenate((later[1], ds))
        if len(ts) > 1:
            order = np.argsort(ts, kind="stable")  # (reported in time order: a check, in linear time)
            ts, ds = ts[order], ds[order]
        cut = int(np.searchsorted(ts, b, side="left"))
        self.later = (ts[cut:], ds[cut:]) if cut < len(ts) else None
        return ts[:cut], ds[:cut]

    def _unloaded(self, b: float) -> np.ndarray:
        """The -1 changes dated before b, sorted (merging sorted runs: linear time); the rest are kept."""
        now, kept = [], []
        for run in self.decrements:
            cut = int(np.searchsorted(run, b, side="left"))
            if cut:
                now.append(run[:cut])
            if cut < len(run):
                kept.append(run[cut:])
        self.decrements = kept
        if len(now) == 1:
            return now[0]
        return np.sort(np.concatenate(now), kind="stable") if now else np.zeros(0)

    def fold(self, period: Period) -> None:
        """Fold every change dated before the period's end into the accumulators of its days."""
        if not (self.times or self.later is not None or self.decrements):
            self._fold_constant(period)
            return
        a, b = period.start, period.end
        ts, ds = self._singles(b)
        m = period.pieces
        if m > 1:
            # each midnight inside the period as a change of 0, so that every piece of the level
            # lies within one day
            inner = period.edges[1:-1]
            ts = np.concatenate((ts, inner))
            ds = np.concatenate((ds, np.zeros(len(inner), dtype=np.int64)))
            order = np.argsort(ts, kind="stable")
            ts, ds = ts[order], ds[order]
        # In time order. Changes at the same instant may come in any order: the levels between them
        # last no time and are dropped, and a level that lasts no time is not a state of the system
        # (with decreases first, wagons that arrive and are unloaded at the same instant would dip
        # below the true level). The wagons unloaded, sorted already, are merged with the rest: the
        # other changes go where they fall among them, and every other place is a -1.
        unloaded = self._unloaded(b)
        if len(unloaded):
            at = np.searchsorted(unloaded, ts, side="right") + np.arange(len(ts))
            ts = np.sort(np.concatenate((unloaded, ts)), kind="stable")
            changes = np.full(len(ts), -1, dtype=np.int64)
            changes[at] = ds
            ds = changes
        starts = np.concatenate(([a], ts))
        levels = np.concatenate(([self.level], self.level + np.cumsum(ds)))
        durations = np.diff(np.concatenate((starts, [b])))
        positive = durations > 0
        lasting = levels[positive]
        lasting_starts = starts[positive]
        lasting_durations = durations[positive]
        self.last_segments = (lasting_starts, lasting)
        self.min_level = min(self.min_level, int(lasting.min()))
        if m == 1:
            ends = levels[-1:]
            tops = lasting.max(keepdims=True)
            integrals = np.array([float(np.dot(lasting, lasting_durations))])
        else:
            # every day has a lasting piece: the pieces of the level tile the period
            first = period.firsts(lasting_starts)
            piece = period.pieces_of_sorted(first, len(lasting_starts))
            tops = np.maximum.reduceat(lasting, first)
            integrals = np.bincount(piece, weights=lasting * lasting_durations, minlength=m)
            ends = levels[np.searchsorted(starts, period.edges[1:], side="left") - 1]
        period.set_days(self.day_end, ends)
        period.max_into_days(self.day_max, tops)
        period.add_to_days(self.day_integral, integrals)
        if period.in_stats:
            self.integral += float(integrals.sum())
            self.maximum = max(self.maximum, int(tops.max()))
            if self.hist is not None:
                lv = np.maximum(lasting, 0)
                top = int(lv.max())
                self._hist_up_to(top)[: top + 1] += np.bincount(lv, weights=lasting_durations, minlength=top + 1)
        self.level = int(levels[-1])

    def _fold_constant(self, period: Period) -> None:
        """fold() of a period without changes (most days of the held-trains series): the same
        sums for the one level, without sorting."""
        level = self.level
        spans = np.diff(period.edges)
        self.last_segments = (period.edges[:1], np.array([level]))
        self.min_level = min(self.min_level, level)
        integrals = float(level) * spans
        period.set_days(self.day_end, np.full(period.pieces, float(level)))
        period.max_into_days(self.day_max, np.full(period.pieces, float(level)))
        period.add_to_days(self.day_integral, integrals)
        if period.in_stats:
            self.integral += float(integrals.sum())
            self.maximum = max(self.maximum, level)
            if self.hist is not None:
                lv = max(level, 0)
                self._hist_up_to(lv)[lv] += period.end - period.start

    def _hist_up_to(self, top: int) -> np.ndarray:
        """The level histogram, grown (doubling) so that index `top` exists: its length depends on
        the highest level only, not on how the run was folded."""
        assert self.hist is not None
        if top >= len(self.hist):
            size = len(self.hist)
            while size <= top:
                size *= 2
            grown = np.zeros(size)
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


def max_of_sum(x: LevelSeries, y: LevelSeries, period: Period) -> np.ndarray:
    """Per piece of the period both last folded, the largest level x + y held for a positive time
    (the maximum of a sum is not the sum of the maxima: wagons move from one to the other)."""
    m = period.pieces
    if x.last_segments is None or y.last_segments is None:
        return np.full(m, x.level + y.level)
    (sx, lx), (sy, ly) = x.last_segments, y.last_segments
    if len(sy) > len(sx):  # (x + y = y + x: y is the series with fewer changes)
        (sx, lx), (sy, ly) = (sy, ly), (sx, lx)
    if m == 1 and len(sy) == 1:  # (most periods of a quiet series: one level throughout)
        return np.array([lx.max() + ly[0]])
    # The sum changes only where x or y does (both cover the period from its start): its levels are
    # those at the starts of x's segments, of y's and of the pieces. Along x, y's level is found by
    # a search among y's few starts; no merged list of every start is built.
    along_x = lx + ly[np.searchsorted(sy, sx, side="right") - 1]
    others = sy if m == 1 else np.concatenate((sy, period.edges[:-1]))
    at_others = lx[np.searchsorted(sx, others, side="right") - 1] + ly[np.searchsorted(sy, others, side="right") - 1]
    if m == 1:
        return np.array([max(along_x.max(), at_others.max())])
    tops = np.full(m, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(tops, period.piece_of(others), at_others)
    first = period.firsts(sx)
    if first[-1] < len(sx) and bool((first[1:] > first[:-1]).all()):  # x starts in every piece
        np.maximum(tops, np.maximum.reduceat(along_x, first), out=tops)
    else:
        np.maximum.at(tops, period.piece_of(sx), along_x)
    return tops
