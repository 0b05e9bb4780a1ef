"""Plain-text tables for the terminal: KPIs of a run, of a sweep's grid points, and a comparison.

Every cell goes through sim.reporting.numbers (thousands separators, no e-notation, intervals to
their precision and clipped at a KPI's bounds) and every table says its unit and n. A KPI that
cannot be computed because the scenario leaves an input unset (a wagon-day cost) reads "not set".
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis.stats import corridor_rows
from sim.reporting.labels import kpi_bounds, kpi_label, kpi_unit
from sim.reporting.numbers import CLIPPED_NOTE, NO_CI, Estimate, estimate, number
from sim.reporting.periods import counted_period
from sim.reporting.recovery import TITLE as RECOVERY_TITLE
from sim.reporting.recovery import recovery_table, unrecovered_note
from sim.reporting.terminal import table

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

HEADLINE_KPIS = [
    "tonnes_delivered", "throughput_t_per_day", "backlog_wagons_mean", "backlog_wagons_max",
    "backlog_incl_en_route_mean",  # the railway's "at the border and en route"
    "held_trains_mean", "dwell_h_mean", "dwell_h_p90",
    "dwell_h_km_mean",  # dwell_h_mean leaves out wagons still waiting at the end: a jam can look shorter
    "unload_wait_h_mean", "unloading_utilization",
    "stop_loading_days", "tonnes_deferred", "tonnes_lost", "idle_cost_usd", "recovery_days",
    "unrecovered_disruptions",  # recovery_days leaves out windows that never recovered: say how many
]
SWEEP_KPIS = ("throughput_t_per_day", "backlog_wagons_mean", "dwell_h_mean", "idle_cost_usd")
NOT_SET = "not set"


def styled(frame: pd.DataFrame, sig: int = 4) -> Any:
    """A DataFrame for notebooks: every number with thousands separators and `sig` significant figures,
    never in e-notation, '–' where missing (a pandas Styler; the data are unchanged)."""
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])]
    return frame.style.format(lambda x: number(x, sig), subset=numeric, na_rep="–")


def not_set(scenario: Scenario) -> dict[str, str]:
    """KPIs that the scenario leaves without an input, with what to show instead of a number."""
    return {} if scenario.costs.wagon_day_usd is not None else {"idle_cost_usd": f"{NOT_SET} (costs.wagon_day_usd)"}


def subset(kpi: str, n: int, total: int, unit: str = "") -> str:
    """' (n = 8 of 10 recovered)' when a mean is over only some of the replications (or pairs), else ''.

    A KPI with no value in some replications (recovery when the backlog never recovered, dwell when
    nothing was delivered) is averaged over the others; without n, 52 days from 1 replication of
    10 reads like a 10-replication mean.
    """
    if n >= total:
        return ""
    what = " recovered" if kpi.startswith("recovery_days") else ""
    return f" (n = {n} of {total}{unit}{what})"


def summary_cell(row: Mapping[str, Any] | None, kpi: str, replications: int | None = None) -> Estimate:
    """One KPI of one group (a summary.csv row): 'mean ± half-width', clipped, and '(n = 8 of 10
    recovered)' when the mean is over only some of the `replications`."""
    if row is None:
        return Estimate("–")
    n = int(row["n"])
    mean = float(row["mean"])
    note = subset(kpi, n, replications) if replications is not None else ""
    if replications is not None and replications < 2:  # said once under the table, not in every cell
        return Estimate(number(mean) if n else "–")
    if n == 0 or not math.isfinite(mean):
        return Estimate("–" + note)
    if n == 1 and note:
        return Estimate(f"{number(mean)}{note}")  # the note already says it is one value
    cell = estimate(mean, float(row["ci95_low"]), float(row["ci95_high"]), n, kpi_bounds(kpi))
    return Estimate(cell.text + note, cell.clipped)


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'s' if n != 1 else ''}"


def _rows_by(summary: pd.DataFrame, keys: Sequence[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] for k in keys): r for r in summary.to_dict("records")}


def _footer(replications: int | None, clipped: bool, notes: Mapping[str, str], shown: Sequence[str]) -> list[str]:
    lines = []
    if clipped:
        lines.append(CLIPPED_NOTE)
    if replications is not None and replications < 2:
        lines.append(f"{replications} replication: means only ({NO_CI}); run more with --replications")
    for kpi, note in notes.items():
        if kpi in shown:
            lines.append(f"{kpi}: {note}")
    return lines


def format_summary(summary: pd.DataFrame, kpis: Sequence[str] | None = None,
                   notes: Mapping[str, str] | None = None, replications: int | None = None) -> str:
    """A run's KPI table: one row per KPI with its unit, one column per cargo, 'mean ± 95 % CI'."""
    kpis = list(kpis or HEADLINE_KPIS)
    notes = dict(notes or {})
    if replications is None and len(summary):
        replications = int(summary["n"].max())
    cargos = list(dict.fromkeys(summary["cargo"]))
    by = _rows_by(summary, ["kpi", "cargo"])
    rows, clipped, shown = [], False, []
    for kpi in kpis:
        if not any((kpi, c) in by for c in cargos):
            continue
        shown.append(kpi)
        if kpi in notes:
            rows.append([kpi, kpi_unit(kpi)] + [NOT_SET] * len(cargos))
            continue
        cells = [summary_cell(by.get((kpi, c)), kpi, replications) for c in cargos]
        clipped |= any(c.clipped for c in cells)
        rows.append([kpi, kpi_unit(kpi), *(c.text for c in cells)])
    title = "mean ± 95 % CI" if not replications else (
        f"mean ± 95 % CI over {_count(replications, 'replication')}" if replications > 1 else "mean of 1 replication")
    text = title + "\n" + table(["KPI", "unit", *cargos], rows, right_from=2)
    footer = _footer(replications, clipped, notes, shown)
    return text + ("\n" + "\n".join(footer) if footer else "")


def sweep_rows(summary: pd.DataFrame, points: pd.DataFrame, kpis: Sequence[str], cargo: str, replications: int,
               notes: Mapping[str, str] | None = None, scenario: Scenario | None = None,
               ) -> tuple[list[str], list[list[str]], bool]:
    """Header and one row per grid point: its lever values (with the base `scenario`, a routing weight as the
    shares it makes: sim.reporting.analyst_units.lever_value_text), then each KPI 'mean ± CI' (n when only
    some replications have a value); and whether an interval was clipped at its KPI's bound."""
    from sim.reporting.analyst_units import lever_value_text

    notes = dict(notes or {})
    levers = list(points.columns)
    summary = corridor_rows(summary)  # with several crossings: the whole corridor's
    by = _rows_by(summary[summary["cargo"] == cargo], [*levers, "kpi"])
    rows, clipped = [], False
    for point in points.to_dict("records"):
        key = tuple(point[name] for name in levers)
        cells = []
        for kpi in kpis:
            if kpi in notes:
                cells.append(NOT_SET)
                continue
            cell = summary_cell(by.get((*key, kpi)), kpi, replications)
            clipped |= cell.clipped
            cells.append(cell.text)
        rows.append([lever_value_text(scenario, name, point[name]) if scenario is not None else str(point[name])
                     for name in levers] + cells)
    return [*levers, *(kpi_label(k) for k in kpis)], rows, clipped


def format_sweep(summary: pd.DataFrame, points: pd.DataFrame, kpis: Sequence[str], cargo: str,
                 replications: int, notes: Mapping[str, str] | None = None, scenario: Scenario | None = None) -> str:
    """A sweep's table: one row per grid point (its lever values), one column per KPI with its unit."""
    header, rows, clipped = sweep_rows(summary, points, kpis, cargo, replications, notes, scenario)
    text = (f"{cargo}: mean ± 95 % CI over {_count(replications, 'replication')} per point\n"
            + table(header, rows, len(points.columns)))
    footer = _footer(replications, clipped, dict(notes or {}), kpis)
    return text + ("\n" + "\n".join(footer) if footer else "")


#: Where the paired difference and the verdict sit in a row of difference_rows (the verdict last, words): a
#: table too wide for the terminal is split before the difference, the means apart from what they differ by
DIFFERENCE_COLUMN, VERDICT_COLUMN = 4, 6
VERDICT_NOTE = ("verdict: from the paired 95 % CI — higher or lower when it excludes 0, "
                "else no clear difference (more replications may still tell one)")


def difference_header(baseline: str, name: str) -> list[str]:
    """The columns of difference_rows, in the terminal and report.html alike."""
    return ["KPI", "unit", baseline, name, "difference ± 95 % CI (paired)", "unpaired CI", "verdict (95 %)"]


def difference_cell(difference: float, low: float, high: float, n: int, pairs: int, kpi: str = "") -> str:
    """A paired difference as every comparison writes it (compare's table, report.html, the workbench,
    `consignment --versus`): 'mean ± half-width' at the CI's precision (sim.reporting.numbers: enough digits to
    show that an interval excluding 0 does), and '(n = 4 of 8 pairs)' when only some of the `pairs` have a value."""
    note = subset(kpi, n, pairs, " pairs")
    if n == 0:
        return "–" + note
    if n == 1:
        return number(difference) + note  # no CI: the verdict says so ('one pair only'), the note of how many
    return estimate(difference, low, high, n).text + note  # (never clipped: a difference may be negative)


def difference_rows(diff: pd.DataFrame, name: str, cargo: str, kpis: Sequence[str], replications: int,
                    notes: Mapping[str, str] | None = None) -> list[list[str]]:
    """One row per KPI of `name` against the baseline: KPI, unit, both means (over the pairs with a value in
    both, and how many when that is only some), the paired difference with its CI, the unpaired CI's
    half-width, and the verdict of sim.experiments.compare.paired_differences (higher, lower, no clear
    difference at 95 %)."""
    notes = dict(notes or {})
    sub = diff[(diff["scenario"] == name) & (diff["cargo"] == cargo)]
    by = {r["kpi"]: r for r in sub.to_dict("records")}
    rows = []
    for kpi in kpis:
        if kpi not in by:
            continue
        if kpi in notes:
            rows.append([kpi, kpi_unit(kpi), NOT_SET, NOT_SET, NOT_SET, "", NOT_SET])
            continue
        r = by[kpi]
        n = int(r["n"])
        # the means are over the same pairs as the difference: 14.7 beside 12.7 read as every run's
        over = subset(kpi, n, replications, " pairs") if n else ""
        unpaired = r["half_width_unpaired"]
        rows.append([kpi, kpi_unit(kpi), number(r["mean_baseline"]) + over, number(r["mean_scenario"]) + over,
                     difference_cell(r["difference"], r["ci95_low"], r["ci95_high"], n, replications, kpi),
                     f"± {number(unpaired, 2)}" if math.isfinite(unpaired) else "–", r["verdict"]])
    return rows


def format_differences(diff: pd.DataFrame, baseline: str, name: str, cargo: str, kpis: Sequence[str],
                       replications: int, seed: int, notes: Mapping[str, str] | None = None, over: str = "") -> str:
    """One scenario against the baseline: both means, the paired difference with its CI, the unpaired CI
    (`over`: the days the KPIs cover, from kpis_over)."""
    notes = dict(notes or {})
    rows = difference_rows(diff, name, cargo, kpis, replications, notes)
    shown = {row[0] for row in rows}
    title = f"{name} − {baseline} ({cargo}; {replications} paired replications, seed {seed}{over})"
    text = title + "\n" + table(difference_header(baseline, name), rows, right_from=2, left_from=VERDICT_COLUMN,
                               breaks=[DIFFERENCE_COLUMN])
    footer = [VERDICT_NOTE] + [f"{kpi}: {note}" for kpi, note in notes.items() if kpi in shown]
    return text + ("\n" + "\n".join(footer) if footer else "")


def kpis_over(base: Scenario, other: Scenario, baseline: str, name: str) -> str:
    """'; KPIs over …' for the title of `other` (labelled `name`) against `base` (`baseline`): the days their KPIs
    count when a warm-up leaves some out ('' when neither has one), each scenario's when they differ (the
    baseline's days were said for both: a variant without its warm-up counted 10 days more under that title)."""
    def counted(s: Scenario) -> str:
        return counted_period(s.start, s.warmup, s.duration, whole=True)

    if (base.start, base.warmup, base.duration) == (other.start, other.warmup, other.duration):
        mine = counted_period(base.start, base.warmup, base.duration)
        return f"; KPIs over {mine}, after the warm-up" if mine else ""
    return f"; KPIs over {counted(base)} for {baseline}, {counted(other)} for {name}: not the same days"


#: A comparison's window KPIs by default (sim.analysis.window; formed_share is 1 for the whole corridor)
WINDOW_SHOWN = ("tonnes_delivered", "wagons_delivered", "trains_delivered", "arrivals_wagons", "throughput_t_per_day",
                "backlog_wagons_mean", "backlog_wagons_max", "held_trains_mean", "held_trains_max",
                "unloading_utilization", "stop_loading_days", "formed_wagons")


def window_over(first: str, last: str) -> str:
    """'; KPIs over the window 2024-01-02 to 2024-01-20 (both included, 19 days)' for a title, as `run --window` says it."""
    days = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days + 1
    return f"; KPIs over the window {first} to {last} (both included, {days:,} day{'s' * (days != 1)})"


def comparison_period(scenarios: Sequence[Scenario], names: Sequence[str]) -> str:
    """'KPIs over 1 Jan – 31 Dec 2023' for a figure of every scenario of a comparison (the baseline's days, and
    that others count other days when they do: their tables' titles say which)."""
    base = scenarios[0]
    days = counted_period(base.start, base.warmup, base.duration, whole=True)
    if all((s.start, s.warmup, s.duration) == (base.start, base.warmup, base.duration) for s in scenarios):
        return f"KPIs over {days}" + (", after the warm-up" if base.warmup > 0 else "")
    return f"KPIs over {days} for {names[0]}, other days for others (see the tables)"


#: KPIs added to a crossing's or the corridor's table when any cargo has a value above 0
CORRIDOR_KPIS = ["wagons_formed", "tonnes_unmet", "wagons_rejected", "trains_rejected"]


#: KPIs the run table leaves to the per-disruption recovery lines (sim.reporting.recovery): pooled
#: over every window, recovery_days hid a long hold behind short closures
POOLED_RECOVERY = ("recovery_days", "unrecovered_disruptions")


def compare_kpis(diff: pd.DataFrame) -> list[str]:
    """A comparison's default rows (terminal and report.html): the headline KPIs, then the recovery after each
    disruption (`recovery_days.<name>`), as `run` shows it: the pooled recovery_days mixes every window. Without
    any window to recover from, no recovery rows: the pooled one read '– (n = 0 of 3 pairs recovered)', as if
    windows had never recovered."""
    named = [k for k in dict.fromkeys(diff["kpi"].astype(str)) if k.startswith("recovery_days.")]
    return [*(k for k in HEADLINE_KPIS if named or k not in POOLED_RECOVERY), *named]


def format_crossings(summary: pd.DataFrame, crossings: list[str], notes: Mapping[str, str] | None = None,
                     replications: int | None = None) -> str:
    """A run's tables: one KPI table per crossing, then the corridor's (`all`) — just the one table
    with one crossing — each followed by its recovery after each disruption (when it has windows)."""
    reps = replications if replications is not None else (int(summary["n"].max()) if len(summary) else 0)

    def block(mine: pd.DataFrame) -> str:
        kpis = [k for k in _with_corridor_kpis(mine) if k not in POOLED_RECOVERY]
        recovery = format_recovery(mine, reps)
        return format_summary(mine, kpis, notes, replications) + ("\n\n" + recovery if recovery else "")

    if "crossing" not in summary.columns or len(crossings) == 1:
        return block(summary)
    parts = []
    for name in [*crossings, "all"]:
        mine = summary[summary["crossing"] == name]
        title = f"Crossing {name}" if name != "all" else "Whole corridor (every crossing)"
        parts.append(f"{title}\n{block(mine)}")
    return "\n\n".join(parts)


def _with_corridor_kpis(summary: pd.DataFrame) -> list[str]:
    extra = [k for k in CORRIDOR_KPIS
             if (summary.loc[summary["kpi"] == k, "mean"].fillna(0) > 0).any()]
    return [*HEADLINE_KPIS, *extra]


def format_recovery(summary: pd.DataFrame, replications: int) -> str:
    """The per-disruption recovery lines ('' when the scenario has no disruption window)."""
    frame = recovery_table(summary, replications)
    if frame.empty:
        return ""
    rows, clipped = [], False
    for r in frame.to_dict("records"):
        n = int(r["recovered"])
        if n == 0:
            days = "–"
        elif n == 1:
            days = number(r["mean_days"])
        else:
            cell = estimate(r["mean_days"], r["ci95_low_days"], r["ci95_high_days"], n, kpi_bounds("recovery_days"))
            days, clipped = cell.text, clipped or cell.clipped
        what = f"{n:,} of {replications:,} replications" + ("" if n else " (never within the run)")
        rows.append([r["disruption"], days, what])
    text = RECOVERY_TITLE + "\n" + table(["disruption", "days", "recovered"], rows, right_from=1)
    notes = [CLIPPED_NOTE] if clipped else []
    return "\n".join([text, *notes, *filter(None, [unrecovered_note(frame)])])
