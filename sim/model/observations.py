"""What one replication hands to the metrics: plain arrays and numbers, picklable.

Series are laid out in blocks of (each cargo, then all): one block per crossing and, with several
crossings, one more for the whole corridor. A single-crossing run has exactly one block, so its
arrays are those of a run before crossings existed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sim.model.disruptions import Window

# Dwell histogram: logarithmic bins with 0.1 % relative width, from 1 minute to ~100 years.
DWELL_LOG_STEP = math.log(1.001)
DWELL_BINS = int(math.log1p(1e6 * 60) / DWELL_LOG_STEP) + 2
#: the name of the corridor's series (all crossings) and of every cargo together
ALL = "all"


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


def series_layout(n_cargo: int, n_crossings: int) -> tuple[int, list[tuple[int, ...]], list[tuple[int, int]]]:
    """(number of series, the series each lane feeds, the series each cargo's origin feeds).

    A lane is one cargo at one crossing (index crossing × n_cargo + cargo). It feeds its cargo's
    and `all` series of its crossing's block and, with several crossings, of the corridor's block;
    the origin, which is the corridor's, feeds the corridor block (the only block with one crossing).
    """
    n, x_count = n_cargo, n_crossings
    blocks = x_count + 1 if x_count > 1 else 1
    corridor = x_count if x_count > 1 else 0
    lanes: list[tuple[int, ...]] = []
    for x in range(x_count):
        for ci in range(n):
            own = (x * (n + 1) + ci, x * (n + 1) + n)
            lanes.append(own + ((corridor * (n + 1) + ci, corridor * (n + 1) + n) if x_count > 1 else ()))
    origin = [(corridor * (n + 1) + ci, corridor * (n + 1) + n) for ci in range(n)]
    return (n + 1) * blocks, lanes, origin


@dataclass
class Observations:
    """Everything metrics needs about one replication: plain arrays and numbers, picklable."""

    cargo: list[str]
    payload_t: list[float]
    points: list[int]  # per lane (crossing × cargo)
    horizon: float
    warmup: float
    n_days: int
    daily: dict[str, np.ndarray]  # name -> array [series, day]; series = cargo..., then all, per block
    totals: dict[str, np.ndarray]  # name -> array [series]
    backlog_hist: list[np.ndarray]
    dwell_hist: list[np.ndarray]
    recoveries: list[RecoveryWatch]
    halts: list[tuple[str, float, float]]  # (cargo, start, end)
    windows: list[Window]
    diagnostics: dict[str, object] = field(default_factory=dict)
    crossings: list[str] = field(default_factory=lambda: ["dostyk"])
    halt_crossings: list[int] = field(default_factory=list)  # the crossing of each halt
    # where trains wait: stage (line, yard, checks.<name>, prefixed with several crossings) -> daily series
    # (sim.model.waiting)
    stages: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    # per series, wagons still at the border at the end, by hours since their border arrival (the
    # dwell histogram's bins): dwells known only to be at least that long (right-censored)
    censored_hist: list[np.ndarray] = field(default_factory=list)

    @property
    def n_series(self) -> int:
        return len(self.backlog_hist)

    def labels(self) -> list[tuple[str, str]]:
        """(crossing, cargo) of every series, in order."""
        x_count = len(self.crossings)
        names = [*self.crossings, ALL] if x_count > 1 else self.crossings
        return [(x, c) for x in names for c in [*self.cargo, ALL]]

    def series_lanes(self, k: int) -> list[int]:
        """The lanes (crossing × cargo) series k adds up."""
        n, x_count = len(self.cargo), len(self.crossings)
        block, ci = divmod(k, n + 1)
        xs = range(x_count) if block == x_count else [block]
        cis = range(n) if ci == n else [ci]
        return [x * n + c for x in xs for c in cis]

    def is_crossing_series(self, k: int) -> bool:
        """Series of one crossing among several (origin figures have no value there)."""
        x_count = len(self.crossings)
        return x_count > 1 and k // (len(self.cargo) + 1) < x_count
