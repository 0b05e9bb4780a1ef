"""Figures of the corridor: the backlog at each crossing, and loading at origin against its rate.

Like sim.reporting.plots (which re-exports them), each returns a new Figure the caller closes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pandas as pd
from matplotlib.figure import Figure

from sim.reporting.figures import figure
from sim.reporting.timeline import (
    WINDOW_COLORS,
    band,
    cargo_text,
    daily_rows,
    finish_time_axes,
    legend_below,
    shade_events,
)
from sim.scenario.effects import dated_units
from sim.scenario.target_ref import TargetRef

if TYPE_CHECKING:
    from sim.experiments.results import Results
    from sim.scenario.schema import Scenario


def unloading_capacity_t_per_day(scenario: Scenario, cargo: str, crossing: str | None = None) -> float:
    """Nominal tonnes per day one unloading group can handle: points × 24 h / mean wagon time × payload
    (summed over the crossings unless `crossing` names one)."""
    total = 0.0
    for name, spec in scenario.crossing_specs():
        group = spec.unloading.groups.get(cargo)
        if group is not None and crossing in (None, name):
            total += group.points * 24.0 / group.wagon_time.mean * scenario.cargo[cargo].payload_t
    return total


def dated_unloading_capacity(scenario: Scenario, cargo: str) -> list[tuple[pd.Timestamp, float]]:
    """Tonnes per day the cargo's unloading can handle, from the start and at each change that dated
    windows make to its points (raised or cut; summed over the crossings); [] when none does."""
    groups = [(TargetRef("unloading", cargo, name if scenario.prefix(name) else None), spec.unloading.groups[cargo])
              for name, spec in scenario.crossing_specs() if cargo in spec.unloading.groups]
    changes = {ref: dated_units(scenario, ref, g.points) for ref, g in groups}
    times = sorted({t for steps in changes.values() for t, _ in steps})
    if not times:
        return []
    rate = {ref: 24.0 / g.wagon_time.mean * scenario.cargo[cargo].payload_t for ref, g in groups}
    out = []
    for t in [pd.Timestamp(scenario.start).to_pydatetime(), *times]:
        total = 0.0
        for ref, g in groups:
            points = [units for at, units in changes[ref] if at <= t]
            total += (points[-1] if points else g.points) * rate[ref]
        out.append((pd.Timestamp(t), total))
    return out


def unloading_points(scenario: Scenario, cargo: str) -> int:
    """Unloading points of a cargo, over every crossing."""
    return sum(spec.unloading.groups[cargo].points for _, spec in scenario.crossing_specs()
               if cargo in spec.unloading.groups)


def backlog_by_crossing(results: Results, cargo: str = "all", column: str = "backlog_mean") -> Figure:
    """Wagons at the border not yet unloaded at each crossing, per day (mean and 5–95 % band)."""
    fig = figure(5.0)
    ax = fig.add_subplot()
    what = {"backlog_mean": "daily mean", "backlog_end": "end of day", "backlog_max": "daily maximum"}.get(column, column)
    shade_events(ax, results, cargo)
    for i, name in enumerate(results.crossings):
        rows = daily_rows(results, cargo, name, columns=[column])
        band(ax, rows, column, f"{name}: backlog ({what})", color=WINDOW_COLORS[(i + 2) % len(WINDOW_COLORS)])
    ax.set_ylabel("Backlog at the border (wagons)")
    ax.set_title(f"Wagons at each crossing not yet unloaded{cargo_text(cargo)}")
    finish_time_axes(ax, results)
    legend_below(fig, [ax])
    return fig


def loading(results: Results, cargo: str = "all") -> Figure:
    """Wagons formed at origin per day against the loading rate, and wagons waiting at origin.

    Deferred trains (stop-loading, bans) drain through the loading rate instead of leaving all at
    once when loading resumes; the lower panel shows what is still waiting (requested, not formed).
    """
    scen = results.scenario
    rows = daily_rows(results, cargo, columns=["formed_wagons", "origin_queue_end"])
    fig = figure(6.4)
    top, bottom = fig.subplots(2, 1, sharex=True)
    shade_events(top, results, cargo)
    band(top, rows, "formed_wagons", "wagons formed per day", color="#2ca02c")
    rates = scen.loading or {}
    names = scen.cargo_names if cargo == "all" else [cargo]
    if rates and all(c in rates for c in names if c in scen.demand):
        rate = sum(rates[c].wagons_per_day for c in names if c in rates)
        top.axhline(rate, color="black", linestyle="--", linewidth=1.2, gid="rate",
                    label=f"loading rate {rate:,.0f} wagons/day")
    top.set_ylabel("Formed at origin (wagons/day)")
    top.set_title(f"Loading at origin{cargo_text(cargo)}")
    finish_time_axes(top, results)
    top.set_xlabel("")
    shade_events(bottom, results, cargo, text=False)
    band(bottom, rows, "origin_queue_end", "requested, not yet formed (end of day)", color="#9467bd")
    bottom.set_ylabel("Waiting at origin (wagons)")
    finish_time_axes(bottom, results)
    legend_below(fig, [top, bottom])
    return fig


#: Captions of the figures a report has only when the scenario asks for them.
CORRIDOR_CAPTIONS = {
    "backlog_by_crossing": "Wagons at each crossing's border not yet unloaded, daily mean (mean and 5–95 % band).",
    "loading": ("Wagons formed at origin per day against the loading rate, and wagons requested but not yet "
                "formed (deferred by halts or bans, or waiting for empties or the rate), end of day."),
}


def iter_corridor_figures(results: Results) -> Iterator[tuple[str, Figure]]:
    """The report's extra figures, each made when asked for (see plots.iter_report_figures): the backlog
    at each of several crossings; loading at origin when a loading rate or a loading ban shapes it."""
    scen = results.scenario
    if len(results.crossings) > 1:
        yield "backlog_by_crossing", backlog_by_crossing(results)
    bans = any(d.ref.is_ban for d in scen.disruptions)
    if (scen.loading or bans) and "formed_wagons" in results.daily.columns:
        yield "loading", loading(results)
