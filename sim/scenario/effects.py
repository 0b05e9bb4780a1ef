"""What a valid scenario's disruptions do, said in numbers, and what may surprise an analyst.

A capacity factor multiplies whole numbers (a daily quota, trains at once, yard wagons, unloading
points) and is rounded down, so `capacity: 0.3` on a quota of 3 is a full closure, and a slip such
as `capacity: 8` turns a quota of 12 into 96 trains a day. Neither is wrong enough to refuse, so
`dostyk validate` prints each window's resulting capacities, and `scenario_warnings` names what is
probably a slip: a factor that rounds a capacity to nothing, a yard cut below one train, a window
that misses the run (after a shortened `duration`, say). Runs emit them as `ScenarioWarning`.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.errors import SimError
from sim.scenario.durations import format_hours
from sim.scenario.keypaths import named_problems
from sim.scenario.levers import cost_problems
from sim.scenario.target_ref import TargetRef

if TYPE_CHECKING:  # annotations only: `import sim.cli` must not load pydantic (tests/cli/test_startup.py)
    from sim.scenario.corridor import Disruption
    from sim.scenario.fields import ScenarioFields


class ScenarioWarning(SimError, UserWarning):  # noqa: N818 - a warning, named as Python names them
    """A valid scenario that probably does not say what was meant (a warning, never raised)."""


def scaled(base: int, factor: float) -> int:
    """A finite capacity scaled by a disruption factor, rounded down (what the model applies)."""
    return math.floor(base * factor + 1e-9)


@dataclass(frozen=True)
class Effect:
    """One finite capacity of a disruption's target, and what the window's factor makes of it."""

    index: int       # the disruption's position in `disruptions`
    key: str         # e.g. "trains_per_day"
    base: int
    factor: float
    unit: str        # e.g. "trains a day"

    @property
    def during(self) -> int:
        return scaled(self.base, self.factor)


def limits(s: ScenarioFields, target: TargetRef) -> list[tuple[str, int, str]]:
    """The finite capacities a disruption on `target` scales: (key, value, unit)."""
    spec = s.crossing_spec(target)
    found: list[tuple[str, int | None, str]] = []
    if spec is None or target.is_ban:
        return []
    if target.stage == "line":
        found = [("max_trains_per_day", spec.line.max_trains_per_day, "trains a day")]
    elif target.stage == "yard":
        found = [("capacity_wagons", spec.yard.capacity_wagons, "wagons")]
    elif target.stage == "checks":
        check = next((c for c in spec.checks if c.name == target.check), None)
        found = [] if check is None else [("trains_at_once", check.trains_at_once, "trains at once"),
                                          ("trains_per_day", check.trains_per_day, "trains a day")]
    elif target.stage == "unloading" and target.cargo in spec.unloading.groups:
        found = [("points", spec.unloading.groups[target.cargo].points, "points")]
    return [(key, value, unit) for key, value, unit in found if value is not None]


def capacity_effects(s: ScenarioFields) -> list[Effect]:
    """Every finite capacity each disruption scales (none for a disruption that only slows work)."""
    return [Effect(i, key, base, d.capacity, unit)
            for i, d in enumerate(s.disruptions) if d.capacity != 1.0
            for key, base, unit in limits(s, d.ref)]


def dated_units(s: ScenarioFields, target: TargetRef, base: int) -> list[tuple[dt.datetime, int]]:
    """Where dated windows change a capacity of `target` from `base`: (from, units) at each change,
    overlapping windows multiplying, as the model applies them (recurring windows are random: left out)."""
    dated = [d for d in s.disruptions if not d.recurring and d.ref == target and d.capacity != 1.0]
    out: list[tuple[dt.datetime, int]] = []
    for t in sorted({t for d in dated for t in (d.from_, d.to) if t is not None}):
        factor = math.prod(d.capacity for d in dated if d.from_ is not None and d.to is not None and d.from_ <= t < d.to)
        units = scaled(base, factor)
        if units != (out[-1][1] if out else base):
            out.append((t, units))
    return out


def changes_something(s: ScenarioFields, d: Disruption) -> bool:
    """Whether a disruption changes anything while it holds: a time factor, a closure, a loading
    ban, or a capacity it scales to another whole number (× 1.2 of 3 points is still 3 points)."""
    if d.time_factor != 1.0 or d.capacity == 0.0 or (d.ref.is_ban and d.capacity < 1.0):
        return True
    return any(scaled(base, d.capacity) != base for _, base, _ in limits(s, d.ref))


def _when(t: dt.datetime) -> str:
    return t.date().isoformat() if t.time() == dt.time() else t.isoformat(sep=" ", timespec="minutes")


def _run_span(s: ScenarioFields) -> tuple[dt.datetime, dt.datetime] | None:
    start = dt.datetime(s.start.year, s.start.month, s.start.day)
    try:
        return start, start + dt.timedelta(hours=s.duration)
    except OverflowError:  # refused elsewhere (a run must end by 2261)
        return None


def when(d: Disruption) -> str:
    """A disruption's dates in words: '2024-01-02 – 2024-01-21', or its recurrence."""
    if not d.recurring:
        assert d.from_ is not None and d.to is not None
        return f"{_when(d.from_)} – {_when(d.to)}"
    assert d.every is not None and d.lasts is not None
    text = f"every ~{format_hours(d.every.mean)}, lasting ~{format_hours(d.lasts.mean)}"
    if d.from_ is not None:
        text += f", from {_when(d.from_)}"
    if d.to is not None:
        text += f", until {_when(d.to)}"
    return text


def disruption_effects(s: ScenarioFields) -> list[str]:
    """Per disruption, what it does in numbers: each capacity during it (e.g. `trains_per_day 12 →
    2 trains a day (× 0.2)`), 'closed', and its time factor."""
    effects = capacity_effects(s)
    out = []
    for i, d in enumerate(s.disruptions):
        parts = []
        if d.ref.is_ban:  # a loading ban acts on the origin: 'closed' said nothing, a share said nothing at all
            fate = "lost" if d.on_halt == "lose" else "deferred"
            parts.append(f"no {d.ref.cargo} trains loaded; those requested are {fate}" if d.capacity == 0.0 else
                         f"{d.capacity:g} of the {d.ref.cargo} trains requested are loaded; the others are {fate}")
        elif d.capacity == 0.0:
            parts.append("closed")
        else:
            for e in (e for e in effects if e.index == i):
                parts.append(f"{e.key} {e.base:,} → {e.during:,} {e.unit} (× {d.capacity:g})"
                             + (", closed" if e.during == 0 else ""))
        if d.time_factor != 1.0:
            parts.append(f"times × {d.time_factor:g}")
        out.append("; ".join(parts))
    return out


def describe_disruptions(s: ScenarioFields) -> list[str]:
    """One line per disruption: when, its target, and each capacity during it (e.g. 12 → 2 a day)."""
    return [f"{d.name} ({when(d)}) on {d.target}: {effect}"
            for d, effect in zip(s.disruptions, disruption_effects(s))]


def scenario_warnings(s: ScenarioFields) -> list[tuple[str, str]]:
    """(key path, message) for what is valid but probably a slip; see the module's docstring."""
    out: list[tuple[str, str]] = []
    for e in capacity_effects(s):
        d = s.disruptions[e.index]
        if e.during == 0 and e.factor > 0:
            keep = math.ceil(1000 / e.base) / 1000
            out.append((f"disruptions[{e.index}].capacity", (
                f"{e.factor:g} × {d.target} {e.key} {e.base:,} rounds down to 0 {e.unit}, so {d.name!r} closes "
                f"{d.target} completely, as capacity: 0 would; a factor of at least {keep:g} keeps 1")))
        elif e.key == "capacity_wagons" and e.during > 0:
            too_long = [f"{name} ({c.wagons_per_train} wagons)" for name, c in s.cargo.items()
                        if name in s.demand and c.wagons_per_train > e.during]
            if too_long:
                out.append((f"disruptions[{e.index}].capacity", (
                    f"{e.factor:g} × yard capacity_wagons {e.base:,} is {e.during:,} wagons during {d.name!r}: "
                    f"too few for one train of {', '.join(too_long)}, so none of them can enter the yard")))
    for i, d in enumerate(s.disruptions):
        if not d.inert and not changes_something(s, d):
            out.append((f"disruptions[{i}].capacity", (
                f"{d.capacity:g} × every capacity of {d.target} rounds back to what it is without the window "
                f"({'; '.join(f'{b:,} {u}' for _, b, u in limits(s, d.ref))}), so {d.name!r} changes nothing")))
    out += _overlaps_closing(s)
    if s.costs.levers:  # used by `optimize` only, which refuses them: said here so that validate shows them
        out += cost_problems(s.to_dict(), s.costs.levers)
    span = _run_span(s)
    if span is not None:
        start, end = span
        run = f"the run is {_when(start)} to {end.isoformat(sep=' ', timespec='minutes')}"
        for i, d in enumerate(s.disruptions):
            first, last = d.from_ or start, d.to or end
            if last > start and first < end:
                continue
            what = "its season" if d.recurring else "the window"
            at = (f"ends {_when(last)}, before the run starts" if last <= start
                  else f"starts {_when(first)}, when the run is over")
            out.append((f"disruptions[{i}]", f"{what} {at} ({run}), so {d.name!r} changes nothing in this run"))
    return named_problems(out, s)  # a disruption by its name, as the file has it


def warning_lines(s: ScenarioFields, source: str) -> list[str]:
    """scenario_warnings as text, each naming the source and key path."""
    return [f"{source}: {path}: {message}" for path, message in scenario_warnings(s)]


def _overlaps_closing(s: ScenarioFields) -> list[tuple[str, str]]:
    """Two dated windows on one target overlap and their factors multiply: 0.5 × 0.5 of 3 points is
    0 points, a closure neither window asks for on its own."""
    out = []
    dated = [(i, d) for i, d in enumerate(s.disruptions) if not d.recurring and 0 < d.capacity < 1]
    for a, (_, d) in enumerate(dated):
        for j, e in dated[a + 1:]:
            assert d.from_ is not None and d.to is not None and e.from_ is not None and e.to is not None
            if e.ref != d.ref or not (d.from_ < e.to and e.from_ < d.to):
                continue
            for key, base, unit in limits(s, d.ref):
                alone = min(scaled(base, d.capacity), scaled(base, e.capacity))
                if alone > 0 and scaled(base, d.capacity * e.capacity) == 0:
                    start, end = max(d.from_, e.from_), min(d.to, e.to)
                    out.append((f"disruptions[{j}].capacity", (
                        f"{d.name!r} and {e.name!r} overlap on {d.target} from {_when(start)} to {_when(end)}, where "
                        f"their factors multiply: {d.capacity:g} × {e.capacity:g} × {key} {base:,} rounds down to 0 "
                        f"{unit}, a full closure neither window gives on its own")))
    return out
