"""The stages of one crossing in the scenario file: line, yard, checks, unloading, empties, and the
state a run may start from.

A single-crossing file gives these at the top level; a corridor gives them once per crossing under
`crossings.<name>` (sim.scenario.schema). Cross-field rules live in sim.scenario.rules.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    model_serializer,
    model_validator,
)
from pydantic_core import CoreSchema

from sim.scenario.base import MAX_COUNT, NAME, DateTime, Name, StrictModel, Weight
from sim.scenario.distributions import Distribution, Fixed, PositiveHours

SHARES_HELP = ("per-cargo weights of the stage's daily quota, normalised (counts such as {grain: 4, containers: 8} "
               "work); absent = strict priority (smaller `priority` first)")
SHARE_UNUSED_HELP = "whether a cargo may take quota slots the others leave unused that day (default true)"


class Line(StrictModel):
    transit_time: Distribution = Field(Fixed(value=0.0), description="time on the approach line to the border")
    max_trains_per_day: int | None = Field(None, ge=1, le=MAX_COUNT,
                                           description="trains entering the line per calendar day; absent = no limit")
    shares: dict[str, Weight] | None = Field(None, description=SHARES_HELP + " (needs max_trains_per_day)")
    share_unused: bool | None = Field(None, description=SHARE_UNUSED_HELP)


class Yard(StrictModel):
    capacity_wagons: int | None = Field(None, ge=1, le=MAX_COUNT,
                                       description="wagons the border yard holds; absent = no limit")
    shares: dict[str, Weight] | None = Field(
        None, description="per-cargo weights of the yard's room, normalised: cargo k has floor(capacity x w_k) "
                          "wagons reserved and its trains enter first while below that (needs capacity_wagons); "
                          "absent = strict priority (smaller `priority` first)")
    share_unused: bool | None = Field(None, description="whether a cargo may enter room reserved for another while "
                                                        "none of the other's trains waits (default true)")


_HOURS_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _working_hours(value: Any) -> Any:
    """Daily hours as (opens, closes) in hours of the day, from "HH:MM-HH:MM" or (in Python) a pair of numbers,
    each refused unless the check opens at some time of the day and closes at another."""
    if value is None:
        return value
    if isinstance(value, tuple) and len(value) == 2 and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in value):
        # a pair given in Python (Check(hours=(30, -5))) was taken unchecked: a check that never opened
        if not all(0 <= x <= 24 for x in value):
            raise ValueError(f"expected times between 0 and 24 hours of the day, got {value!r}")
        opens, closes = float(value[0]), float(value[1])
    else:
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
    if opens == 24 and closes == 0:  # 24:00 is the next day's 00:00, when it closes: it never opened
        raise ValueError(f"working hours {value!r} open at 24:00, the 00:00 at which they close, so the check "
                         "would never work; omit `hours` for 24 h work")
    return (opens, closes)


WorkingHours = Annotated[tuple[float, float], BeforeValidator(_working_hours), WithJsonSchema({
    "type": "string", "pattern": r"^\s*\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}\s*$",
    "description": ('daily working hours "HH:MM-HH:MM" (e.g. "08:00-20:00"; "22:00-06:00" spans midnight); '
                    "absent = around the clock")})]


class Reject(StrictModel):
    """Wagons refused at the end of a check (bonded-zone refusal, a failed sample) go back loaded."""

    share: float = Field(gt=0, le=1, description="share of wagons (per: wagon) or of trains (per: train) refused")
    per: Literal["wagon", "train"] = Field("wagon", description="wagon: each wagon drawn on its own; train: whole trains")
    cargo: list[str] | None = Field(None, min_length=1, description="only these cargo (default: every cargo)")
    from_: DateTime | None = Field(None, alias="from", description="refusals from this date (default: the start)")
    to: DateTime | None = Field(None, description="refusals until this date, excluded (default: the end)")
    return_time: Distribution | None = Field(
        None, description="time for the loaded wagons to get back to origin (default: the crossing's empties.return_time)")

    @model_validator(mode="after")
    def _window(self) -> Reject:
        if self.from_ is not None and self.to is not None and self.to <= self.from_:
            raise ValueError(f"`to` ({self.to.date()}) must be after `from` ({self.from_.date()})")
        return self


class Check(StrictModel):
    name: Name
    time: Distribution = Field(description="time to handle one train (work pauses outside `hours`)")
    cargo: list[str] | None = Field(None, min_length=1, description="only these cargo pass this check; absent = all")
    hours: WorkingHours | None = None
    trains_at_once: int | None = Field(None, ge=1, le=MAX_COUNT, description="trains handled at once")
    trains_per_day: int | None = Field(None, ge=1, le=MAX_COUNT, description="daily quota of trains accepted")
    shares: dict[str, Weight] | None = Field(None, description=SHARES_HELP + " (needs trains_per_day)")
    share_unused: bool | None = Field(None, description=SHARE_UNUSED_HELP)
    reject: list[Reject] | None = Field(None, min_length=1, description="refusals at the end of this check; "
                                        "the first entry that applies to a train's cargo and date is used")

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


class InitialState(StrictModel):
    """Wagons of one cargo already under way when the run starts (today's reported situation)."""

    in_yard_wagons: int = Field(0, ge=0, le=MAX_COUNT, description="wagons in the border yard at the start")
    held_wagons: int = Field(0, ge=0, le=MAX_COUNT,
                             description="wagons at the border held short of the yard at the start (held trains)")
    en_route_wagons: int = Field(0, ge=0, le=MAX_COUNT, description="wagons on the approach line at the start")
    arriving_within: PositiveHours | None = Field(
        None, description="en-route trains reach the border evenly spread over this time (default: the mean transit)")
    after_check: Name | None = Field(
        None, description="trains in the yard have passed the checks up to and including this one (default: none)")

    @property
    def wagons(self) -> int:
        return self.in_yard_wagons + self.held_wagons + self.en_route_wagons


class CrossingSpec(StrictModel):
    """One border crossing: its approach line, yard, checks, unloading, empties and starting state."""

    line: Line = Field(Line(), description="this crossing's approach line")
    yard: Yard = Field(Yard(), description="this crossing's border yard")
    checks: list[Check] = Field(default_factory=list, description="this crossing's checks, in order")
    unloading: Unloading = Field(description="this crossing's unloading groups, per cargo")
    empties: Empties | None = Field(None, description="empties' return from this crossing (default: the top-level `empties`)")
    initial_state: dict[str, InitialState] | None = Field(None, description="per cargo: wagons under way at the start")
