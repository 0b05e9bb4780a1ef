"""Figures from a run's results: backlog, held trains, deliveries, dwell, utilisation, scenario KPIs.

Every function takes `sim.results.Results` (or, for the comparison, several results or their
summaries) and returns a new `matplotlib.figure.Figure`; nothing here runs the model. Figures are
drawn on an Agg canvas without pyplot, so they work headless (CLI, CI, report) and are not shown
twice in notebooks. The caller owns each figure and should close it when done — call
`close(fig)` (or `matplotlib.pyplot.close(fig)`), especially when making many figures in a loop.

Time plots show the mean over replications as a line and the 5–95 % range across replications as
a band; disruption windows and stop-loading halts are shaded and named.
"""

from __future__ import annotations

import math
import sys
import textwrap
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from sim.metrics import KPI_DEFINITIONS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.results import Results
    from sim.scenario import Scenario

#: Unit of each KPI, for axis labels and tables (KPIs named `recovery_days.<name>` are in days).
KPI_UNITS: dict[str, str] = {
    "tonnes_delivered": "t",
    "wagons_delivered": "wagons",
    "trains_delivered": "trains",
    "throughput_t_per_day": "t/day",
    "backlog_wagons_mean": "wagons",
    "backlog_wagons_max": "wagons",
    "backlog_wagons_p95": "wagons",
    "held_trains_mean": "trains",
    "held_trains_max": "trains",
    "dwell_h_mean": "h",
    "dwell_h_p50": "h",
    "dwell_h_p90": "h",
    "dwell_h_p99": "h",
    "unload_wait_h_mean": "h",
    "unloading_utilization": "share of point-hours",
    "stop_loading_days": "days",
    "tonnes_deferred": "t",
    "tonnes_lost": "t",
    "wagon_idle_days": "wagon-days",
    "idle_cost_usd": "USD",
    "recovery_days": "days",
    "unrecovered_disruptions": "windows",
}

#: KPIs compared by default in `kpi_comparison`.
COMPARISON_KPIS = [
    "throughput_t_per_day", "backlog_wagons_mean", "backlog_wagons_max", "held_trains_mean",
    "dwell_h_mean", "stop_loading_days", "idle_cost_usd", "recovery_days",
]

WIDTH = 10.0  # inches; at the report's 110 dpi a figure is 1100 px wide
BAND_COLOR = "#1f77b4"
HALT_COLOR = "#d62728"
WARMUP_COLOR = "#7f7f7f"
WINDOW_COLORS = ["#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f"]
PERCENTILE_STYLE = {"dwell_h_p50": ("p50", "o", "#2ca02c"), "dwell_h_p90": ("p90", "s", "#ff7f0e"),
                    "dwell_h_p99": ("p99", "^", "#d62728")}


def kpi_unit(kpi: str) -> str:
    """Unit of a KPI ('' when unknown)."""
    if kpi.startswith("recovery_days."):
        return "days"
    return KPI_UNITS.get(kpi, "")


def kpi_label(kpi: str) -> str:
    """'name (unit)' for axes and table headers."""
    unit = kpi_unit(kpi)
    return f"{kpi} ({unit})" if unit else kpi


def close(fig: Figure) -> None:
    """Release a figure: clear it, and drop it from pyplot if a caller registered it there."""
    fig.clear()
    pyplot = sys.modules.get("matplotlib.pyplot")  # never import pyplot (and pick a GUI backend) just for this
    if pyplot is not None:
        pyplot.close(fig)


def _figure(height: float, width: float = WIDTH) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _thousands(x: float, _pos: object = None) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 or x == 0 else f"{x:,.2g}"


def _compact(top: float) -> FuncFormatter:
    """Tick labels for an axis reaching `top`: one scale for every tick (4k, 8k, 12k or 1.5M, 3M)."""
    top = abs(top) if math.isfinite(top) else 0.0
    scale, suffix = (1e6, "M") if top >= 1e6 else (1e3, "k") if top >= 1e4 else (1.0, "")
    if scale == 1.0:
        return FuncFormatter(_thousands)
    return FuncFormatter(lambda x, _pos: "0" if x == 0 else f"{x / scale:.3g}{suffix}")


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("Date")
    ax.grid(True, axis="both", alpha=0.3)


def _daily(results: Results, cargo: str) -> pd.DataFrame:
    daily = results.daily
    if cargo not in set(daily["cargo"]):
        raise ValueError(f"no daily series for cargo {cargo!r}; have: {', '.join(dict.fromkeys(daily['cargo']))}")
    rows = daily[daily["cargo"] == cargo].copy()
    rows["date"] = pd.to_datetime(rows["date"])
    return rows


def _band(ax: Axes, rows: pd.DataFrame, column: str, label: str, color: str = BAND_COLOR,
          linewidth: float = 1.6) -> pd.Series:
    """Mean line and 5–95 % band across replications of one daily column; returns the mean."""
    wide = rows.pivot_table(index="date", columns="replication", values=column, aggfunc="first").sort_index()
    mean = wide.mean(axis=1)
    lo, hi = wide.quantile(0.05, axis=1), wide.quantile(0.95, axis=1)
    n = wide.shape[1]
    if n > 1:
        ax.fill_between(wide.index, lo, hi, color=color, alpha=0.25, linewidth=0,
                        label=f"5–95 % of {n} replications", gid="band")
    ax.plot(wide.index, mean, color=color, linewidth=linewidth, label=f"{label}, mean of {n} replication{'s' * (n > 1)}",
            gid="mean")
    return mean


def _windows(results: Results, cargo: str) -> tuple[list[dict[str, Any]], pd.DataFrame, pd.DataFrame]:
    """Dated disruption windows (the same in every replication), random ones, and stop-loading halts."""
    ev = results.events
    if ev is None or ev.empty:
        empty = pd.DataFrame(columns=["replication", "name", "target", "start", "end"])
        return [], empty, empty
    ev = ev.copy()
    ev["start"] = pd.to_datetime(ev["start"])
    ev["end"] = pd.to_datetime(ev["end"])
    recurring = {d.name for d in results.scenario.disruptions if d.recurring}
    dis = ev[ev["kind"] == "disruption"]
    fixed: list[dict[str, Any]] = []
    random_rows = []
    for name, group in dis.groupby("name", sort=False):
        if name in recurring:
            random_rows.append(group)
            continue
        spans = group[["start", "end", "target", "capacity", "time_factor"]].drop_duplicates(subset=["start", "end"])
        for row in spans.itertuples(index=False):
            fixed.append({"name": str(name), "target": row.target, "start": row.start, "end": row.end,
                          "capacity": float(row.capacity), "time_factor": float(row.time_factor)})
    random = pd.concat(random_rows) if random_rows else dis.iloc[0:0]
    halts = ev[ev["kind"] == "stop_loading"]
    if cargo != "all":
        halts = halts[halts["target"] == f"demand.{cargo}"]
    else:  # one shaded span per replication and halt, whichever cargo it stopped
        halts = halts.drop_duplicates(subset=["replication", "start", "end"])
    return fixed, random, halts


def period_text(start: pd.Timestamp, end: pd.Timestamp) -> str:
    """'2–20 Jan 2024' for whole days (end exclusive at midnight), else with hours."""
    if start == start.normalize() and end == end.normalize() and end > start:
        last = end - pd.Timedelta(days=1)
        if last == start:
            return f"{start.day} {start:%b %Y}"
        if (last.year, last.month) == (start.year, start.month):
            return f"{start.day}–{last.day} {last:%b %Y}"
        first = f"{start:%b}" if start.year == last.year else f"{start:%b %Y}"
        return f"{start.day} {first} – {last.day} {last:%b %Y}"
    return f"{start:%d %b %H:%M} – {end:%d %b %Y %H:%M}"


def _effect(w: dict[str, Any]) -> str:
    parts = []
    if w["capacity"] != 1.0:
        parts.append("closed" if w["capacity"] == 0 else f"capacity ×{w['capacity']:g}")
    if w["time_factor"] != 1.0:
        parts.append(f"time ×{w['time_factor']:g}")
    return ", ".join(parts) or "no effect"


def _legend_swatch(ax: Axes, color: str, alpha: float, label: str) -> None:
    """A legend entry for spans drawn faint (one per replication): an empty area at full strength."""
    ax.fill_between([], [], color=color, alpha=alpha, linewidth=0, label=label)


def _shade_events(ax: Axes, results: Results, cargo: str, text: bool = True) -> None:
    """Shade warm-up, disruption windows and stop-loading halts on a date axis, with labels."""
    n = max(results.replications, 1)
    scen = results.scenario
    origin = pd.Timestamp(scen.start)
    if scen.warmup > 0:
        ax.axvspan(origin, origin + pd.Timedelta(hours=scen.warmup), color=WARMUP_COLOR, alpha=0.12, linewidth=0,
                   label="warm-up (not in KPIs)", gid="window:warm-up")
    fixed, random, halts = _windows(results, cargo)
    colors: dict[str, str] = {}
    for w in fixed:
        first = w["name"] not in colors
        color = colors.setdefault(w["name"], WINDOW_COLORS[len(colors) % len(WINDOW_COLORS)])
        label = f"{w['name']}: {w['target']} {_effect(w)}, {period_text(w['start'], w['end'])}" if first else None
        ax.axvspan(w["start"], w["end"], color=color, alpha=0.22, linewidth=0, label=label,
                   gid=f"window:{w['name']}")
        if text:
            ax.text(w["start"], 0.98, f" {w['name']}", transform=ax.get_xaxis_transform(), rotation=90,
                    va="top", ha="left", fontsize=8, color="#333333", clip_on=True)
    for name, group in random.groupby("name", sort=False):
        color = colors.setdefault(str(name), WINDOW_COLORS[len(colors) % len(WINDOW_COLORS)])
        target = group["target"].iloc[0]
        for row in group.itertuples(index=False):
            ax.axvspan(row.start, row.end, ymin=0.0, ymax=0.04, color=color, alpha=min(0.9, 2.0 / n), linewidth=0,
                       gid=f"window:{name}")
        _legend_swatch(ax, color, 0.6, f"{name} (random, {target}; ticks: each replication's windows)")
    alpha = 1 - 0.75 ** (1 / n)  # where every replication halts, the shading adds up to 25 % opacity
    for row in halts.itertuples(index=False):
        ax.axvspan(row.start, row.end, color=HALT_COLOR, alpha=alpha, linewidth=0, gid="window:stop-loading")
    if len(halts):
        _legend_swatch(ax, HALT_COLOR, 0.25, "stop-loading halt (darker = more replications)")


def _finish_time_axes(ax: Axes, results: Results) -> None:
    scen = results.scenario
    origin = pd.Timestamp(scen.start)
    ax.set_xlim(origin, origin + pd.Timedelta(hours=scen.duration))
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    _date_axis(ax)


def _legend_below(fig: Figure, axes: Sequence[Axes]) -> None:
    """One legend under the plot (labels of every axes, each once) so the plot keeps the full width."""
    seen: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=2, fontsize=8,
                   frameon=False)


def backlog(results: Results, cargo: str = "all", column: str = "backlog_mean") -> Figure:
    """Wagons at the border not yet unloaded, per day: mean and 5–95 % band, with events shaded.

    `column` is a daily column: `backlog_mean` (time-weighted mean of the day), `backlog_end` or
    `backlog_max`.
    """
    rows = _daily(results, cargo)
    fig = _figure(5.6)
    ax = fig.add_subplot()
    what = {"backlog_mean": "daily mean", "backlog_end": "end of day", "backlog_max": "daily maximum"}.get(column, column)
    _shade_events(ax, results, cargo)
    _band(ax, rows, column, f"backlog ({what})")
    policy = results.scenario.policies.stop_loading
    if policy is not None and (cargo == "all" or cargo in policy.cargo):
        ax.axhline(policy.above_wagons, color=HALT_COLOR, linestyle="--", linewidth=1,
                   label=f"stop loading above {policy.above_wagons:,} wagons", gid="threshold")
        ax.axhline(policy.resume_below, color=HALT_COLOR, linestyle=":", linewidth=1,
                   label=f"resume below {policy.resume_below:,} wagons", gid="threshold")
    ax.set_ylabel("Backlog at the border (wagons)")
    ax.set_title(f"{results.scenario.name}: wagons at the border not yet unloaded ({cargo}, {what})")
    _finish_time_axes(ax, results)
    _legend_below(fig, [ax])
    return fig


def held_trains(results: Results, cargo: str = "all", column: str = "held_trains_mean") -> Figure:
    """Trains waiting to enter the border yard, per day, with events shaded."""
    rows = _daily(results, cargo)
    fig = _figure(5.0)
    ax = fig.add_subplot()
    what = {"held_trains_mean": "daily mean", "held_trains_end": "end of day",
            "held_trains_max": "daily maximum"}.get(column, column)
    _shade_events(ax, results, cargo)
    _band(ax, rows, column, f"held trains ({what})", color="#8c564b")
    ax.set_ylabel("Trains held short of the yard (trains)")
    ax.set_title(f"{results.scenario.name}: trains waiting to enter the yard ({cargo}, {what})")
    _finish_time_axes(ax, results)
    _legend_below(fig, [ax])
    return fig


def unloading_capacity_t_per_day(scenario: Scenario, cargo: str) -> float:
    """Nominal tonnes per day one unloading group can handle: points × 24 h / mean wagon time × payload."""
    group = scenario.unloading.groups[cargo]
    return group.points * 24.0 / group.wagon_time.mean * scenario.cargo[cargo].payload_t


def deliveries(results: Results) -> Figure:
    """Tonnes unloaded per day for each cargo against its nominal unloading capacity."""
    scen = results.scenario
    cargos = [c for c in scen.cargo_names if c in set(results.daily["cargo"])]
    fig = _figure(2.0 + 2.6 * len(cargos))
    axes = fig.subplots(len(cargos), 1, sharex=True, squeeze=False)[:, 0]
    for ax, cargo in zip(axes, cargos):
        rows = _daily(results, cargo)
        _shade_events(ax, results, cargo, text=False)
        mean = _band(ax, rows, "tonnes_delivered", "tonnes unloaded per day", color="#2ca02c", linewidth=0.9)
        if len(mean) >= 28:  # daily tonnes are noisy: a weekly average shows the level
            ax.plot(mean.index, mean.rolling(7, center=True, min_periods=4).mean(), color="#00441b",
                    linewidth=2.0, label="7-day average of the mean", gid="rolling")
        group = scen.unloading.groups[cargo]
        cap = unloading_capacity_t_per_day(scen, cargo)
        ax.axhline(cap, color="black", linestyle="--", linewidth=1.2, gid="capacity",
                   label="nominal unloading capacity")
        ax.set_ylabel(f"{cargo} unloaded (t/day)")
        ax.set_title(f"{cargo}: nominal capacity {cap:,.0f} t/day = {group.points} points × 24 h / "
                     f"{group.wagon_time.mean:g} h per wagon × {scen.cargo[cargo].payload_t:g} t", loc="left",
                     fontsize=9)
        _finish_time_axes(ax, results)
        ax.set_ylim(0, max(cap * 1.15, ax.get_ylim()[1]))
    for ax in axes[:-1]:
        ax.set_xlabel("")
    _legend_below(fig, list(axes))
    fig.suptitle(f"{scen.name}: tonnes unloaded per day against unloading capacity")
    return fig


def dwell(results: Results) -> Figure:
    """Dwell (border arrival → unloaded) distribution per cargo as an ECDF, p50/p90/p99 marked.

    Each curve averages the replications' quantiles at every level (the band is their 5–95 %
    range), so it reads as "share of wagons unloaded within x hours". Results without the
    per-replication quantiles (directories written by older versions) get the percentile chart.
    """
    if results.dwell.empty:
        return dwell_percentiles(results)
    q = results.dwell
    cargos = list(dict.fromkeys(results.kpis["cargo"]))
    colors = {c: WINDOW_COLORS[i % len(WINDOW_COLORS)] if c != "all" else "black" for i, c in enumerate(cargos)}
    fig = _figure(4.6)
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
        kp = results.kpis[results.kpis["cargo"] == cargo]
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
    ax.set_title(f"{results.scenario.name}: dwell distribution, mean of {results.replications} replications "
                 "(band: 5–95 %)")
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
    kp = results.kpis
    cargos = list(dict.fromkeys(kp["cargo"]))
    fig = _figure(4.6)
    ax = fig.add_subplot()
    offsets = {"dwell_h_p50": -0.25, "dwell_h_p90": 0.0, "dwell_h_p99": 0.25}
    rng = np.random.default_rng(0)  # fixed jitter: the same figure every time
    positive: list[float] = []
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
                       edgecolor="white", linewidth=0.4, zorder=3, label=label if i == 0 else None, gid=label)
    means = kp.groupby("cargo", sort=False)["dwell_h_mean"].mean()
    for i, cargo in enumerate(cargos):
        if cargo in means and math.isfinite(means[cargo]):
            ax.hlines(means[cargo], i - 0.38, i + 0.38, color="black", linewidth=1, linestyle="--",
                      label="mean dwell (mean of replications)" if i == 0 else "_nolegend_", gid="mean")
    if positive and max(positive) / max(min(positive), 1e-9) > 30:
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.4g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(range(len(cargos)), cargos)
    ax.set_xlim(-0.6, len(cargos) - 0.4)
    ax.set_xlabel("Cargo (all = every wagon)")
    ax.set_ylabel("Dwell, border arrival → unloaded (hours)")
    ax.set_title(f"{results.scenario.name}: dwell percentiles across {results.replications} replications")
    ax.grid(True, axis="y", alpha=0.3, which="major")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


def utilization(results: Results) -> Figure:
    """Heat map: share of each unloading group's point-hours spent unloading, per day (mean of replications)."""
    scen = results.scenario
    cargos = [c for c in scen.unloading.groups if c in set(results.daily["cargo"])]
    daily = results.daily[results.daily["cargo"].isin(cargos)].copy()
    daily["date"] = pd.to_datetime(daily["date"])
    wide = daily.groupby(["cargo", "date"])["utilization"].mean().unstack("date").reindex(cargos)
    dates = pd.DatetimeIndex(wide.columns)
    edges = mdates.date2num(list(dates) + [dates[-1] + pd.Timedelta(days=1)])
    fig = _figure(2.0 + 0.6 * len(cargos))
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(edges, np.arange(len(cargos) + 1), wide.to_numpy(dtype=float), cmap="viridis",
                         vmin=0, vmax=1, shading="flat", gid="heatmap")
    ax.xaxis_date()
    fixed, _random, _halts = _windows(results, "all")
    for w in fixed:  # mark the dated disruption windows, which explain the dark columns
        for edge in (w["start"], w["end"]):
            ax.axvline(edge, color="white", linestyle="--", linewidth=0.9, gid=f"window:{w['name']}")
        ax.text(w["start"], 0.03, f" {w['name']}", transform=ax.get_xaxis_transform(), color="white",
                fontsize=8, va="bottom", ha="left", rotation=90, clip_on=True)
    ax.set_yticks(np.arange(len(cargos)) + 0.5,
                  [f"{c} ({scen.unloading.groups[c].points} points)" for c in cargos])
    ax.invert_yaxis()
    ax.set_ylabel("Unloading group (points)")
    _date_axis(ax)
    ax.grid(False)
    bar = fig.colorbar(mesh, ax=ax, pad=0.01)
    bar.set_label("Utilisation\n(share of point-hours)")
    ax.set_title(f"{scen.name}: unloading utilisation by day (mean of {results.replications} replications)")
    return fig


def _summary_of(item: Any) -> pd.DataFrame:
    if isinstance(item, pd.DataFrame):
        return item
    return item.summary()


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
        raise ValueError("kpi_comparison needs at least one run")
    wanted = list(kpis) if kpis is not None else COMPARISON_KPIS
    present = []
    for kpi in wanted:
        rows = [s[(s["cargo"] == cargo) & (s["kpi"] == kpi)] for _, s in items]
        if any(len(r) and math.isfinite(float(r["mean"].iloc[0])) for r in rows):
            present.append(kpi)
        elif kpis is not None:
            raise ValueError(f"KPI {kpi!r} has no values for cargo {cargo!r} in any run")
    ncols = 2 if len(present) > 1 else 1
    nrows = max(1, math.ceil(len(present) / ncols))
    fig = _figure(0.9 + nrows * (0.45 * len(items) + 0.9), WIDTH)
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True).ravel()  # scenario names once per row
    y = np.arange(len(items))
    for ax, kpi in zip(axes, present):
        means, lows, highs = [], [], []
        for _, s in items:
            r = s[(s["cargo"] == cargo) & (s["kpi"] == kpi)]
            m = float(r["mean"].iloc[0]) if len(r) else math.nan
            lo = float(r["ci95_low"].iloc[0]) if len(r) else math.nan
            hi = float(r["ci95_high"].iloc[0]) if len(r) else math.nan
            means.append(m)
            lows.append(m - lo if math.isfinite(lo) else 0.0)
            highs.append(hi - m if math.isfinite(hi) else 0.0)
        ax.barh(y, means, color="#9ecae1", edgecolor="#3182bd", gid="mean")
        ax.errorbar(means, y, xerr=[lows, highs], fmt="none", ecolor="black", capsize=3, linewidth=1,
                    label="95 % CI", gid="ci")
        ax.set_yticks(y, [lab for lab, _ in items], fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(kpi_label(kpi))
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6))
        ax.xaxis.set_major_formatter(_compact(max(abs(v) for v in ax.get_xlim())))
        definition = KPI_DEFINITIONS.get(kpi.split(".")[0], kpi)
        if "." in kpi:
            definition += f" ({kpi.split('.', 1)[1]} only)"
        width = 120 // ncols  # characters that fit above one panel at 8 pt
        ax.set_title(textwrap.fill(textwrap.shorten(definition, 2 * width, placeholder=" …"), width), fontsize=8,
                     loc="left")
        ax.grid(True, axis="x", alpha=0.3)
    for ax in axes[len(present):]:
        ax.set_visible(False)
    fig.suptitle(f"KPIs by scenario ({cargo}): mean and 95 % confidence interval across replications")
    return fig


#: The report's figures, in order: file stem -> (function, caption).
REPORT_FIGURES: dict[str, tuple[Any, str]] = {
    "backlog": (backlog, "Wagons at the border not yet unloaded (held upstream or in the yard), daily "
                         "mean: mean of the replications and the 5–95 % range across them."),
    "held_trains": (held_trains, "Trains waiting to enter the border yard (the railway's own backlog "
                                 "indicator), daily mean."),
    "deliveries": (deliveries, "Tonnes unloaded per day for each cargo against the nominal unloading "
                               "capacity (points × 24 h / mean wagon time × payload; breakdowns and "
                               "working hours upstream lower what is reachable)."),
    "dwell": (dwell, "Hours from a wagon's border arrival to the end of its unloading: the share of "
                     "wagons unloaded within each dwell (ECDF), averaged over replications, with the "
                     "median, 90th and 99th percentile marked."),
    "utilization": (utilization, "Share of each unloading group's point-hours spent unloading, per day."),
}


def report_figures(results: Results) -> dict[str, Figure]:
    """The figures of a run's report, keyed by file stem. Close them when done."""
    return {name: fn(results) for name, (fn, _caption) in REPORT_FIGURES.items()}
