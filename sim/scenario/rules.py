"""Cross-field rules of a scenario: what no single key can check on its own.

A check filtered to an unknown cargo, a disruption aimed at nothing, a fleet too small for one
train, shares that add up to nothing, a crossing no train can reach, a workload beyond sane bounds
(sim.scenario.limits): each is reported with the key path that must change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sim.scenario.base import CROSSING_KEYS
from sim.scenario.distributions import MAX_HOURS
from sim.scenario.durations import format_hours
from sim.scenario.fields import ScenarioFields
from sim.scenario.limits import workload_problems

#: The cargo name under which results give the total over every cargo (kpis.csv, daily.csv, …).
TOTAL = "all"

if TYPE_CHECKING:
    from sim.scenario.stages import Check, CrossingSpec

#: reserved in outputs: `crossing = all` rows are the whole corridor
RESERVED_CROSSING = "all"


def cross_problems(s: ScenarioFields) -> Iterator[tuple[str, str]]:
    cargo = set(s.cargo)
    known = ", ".join(sorted(cargo))
    if s.warmup >= s.duration:
        yield "warmup", f"must be shorter than duration ({format_hours(s.duration)}), got {format_hours(s.warmup)}"
    if s.duration > MAX_HOURS:
        yield "duration", "must be at most 100 years"
    for name in s.cargo:
        if name.casefold() == TOTAL.casefold():
            yield f"cargo.{name}", (
                f"the cargo name {name!r} is reserved: results give the total over every cargo as cargo "
                f"{TOTAL!r}, so this cargo's rows would be mixed with the total's; rename it (e.g. {name}_cargo)"
            )
    shape = list(_shape_problems(s))
    yield from shape
    if shape:
        return  # the crossings cannot be read; the rules below would only repeat it
    for name in s.demand:
        if name not in cargo:
            yield f"demand.{name}", f"unknown cargo {name!r}; expected one of: {known}"
    for name, wagons in (s.fleet or {}).items():
        if name not in cargo:
            yield f"fleet.{name}", f"unknown cargo {name!r}; expected one of: {known}"
        elif wagons < s.cargo[name].wagons_per_train:
            yield f"fleet.{name}", (
                f"a fleet of {wagons} wagons cannot form one train of {s.cargo[name].wagons_per_train}"
            )
    yield from _routing_problems(s)
    reached = reachable(s)
    for x, spec in s.crossing_specs():
        yield from _crossing_problems(s, x, spec, reached[x])
    yield from _loading_problems(s)
    yield from _disruption_problems(s)
    sl = s.policies.stop_loading
    if sl is not None:
        for halted in sl.cargo:
            if halted not in cargo:
                yield "policies.stop_loading.cargo", f"unknown cargo {halted!r}; expected one of: {known}"
        for x in sl.crossings or []:
            if x not in s.crossing_names:
                yield "policies.stop_loading.crossings", (
                    f"unknown crossing {x!r}; expected one of: {', '.join(s.crossing_names)}")
    # sane bounds on the work the scenario asks for (a start date, demand x duration, windows…)
    yield from workload_problems(s)


def key(s: ScenarioFields, crossing: str) -> str:
    """Key-path prefix of a crossing's keys in the file: '' at the top level, else 'crossings.<name>.'."""
    return f"crossings.{crossing}." if s.crossings is not None else ""


def _shape_problems(s: ScenarioFields) -> Iterator[tuple[str, str]]:
    if s.crossings is None:
        if s.unloading is None:
            yield "unloading", "required key is missing (or describe the crossings under `crossings:`)"
        return
    for k in CROSSING_KEYS:
        if k in s.model_fields_set:
            yield k, (f"with `crossings:` each crossing has its own {k}: move it under crossings.<name>.{k} "
                      f"(crossings: {', '.join(s.crossings)})")
    for x in s.crossings:
        if x.lower() == RESERVED_CROSSING:
            yield f"crossings.{x}", "'all' names the whole corridor in results; choose another crossing name"


def reachable(s: ScenarioFields) -> dict[str, set[str]]:
    """Per crossing, the cargo with demand whose trains can go there (by share or by diversion)."""
    names = s.crossing_names
    if len(names) == 1:
        return {names[0]: set(s.demand)}
    out: dict[str, set[str]] = {x: set() for x in names}
    for c, r in (s.routing or {}).items():
        for x, w in r.shares.items():
            if w > 0 and x in out:
                out[x].add(c)
        for to in [d.to for d in r.divert] + [d.to for d in r.reroute]:
            if to in out:
                out[to].add(c)
        for change in r.changes:
            for x, w in change.shares.items():
                if w > 0 and x in out:
                    out[x].add(c)
    return out


def _routing_problems(s: ScenarioFields) -> Iterator[tuple[str, str]]:
    names = s.crossing_names
    listed = ", ".join(names)
    routing = s.routing or {}
    for c, r in routing.items():
        if c not in s.demand:
            yield f"routing.{c}", f"no demand for cargo {c!r}; expected one of: {', '.join(s.demand)}"
        for x in r.shares:
            if x not in names:
                yield f"routing.{c}.shares.{x}", f"unknown crossing {x!r}; expected one of: {listed}"
        if sum(r.shares.values()) <= 0:
            yield f"routing.{c}.shares", "expected at least one share above 0 (shares are weights)"
        for i, d in enumerate(r.divert):
            for field, x in (("from", d.from_), ("to", d.to)):
                if x not in names:
                    yield f"routing.{c}.divert[{i}].{field}", f"unknown crossing {x!r}; expected one of: {listed}"
            if d.from_ == d.to:
                yield f"routing.{c}.divert[{i}].to", "must be another crossing than `from`"
        seen: set[tuple[str, str]] = set()
        for i, rr in enumerate(r.reroute):
            if (rr.from_, rr.to) in seen:
                yield f"routing.{c}.reroute[{i}]", f"a second rule from {rr.from_} to {rr.to}; give each pair once"
            seen.add((rr.from_, rr.to))
            for field, x in (("from", rr.from_), ("to", rr.to)):
                if x not in names:
                    yield f"routing.{c}.reroute[{i}].{field}", f"unknown crossing {x!r}; expected one of: {listed}"
            if rr.from_ == rr.to:
                yield f"routing.{c}.reroute[{i}].to", "must be another crossing than `from`"
        for i, change in enumerate(r.changes):
            for x in change.shares:
                if x not in names:
                    yield f"routing.{c}.changes[{i}].shares.{x}", f"unknown crossing {x!r}; expected one of: {listed}"
            if sum(change.shares.values()) <= 0:
                yield f"routing.{c}.changes[{i}].shares", "expected at least one share above 0 (shares are weights)"
            if i and change.from_ <= r.changes[i - 1].from_:
                yield f"routing.{c}.changes[{i}].from", (f"{change.from_.date()} is not after the change before it "
                                                         f"({r.changes[i - 1].from_.date()}): give changes in date order")
    if len(names) > 1:
        for c in s.demand:
            if c not in routing:
                yield f"routing.{c}", (f"required with several crossings: give shares, e.g. "
                                       f"routing: {{{c}: {{shares: {{{names[0]}: 1}}}}}}")


def _crossing_problems(s: ScenarioFields, x: str, spec: CrossingSpec, reached: set[str]) -> Iterator[tuple[str, str]]:
    cargo = set(s.cargo)
    known = ", ".join(sorted(cargo))
    k = key(s, x)
    for name in sorted(reached):
        if name not in spec.unloading.groups and name in cargo:
            yield f"{k}unloading", f"no unloading group for cargo {name!r}, which has demand"
    for name in spec.unloading.groups:
        if name not in cargo:
            yield f"{k}unloading.{name}", f"unknown cargo {name!r}; expected one of: {known} (or breakdowns)"
    cap = spec.yard.capacity_wagons
    if cap is not None:
        for name, c in s.cargo.items():
            if name in reached and c.wagons_per_train > cap:
                yield f"{k}yard.capacity_wagons", f"{cap} wagons cannot hold one {name} train of {c.wagons_per_train}"
    yield from _share_problems(s, f"{k}line", spec.line.shares, spec.line.share_unused,
                               spec.line.max_trains_per_day, "max_trains_per_day", reached)
    yield from _share_problems(s, f"{k}yard", spec.yard.shares, spec.yard.share_unused,
                               spec.yard.capacity_wagons, "capacity_wagons", reached)
    seen: set[str] = set()
    for i, check in enumerate(spec.checks):
        where = f"{k}checks[{i}]"
        if check.name in seen:
            yield f"{where}.name", f"duplicate check name {check.name!r}"
        seen.add(check.name)
        for filtered in check.cargo or []:
            if filtered not in cargo:
                yield f"{where}.cargo", f"unknown cargo {filtered!r}; expected one of: {known}"
        passing = {c for c in reached if check.cargo is None or c in check.cargo}
        yield from _share_problems(s, where, check.shares, check.share_unused, check.trains_per_day,
                                   "trains_per_day", passing)
        yield from _reject_problems(s, where, check)
    yield from _initial_problems(s, x, spec)


def _share_problems(s: ScenarioFields, where: str, shares: dict[str, float] | None, unused: bool | None,
                    quota: int | None, quota_key: str, passing: set[str]) -> Iterator[tuple[str, str]]:
    if shares is None:
        if unused is not None:
            yield f"{where}.share_unused", "goes with `shares` (without shares the stage serves by priority)"
        return
    if quota is None:
        what = "the yard's room" if quota_key == "capacity_wagons" else "a daily quota"
        yield f"{where}.shares", f"shares divide {what}: set {quota_key} too"
    for c in shares:
        if c not in s.cargo:
            yield f"{where}.shares.{c}", f"unknown cargo {c!r}; expected one of: {', '.join(s.cargo)}"
    missing = sorted(passing - set(shares))
    if missing:
        yield f"{where}.shares", (f"no share for {', '.join(missing)}, which pass this stage; give each a weight "
                                  "(0: only slots the others leave unused)")
    if sum(shares.values()) <= 0:
        yield f"{where}.shares", "expected at least one share above 0 (shares are weights)"


def _reject_problems(s: ScenarioFields, where: str, check: Check) -> Iterator[tuple[str, str]]:
    for j, r in enumerate(check.reject or []):
        for c in r.cargo or []:
            if c not in s.cargo:
                yield f"{where}.reject[{j}].cargo", f"unknown cargo {c!r}; expected one of: {', '.join(s.cargo)}"
            elif check.cargo is not None and c not in check.cargo:
                yield f"{where}.reject[{j}].cargo", f"{c!r} does not pass this check (its cargo: {', '.join(check.cargo)})"


def _initial_problems(s: ScenarioFields, x: str, spec: CrossingSpec) -> Iterator[tuple[str, str]]:
    k = key(s, x)
    in_yard = 0
    checks = [c.name for c in spec.checks]
    for c, st in (spec.initial_state or {}).items():
        where = f"{k}initial_state.{c}"
        if c not in s.cargo:
            yield where, f"unknown cargo {c!r}; expected one of: {', '.join(s.cargo)}"
            continue
        if st.wagons and c not in spec.unloading.groups:
            yield where, f"no unloading group for cargo {c!r} at this crossing"
        in_yard += st.in_yard_wagons
        if st.after_check is not None and st.after_check not in checks:
            yield f"{where}.after_check", f"unknown check {st.after_check!r}; expected one of: {', '.join(checks) or 'none'}"
        fleet = (s.fleet or {}).get(c)
        if fleet is not None and st.wagons > fleet:
            yield where, f"{st.wagons:,} wagons under way but the fleet.{c} has only {fleet:,}"
    cap = spec.yard.capacity_wagons
    if cap is not None and in_yard > cap:
        yield f"{k}initial_state", (f"{in_yard:,} wagons in the yard at the start but it holds {cap:,}; put the rest "
                                    "in held_wagons (held short of the yard)")


def _loading_problems(s: ScenarioFields) -> Iterator[tuple[str, str]]:
    for c, rate in (s.loading or {}).items():
        where = f"loading.{c}"
        if c not in s.cargo:
            yield where, f"unknown cargo {c!r}; expected one of: {', '.join(s.cargo)}"
            continue
        w = s.cargo[c].wagons_per_train
        if rate.wagons_per_day < w:
            yield f"{where}.wagons_per_day", (f"{rate.wagons_per_day:g} wagons a day is less than one {c} train "
                                              f"({w} wagons) a day; a train would wait days to be formed")
        if rate.burst_wagons is not None and rate.burst_wagons < w:
            yield f"{where}.burst_wagons", f"must hold at least one train ({w} wagons), got {rate.burst_wagons}"


def _disruption_problems(s: ScenarioFields) -> Iterator[tuple[str, str]]:
    targets = s.targets()
    names: set[str] = set()
    end = s.duration
    for i, d in enumerate(s.disruptions):
        if d.name in names:
            yield f"disruptions[{i}].name", f"duplicate disruption name {d.name!r}"
        names.add(d.name)
        if d.target not in targets:
            yield f"disruptions[{i}].target", f"unknown target {d.target!r}; expected one of: {', '.join(targets)}"
            continue
        demand = d.ref.is_ban
        if d.on_halt is not None and not demand:
            yield f"disruptions[{i}].on_halt", "only a demand.<cargo> ban defers or loses trains; remove it here"
        if demand:
            if d.time_factor != 1.0:
                yield f"disruptions[{i}].time_factor", "a loading ban has no time to scale; use capacity (0 = no trains)"
            if d.capacity > 1.0:
                yield f"disruptions[{i}].capacity", "a loading ban lets at most every train be loaded: expected 0 to 1"
            if not d.recurring and d.from_ is not None and d.to is not None and (
                    s.hours_since_start(d.to) <= 0 or s.hours_since_start(d.from_) >= end):
                yield f"disruptions[{i}]", (f"the ban {d.from_.date()} – {d.to.date()} is outside the run "
                                            f"({s.start} + {end / 24:g} days): it would change nothing")
        elif d.capacity not in (0.0, 1.0) and not targets[d.target]:
            yield f"disruptions[{i}].capacity", (
                f"{d.target} has no finite capacity to scale, so {d.capacity:g} would change nothing; "
                "use 0 to close it, set its capacity, or use time_factor"
            )
