"""Variant minus baseline, paired by replication: the one computation behind every comparison shown.

Replication i of two runs with the same seed shares its random streams (common random numbers), so
the difference is taken replication by replication and its confidence interval is a paired-t one: the
noise both runs share cancels. `dostyk compare` (sim.experiments.compare), the workbench's Compare tab
and `dostyk consignment --versus` each computed it their own way and read it their own way (one said
"sooner" where another said "the same amount in every pair, no CI"); they now call paired_difference,
and sim.analysis.verdict reads the result once. A pair where either value is missing (NaN: recovery
never reached, an order not through by the end of the run) is left out, and the verdict says over how
many pairs it holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.analysis import verdict as verdicts
from sim.analysis.stats import t_halfwidth, t_quantile


def welch_halfwidth(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> float:
    """Half-width of the unpaired (Welch) confidence interval of mean(b) - mean(a)."""
    na, nb = len(a), len(b)
    if na < 2 or nb < 2:
        return float("nan")
    va, vb = a.var(ddof=1) / na, b.var(ddof=1) / nb
    se2 = va + vb
    if se2 == 0:
        return 0.0
    df = se2**2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    return float(t_quantile(0.5 + level / 2, df) * np.sqrt(se2))


@dataclass(frozen=True)
class PairedDifference:
    """Mean of scenario − baseline over the pairs with a value in both, and its paired-t CI at `level`."""

    pairs: int  # replications compared (each in both runs)
    n: int  # of which both have a value: the pairs the mean and CI are over
    mean_baseline: float  # over those n pairs (so that mean_scenario - mean_baseline is the difference)
    mean_scenario: float
    difference: float  # NaN without a pair
    low: float  # NaN below two pairs
    high: float
    half_width: float
    half_width_unpaired: float  # Welch's, over the same values, for how much the pairing gained
    level: float

    @property
    def verdict(self) -> str:
        """What the CI tells, in compare's words: higher, lower, no clear difference, or why it cannot tell."""
        return self.said()

    @property
    def reading(self) -> str:
        """The verdict without the pairs it is over (sim.analysis.verdict.reading): one of its constants."""
        return verdicts.reading(self.n, self.low, self.high)

    def said(self, higher: str = verdicts.HIGHER, lower: str = verdicts.LOWER) -> str:
        """The verdict with the caller's words for a higher and a lower value ("later", "sooner" for days)."""
        return verdicts.verdict(self.n, self.low, self.high, self.pairs, higher=higher, lower=lower)


def paired_difference(baseline: Sequence[float] | np.ndarray, scenario: Sequence[float] | np.ndarray,
                      level: float = 0.95) -> PairedDifference:
    """scenario[i] - baseline[i] over the pairs where neither is NaN: their mean, paired-t CI and verdict."""
    a_all = np.asarray(baseline, dtype=float)
    b_all = np.asarray(scenario, dtype=float)
    if a_all.shape != b_all.shape or a_all.ndim != 1:
        raise ValueError(f"paired values need one value per replication in both: {a_all.shape} and {b_all.shape}")
    ok = ~(np.isnan(a_all) | np.isnan(b_all))
    a, b = a_all[ok], b_all[ok]
    d = b - a
    n = len(d)
    mean = float(d.mean()) if n else math.nan
    half = t_halfwidth(float(d.std(ddof=1)) if n > 1 else math.nan, n, level)
    return PairedDifference(
        pairs=len(a_all), n=n,
        mean_baseline=float(a.mean()) if n else math.nan, mean_scenario=float(b.mean()) if n else math.nan,
        difference=mean, low=mean - half, high=mean + half, half_width=half,
        half_width_unpaired=welch_halfwidth(a, b, level), level=level)
