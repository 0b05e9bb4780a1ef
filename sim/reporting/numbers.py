"""Numbers as analysts read them, in every table (run, sweep, compare), the report and the workbook.

Thousands separators, a sensible number of significant figures, never e-notation
(`2,213,000 ± 66,000`, `0.000012`, `1,000,000,000`). An estimate is written to the precision of its
confidence interval (the half-width to two significant figures, the mean to the same decimal
place). A KPI that cannot be negative (tonnes, counts, hours, utilisation) never shows an interval
reaching below 0: the interval is clipped at the bound and written `[low – high]`, which keeps its
coverage (the part cut off holds only impossible values). With fewer than two values there is no
interval, and the text says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: Below this magnitude a value is floating-point noise (e.g. a difference of two equal sums): "0".
TINY = 1e-12
NO_CI = "n too small for a CI"
CLIPPED_NOTE = "[low – high]: 95 % CI clipped at the KPI's bound (it cannot be negative, or above 1 for a share)"


def _decimals(x: float, sig: int) -> int:
    """Decimal places that show `x` to `sig` significant figures (negative: round to tens, …)."""
    return sig - 1 - math.floor(math.log10(abs(x)))


def fixed(x: float, decimals: int) -> str:
    """`x` rounded to `decimals` places (negative: to tens, hundreds, …) with thousands separators."""
    if decimals <= 0:
        rounded = round(x, decimals)
        return f"{rounded + 0.0:,.0f}" if rounded != 0 else "0"
    text = f"{x:,.{decimals}f}"
    return "0" if float(text.replace(",", "")) == 0 else text


def number(x: float | None, sig: int = 4) -> str:
    """`x` to `sig` significant figures, thousands separated, trailing zeros dropped: '–' if missing."""
    if x is None or not math.isfinite(x):
        return "–"
    if abs(x) < TINY:
        return "0"
    text = fixed(x, _decimals(x, sig))
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@dataclass(frozen=True)
class Clipped:
    """A confidence interval cut at a quantity's bounds, and which ends were cut."""

    low: float
    high: float
    at_low: bool   # the low end was below the lower bound (e.g. days below 0)
    at_high: bool  # the high end was above the upper bound (e.g. a share above 1)

    @property
    def clipped(self) -> bool:
        return self.at_low or self.at_high


def clip(mean: float, low: float, high: float, bounds: tuple[float, float] = (-math.inf, math.inf)) -> Clipped:
    """The interval [low, high] clipped at `bounds`, the physical limits of the quantity (its coverage is
    kept: what is cut off holds only impossible values). Only a bound the mean respects clips: a
    utilisation above 1 (extra points in a window) stays as it is."""
    lo_bound, hi_bound = bounds
    at_low, at_high = low < lo_bound <= mean, high > hi_bound >= mean
    return Clipped(lo_bound if at_low else low, hi_bound if at_high else high, at_low, at_high)


@dataclass(frozen=True)
class Estimate:
    """A mean and its 95 % confidence interval, written for people."""

    text: str               # '2,213,000 ± 66,000', '4.2 [0 – 9.9]', '12 (n=1, n too small for a CI)', '–'
    clipped: bool = False   # the interval was clipped at a bound (say so under the table)


def interval(mean: float, low: float, high: float, n: int | None = None,
             bounds: tuple[float, float] = (-math.inf, math.inf)) -> tuple[str, str, bool]:
    """(mean, 'low – high', clipped) at the interval's precision, the interval clipped at `bounds`.

    The interval text is '' when there is none (n < 2, or no finite bounds).
    """
    if not math.isfinite(mean) or n == 0:
        return "–", "", False
    half = (high - low) / 2 if math.isfinite(low) and math.isfinite(high) else math.nan
    if (n is not None and n < 2) or not math.isfinite(half):
        return number(mean), "", False
    if half < TINY * max(1.0, abs(mean)):
        text = number(mean)
        return text, f"{text} – {text}", False
    decimals = _precision(mean, half)
    cut = clip(mean, low, high, bounds)
    return fixed(mean, decimals), f"{fixed(cut.low, decimals)} – {fixed(cut.high, decimals)}", cut.clipped


def _precision(mean: float, half: float) -> int:
    """Decimals of an estimate: the half-width's second significant figure, at most 7 for the mean."""
    decimals = _decimals(half, 2)
    return min(decimals, _decimals(mean, 7)) if abs(mean) >= TINY else decimals


def estimate(mean: float, low: float, high: float, n: int | None = None,
             bounds: tuple[float, float] = (-math.inf, math.inf)) -> Estimate:
    """'mean ± half-width' at the interval's precision; clipped at `bounds` as 'mean [low – high]'.

    `n` is the number of values behind the mean; below 2 there is no interval and the text says
    'n too small for a CI'.
    """
    mean_text, ci, clipped = interval(mean, low, high, n, bounds)
    if mean_text == "–":
        return Estimate("–")
    if not ci:
        return Estimate(f"{mean_text} (n={n if n is not None else '?'}, {NO_CI})")
    if clipped:
        return Estimate(f"{mean_text} [{ci}]", clipped=True)
    half = (high - low) / 2
    if half < TINY * max(1.0, abs(mean)):
        return Estimate(f"{mean_text} ± 0")
    decimals = _precision(mean, half)
    if low > 0 or high < 0:
        decimals = _apart_from_zero(mean, half, decimals)
    return Estimate(f"{fixed(mean, decimals)} ± {fixed(half, decimals)}")


def _apart_from_zero(mean: float, half: float, decimals: int, most: int = 3) -> int:
    """Decimals at which an interval that excludes 0 is also written so: -103.8 ± 101.4 at two
    significant figures was '-100 ± 100', which seems to reach 0 beside a verdict of 'lower'."""
    for _ in range(most):
        if abs(float(fixed(mean, decimals).replace(",", ""))) > float(fixed(half, decimals).replace(",", "")):
            break
        decimals += 1
    return decimals
