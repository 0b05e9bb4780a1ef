"""report.html of a named experiment (`dostyk experiment`): one section per crossing and cargo.

Each section holds the paired differences of every variant from the baseline for the KPIs of
interest (95 % CIs, common random numbers), a MORE plot (sim.reporting.more_plots) and, when the
experiment file chose a KPI, the "possible best / rejected" subset (sim.analysis.selection). Every
table and plot is labelled with the variants' names from the experiment file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis.selection import select_subset
from sim.experiments.compare import incomparable, paired_differences
from sim.reporting import tables
from sim.reporting.experiment_report import TEMPLATE, _embed, _save, _write, changes_from
from sim.reporting.labels import kpi_unit
from sim.reporting.more_plots import more_plot
from sim.reporting.numbers import number
from sim.reporting.report import template_environment
from sim.reporting.tables import not_set
from sim.units import safe_name

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison
    from sim.experiments.named import Experiment, KpiChoice


def sections(kpis: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """(crossing label, rows of that crossing without the crossing column): one section for a single
    crossing, else each crossing and the whole corridor (`all`)."""
    if "crossing" not in kpis.columns or kpis["crossing"].nunique() <= 1:
        return [("", kpis.drop(columns=["crossing"], errors="ignore"))]
    return [("whole corridor" if c == "all" else str(c), kpis[kpis["crossing"] == c].drop(columns=["crossing"]))
            for c in dict.fromkeys(kpis["crossing"])]


def pairing_notes(result: Comparison) -> list[str]:
    """Why the comparison is not paired day by day (variants over other periods), or nothing."""
    notes = incomparable(result.scenarios, result.names)
    return [f"Not paired day by day: {n}." for n in notes]


def selection_rows(frame: pd.DataFrame, names: Sequence[str], choice: KpiChoice, goal: str) -> list[list[str]]:
    """Each scenario's mean of the chosen KPI and whether it may be the best (95 % confidence)."""
    rows = frame[frame["cargo"] == choice.cargo]
    if choice.kpi not in rows.columns:
        return []
    wide = rows.pivot_table(index="replication", columns="scenario", values=choice.kpi, aggfunc="first",
                            dropna=False).reindex(columns=list(names))
    chosen = select_subset(wide, goal, 0.95, choice.kpi)
    out = []
    for name in names:
        mean = float(wide[name].mean()) if name in wide else float("nan")
        if chosen.is_kept(name):
            verdict = "possible best"
        elif name in chosen.rejected:
            by, margin = chosen.rejected[name]
            verdict = f"rejected: {by} is better by {number(margin)} {kpi_unit(choice.kpi)} beyond the noise"
        else:
            verdict = "no value"
        out.append([name, number(mean), verdict])
    return out


def write_experiment_report(result: Comparison, experiment: Experiment, directory: str | os.PathLike[str]) -> Path:
    """plots/ (a MORE plot per crossing and cargo) and report.html of a named experiment, into `directory`."""
    d = Path(directory)
    notes: dict[str, str] = {}
    for scen in result.scenarios:
        notes |= not_set(scen)
    cargos = list(dict.fromkeys(c.cargo for c in experiment.kpis))
    figures: dict[str, Any] = {}
    captions: dict[str, str] = {}
    out_tables: list[dict[str, Any]] = []
    for crossing, frame in sections(result.kpis):
        where = f", {crossing}" if crossing else ""
        diff = paired_differences(frame, result.baseline, result.names)
        for cargo in cargos:
            shown = [c.kpi for c in experiment.kpis if c.cargo == cargo]
            rows = [[name, *row] for name in result.names[1:]
                    for row in tables.difference_rows(diff, name, cargo, shown, result.replications, notes)]
            out_tables.append({"title": f"Paired differences from {result.baseline} ({cargo}{where})",
                               "header": ["variant", "KPI", "unit", f"{result.baseline} (baseline)", "variant",
                                          *tables.difference_header("", "")[4:]], "rows": rows})
            key = safe_name(f"more_{crossing}_{cargo}" if crossing else f"more_{cargo}")
            figures[key] = more_plot(frame[frame["cargo"] == cargo], result.names, shown,
                                     f"MORE plot ({cargo}{where}): outcomes of {result.replications} paired "
                                     "replications and the 95 % CI of each mean")
            captions[key] = (f"Measure of Risk and Error ({cargo}{where}): for each scenario, the box spans the 5th–95th "
                             "percentile of its replications (line: median; dots: each replication) — the risk of "
                             "one period; the red diamond and bar are the mean and its 95 % CI — the error of the "
                             "estimate.")
        if experiment.select is not None:
            rows = selection_rows(frame, result.names, experiment.select, experiment.goal)
            goal = "smallest" if experiment.goal == "minimize" else "largest"
            out_tables.append({"title": f"Possible best and rejected: {experiment.select.label}{where} ({goal} is best)",
                               "header": ["scenario", f"mean {experiment.select.kpi} ({kpi_unit(experiment.select.kpi)})",
                                          "verdict (95 % confidence that the best is among the possible best)"],
                               "rows": rows})
    images = _save(figures, d)
    base = result.scenarios[0].to_dict()
    scenarios = [{"label": name, "name": scen.name, "description": " ".join(scen.description.split()),
                  "changes": changes_from(base, scen.to_dict()) if i else []}
                 for i, (name, scen) in enumerate(zip(result.names, result.scenarios))]
    meta = result.metadata
    alerts = pairing_notes(result)
    html = template_environment().get_template(TEMPLATE).render(
        title=f"Experiment: {experiment.source.stem}", kind="experiment", scenarios=scenarios, levers=[],
        tables=out_tables, notes=[tables.VERDICT_NOTE], alerts=alerts, figures=_embed(images, captions), meta=meta,
        facts=[("experiment file", experiment.source.name), ("baseline", result.baseline),
               ("variants", ", ".join(result.names[1:])),
               ("replications per scenario (paired)", f"{result.replications:,}"),
               ("seed (every scenario)", str(result.seed)), ("dostyk-sim version", meta.get("version", "")),
               ("created (UTC)", meta.get("created", ""))],
        intro=((experiment.description.strip() + " — ") if experiment.description else "") + (
            "every variant ran the same replications with the same seed as the baseline (common random numbers), "
            "so differences are taken replication by replication and their paired 95 % CI shows what the "
            "change itself does."),
    )
    return _write(d, html)
