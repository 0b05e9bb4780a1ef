"""The observed figures a replay may cite: the numbered rows of the corridor's SOURCES.md, one registry.

scenarios/corridor/SOURCES.md copies the project's observed figures and numbers each row (V1, C10,
B3…). A figure a replay declares names its rows in `source:`; its value must then be one of the numbers
those rows state ("2.23 million t" is 2,230,000; "4 h 15 min" is 4.25), or the figure must say under
`derivation:` how it follows from them (a monthly rate times three months, the middle of a range).
A figure is so written once, in the rows, and a value that drifted from them is refused. The rows
must also speak of the KPI's unit (tonnes, wagons, trains, days) unless the derivation says how, and
of a year the comparison covers: a figure of 2020 compared over January 2024 must cite 2024 as well.

A user's history directory may hold its own SOURCES.md, in the same format, for observations the
shipped registry lacks: its rows are cited like the corridor's. The two make one registry, so a row
id both give with different text is refused (`conflicts`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from sim.scenario.user_file import read_text

SOURCES = "SOURCES.md"
ROW_ID = re.compile(r"\b([VCB]\d{1,2})\b")
_ROW = re.compile(r"^\|\s*([VCB]\d{1,2})\s*\|(.*)\|\s*$")
_NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)(\s*(?:million|Mt)\b)?")
_HOURS = re.compile(r"(\d+)\s*h\s+(\d+)\s*min")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
#: a KPI's unit (by how its name starts or ends) and how a row writes it
_UNITS = [("tonnes", r"\bt\b|\bMt\b|tonne"), ("throughput", r"\bt\b|\bMt\b|tonne"), ("_days", r"\bdays?\b"),
          ("wagons", r"wagon"), ("trains", r"train")]


def source_lines(path: Path) -> list[str]:
    """The stripped lines of a SOURCES.md, read as every file a user writes is (sim.scenario.user_file: a
    ScenarioError naming the file otherwise); a byte-order mark (Windows editors write one) is not text: it
    hid a table's first row from the row pattern."""
    text = read_text(path, f"a {SOURCES} (a Markdown table of numbered rows)", form="Markdown")
    return [line.strip() for line in text.lstrip("\ufeff").splitlines()]


def numbered_rows(lines: list[str]) -> list[tuple[str, str]]:
    """(row id, the row's text: figure, value, period, without the source cell) of each numbered row of a
    SOURCES.md's `lines` (source_lines), in order."""
    found = []
    for line in lines:
        m = _ROW.match(line)
        if m:
            cells = [c.strip() for c in m.group(2).split("|")]
            found.append((m.group(1), " | ".join(cells[:-1])))
    return found


def read_rows(path: Path) -> dict[str, str]:
    """Row id -> the row's text (figure, value, period; without the source cell) of a SOURCES.md."""
    return dict(numbered_rows(source_lines(path)))


def repeated(lines: list[str]) -> list[tuple[str, str]]:
    """(id, why) for each row id a SOURCES.md gives twice with other text: the later row silently replaced
    the earlier, and a figure citing the id was checked against a number its writer never meant."""
    first: dict[str, str] = {}
    found = []
    for row, text in numbered_rows(lines):
        if row in first and first[row] != text:
            found.append((row, (f"row {row} is given twice in this file, with other text ({first[row]!r}, then "
                               f"{text!r}): one id, one figure; number the second after the others")))
        first.setdefault(row, text)
    return found


_ANY_ID = re.compile(r"^\|\s*([A-Za-z]+\d+)\s*\|")


def odd_ids(lines: list[str]) -> list[tuple[str, str]]:
    """(id, why) for each table row whose first cell looks like a row id but is not one (U1, V123): it could
    never be cited, and a citation of it would be refused as naming no row."""
    found = []
    for line in lines:
        m = _ANY_ID.match(line)
        if m and not _ROW.match(line):
            upper = m.group(1).upper()
            hint = f": write it {upper}" if ROW_ID.fullmatch(upper) else ""
            found.append((m.group(1), (f"not a row id: a row is V, C or B and a number of one or two "
                                       f"digits (V11, C17, B6), as in the shipped {SOURCES}{hint}")))
    return found


def conflicts(registries: list[tuple[Path, dict[str, str]]]) -> list[tuple[str, str]]:
    """(row id, why) for each row a later registry gives with other text than an earlier one: one id, one figure."""
    found = []
    for i, (path, rows) in enumerate(registries):
        for earlier, before in registries[:i]:
            found += [(row, (f"row {row} of {path} is also row {row} of {earlier}, with other text ({before[row]!r}): "
                             f"number your rows after the ones {earlier.name} uses (its last: {_last_ids(before)})"))
                      for row in rows if row in before and rows[row] != before[row]]
    return found


def _last_ids(rows: dict[str, str]) -> str:
    """The highest id of each letter, e.g. 'V10, C16, B5'."""
    last: dict[str, int] = {}
    for row in rows:
        last[row[0]] = max(last.get(row[0], 0), int(row[1:]))
    return ", ".join(f"{k}{v}" for k, v in last.items())


#: a tolerance's why must name a SOURCES.md row (whose range it is) or say it is an ASSUMPTION
TOLERANCE_WHY = re.compile(rf"{ROW_ID.pattern}|ASSUMPTION")


def tolerance_problem(derivation: str, rows: dict[str, str]) -> str | None:
    """Why a tolerance does not say where it comes from (None when it does)."""
    if not derivation.strip():
        return ("say where the tolerance comes from: the range a row states (name it; the tolerance is then half "
                "that range) or ASSUMPTION with why; a figure a source gives only as a bound ('more than 360') is "
                "`at_least:` / `at_most:`, which needs no tolerance")
    if not TOLERANCE_WHY.search(derivation):
        said = re.search(r"assumption", derivation, re.IGNORECASE)
        capitals = f" (in capitals: it is the marker a reader searches for; it says {said.group()!r})" if said else ""
        return f"name the SOURCES.md row whose range the tolerance is (V1, C10, B3…), or say ASSUMPTION{capitals}"
    unknown = [i for i in cited(derivation) if i not in rows]
    return f"no row {', '.join(unknown)} in {SOURCES}; rows are {', '.join(rows)}" if unknown else None


def numbers(text: str) -> list[float]:
    """Every number a row states, in its unit as written: '2.23 million t' -> 2230000, '3,500' -> 3500,
    '4 h 15 min' -> 4, 15 and 4.25."""
    found = []
    for m in _NUMBER.finditer(text):
        value = float(m.group(1).replace(",", ""))
        found.append(value * 1e6 if m.group(2) else value)
    found += [int(h) + int(mins) / 60 for h, mins in _HOURS.findall(text)]
    return found


def cited(source: str) -> list[str]:
    """The row ids a `source:` text names."""
    return ROW_ID.findall(source)


def value_problem(value: float, source: str, derivation: str, rows: dict[str, str]) -> str | None:
    """Why a declared figure does not trace to the rows its source names (None when it does)."""
    ids = cited(source)
    if not ids:
        return f"name the {SOURCES} row(s) the figure comes from (V1, C10, B3…) in `source:`"
    unknown = [i for i in ids if i not in rows]
    if unknown:
        return f"no row {', '.join(unknown)} in {SOURCES}; rows are {', '.join(rows)}"
    stated = [n for i in ids for n in numbers(rows[i])]
    if derivation.strip() or any(math.isclose(value, n, rel_tol=1e-9) for n in stated):
        return None
    return (f"{_show(value)} is not a number of row(s) {', '.join(ids)} "
            f"({', '.join(map(_show, stated)) or 'none'}): take the row's value, or say under "
            "`derivation:` how it follows from them")


def _show(n: float) -> str:
    """2300000 -> '2,300,000'; a year stays a year ('2023')."""
    return str(int(n)) if n.is_integer() and 1900 <= n <= 2100 else f"{n:,.10g}"


def unit_problem(kpi: str, source: str, derivation: str, rows: dict[str, str]) -> str | None:
    """Why the rows a figure cites do not state it in the KPI's unit (None when they do, or a derivation says how)."""
    pattern = next((p for key, p in _UNITS if kpi.startswith(key) or kpi.endswith(key) or f"_{key}" in kpi), None)
    ids = [i for i in cited(source) if i in rows]
    if pattern is None or derivation.strip() or not ids or any(re.search(pattern, rows[i]) for i in ids):
        return None
    return (f"row(s) {', '.join(ids)} state no figure in the unit of {kpi}: compare like with like, or say "
            "under `derivation:` how the value follows")


def period_problem(first: dt.date, last: dt.date, source: str, rows: dict[str, str]) -> str | None:
    """Why the rows a figure cites are of other years than the days it is compared over (None when not)."""
    ids = [i for i in cited(source) if i in rows]
    years = sorted({int(y) for i in ids for y in _YEAR.findall(rows[i])})
    if not years or any(first.year <= y <= last.year for y in years):
        return None
    return (f"row(s) {', '.join(ids)} are of {', '.join(map(str, years))}; the figure is compared over {first} "
            f"to {last}: cite the row of that period too")
