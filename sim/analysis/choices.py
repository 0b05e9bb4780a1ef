"""A KPI, cargo, crossing or column named by the caller, checked against what a table holds.

`results.kpi("backlog_wagons_max", "Grain")` was an empty Series (the cargo is `grain`), an unknown
KPI a pandas KeyError, and `plots.kpi_comparison(runs, cargo="Grain")` an empty figure. Every API
entry that picks rows by a name checks the name here first: one error naming what was asked, what
exists, and the near miss (a different case, a typo).
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches
from typing import Any

import pandas as pd

from sim.errors import SimError

#: columns of the KPI and daily tables that say which row it is, not a value
ID_COLUMNS = ("replication", "cargo", "crossing")


class ChoiceError(SimError, ValueError):
    """A KPI, cargo, crossing or column name that the results do not hold (a ValueError too)."""


def near_miss(value: Any, known: Iterable[str]) -> str | None:
    """The known name `value` was probably meant to be: the same but for case, else a close spelling."""
    if not isinstance(value, str):
        return None
    names = list(known)
    same = [k for k in names if k.casefold() == value.casefold()]
    close = same or get_close_matches(value, names, n=1, cutoff=0.75)
    return close[0] if close else None


def choose(what: str, value: Any, known: Iterable[Any]) -> str:
    """`value` if it is one of `known` (exactly: names are case-sensitive), else a ChoiceError."""
    names = list(dict.fromkeys(str(k) for k in known))
    if isinstance(value, str) and value in names:
        return value
    shown = ", ".join(names) if names else "none"
    near = near_miss(value, names)
    hint = f" (did you mean {near!r}?)" if near is not None else ""
    raise ChoiceError(f"unknown {what} {value!r}{hint}; expected one of: {shown}")


def choose_cargo(frame: pd.DataFrame, cargo: Any) -> str:
    """A cargo of a KPI, daily or summary table (`all` is the sum over cargo)."""
    return choose("cargo", cargo, frame["cargo"].dropna().unique() if "cargo" in frame.columns else ())


def choose_kpi(kpis: pd.DataFrame, kpi: Any) -> str:
    """A KPI column of a per-replication KPI table (kpis.csv's shape)."""
    return choose("KPI", kpi, [c for c in kpis.columns if c not in ID_COLUMNS])


def choose_summary_kpi(summary: pd.DataFrame, kpi: Any) -> str:
    """A KPI of a long summary table (a `kpi` column)."""
    return choose("KPI", kpi, summary["kpi"].dropna().unique() if "kpi" in summary.columns else ())
