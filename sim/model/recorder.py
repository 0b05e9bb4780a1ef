"""Raw observations of one replication, accumulated online in daily chunks.

The model reports what happens (a train reaches the border, a train's wagons are scheduled to be
unloaded at known future times, a train waits at the yard). The recorder buffers these points and,
at every day boundary, folds the day's part into fixed-size accumulators with numpy: time-weighted
integrals, maxima, histograms and per-day counts. Memory therefore depends on the number of days
and the traffic in flight, not on the number of wagons simulated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.model.disruptions import Window
from sim.model.levels import LevelSeries
from sim.model.waiting import StageLog
from sim.units import DAY

# Dwell histogram: logarithmic bins with 0.1 % relative width, from 1 minute to ~100 years.
DWELL_LOG_STEP = math.log(1.001)
DWELL_BINS = int(math.log1p(1e6 * 60) / DWELL_LOG_STEP) + 2


def dwell_bin(hours: np.ndarray) -> np.ndarray:
    idx = np.floor(np.log1p(np.maximum(hours, 0.0) * 60.0) / DWELL_LOG_STEP).astype(np.int64)
    return np.minimum(idx, DWELL_BINS - 1)


def dwell_bin_centre(idx: np.ndarray) -> np.ndarray:
    """Hours at the (log) centre of each dwell bin."""
    return np.expm1((idx + 0.5) * DWELL_LOG_STEP) / 60.0


@dataclass
class RecoveryWatch:
    """Recovery after one disruption window, for one backlog series."""

    name: str
    series: int
    start: float
    end: float
    level_before: int | None = None
    recovered_at: float | None = None


@dataclass
class Observations:
    """Everything metrics needs about one replication: plain arrays and numbers, picklable."""

    cargo: list[str]
    payload_t: list[float]
    points: list[int]
    horizon: float
    warmup: float
    n_days: int
    daily: dict[str, np.ndarray]  # name -> array [series, day]; series = cargo..., then all
    totals: dict[str, np.ndarray]  # name -> array [series]
    backlog_hist: list[np.ndarray]
    dwell_hist: list[np.ndarray]
    recoveries: list[RecoveryWatch]
    halts: list[tuple[str, float, float]]  # (cargo, start, end)
    windows: list[Window]
    diagnostics: dict[str, object] = field(default_factory=dict)
    # where trains wait: stage (line, yard, checks.<name>) -> daily series (sim.model.waiting)
    stages: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)


class Recorder:
    """Accumulates one replication's observations; see the module docstring."""

    def __init__(
        self,
        cargo: list[str],
        payload_t: list[float],
        points: list[int],
        horizon: float,
        warmup: float,
        windows: list[Window],
    ) -> None:
        self.cargo = cargo
        self.payload_t = payload_t
        self.points = points
        self.horizon = horizon
        self.warmup = warmup
        self.windows = windows
        n = len(cargo)
        self.n_series = n + 1  # each cargo, then all
        self.n_days = max(1, math.ceil(horizon / DAY))
        nd = self.n_days
        self.backlog = [LevelSeries(nd, histogram=True) for _ in range(self.n_series)]
        self.held = [LevelSeries(nd, histogram=False) for _ in range(self.n_series)]
        # per cargo, blocks of wagons scheduled but not yet folded: (finish, dwell, wait) arrays
        self._wagons: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in range(n)]
        self._train_ends: list[list[float]] = [[] for _ in range(n)]
        self._arrivals: list[list[tuple[float, int]]] = [[] for _ in range(n)]
        # worked intervals not yet wholly in the past, per cargo: parallel lists of starts and ends
        self._busy_active: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(n)]
        self._busy_done = np.zeros(n)
        self._busy_at_last = np.zeros(n)
        self.daily = {
            k: np.zeros((self.n_series, nd))
            for k in ("arrivals_wagons", "unloaded_wagons", "trains_delivered", "busy_h")
        }
        zeros = lambda: np.zeros(self.n_series)  # noqa: E731
        self.totals = {
            k: zeros()
            for k in (
                "wagons_delivered", "trains_delivered", "dwell_sum", "wait_sum", "busy_h",
                "wagons_generated", "trains_generated", "tonnes_deferred", "tonnes_lost",
                "wagons_delivered_total", "wagons_arrived_total",
            )
        }
        self.dwell_hist = [np.zeros(DWELL_BINS) for _ in range(self.n_series)]
        self.halts: list[tuple[str, float, float]] = []
        self.recoveries = [
            RecoveryWatch(w.name, k, w.start, w.end)
            for w in windows
            if warmup <= w.end < horizon
            for k in range(self.n_series)
        ]
        self._last_flush = 0.0
        self.stages: dict[str, StageLog] = {}

    def stage(self, name: str) -> StageLog:
        """The log of trains waiting at one gated stage (its gate reports to it)."""
        return self.stages.setdefault(name, StageLog(name, self.n_days))

    # -- what the model reports ------------------------------------------------------------------
    def border_arrival(self, ci: int, t: float, wagons: int) -> None:
        self.backlog[ci].add(t, wagons)
        self.backlog[-1].add(t, wagons)
        self._arrivals[ci].append((t, wagons))

    def held_change(self, ci: int, t: float, delta: int) -> None:
        self.held[ci].add(t, delta)
        self.held[-1].add(t, delta)

    def unloading_scheduled(
        self, ci: int, border_arrival: float, ready: float, starts: list[float], ends: list[float],
        busy_starts: list[float], busy_ends: list[float],
    ) -> None:
        # one array per train and quantity: the daily flush then concatenates a few dozen arrays
        # instead of converting hundreds of thousands of floats one by one
        e = np.array(ends)
        s = np.array(starts)
        unloaded = np.full(len(e), -1, dtype=np.int64)
        self.backlog[ci].add_many(e, unloaded)
        self.backlog[-1].add_many(e, unloaded)
        self._wagons[ci].append((e, e - border_arrival, s - ready))
        self._busy_active[ci].append((
            s if busy_starts is starts else np.array(busy_starts),
            e if busy_ends is ends else np.array(busy_ends),
        ))
        self._train_ends[ci].append(max(ends))

    def generated(self, ci: int, t: float, wagons: int) -> None:
        if t >= self.warmup:
            for k in (ci, -1):
                self.totals["wagons_generated"][k] += wagons
                self.totals["trains_generated"][k] += 1

    def deferred(self, ci: int, t: float, tonnes: float) -> None:
        if t >= self.warmup:
            self.totals["tonnes_deferred"][ci] += tonnes
            self.totals["tonnes_deferred"][-1] += tonnes

    def lost(self, ci: int, t: float, tonnes: float) -> None:
        if t >= self.warmup:
            self.totals["tonnes_lost"][ci] += tonnes
            self.totals["tonnes_lost"][-1] += tonnes

    def halt(self, cargo: str, start: float, end: float) -> None:
        self.halts.append((cargo, start, end))

    # -- folding -------------------------------------------------------------------------------
    def flush(self, b: float) -> None:
        """Fold everything dated before b; call at every day boundary, at warm-up end and at the end."""
        a = self._last_flush
        if b <= a:
            return
        day = int(a // DAY)
        in_stats = a >= self.warmup
        n = len(self.cargo)
        for step_list in (self.backlog, self.held):
            for k in range(self.n_series):
                step_list[k].flush(a, b, day, in_stats)
        for ci in range(n):
            self._flush_cargo(ci, a, b, day, in_stats)
        self._watch_recovery(a, b)
        self._last_flush = b

    def _flush_cargo(self, ci: int, a: float, b: float, day: int, in_stats: bool) -> None:
        all_k = len(self.cargo)
        d = self.daily
        tot = self.totals
        arrivals = self._arrivals[ci]
        if arrivals:
            # an arrival dated exactly at the boundary belongs to the next day, as its backlog does
            later = [a for a in arrivals if a[0] >= b] if b < self.horizon else []
            wagons = sum(w for t, w in arrivals if t < b or b >= self.horizon)
            self._arrivals[ci] = later
            if day < self.n_days:
                d["arrivals_wagons"][ci, day] += wagons
                d["arrivals_wagons"][all_k, day] += wagons
            tot["wagons_arrived_total"][ci] += wagons
            tot["wagons_arrived_total"][all_k] += wagons
        blocks = self._wagons[ci]
        if blocks:
            f = np.concatenate([x[0] for x in blocks])
            dw = np.concatenate([x[1] for x in blocks])
            wt = np.concatenate([x[2] for x in blocks])
            done = f < b
            if not done.all():
                keep = ~done
                self._wagons[ci] = [(f[keep], dw[keep], wt[keep])]
                dw, wt = dw[done], wt[done]
            else:
                self._wagons[ci] = []
            count = len(dw)
            tot["wagons_delivered_total"][ci] += count
            tot["wagons_delivered_total"][all_k] += count
            if day < self.n_days:
                d["unloaded_wagons"][ci, day] += count
                d["unloaded_wagons"][all_k, day] += count
            if in_stats and count:
                # counts over the day's range of bins only (the histogram has ~18,000)
                idx = dwell_bin(dw)
                lo = int(idx.min())
                counts = np.bincount(idx - lo)
                dwell_sum, wait_sum = float(dw.sum()), float(wt.sum())
                for k in (ci, all_k):
                    tot["wagons_delivered"][k] += count
                    tot["dwell_sum"][k] += dwell_sum
                    tot["wait_sum"][k] += wait_sum
                    self.dwell_hist[k][lo : lo + len(counts)] += counts
        ends = self._train_ends[ci]
        if ends:
            e = np.asarray(ends)
            done = e < b
            trains = int(done.sum())
            self._train_ends[ci] = e[~done].tolist()
            if day < self.n_days:
                d["trains_delivered"][ci, day] += trains
                d["trains_delivered"][all_k, day] += trains
            if in_stats:
                tot["trains_delivered"][ci] += trains
                tot["trains_delivered"][all_k] += trains
        busy_b = self._busy_done[ci]
        active = self._busy_active[ci]
        if active:
            s = np.concatenate([x[0] for x in active])
            e = np.concatenate([x[1] for x in active])
            busy_b += float(np.clip(b - s, 0.0, e - s).sum())
            finished = e <= b
            self._busy_done[ci] += float((e[finished] - s[finished]).sum())
            running = ~finished
            self._busy_active[ci] = [(s[running], e[running])] if running.any() else []
        worked = busy_b - self._busy_at_last[ci]
        self._busy_at_last[ci] = busy_b
        if day < self.n_days:
            d["busy_h"][ci, day] += worked
            d["busy_h"][all_k, day] += worked
        if in_stats:
            tot["busy_h"][ci] += worked
            tot["busy_h"][all_k] += worked

    def _watch_recovery(self, a: float, b: float) -> None:
        for w in self.recoveries:
            if w.recovered_at is not None:
                continue
            step = self.backlog[w.series]
            if w.level_before is None:
                if a <= w.start < b:
                    w.level_before = step.level_before(w.start)
                elif w.start < a:  # window began before time 0 or before anything was flushed
                    w.level_before = 0
                else:
                    continue
            if w.end < b:
                found = step.first_at_or_below(w.level_before, max(w.end, a))
                if found is not None:
                    w.recovered_at = found

    def finish(self, diagnostics: dict[str, object]) -> Observations:
        """The observations after the last flush (at the horizon)."""
        days = self.n_days
        daily = dict(self.daily)
        daily["backlog_end"] = np.array([s.day_end for s in self.backlog])
        daily["backlog_max"] = np.array([s.day_max for s in self.backlog])
        daily["backlog_mean"] = np.array([s.day_integral for s in self.backlog]) / DAY
        daily["held_trains_end"] = np.array([s.day_end for s in self.held])
        daily["held_trains_max"] = np.array([s.day_max for s in self.held])
        daily["held_trains_mean"] = np.array([s.day_integral for s in self.held]) / DAY
        if days * DAY > self.horizon:  # a last, partial day: mean over the hours simulated
            frac = (self.horizon - (days - 1) * DAY) / DAY
            daily["backlog_mean"][:, -1] /= frac
            daily["held_trains_mean"][:, -1] /= frac
        totals = dict(self.totals)
        totals["backlog_integral"] = np.array([s.integral for s in self.backlog])
        totals["backlog_max"] = np.array([float(s.maximum) for s in self.backlog])
        totals["held_integral"] = np.array([s.integral for s in self.held])
        totals["held_max"] = np.array([float(s.maximum) for s in self.held])
        totals["backlog_end"] = np.array([float(s.level) for s in self.backlog])
        diagnostics = dict(diagnostics)
        diagnostics["min_backlog"] = min(s.min_level for s in self.backlog)
        diagnostics["min_held"] = min(s.min_level for s in self.held)
        return Observations(
            cargo=list(self.cargo),
            payload_t=list(self.payload_t),
            points=list(self.points),
            horizon=self.horizon,
            warmup=self.warmup,
            n_days=days,
            daily=daily,
            totals=totals,
            backlog_hist=[s.hist if s.hist is not None else np.zeros(1) for s in self.backlog],
            dwell_hist=self.dwell_hist,
            recoveries=self.recoveries,
            halts=self.halts,
            windows=self.windows,
            diagnostics=diagnostics,
            stages={name: log.finish(self.horizon) for name, log in self.stages.items()},
        )
