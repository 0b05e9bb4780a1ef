"""Whether the model agrees with an observed figure, allowing for the model's own uncertainty.

The observed band is what the evidence states: value ± tolerance, or a one-sided bound (`at_least:`
360 is [360, ∞)). The model's figure is the 95 % Student-t confidence interval of its mean over the
replications. The rule, the one every output of `dostyk history` shows:

- **agrees**: the whole CI lies inside the band (the edges count as inside);
- **disagrees**: the whole CI lies outside the band, or the model gives no value at all;
- **undecided — more replications**: the CI straddles an edge of the band, or there are too few
  replications (fewer than 2) to have a CI. More replications narrow the CI and decide.

Why not "agrees when the CI overlaps the band": fewer replications make a wider CI, which would
then agree more often — the model would look better for being measured less. Under this rule a
wider CI can only turn a verdict into "undecided", never into agreement or disagreement.
"""

from __future__ import annotations

import math

from sim.decision.ranking import replications_to_decide

AGREES, DISAGREES, UNDECIDED = "agrees", "disagrees", "undecided — more replications"
VERDICTS = (AGREES, DISAGREES, UNDECIDED)


def agreement(low: float, high: float, mean: float, half: float) -> str:
    """The verdict of a model mean ± CI half-width `half` against the observed band [low, high]
    (an open side is ±inf; a NaN half-width means no CI)."""
    if not math.isfinite(mean):
        return DISAGREES
    if not math.isfinite(half):
        return UNDECIDED
    ci_low, ci_high = mean - half, mean + half
    if low <= ci_low and ci_high <= high:
        return AGREES
    if ci_high < low or ci_low > high:
        return DISAGREES
    return UNDECIDED


def replications_needed(n: int, low: float, high: float, mean: float, half: float) -> float:
    """About how many replications an undecided figure needs for its CI to clear the nearer edge of the
    band, with the same mean and sd (a rule of thumb: both move); inf when it cannot be told (the mean
    on an edge, no CI)."""
    if agreement(low, high, mean, half) != UNDECIDED or not math.isfinite(mean):
        return math.nan
    gap = min(abs(mean - edge) for edge in (low, high) if math.isfinite(edge))
    return replications_to_decide(n, half, gap)


def verdict_text(verdict: str, needed: float) -> str:
    """The verdict as a table shows it: an undecided one says about how many replications would decide."""
    if verdict == UNDECIDED and math.isfinite(needed):
        return f"{verdict} (about {int(needed):,})"
    return verdict
