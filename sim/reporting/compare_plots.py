"""Before/after figures of a paired comparison: each scenario's daily series overlaid, and every
KPI's paired difference from the baseline (in % of the baseline, with its 95 % CI).

Functions take a `Comparison` and return matplotlib Figures (Agg, no pyplot); the caller closes them.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.reporting.figures import date_axis, figure, thousands
from sim.reporting.labels import kpi_unit, short_label, short_labels
from sim.reporting.timeline import WARMUP_COLOR, WINDOW_COLORS, cargo_text

if TYPE_CHECKING:
    from sim.experiments.compare import Comparison

#: KPIs of the differences chart, when present.
DIFFERENCE_KPIS = (
    "tonnes_delivered", "throughput_t_per_day", "backlog_wagons_mean", "backlog_wagons_max", "held_trains_mean",
    "dwell_h_mean", "dwell_h_p90", "unload_wait_h_mean", "unloading_utilization", "stop_loading_days",
    "idle_cost_usd", "recovery_days",
)
SERIES_TEXT = {"backlog_mean": ("wagons at the border not yet unloaded", "wagons"),
               "held_trains_mean": ("trains waiting to enter the yard", "trains")}


def _colors(names: Sequence[str]) -> dict[str, str]:
    return {name: "black" if i == 0 else WINDOW_COLORS[(i - 1) % len(WINDOW_COLORS)] for i, name in enumerate(names)}


def daily_overlay(result: Comparison, column: str = "backlog_mean") -> Figure | None:
    """One line per scenario: the daily mean of `column` (cargo all) over replications, 5–95 % band.

    None when the comparison kept no daily series (parts saved by an older version).
    """
    daily = result.daily
    if daily.empty or column not in daily.columns:
        return None
    what, unit = SERIES_TEXT.get(column, (column, ""))
    fig = figure(4.8)
    ax = fig.add_subplot()
    colors = _colors(result.names)
    shown = dict(zip(result.names, short_labels(result.names, width=60)))
    base = result.scenarios[0]
    if base.warmup > 0:  # as `run`'s plots do: a season compared via warmup showed its whole run unmarked
        origin = pd.Timestamp(base.start)
        ax.axvspan(origin, origin + pd.Timedelta(hours=base.warmup), color=WARMUP_COLOR, alpha=0.12, linewidth=0,
                   label="warm-up (not in KPIs)", gid="window:warm-up")
    for name in result.names:
        rows = daily[daily["scenario"] == name]
        if rows.empty:
            continue
        wide = rows.pivot_table(index="date", columns="replication", values=column, aggfunc="first")
        wide.index = pd.to_datetime(wide.index)
        wide = wide.sort_index()
        mean = wide.mean(axis=1)
        if wide.shape[1] > 1:
            ax.fill_between(wide.index, wide.quantile(0.05, axis=1), wide.quantile(0.95, axis=1),
                            color=colors[name], alpha=0.12, linewidth=0)
        label = f"{shown[name]} (baseline)" if name == result.baseline else shown[name]
        ax.plot(wide.index, mean, color=colors[name], linewidth=1.6 if name == result.baseline else 1.3,
                linestyle="-" if name == result.baseline else "--", label=label, gid=f"mean:{name}")
    ax.set_ylabel(f"{what[0].upper() + what[1:]} ({unit}, daily mean)")
    ax.set_title(f"Before/after: {what}, mean of {result.replications} paired replications (band: 5–95 %)")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    date_axis(ax)
    ax.legend(loc="upper left", fontsize=8)
    return fig


def relative_differences(result: Comparison, kpis: Sequence[str] = DIFFERENCE_KPIS, cargo: str = "all") -> Figure:
    """Each scenario's paired difference from the baseline for each KPI, in % of the baseline's mean,
    with the paired 95 % CI; KPIs whose baseline mean is 0 (no % to take) are left out and named."""
    diff = result.differences()
    diff = diff[(diff["cargo"] == cargo) & diff["kpi"].isin(list(kpis))]
    shown = [k for k in kpis if k in set(diff["kpi"])]
    usable: list[str] = []
    skipped: list[str] = []
    for kpi in shown:
        base = diff.loc[diff["kpi"] == kpi, "mean_baseline"].to_numpy(dtype=float)
        (usable if len(base) and np.all(np.isfinite(base)) and np.all(base != 0) else skipped).append(kpi)
    others = [n for n in result.names if n != result.baseline]
    fig = figure(1.4 + 0.32 * max(1, len(usable)) * max(1, len(others)))
    ax = fig.add_subplot()
    colors = _colors(result.names)
    legend_names = dict(zip(result.names, short_labels(result.names, width=60)))
    height = 0.8 / max(1, len(others))
    y = np.arange(len(usable))
    for j, name in enumerate(others):
        rows = diff[diff["scenario"] == name].set_index("kpi").reindex(usable)
        base = rows["mean_baseline"].to_numpy(dtype=float)
        pct = 100 * rows["difference"].to_numpy(dtype=float) / np.abs(base)
        half = 100 * rows["half_width"].to_numpy(dtype=float) / np.abs(base)
        pos = y - 0.4 + height * (j + 0.5)
        ax.barh(pos, pct, height=height * 0.9, color=colors[name], alpha=0.7, label=legend_names[name], gid=f"diff:{name}")
        ax.errorbar(pct, pos, xerr=np.nan_to_num(half), fmt="none", ecolor="black", capsize=2, linewidth=0.8)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, [f"{k} ({kpi_unit(k)})" for k in usable], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(f"Difference from {short_label(result.baseline)}, % of its mean (paired 95 % CI over {result.replications} "
                  "replications)")
    title = f"Before/after{cargo_text(cargo)}: what each scenario changes against {short_label(result.baseline)}"
    if skipped:
        title += "\n" + textwrap.shorten("left out (baseline mean 0 or missing): " + ", ".join(skipped), 150)
    ax.set_title(title, fontsize=10)
    ax.grid(True, axis="x", alpha=0.3)
    if len(others) > 1:
        ax.legend(fontsize=8, loc="lower right")
    lim = max([abs(v) for v in ax.get_xlim() if math.isfinite(v)] + [1.0])
    ax.set_xlim(-lim, lim)
    if lim > 100:  # one KPI far off (e.g. a recovery 4 times as long) must not flatten all the others
        ax.set_xscale("symlog", linthresh=10, linscale=1.5)
        ax.set_xlabel(ax.get_xlabel() + "\nscale: linear within ±10 %, logarithmic beyond")
    ax.xaxis.set_major_formatter(FuncFormatter(_percent_tick))
    return fig


def _percent_tick(v: float, _pos: object = None) -> str:
    return "0" if v == 0 else (f"{v:+,.0f} %" if abs(v) >= 1 else f"{v:+.2g} %")
