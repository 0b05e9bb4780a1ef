"""The scenario: the validated, immutable description of one corridor experiment.

These pydantic models are the single source of truth for the YAML format (DESIGN.md). Every
duration is converted to hours and every date to hours since `start` here, so the model never
parses anything. Cross-field rules (a check filtered to an unknown cargo, a quota cut to nothing)
are checked here too, each reported with the key path the user must fix.

The models are split by concept: sim.scenario.stages (one crossing's line, yard, checks,
unloading, empties, initial state), sim.scenario.corridor (demand, loading, routing, disruptions,
policies, costs); sim.scenario.fields assembles them into the scenario's keys, which the rules
read; this module makes them the Scenario, with its rules, and re-exports them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError, model_validator

from sim.scenario.base import MAX_COUNT, NAME, YES_NO, DateTime, Name, yes_no_paths
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
from sim.scenario.errors import ScenarioError, ScenarioRuleError, describe_validation_error
from sim.scenario.fields import ScenarioFields
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

__all__ = [
    "MAX_COUNT", "NAME", "Breakdowns", "Cargo", "Check", "Costs", "CrossingSpec", "DateTime", "DatedShares", "Demand",
    "Disruption",
    "Divert", "Empties", "InitialState", "LeverCost", "Line", "Loading", "Name", "Policies", "Reject", "Routing", "Scenario",
    "StopLoading", "Unloading", "UnloadingGroup", "Yard",
]


# (no docstring: a model's docstring becomes its description in the JSON schema `describe` prints)
class Scenario(ScenarioFields):
    @model_validator(mode="before")
    @classmethod
    def _no_yes_no_values(cls, data: Any) -> Any:
        # pydantic takes True for 1 and False for 0, so `points: yes` would be one point
        problems = [(path, YES_NO) for path in yes_no_paths(data, "")]
        if problems:
            raise ScenarioRuleError(problems)
        return data

    @model_validator(mode="after")
    def _cross_rules(self) -> Scenario:
        problems = list(cross_problems(self))
        if problems:
            raise ScenarioRuleError(problems)
        return self

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
        except ValidationError as exc:
            raise ScenarioError(source, describe_validation_error(exc)) from None
