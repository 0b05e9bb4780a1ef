"""Hypothesis strategies for VALID scenarios spanning the schema's ranges.

Every generated dict passes `Scenario.model_validate`; the property tests assert that, so a
strategy that drifts out of the schema fails loudly instead of silently testing less. Horizons are
short (5–20 days) and traffic modest so that hundreds of scenarios simulate in well under a minute,
while still covering: 1–3 cargo, demand by tonnes (with or without a monthly profile) or by trains
per day, Poisson or regular; an optional fleet; every distribution kind in every time slot;
optional line cap and yard capacity; 0–3 checks with cargo filters, working hours, trains at once
and daily quotas; unloading groups with optional own or shared breakdowns; dated and recurring
disruptions on every kind of target with capacity 0, a partial capacity or a time factor; and an
optional stop-loading policy that defers or loses. Since the corridor (issue 10) they also draw, each
now and then: a loading rate, fair shares of a check's daily quota, refusals at a check, dated
loading bans (closed or partial, deferring or losing) and a starting state (trains in the yard,
held and en route).

Durations are written both as bare hours and as strings with units, as analysts write them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

CARGO_NAMES = ["grain", "containers", "oilseed"]
CHECK_NAMES = ["customs", "phyto", "handover"]
DIST_KINDS = ["fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "empirical"]


def _as_duration(hours: float, style: int) -> Any:
    """The same duration written the ways analysts do: 1.5, "1.5h", "90min", "0.0625d"."""
    if style == 0:
        return round(hours, 6)
    if style == 1:
        return f"{hours:.6g}h"
    if style == 2:
        return f"{hours * 60:.6g}min"
    return f"{hours / 24:.6g}d"


@st.composite
def durations(draw: st.DrawFn, low: float, high: float) -> Any:
    """A duration between low and high hours, in a random notation."""
    hours = draw(st.floats(low, high, allow_nan=False, allow_infinity=False))
    return _as_duration(hours, draw(st.integers(0, 3)))


@st.composite
def distributions(draw: st.DrawFn, scale: float, kinds: list[str] | None = None) -> Any:
    """A time distribution of any kind with a mean around `scale` hours (0.1x to 2x)."""
    kind = draw(st.sampled_from(kinds or DIST_KINDS))
    mean = draw(st.floats(0.1 * scale, 2.0 * scale))
    d = lambda h: _as_duration(h, draw(st.integers(0, 3)))  # noqa: E731
    if kind == "fixed":
        return d(mean) if draw(st.booleans()) else {"dist": "fixed", "value": d(mean)}
    if kind == "exponential":
        return {"dist": "exponential", "mean": d(mean)}
    if kind == "lognormal":
        return {"dist": "lognormal", "mean": d(mean), "sd": d(mean * draw(st.floats(0.0, 1.5)))}
    if kind == "gamma":
        return {"dist": "gamma", "mean": d(mean), "cv": draw(st.floats(0.05, 2.0))}
    if kind == "triangular":
        lo = mean * draw(st.floats(0.0, 0.9))
        hi = mean * draw(st.floats(1.1, 3.0))
        mode = draw(st.floats(lo, hi))
        return {"dist": "triangular", "min": round(lo, 6), "mode": round(mode, 6), "max": round(hi, 6)}
    if kind == "uniform":
        lo = mean * draw(st.floats(0.0, 0.9))
        return {"dist": "uniform", "min": round(lo, 6), "max": round(mean * draw(st.floats(1.1, 2.0)), 6)}
    values = draw(st.lists(st.floats(0.0, 2.0 * scale), min_size=1, max_size=8))
    return {"dist": "empirical", "values": [round(v, 6) for v in values]}


@st.composite
def working_hours(draw: st.DrawFn) -> str:
    """ "HH:MM-HH:MM", possibly across midnight, open at least an hour a day."""
    opens = draw(st.integers(0, 23 * 4)) * 15
    length = draw(st.integers(4, 22 * 4)) * 15
    closes = (opens + length) % (24 * 60)
    hh = lambda m: f"{m // 60:02d}:{m % 60:02d}"  # noqa: E731
    return f"{hh(opens)}-{hh(closes)}"


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario mapping (the YAML's shape) with a 5–20 day horizon."""
    n_cargo = draw(st.integers(1, 3))
    names = CARGO_NAMES[:n_cargo]
    days = draw(st.integers(5, 20))
    start = dt.date(2020, 1, 1) + dt.timedelta(days=draw(st.integers(0, 3650)))
    data: dict[str, Any] = {
        "name": "prop",
        "start": start.isoformat(),
        "duration": _as_duration(days * 24.0, draw(st.integers(0, 3))),
        "warmup": f"{draw(st.integers(0, days - 1))}d",
        "seed": draw(st.integers(0, 2**32)),
        "replications": 1,
    }
    cargo: dict[str, Any] = {}
    for name in names:
        cargo[name] = {
            "payload_t": draw(st.floats(5.0, 80.0)),
            "wagons_per_train": draw(st.integers(1, 60)),
            "priority": draw(st.integers(0, 3)),
        }
    data["cargo"] = cargo

    # demand: every cargo usually, but a cargo may have none (it then only has an unloading group)
    with_demand = [n for n in names if draw(st.integers(0, 5)) > 0] or [names[0]]
    demand: dict[str, Any] = {}
    for name in with_demand:
        trains_per_day = draw(st.floats(0.3, 8.0))
        entry: dict[str, Any] = {"arrivals": draw(st.sampled_from(["poisson", "regular"]))}
        if draw(st.booleans()):
            entry["trains_per_day"] = round(trains_per_day, 4)
        else:
            c = cargo[name]
            entry["tonnes_per_year"] = round(trains_per_day * 365 * c["payload_t"] * c["wagons_per_train"], 1)
            if draw(st.booleans()):
                profile = draw(st.lists(st.floats(0.0, 3.0), min_size=12, max_size=12))
                if sum(profile) <= 0:
                    profile[0] = 1.0
                entry["monthly_profile"] = profile
        demand[name] = entry
    data["demand"] = demand

    if draw(st.booleans()):
        data["fleet"] = {
            n: cargo[n]["wagons_per_train"] * draw(st.integers(1, 12))
            for n in names if draw(st.booleans())
        } or None
        if data["fleet"] is None:
            del data["fleet"]
        data["empties"] = {"return_time": draw(distributions(24.0))}

    line: dict[str, Any] = {"transit_time": draw(distributions(6.0))}
    if draw(st.booleans()):
        line["max_trains_per_day"] = draw(st.integers(1, 30))
    data["line"] = line

    if draw(st.booleans()):
        biggest = max(cargo[n]["wagons_per_train"] for n in with_demand)
        data["yard"] = {"capacity_wagons": biggest * draw(st.integers(1, 10)) + draw(st.integers(0, 30))}

    checks: list[dict[str, Any]] = []
    for cname in CHECK_NAMES[: draw(st.integers(0, 3))]:
        check: dict[str, Any] = {"name": cname, "time": draw(distributions(draw(st.floats(0.2, 6.0))))}
        if draw(st.integers(0, 2)) == 0:
            check["cargo"] = draw(st.lists(st.sampled_from(names), min_size=1, max_size=n_cargo, unique=True))
        if draw(st.integers(0, 2)) == 0:
            check["hours"] = draw(working_hours())
        if draw(st.booleans()):
            check["trains_at_once"] = draw(st.integers(1, 5))
        if draw(st.integers(0, 2)) == 0:
            check["trains_per_day"] = draw(st.integers(1, 20))
            if draw(st.integers(0, 2)) == 0:  # fair shares of the quota among the cargo passing
                passing = [n for n in with_demand if "cargo" not in check or n in check["cargo"]]
                check["shares"] = {n: draw(st.integers(0, 5)) for n in passing}
                if passing and sum(check["shares"].values()) == 0:
                    check["shares"][passing[0]] = 1
                if not passing:
                    del check["shares"]
                elif draw(st.booleans()):
                    check["share_unused"] = draw(st.booleans())
        if draw(st.integers(0, 3)) == 0:  # refusals at the end of this check
            rule: dict[str, Any] = {"share": draw(st.floats(0.01, 1.0)), "per": draw(st.sampled_from(["wagon", "train"]))}
            if draw(st.booleans()):
                rule["cargo"] = [draw(st.sampled_from(check.get("cargo", names)))]
            if draw(st.booleans()):
                rule["return_time"] = draw(distributions(24.0))
            check["reject"] = [rule]
        checks.append(check)
    if checks:
        data["checks"] = checks

    breakdowns = lambda: {  # noqa: E731
        "mtbf": draw(durations(20.0, 500.0)),
        "mttr": draw(distributions(draw(st.floats(0.5, 12.0)))),
    }
    unloading: dict[str, Any] = {}
    for name in names:
        group: dict[str, Any] = {
            "points": draw(st.integers(1, 10)),
            "wagon_time": draw(distributions(draw(st.floats(0.05, 1.5)))),
        }
        if draw(st.integers(0, 3)) == 0:
            group["breakdowns"] = breakdowns()
        unloading[name] = group
    if draw(st.integers(0, 3)) == 0:
        unloading["breakdowns"] = breakdowns()
    data["unloading"] = unloading

    # disruptions: any target; partial capacity only where the target has a finite capacity
    finite = {"line": "max_trains_per_day" in line, "yard": "yard" in data}
    for check in checks:
        finite[f"checks.{check['name']}"] = "trains_at_once" in check or "trains_per_day" in check
    for name in names:
        finite[f"unloading.{name}"] = True
    disruptions: list[dict[str, Any]] = []
    for i in range(draw(st.integers(0, 4))):
        target = draw(st.sampled_from(sorted(finite)))
        d: dict[str, Any] = {"name": f"d{i}", "target": target}
        effect = draw(st.sampled_from(["closed", "partial", "slower", "faster", "partial+slower"]))
        if effect in ("partial", "partial+slower") and not finite[target]:
            effect = "slower"
        if effect == "closed":
            d["capacity"] = 0
        if effect.startswith("partial"):
            d["capacity"] = draw(st.floats(0.05, 0.95))
        if effect.endswith("slower"):
            d["time_factor"] = draw(st.floats(1.1, 4.0))
        if effect == "faster":
            d["time_factor"] = draw(st.floats(0.3, 0.9))
        first = dt.datetime(start.year, start.month, start.day) + dt.timedelta(days=draw(st.integers(-3, days + 1)))
        if draw(st.booleans()):  # dated window
            d["from"] = first.isoformat()
            d["to"] = (first + dt.timedelta(hours=draw(st.integers(1, 24 * 6)))).isoformat()
        else:  # recurring, sometimes within a dated season
            d["every"] = draw(distributions(draw(st.floats(24.0, 240.0)), ["fixed", "exponential", "uniform"]))
            d["lasts"] = draw(distributions(draw(st.floats(1.0, 36.0))))
            if draw(st.integers(0, 2)) == 0:
                d["from"] = first.isoformat()
                d["to"] = (first + dt.timedelta(days=draw(st.integers(1, days + 3)))).isoformat()
        disruptions.append(d)
    if disruptions:
        data["disruptions"] = disruptions

    if draw(st.integers(0, 2)) == 0:
        above = draw(st.integers(2, 1500))
        policy: dict[str, Any] = {
            "cargo": draw(st.lists(st.sampled_from(names), min_size=1, max_size=n_cargo, unique=True)),
            "above_wagons": above,
            "resume_below": draw(st.integers(1, above - 1)),
            "on_halt": draw(st.sampled_from(["defer", "lose"])),
        }
        if draw(st.booleans()):
            policy["check_every"] = draw(durations(0.25, 12.0))
        data["policies"] = {"stop_loading": policy}

    if draw(st.booleans()):
        data["costs"] = {"wagon_day_usd": draw(st.floats(0.0, 100.0))}
    _corridor_keys(draw, data, with_demand, days)
    return data


def _corridor_keys(draw: st.DrawFn, data: dict[str, Any], with_demand: list[str], days: int) -> None:
    """Loading rates, loading bans, a starting state and yard reservations, each now and then."""
    cargo = data["cargo"]
    if "yard" in data and draw(st.integers(0, 3)) == 0:  # the yard's room reserved by cargo (issue 16)
        shares = {n: draw(st.integers(0, 3)) for n in with_demand}
        if not any(shares.values()):
            shares[with_demand[0]] = 1
        data["yard"]["shares"] = shares
        if draw(st.booleans()):
            data["yard"]["share_unused"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        data["loading"] = {n: {"wagons_per_day": cargo[n]["wagons_per_train"] * draw(st.floats(1.0, 12.0))}
                           for n in with_demand if draw(st.booleans())} or None
        if data["loading"] is None:
            del data["loading"]
    if draw(st.integers(0, 3)) == 0:
        start = dt.datetime.fromisoformat(data["start"])
        for i in range(draw(st.integers(1, 2))):
            first = start + dt.timedelta(hours=draw(st.integers(0, days * 24 - 2)))
            ban: dict[str, Any] = {"name": f"ban{i}", "target": f"demand.{draw(st.sampled_from(with_demand))}",
                                   "from": first.isoformat(),
                                   "to": (first + dt.timedelta(hours=draw(st.integers(1, 24 * 4)))).isoformat(),
                                   "capacity": draw(st.sampled_from([0.0, 0.25, 0.5, 0.9]))}
            if draw(st.booleans()):
                ban["on_halt"] = draw(st.sampled_from(["defer", "lose"]))
            data.setdefault("disruptions", []).append(ban)
    if draw(st.integers(0, 3)) == 0:
        state: dict[str, Any] = {}
        room = data.get("yard", {}).get("capacity_wagons", 10_000)
        fleet = data.get("fleet") or {}
        for n in with_demand:
            w = cargo[n]["wagons_per_train"]
            entry = {"in_yard_wagons": draw(st.integers(0, min(room, 3 * w))),
                     "held_wagons": draw(st.integers(0, 3 * w)), "en_route_wagons": draw(st.integers(0, 3 * w))}
            if n in fleet:
                total = sum(entry.values())
                if total > fleet[n]:
                    entry = {"held_wagons": min(fleet[n], entry["held_wagons"])}
            room -= entry.get("in_yard_wagons", 0)
            if draw(st.booleans()):
                entry["arriving_within"] = f"{draw(st.integers(1, 48))}h"
            checks = [c["name"] for c in data.get("checks", [])]
            if checks and draw(st.booleans()):
                entry["after_check"] = draw(st.sampled_from(checks))
            state[n] = entry
        data["initial_state"] = state


# -- two crossings: routing by room, diversion, re-routing (issue 16) ------------------------------

CROSSING_NAMES = ["dostyk", "altynkol"]


@st.composite
def _crossing(draw: st.DrawFn, names: list[str], biggest: int) -> dict[str, Any]:
    """One crossing's stages: tight limits now and then, so that room runs out."""
    line: dict[str, Any] = {"transit_time": draw(distributions(draw(st.floats(1.0, 30.0))))}
    if draw(st.booleans()):
        line["max_trains_per_day"] = draw(st.integers(1, 8))
    spec: dict[str, Any] = {"line": line}
    if draw(st.booleans()):
        yard: dict[str, Any] = {"capacity_wagons": biggest * draw(st.integers(1, 6)) + draw(st.integers(0, 20))}
        if len(names) > 1 and draw(st.integers(0, 2)) == 0:
            yard["shares"] = {n: draw(st.integers(1, 3)) for n in names}
        spec["yard"] = yard
    checks = []
    for cname in CHECK_NAMES[: draw(st.integers(0, 2))]:
        check: dict[str, Any] = {"name": cname, "time": draw(distributions(draw(st.floats(0.5, 6.0))))}
        if draw(st.booleans()):
            check["trains_per_day"] = draw(st.integers(1, 10))
        if draw(st.integers(0, 3)) == 0:
            check["reject"] = [{"share": draw(st.floats(0.05, 0.5)), "per": draw(st.sampled_from(["wagon", "train"]))}]
        checks.append(check)
    if checks:
        spec["checks"] = checks
    spec["unloading"] = {n: {"points": draw(st.integers(1, 6)),
                             "wagon_time": draw(distributions(draw(st.floats(0.1, 2.0))))} for n in names}
    return spec


@st.composite
def corridors(draw: st.DrawFn) -> dict[str, Any]:
    """A valid two-crossing scenario (5–15 days) whose routing may divert, re-route and run out of room:
    bans and stop-loading close a crossing, quotas and small yards limit what the other can take."""
    names = CARGO_NAMES[: draw(st.integers(1, 2))]
    days = draw(st.integers(5, 15))
    start = dt.date(2021, 1, 1) + dt.timedelta(days=draw(st.integers(0, 1000)))
    cargo = {n: {"payload_t": 60.0, "wagons_per_train": draw(st.integers(1, 30)), "priority": draw(st.integers(0, 2))}
             for n in names}
    biggest = max(c["wagons_per_train"] for c in cargo.values())
    data: dict[str, Any] = {
        "name": "corridor-prop", "start": start.isoformat(), "duration": f"{days}d",
        "warmup": f"{draw(st.integers(0, 2))}d", "seed": draw(st.integers(0, 2**32)), "replications": 1,
        "cargo": cargo,
        "demand": {n: {"trains_per_day": round(draw(st.floats(1.0, 12.0)), 3),
                       "arrivals": draw(st.sampled_from(["poisson", "regular"]))} for n in names},
        "crossings": {x: draw(_crossing(names, biggest)) for x in CROSSING_NAMES},
    }
    routing: dict[str, Any] = {}
    rerouted_bans: list[dict[str, Any]] = []
    for n in names:
        shares = {x: draw(st.integers(0, 4)) for x in CROSSING_NAMES}
        if not any(shares.values()):
            shares["dostyk"] = 1
        entry: dict[str, Any] = {"shares": shares}
        source, target = draw(st.permutations(CROSSING_NAMES))
        if draw(st.booleans()):
            above = draw(st.integers(2, 300))
            entry["divert"] = [{"from": source, "to": target, "above_wagons": above,
                                "resume_below": draw(st.integers(1, above - 1)),
                                "share": draw(st.sampled_from([0.25, 0.5, 1.0])),
                                "check_every": draw(durations(0.5, 6.0))}]
        if draw(st.booleans()):
            entry["reroute"] = [{"from": source, "to": target, "extra_time": draw(durations(0.5, 48.0)),
                                 "usd_per_wagon": draw(st.floats(0.0, 500.0)), "check_every": draw(durations(0.5, 6.0))}]
            if draw(st.booleans()):  # trains queue at the source's line, then loading for it stops
                data["crossings"][source]["line"]["max_trains_per_day"] = draw(st.integers(1, 3))
                first = dt.datetime(start.year, start.month, start.day) + dt.timedelta(days=draw(st.integers(1, days - 1)))
                rerouted_bans.append({"name": f"stop-{n}", "target": f"crossings.{source}.demand.{n}",
                                      "from": first.isoformat(), "to": (first + dt.timedelta(days=3)).isoformat(),
                                      "capacity": 0.0})
        routing[n] = entry
    data["routing"] = routing
    if draw(st.booleans()):
        data["fleet"] = {n: cargo[n]["wagons_per_train"] * draw(st.integers(2, 20)) for n in names}
        data["empties"] = {"return_time": draw(distributions(48.0))}
    if draw(st.integers(0, 2)) == 0:
        data["loading"] = {names[0]: {"wagons_per_day": cargo[names[0]]["wagons_per_train"] * draw(st.floats(1.0, 10.0))}}
    disruptions = rerouted_bans
    for i in range(draw(st.integers(0, 3))):
        first = dt.datetime(start.year, start.month, start.day) + dt.timedelta(hours=draw(st.integers(0, days * 24 - 2)))
        ban: dict[str, Any] = {"name": f"ban{i}",
                               "target": f"crossings.{draw(st.sampled_from(CROSSING_NAMES))}.demand."
                                         f"{draw(st.sampled_from(names))}",
                               "from": first.isoformat(),
                               "to": (first + dt.timedelta(hours=draw(st.integers(6, 24 * 5)))).isoformat(),
                               "capacity": draw(st.sampled_from([0.0, 0.0, 0.5])),
                               "on_halt": draw(st.sampled_from(["defer", "lose"]))}
        disruptions.append(ban)
    if disruptions:
        data["disruptions"] = disruptions
    if draw(st.booleans()):
        above = draw(st.integers(2, 400))
        data["policies"] = {"stop_loading": {
            "cargo": names, "above_wagons": above, "resume_below": draw(st.integers(1, above - 1)),
            "crossings": [draw(st.sampled_from(CROSSING_NAMES))], "check_every": draw(durations(0.5, 6.0)),
            "on_halt": draw(st.sampled_from(["defer", "lose"]))}}
    return data
