"""Whether a paired difference is told apart from no difference, in words, from its confidence interval.

"−3 % ± 4 %" leaves an analyst to decide whether that is a difference. The verdict reads the same
interval every comparison prints (the paired-t CI of sim.analysis.paired, behind `dostyk compare`, the
workbench's Compare tab and `dostyk consignment --versus`, which may say higher and lower in their own
words, "later" and "sooner" for days, but read the interval here and nowhere else): an
interval wholly above 0 is "higher", wholly below "lower", one that holds 0 "no clear difference"
at that confidence level. Where no interval exists (no pair, or one pair, with a value) it says why,
rather than leave a blank or a NaN to be guessed at. Where only some pairs have a value (recovery that one
scenario never reached), the verdict says over how many: 'higher' over the 4 of 8 replications in which both
recovered says nothing of the 4 in which one did not.
"""

from __future__ import annotations

import math

HIGHER = "higher"
LOWER = "lower"
UNCLEAR = "no clear difference"
EQUAL = "no difference (equal in every pair)"


def every(direction: str) -> str:
    """Every pair differs by the same amount: an interval of width 0, no spread to judge it by."""
    return f"{direction} by the same amount in every pair (no spread, so no CI)"


HIGHER_EVERY = every(HIGHER)
LOWER_EVERY = every(LOWER)
#: the verdicts that tell a difference (a plot colours them)
TOLD_APART = (HIGHER, LOWER, HIGHER_EVERY, LOWER_EVERY)
NO_PAIRS = "cannot tell: no pair has a value"
ONE_PAIR = "cannot tell: one pair only, no CI"
NO_CI = "cannot tell: no CI"


def verdict(n: int, low: float, high: float, pairs: int | None = None, higher: str = HIGHER,
            lower: str = LOWER) -> str:
    """The scenario's KPI against the baseline's, from the paired difference's CI [low, high] over n pairs
    (of `pairs`, when given: fewer with a value are said, 'higher, in the 4 of 8 pairs where both have a value').
    `higher` and `lower` are the words for a larger and a smaller value ('later', 'sooner' for days)."""
    said = reading(n, low, high)
    said = {HIGHER: higher, LOWER: lower, HIGHER_EVERY: every(higher), LOWER_EVERY: every(lower)}.get(said, said)
    if pairs is not None and 1 < n < pairs:
        said = f"{said}, {subset_words(n, pairs)}"
    return said


def subset_words(n: int, pairs: int) -> str:
    """What a verdict over some of the pairs covers."""
    return f"in the {n:,} of {pairs:,} pairs where both have a value"


def reading(n: int, low: float, high: float) -> str:
    """The verdict's constant for a CI [low, high] over n pairs (not said over how many of them)."""
    if n <= 0:
        return NO_PAIRS
    if n == 1:
        return ONE_PAIR
    if not (math.isfinite(low) and math.isfinite(high)):
        return NO_CI
    if math.isclose(low, high, rel_tol=1e-9):  # no spread (up to rounding: the mean of 0.1, 0.1, 0.1 is not 0.1
        # exactly): 11 trains against 12 in each of 2 replications was "higher" at "95 %"
        return EQUAL if low == high == 0 else HIGHER_EVERY if low > 0 else LOWER_EVERY
    if low > 0:
        return HIGHER
    if high < 0:
        return LOWER
    return UNCLEAR
