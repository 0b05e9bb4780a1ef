"""The scenario: the validated, immutable description of one crossing experiment.

These pydantic models are the single source of truth for the YAML format (DESIGN.md). Every
duration is converted to hours and every date to hours since `start` here, so the model never
parses anything. Cross-field rules (a check filtered to an unknown cargo, a quota cut to nothing)
are checked here too, each reported with the key path the user must fix.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)
from pydantic_core import CoreSchema

from sim.scenario.base import MAX_COUNT, NAME, YES_NO, DateTime, Name, StrictModel, yes_no_paths
from sim.scenario.distributions import Distribution, Fixed, Hours, PositiveHours
from sim.scenario.errors import ScenarioError, ScenarioRuleError, describe_validation_error
from sim.scenario.keypaths import KeyPathError, overlaps, set_path
from sim.scenario.rules import cross_problems


class Cargo(StrictModel):
    payload_t: float = Field(gt=0, le=1000, description="tonnes carried by one loaded wagon (t)")
    wagons_per_train: int = Field(ge=1, le=500, description="wagons in one train")
    priority: int = Field(1, ge=0, le=100, description="smaller is served first at shared stages")


class Demand(StrictModel):
    tonnes_per_year: float | None = Field(None, ge=0, le=1e9, description="tonnes a year (t/year); this or trains_per_day")
    monthly_profile: list[Annotated[float, Field(ge=0, le=1e6)]] | None = Field(
        None, description="12 relative weights, January to December, spreading tonnes_per_year (normalised)")
    trains_per_day: float | None = Field(None, gt=0, le=10_000, description="trains a day (trains/day); this or tonnes_per_year")
    arrivals: Literal["poisson", "regular"] = Field("poisson", description="random (poisson) or evenly spaced (regular)")

    @model_validator(mode="after")
    def _one_volume(self) -> Demand:
        if (self.tonnes_per_year is None) == (self.trains_per_day is None):
            raise ValueError("expected exactly one of tonnes_per_year or trains_per_day")
        if self.monthly_profile is not None:
            if self.trains_per_day is not None:
                raise ValueError("monthly_profile goes with tonnes_per_year, not trains_per_day")
            if len(self.monthly_profile) != 12:
                raise ValueError(f"monthly_profile: expected 12 monthly weights, got {len(self.monthly_profile)}")
            if sum(self.monthly_profile) <= 0:
                raise ValueError("monthly_profile: expected at least one weight above 0")
        return self

    @property
    def profile(self) -> list[float]:
        """Monthly weights normalised to mean 1 (flat when none is given)."""
        weights = self.monthly_profile or [1.0] * 12
        total = sum(weights)
        return [12 * w / total for w in weights]


class Line(StrictModel):
    transit_time: Distribution = Field(Fixed(value=0.0), description="time on the approach line to the border")
    max_trains_per_day: int | None = Field(None, ge=1, le=MAX_COUNT,
                                           description="trains entering the line per calendar day; absent = no limit")


class Yard(StrictModel):
    capacity_wagons: int | None = Field(None, ge=1, le=MAX_COUNT,
                                       description="wagons the border yard holds; absent = no limit")


_HOURS_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _working_hours(value: Any) -> Any:
    if value is None or isinstance(value, tuple):
        return value
    if not isinstance(value, str):
        raise ValueError(f'expected working hours as "HH:MM-HH:MM", e.g. "08:00-20:00", got {value!r}')
    match = _HOURS_RANGE.match(value)
    if not match:
        raise ValueError(f'expected working hours as "HH:MM-HH:MM", e.g. "08:00-20:00", got {value!r}')
    h1, m1, h2, m2 = (int(x) for x in match.groups())
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or (h1 == 24 and m1) or (h2 == 24 and m2):
        raise ValueError(f"expected times between 00:00 and 24:00, got {value!r}")
    opens, closes = h1 + m1 / 60, h2 + m2 / 60
    if opens == closes:
        raise ValueError(f"working hours {value!r} open and close at the same time; omit `hours` for 24 h work")
    return (opens, closes)


WorkingHours = Annotated[tuple[float, float], BeforeValidator(_working_hours), WithJsonSchema({
    "type": "string", "pattern": r"^\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*$",
    "description": ('daily working hours "HH:MM-HH:MM" (e.g. "08:00-20:00"; "22:00-06:00" spans midnight); '
                    "absent = around the clock")})]


class Check(StrictModel):
    name: Name
    time: Distribution = Field(description="time to handle one train (work pauses outside `hours`)")
    cargo: list[str] | None = Field(None, min_length=1, description="only these cargo pass this check; absent = all")
    hours: WorkingHours | None = None
    trains_at_once: int | None = Field(None, ge=1, le=MAX_COUNT, description="trains handled at once")
    trains_per_day: int | None = Field(None, ge=1, le=MAX_COUNT, description="daily quota of trains accepted")

    @model_serializer(mode="wrap")
    def _hours_as_text(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        if self.hours is not None:
            data["hours"] = "{:02d}:{:02d}-{:02d}:{:02d}".format(
                *divmod(round(self.hours[0] * 60), 60), *divmod(round(self.hours[1] * 60), 60)
            )
        return data


class Breakdowns(StrictModel):
    mtbf: PositiveHours = Field(description="mean time between failures of one point (calendar time)")
    mttr: Distribution = Field(description="time to repair a broken point")


class UnloadingGroup(StrictModel):
    points: int = Field(ge=1, le=10_000, description="parallel unloading positions, one wagon at a time each")
    wagon_time: Distribution = Field(description="time to unload one wagon at one point")
    breakdowns: Breakdowns | None = None


class Unloading(StrictModel):
    """Per-cargo unloading groups, plus `breakdowns` shared by every group without its own."""

    breakdowns: Breakdowns | None = None
    groups: dict[str, UnloadingGroup] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _cargo_keys_are_groups(cls, data: Any) -> Any:
        if isinstance(data, dict) and "groups" not in data:
            data = dict(data)
            shared = data.pop("breakdowns", None)
            return {"breakdowns": shared, "groups": data}
        return data

    @model_serializer(mode="wrap")
    def _flat(self, handler: Any) -> dict[str, Any]:
        data = handler(self)
        flat = dict(data["groups"])
        if data.get("breakdowns") is not None:
            flat["breakdowns"] = data["breakdowns"]
        return flat

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        """The file's shape, not the model's: cargo names as keys, plus an optional `breakdowns`."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        groups = target["properties"].pop("groups")
        target["additionalProperties"] = groups["additionalProperties"]
        target["propertyNames"] = {"pattern": NAME}
        target["properties"]["breakdowns"]["description"] = "breakdowns of every group without its own"
        target["description"] = ("one unloading group per cargo, keyed by the cargo's name, plus an optional "
                                 "`breakdowns` shared by every group without its own")
        return schema

    def breakdowns_of(self, cargo: str) -> Breakdowns | None:
        group = self.groups[cargo]
        return group.breakdowns if group.breakdowns is not None else self.breakdowns


class Empties(StrictModel):
    return_time: Distribution = Field(Fixed(value=0.0), description="time for empties to get back to origin")


class Disruption(StrictModel):
    """A dated window (`from`, `to`) or a recurring random one (`every`, `lasts`) on one target."""

    name: Name
    target: str = Field(description="line, yard, checks.<name> or unloading.<cargo>")
    capacity: float = Field(1.0, ge=0, le=100, description="factor on the target's capacity; 0 closes it")
    time_factor: float = Field(1.0, gt=0, le=1000, description="factor on the target's processing times")
    from_: DateTime | None = Field(None, alias="from", description="start of the window (included)")
    to: DateTime | None = Field(None, description=(
        "end of the window, EXCLUDED: the window stops at this instant, so `to: 2024-01-21` ends at midnight "
        "starting 21 January (20 January is the last whole day). For a recurring disruption: the end of its season"))
    every: Distribution | None = Field(None, description="time from the end of one random window to the next start")
    lasts: Distribution | None = Field(None, description="length of each random window")

    @model_validator(mode="after")
    def _window(self) -> Disruption:
        dated = self.from_ is not None or self.to is not None
        recurring = self.every is not None or self.lasts is not None
        if dated and recurring and (self.every is None or self.lasts is None):
            raise ValueError("expected either `from` and `to` (a dated window) or `every` and `lasts`")
        if not recurring:
            if self.from_ is None or self.to is None:
                raise ValueError("expected both `from` and `to` (a dated window), or `every` and `lasts` (recurring)")
            if self.to <= self.from_:
                hint = ""
                if self.to == self.from_ and self.to.time() == dt.time(0):
                    after = (self.to + dt.timedelta(days=1)).date()
                    hint = f"; `to` is excluded, so for the whole day {self.to.date()} write to: {after}"
                raise ValueError(f"`to` ({self.to.date()}) must be after `from` ({self.from_.date()}){hint}")
        elif self.every is None or self.lasts is None:
            raise ValueError("a recurring disruption needs both `every` and `lasts`")
        elif self.from_ is not None and self.to is not None and self.to <= self.from_:
            raise ValueError(f"`to` ({self.to.date()}) must be after `from` ({self.from_.date()}): "
                             "they bound the season in which the disruption recurs")
        elif self.every.mean <= 0:
            raise ValueError("`every` must have a mean above 0")
        if not {"capacity", "time_factor"} & self.model_fields_set:
            raise ValueError("a disruption must change something: set `capacity` (0 closes) or `time_factor`")
        return self

    @property
    def inert(self) -> bool:
        """Capacity 1 and time factor 1, given explicitly (e.g. a sweep's lever value): no disruption."""
        return self.capacity == 1.0 and self.time_factor == 1.0

    @property
    def recurring(self) -> bool:
        return self.every is not None


class StopLoading(StrictModel):
    cargo: list[str] = Field(min_length=1, description="cargo halted, and whose border backlog is watched")
    above_wagons: int = Field(ge=1, le=MAX_COUNT, description="halt loading when their border backlog exceeds this (wagons)")
    resume_below: int = Field(ge=0, le=MAX_COUNT, description="resume once it is below this (wagons)")
    on_halt: Literal["defer", "lose"] = Field("defer", description="tonnes requested while halted: queued or dropped")
    check_every: PositiveHours = Field(1.0, description="how often the dispatcher reviews the border backlog")

    @field_validator("resume_below")
    @classmethod
    def _can_resume(cls, value: int) -> int:
        # loading resumes once the backlog is *below* resume_below; it is never below 0
        if value < 1:
            raise ValueError(
                f"expected at least 1: loading resumes once the border backlog is below resume_below, and the "
                f"backlog is never below 0, so {value} would halt loading for good (1 resumes once the border is empty)"
            )
        return value

    @model_validator(mode="after")
    def _hysteresis(self) -> StopLoading:
        if self.resume_below >= self.above_wagons:
            raise ValueError(
                f"resume_below ({self.resume_below}) must be below above_wagons ({self.above_wagons})"
            )
        return self


class Policies(StrictModel):
    stop_loading: StopLoading | None = None


class LeverCost(StrictModel):
    """What one unit of change of a lever costs over the scenario's horizon (for `dostyk optimize`)."""

    usd_per_unit: float = Field(ge=0, le=1e12, description="USD per unit of change over the run's duration")
    per: str = Field("unit", min_length=1, max_length=40, description="what a unit is (point, train a day, h)")


class Costs(StrictModel):
    # None (absent) is "not set", which tables show as such; an explicit 0 means free wagons.
    wagon_day_usd: float | None = Field(None, ge=0, le=1e6, description=(
        "cost of one wagon-day at the border (USD); absent = not set: idle_cost_usd is left empty"))
    # Key path of a lever (as in --set) -> its cost; checked against the scenario by sim.decision.levers
    levers: dict[Annotated[str, Field(min_length=1, max_length=200)], LeverCost] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _omit_no_levers(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not data.get("levers"):  # resolved scenarios without lever costs read as before
            data.pop("levers", None)
        return data


class Scenario(StrictModel):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: str = ""
    start: dt.date = Field(dt.date(2023, 1, 1), description="calendar date of simulated time 0 (ISO date)")
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
    unloading: Unloading
    empties: Empties = Empties()
    disruptions: list[Disruption] = Field(default_factory=list)
    policies: Policies = Policies()
    costs: Costs = Costs()

    @model_validator(mode="before")
    @classmethod
    def _no_yes_no_values(cls, data: Any) -> Any:
        # pydantic takes True for 1 and False for 0, so `points: yes` would be one point
        problems = [(path, YES_NO) for path in yes_no_paths(data, "")]
        if problems:
            raise ScenarioRuleError(problems)
        return data

    @field_validator("start", mode="before")
    @classmethod
    def _start_date(cls, value: Any) -> Any:
        if isinstance(value, dt.datetime):
            return value.date()
        return value

    @model_validator(mode="after")
    def _cross_rules(self) -> Scenario:
        problems = list(cross_problems(self))
        if problems:
            raise ScenarioRuleError(problems)
        return self

    # -- conveniences used by the model and the API ---------------------------------------------

    @property
    def cargo_names(self) -> list[str]:
        return list(self.cargo)

    def hours_since_start(self, when: dt.datetime) -> float:
        start = dt.datetime(self.start.year, self.start.month, self.start.day)
        return (when - start).total_seconds() / 3600.0

    def targets(self) -> dict[str, str]:
        """Every disruption target and what its capacity factor scales ('' when nothing finite)."""
        out = {
            "line": "max_trains_per_day" if self.line.max_trains_per_day else "",
            "yard": "capacity_wagons" if self.yard.capacity_wagons else "",
        }
        for check in self.checks:
            finite = [k for k in ("trains_at_once", "trains_per_day") if getattr(check, k) is not None]
            out[f"checks.{check.name}"] = " and ".join(finite)
        for cargo in self.unloading.groups:
            out[f"unloading.{cargo}"] = "points"
        return out

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
        except ValidationError as exc:
            raise ScenarioError(source, describe_validation_error(exc)) from None

