"""Plots of a sweep's summary: a KPI against one lever with its CI band, and a two-lever heat map.

Functions take the long summary table (`SweepResult.summary()`) and return matplotlib Figures; they
never show or save, so notebooks and the CLI decide what to do with them. Figures are built with
the object API (no pyplot state), which works under the Agg backend without a display.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.choices import ChoiceError, choose, choose_cargo, choose_summary_kpi
from sim.analysis.stats import corridor_rows
from sim.reporting.figures import close
from sim.reporting.labels import kpi_bounds, kpi_label
from sim.reporting.timeline import cargo_text
from sim.units import safe_name

if TYPE_CHECKING:
    from sim.experiments.sweep import SweepResult

# KPIs plotted into a sweep directory (cargo "all"), when present.
PLOT_KPIS = ("throughput_t_per_day", "backlog_wagons_mean", "dwell_h_mean", "idle_cost_usd")


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) for v in values)


def _rows(summary: pd.DataFrame, kpi: str, cargo: str) -> pd.DataFrame:
    summary = corridor_rows(summary)  # with several crossings: the whole corridor's
    return summary[(summary["kpi"] == choose_summary_kpi(summary, kpi)) & (summary["cargo"] == choose_cargo(summary, cargo))]


def plot_lever(summary: pd.DataFrame, kpi: str, lever: str, cargo: str = "all",
               levers: Sequence[str] | None = None) -> Figure:
    """Mean KPI against `lever` with a shaded 95 % CI band; one line per value of the other levers."""
    rows = _rows(summary, kpi, cargo)
    others = [name for name in (levers or [lever]) if name != lever]
    fig = Figure(figsize=(7, 4.2), layout="constrained")
    ax = fig.add_subplot()
    x_values = list(dict.fromkeys(rows[lever]))
    numeric = _numeric(x_values)
    position = {v: (float(v) if numeric else i) for i, v in enumerate(x_values)}
    groups = rows.groupby(others, sort=False) if others else [((), rows)]
    for keys, group in groups:
        g = group.assign(_x=group[lever].map(position)).sort_values("_x")
        keys = keys if isinstance(keys, tuple) else (keys,)
        label = ", ".join(f"{k}={v}" for k, v in zip(others, keys)) or None
        line = ax.plot(g["_x"], g["mean"], marker="o", label=label)[0]
        low, high = kpi_bounds(kpi)  # a non-negative KPI's band never reaches below 0 (see sim.reporting.numbers)
        ax.fill_between(g["_x"], g["ci95_low"].clip(lower=low), g["ci95_high"].clip(upper=max(high, g["mean"].max())),
                        color=line.get_color(), alpha=0.2, linewidth=0)
    if not numeric or len(x_values) <= 12:  # mark the grid values themselves (no 4.5 points)
        ax.set_xticks(list(position.values()), [str(v) for v in x_values])
    ax.set_xlabel(lever)
    ax.set_ylabel(kpi_label(kpi))
    ax.set_title(f"{kpi}{cargo_text(cargo)}: mean and 95 % CI")
    ax.grid(alpha=0.3)
    if others:
        ax.legend(fontsize="small")
    return fig


def _cell(value: float) -> str:
    """A heat-map cell: three significant figures, thousands separated, never in e-notation."""
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    digits = max(0, 2 - int(np.floor(np.log10(abs(value)))))
    return f"{value:,.{digits}f}"


def plot_heatmap(summary: pd.DataFrame, kpi: str, x: str, y: str, cargo: str = "all") -> Figure:
    """Mean KPI over the grid of levers `x` and `y` (averaged over any further levers), annotated."""
    rows = _rows(summary, kpi, cargo)
    table = rows.pivot_table(index=y, columns=x, values="mean", aggfunc="mean", sort=False)
    x_values = list(dict.fromkeys(rows[x]))
    y_values = list(dict.fromkeys(rows[y]))
    if _numeric(x_values):
        x_values = sorted(x_values)
    if _numeric(y_values):
        y_values = sorted(y_values)
    table = table.reindex(index=y_values, columns=x_values)
    data = table.to_numpy(dtype=float)
    fig = Figure(figsize=(1.2 * len(x_values) + 3, 0.7 * len(y_values) + 2.5), layout="constrained")
    ax = fig.add_subplot()
    image = ax.imshow(data, origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(x_values)), [str(v) for v in x_values])
    ax.set_yticks(range(len(y_values)), [str(v) for v in y_values])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    finite = data[np.isfinite(data)]
    mid = float(np.mean([finite.min(), finite.max()])) if finite.size else 0.0
    for (i, j), value in np.ndenumerate(data):
        if np.isfinite(value):
            ax.text(j, i, _cell(value), ha="center", va="center", fontsize="small",
                    color="black" if value > mid else "white")
    fig.colorbar(image, ax=ax, label=kpi_label(kpi))
    ax.set_title(f"{kpi}{cargo_text(cargo)}: mean over replications")
    return fig


def sweep_lever(result: SweepResult, kpi: str, lever: str | None = None, cargo: str = "all") -> Figure:
    """A sweep's KPI against one lever with its 95 % CI band (other levers as separate lines)."""
    names = result.lever_names
    return plot_lever(result.summary(), kpi, names[0] if lever is None else choose("lever", lever, names), cargo,
                      levers=names)


def sweep_heatmap(result: SweepResult, kpi: str, x: str | None = None, y: str | None = None,
                  cargo: str = "all") -> Figure:
    """A sweep's KPI mean over a grid of two levers."""
    names = result.lever_names
    if len(names) < 2:
        raise ChoiceError(f"a heat map needs two levers; this sweep varies only {names[0]} "
                          "(plot it with plots.sweep_lever)")
    y = None if y is None else choose("lever", y, names)
    x = next(n for n in names if n != y) if x is None else choose("lever", x, names)
    y = next(n for n in names if n != x) if y is None else y
    if x == y:
        raise ChoiceError(f"a heat map needs two different levers; got {x} for both x and y")
    return plot_heatmap(result.summary(), kpi, x, y, cargo)


def plot_name(kpi: str, lever: str) -> str:
    """File stem of a KPI-against-lever plot in a sweep's plots/."""
    return f"{kpi}_vs_{safe_name(lever, limit=200, keep='-_')}"


def write_sweep_plots(result: SweepResult, directory: Path) -> None:
    """plots/ of a sweep directory: each headline KPI against each lever, and heat maps for two levers."""
    plots = directory / "plots"
    plots.mkdir()
    summary = result.summary()
    kpis = [k for k in PLOT_KPIS if k in set(summary["kpi"])]
    names = result.lever_names
    for kpi in kpis:
        for lever in names:
            fig = plot_lever(summary, kpi, lever, "all", levers=names)
            fig.savefig(plots / f"{plot_name(kpi, lever)}.png", dpi=110)
            close(fig)
        if len(names) == 2:
            fig = plot_heatmap(summary, kpi, names[0], names[1], "all")
            fig.savefig(plots / f"{kpi}_heatmap.png", dpi=110)
            close(fig)
