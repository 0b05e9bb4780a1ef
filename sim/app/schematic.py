"""The corridor drawn for one replication and one day: origin → line → yard → checks → unloading.

Every count shown is a value of `daily.csv` for that replication and day (end-of-day queues, held
trains, the border backlog, wagons unloaded that day), so what a stakeholder sees on the schematic
is what the results files say; a stage in a disruption window that day is marked with its factor.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from sim.experiments.results import Results


@dataclass(frozen=True)
class StageBox:
    """One box of the schematic: a stage, its count that day, and what limits it."""

    key: str          # the stage's key (`line`, `checks.handover`, `crossings.dostyk.yard`)
    label: str
    value: float
    unit: str
    column: str       # the daily.csv column the value comes from
    limit: str = ""   # e.g. "12 trains a day"
    factor: float | None = None  # a disruption's capacity factor in force that day (0 = closed)


def _prefix(results: Results, crossing: str) -> str:
    return f"crossings.{crossing}." if len(results.crossings) > 1 else ""


def day_rows(results: Results, replication: int, date: str) -> pd.DataFrame:
    d = results.daily
    return d[(d["replication"] == replication) & (d["date"].astype(str) == date)]


def _factor(results: Results, replication: int, key: str, date: str) -> float | None:
    """The smallest capacity factor of a disruption on `key` in force at some time of `date`."""
    e = results.events
    if e.empty:
        return None
    day = pd.Timestamp(date)
    hits = e[(e["replication"] == replication) & (e["target"] == key) & (e["start"] < day + pd.Timedelta(days=1))
             & (e["end"] > day)]
    return float(hits["capacity"].min()) if len(hits) else None


def stage_boxes(results: Results, replication: int, date: str) -> dict[str, list[StageBox]]:
    """Each crossing's boxes, in the order a train meets them, for the end of `date`."""
    rows = day_rows(results, replication, date)
    corridor = rows[(rows["cargo"] == "all") & (rows["crossing"] == results.corridor)]
    if corridor.empty:
        raise ValueError(f"no daily row for replication {replication} on {date}")
    top = corridor.iloc[0]
    out: dict[str, list[StageBox]] = {}
    for crossing, spec in results.scenario.crossing_specs():
        own = rows[(rows["cargo"] == "all") & (rows["crossing"] == crossing)].iloc[0]
        prefix = _prefix(results, crossing)

        def box(stage: str, label: str, limit: str = "", source: pd.Series = top, prefix: str = prefix) -> StageBox:
            column = f"queue_end.{prefix}{stage}"
            value = source.get(column)
            return StageBox(f"{prefix}{stage}", label, 0.0 if pd.isna(value) else float(value), "trains waiting",
                            column, limit, _factor(results, replication, f"{prefix}{stage}", date))

        line_limit = f"{spec.line.max_trains_per_day} trains a day" if spec.line.max_trains_per_day else ""
        boxes = [box("line", "approach line", line_limit),
                 StageBox(f"{prefix}yard.held", "held before the yard", float(own["held_trains_end"]), "trains",
                          "held_trains_end", _yard_limit(spec.yard.capacity_wagons),
                          _factor(results, replication, f"{prefix}yard", date))]
        for check in spec.checks:
            limit = f"{check.trains_per_day} trains a day" if check.trains_per_day else ""
            boxes.append(box(f"checks.{check.name}", check.name, limit))
        boxes.append(StageBox(f"{prefix}border", "at the border (backlog)", float(own["backlog_end"]), "wagons",
                              "backlog_end"))
        boxes.append(StageBox(f"{prefix}unloading", "unloaded that day", float(own["unloaded_wagons"]), "wagons",
                              "unloaded_wagons"))
        out[crossing] = boxes
    origin = top.get("origin_queue_end")
    return {"origin": [StageBox("origin", "waiting at origin", 0.0 if pd.isna(origin) else float(origin),
                                "trains", "origin_queue_end")], **out}


def _yard_limit(capacity: int | None) -> str:
    """The yard's room as the report says it (a scenario may leave it out: no limit)."""
    return f"yard {capacity:,} wagons" if capacity else "yard: no limit"


def _box_html(b: StageBox) -> str:
    colour = "#f6f8fb"
    note = ""
    if b.factor is not None:
        colour = "#f8d7da" if b.factor == 0 else "#fff3cd"
        note = "<div class='note'>closed</div>" if b.factor == 0 else f"<div class='note'>capacity × {b.factor:g}</div>"
    limit = f"<div class='limit'>{html.escape(b.limit)}</div>" if b.limit else ""
    return (f"<div class='stage' data-stage='{html.escape(b.key)}' data-column='{html.escape(b.column)}' "
            f"style='background:{colour}'><div class='label'>{html.escape(b.label)}</div>"
            f"<div class='value' data-value='{b.value:g}'>{b.value:,.0f}</div>"
            f"<div class='unit'>{html.escape(b.unit)}</div>{limit}{note}</div>")


STYLE = """<style>
.corridor .row {display:flex; align-items:stretch; gap:6px; margin:6px 0; flex-wrap:wrap}
.corridor .name {width:90px; font-weight:600; align-self:center}
.corridor .stage {border:1px solid #b8c4d3; border-radius:6px; padding:6px 8px; min-width:110px; text-align:center}
.corridor .arrow {align-self:center; color:#8a9bb0}
.corridor .value {font-size:1.5em; font-weight:600}
.corridor .label, .corridor .unit, .corridor .limit, .corridor .note {font-size:0.8em}
.corridor .note {font-weight:600}
</style>"""


def schematic_html(results: Results, replication: int, date: str) -> str:
    """The schematic as HTML: one row per crossing, origin first."""
    rows = [(f"<div class='when' data-date='{date}' data-replication='{replication}'>"
             f"Replication {replication + 1}, end of {date}</div>")]
    for crossing, boxes in stage_boxes(results, replication, date).items():
        cells = "<span class='arrow'>→</span>".join(_box_html(b) for b in boxes)
        rows.append(f"<div class='row' data-crossing='{html.escape(crossing)}'>"
                    f"<div class='name'>{html.escape(crossing)}</div>{cells}</div>")
    return STYLE + "<div class='corridor'>" + "".join(rows) + "</div>"
