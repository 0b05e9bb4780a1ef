"""Before/after figures of a paired comparison: each scenario's daily series overlaid, and every
KPI's paired difference from the baseline (one panel per KPI in its unit, with its 95 % CI).

Functions take a `Comparison` and return matplotlib Figures (Agg, no pyplot); the caller closes them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.analysis.verdict import EQUAL, TOLD_APART, UNCLEAR, verdict
from sim.reporting.figures import compact, date_axis, figure, thousands
from sim.reporting.labels import kpi_unit, short_label, short_labels
from sim.reporting.numbers import estimate, number
from sim.reporting.timeline import WARMUP_COLOR, WINDOW_COLORS, cargo_text

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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


def differences(result: Comparison, kpis: Sequence[str] = DIFFERENCE_KPIS, cargo: str = "all",
                diff: pd.DataFrame | None = None, period: str = "") -> Figure:
    """Each scenario's paired difference from the baseline (default `result.differences()`), one panel per KPI."""
    return difference_panels(result.differences() if diff is None else diff, result.names, result.replications,
                             kpis, cargo, period)


def difference_panels(diff: pd.DataFrame, names: Sequence[str], replications: int,
                      kpis: Sequence[str] = DIFFERENCE_KPIS, cargo: str = "all", period: str = "") -> Figure:
    """One panel per KPI, each on its own scale in the KPI's unit: every scenario's paired difference from
    the baseline (`names[0]`) with its 95 % CI, labelled with the % of the baseline's mean where it has one.

    One axis in % for every KPI let a KPI with a baseline near 0 (held trains −24 % ± 40 % of 0.005)
    stretch the scale until every other bar was unreadable, and left out those with a baseline of 0.
    A bar is coloured when its verdict is higher or lower (the CI excludes 0), grey when it is not; a KPI
    without a CI says why in words. `period`: the days the KPIs cover, for the title.
    """
    baseline = names[0]
    diff = diff[(diff["cargo"] == cargo) & diff["kpi"].isin(list(kpis))]
    shown = [k for k in kpis if k in set(diff["kpi"])]
    others = [n for n in names if n != baseline]
    ncols = 2 if len(shown) > 1 else 1
    nrows = max(1, math.ceil(len(shown) / ncols))
    fig = figure(1.0 + nrows * (0.45 * max(1, len(others)) + 0.9))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    y = np.arange(len(others))
    labels = short_labels(others, width=28)
    for ax, kpi in zip(axes, shown):
        rows = diff[diff["kpi"] == kpi].set_index("scenario").reindex(others)
        _panel(ax, kpi, rows, y, replications)
        ax.set_yticks(y + 0.15, labels, fontsize=7)
    for ax in axes[len(shown):]:
        ax.set_visible(False)
    over = f"; {period}" if period else ""
    fig.suptitle(f"Before/after{cargo_text(cargo)}: each scenario − {short_label(baseline)} (paired 95 % CI over "
                 f"{replications} replications{over})\neach KPI on its own scale, in its unit; coloured: the CI "
                 "excludes 0 (higher or lower); grey: no clear difference", fontsize=9)
    return fig


#: A bar's colour by its verdict: told apart from 0, or not
TOLD, NOT_TOLD = "#3182bd", "#bdbdbd"


def _panel(ax: Axes, kpi: str, rows: pd.DataFrame, y: np.ndarray, replications: int) -> None:
    """One KPI's bars (difference, CI) and their labels: value ± CI in the unit, % of the baseline, or why not;
    the pairs it is over when only some of the `replications` have a value."""
    unit = kpi_unit(kpi)
    diff = rows["difference"].to_numpy(dtype=float)
    half = rows["half_width"].to_numpy(dtype=float)
    pairs = rows["n"].fillna(0).astype(int).to_numpy()  # 0: no row for this scenario (no pair)
    said = [verdict(int(n), lo, hi)
            for n, lo, hi in zip(pairs, rows["ci95_low"].to_numpy(dtype=float), rows["ci95_high"].to_numpy(dtype=float))]
    told = [v in TOLD_APART for v in said]
    for j, name in enumerate(rows.index):
        value = diff[j] if math.isfinite(diff[j]) else 0.0
        ax.barh(y[j] + 0.15, value, height=0.5, color=TOLD if told[j] else NOT_TOLD, gid=f"diff:{kpi}:{name}")
        if math.isfinite(half[j]):
            ax.errorbar(value, y[j] + 0.15, xerr=half[j], fmt="none", ecolor="black", capsize=2, linewidth=0.8)
    ax.axvline(0, color="black", linewidth=0.8)
    ends = [abs(d) + (h if math.isfinite(h) else 0) for d, h in zip(diff, half) if math.isfinite(d)]
    reach = max(ends, default=0.0) or 1.0
    ax.set_xlim(-1.15 * reach, 1.15 * reach)  # 0 in the middle: the sign reads at a glance
    ax.set_ylim(len(y) - 0.45, -0.5)  # first scenario at the top, room for each label above its bar
    for j, base in enumerate(rows["mean_baseline"].to_numpy(dtype=float)):  # above its bar, at the left
        text = _bar_text(diff[j], half[j], int(pairs[j]), base, unit, said[j])
        if said[j] in (*TOLD_APART, UNCLEAR, EQUAL) and 1 < pairs[j] < replications:  # as the table's verdict says
            text += f" — {pairs[j]:,} of {replications:,} pairs"
        ax.annotate(text, (0.01, y[j] - 0.2),
                    xycoords=("axes fraction", "data"), fontsize=6.5, va="center", gid=f"label:{kpi}:{rows.index[j]}")
    ax.set_title(f"{kpi}" + (f" ({unit})" if unit else ""), fontsize=8, loc="left")
    ax.xaxis.set_major_formatter(compact(reach))
    ax.tick_params(axis="x", labelsize=7)
    ax.grid(True, axis="x", alpha=0.3)


def _bar_text(diff: float, half: float, n: int, base: float, unit: str, said: str) -> str:
    """'−35 ± 11 wagons (−12 % of 286.4)', or the verdict's words where there is no CI."""
    if said not in (*TOLD_APART, UNCLEAR):  # equal in every pair, or no CI: the verdict's words
        return said
    text = estimate(diff, diff - half, diff + half, n).text + (f" {unit}" if unit else "")
    if math.isfinite(base) and base != 0:
        text += f" ({_percent_tick(100 * diff / abs(base))} of {number(base)})"
    return text


def _percent_tick(v: float, _pos: object = None) -> str:
    return "0" if v == 0 else (f"{v:+,.0f} %" if abs(v) >= 1 else f"{v:+.2g} %")
