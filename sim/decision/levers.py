"""Levers and free parameters: a numeric key path of the scenario with bounds, checked up front.

The same type serves calibration (free parameters fitted to observed figures), optimisation
(levers an analyst can pull, optionally with a cost per unit in `costs.levers`) and sensitivity.
Every problem is found before anything runs and reported as a ScenarioError naming the file or
option, the key and what was expected, like a bad scenario file.
"""

from __future__ import annotations

import contextlib
import copy
import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.decision.errors import InputError
from sim.scenario.durations import parse_duration
from sim.scenario.errors import ScenarioError, describe_validation_error
from sim.scenario.keypaths import KeyPathError
from sim.scenario.levers import SEARCH, LeverUse, canonical, cost_problems, not_a_lever, value_at
from sim.scenario.loader import parse_yaml, validate_scenario
from sim.scenario.quoting import kind_in_words
from sim.scenario.schema import LeverCost, Scenario


class Lever(BaseModel):
    """A numeric scenario value free to move within [low, high]."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    path: str = Field(min_length=1, max_length=200, description="key path as in --set, e.g. unloading.grain.points")
    low: float
    high: float
    integer: bool | None = Field(None, description="whole numbers only (default: as the scenario's value)")
    log: bool = Field(False, description="search on a log scale (low must be above 0)")

    @model_validator(mode="after")
    def _bounds(self) -> Lever:
        if not self.low < self.high:
            raise ValueError(f"bounds are reversed or empty: low ({self.low:g}) must be below high ({self.high:g})")
        if self.log and self.low <= 0:
            raise ValueError(f"a log-scale lever needs low above 0, got {self.low:g}")
        if self.integer and not (float(self.low).is_integer() and float(self.high).is_integer()):
            raise ValueError(f"an integer lever needs whole-number bounds, got {self.low:g} and {self.high:g}")
        return self

    def cast(self, value: float) -> int | float:
        """The value as the scenario takes it: rounded for integer levers, clipped to the bounds."""
        value = min(max(float(value), self.low), self.high)
        return round(value) if self.integer else float(value)

    def distribution(self) -> Any:
        """The optuna distribution of this lever."""
        from optuna.distributions import FloatDistribution, IntDistribution

        if self.integer:
            return IntDistribution(int(self.low), int(self.high), log=self.log)
        return FloatDistribution(self.low, self.high, log=self.log)


def resolve(scenario: Scenario, levers: Sequence[Lever], source: str, where: str = "parameters",
            what: str = "invalid input", use: LeverUse = SEARCH) -> list[Lever]:
    """Check every lever against the scenario; fill in `integer`. Raises one ScenarioError listing all problems.

    A lever must be one (sim.scenario.levers: not the seed, replications, a name…), name an
    existing number (not a flag, text or mapping), appear once whatever its spelling (by index or
    by name), and both its bounds must make a valid scenario (e.g. `points: 0` is refused here,
    not in the middle of a search).
    """
    data = scenario.to_dict()
    problems: list[tuple[str, str]] = []
    out: list[Lever] = []
    seen: dict[str, int] = {}
    for i, lever in enumerate(levers):
        key = f"{where}[{i}]"
        why = not_a_lever(data, lever.path, use)
        if why is not None:
            problems.append((f"{key}.path", f"{lever.path}: {why}"))
            continue
        try:
            current = value_at(data, lever.path)
        except KeyPathError as exc:
            problems.append((f"{key}.path", f"{lever.path}: no such key in scenario {scenario.name!r} ({exc.reason})"))
            continue
        same = seen.setdefault(canonical(data, lever.path), i)
        if same != i:
            other = levers[same].path
            said = "is given twice" if other == lever.path else f"names the same lever as {where}[{same}] ({other})"
            problems.append((f"{key}.path", f"{lever.path} {said}; give each {where.rstrip('s')} once"))
            continue
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            shown = kind_in_words(current) if isinstance(current, (dict, list)) else repr(current)
            problems.append((f"{key}.path", (f"{lever.path} is not a number in the scenario (it is {shown}); "
                                            "a lever must name a numeric value, e.g. unloading.grain.points")))
            continue
        integer = lever.integer if lever.integer is not None else isinstance(current, int)
        try:
            lever = Lever(**{**lever.model_dump(), "integer": integer})
        except ValidationError as exc:
            problems += [(key, msg) for _, msg in describe_validation_error(exc)]
            continue
        for bound in ("low", "high"):
            try:
                validate_scenario(copy.deepcopy(data), source, {lever.path: lever.cast(getattr(lever, bound))})
            except ScenarioError as exc:
                why = "; ".join(f"{p}: {m}" for p, m in exc.problems)
                problems.append((f"{key}.{bound}", (f"{lever.path}={lever.cast(getattr(lever, bound))} makes an "
                                                   f"invalid scenario ({why})")))
        out.append(lever)
    if problems:
        raise InputError(source, problems, what)
    return out


def current_values(scenario: Scenario, levers: Sequence[Lever]) -> dict[str, float]:
    """Each lever's value in the scenario as given."""
    data = scenario.to_dict()
    return {lv.path: float(value_at(data, lv.path)) for lv in levers}


def parse_lever_option(text: str, option: str = "--lever") -> Lever:
    """`key.path=LOW:HIGH` (add `:int` or `:log`) from the command line."""
    if "=" not in text:
        raise InputError(option, [("", f"expected key.path=LOW:HIGH, got {text!r}")])
    path, raw = (part.strip() for part in text.split("=", 1))
    parts = [p.strip() for p in raw.split(":")]
    flags = set(parts[2:])
    if len(parts) < 2 or not path or flags - {"int", "log"}:
        raise InputError(option, [(path, f"expected key.path=LOW:HIGH (optionally :int or :log), got {text!r}")])
    bounds = [parse_yaml(p, f"{option} {path}", at=path) for p in parts[:2]]
    if not all(isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds):
        hint = ""
        with contextlib.suppress(ValueError):  # "2h:6h": durations are hours here, as in the resolved scenario
            hint = (f" (a duration's bounds are in hours: {path}={parse_duration(bounds[0]):g}:"
                    f"{parse_duration(bounds[1]):g} for {parts[0]} to {parts[1]})")
        raise InputError(option, [(path, f"bounds must be numbers, got {parts[0]!r} and {parts[1]!r}{hint}")])
    try:
        return Lever(path=path, low=bounds[0], high=bounds[1], integer=True if "int" in flags else None,
                     log="log" in flags)
    except ValidationError as exc:
        raise InputError(option, [(path, msg) for _, msg in describe_validation_error(exc)]) from None


def as_lever(value: Lever | str | dict[str, Any]) -> Lever:
    """A Lever from a Lever, CLI text ("unloading.grain.points=4:10") or a mapping (path, low, high…)."""
    if isinstance(value, Lever):
        return value
    if isinstance(value, str):
        return parse_lever_option(value)
    try:
        return Lever(**value)
    except ValidationError as exc:
        raise InputError("levers", describe_validation_error(exc), "invalid lever") from None


def lever_costs(scenario: Scenario) -> dict[str, LeverCost]:
    """`costs.levers` by each lever's one spelling (sim.scenario.levers.canonical); keys that name
    nothing are left out (check_costs refuses them)."""
    data = scenario.to_dict()
    out: dict[str, LeverCost] = {}
    for path, cost in scenario.costs.levers.items():
        with contextlib.suppress(KeyPathError):
            out.setdefault(canonical(data, path), cost)
    return out


def lever_cost_usd(scenario: Scenario, changes: dict[str, Any], base: dict[str, float]) -> float:
    """Σ usd_per_unit × (value − scenario value) over levers with a cost in `costs.levers` (negative: a saving).

    A lever and its cost may be spelt differently (`checks[0].trains_per_day`, `checks.handover.trains_per_day`).
    """
    data = scenario.to_dict()
    costs = lever_costs(scenario)
    total = 0.0
    for path, value in changes.items():
        cost = costs.get(canonical(data, path))
        if cost is not None:
            total += cost.usd_per_unit * (float(value) - base[path])
    return total


def check_costs(scenario: Scenario, source: str) -> None:
    """Every `costs.levers` key names a numeric lever of the scenario, once whatever its spelling
    (sim.scenario.levers.cost_problems; `validate` and `run` warn of the same)."""
    problems = cost_problems(scenario.to_dict(), scenario.costs.levers)
    if problems:
        raise InputError(source, problems, "invalid scenario")


def uncosted(scenario: Scenario, levers: Sequence[Lever]) -> list[Lever]:
    """The levers without a cost in `costs.levers` (whatever the spelling of either)."""
    data = scenario.to_dict()
    costs = lever_costs(scenario)
    return [lv for lv in levers if canonical(data, lv.path) not in costs]
