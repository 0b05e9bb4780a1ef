"""Figures from a run's results: backlog, held trains, deliveries, dwell, utilisation, scenario KPIs.

Every function takes `sim.Results` (or, for the comparison, several results or their
summaries) and returns a new `matplotlib.figure.Figure`; nothing here runs the model. Figures are
drawn on an Agg canvas without pyplot, so they work headless (CLI, CI, report) and are not shown
twice in notebooks. The caller owns each figure and should close it when done — call
`close(fig)` (or `matplotlib.pyplot.close(fig)`), especially when making many figures in a loop.

Time plots show the mean over replications as a line and the 5–95 % range across replications as
a band; disruption windows and stop-loading halts are shaded and named.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from sim.analysis.stats import corridor_rows
from sim.analysis.warmup import WarmupSuggestion
from sim.experiments.arguments import ArgumentError
from sim.reporting.comparison_plots import COMPARISON_KPIS, kpi_comparison
from sim.reporting.corridor_plots import (
    CORRIDOR_CAPTIONS,
    backlog_by_crossing,
    dated_unloading_capacity,
    iter_corridor_figures,
    loading,
    unloading_capacity_t_per_day,
    unloading_points,
)
from sim.reporting.decision_plots import (
    calibration_fit,
    calibration_targets,
    optimisation_front,
    sensitivity_chart,
)
from sim.reporting.figures import close, date_axis, figure
from sim.reporting.labels import KPI_UNITS, kpi_label, kpi_unit
from sim.reporting.stages import waiting
from sim.reporting.sweep_plots import sweep_heatmap, sweep_lever
from sim.reporting.timeline import (
    HALT_COLOR,
    WINDOW_COLORS,
    band,
    cargo_text,
    daily_rows,
    finish_time_axes,
    legend_below,
    period_text,
    shade_events,
    windows,
)
from sim.scenario.quoting import argument_in_words

if TYPE_CHECKING:
    from sim.experiments.results import Results


# The figures a user calls, and what they need to label and close them.
__all__ = [
    "COMPARISON_KPIS",
    "KPI_UNITS",
    "backlog",
    "backlog_by_crossing",
    "calibration_fit",
    "calibration_targets",
    "close",
    "deliveries",
    "dwell",
    "dwell_percentiles",
    "held_trains",
    "iter_report_figures",
    "kpi_comparison",
    "kpi_label",
    "kpi_unit",
    "loading",
    "optimisation_front",
    "period_text",
    "report_figures",
    "sensitivity_chart",
    "sweep_heatmap",
    "sweep_lever",
    "unloading_capacity_t_per_day",
    "utilization",
    "waiting",
    "warmup",
]

PERCENTILE_STYLE = {"dwell_h_p50": ("p50", "o", "#2ca02c"), "dwell_h_p90": ("p90", "s", "#ff7f0e"),
                    "dwell_h_p99": ("p99", "^", "#d62728")}


def backlog(results: Results, cargo: str = "all", column: str = "backlog_mean") -> Figure:
    """Wagons at the border not yet unloaded, per day: mean and 5–95 % band, with events shaded.

    `column` is a daily column: `backlog_mean` (time-weighted mean of the day), `backlog_end` or
    `backlog_max`.
    """
    rows = daily_rows(results, cargo, columns=[column])
    fig = figure(5.6)
    ax = fig.add_subplot()
    what = {"backlog_mean": "daily mean", "backlog_end": "end of day", "backlog_max": "daily maximum"}.get(column, column)
    shade_events(ax, results, cargo)
    band(ax, rows, column, f"backlog ({what})")
    policy = results.scenario.policies.stop_loading
    if policy is not None and (cargo == "all" or cargo in policy.cargo):
        shown = set(results.scenario.cargo) if cargo == "all" else {cargo}
        of = ""
        if set(policy.cargo) != shown and len(results.crossings) == 1:
            # the rule watches its own cargo's backlog: against this total, 4,600 wagons "above" 2,500 with no halt
            of = f" of {' + '.join(policy.cargo)}"
            watched = pd.concat([daily_rows(results, c, columns=[column]) for c in policy.cargo])
            mean = watched.groupby(["date", "replication"])[column].sum().groupby(level="date").mean()
            ax.plot(mean.index, mean, color=HALT_COLOR, linewidth=1.0, gid="watched",
                    label=f"backlog{of} ({what}; what the rule watches), mean")
        ax.axhline(policy.above_wagons, color=HALT_COLOR, linestyle="--", linewidth=1,
                   label=f"stop loading above {policy.above_wagons:,} wagons{of}", gid="threshold")
        ax.axhline(policy.resume_below, color=HALT_COLOR, linestyle=":", linewidth=1,
                   label=f"resume below {policy.resume_below:,} wagons{of}", gid="threshold")
    ax.set_ylabel("Backlog at the border (wagons)")
    ax.set_title(f"Wagons at the border not yet unloaded{cargo_text(cargo)}")
    finish_time_axes(ax, results)
    legend_below(fig, [ax])
    return fig


def held_trains(results: Results, cargo: str = "all", column: str = "held_trains_mean") -> Figure:
    """Trains waiting to enter the border yard, per day, with events shaded."""
    rows = daily_rows(results, cargo, columns=[column])
    fig = figure(5.0)
    ax = fig.add_subplot()
    what = {"held_trains_mean": "daily mean", "held_trains_end": "end of day",
            "held_trains_max": "daily maximum"}.get(column, column)
    shade_events(ax, results, cargo)
    band(ax, rows, column, f"held trains ({what})", color="#8c564b")
    ax.set_ylabel("Trains held short of the yard (trains)")
    ax.set_title(f"Trains waiting to enter the yard{cargo_text(cargo)}")
    finish_time_axes(ax, results)
    legend_below(fig, [ax])
    return fig


def deliveries(results: Results) -> Figure:
    """Tonnes unloaded per day for each cargo against its nominal unloading capacity."""
    scen = results.scenario
    cargos = [c for c in scen.cargo_names if c in set(results.daily["cargo"].unique())]
    fig = figure(2.0 + 2.6 * len(cargos))
    axes = fig.subplots(len(cargos), 1, sharex=True, squeeze=False)[:, 0]
    for ax, cargo in zip(axes, cargos):
        rows = daily_rows(results, cargo, columns=["tonnes_delivered"])
        shade_events(ax, results, cargo, text=False)
        mean = band(ax, rows, "tonnes_delivered", "tonnes unloaded per day", color="#2ca02c", linewidth=0.9)
        if len(mean) >= 28:  # daily tonnes are noisy: a weekly average shows the level
            ax.plot(mean.index, mean.rolling(7, center=True, min_periods=4).mean(), color="#00441b",
                    linewidth=2.0, label="7-day average of the mean", gid="rolling")
        groups = [spec.unloading.groups[cargo] for _, spec in scen.crossing_specs() if cargo in spec.unloading.groups]
        cap = unloading_capacity_t_per_day(scen, cargo)
        ax.axhline(cap, color="black", linestyle="--", linewidth=1.2, gid="capacity",
                   label="nominal unloading capacity")
        steps = dated_unloading_capacity(scen, cargo)
        if steps:  # dated windows raise or cut the points: the capacity they leave, step by step
            end = pd.Timestamp(scen.start) + pd.Timedelta(hours=scen.duration)
            ax.step([t for t, _ in steps] + [end], [c for _, c in steps] + [steps[-1][1]], where="post",
                    color="black", linewidth=1.0, gid="capacity_dated", label="unloading capacity with dated windows")
        ax.set_ylabel(f"{cargo} unloaded (t/day)")
        terms = " + ".join(f"{g.points} points × 24 h / {g.wagon_time.mean:g} h per wagon" for g in groups)
        ax.set_title(f"{cargo}: nominal capacity {cap:,.0f} t/day = "
                     f"{'(' + terms + ')' if len(groups) > 1 else terms} × {scen.cargo[cargo].payload_t:g} t",
                     loc="left", fontsize=9)
        finish_time_axes(ax, results)
        ax.set_ylim(0, max(max([cap, *(c for _, c in steps)]) * 1.15, ax.get_ylim()[1]))
    for ax in axes[:-1]:
        ax.set_xlabel("")
    legend_below(fig, list(axes))
    fig.suptitle("Tonnes unloaded per day against unloading capacity")
    return fig


def dwell(results: Results) -> Figure:
    """Dwell (border arrival → unloaded) distribution per cargo as an ECDF, p50/p90/p99 marked.

    Each curve averages the replications' quantiles at every level (the band is their 5–95 %
    range), so it reads as "share of wagons unloaded within x hours". Results without the
    per-replication quantiles (directories written by older versions) get the percentile chart.
    """
    if results.dwell.empty:
        return dwell_percentiles(results)
    q = corridor_rows(results.dwell)  # with several crossings: the whole corridor's
    corridor_kpis = corridor_rows(results.kpis)
    cargos = list(dict.fromkeys(corridor_kpis["cargo"]))
    colors = {c: WINDOW_COLORS[i % len(WINDOW_COLORS)] if c != "all" else "black" for i, c in enumerate(cargos)}
    fig = figure(4.6)
    ax = fig.add_subplot()
    positive: list[float] = []
    for cargo in cargos:
        rows = q[q["cargo"] == cargo]
        if rows.empty:
            continue
        by_level = rows.groupby("quantile")["dwell_h"]
        mean, lo, hi = by_level.mean(), by_level.quantile(0.05), by_level.quantile(0.95)
        levels = mean.index.to_numpy()
        color = colors[cargo]
        ax.fill_betweenx(levels, lo.to_numpy(), hi.to_numpy(), color=color, alpha=0.15, linewidth=0)
        ax.plot(mean.to_numpy(), levels, color=color, linewidth=1.8 if cargo != "all" else 1.2,
                linestyle="-" if cargo != "all" else "--", label=f"{cargo}", gid=f"ecdf:{cargo}")
        positive += [v for v in lo.to_numpy() if v > 0]
        kp = corridor_kpis[corridor_kpis["cargo"] == cargo]
        for col, (label, marker, mcolor) in PERCENTILE_STYLE.items():
            level = float(label[1:]) / 100
            x = float(kp[col].mean())
            if math.isfinite(x):
                ax.scatter([x], [level], marker=marker, s=36, color=mcolor, edgecolor="white", linewidth=0.5,
                           zorder=4, gid=f"{label}:{cargo}", label=label if cargo == cargos[0] else None)
                positive.append(x)
    if positive and max(positive) / max(min(positive), 1e-9) > 30:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.4g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_ylim(0, 1.0)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0%}"))
    ax.set_xlabel("Dwell, border arrival → unloaded (hours)")
    ax.set_ylabel("Share of wagons unloaded within (ECDF, %)")
    ax.set_title(f"Dwell distribution, mean of {results.replications} replications (band: 5–95 %)")
    ax.grid(True, alpha=0.3, which="major")
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i] not in cargos)  # cargo curves, then markers
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper left",
              bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


def dwell_percentiles(results: Results) -> Figure:
    """Dwell (border arrival → unloaded) percentiles per cargo: each replication's p50, p90, p99.

    The model keeps each replication's dwell percentiles, not every wagon's dwell, so this shows
    how those percentiles vary across replications (box: quartiles of replications; dots: each
    replication) rather than a histogram of single wagons.
    """
    kp = corridor_rows(results.kpis)  # with several crossings: the whole corridor's
    cargos = list(dict.fromkeys(kp["cargo"]))
    fig = figure(4.6)
    ax = fig.add_subplot()
    offsets = {"dwell_h_p50": -0.25, "dwell_h_p90": 0.0, "dwell_h_p99": 0.25}
    rng = np.random.default_rng(0)  # fixed jitter: the same figure every time
    positive: list[float] = []
    labelled: set[str] = set()  # each style labelled once, on the first cargo that has values
    for col, (label, marker, color) in PERCENTILE_STYLE.items():
        for i, cargo in enumerate(cargos):
            values = kp.loc[kp["cargo"] == cargo, col].astype(float).dropna().to_numpy()
            if not len(values):
                continue
            x = i + offsets[col]
            positive += [v for v in values if v > 0]
            ax.boxplot([values], positions=[x], widths=0.18, showfliers=False, patch_artist=True,
                       boxprops={"facecolor": color, "alpha": 0.25, "edgecolor": color},
                       medianprops={"color": color}, whiskerprops={"color": color}, capprops={"color": color})
            ax.scatter(x + rng.uniform(-0.05, 0.05, len(values)), values, s=16, marker=marker, color=color,
                       edgecolor="white", linewidth=0.4, zorder=3, label=None if col in labelled else label, gid=label)
            labelled.add(col)
    means = kp.groupby("cargo", sort=False)["dwell_h_mean"].mean()
    for i, cargo in enumerate(cargos):
        if cargo in means and math.isfinite(means[cargo]):
            ax.hlines(means[cargo], i - 0.38, i + 0.38, color="black", linewidth=1, linestyle="--",
                      label="_nolegend_" if "mean" in labelled else "mean dwell (mean of replications)", gid="mean")
            labelled.add("mean")
    if positive and max(positive) / max(min(positive), 1e-9) > 30:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.4g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(range(len(cargos)), cargos)
    ax.set_xlim(-0.6, len(cargos) - 0.4)
    ax.set_xlabel("Cargo (all = every wagon)")
    ax.set_ylabel("Dwell, border arrival → unloaded (hours)")
    ax.set_title(f"Dwell percentiles across {results.replications} replications")
    ax.grid(True, axis="y", alpha=0.3, which="major")
    if labelled:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    else:  # a short run, or a closed crossing: no wagon reached the end of unloading
        ax.text(0.5, 0.5, "no wagon was unloaded in the counted period", transform=ax.transAxes,
                ha="center", va="center", color="0.4")
    return fig


def utilization(results: Results) -> Figure:
    """Heat map: share of each unloading group's point-hours spent unloading, per day (mean of replications)."""
    scen = results.scenario
    cargos = [c for c in scen.cargo_names if unloading_points(scen, c) and c in set(results.daily["cargo"].unique())]
    daily = corridor_rows(results.daily)
    daily = daily.loc[daily["cargo"].isin(cargos), ["cargo", "date", "utilization"]]
    daily = daily.assign(date=pd.to_datetime(daily["date"]))
    wide = daily.groupby(["cargo", "date"])["utilization"].mean().unstack("date").reindex(cargos)
    dates = pd.DatetimeIndex(wide.columns)
    edges = mdates.date2num([*list(dates), dates[-1] + pd.Timedelta(days=1)])
    fig = figure(2.0 + 0.6 * len(cargos))
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(edges, np.arange(len(cargos) + 1), wide.to_numpy(dtype=float), cmap="viridis",
                         vmin=0, vmax=1, shading="flat", gid="heatmap")
    ax.xaxis_date()
    fixed, _random, _halts = windows(results, "all")
    for w in fixed:  # mark the dated disruption windows, which explain the dark columns
        for edge in (w["start"], w["end"]):
            ax.axvline(edge, color="white", linestyle="--", linewidth=0.9, gid=f"window:{w['name']}")
        ax.text(w["start"], 0.03, f" {w['name']}", transform=ax.get_xaxis_transform(), color="white",
                fontsize=8, va="bottom", ha="left", rotation=90, clip_on=True)
    ax.set_yticks(np.arange(len(cargos)) + 0.5,
                  [f"{c} ({unloading_points(scen, c)} points)" for c in cargos])
    ax.invert_yaxis()
    ax.set_ylabel("Unloading group (points)")
    date_axis(ax)
    ax.grid(False)
    bar = fig.colorbar(mesh, ax=ax, pad=0.01)
    bar.set_label("Utilisation\n(share of point-hours)")
    ax.set_title(f"Unloading utilisation by day (mean of {results.replications} replications)")
    return fig


#: The report's figures, in order: file stem -> (function, caption).
REPORT_FIGURES: dict[str, tuple[Any, str]] = {
    "backlog": (backlog, ("Wagons at the border not yet unloaded (held upstream or in the yard), daily "
                         "mean: mean of the replications and the 5–95 % range across them.")),
    "held_trains": (held_trains, ("Trains waiting to enter the border yard (the railway's own backlog "
                                 "indicator), daily mean.")),
    "deliveries": (deliveries, ("Tonnes unloaded per day for each cargo against the nominal unloading "
                               "capacity (points × 24 h / mean wagon time × payload; breakdowns and "
                               "working hours upstream lower what is reachable).")),
    "dwell": (dwell, ("Hours from a wagon's border arrival to the end of its unloading: the share of "
                     "wagons unloaded within each dwell (ECDF), averaged over replications, with the "
                     "median, 90th and 99th percentile marked.")),
    "utilization": (utilization, "Share of each unloading group's point-hours spent unloading, per day."),
    "waiting": (waiting, ("Where trains wait: trains waiting to enter each gated stage (daily mean), and the share "
                         "of the time its first waiting train was held back — stage closed, daily quota used up, "
                         "or full.")),
}


FIGURE_CAPTIONS = {**{name: caption for name, (_fn, caption) in REPORT_FIGURES.items()}, **CORRIDOR_CAPTIONS}


def report_figures(results: Results) -> dict[str, Figure]:
    """The figures of a run's report, keyed by file stem (and those the corridor asks for). Close them."""
    return dict(iter_report_figures(results))


def iter_report_figures(results: Results) -> Iterator[tuple[str, Figure]]:
    """The report's figures one at a time, each made when asked for: a writer that closes each
    before taking the next holds one figure's artists (a span per replication and window) at a time."""
    for name, (fn, _caption) in REPORT_FIGURES.items():
        fig = fn(results)
        if fig is not None:  # None: no data (older results)
            yield name, fig
    yield from iter_corridor_figures(results)


def warmup(suggestion: WarmupSuggestion) -> Figure:
    """The mean daily series with the suggested warm-up truncation marked."""
    if not isinstance(suggestion, WarmupSuggestion):  # results or None: "has no attribute 'series'"
        raise ArgumentError(f"plots.warmup draws what sim.suggest_warmup returns, got {argument_in_words(suggestion)}")
    fig = figure(3.8, 7)
    ax = fig.add_subplot()
    ax.plot(suggestion.series.index, suggestion.series.to_numpy(), lw=1)
    ax.axvline(suggestion.days, color="C3", ls="--", label=f"warm-up {suggestion.days} d")
    ax.set_xlabel("day of the run")
    ax.set_ylabel(f"{suggestion.column} ({suggestion.cargo}), mean of {suggestion.replications} replications")
    ax.legend()
    ax.grid(alpha=0.3)
    return fig
