"""Raw observations of one replication, accumulated online in daily chunks.

The model reports what happens (a train reaches the border, a train's wagons are scheduled to be
unloaded at known future times, a train waits at the yard, wagons are refused at a check). Each
report names its lane — one cargo at one crossing — and lands in the series that lane feeds (its
cargo and `all`, at its crossing and, with several crossings, for the corridor; see
sim.model.observations). The recorder buffers these points and,
at every day boundary, folds the day's part into fixed-size accumulators with numpy: time-weighted
integrals, maxima, histograms and per-day counts. Memory therefore depends on the number of days
and the traffic in flight, not on the number of wagons simulated.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.disruptions import Window
from sim.model.in_system import InSystemLog
from sim.model.levels import LevelSeries
from sim.model.observations import (
    DWELL_BINS,
    Observations,
    RecoveryWatch,
    dwell_bin,
    dwell_bin_centre,
    series_layout,
)
from sim.model.waiting import StageLog
from sim.units import DAY

__all__ = ["Observations", "Recorder", "RecoveryWatch", "dwell_bin", "dwell_bin_centre"]

DEFAULT_CROSSINGS = ("dostyk",)


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
        crossings: list[str] | None = None,
    ) -> None:
        self.cargo = cargo
        self.payload_t = payload_t
        self.points = points  # per lane
        self.horizon = horizon
        self.warmup = warmup
        self.windows = windows
        self.crossings = list(crossings or DEFAULT_CROSSINGS)
        n = len(cargo)
        self.n_series, self.lane_series, self.origin_series = series_layout(n, len(self.crossings))
        lanes = len(self.lane_series)
        self.n_days = max(1, math.ceil(horizon / DAY))
        nd = self.n_days
        self.backlog = [LevelSeries(nd, histogram=True) for _ in range(self.n_series)]
        self.held = [LevelSeries(nd, histogram=False) for _ in range(self.n_series)]
        self.in_system = InSystemLog(self.n_series, nd, self.lane_series)  # en route, ages at the end
        # per lane, blocks of wagons scheduled but not yet folded: (finish, dwell, wait) arrays
        self._wagons: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in range(lanes)]
        # wagons of trains already under way at the start: delivered, but with no known dwell
        self._uncounted: list[list[float]] = [[] for _ in range(lanes)]
        self._train_ends: list[list[float]] = [[] for _ in range(lanes)]
        self._arrivals: list[list[tuple[float, int]]] = [[] for _ in range(lanes)]
        # worked intervals not yet wholly in the past, per lane: parallel lists of starts and ends
        self._busy_active: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(lanes)]
        self._busy_done = np.zeros(lanes)
        self._busy_at_last = np.zeros(lanes)
        self._origin_queue = [0] * n
        self._formed: list[tuple[float, int, int]] = []
        self.daily = {
            k: np.zeros((self.n_series, nd))
            for k in ("arrivals_wagons", "unloaded_wagons", "trains_delivered", "busy_h", "formed_wagons",
                      "rejected_wagons", "origin_queue_end")
        }
        zeros = lambda: np.zeros(self.n_series)  # noqa: E731
        self.totals = {
            k: zeros()
            for k in (
                "wagons_delivered", "trains_delivered", "dwell_sum", "wait_sum", "busy_h",
                "wagons_generated", "trains_generated", "tonnes_deferred", "tonnes_lost",
                "wagons_delivered_total", "wagons_arrived_total", "uncounted_delivered", "wagons_formed",
                "wagons_rejected", "trains_rejected", "wagons_returned", "tonnes_dropped", "unmet_wagons",
                "unmet_trains",
            )
        }
        self.dwell_hist = [np.zeros(DWELL_BINS) for _ in range(self.n_series)]
        self.halts: list[tuple[str, float, float]] = []
        self.halt_crossings: list[int] = []
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
    def border_arrival(self, lane: int, t: float, wagons: int) -> None:
        for k in self.lane_series[lane]:
            self.backlog[k].add(t, wagons)
        self._arrivals[lane].append((t, wagons))

    def held_change(self, lane: int, t: float, delta: int) -> None:
        for k in self.lane_series[lane]:
            self.held[k].add(t, delta)

    def unloading_scheduled(
        self, lane: int, border_arrival: float, ready: float, starts: list[float], ends: list[float],
        busy_starts: list[float], busy_ends: list[float], counted: bool = True,
    ) -> None:
        """A train's wagons will be unloaded from `starts` to `ends`. `counted=False`: a train under
        way at the start, whose border arrival is unknown, so its wagons have no dwell."""
        # one array per train and quantity: the daily flush then concatenates a few dozen arrays
        # instead of converting hundreds of thousands of floats one by one
        e = np.array(ends)
        s = np.array(starts)
        unloaded = np.full(len(e), -1, dtype=np.int64)
        for k in self.lane_series[lane]:
            self.backlog[k].add_many(e, unloaded)
        if counted:
            self._wagons[lane].append((e, e - border_arrival, s - ready))
        else:
            self._uncounted[lane].extend(ends)
        self._busy_active[lane].append((
            s if busy_starts is starts else np.array(busy_starts),
            e if busy_ends is ends else np.array(busy_ends),
        ))
        self._train_ends[lane].append(max(ends))

    def generated(self, ci: int, t: float, wagons: int) -> None:
        if t >= self.warmup:
            for k in self.origin_series[ci]:
                self.totals["wagons_generated"][k] += wagons
                self.totals["trains_generated"][k] += 1

    def deferred(self, ci: int, t: float, tonnes: float) -> None:
        if t >= self.warmup:
            for k in self.origin_series[ci]:
                self.totals["tonnes_deferred"][k] += tonnes

    def lost(self, ci: int, t: float, tonnes: float) -> None:
        """Tonnes requested while nothing could be loaded, and dropped."""
        if t >= self.warmup:
            for k in self.origin_series[ci]:
                self.totals["tonnes_lost"][k] += tonnes

    def dropped(self, ci: int, t: float, tonnes: float) -> None:
        """Tonnes of a train requested earlier, dropped at formation by a partial ban (also lost)."""
        if t >= self.warmup:
            for k in self.origin_series[ci]:
                self.totals["tonnes_lost"][k] += tonnes
                self.totals["tonnes_dropped"][k] += tonnes

    def formed(self, lane: int, t: float, wagons: int) -> None:
        self._formed.append((t, lane, wagons))  # folded once a day (_flush_formed)

    def _flush_formed(self, b: float, day: int) -> None:
        """Wagons formed before b, added up per lane, into the day's series and the totals."""
        keep = []
        per_lane: dict[int, list[int]] = {}
        for item in self._formed:
            t, lane, wagons = item
            if t >= b and b < self.horizon:  # formed at the boundary: the next day's
                keep.append(item)
                continue
            sums = per_lane.setdefault(lane, [0, 0])
            sums[0] += wagons
            if t >= self.warmup:
                sums[1] += wagons
        self._formed = keep
        daily, total = self.daily["formed_wagons"], self.totals["wagons_formed"]
        for lane, (all_wagons, counted) in per_lane.items():
            for k in self.lane_series[lane]:
                if day < self.n_days:
                    daily[k, day] += all_wagons
                total[k] += counted

    def rejected(self, lane: int, t: float, wagons: int, whole_train: bool) -> None:
        """Wagons refused at a check leave the border (and the backlog) at t, loaded."""
        day = int(t // DAY)
        for k in self.lane_series[lane]:
            self.backlog[k].add(t, -wagons)
            if day < self.n_days:
                self.daily["rejected_wagons"][k, day] += wagons
            if t >= self.warmup:
                self.totals["wagons_rejected"][k] += wagons
                self.totals["trains_rejected"][k] += whole_train

    def returned(self, lane: int, t: float, wagons: int) -> None:
        """Refused wagons back at origin, still loaded."""
        if t >= self.warmup:
            for k in self.lane_series[lane]:
                self.totals["wagons_returned"][k] += wagons

    def origin_queue(self, ci: int, wagons: int) -> None:
        """Wagons requested and not yet formed, now (read into the day's `origin_queue_end`)."""
        self._origin_queue[ci] = wagons

    def origin_end(self, ci: int, wagons: int, trains: int) -> None:
        """Demand never formed by the horizon: the origin's queue and held-back trains."""
        for k in self.origin_series[ci]:
            self.totals["unmet_wagons"][k] += wagons
            self.totals["unmet_trains"][k] += trains

    def halt(self, cargo: str, start: float, end: float, crossing: int = 0) -> None:
        self.halts.append((cargo, start, end))
        self.halt_crossings.append(crossing)

    # -- folding -------------------------------------------------------------------------------
    def flush(self, b: float) -> None:
        """Fold everything dated before b; call at every day boundary, at warm-up end and at the end."""
        a = self._last_flush
        if b <= a:
            return
        day = int(a // DAY)
        in_stats = a >= self.warmup
        for step_list in (self.backlog, self.held):
            for k in range(self.n_series):
                step_list[k].flush(a, b, day, in_stats)
        self.in_system.flush(a, b, day, in_stats, self.backlog)
        for lane in range(len(self.lane_series)):
            self._flush_lane(lane, a, b, day, in_stats)
        if self._formed:
            self._flush_formed(b, day)
        if day < self.n_days:
            queue = self.daily["origin_queue_end"]
            for ci, series in enumerate(self.origin_series):
                queue[series[0], day] = self._origin_queue[ci]
            queue[self.origin_series[0][1], day] = sum(self._origin_queue)
        self._watch_recovery(a, b)
        self._last_flush = b

    def _flush_lane(self, lane: int, a: float, b: float, day: int, in_stats: bool) -> None:
        series = self.lane_series[lane]
        d = self.daily
        tot = self.totals
        in_days = day < self.n_days
        arrivals = self._arrivals[lane]
        if arrivals:
            # an arrival dated exactly at the boundary belongs to the next day, as its backlog does
            later = [a for a in arrivals if a[0] >= b] if b < self.horizon else []
            wagons = sum(w for t, w in arrivals if t < b or b >= self.horizon)
            self._arrivals[lane] = later
            daily, total = d["arrivals_wagons"], tot["wagons_arrived_total"]
            for k in series:
                if in_days:
                    daily[k, day] += wagons
                total[k] += wagons
        blocks = self._wagons[lane]
        if blocks:
            f = np.concatenate([x[0] for x in blocks])
            dw = np.concatenate([x[1] for x in blocks])
            wt = np.concatenate([x[2] for x in blocks])
            done = f < b
            if not done.all():
                keep = ~done
                self._wagons[lane] = [(f[keep], dw[keep], wt[keep])]
                dw, wt = dw[done], wt[done]
            else:
                self._wagons[lane] = []
            count = len(dw)
            daily, total = d["unloaded_wagons"], tot["wagons_delivered_total"]
            for k in series:
                total[k] += count
                if in_days:
                    daily[k, day] += count
            if in_stats and count:
                # counts over the day's range of bins only (the histogram has ~18,000)
                idx = dwell_bin(dw)
                lo = int(idx.min())
                counts = np.bincount(idx - lo)
                dwell_sum, wait_sum = float(dw.sum()), float(wt.sum())
                delivered, dwells, waits = tot["wagons_delivered"], tot["dwell_sum"], tot["wait_sum"]
                for k in series:
                    delivered[k] += count
                    dwells[k] += dwell_sum
                    waits[k] += wait_sum
                    self.dwell_hist[k][lo : lo + len(counts)] += counts
        if self._uncounted[lane]:
            self._flush_uncounted(lane, series, b, day, in_stats)
        ends = self._train_ends[lane]
        if ends:
            e = np.asarray(ends)
            done = e < b
            trains = int(done.sum())
            self._train_ends[lane] = e[~done].tolist()
            daily, total = d["trains_delivered"], tot["trains_delivered"]
            for k in series:
                if in_days:
                    daily[k, day] += trains
                if in_stats:
                    total[k] += trains
        busy_b = self._busy_done[lane]
        active = self._busy_active[lane]
        if active:
            s = np.concatenate([x[0] for x in active])
            e = np.concatenate([x[1] for x in active])
            busy_b += float(np.clip(b - s, 0.0, e - s).sum())
            finished = e <= b
            self._busy_done[lane] += float((e[finished] - s[finished]).sum())
            running = ~finished
            self._busy_active[lane] = [(s[running], e[running])] if running.any() else []
        worked = busy_b - self._busy_at_last[lane]
        self._busy_at_last[lane] = busy_b
        daily, total = d["busy_h"], tot["busy_h"]
        for k in series:
            if in_days:
                daily[k, day] += worked
            if in_stats:
                total[k] += worked

    def _flush_uncounted(self, lane: int, series: tuple[int, ...], b: float, day: int, in_stats: bool) -> None:
        """Deliveries of trains under way at the start: counted as delivered, not in the dwell."""
        ends = self._uncounted[lane]
        count = sum(1 for e in ends if e < b)
        self._uncounted[lane] = [e for e in ends if e >= b]
        for k in series:
            self.totals["wagons_delivered_total"][k] += count
            if day < self.n_days:
                self.daily["unloaded_wagons"][k, day] += count
            if in_stats:
                self.totals["wagons_delivered"][k] += count
                self.totals["uncounted_delivered"][k] += count

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
        frac = min(1.0, (self.horizon - (days - 1) * DAY) / DAY)
        if frac < 1.0:  # a last, partial day: mean over the hours simulated
            daily["backlog_mean"][:, -1] /= frac
            daily["held_trains_mean"][:, -1] /= frac
        if len(self.crossings) > 1:  # the origin is the corridor's: no queue per crossing
            daily["origin_queue_end"] = daily["origin_queue_end"].copy()
            daily["origin_queue_end"][: len(self.crossings) * (len(self.cargo) + 1)] = np.nan
        totals = dict(self.totals)
        totals["backlog_integral"] = np.array([s.integral for s in self.backlog])
        totals["backlog_max"] = np.array([float(s.maximum) for s in self.backlog])
        totals["held_integral"] = np.array([s.integral for s in self.held])
        totals["held_max"] = np.array([float(s.maximum) for s in self.held])
        totals["backlog_end"] = np.array([float(s.level) for s in self.backlog])
        self.in_system.finish(daily, totals, frac)
        diagnostics = {**diagnostics, "min_backlog": min(s.min_level for s in self.backlog),
                       "min_held": min(s.min_level for s in self.held), "min_en_route": self.in_system.min_level}
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
            censored_hist=self.in_system.censored_hist,
            recoveries=self.recoveries,
            halts=self.halts,
            windows=self.windows,
            diagnostics=diagnostics,
            stages={name: log.finish(self.horizon) for name, log in self.stages.items()},
            crossings=list(self.crossings),
            halt_crossings=list(self.halt_crossings),
        )
