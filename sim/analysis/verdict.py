"""Whether a paired difference is told apart from no difference, in words, from its confidence interval.

"−3 % ± 4 %" leaves an analyst to decide whether that is a difference. The verdict reads the same
interval the table prints (the paired-t CI of sim.experiments.compare.paired_differences): an
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
NO_PAIRS = "cannot tell: no pair has a value"
ONE_PAIR = "cannot tell: one pair only, no CI"
NO_CI = "cannot tell: no CI"


def verdict(n: int, low: float, high: float, pairs: int | None = None) -> str:
    """The scenario's KPI against the baseline's, from the paired difference's CI [low, high] over n pairs
    (of `pairs`, when given: fewer with a value are said, 'higher, in the 4 of 8 pairs where both have a value')."""
    said = _verdict(n, low, high)
    if pairs is not None and 1 < n < pairs:
        said = f"{said}, {subset_words(n, pairs)}"
    return said


def subset_words(n: int, pairs: int) -> str:
    """What a verdict over some of the pairs covers."""
    return f"in the {n:,} of {pairs:,} pairs where both have a value"


def _verdict(n: int, low: float, high: float) -> str:
    if n <= 0:
        return NO_PAIRS
    if n == 1:
        return ONE_PAIR
    if not (math.isfinite(low) and math.isfinite(high)):
        return NO_CI
    if low > 0:
        return HIGHER
    if high < 0:
        return LOWER
    if low == high == 0:  # the same value in every pair (a scenario compared with an identical one)
        return EQUAL
    return UNCLEAR
