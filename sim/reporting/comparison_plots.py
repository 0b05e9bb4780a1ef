"""Several runs side by side: each KPI's mean with its 95 % CI, one panel per KPI."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.analysis.choices import ChoiceError, choose
from sim.analysis.metrics import KPI_DEFINITIONS
from sim.analysis.stats import corridor_rows
from sim.experiments.arguments import ArgumentError
from sim.experiments.compare import incomparable
from sim.reporting.figures import WIDTH, compact, figure
from sim.reporting.labels import kpi_bounds, kpi_label, short_labels
from sim.reporting.timeline import cargo_text
from sim.scenario.quoting import argument_in_words
from sim.scenario.schema import Scenario
from sim.scenario.warn import warn

#: KPIs compared by default in `kpi_comparison`.
COMPARISON_KPIS = [
    "throughput_t_per_day", "backlog_wagons_mean", "backlog_wagons_max", "held_trains_mean",
    "dwell_h_mean", "stop_loading_days", "idle_cost_usd", "recovery_days",
]


def _summary_of(item: Any) -> pd.DataFrame:
    """A run's summary; with several crossings, the whole corridor's rows (one per cargo and KPI)."""
    if isinstance(item, pd.DataFrame):
        return corridor_rows(item)
    if not callable(getattr(item, "summary", None)):  # a Scenario, a path, None: nothing was run
        raise ArgumentError(f"kpi_comparison compares the Results of sim.run (or their summary() tables), "
                            f"got {argument_in_words(item)}")
    return corridor_rows(item.summary())


def kpi_comparison(
    runs: Mapping[str, Any] | Sequence[Any],
    kpis: Sequence[str] | None = None,
    cargo: str = "all",
) -> Figure:
    """Mean and 95 % confidence interval of KPIs for several scenarios, one panel per KPI.

    `runs` maps a label to Results or to a summary DataFrame (`Results.summary()`), or is a list of
    Results (labelled by scenario name).
    """
    if isinstance(runs, Mapping):
        items = [(str(k), _summary_of(v)) for k, v in runs.items()]
    else:
        items = []
        for i, r in enumerate(runs):
            label = getattr(getattr(r, "scenario", None), "name", None) or f"run {i + 1}"
            items.append((label, _summary_of(r)))
        labels = [lab for lab, _ in items]
        items = [(f"{lab} [{i + 1}]" if labels.count(lab) > 1 else lab, s) for i, (lab, s) in enumerate(items)]
    if not items:
        raise ArgumentError("kpi_comparison needs at least one run, e.g. {'baseline': results}")
    runs_list = list(runs.values()) if isinstance(runs, Mapping) else list(runs)
    scenarios = [s for r in runs_list if isinstance(s := getattr(r, "scenario", None), Scenario)]
    if len(scenarios) == len(items):  # as sim.compare says it: bars of other periods side by side
        for message in incomparable(scenarios, [label for label, _ in items]):
            warn(message)
    choose("cargo", cargo, {c: None for _, s in items for c in s["cargo"].dropna()})
    known = {k: None for _, s in items for k in s["kpi"].dropna()}
    wanted = [choose("KPI", k, known) for k in kpis] if kpis is not None else COMPARISON_KPIS
    present = []
    for kpi in wanted:
        rows = [s[(s["cargo"] == cargo) & (s["kpi"] == kpi)] for _, s in items]
        if any(len(r) and math.isfinite(float(r["mean"].iloc[0])) for r in rows):
            present.append(kpi)
        elif kpis is not None:
            raise ChoiceError(f"KPI {kpi!r} has no values for cargo {cargo!r} in any run")
    ncols = 2 if len(present) > 1 else 1
    nrows = max(1, math.ceil(len(present) / ncols))
    fig = figure(0.9 + nrows * (0.6 * len(items) + 1.0), WIDTH)  # room for two-line labels
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel()  # scenario names once per row
    y = np.arange(len(items))
    for ax, kpi in zip(axes, present):
        means, lows, highs = [], [], []
        for _, s in items:
            r = s[(s["cargo"] == cargo) & (s["kpi"] == kpi)]
            m = float(r["mean"].iloc[0]) if len(r) else math.nan
            lo = max(float(r["ci95_low"].iloc[0]), min(kpi_bounds(kpi)[0], m)) if len(r) else math.nan
            hi = float(r["ci95_high"].iloc[0]) if len(r) else math.nan
            means.append(m)
            lows.append(m - lo if math.isfinite(lo) else 0.0)
            highs.append(hi - m if math.isfinite(hi) else 0.0)
        ax.barh(y, means, color="#9ecae1", edgecolor="#3182bd", gid="mean")
        ax.errorbar(means, y, xerr=[lows, highs], fmt="none", ecolor="black", capsize=3, linewidth=1,
                    label="95 % CI", gid="ci")
        ax.set_yticks(y, short_labels([lab for lab, _ in items]), fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(kpi_label(kpi))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.xaxis.set_major_formatter(compact(max(abs(v) for v in ax.get_xlim())))
        definition = KPI_DEFINITIONS.get(kpi.split(".")[0], kpi)
        if "." in kpi:
            definition += f" ({kpi.split('.', 1)[1]} only)"
        width = 120 // ncols  # characters that fit above one panel at 8 pt
        ax.set_title(textwrap.fill(textwrap.shorten(definition, 2 * width, placeholder=" …"), width), fontsize=8,
                     loc="left")
        ax.grid(True, axis="x", alpha=0.3)
    for ax in axes[len(present):]:
        ax.set_visible(False)
    fig.suptitle(f"KPIs by scenario{cargo_text(cargo)}: mean and 95 % confidence interval across replications")
    return fig
