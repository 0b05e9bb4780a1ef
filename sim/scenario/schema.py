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

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from pydantic import ValidationError, ValidationInfo, model_validator
from typing_extensions import Self

from sim.scenario.base import MAX_COUNT, NAME, DateTime, Name, yes_no, yes_no_paths
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
from sim.scenario.errors import ScenarioDataError, ScenarioError, ScenarioRuleError, describe_validation_error
from sim.scenario.fields import ScenarioFields
from sim.scenario.file_kinds import SCENARIO, wrong_kind
from sim.scenario.keypaths import KeyPathError, changed_paths, is_changed, named_problems, overlaps, set_path
from sim.scenario.quoting import kind_in_words
from sim.scenario.rules import cross_problems
from sim.scenario.spelling import GivenValues, Spelled, given_texts, spelled_given
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


@contextmanager
def _said_as_scenario_error(source: str, spelled: Spelled | None = None, data: Any = None) -> Iterator[None]:
    """Pydantic's ValidationError (a traceback of its own wording) as the ScenarioError a file gets; with the
    `data` validated, a named list item is said by its name (keypaths.by_name: `checks.phytosanitary.hours`)."""
    try:
        yield
    except ValidationError as exc:
        problems = describe_validation_error(exc, spelled)
        if data is not None:
            problems = named_problems(problems, data)
        raise ScenarioDataError(source, problems) from None


def _unless_changed(spelled: Spelled, changed: list[tuple[str | int, ...]]) -> Spelled:
    """`spelled`, except for values `changed` (by --set or with_changes): `--set name=31` over a file's `name: 0x1F`
    was told to write name: "0x1F", what the file wrote instead of what was given."""
    def written(path: str, value: Any) -> str | None:
        return None if is_changed(path, changed) else spelled(path, value)

    return written


# (no docstring: a model's docstring becomes its description in the JSON schema `describe` prints)
class Scenario(ScenarioFields):
    @model_validator(mode="before")
    @classmethod
    def _no_yes_no_values(cls, data: Any, info: ValidationInfo) -> Any:
        # pydantic takes True for 1 and False for 0, so `points: yes` would be one point; the hint quotes the
        # value as the file wrote it (`on`), when from_data was told how (its `spelled`, in the context)
        spelled = (info.context or {}).get("spelled")
        problems = [(path, yes_no(path, value, spelled(path, value) if spelled is not None else None))
                    for path, value in yes_no_paths(data, "")]
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
        with _said_as_scenario_error("sim.Scenario(…)", data=data):
            super().__init__(**data)

    # Marked as pydantic marks BaseModel.__init__, so that validation does not call it (a custom __init__ is
    # called with the data as keywords, and a mapping with a key that is not text, `1: x`, was a TypeError)
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        with _said_as_scenario_error("sim.Scenario.model_validate", data=obj):
            return super().model_validate(obj, *args, **kwargs)

    @classmethod
    def model_validate_json(cls, json_data: Any, *args: Any, **kwargs: Any) -> Self:
        with _said_as_scenario_error("sim.Scenario.model_validate_json"):
            return super().model_validate_json(json_data, *args, **kwargs)

    @classmethod
    def model_validate_strings(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        with _said_as_scenario_error("sim.Scenario.model_validate_strings"):
            return super().model_validate_strings(obj, *args, **kwargs)

    def with_changes(self, changes: Mapping[str, Any]) -> Scenario:
        """A new scenario with dotted key paths replaced, e.g. {"unloading.grain.points": 10}.

        A path that names nothing, or a value the schema refuses, raises the same ScenarioError
        (key path and what was expected) as a bad file does.
        """
        source = f"{self.name} with changes"
        if not isinstance(changes, Mapping):
            raise ScenarioError(source, [("", ("with_changes expects a mapping of key paths to values, "
                                              f"e.g. {{'unloading.grain.points': 8}}; got {kind_in_words(changes)}"))])
        return Scenario.from_data(self.to_dict(), source, changes if isinstance(changes, GivenValues) else dict(changes))

    @classmethod
    def from_data(cls, data: Any, source: str, overrides: Mapping[str, Any] | None = None,
                  spelled: Spelled | None = None) -> Scenario:
        """Validate raw data (a parsed file) after applying dotted-path `overrides`.

        Every failure becomes one ScenarioError naming `source` and each key path; `spelled` (how the file
        wrote a value, sim.scenario.spelling.spelled_in) lets a hint quote a value as the file wrote it, and
        `overrides` given as text (spelling.GivenValues) as they were typed.
        """
        other = wrong_kind(data, SCENARIO)  # a targets or experiment file given as a scenario
        if other is not None:
            raise ScenarioError(source, [("", other)])
        if overrides:
            paths = [k for k in overrides if isinstance(k, str)]
            if spelled is not None and isinstance(data, dict):  # a changed value is not as the file wrote it
                spelled = _unless_changed(spelled, changed_paths(data, paths))
            texts = given_texts(overrides)  # but as typed, when given as text (`--set name=0x1F`)
            if texts and isinstance(data, dict):
                spelled = spelled_given([(key, p, texts[p]) for p in paths if p in texts
                                         for key in changed_paths(data, [p])], spelled)
            problems = []
            if isinstance(data, dict):  # one value changed twice: only one change would count
                for _, later, why in overlaps(data, paths):
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
            with _said_as_scenario_error(source, spelled, data):
                return super().model_validate(data, context={"spelled": spelled})
        except ScenarioError as exc:  # named after the call: said again naming `source`
            raise ScenarioError(source, exc.problems) from None
