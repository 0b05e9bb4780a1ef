"""Raw observations of one replication, accumulated online and folded into per-day series.

The model reports what happens (a train reaches the border, a train's wagons are scheduled to be
unloaded at known future times, a train waits at the yard, wagons are refused at a check). Each
report names its lane — one cargo at one crossing — and lands in the series that lane feeds (its
cargo and `all`, at its crossing and, with several crossings, for the corridor; see
sim.model.observations). The recorder buffers these points and, every few days (a fold period cut
at each midnight, sim.model.periods), folds them into fixed-size accumulators with numpy:
time-weighted integrals, maxima, histograms and per-day counts. Memory therefore depends on the number of days
and the traffic in flight, not on the number of wagons simulated.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.disruptions import Window
from sim.model.in_system import InSystemLog
from sim.model.lanes import LaneBuffer
from sim.model.levels import LevelSeries
from sim.model.observations import (
    DWELL_BINS,
    Observations,
    RecoveryWatch,
    dwell_bin,
    dwell_bin_centre,
    series_layout,
)
from sim.model.periods import Period
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
        self._lanes = [LaneBuffer() for _ in range(lanes)]
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
        self._last_boundary = 0.0
        self.stages: dict[str, StageLog] = {}

    def stage(self, name: str) -> StageLog:
        """The log of trains waiting at one gated stage (its gate reports to it)."""
        return self.stages.setdefault(name, StageLog(name, self.n_days))

    # -- what the model reports ------------------------------------------------------------------
    def border_arrival(self, lane: int, t: float, wagons: int) -> None:
        for k in self.lane_series[lane]:
            self.backlog[k].add(t, wagons)
        self._lanes[lane].arrivals.append((t, wagons))

    def held_change(self, lane: int, t: float, delta: int) -> None:
        for k in self.lane_series[lane]:
            self.held[k].add(t, delta)

    def unloading_scheduled(
        self, lane: int, border_arrival: float, ready: float, starts: np.ndarray, ends: np.ndarray,
        busy_starts: np.ndarray, busy_ends: np.ndarray, counted: bool = True,
    ) -> None:
        """A train's wagons will be unloaded from `starts` to `ends`. `counted=False`: a train under
        way at the start, whose border arrival is unknown, so its wagons have no dwell."""
        # the arrays as they are: a fold concatenates the trains' and computes dwells and waits
        # for all of them at once
        buffer = self._lanes[lane]  # (its ends reach the backlog series at each fold, sorted: flush)
        buffer.add_train(ends, starts, border_arrival, ready, counted)
        buffer.busy_active.append((busy_starts, busy_ends))

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
        self._formed.append((t, lane, wagons))  # added up per lane and day at each fold (_fold_formed)

    def _fold_formed(self, period: Period) -> None:
        """Wagons formed in the period, added up per lane and day, into the series and the totals."""
        if period.final:
            now, self._formed = self._formed, []
        else:  # formed at the period's end: the next period's
            b = period.end
            now = [x for x in self._formed if x[0] < b]
            self._formed = [x for x in self._formed if x[0] >= b]
        daily, total = self.daily["formed_wagons"], self.totals["wagons_formed"]
        for lane in {lane for _, lane, _ in now}:
            mine = [(t, wagons) for t, ln, wagons in now if ln == lane]
            times = np.array([t for t, _ in mine])
            wagons = np.array([w for _, w in mine], dtype=float)
            per_day = period.per_piece(times, wagons)
            counted = float(wagons[times >= self.warmup].sum())
            for k in self.lane_series[lane]:
                period.add_to_days(daily[k], per_day)
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
    def day_boundary(self, b: float) -> None:
        """A midnight, the end of warm-up or the horizon: the origins' queues now end the day."""
        day = int(self._last_boundary // DAY)
        if day < self.n_days:
            queue = self.daily["origin_queue_end"]
            for ci, series in enumerate(self.origin_series):
                queue[series[0], day] = self._origin_queue[ci]
            queue[self.origin_series[0][1], day] = sum(self._origin_queue)
        self._last_boundary = b

    def flush(self, b: float) -> None:
        """Fold everything dated before b; call at the end of warm-up, at the horizon and at any
        midnight between (every one, or every few: the per-day figures are the same)."""
        a = self._last_flush
        if b <= a:
            return
        if self._last_boundary < b:
            self.day_boundary(b)
        period = Period.between(a, b, in_stats=a >= self.warmup, final=b >= self.horizon)
        for lane, buffer in enumerate(self._lanes):  # wagons unloaded: sorted once per lane
            ends = buffer.take_ends(period)
            if len(ends):
                for k in self.lane_series[lane]:
                    self.backlog[k].add_decrements(ends)
        for step_list in (self.backlog, self.held):
            for series in step_list:
                series.fold(period)
        self.in_system.fold(period, self.backlog)
        for lane in range(len(self.lane_series)):
            self._fold_lane(lane, period)
        if self._formed:
            self._fold_formed(period)
        self._watch_recovery(a, b)
        self._last_flush = b

    def _fold_lane(self, lane: int, period: Period) -> None:
        fold = self._lanes[lane].fold(period, dwell_stats=period.in_stats)
        d, tot = self.daily, self.totals
        arrived, unloaded = float(fold.arrived.sum()), fold.counted + fold.uncounted
        trains, worked = float(fold.trains.sum()), float(fold.busy_h.sum())
        for k in self.lane_series[lane]:
            period.add_to_days(d["arrivals_wagons"][k], fold.arrived)
            tot["wagons_arrived_total"][k] += arrived
            period.add_to_days(d["unloaded_wagons"][k], fold.unloaded)
            tot["wagons_delivered_total"][k] += unloaded
            period.add_to_days(d["trains_delivered"][k], fold.trains)
            period.add_to_days(d["busy_h"][k], fold.busy_h)
            if period.in_stats:
                tot["wagons_delivered"][k] += unloaded
                tot["uncounted_delivered"][k] += fold.uncounted
                tot["dwell_sum"][k] += fold.dwell_sum
                tot["wait_sum"][k] += fold.wait_sum
                self.dwell_hist[k][fold.dwell_lo : fold.dwell_lo + len(fold.dwell_counts)] += fold.dwell_counts
                tot["trains_delivered"][k] += trains
                tot["busy_h"][k] += worked

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
