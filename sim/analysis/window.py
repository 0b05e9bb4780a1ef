"""KPIs over a dated window, read from the daily series (daily.csv columns): pure functions.

The whole-run KPIs (sim/metrics.py) come from the model's exact observations. Observed figures,
though, are dated ("grain tonnes in 2023", "the backlog in January 2024"), so calibration needs the
same quantities over a calendar window. They are computed here from the daily series, so their
resolution is one day: a window is a set of whole calendar days, both ends included, as an analyst
reads "1 to 31 January". Maxima are the largest of the daily maxima (exact); means are the mean of
the daily time-weighted means (exact for whole days; the run's last, partial day counts as one day).
The warm-up is not applied: a window is explicit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import SimError
from sim.scenario.quoting import argument_in_words
from sim.units import one_or_many

#: Window KPIs, their definition and unit (names match the whole-run KPIs where the meaning is the same).
WINDOW_KPIS: dict[str, tuple[str, str]] = {
    "tonnes_delivered": ("tonnes unloaded on the window's days", "t"),
    "wagons_delivered": ("wagons unloaded on the window's days", "wagons"),
    "trains_delivered": ("trains whose last wagon was unloaded on the window's days", "trains"),
    "arrivals_wagons": ("wagons arriving at the border on the window's days", "wagons"),
    "throughput_t_per_day": ("tonnes_delivered divided by the window's days", "t/day"),
    "backlog_wagons_mean": ("mean of the daily time-weighted mean backlog", "wagons"),
    "backlog_wagons_max": ("largest backlog on any of the window's days", "wagons"),
    "held_trains_mean": ("mean of the daily time-weighted mean of held trains", "trains"),
    "held_trains_max": ("largest number of held trains on any of the window's days", "trains"),
    "unloading_utilization": ("mean of the daily utilisation of unloading points", "share of point-hours"),
    "stop_loading_days": ("hours of halted loading on the window's days, in days", "days"),
    "formed_wagons": ("wagons formed (loaded) at the origin for this crossing on the window's days", "wagons"),
    "formed_share": (("share of the cargo's wagons formed on the window's days that were routed to this crossing "
                      "(1 for the corridor as a whole)"), "share of wagons"),
}

#: Values "at a date" (the end of that day): KPI name -> daily column.
AT_DATE_KPIS: dict[str, tuple[str, str]] = {
    "backlog_wagons_end": ("backlog_end", "wagons"),
    "held_trains_end": ("held_trains_end", "trains"),
}

# Window KPI -> (daily column, how days are combined)
_SOURCES: dict[str, tuple[str, str]] = {
    "tonnes_delivered": ("tonnes_delivered", "sum"),
    "wagons_delivered": ("unloaded_wagons", "sum"),
    "trains_delivered": ("trains_delivered", "sum"),
    "arrivals_wagons": ("arrivals_wagons", "sum"),
    "throughput_t_per_day": ("tonnes_delivered", "mean"),
    "backlog_wagons_mean": ("backlog_mean", "mean"),
    "backlog_wagons_max": ("backlog_max", "max"),
    "held_trains_mean": ("held_trains_mean", "mean"),
    "held_trains_max": ("held_trains_max", "max"),
    "unloading_utilization": ("utilization", "mean"),
    "stop_loading_days": ("stop_loading_h", "sum"),
    "formed_wagons": ("formed_wagons", "sum"),
    "formed_share": ("formed_wagons", "sum"),   # then divided by the corridor's (_shares)
}


class WindowError(SimError, ValueError):
    """A window or date the daily series cannot answer (outside the run, or reversed)."""


def as_date(value: Any) -> dt.date:
    """A date from a date, datetime, Timestamp or ISO text (the time of day is dropped)."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:  # "Jan 1" was datetime's "Invalid isoformat string"
        raise WindowError(f"expected a date such as 2024-01-31 (ISO: year-month-day), got {value!r}") from None


def daily_of(daily: Any) -> pd.DataFrame:
    """The daily series: a run's `daily` table, or taken from the results that hold it (`results.daily`)."""
    table = daily if isinstance(daily, pd.DataFrame) else getattr(daily, "daily", None)
    if not isinstance(table, pd.DataFrame) or not {"date", "replication", "cargo"} <= set(table.columns):
        raise WindowError(f"expected a run's daily series (results.daily, or the Results), got {argument_in_words(daily)}")
    return table


def _keys(daily: pd.DataFrame) -> list[str]:
    """A row's identity: replication and cargo, and its crossing when the series has one (a
    corridor's rows per crossing and for the whole corridor must never be added together)."""
    return ["replication", "cargo", *(["crossing"] if "crossing" in daily.columns else [])]


def _dates(daily: pd.DataFrame) -> pd.Series:
    dates = daily["date"]
    if dates.dtype == object and all(type(day) is dt.date for day in dates):  # a run's own table holds dates
        return dates  # (not to timestamps and back: twice per dated target and replication of a calibration)
    return pd.to_datetime(dates).dt.date


def run_span(daily: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """First and last calendar day of the daily series."""
    dates = _dates(daily)
    return dates.min(), dates.max()


def simulated_days(scenario: Any) -> tuple[dt.date, dt.date]:
    """First and last calendar day a scenario's run simulates (its `start` and `duration`, in hours): the days
    a window must lie within, checked before anything runs."""
    first = scenario.start
    return first, first + dt.timedelta(days=max(1, -(-int(scenario.duration) // 24)) - 1)


def check_window(first: dt.date, last: dt.date, run_first: dt.date, run_last: dt.date) -> str | None:
    """Why [first, last] cannot be read from a run covering [run_first, run_last] (None if it can)."""
    if last < first:
        return f"the window ends ({last}) before it starts ({first})"
    if first < run_first or last > run_last:
        return (f"the window {first} to {last} is not inside the simulated days "
                f"{run_first} to {run_last}")
    return None


def window_kpis(daily: Any, first: Any, last: Any, kpis: list[str] | str | None = None) -> pd.DataFrame:
    """One row per replication and cargo (and crossing), one column per window KPI, over days
    first..last (inclusive). `daily` is `results.daily` (or the Results)."""
    daily = daily_of(daily)
    lo, hi = as_date(first), as_date(last)
    dates = _dates(daily)  # (once: read back from daily.csv they are text, converted by pandas)
    problem = check_window(lo, hi, dates.min(), dates.max())
    if problem:
        raise WindowError(problem)
    names = list(WINDOW_KPIS) if kpis is None else one_or_many(kpis)
    unknown = [k for k in names if k not in WINDOW_KPIS]
    if unknown:
        raise WindowError(f"unknown window KPI {unknown[0]!r}; expected one of: {', '.join(WINDOW_KPIS)}")
    rows = daily[(dates >= lo) & (dates <= hi)]
    keys = _keys(daily)
    grouped = rows.groupby(keys, sort=False)
    out = grouped.size().rename("days").reset_index()[keys]
    for kpi in names:
        column, how = _SOURCES[kpi]
        if column not in rows.columns:   # a results directory written before the column existed
            out[kpi] = float("nan")
            continue
        values = grouped[column].agg(how).to_numpy(dtype=float)
        if kpi == "stop_loading_days":
            values = values / 24.0
        out[kpi] = _shares(out, values) if kpi == "formed_share" else values
    return out.reset_index(drop=True)


def over_windows(daily: Any, windows: Sequence[tuple[Any, Any]], kpis: list[str] | str | None = None) -> pd.DataFrame:
    """window_kpis of each window (first, last) stacked: one row per window, replication and cargo (and
    crossing), with the window's `from` and `to` (ISO dates) first. What `dostyk run --window` writes to
    windows.csv and what a comparison over windows pairs, replication by replication."""
    frames = [window_kpis(daily, lo, hi, kpis).assign(**{"from": as_date(lo).isoformat(), "to": as_date(hi).isoformat()})
              for lo, hi in windows]
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    first = ["from", "to", *_keys(out)]
    return out[[*first, *[c for c in out.columns if c not in first]]]


def _shares(out: pd.DataFrame, formed: Any) -> Any:
    """Each crossing's formed wagons over the corridor's (its `all` row) for the same replication and cargo."""
    if "crossing" not in out.columns or not (out["crossing"] == "all").any():
        total = formed   # one crossing (no `all` rows) takes every wagon (0 / 0: nothing formed, no share)
    else:
        frame = out[["replication", "cargo", "crossing"]].assign(formed=formed)
        whole = frame[frame["crossing"] == "all"].set_index(["replication", "cargo"])["formed"]
        total = whole.reindex(pd.MultiIndex.from_frame(frame[["replication", "cargo"]])).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return formed / total


def at_date(daily: Any, when: Any, kpis: list[str] | str | None = None) -> pd.DataFrame:
    """One row per replication and cargo (and crossing) with each AT_DATE_KPIS value at the end of
    day `when`."""
    daily = daily_of(daily)
    day = as_date(when)
    dates = _dates(daily)
    run_first, run_last = dates.min(), dates.max()
    if not run_first <= day <= run_last:
        raise WindowError(f"the date {day} is not inside the simulated days {run_first} to {run_last}")
    names = list(AT_DATE_KPIS) if kpis is None else one_or_many(kpis)
    unknown = [k for k in names if k not in AT_DATE_KPIS]
    if unknown:
        raise WindowError(f"unknown at-date KPI {unknown[0]!r}; expected one of: {', '.join(AT_DATE_KPIS)}")
    rows = daily[dates == day]
    out = rows[_keys(daily)].copy()
    for kpi in names:
        out[kpi] = rows[AT_DATE_KPIS[kpi][0]].to_numpy(dtype=float)
    return out.reset_index(drop=True)


def window_unit(kpi: str) -> str:
    """Unit of a window or at-date KPI ('' when unknown)."""
    if kpi in WINDOW_KPIS:
        return WINDOW_KPIS[kpi][1]
    if kpi in AT_DATE_KPIS:
        return AT_DATE_KPIS[kpi][1]
    return ""


def days_in(first: Any, last: Any) -> int:
    """Number of calendar days in the inclusive window."""
    return (as_date(last) - as_date(first)).days + 1
