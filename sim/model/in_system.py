"""Wagons formed and not yet unloaded: en route to the border, and their age at the end of the run.

The border backlog alone hides a jam that has reached back up the line: the railway reports wagons
"at the border and en route". This log keeps, per series, the wagons en route (formed, on the line
or waiting to enter it) as a level over time, the maximum of backlog + en route (not the sum of
the maxima: wagons move from one to the other), and at the end the age of every wagon still in
the system — since border arrival for those at the border (a dwell known only to be at least that:
right-censored, for a Kaplan–Meier dwell in sim.analysis.metrics) and since setting off for all.
"""

from __future__ import annotations

import numpy as np

from sim.model.levels import LevelSeries, max_of_sum
from sim.model.observations import DWELL_BINS, dwell_bin
from sim.model.periods import Period
from sim.units import DAY


class InSystemLog:
    """Wagons en route, backlog + en route, and the ages at the end; see the module docstring."""

    def __init__(self, n_series: int, n_days: int, lane_series: list[tuple[int, ...]]) -> None:
        self.lane_series = lane_series
        self.n_days = n_days
        self.en_route = [LevelSeries(n_days, histogram=False) for _ in range(n_series)]
        self.incl_day_max = np.zeros((n_series, n_days))
        self.incl_max = np.zeros(n_series)
        self.censored_hist = [np.zeros(DWELL_BINS) for _ in range(n_series)]
        self._ages: list[list[np.ndarray]] = [[] for _ in range(n_series)]

    def change(self, lane: int, t: float, delta: int) -> None:
        """Wagons formed and on their way to the border (+), or arrived there (−)."""
        for k in self.lane_series[lane]:
            self.en_route[k].add(t, delta)

    def at_end(self, lane: int, border_ages: np.ndarray, system_ages: np.ndarray) -> None:
        """Hours since border arrival of wagons still at the border, and since setting off of every
        wagon still in the system, at the end of the run."""
        idx = dwell_bin(border_ages) if len(border_ages) else None
        for k in self.lane_series[lane]:
            if idx is not None:
                np.add.at(self.censored_hist[k], idx, 1)
            self._ages[k].append(system_ages)

    def fold(self, period: Period, backlog: list[LevelSeries]) -> None:
        """Fold the period (after `backlog` has folded it too)."""
        for k, series in enumerate(self.en_route):
            series.fold(period)
            tops = max_of_sum(backlog[k], series, period)
            period.max_into_days(self.incl_day_max[k], tops)
            if period.in_stats:
                self.incl_max[k] = max(self.incl_max[k], float(tops.max()))

    def finish(self, daily: dict[str, np.ndarray], totals: dict[str, np.ndarray], last_day_fraction: float) -> None:
        """Add the daily series and totals (`last_day_fraction` < 1: a partial last day)."""
        daily["en_route_end"] = np.array([s.day_end for s in self.en_route])
        daily["en_route_mean"] = np.array([s.day_integral for s in self.en_route]) / DAY
        daily["en_route_mean"][:, -1] /= last_day_fraction
        daily["incl_en_route_max"] = self.incl_day_max
        totals["en_route_integral"] = np.array([s.integral for s in self.en_route])
        totals["en_route_max"] = np.array([float(s.maximum) for s in self.en_route])
        totals["en_route_end"] = np.array([float(s.level) for s in self.en_route])
        totals["incl_en_route_max"] = self.incl_max.copy()
        ages = [np.concatenate(a) if a else np.zeros(0) for a in self._ages]
        totals["system_age_sum"] = np.array([float(a.sum()) for a in ages])
        totals["system_age_max"] = np.array([float(a.max()) if len(a) else np.nan for a in ages])
        totals["system_wagons_end"] = np.array([float(len(a)) for a in ages])

    @property
    def min_level(self) -> int:
        return min(s.min_level for s in self.en_route)
