"""The scenario: the validated, immutable description of one corridor experiment.

These pydantic models are the single source of truth for the YAML format (DESIGN.md). Every
duration is converted to hours and every date to hours since `start` here, so the model never
parses anything. Cross-field rules (a check filtered to an unknown cargo, a quota cut to nothing)
are checked here too, each reported with the key path the user must fix.

The models are split by concept: sim.scenario.stages (one crossing's line, yard, checks,
unloading, empties, initial state), sim.scenario.corridor (demand, loading, routing, disruptions,
policies, costs); this module assembles them into the Scenario and re-exports them.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any

from pydantic import (
    Field,
    ValidationError,
    model_serializer,
    model_validator,
)
from typing_extensions import Self

from sim.scenario.base import MAX_COUNT, NAME, Date, DateTime, Name, StrictModel, yes_no, yes_no_paths
from sim.scenario.corridor import (
    Cargo,
    Costs,
    DatedShares,
    Demand,
    Disruption,
    Divert,
    LeverCost,
    Loading,
    Policies,
    Routing,
    StopLoading,
)
from sim.scenario.distributions import Hours, PositiveHours
from sim.scenario.errors import ScenarioDataError, ScenarioError, ScenarioRuleError, describe_validation_error
from sim.scenario.keypaths import KeyPathError, overlaps, set_path
from sim.scenario.rules import cross_problems
from sim.scenario.stages import (
    Breakdowns,
    Check,
    CrossingSpec,
    Empties,
    InitialState,
    Line,
    Reject,
    Unloading,
    UnloadingGroup,
    Yard,
)
from sim.scenario.target_ref import TargetRef

__all__ = [
    "MAX_COUNT", "NAME", "Breakdowns", "Cargo", "Check", "Costs", "CrossingSpec", "DateTime", "DatedShares", "Demand",
    "Disruption",
    "Divert", "Empties", "InitialState", "LeverCost", "Line", "Loading", "Name", "Policies", "Reject", "Routing", "Scenario",
    "StopLoading", "Unloading", "UnloadingGroup", "Yard",
]

#: the name of the one crossing of a file without `crossings:`
DEFAULT_CROSSING = "dostyk"


@contextmanager
def _said_as_scenario_error(source: str) -> Iterator[None]:
    """Pydantic's ValidationError (a traceback of its own wording) as the ScenarioError a file gets."""
    try:
        yield
    except ValidationError as exc:
        raise ScenarioDataError(source, describe_validation_error(exc)) from None


class Scenario(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    start: Date = Field(dt.date(2023, 1, 1), description="calendar date of simulated time 0 (ISO date)")
    duration: PositiveHours = Field(description="length of the run")
    warmup: Hours = Field(0.0, description="initial period left out of every statistic")
    seed: int = Field(0, ge=0, le=2**63 - 1)
    replications: int = Field(10, ge=1, le=100_000)
    cargo: dict[Name, Cargo] = Field(min_length=1)
    demand: dict[str, Demand] = Field(min_length=1)
    fleet: dict[str, Annotated[int, Field(ge=1, le=10 * MAX_COUNT)]] | None = Field(
        None, description="wagons per cargo in circulation (empties must return before reloading); absent = unlimited")
    line: Line = Line()
    yard: Yard = Yard()
    checks: list[Check] = Field(default_factory=list)
    unloading: Unloading | None = Field(None, description="required unless `crossings` is given")
    empties: Empties = Empties()
    initial_state: dict[str, InitialState] | None = Field(
        None, description="per cargo: wagons under way at the start (a single-crossing file)")
    crossings: dict[Name, CrossingSpec] | None = Field(
        None, min_length=1, description="several border crossings, each with its own line, yard, checks, unloading "
                                        "(and optionally empties and initial_state); replaces those top-level keys")
    routing: dict[str, Routing] | None = Field(
        None, description="per cargo: how its trains are shared between crossings (required with 2+ crossings)")
    loading: dict[str, Loading] | None = Field(
        None, description="per cargo: the origin's loading rate, which no train formation may exceed")
    disruptions: list[Disruption] = Field(default_factory=list)
    policies: Policies = Policies()
    costs: Costs = Costs()

    @model_validator(mode="before")
    @classmethod
    def _no_yes_no_values(cls, data: Any) -> Any:
        # pydantic takes True for 1 and False for 0, so `points: yes` would be one point
        problems = [(path, yes_no(path, value)) for path, value in yes_no_paths(data, "")]
        if problems:
            raise ScenarioRuleError(problems)
        return data

    @model_validator(mode="after")
    def _cross_rules(self) -> Scenario:
        problems = list(cross_problems(self))
        if problems:
            raise ScenarioRuleError(problems)
        return self

    # -- every way of making one from data says what is wrong as a file's problems are said --------
    # Pydantic has no setting for the exception its validation raises; wrapping its entry points is
    # what its documentation allows (`__init__` may be overridden). model_copy validates nothing:
    # sim.experiments.arguments.valid checks such copies when they are run.

    def __init__(self, /, **data: Any) -> None:
        with _said_as_scenario_error("sim.Scenario(…)"):
            super().__init__(**data)

    # Marked as pydantic marks BaseModel.__init__, so that validation does not call it (a custom __init__ is
    # called with the data as keywords, and a mapping with a key that is not text, `1: x`, was a TypeError)
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        with _said_as_scenario_error("sim.Scenario.model_validate"):
            return super().model_validate(obj, *args, **kwargs)

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        with _said_as_scenario_error("sim.Scenario.model_validate_json"):
            return super().model_validate_json(json_data, *args, **kwargs)

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        with _said_as_scenario_error("sim.Scenario.model_validate_strings"):
            return super().model_validate_strings(obj, *args, **kwargs)

    # -- conveniences used by the model and the API ---------------------------------------------

    @property
    def cargo_names(self) -> list[str]:
        return list(self.cargo)

    def hours_since_start(self, when: dt.datetime) -> float:
        start = dt.datetime(self.start.year, self.start.month, self.start.day)
        return (when - start).total_seconds() / 3600.0

    @functools.cached_property
    def _crossing_specs(self) -> list[tuple[str, CrossingSpec]]:
        if self.crossings is not None:
            return [(name, spec if spec.empties is not None else spec.model_copy(update={"empties": self.empties}))
                    for name, spec in self.crossings.items()]
        view = CrossingSpec.model_construct(line=self.line, yard=self.yard, checks=self.checks,
                                            unloading=self.unloading or Unloading(), empties=self.empties,
                                            initial_state=self.initial_state)
        return [(DEFAULT_CROSSING, view)]

    def crossing_specs(self) -> list[tuple[str, CrossingSpec]]:
        """(name, stages) of every crossing, in order; one crossing named 'dostyk' without `crossings:`.

        Each crossing's `empties` is filled in from the top level when it has none of its own.
        """
        return self._crossing_specs

    @property
    def crossing_names(self) -> list[str]:
        return [name for name, _ in self.crossing_specs()]

    def prefix(self, crossing: str) -> str:
        """Key-path prefix of a crossing's targets, gates and random streams: '' with one crossing
        (so a single-crossing file keeps its names and its random numbers), else 'crossings.<name>.'."""
        return f"crossings.{crossing}." if len(self.crossing_specs()) > 1 else ""

    def targets(self) -> dict[str, str]:
        """Every disruption target's text and what its capacity factor scales ('' when nothing finite)."""
        return {ref.text: scales for ref, scales in self.target_refs().items()}

    def target_refs(self) -> dict[TargetRef, str]:
        """Every disruption target and what its capacity factor scales ('' when nothing finite)."""
        out: dict[TargetRef, str] = {}
        for name, spec in self.crossing_specs():
            x = name if self.prefix(name) else None
            out[TargetRef("line", None, x)] = "max_trains_per_day" if spec.line.max_trains_per_day else ""
            out[TargetRef("yard", None, x)] = "capacity_wagons" if spec.yard.capacity_wagons else ""
            for check in spec.checks:
                finite = [k for k in ("trains_at_once", "trains_per_day") if getattr(check, k) is not None]
                out[TargetRef("checks", check.name, x)] = " and ".join(finite)
            for cargo in spec.unloading.groups:
                out[TargetRef("unloading", cargo, x)] = "points"
            if x is not None:
                for cargo in self.demand:
                    out[TargetRef("demand", cargo, x)] = "trains loaded"
        for cargo in self.demand:
            out[TargetRef("demand", cargo)] = "trains loaded"
        return out

    def crossing_spec(self, ref: TargetRef) -> CrossingSpec | None:
        """The stages of the crossing a stage target acts at (None for a corridor-wide ban)."""
        specs = self.crossing_specs()
        if ref.crossing is None:
            return specs[0][1] if len(specs) == 1 else None
        return next((spec for name, spec in specs if name == ref.crossing), None)

    @model_serializer(mode="wrap")
    def _corridor_shape(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        if self.crossings is not None:  # the top-level stage keys are unused (and refused) then
            for key in ("line", "yard", "checks"):
                data.pop(key, None)
        return data

    def to_dict(self) -> dict[str, Any]:
        """The scenario in the YAML's own shape (durations in hours), for files and `with_changes`."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def with_changes(self, changes: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted key paths replaced, e.g. {"unloading.grain.points": 10}.

        A path that names nothing, or a value the schema refuses, raises the same ScenarioError
        (key path and what was expected) as a bad file does.
        """
        source = f"{self.name} with changes"
        if not isinstance(changes, Mapping):
            raise ScenarioError(source, [("", ("with_changes expects a mapping of key paths to values, "
                                              f"e.g. {{'unloading.grain.points': 8}}; got {type(changes).__name__}"))])
        return Scenario.from_data(self.to_dict(), source, dict(changes))

    @classmethod
    def from_data(cls, data: Any, source: str, overrides: Mapping[str, Any] | None = None) -> Scenario:
        """Validate raw data (a parsed file) after applying dotted-path `overrides`.

        Every failure becomes one ScenarioError naming `source` and each key path.
        """
        if overrides:
            problems = []
            if isinstance(data, dict):  # one value changed twice: only one change would count
                for _, later, why in overlaps(data, [k for k in overrides if isinstance(k, str)]):
                    problems.append((later, f"{why}; change it once (only one of the two changes would count)"))
            for key, value in overrides.items():
                if not isinstance(key, str):
                    problems.append((str(key), "a key path must be text, e.g. 'unloading.grain.points'"))
                    continue
                try:
                    set_path(data, key, value)
                except KeyPathError as exc:
                    problems.append((key, f"no such key to set ({exc.reason})"))
            if problems:
                raise ScenarioError(source, problems)
        try:
            return cls.model_validate(data)
        except ScenarioError as exc:  # named after the call: said again naming `source`
            raise ScenarioError(source, exc.problems) from None
