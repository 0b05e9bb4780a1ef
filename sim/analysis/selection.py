"""Subset selection: which systems may be the best on a KPI, at a stated confidence (pure functions).

A decision between candidates (an optimisation's lever settings, or the scenarios of a named
experiment) must not be made on noise: the candidate with the smallest sample mean is often not
the best one when the means are close. Subset selection answers a humbler question with a
guarantee: a subset that contains the true best with probability at least `confidence`.

Procedure: the screening step of Nelson, Swann, Goldsman and Song (2001), with common random
numbers (Kim and Nelson 2006): with k systems observed on the same n replications, system i is
*rejected* when some system j beats it by more than the noise allows,

    mean_i − mean_j > W_ij = t(1 − α/(k−1), n−1) · S_ij / √n        (minimising; mirrored to maximise)

where S_ij² is the sample variance of the paired differences X_i,r − X_j,r over replications r.
The Bonferroni split of α over the k − 1 comparisons makes the guarantee hold whatever the
correlation that common random numbers create (the data need only be roughly normal: means of
replications usually are). A pair observed on fewer than 2 common replications rejects nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Selection:
    """Possible best and rejected systems, with who rejected each and by how much."""

    kpi: str
    direction: str                      # "minimize" or "maximize"
    confidence: float                   # P(the true best is among `kept`) ≥ confidence
    kept: list[Any]                     # "possible best", best sample mean first
    rejected: dict[Any, tuple[Any, float]] = field(default_factory=dict)  # system -> (beaten by, margin beyond W)
    replications: int = 0

    def is_kept(self, system: Any) -> bool:
        return system in self.kept


def select_subset(values: pd.DataFrame, direction: str = "minimize", confidence: float = 0.95,
                  kpi: str = "") -> Selection:
    """Split the columns of `values` (one per system; one row per replication, aligned by common
    random numbers; NaN where a system has no value) into possible best and rejected."""
    if direction not in ("minimize", "maximize"):
        raise ValueError(f"direction must be minimize or maximize, got {direction!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    sign = 1.0 if direction == "minimize" else -1.0
    data = values.astype(float) * sign       # smaller is better from here on
    systems = [s for s in data.columns if data[s].notna().any()]
    k = len(systems)
    means = {s: float(data[s].mean()) for s in systems}
    rejected: dict[Any, tuple[Any, float]] = {}
    if k > 1:
        alpha = (1.0 - confidence) / (k - 1)
        columns = {s: data[s].to_numpy() for s in systems}
        quantiles: dict[int, float] = {}
        for i in systems:
            worst: tuple[Any, float] | None = None
            for j in systems:
                if i == j:
                    continue
                margin = _beaten_by(columns[i], columns[j], alpha, quantiles)
                if margin > 0 and (worst is None or margin > worst[1]):
                    worst = (j, margin)
            if worst is not None:
                rejected[i] = worst
    kept = sorted((s for s in systems if s not in rejected), key=lambda s: means[s])
    n = int(data[systems].notna().all(axis=1).sum()) if systems else 0
    return Selection(kpi, direction, confidence, kept, rejected, n)


def _beaten_by(x_i: np.ndarray, x_j: np.ndarray, alpha: float, quantiles: dict[int, float]) -> float:
    """How far (in the KPI's unit) i's mean is above j's beyond the screening allowance W_ij (≤ 0: not beaten)."""
    both = np.isfinite(x_i) & np.isfinite(x_j)
    d = x_i[both] - x_j[both]
    n = len(d)
    if n < 2:
        return -math.inf
    if n not in quantiles:
        from sim.analysis.stats import t_quantile

        quantiles[n] = t_quantile(1.0 - alpha, n - 1)
    allowance = quantiles[n] * float(d.std(ddof=1)) / math.sqrt(n)
    return float(d.mean()) - allowance
