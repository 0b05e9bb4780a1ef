"""KPIs and daily series from one replication's observations: pure functions, no state.

Every KPI is defined here once (see KPI_DEFINITIONS, used by the documentation and reports).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from sim.model.recorder import Observations, dwell_bin_centre
from sim.scenario.target_ref import TargetRef
from sim.units import DAY

KPI_DEFINITIONS: dict[str, str] = {
    "tonnes_delivered": "tonnes unloaded during the statistics window (after warm-up)",
    "wagons_delivered": "wagons unloaded during the statistics window",
    "trains_delivered": "trains whose last wagon was unloaded during the statistics window",
    "throughput_t_per_day": "tonnes_delivered divided by the days in the statistics window",
    "backlog_wagons_mean": "time-weighted mean of wagons at the border (held upstream or in the yard) not yet unloaded",
    "backlog_wagons_max": "largest such backlog held for a positive time",
    "backlog_wagons_p95": "time-weighted 95th percentile of the backlog",
    "held_trains_mean": "time-weighted mean of trains waiting to enter the yard",
    "held_trains_max": "largest number of trains waiting to enter the yard",
    "dwell_h_mean": "mean hours from a wagon's border arrival to the end of its unloading",
    "dwell_h_p50": "median of that dwell (hours)",
    "dwell_h_p90": "90th percentile of that dwell (hours)",
    "dwell_h_p99": "99th percentile of that dwell (hours)",
    "unload_wait_h_mean": "mean hours a wagon waits in the unloading queue (ready → unloading starts)",
    "unloading_utilization": "share of nominal point-hours spent unloading (busy / (points × hours)); point-hours "
                             "added by a window that raises the capacity count as nominal",
    "stop_loading_days": "days during which loading was halted by the stop-loading policy (all: any cargo)",
    "tonnes_deferred": "tonnes demanded while loading was halted and queued at origin",
    "tonnes_lost": "tonnes demanded while loading was halted and dropped",
    "wagon_idle_days": "wagon-days spent at the border not yet unloaded (integral of the backlog)",
    "idle_cost_usd": "wagon_idle_days × costs.wagon_day_usd (empty when that cost is not set)",
    "recovery_days": "mean days from the end of a disruption until the backlog is back to its level at the window's start",
    "unrecovered_disruptions": "disruption windows ending in the statistics window whose backlog never recovered",
    "wagons_formed": "wagons of the trains formed at origin (for this crossing) during the statistics window",
    "tonnes_demanded": "tonnes requested at origin during the statistics window (lost ones included)",
    "tonnes_unmet": "tonnes requested and never loaded by the end of the run (queued or held back at origin)",
    "trains_not_formed": "trains requested and never formed by the end of the run (queued or held back at origin)",
    "wagons_rejected": "loaded wagons refused at a check during the statistics window (they go back loaded)",
    "tonnes_rejected": "wagons_rejected × payload",
    "trains_rejected": "trains refused whole at a check during the statistics window",
    "wagons_returned": "refused wagons back at origin (still loaded) during the statistics window",
    "wagons_waited_for_room": "wagons of trains kept at origin because no crossing open to their cargo could take "
                              "them (sim.model.room), counted once a train, during the statistics window",
    "wagons_rerouted": "wagons of trains already formed re-routed from this crossing to another during the "
                       "statistics window (routing.<cargo>.reroute)",
    "detour_cost_usd": "wagons_rerouted × the rule's usd_per_wagon",
    "backlog_wagons_end": "wagons at the border not yet unloaded at the end of the run",
    "wagons_en_route_mean": "time-weighted mean of wagons formed and not yet at the border (on the line or "
                            "waiting to enter it)",
    "wagons_en_route_max": "largest number of wagons en route held for a positive time",
    "wagons_en_route_end": "wagons en route at the end of the run",
    "backlog_incl_en_route_mean": "time-weighted mean of wagons at the border or en route to it (the railway's "
                                  "\"at the border and en route\")",
    "backlog_incl_en_route_max": "largest number of wagons at the border or en route held for a positive time",
    "backlog_incl_en_route_end": "wagons at the border or en route at the end of the run (still in the system)",
    "age_in_system_h_mean": "mean hours since setting off of the wagons still in the system at the end "
                            "(formed, neither unloaded nor refused; trains under way at the start count from it)",
    "age_in_system_h_max": "the oldest of those wagons, in hours",
    "dwell_h_km_mean": "Kaplan–Meier mean dwell (hours, restricted to the longest observed): delivered wagons, "
                       "and wagons still at the border at the end counted as waiting at least their age; "
                       "unlike dwell_h_mean it never looks better because a jam leaves wagons undelivered",
    "dwell_h_km_p50": "Kaplan–Meier median of that dwell (hours); empty while half the wagons are still waiting",
}
#: KPIs of the origin, which is the corridor's: no value on one crossing's rows among several
ORIGIN_KPIS = ("tonnes_deferred", "tonnes_lost", "tonnes_demanded", "tonnes_unmet", "trains_not_formed",
               "wagons_waited_for_room")
KPI_NAMES = list(KPI_DEFINITIONS)


def _percentile_from_hist(hist: np.ndarray, q: float, values: np.ndarray) -> float:
    total = hist.sum()
    if total <= 0:
        return math.nan
    cum = np.cumsum(hist)
    i = int(np.searchsorted(cum, q * total, side="left"))
    return float(values[min(i, len(values) - 1)])


def _interval_overlap(intervals: list[tuple[float, float]], a: float, b: float) -> float:
    """Length of the union of intervals within [a, b)."""
    total = 0.0
    cursor = a
    for s, e in sorted(intervals):
        s, e = max(s, cursor), min(e, b)
        if e > s:
            total += e - s
            cursor = e
    return total


def _payload_sum(obs: Observations, values: np.ndarray, k: int) -> float:
    """Tonnes of series k from per-series wagon counts: each cargo's wagons × its payload, summed."""
    n = len(obs.cargo)
    block, ci = divmod(k, n + 1)
    if ci < n:
        return float(values[k] * obs.payload_t[ci])
    total = 0.0
    for c in range(n):
        total += values[block * (n + 1) + c] * obs.payload_t[c]
    return float(total)


def _halts_of(obs: Observations, crossing: int | None, cargo: str | None) -> list[tuple[float, float]]:
    """Stop-loading halts of one crossing (None: any) and one cargo (None: any)."""
    where = obs.halt_crossings or [0] * len(obs.halts)
    return [(s, e) for (c, s, e), x in zip(obs.halts, where)
            if (cargo is None or c == cargo) and (crossing is None or x == crossing)]


def kpis(obs: Observations, wagon_day_usd: float | None = None) -> pd.DataFrame:
    """One row per crossing (and the corridor, `all`, with several), cargo and `all`; columns `cargo`,
    `crossing`, then one per KPI (see KPI_DEFINITIONS).

    Without a wagon-day cost (`costs.wagon_day_usd` not set) idle_cost_usd is NaN, not 0: an unknown
    cost is not a zero cost.
    """
    cost = math.nan if wagon_day_usd is None else wagon_day_usd
    hours = obs.horizon - obs.warmup
    days = hours / DAY
    t = obs.totals
    rows = []
    n = len(obs.cargo)
    x_count = len(obs.crossings)
    added = t.get("added_point_h", np.zeros(obs.n_series))
    for k, (crossing, name) in enumerate(obs.labels()):
        block = k // (n + 1)
        tonnes = _payload_sum(obs, t["wagons_delivered"], k)
        pts = float(sum(obs.points[lane] for lane in obs.series_lanes(k)))
        halts = _halts_of(obs, block if block < x_count else None, None if name == "all" else name)
        delivered = t["wagons_delivered"][k]
        counted = delivered - t["uncounted_delivered"][k] if t["uncounted_delivered"][k] else delivered
        backlog_levels = np.arange(len(obs.backlog_hist[k]), dtype=float)
        dwell_values = dwell_bin_centre(np.arange(len(obs.dwell_hist[k])))
        idle_days = t["backlog_integral"][k] / DAY
        recov = [w for w in obs.recoveries if w.series == k]
        recovered = [(w.recovered_at - w.end) / DAY for w in recov if w.recovered_at is not None]
        km_mean, km_p50 = km_dwell(obs.dwell_hist[k], obs.censored_hist[k] if obs.censored_hist else None)
        in_system = t["system_wagons_end"][k] if "system_wagons_end" in t else math.nan
        row: dict[str, float | str] = {
            "tonnes_delivered": float(tonnes),
            "wagons_delivered": float(delivered),
            "trains_delivered": float(t["trains_delivered"][k]),
            "throughput_t_per_day": float(tonnes / days),
            "backlog_wagons_mean": float(t["backlog_integral"][k] / hours),
            "backlog_wagons_max": float(t["backlog_max"][k]),
            "backlog_wagons_p95": _percentile_from_hist(obs.backlog_hist[k], 0.95, backlog_levels),
            "held_trains_mean": float(t["held_integral"][k] / hours),
            "held_trains_max": float(t["held_max"][k]),
            "dwell_h_mean": float(t["dwell_sum"][k] / counted) if counted else math.nan,
            "dwell_h_p50": _percentile_from_hist(obs.dwell_hist[k], 0.50, dwell_values),
            "dwell_h_p90": _percentile_from_hist(obs.dwell_hist[k], 0.90, dwell_values),
            "dwell_h_p99": _percentile_from_hist(obs.dwell_hist[k], 0.99, dwell_values),
            "unload_wait_h_mean": float(t["wait_sum"][k] / counted) if counted else math.nan,
            "unloading_utilization": float(t["busy_h"][k] / (pts * hours + added[k])) if pts else math.nan,
            "stop_loading_days": _interval_overlap(halts, obs.warmup, obs.horizon) / DAY,
            "tonnes_deferred": float(t["tonnes_deferred"][k]),
            "tonnes_lost": float(t["tonnes_lost"][k]),
            "wagon_idle_days": float(idle_days),
            "idle_cost_usd": float(idle_days * cost),
            "recovery_days": float(np.mean(recovered)) if recovered else math.nan,
            "unrecovered_disruptions": float(sum(1 for w in recov if w.recovered_at is None)),
            "wagons_formed": float(t["wagons_formed"][k]),
            "tonnes_demanded": _payload_sum(obs, t["wagons_generated"], k) + float(t["tonnes_lost"][k])
            - float(t["tonnes_dropped"][k]),
            "tonnes_unmet": _payload_sum(obs, t["unmet_wagons"], k),
            "trains_not_formed": float(t["unmet_trains"][k]),
            "wagons_rejected": float(t["wagons_rejected"][k]),
            "tonnes_rejected": _payload_sum(obs, t["wagons_rejected"], k),
            "trains_rejected": float(t["trains_rejected"][k]),
            "wagons_returned": float(t["wagons_returned"][k]),
            # routing by room (sim.model.room_log); observations recorded without it have none
            **{name: float(t[name][k]) if name in t else 0.0
               for name in ("wagons_waited_for_room", "wagons_rerouted", "detour_cost_usd")},
            "backlog_wagons_end": float(t["backlog_end"][k]),
            "wagons_en_route_mean": float(t["en_route_integral"][k] / hours),
            "wagons_en_route_max": float(t["en_route_max"][k]),
            "wagons_en_route_end": float(t["en_route_end"][k]),
            "backlog_incl_en_route_mean": float((t["backlog_integral"][k] + t["en_route_integral"][k]) / hours),
            "backlog_incl_en_route_max": float(t["incl_en_route_max"][k]),
            "backlog_incl_en_route_end": float(t["backlog_end"][k] + t["en_route_end"][k]),
            "age_in_system_h_mean": float(t["system_age_sum"][k] / in_system) if in_system else math.nan,
            "age_in_system_h_max": float(t["system_age_max"][k]),
            "dwell_h_km_mean": km_mean,
            "dwell_h_km_p50": km_p50,
        }
        if obs.is_crossing_series(k):
            for key in ORIGIN_KPIS:
                row[key] = math.nan
        for disruption in sorted({w.name for w in recov}):
            mine = [(w.recovered_at - w.end) / DAY for w in recov if w.name == disruption and w.recovered_at is not None]
            row[f"recovery_days.{disruption}"] = float(np.mean(mine)) if mine else math.nan
        row["cargo"] = name
        row["crossing"] = crossing
        rows.append(row)
    frame = pd.DataFrame(rows)
    return frame[["cargo", "crossing"] + [c for c in frame.columns if c not in ("cargo", "crossing")]]


def km_dwell(delivered: np.ndarray, censored: np.ndarray | None) -> tuple[float, float]:
    """Kaplan–Meier estimate of the dwell from binned dwells of delivered wagons and binned ages of
    wagons still waiting (right-censored): (mean restricted to the longest observation, median).

    A wagon still waiting at the end leaves the risk set at its age instead of counting as a dwell
    that short (or not at all, as in dwell_h_mean): a jam that keeps more wagons waiting, longer,
    lowers the survival curve less, so both figures grow with it. The median is NaN while the
    curve has not fallen to one half (more than half of the wagons still waiting, say)."""
    d = delivered if censored is None else delivered + 0.0
    c = np.zeros_like(d) if censored is None else censored
    seen = np.nonzero(d + c)[0]
    total = float(d.sum() + c.sum())
    if not len(seen) or total <= 0:
        return math.nan, math.nan
    events, gone = d[seen], d[seen] + c[seen]
    at_risk = total - np.concatenate(([0.0], np.cumsum(gone)[:-1]))  # the censored of a bin are at risk in it
    survival = np.cumprod(1.0 - events / at_risk)
    times = dwell_bin_centre(seen)
    widths = np.diff(np.concatenate(([0.0], times)))
    mean = float(np.dot(np.concatenate(([1.0], survival[:-1])), widths))
    below = np.nonzero(survival <= 0.5)[0]
    return mean, float(times[below[0]]) if len(below) else math.nan


#: Quantile levels of the dwell distribution kept per replication (enough for an ECDF).
DWELL_QUANTILES = tuple(round(q, 3) for q in [*np.arange(1, 100) / 100, 0.995, 0.999])


def dwell_quantiles(obs: Observations) -> pd.DataFrame:
    """Dwell (border arrival → unloaded) at each level of DWELL_QUANTILES, per crossing, cargo and `all`.

    Read from the same histogram as the dwell_h_p50/p90/p99 KPIs, so those KPIs are rows here too.
    """
    levels = np.array(DWELL_QUANTILES)
    frames = []
    for k, (crossing, name) in enumerate(obs.labels()):
        hist = obs.dwell_hist[k]
        total = hist.sum()
        if total <= 0:
            continue
        idx = np.minimum(np.searchsorted(np.cumsum(hist), levels * total, side="left"), len(hist) - 1)
        frames.append(pd.DataFrame({"cargo": name, "crossing": crossing, "quantile": levels,
                                    "dwell_h": dwell_bin_centre(idx)}))
    if not frames:  # no wagon unloaded: the same columns and dtypes, no rows
        return pd.DataFrame({"cargo": pd.Series(dtype="str"), "crossing": pd.Series(dtype="str"),
                             "quantile": pd.Series(dtype=float), "dwell_h": pd.Series(dtype=float)})
    return pd.concat(frames, ignore_index=True)


DAILY_COLUMNS = [
    "arrivals_wagons", "unloaded_wagons", "tonnes_delivered", "trains_delivered", "backlog_end",
    "backlog_max", "backlog_mean", "held_trains_end", "held_trains_max", "held_trains_mean",
    "utilization", "stop_loading_h", "formed_wagons", "rejected_wagons", "origin_queue_end",
    "waiting_for_room_end",
    "wagons_en_route_end", "wagons_en_route_mean", "backlog_incl_en_route_end", "backlog_incl_en_route_mean",
    "backlog_incl_en_route_max",
]


#: Per gated stage (line, yard, checks.<name>), where trains wait: columns `<series>.<stage>`, given
#: on the corridor's `all` rows (stages are shared by every cargo; empty on every other row).
STAGE_SERIES = ("queue_mean", "queue_max", "queue_end", "blocked_closed_h", "blocked_quota_h", "blocked_full_h")


def stage_names(columns: pd.Index | list[str]) -> list[str]:
    """The stages of a daily table, in their order (from its `queue_mean.<stage>` columns)."""
    prefix = "queue_mean."
    return [c[len(prefix):] for c in columns if c.startswith(prefix)]


def daily(obs: Observations, start: dt.date) -> pd.DataFrame:
    """Long table: one row per day, crossing and cargo (and `all`), columns DAILY_COLUMNS, then the
    stage columns `<series>.<stage>` of STAGE_SERIES (on the last block's `all` rows: the corridor's,
    or the one crossing's; stage names carry their crossing's prefix with several)."""
    n_days = obs.n_days
    n = len(obs.cargo)
    x_count = len(obs.crossings)
    day_index = np.arange(n_days)
    dates = pd.to_datetime(start) + pd.to_timedelta(day_index, unit="D")
    day_hours = np.minimum(obs.horizon - day_index * DAY, DAY)
    d = obs.daily
    added = d.get("added_point_h", np.zeros_like(d["busy_h"]))  # by raising windows (sim.model.crossing)
    columns: dict[str, list[np.ndarray]] = {}
    labels = obs.labels()
    for k, (_crossing, name) in enumerate(labels):
        block, ci = divmod(k, n + 1)
        unloaded = d["unloaded_wagons"][k]
        if ci < n:
            tonnes = unloaded * obs.payload_t[ci]
        else:
            tonnes = sum(d["unloaded_wagons"][block * (n + 1) + c] * obs.payload_t[c] for c in range(n))
        halts = _halts_of(obs, block if block < x_count else None, None if ci == n else name)
        halted = np.array([_interval_overlap(halts, i * DAY, i * DAY + day_hours[i]) for i in day_index])
        points = float(sum(obs.points[lane] for lane in obs.series_lanes(k)))
        part = {
            "day": day_index,
            "arrivals_wagons": d["arrivals_wagons"][k],
            "unloaded_wagons": unloaded,
            "tonnes_delivered": tonnes,
            "trains_delivered": d["trains_delivered"][k],
            "backlog_end": d["backlog_end"][k],
            "backlog_max": d["backlog_max"][k],
            "backlog_mean": d["backlog_mean"][k],
            "held_trains_end": d["held_trains_end"][k],
            "held_trains_max": d["held_trains_max"][k],
            "held_trains_mean": d["held_trains_mean"][k],
            "utilization": d["busy_h"][k] / (points * day_hours + added[k]) if points
            else np.full(n_days, np.nan),
            "stop_loading_h": halted,
            "formed_wagons": d["formed_wagons"][k],
            "rejected_wagons": d["rejected_wagons"][k],
            "origin_queue_end": d["origin_queue_end"][k],
            "waiting_for_room_end": d["waiting_for_room_end"][k] if "waiting_for_room_end" in d else np.zeros(n_days),
            "wagons_en_route_end": d["en_route_end"][k],
            "wagons_en_route_mean": d["en_route_mean"][k],
            "backlog_incl_en_route_end": d["backlog_end"][k] + d["en_route_end"][k],
            "backlog_incl_en_route_mean": d["backlog_mean"][k] + d["en_route_mean"][k],
            "backlog_incl_en_route_max": d["incl_en_route_max"][k],
        }
        for col, values in part.items():
            columns.setdefault(col, []).append(np.asarray(values, dtype=None if col == "day" else float))
    # where trains wait, per stage: on the last block's `all` rows (stages are shared by every cargo)
    blank = np.full(n_days * (len(labels) - 1), np.nan)
    stage_columns = {f"{series}.{stage}": np.concatenate([blank, values[series]])
                     for stage, values in obs.stages.items() for series in STAGE_SERIES}
    return pd.DataFrame({
        "date": np.tile(dates.date, len(labels)),
        "day": np.concatenate(columns.pop("day")),
        "cargo": np.repeat([name for _, name in labels], n_days),
        "crossing": np.repeat([crossing for crossing, _ in labels], n_days),
        **{col: np.concatenate(parts) for col, parts in columns.items()},
        **stage_columns,
    })


def target_crossing(obs: Observations, target: TargetRef) -> str:
    """The crossing a disruption target belongs to: its own, or the corridor (`all`) for a
    corridor-wide target among several crossings; the only crossing's name with one."""
    if len(obs.crossings) == 1:
        return obs.crossings[0]
    return target.crossing if target.crossing is not None else "all"


def events(obs: Observations, start: dt.date) -> pd.DataFrame:
    """Disruption windows and stop-loading halts as dated rows, for plots and reports."""
    origin = pd.Timestamp(start)
    rows = [
        {"kind": "disruption", "name": w.name, "target": w.target, "start_h": w.start, "end_h": w.end,
         "capacity": w.capacity, "time_factor": w.time_factor, "crossing": target_crossing(obs, w.ref)}
        for w in obs.windows
    ]
    where = obs.halt_crossings or [0] * len(obs.halts)
    several = len(obs.crossings) > 1
    rows += [
        {"kind": "stop_loading", "name": f"stop-loading {c}",
         "target": TargetRef("demand", c, obs.crossings[x] if several else None).text,
         "start_h": s, "end_h": e, "capacity": 0.0, "time_factor": 1.0, "crossing": obs.crossings[x]}
        for (c, s, e), x in zip(obs.halts, where)
    ]
    columns = ["kind", "name", "target", "start_h", "end_h", "capacity", "time_factor", "crossing"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["start"] = origin + pd.to_timedelta(frame["start_h"], unit="h")
    frame["end"] = origin + pd.to_timedelta(frame["end_h"], unit="h")
    return frame
