"""What one lane (a cargo at a crossing) reported since the recorder last folded, and its fold.

The model reports trains reaching the border and the future times at which their wagons will be
unloaded; a lane keeps these as a few arrays per train until the recorder folds a period. Folding
counts them per piece of the period (per day) with numpy and leaves in the buffer what is dated
after the period's end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.observations import dwell_bin
from sim.model.periods import Period


@dataclass
class LaneFold:
    """One lane's figures over a period: per piece (day) and in total."""

    arrived: np.ndarray  # wagons reaching the border, per piece
    unloaded: np.ndarray  # wagons unloaded (with and without a known dwell), per piece
    trains: np.ndarray  # trains whose last wagon was unloaded, per piece
    busy_h: np.ndarray  # point-hours worked, per piece
    counted: int  # wagons unloaded with a known dwell
    uncounted: int  # wagons of trains under way at the start, unloaded (no dwell)
    dwell_sum: float
    wait_sum: float
    dwell_lo: int  # dwell histogram counts of bins lo, lo + 1, ... (empty with no counted wagons)
    dwell_counts: np.ndarray


class LaneBuffer:
    """One lane's reports not yet folded; see the module docstring."""

    def __init__(self) -> None:
        self.arrivals: list[tuple[float, int]] = []
        # trains scheduled since the last fold: each wagon's (end, start) arrays, the train's border
        # arrival and ready times, and whether its dwell is known; arrays are built per fold
        self.trains: list[tuple[np.ndarray, np.ndarray, float, float, bool]] = []
        # wagons scheduled and not yet unloaded at the last fold: (finish, dwell, wait) arrays
        self.wagons: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        # wagons of trains already under way at the start: delivered, but with no known dwell
        self.uncounted: list[float] = []
        self.train_ends: list[float] = []
        # worked intervals not yet wholly in the past: (starts, ends) arrays
        self.busy_active: list[tuple[np.ndarray, np.ndarray]] = []
        # every wagon's end not yet folded, counted or not: the trains' since the last fold and,
        # sorted, those the last fold left for later
        self._new_ends: list[np.ndarray] = []
        self._later_ends = np.zeros(0)
        self._ends_now = np.zeros(0)  # the period's, sorted (set by take_ends)

    def take_ends(self, period: Period) -> np.ndarray:
        """The wagon ends dated in the period (before its end), sorted, with the trains scheduled
        since the last fold taken in: sorted once here for every series the lane feeds."""
        self._take_trains()
        if self._new_ends:
            ends = np.concatenate((self._later_ends, *self._new_ends))
            ends.sort(kind="stable")  # (a merge sort finds the runs: trains' ends are nearly in order)
            self._new_ends = []
        else:
            ends = self._later_ends
        cut = int(np.searchsorted(ends, period.end, side="left"))
        self._later_ends, self._ends_now = ends[cut:], ends[:cut]
        return self._ends_now

    def fold(self, period: Period, dwell_stats: bool) -> LaneFold:
        """Count what is dated in the period, per piece; keep the rest. `dwell_stats`: also sum the
        dwells and waits and bin the dwells (inside the statistics window)."""
        b = period.end
        self._take_trains()
        arrived = self._fold_arrivals(period)
        unloaded = period.count_sorted(self._ends_now)  # (take_ends came first)
        self._ends_now = np.zeros(0)
        counted = uncounted = 0
        dwell_sum = wait_sum = 0.0
        lo, counts = 0, np.zeros(0, dtype=np.int64)
        if self.wagons:
            f = np.concatenate([x[0] for x in self.wagons])
            dw = np.concatenate([x[1] for x in self.wagons])
            wt = np.concatenate([x[2] for x in self.wagons])
            done = f < b
            if not done.all():
                keep = ~done
                self.wagons = [(f[keep], dw[keep], wt[keep])]
                f, dw, wt = f[done], dw[done], wt[done]
            else:
                self.wagons = []
            counted = len(f)
            if dwell_stats and counted:
                # counts over the period's range of bins only (the histogram has ~18,000)
                idx = dwell_bin(dw)
                lo = int(idx.min())
                counts = np.bincount(idx - lo)
                dwell_sum, wait_sum = float(dw.sum()), float(wt.sum())
        if self.uncounted:
            ends = np.asarray(self.uncounted)
            done = ends < b
            uncounted = int(done.sum())
            self.uncounted = ends[~done].tolist()
        trains = np.zeros(period.pieces)
        if self.train_ends:
            ends = np.asarray(self.train_ends)
            done = ends < b
            self.train_ends = ends[~done].tolist()
            trains = period.per_piece(ends[done])
        return LaneFold(arrived, unloaded, trains, self._fold_busy(period), counted, uncounted, dwell_sum,
                        wait_sum, lo, counts)

    def add_train(self, ends: np.ndarray, starts: np.ndarray, border_arrival: float, ready: float,
                  counted: bool) -> None:
        """A train's wagons will be unloaded from `starts` to `ends` (arrays never modified).
        `counted=False`: a train under way at the start, whose border arrival is unknown."""
        if len(ends):
            self.trains.append((ends, starts, border_arrival, ready, counted))

    def _take_trains(self) -> None:
        """The trains scheduled since the last fold, as arrays: one numpy pass for all of them
        instead of a few calls per train."""
        trains, self.trains = self.trains, []
        if not trains:
            return
        ends = np.concatenate([t[0] for t in trains])
        self._new_ends.append(ends)
        sizes = np.array([len(t[0]) for t in trains])
        self.train_ends.extend(np.maximum.reduceat(ends, np.cumsum(sizes) - sizes).tolist())
        counted = np.array([t[4] for t in trains])
        if counted.all():
            starts = np.concatenate([t[1] for t in trains])
            borders = np.repeat(np.array([t[2] for t in trains]), sizes)
            readies = np.repeat(np.array([t[3] for t in trains]), sizes)
            self.wagons.append((ends, ends - borders, starts - readies))
            return
        for end, start, border, ready, known in trains:  # (only with trains under way at the start)
            if known:
                self.wagons.append((end, end - border, start - ready))
            else:
                self.uncounted.extend(end.tolist())

    def _fold_arrivals(self, period: Period) -> np.ndarray:
        """Wagons per piece; an arrival dated exactly at the period's end belongs to the next one
        (as its backlog does), except at the horizon."""
        if not self.arrivals:
            return np.zeros(period.pieces)
        if period.final:
            now, self.arrivals = self.arrivals, []
        else:
            b = period.end
            now = [x for x in self.arrivals if x[0] < b]
            self.arrivals = [x for x in self.arrivals if x[0] >= b]
        if period.pieces == 1:
            return np.array([float(sum(w for _, w in now))])
        times = np.array([t for t, _ in now])
        return period.per_piece(times, np.array([w for _, w in now], dtype=float))

    def _fold_busy(self, period: Period) -> np.ndarray:
        """Point-hours worked in each piece: each worked interval's overlap with it. An interval
        still running at the period's end stays in the buffer; its part before then is counted."""
        worked = np.zeros(period.pieces)
        if not self.busy_active:
            return worked
        s = np.concatenate([x[0] for x in self.busy_active])
        e = np.concatenate([x[1] for x in self.busy_active])
        a, b = period.start, period.end
        running = e > b
        self.busy_active = [(s[running], e[running])] if running.any() else []
        lo, hi = np.maximum(s, a), np.minimum(e, b)  # (what lies before a was counted by earlier folds)
        inside = hi > lo
        lo, hi = lo[inside], hi[inside]
        if period.pieces == 1:
            worked[0] = float((hi - lo).sum())
            return worked
        first = period.piece_of(lo)
        last = np.searchsorted(period.edges, hi, side="left") - 1  # the piece holding the interval's end
        one = first == last
        worked += np.bincount(first[one], weights=hi[one] - lo[one], minlength=period.pieces)
        if not one.all():  # intervals across a midnight: their hours worked by each edge, differenced
            lo, hi = lo[~one], hi[~one]
            by_edge = np.minimum(np.maximum(period.edges[None, :] - lo[:, None], 0.0), (hi - lo)[:, None])
            worked += np.diff(by_edge, axis=1).sum(axis=0)
        return worked
