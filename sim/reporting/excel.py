"""Results as an Excel workbook (`--xlsx`): summary, KPIs and daily series, ready to read.

Every header carries its unit (`tonnes_delivered (t)`), numbers keep full precision but show with
thousands separators, the header row is frozen, and a sheet `about` says what produced the numbers.
Text is always written as text: a scenario or cargo name beginning with `=` never becomes a
formula, and characters a workbook cannot hold are dropped. An Excel sheet holds at most 1,048,576
rows; a larger table is refused with a message rather than cut short. openpyxl writes about
100,000 cells a second: a year of 10 replications takes seconds, a sheet near the row limit minutes.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.metrics import STAGE_SERIES
from sim.errors import SimError
from sim.reporting.labels import kpi_unit
from sim.reporting.recovery import recovery_table
from sim.reporting.tables import not_set

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison
    from sim.experiments.results import Results
    from sim.experiments.sweep import SweepResult

MAX_ROWS = 1_048_576  # rows in one Excel sheet, the header included
FILE = "results.xlsx"

#: Units of daily.csv columns (stage columns `<series>.<stage>` take the unit of their series).
DAILY_UNITS = {
    "arrivals_wagons": "wagons", "unloaded_wagons": "wagons", "tonnes_delivered": "t", "trains_delivered": "trains",
    "backlog_end": "wagons", "backlog_max": "wagons", "backlog_mean": "wagons", "held_trains_end": "trains",
    "held_trains_max": "trains", "held_trains_mean": "trains", "utilization": "share of point-hours",
    "stop_loading_h": "h", "queue_mean": "trains", "queue_max": "trains", "queue_end": "trains",
    "blocked_closed_h": "h", "blocked_quota_h": "h", "blocked_full_h": "h",
}
assert all(s in DAILY_UNITS for s in STAGE_SERIES)


class WorkbookTooLargeError(SimError):
    """A table has more rows than one Excel sheet holds."""


def check_rows(rows: int, what: str) -> None:
    """Refuse, before any work, a table that would not fit in one sheet."""
    if rows + 1 > MAX_ROWS:
        raise WorkbookTooLargeError(
            f"--xlsx: the {what} would have {rows:,} rows; an Excel sheet holds {MAX_ROWS - 1:,} below its header "
            "— use fewer replications or a shorter `duration`, or read the CSV files (written anyway without --xlsx)")


def number_format(value: float) -> str:
    """Thousands separators, and decimals that suit the value's size."""
    size = abs(value)
    if size >= 100 or float(value).is_integer():
        return "#,##0"
    if size >= 1:
        return "#,##0.00"
    return "0.000##"


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _cell(ws: Any, value: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return WriteOnlyCell(ws, value=None)
    if isinstance(value, (bool, np.bool_)):
        return WriteOnlyCell(ws, value=bool(value))
    if isinstance(value, (int, np.integer)):
        cell = WriteOnlyCell(ws, value=int(value))
        cell.number_format = "#,##0" if abs(int(value)) >= 10_000 else "0"
        return cell
    if isinstance(value, (float, np.floating)):
        cell = WriteOnlyCell(ws, value=float(value))
        cell.number_format = number_format(float(value))
        return cell
    if isinstance(value, (dt.date, pd.Timestamp)):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    cell = WriteOnlyCell(ws, value=_clean(str(value)))
    cell.data_type = "s"  # text stays text: never a formula
    return cell


def _sheet(wb: Any, name: str, frame: pd.DataFrame, headers: Sequence[str]) -> None:
    check_rows(len(frame), f"sheet {name!r}")
    ws = wb.create_sheet(name)
    ws.freeze_panes = "A2"
    from openpyxl.utils import get_column_letter

    for i, header in enumerate(headers, start=1):
        sample = max((len(str(v)) for v in frame.iloc[:200, i - 1]), default=0)
        ws.column_dimensions[get_column_letter(i)].width = min(max(len(header), sample, 8) + 2, 60)
    from openpyxl.styles import Font

    bold = Font(bold=True)
    header_cells = [_cell(ws, h) for h in headers]
    for cell in header_cells:
        cell.font = bold
    ws.append(header_cells)
    columns = [frame[c].to_numpy(dtype=object) for c in frame.columns]
    for row in zip(*columns):
        ws.append([_cell(ws, v) for v in row])


def _headers(frame: pd.DataFrame, units: Mapping[str, str]) -> list[str]:
    return [f"{c} ({units[c]})" if units.get(c) else str(c) for c in frame.columns]


def _kpi_units(frame: pd.DataFrame) -> dict[str, str]:
    return {c: kpi_unit(c) for c in frame.columns}


def _daily_units(frame: pd.DataFrame) -> dict[str, str]:
    return {c: DAILY_UNITS.get(c, DAILY_UNITS.get(c.split(".", 1)[0], "")) for c in frame.columns}


def _with_unit(summary: pd.DataFrame, notes: Mapping[str, str]) -> pd.DataFrame:
    """A summary with each KPI's unit after its name, and a note where the scenario leaves it unset."""
    out = summary.copy()
    out.insert(list(out.columns).index("kpi") + 1, "unit", [kpi_unit(k) for k in out["kpi"]])
    out["note"] = [notes.get(k, "") for k in out["kpi"]]
    return out


def _write(path: Path, sheets: Sequence[tuple[str, pd.DataFrame, Mapping[str, str]]],
           about: Sequence[tuple[str, Any]]) -> Path:
    from openpyxl import Workbook

    for name, frame, _units in sheets:  # refuse before writing anything
        check_rows(len(frame), f"sheet {name!r}")
    wb = Workbook(write_only=True)
    for name, frame, units in sheets:
        _sheet(wb, name, frame, _headers(frame, units))
    _sheet(wb, "about", pd.DataFrame(list(about), columns=["item", "value"]), ["item", "value"])
    wb.save(path)
    return path


def _about(metadata: Mapping[str, Any], extra: Sequence[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [*extra, ("dostyk-sim version", metadata.get("version", "")), ("created (UTC)", metadata.get("created", "")),
            ("numbers", "full precision; shown with thousands separators; units in the headers; empty = no value"),
            ("ci95_low, ci95_high", "Student-t 95 % CI as computed (tables and reports clip it at a KPI's bound)")]


#: Note beside the pooled recovery KPIs in a summary sheet (the per-disruption figures are in sheet `recovery`)
POOLED_NOTE = "pooled over every disruption window; per disruption: sheet recovery"


def write_results_workbook(results: Results, directory: str | os.PathLike[str]) -> Path:
    """results.xlsx of a run: sheets summary, recovery (per disruption, when the scenario has windows),
    kpis, daily, about."""
    raw = results.summary()
    recovery = recovery_table(raw, results.replications)
    notes = not_set(results.scenario)
    if not recovery.empty:
        notes |= dict.fromkeys(("recovery_days", "unrecovered_disruptions"), POOLED_NOTE)
    summary = _with_unit(raw, notes)
    s = results.scenario
    sheets: list[tuple[str, pd.DataFrame, Mapping[str, str]]] = [("summary", summary, {})]
    if not recovery.empty:
        sheets.append(("recovery", recovery, {}))
    sheets += [("kpis", results.kpis, _kpi_units(results.kpis)), ("daily", results.daily, _daily_units(results.daily))]
    return _write(Path(directory) / FILE, sheets, _about(results.metadata, [("scenario", s.name), ("seed", results.seed),
                                 ("replications", results.replications),
                                 ("warm-up (h, not in KPIs)", s.warmup), ("duration (h)", s.duration)]))


def write_sweep_workbook(result: SweepResult, directory: str | os.PathLike[str]) -> Path:
    """results.xlsx of a sweep: sheets summary (per grid point), kpis, about."""
    summary = _with_unit(result.summary(), not_set(result.scenario))
    return _write(Path(directory) / FILE, [("summary", summary, {}), ("kpis", result.kpis, _kpi_units(result.kpis))],
                  _about(result.metadata, [("base scenario", result.scenario.name), ("seed", result.seed),
                                           ("replications per point", result.replications),
                                           ("levers", "; ".join(f"{k} = {v}" for k, v in result.levers.items()))]))


def write_compare_workbook(result: Comparison, directory: str | os.PathLike[str]) -> Path:
    """results.xlsx of a comparison: sheets differences, summary, kpis, daily (if kept), window differences and
    windows (with --window), about."""
    notes: dict[str, str] = {}
    for scen in result.scenarios:
        notes |= not_set(scen)
    diff = result.differences()
    if not diff.empty:
        diff.insert(list(diff.columns).index("kpi") + 1, "unit", [kpi_unit(k) for k in diff["kpi"]])
    sheets: list[tuple[str, pd.DataFrame, Mapping[str, str]]] = [
        ("differences", diff, {}), ("summary", _with_unit(result.summary(), notes), {}),
        ("kpis", result.kpis, _kpi_units(result.kpis))]
    if not result.daily.empty:
        sheets.append(("daily", result.daily, _daily_units(result.daily)))
    if not result.windows.empty:  # compare --window: each window's differences, and its KPIs per replication
        dated = result.window_differences()
        dated.insert(list(dated.columns).index("kpi") + 1, "unit", [kpi_unit(k) for k in dated["kpi"]])
        sheets += [("window differences", dated, {}), ("windows", result.windows, _kpi_units(result.windows))]
    return _write(Path(directory) / FILE, sheets,
                  _about(result.metadata, [("baseline", result.baseline), ("scenarios", "; ".join(result.names)),
                                           ("seed (every scenario)", result.seed),
                                           ("replications (paired)", result.replications)]))
