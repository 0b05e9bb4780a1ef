"""The scenario's keys and the conveniences that read them, before the rules across keys.

The rules across keys (sim.scenario.rules, limits, effects) read a scenario while it is being
validated: they take these fields, and sim.scenario.schema's Scenario adds the rules on top, so the
rules import the shape they read from below instead of from the module that calls them.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any

from pydantic import Field, model_serializer

from sim.scenario.base import MAX_COUNT, Date, Label, Name, StrictModel
from sim.scenario.corridor import Cargo, Costs, Demand, Disruption, Loading, Policies, Routing
from sim.scenario.distributions import Hours, PositiveHours
from sim.scenario.stages import Check, CrossingSpec, Empties, InitialState, Line, Unloading, Yard
from sim.scenario.target_ref import TargetRef

#: the name of the one crossing of a file without `crossings:`
DEFAULT_CROSSING = "dostyk"


class ScenarioFields(StrictModel):
    """A scenario's keys, and what the model and the API read of them; sim.scenario.schema.Scenario
    is these once its rules across keys hold (sim.scenario.rules, which reads these)."""

    name: Label
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

    # -- conveniences used by the rules, the model and the API --------------------------------

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
