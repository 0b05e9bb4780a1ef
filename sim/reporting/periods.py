"""A period of dates in words ('2–20 Jan 2024'), for tables, reports and `dostyk validate`.

Plain datetime arithmetic (a pandas Timestamp is a datetime too), so that `dostyk validate` can say
when a disruption applies without importing pandas or matplotlib.
"""

from __future__ import annotations

import datetime as dt


def _is_midnight(t: dt.datetime) -> bool:
    return t == t.replace(hour=0, minute=0, second=0, microsecond=0)


def period_text(start: dt.datetime, end: dt.datetime) -> str:
    """'2–20 Jan 2024' for whole days (end exclusive at midnight), else with hours."""
    if _is_midnight(start) and _is_midnight(end) and end > start:
        last = end - dt.timedelta(days=1)
        if last == start:
            return f"{start.day} {start:%b %Y}"
        if (last.year, last.month) == (start.year, start.month):
            return f"{start.day}–{last.day} {last:%b %Y}"
        first = f"{start:%b}" if start.year == last.year else f"{start:%b %Y}"
        return f"{start.day} {first} – {last.day} {last:%b %Y}"
    return f"{start:%d %b %H:%M} – {end:%d %b %Y %H:%M}"


def counted_period(start: dt.date, warmup_h: float, duration_h: float, whole: bool = False) -> str:
    """The days a run's KPIs count when a warm-up leaves some out ('' without one, unless `whole`): a
    comparison over a season (`--set warmup=243d --set duration=334d`) said only its replications and seed."""
    if warmup_h <= 0 and not whole:
        return ""
    origin = start if isinstance(start, dt.datetime) else dt.datetime(start.year, start.month, start.day)
    return period_text(origin + dt.timedelta(hours=warmup_h), origin + dt.timedelta(hours=duration_h))
