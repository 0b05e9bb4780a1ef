"""Plain-text KPI tables for the terminal: one row per KPI, means with 95 % CI half-widths.

Numbers keep thousands separators and never use e-notation (15,910 not 1.591e+04).
"""

from __future__ import annotations

import math

import pandas as pd

HEADLINE_KPIS = [
    "tonnes_delivered", "throughput_t_per_day", "backlog_wagons_mean", "backlog_wagons_max",
    "held_trains_mean", "dwell_h_mean", "dwell_h_p90", "unload_wait_h_mean", "unloading_utilization",
    "stop_loading_days", "tonnes_deferred", "tonnes_lost", "idle_cost_usd", "recovery_days",
]
SWEEP_KPIS = ("throughput_t_per_day", "backlog_wagons_mean", "dwell_h_mean", "idle_cost_usd")


def num(x: float, digits: int = 4) -> str:
    """`digits` significant figures, without exponents for large numbers (15,910 not 1.591e+04)."""
    if not math.isfinite(x):
        return "–"
    if abs(x) >= 10 ** (digits - 1):
        return f"{float(f'{x:.{digits}g}'):,.0f}"
    return f"{x:.{digits}g}"


def cell(mean: float, low: float, high: float) -> str:
    """'mean ± half-width' of a confidence interval (just the mean when it has none)."""
    if not math.isfinite(mean):
        return "–"
    half = (high - low) / 2
    return f"{num(mean)} ± {num(half, 2)}" if math.isfinite(half) else num(mean)


def table(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns under a header and a rule."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def format_summary(summary: pd.DataFrame, kpis: list[str] | None = None) -> str:
    """A KPI table: one row per KPI, one column per cargo, 'mean ± CI half-width'."""
    kpis = kpis or HEADLINE_KPIS
    cargos = list(dict.fromkeys(summary["cargo"]))
    rows = []
    for kpi in kpis:
        sub = summary[summary["kpi"] == kpi]
        if sub.empty:
            continue
        cells = [kpi]
        for c in cargos:
            r = sub[sub["cargo"] == c]
            if r.empty or not math.isfinite(r["mean"].iloc[0]):
                cells.append("–")
                continue
            mean, hi = r["mean"].iloc[0], r["ci95_high"].iloc[0]
            half = hi - mean if math.isfinite(hi) else float("nan")
            cells.append(f"{mean:,.4g} ± {half:,.2g}" if math.isfinite(half) else f"{mean:,.4g}")
        rows.append(cells)
    return table(["KPI (mean ± 95% CI)", *cargos], rows)


#: KPIs added to a crossing's or the corridor's table when any cargo has a value above 0
CORRIDOR_KPIS = ["wagons_formed", "tonnes_unmet", "wagons_rejected", "trains_rejected"]


def format_crossings(summary: pd.DataFrame, crossings: list[str]) -> str:
    """One KPI table per crossing, then the corridor's (`all`); just the one table with one crossing."""
    if "crossing" not in summary.columns or len(crossings) == 1:
        return format_summary(summary, _with_corridor_kpis(summary))
    parts = []
    for name in [*crossings, "all"]:
        mine = summary[summary["crossing"] == name]
        title = f"Crossing {name}" if name != "all" else "Whole corridor (every crossing)"
        parts.append(f"{title}\n{format_summary(mine, _with_corridor_kpis(mine))}")
    return "\n\n".join(parts)


def _with_corridor_kpis(summary: pd.DataFrame) -> list[str]:
    extra = [k for k in CORRIDOR_KPIS
             if (summary.loc[summary["kpi"] == k, "mean"].fillna(0) > 0).any()]
    return [*HEADLINE_KPIS, *extra]
