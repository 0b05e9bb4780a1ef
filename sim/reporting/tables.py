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
    "unrecovered_disruptions",  # recovery_days leaves out windows that never recovered: say how many
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


def table(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned columns under a header and a rule."""
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def format_summary(summary: pd.DataFrame, kpis: list[str] | None = None, replications: int | None = None) -> str:
    """A KPI table: one row per KPI, one column per cargo, 'mean ± CI half-width', and n when a mean
    is over fewer than all `replications` (default: the largest n in `summary`)."""
    kpis = kpis or HEADLINE_KPIS
    total = int(summary["n"].max()) if replications is None else replications
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
                cells.append("–" + ("" if r.empty else subset(kpi, int(r["n"].iloc[0]), total)))
                continue
            mean, hi = r["mean"].iloc[0], r["ci95_high"].iloc[0]
            half = hi - mean if math.isfinite(hi) else float("nan")
            cells.append((f"{mean:,.4g} ± {half:,.2g}" if math.isfinite(half) else f"{mean:,.4g}")
                         + subset(kpi, int(r["n"].iloc[0]), total))
        rows.append(cells)
    return table(["KPI (mean ± 95% CI)", *cargos], rows)
