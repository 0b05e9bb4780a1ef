"""Cross-field rules of a scenario: what no single key can check on its own.

A check filtered to an unknown cargo, a disruption aimed at nothing, a fleet too small for one
train, a workload beyond sane bounds (sim.scenario.limits): each is reported with the key path
that must change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sim.scenario.distributions import MAX_HOURS
from sim.scenario.limits import workload_problems

#: The cargo name under which results give the total over every cargo (kpis.csv, daily.csv, …).
TOTAL = "all"

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario


def cross_problems(s: Scenario) -> Iterator[tuple[str, str]]:  # a flat list of independent rules
    cargo = set(s.cargo)
    known = ", ".join(sorted(cargo))
    if s.warmup >= s.duration:
        yield "warmup", f"must be shorter than duration ({s.duration:g}h), got {s.warmup:g}h"
    if s.duration > MAX_HOURS:
        yield "duration", "must be at most 100 years"
    for name in s.cargo:
        if name.casefold() == TOTAL.casefold():
            yield f"cargo.{name}", (
                f"the cargo name {name!r} is reserved: results give the total over every cargo as cargo "
                f"{TOTAL!r}, so this cargo's rows would be mixed with the total's; rename it (e.g. {name}_cargo)"
            )
    for name in s.demand:
        if name not in cargo:
            yield f"demand.{name}", f"unknown cargo {name!r}; expected one of: {known}"
        elif name not in s.unloading.groups:
            yield "unloading", f"no unloading group for cargo {name!r}, which has demand"
    for name in s.unloading.groups:
        if name not in cargo:
            yield f"unloading.{name}", f"unknown cargo {name!r}; expected one of: {known} (or breakdowns)"
    for name, wagons in (s.fleet or {}).items():
        if name not in cargo:
            yield f"fleet.{name}", f"unknown cargo {name!r}; expected one of: {known}"
        elif wagons < s.cargo[name].wagons_per_train:
            yield f"fleet.{name}", (
                f"a fleet of {wagons} wagons cannot form one train of {s.cargo[name].wagons_per_train}"
            )
    if s.yard.capacity_wagons is not None:
        for name, c in s.cargo.items():
            if name in s.demand and c.wagons_per_train > s.yard.capacity_wagons:
                yield "yard.capacity_wagons", (
                    f"{s.yard.capacity_wagons} wagons cannot hold one {name} train of {c.wagons_per_train}"
                )
    seen: set[str] = set()
    for i, check in enumerate(s.checks):
        if check.name in seen:
            yield f"checks[{i}].name", f"duplicate check name {check.name!r}"
        seen.add(check.name)
        for filtered in check.cargo or []:
            if filtered not in cargo:
                yield f"checks[{i}].cargo", f"unknown cargo {filtered!r}; expected one of: {known}"
    targets = s.targets()
    names: set[str] = set()
    for i, d in enumerate(s.disruptions):
        if d.name in names:
            yield f"disruptions[{i}].name", f"duplicate disruption name {d.name!r}"
        names.add(d.name)
        if d.target not in targets:
            yield f"disruptions[{i}].target", (
                f"unknown target {d.target!r}; expected one of: {', '.join(targets)}"
            )
        elif d.capacity not in (0.0, 1.0) and not targets[d.target]:
            yield f"disruptions[{i}].capacity", (
                f"{d.target} has no finite capacity to scale, so {d.capacity:g} would change nothing; "
                "use 0 to close it, set its capacity, or use time_factor"
            )
    sl = s.policies.stop_loading
    if sl is not None:
        for halted in sl.cargo:
            if halted not in cargo:
                yield "policies.stop_loading.cargo", f"unknown cargo {halted!r}; expected one of: {known}"
    # sane bounds on the work the scenario asks for (a start date, demand x duration, windows…)
    yield from workload_problems(s)
