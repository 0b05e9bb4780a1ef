"""Units and labels of the KPIs, for axes, tables and reports: every number shown carries its unit."""

from __future__ import annotations

import math

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
