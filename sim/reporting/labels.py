"""Units and labels of the KPIs, for axes, tables and reports: every number shown carries its unit."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

from sim.analysis.window import window_unit

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
    "wagons_formed": "wagons",
    "tonnes_demanded": "t",
    "tonnes_unmet": "t",
    "trains_not_formed": "trains",
    "wagons_rejected": "wagons",
    "tonnes_rejected": "t",
    "trains_rejected": "trains",
    "wagons_returned": "wagons",
    "wagons_waited_for_room": "wagons",
    "wagons_rerouted": "wagons",
    "detour_cost_usd": "USD",
    "backlog_wagons_end": "wagons",
    "wagons_en_route_mean": "wagons",
    "wagons_en_route_max": "wagons",
    "wagons_en_route_end": "wagons",
    "backlog_incl_en_route_mean": "wagons",
    "backlog_incl_en_route_max": "wagons",
    "backlog_incl_en_route_end": "wagons",
    "age_in_system_h_mean": "h",
    "age_in_system_h_max": "h",
    "dwell_h_km_mean": "h",
    "dwell_h_km_p50": "h",
}

#: KPIs whose values lie in [0, 1] (a share); every other KPI named above is merely non-negative.
SHARE_KPIS = {"unloading_utilization"}


def kpi_bounds(kpi: str) -> tuple[float, float]:
    """The values a KPI can take, for clipping displayed confidence intervals ((-inf, inf): unknown)."""
    base = kpi.split(".", 1)[0]
    if base in SHARE_KPIS:
        return (0.0, 1.0)
    if base in KPI_UNITS or window_unit(base):  # every KPI, window KPI and value at a date is a count,
        return (0.0, math.inf)                  # an amount or a duration: never below 0
    return (-math.inf, math.inf)


def kpi_unit(kpi: str) -> str:
    """Unit of a KPI ('' when unknown)."""
    if kpi.startswith("recovery_days."):
        return "days"
    return KPI_UNITS.get(kpi) or window_unit(kpi)


def kpi_label(kpi: str) -> str:
    """'name (unit)' for axes and table headers."""
    unit = kpi_unit(kpi)
    return f"{kpi} ({unit})" if unit else kpi


def short_labels(names: Sequence[str], width: int = 32, lines: int = 2) -> list[str]:
    """Labels for ticks and legends: each name wrapped to `lines` lines of `width` characters, the rest
    cut with '…' (a `--set` variant's name can run to hundreds of characters); still one per name."""
    out = []
    for name in names:
        wrapped = textwrap.wrap(" ".join(str(name).split()), width, break_on_hyphens=False) or [""]
        if len(wrapped) > lines:
            wrapped = wrapped[:lines]
            wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
        out.append("\n".join(wrapped))
    return [f"{lab} [{i + 1}]" if out.count(lab) > 1 else lab for i, lab in enumerate(out)]


def short_label(name: str, width: int = 60) -> str:
    """One name on one line of at most `width` characters (titles and axis labels)."""
    text = " ".join(str(name).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
