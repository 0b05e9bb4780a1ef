"""Durations in scenario files: a number of hours, or a string with a unit ("30min", "6h", "2d", "1w").

Hours are the model's single time unit, so every duration is converted once, at load time.
"""

from __future__ import annotations

import math
import re

UNIT_HOURS: dict[str, float] = {
    "s": 1 / 3600,
    "sec": 1 / 3600,
    "min": 1 / 60,
    "m": 1 / 60,
    "h": 1.0,
    "hr": 1.0,
    "d": 24.0,
    "day": 24.0,
    "days": 24.0,
    "w": 168.0,
    "wk": 168.0,
}

_DURATION = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$")

EXPECTED = 'a duration: a number of hours or a string with a unit, e.g. "30min", "6h", "2d", "1w"'


def parse_duration(value: object) -> float:
    """Return `value` in hours; raise ValueError saying what was expected."""
    if isinstance(value, bool):
        raise ValueError(f"expected {EXPECTED}, got {value!r}")
    if isinstance(value, (int, float)):
        hours = float(value)
    elif isinstance(value, str):
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"expected {EXPECTED}, got {value!r}")
        number, unit = match.groups()
        unit = unit.lower() or "h"
        if unit not in UNIT_HOURS:
            known = ", ".join(sorted(set(UNIT_HOURS)))
            raise ValueError(f"unknown time unit {unit!r} in {value!r}; expected one of: {known}")
        hours = float(number) * UNIT_HOURS[unit]
    else:
        raise ValueError(f"expected {EXPECTED}, got {type(value).__name__} {value!r}")
    if not math.isfinite(hours):
        raise ValueError(f"expected a finite duration, got {value!r}")
    return hours


def format_hours(hours: float) -> str:
    """A short human form of a duration, for messages and reports."""
    if hours >= 48 and hours % 24 == 0:
        return f"{hours / 24:g}d"
    if hours < 1:
        return f"{hours * 60:g}min"
    return f"{hours:g}h"
