"""Durations in scenario files: a number of hours, or a string with a unit ("30min", "6h", "2d", "1w").

Hours are the model's single time unit, so every duration is converted once, at load time.
A bare `m` is refused: in a file that also holds months-long keys (`duration`, `every`,
`return_time`) `6m` reads as six months as easily as six minutes, and a silent factor of ~40,000
is worse than an error.
"""

from __future__ import annotations

import math
import re

from sim.scenario.quoting import kind_in_words
from sim.units import count_text

#: Each unit also in words, singular and plural: `days` was read and `6 hours`, `90 mins` or `2 weeks` refused.
UNIT_HOURS: dict[str, float] = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1 / 3600),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), 1 / 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 1.0),
    **dict.fromkeys(("d", "day", "days"), 24.0),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 168.0),
}

# Units people write that have no fixed length in hours (or are ambiguous): refused with a hint.
_CALENDAR_UNITS = {"mo": "month", "mon": "month", "month": "month", "months": "month",
                   "y": "year", "yr": "year", "year": "year", "years": "year"}

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DURATION = re.compile(rf"^\s*({_NUMBER})\s*([a-zA-Z]*)\s*$")

EXPECTED = 'a duration: a number of hours or a string with a unit, e.g. "30min", "6h", "2d", "1w"'

#: What the JSON Schema says a duration string looks like (units in either case, as the parser).
DURATION_PATTERN = (
    rf"^\s*{_NUMBER}\s*("
    + "|".join("".join(f"[{c.lower()}{c.upper()}]" for c in unit) for unit in sorted(UNIT_HOURS, key=len, reverse=True))
    + r")?\s*$"
)
UNITS_TEXT = "s, min, h, d or w; also in words (sec, minutes, hr, hours, day, days, wk, weeks…)"


def parse_duration(value: object) -> float:
    """Return `value` in hours; raise ValueError saying what was expected."""
    if isinstance(value, bool):
        raise ValueError(f"expected {EXPECTED}, got {kind_in_words(value)}")
    if isinstance(value, (int, float)):
        try:
            hours = float(value)
        except OverflowError:  # an int past 1e308: it said 'int too large to convert to float'
            raise ValueError(f"expected {EXPECTED}, got {count_text(int(value))}, far past any horizon") from None
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"expected {EXPECTED}, got {value!r}")
        number, unit = match.groups()
        unit = unit.lower() or "h"
        if unit == "m":
            raise ValueError(
                f"{value.strip()!r} is ambiguous ('m' could be minutes or months): write '{number}min' for"
                f" minutes, or '{_days_for_months(number)}d' for about {number} months"
            )
        if unit in _CALENDAR_UNITS:
            kind = _CALENDAR_UNITS[unit]
            raise ValueError(
                f"{value.strip()!r}: a {kind} has no fixed length in hours; write days instead"
                f" (e.g. '{_days_for_months(number, 12 if kind == 'year' else 1)}d')"
            )
        if unit not in UNIT_HOURS:
            raise ValueError(f"unknown time unit {unit!r} in {value!r}; expected one of: {UNITS_TEXT}")
        hours = float(number) * UNIT_HOURS[unit]
    else:
        raise ValueError(f"expected {EXPECTED}, got {kind_in_words(value)}")
    if not math.isfinite(hours):
        raise ValueError(f"expected a finite duration, got {value!r}")
    return hours


def _days_for_months(number: str, per: int = 1) -> str:
    """Days in `number` months (30.4 days each) or years (per=12), for hints: '183' for 6 months."""
    try:
        days = float(number) * per * 365.25 / 12
    except ValueError:  # pragma: no cover - the regex only passes numbers
        return "30"
    return f"{days:,.0f}".replace(",", "") if math.isfinite(days) and abs(days) < 1e12 else "30"


def format_hours(hours: float) -> str:
    """A short human form of a duration, for messages and reports."""
    if hours >= 48 and hours % 24 == 0:
        return f"{hours / 24:g}d"
    if hours < 1:
        return f"{hours * 60:g}min"
    return f"{hours:g}h"
