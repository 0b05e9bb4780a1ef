"""What the crossings of a corridor share in the scenario file: demand, the origin's loading rate,
routing between crossings, disruptions, policies and costs.

Cross-field rules (names that must exist, shares that must add up) live in sim.scenario.rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_serializer, model_validator

from sim.scenario.base import MAX_COUNT, DateTime, Name, StrictModel, Weight, normalised
from sim.scenario.distributions import Distribution, PositiveHours
from sim.scenario.errors import ScenarioRuleError
from sim.scenario.target_ref import TargetRef


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
                raise ScenarioRuleError([("monthly_profile",
                                          f"expected 12 monthly weights, got {len(self.monthly_profile)}")])
            if sum(self.monthly_profile) <= 0:
                raise ScenarioRuleError([("monthly_profile", "expected at least one weight above 0")])
        return self

    @property
    def profile(self) -> list[float]:
        """Monthly weights normalised to mean 1 (flat when none is given)."""
        weights = self.monthly_profile or [1.0] * 12
        total = sum(weights)
        return [12 * w / total for w in weights]


class Loading(StrictModel):
    """How fast the origin can load one cargo (all crossings together): trains are formed no faster."""

    wagons_per_day: float = Field(gt=0, le=1e6, description="wagons loaded per day at most (a continuous rate)")
    burst_wagons: int | None = Field(
        None, ge=1, le=MAX_COUNT,
        description="wagons that may be loaded at once after an idle spell (default: one train's wagons)")


class Divert(StrictModel):
    """Send a share of the trains routed to `from` to `to` while `from`'s border backlog is high."""

    from_: Name = Field(alias="from", description="the crossing trains are diverted from")
    to: Name = Field(description="the crossing they are diverted to (not while it is closed to the cargo)")
    above_wagons: int = Field(ge=1, le=MAX_COUNT, description="start diverting when `from`'s border backlog "
                              "(every cargo) is above this")
    resume_below: int = Field(ge=0, le=MAX_COUNT, description="stop diverting once it is below this")
    share: float = Field(1.0, gt=0, le=1, description="share of the trains picked for `from` that are diverted")
    check_every: PositiveHours = Field(1.0, description="how often the backlog is reviewed")
    starts: DateTime | None = Field(None, description="the rule acts from this date (absent: from the start); "
                                    "it switches on at the first review then")
    ends: DateTime | None = Field(None, description="the rule stops at this date (excluded; absent: never): the "
                                  "first review then switches it off")

    @model_validator(mode="after")
    def _hysteresis(self) -> Divert:
        if self.resume_below >= self.above_wagons:
            raise ValueError(f"resume_below ({self.resume_below}) must be below above_wagons ({self.above_wagons})")
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValueError(f"`ends` ({self.ends.date()}) must be after `starts` ({self.starts.date()})")
        return self


class Reroute(StrictModel):
    """Trains already formed for `from` may go to `to` instead, at the cost of a detour."""

    from_: Name = Field(alias="from", description="the crossing trains are re-routed from")
    to: Name = Field(description="the crossing they are re-routed to (only trains it can take, see docs/model.md)")
    extra_time: PositiveHours = Field(description="time from a train's re-routing to its arrival at `to`'s border")
    usd_per_wagon: float = Field(0.0, ge=0, le=1e6, description="cost of the detour per wagon re-routed (USD)")
    check_every: PositiveHours = Field(1.0, description="how often trains waiting at `from` are looked at")


class DatedShares(StrictModel):
    """Shares that replace a cargo's routing shares from a date (e.g. a new track opens)."""

    from_: DateTime = Field(alias="from", description="from this date (included) these shares hold, until the "
                            "next change")
    shares: dict[str, Weight] = Field(min_length=1, description="per-crossing weights from then, as `shares`")

    @property
    def weights(self) -> dict[str, float]:
        return normalised(self.shares)


class Routing(StrictModel):
    """Which crossing a cargo's trains go to, decided when a train is formed."""

    shares: dict[str, Weight] = Field(min_length=1, description="per-crossing weights, normalised; trains are "
                                      "dealt out in these proportions (exact to within one train) among open crossings")
    divert: list[Divert] = Field(default_factory=list, description="diversion rules on border backlog")
    changes: list[DatedShares] = Field(default_factory=list, description="dated changes of the shares, in date "
                                       "order; each holds from its `from` until the next (dealing starts afresh)")
    reroute: list[Reroute] = Field(default_factory=list, description=(
        "optional: trains already formed for `from` (waiting to enter its line, or held at its border) go to "
        "`to` while `from` is closed to the cargo or a divert rule from `from` to `to` is on, as far as `to` "
        "can take them; absent = formed trains keep their crossing"))

    @model_serializer(mode="wrap")
    def _omit_no_reroute(self, handler: Any) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        for key in ("reroute", "changes"):  # resolved scenarios without them read as before
            if not data.get(key):
                data.pop(key, None)
        return data

    @property
    def weights(self) -> dict[str, float]:
        return normalised(self.shares)


class Disruption(StrictModel):
    """A dated window (`from`, `to`) or a recurring random one (`every`, `lasts`) on one target."""

    name: Name
    target: str = Field(description="line, yard, checks.<name>, unloading.<cargo> or demand.<cargo> (a loading "
                                    "ban); with several crossings prefixed crossings.<crossing>.")
    capacity: float = Field(1.0, ge=0, le=100, description="factor on the target's capacity; 0 closes it")
    time_factor: float = Field(1.0, gt=0, le=1000, description="factor on the target's processing times")
    from_: DateTime | None = Field(None, alias="from", description="start of the window (included)")
    to: DateTime | None = Field(None, description=(
        "end of the window, EXCLUDED: the window stops at this instant, so `to: 2024-01-21` ends at midnight "
        "starting 21 January (20 January is the last whole day). For a recurring disruption: the end of its season"))
    every: Distribution | None = Field(None, description="time from the end of one random window to the next start")
    lasts: Distribution | None = Field(None, description="length of each random window")
    on_halt: Literal["defer", "lose"] | None = Field(
        None, description="demand.<cargo> targets only: trains not loaded because of the ban are deferred "
                          "(loaded after it) or lost (default defer)")
    _ref: TargetRef | None = PrivateAttr(None)

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
        self._ref = TargetRef.parse(self.target)  # an unknown target is refused by sim.scenario.rules
        return self

    @property
    def ref(self) -> TargetRef:
        """The target, parsed once: what every layer reads (by field) instead of the text."""
        if self._ref is None or self._ref.text != self.target:  # (a copy with another target: parse it)
            self._ref = TargetRef.parse(self.target)
        if self._ref is None:
            raise ValueError(f"{self.target!r} is not a target: expected line, yard, checks.<name>, "
                             "unloading.<cargo> or demand.<cargo>, with several crossings prefixed crossings.<name>.")
        return self._ref

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
    crossings: list[str] | None = Field(
        None, min_length=1, description="crossings whose backlog is watched, each on its own: a halt stops "
                                        "loading for that crossing only (default: every crossing)")

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
