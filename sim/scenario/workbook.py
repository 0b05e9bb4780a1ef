"""Scenario changes from an Excel workbook: one sheet of `key | value | unit` rows.

Planners keep their levers and demand figures in spreadsheets; retyping them as `--set` is where
typos come from. A workbook row is exactly one `--set key=value`: the same key paths, the same
checks, and errors that name the workbook, the sheet, the cell and the key. A unit is either a time
unit (the value becomes a duration, `6` and `h` → `6h`) or a label that matches the model's own unit
(`t`, `wagons`, `trains a day`, …); any other unit is refused rather than guessed at (`Mt` or `%`
would otherwise be off by a factor of a million or a hundred, in silence).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from sim.scenario.durations import UNIT_HOURS
from sim.scenario.errors import ScenarioError
from sim.scenario.input_file import unreadable
from sim.scenario.loader import parse_yaml
from sim.scenario.quoting import kind_in_words
from sim.scenario.schema import Scenario
from sim.scenario.spelling import GivenValues

#: the sheet read when the workbook has one of this name; otherwise the first sheet
SHEET = "levers"
#: units that only label a value already in the model's unit (nothing is converted)
LABELS = frozenset({
    "t", "tonnes", "t/year", "tonnes a year", "wagons", "wagons a day", "wagons/day", "trains", "trains a day",
    "trains/day", "points", "usd", "usd a day", "usd/day", "factor", "share", "count",
})
MAX_ROWS = 10_000


@dataclass(frozen=True)
class Row:
    """One change read from the workbook, with where it was written."""

    key: str
    value: Any
    cell: str  # the value's cell, e.g. "B4"
    written: str | None = None  # the cell's text, when it was text (`on`, `0x1F`), for a hint to quote it back


def _text(cell: Any) -> str:
    return "" if cell is None else str(cell).strip()


def _value(raw: Any, unit: str, where: str, key: str) -> Any:
    """The cell's value as `--set` would read it, with a time unit turned into a duration."""
    if isinstance(raw, dt.datetime):
        raw = raw.date() if raw.time() == dt.time(0) else raw.isoformat()
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ScenarioError(where, [(key, f"expected a finite number, got {raw!r}")])
    if isinstance(raw, str):
        raw = parse_yaml(raw, f"{where} ({key})") if raw.strip() else None
    if raw is None:
        raise ScenarioError(where, [(key, "the value cell is empty; give a value or delete the row")])
    if not unit:
        return raw
    if unit in UNIT_HOURS:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ScenarioError(where, [(key, f"unit {unit!r} needs a number, got {kind_in_words(raw)}")])
        return f"{raw}{unit}"
    if unit.lower() in LABELS:
        return raw
    raise ScenarioError(where, [(key, (
        f"unit {unit!r} is not one the model reads; give a time unit ({', '.join(sorted(UNIT_HOURS))}) to "
        f"convert, the model's own unit as a label ({', '.join(sorted(LABELS))}), or leave it empty"))])


def read_workbook(path: str | Path) -> tuple[str, list[Row]]:
    """The workbook's changes and a description of where they came from ("file, sheet 'levers'")."""
    from openpyxl import load_workbook  # only when a workbook is given
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    why = unreadable(path, "an Excel workbook (.xlsx)", max_bytes=None)
    if why is not None:
        raise ScenarioError(str(path), [("", why)])
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise ScenarioError(str(path), [("", "no such file")]) from None
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as exc:
        raise ScenarioError(str(path), [("", f"not a readable Excel workbook (.xlsx): {exc}")]) from None
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        where = f"{path}, sheet {sheet.title!r}"
        rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1))
    finally:
        book.close()
    header = [_text(c).lower() for c in (rows[0] if rows else ())]
    if header[:2] != ["key", "value"] or (len(header) > 2 and header[2] not in ("unit", "")):
        raise ScenarioError(where, [("row 1", f"expected the header key | value | unit, got {' | '.join(header)!r}")])
    if len(rows) > MAX_ROWS:
        raise ScenarioError(where, [("", f"more than {MAX_ROWS:,} rows; a lever sheet is a few dozen")])
    out: list[Row] = []
    seen: dict[str, str] = {}
    for number, cells in enumerate(rows[1:], start=2):
        key = _text(cells[0] if cells else None)
        if not key and any(_text(c) for c in cells[1:3]):  # a value whose key was deleted: it changed nothing
            shown = " | ".join(t for t in (_text(c) for c in cells[1:3]) if t)
            why = f"the key is empty but the row holds {shown!r}; give the key path (e.g. unloading.grain.points) or delete the row"
            raise ScenarioError(where, [(f"cell A{number}", why)])
        if not key or key.startswith("#"):
            continue  # blank rows and comments
        cell = f"B{number}"
        if key in seen:
            raise ScenarioError(where, [(f"cell A{number} ({key})", f"given twice (first in {seen[key]}); give it once")])
        unit = _text(cells[2]) if len(cells) > 2 else ""
        raw = cells[1] if len(cells) > 1 else None
        value = _value(raw, unit, f"{where}, cell {cell}", key)
        seen[key] = f"A{number}"
        out.append(Row(key, value, cell, raw.strip() if isinstance(raw, str) and not unit else None))
    if not out:
        raise ScenarioError(where, [("", "no changes: expected rows of key | value | unit under the header")])
    return where, out


def apply_workbook(scenario: Scenario, path: str | Path, other: dict[str, Any] | None = None) -> Scenario:
    """`scenario` with the workbook's changes; a bad row is reported with its sheet, cell and key.

    `other` are changes given another way (`--set`): a key in both is refused, not silently won by one.
    """
    where, rows = read_workbook(path)
    for row in rows:
        if other and row.key in other:
            raise ScenarioError(f"{where}, cell {row.cell}",
                                [(row.key, f"also given by --set ({row.key}={other[row.key]!r}); give it once")])
        try:  # the cell's text kept: `on` in a text key is told to write "on", not "yes"
            scenario.with_changes(GivenValues({row.key: row.value}, {row.key: row.written} if row.written else {}))
        except ScenarioError as exc:
            raise ScenarioError(f"{where}, cell {row.cell}", exc.problems) from None
    return scenario.with_changes({row.key: row.value for row in rows})
