"""What the crossings of a corridor share in the scenario file: demand, the origin's loading rate,
routing between crossings, disruptions, policies and costs.

Cross-field rules (names that must exist, shares that must add up) live in sim.scenario.rules.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import MAX_COUNT, DateTime, Name, StrictModel, Weight, normalised
from sim.scenario.distributions import Distribution, PositiveHours


class Cargo(StrictModel):
    payload_t: float = Field(gt=0, le=1000, description="tonnes carried by one loaded wagon")
    wagons_per_train: int = Field(ge=1, le=500)
    priority: int = Field(1, ge=0, le=100, description="smaller is served first at shared stages")


class Demand(StrictModel):
    tonnes_per_year: float | None = Field(None, ge=0, le=1e9)
    monthly_profile: list[Annotated[float, Field(ge=0, le=1e6)]] | None = None
    trains_per_day: float | None = Field(None, gt=0, le=10_000)
    arrivals: Literal["poisson", "regular"] = "poisson"

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

    @model_validator(mode="after")
    def _hysteresis(self) -> Divert:
        if self.resume_below >= self.above_wagons:
            raise ValueError(f"resume_below ({self.resume_below}) must be below above_wagons ({self.above_wagons})")
        return self


class Routing(StrictModel):
    """Which crossing a cargo's trains go to, decided when a train is formed."""

    shares: dict[str, Weight] = Field(min_length=1, description="per-crossing weights, normalised; trains are "
                                      "dealt out in these proportions (exact to within one train) among open crossings")
    divert: list[Divert] = Field(default_factory=list, description="diversion rules on border backlog")

    @property
    def weights(self) -> dict[str, float]:
        return normalised(self.shares)


class Disruption(StrictModel):
    """A dated window (`from`, `to`) or a recurring random one (`every`, `lasts`) on one target."""

    name: Name
    target: str
    capacity: float = Field(1.0, ge=0, le=100, description="factor on the target's capacity; 0 closes it")
    time_factor: float = Field(1.0, gt=0, le=1000, description="factor on the target's processing times")
    from_: DateTime | None = Field(None, alias="from")
    to: DateTime | None = None
    every: Distribution | None = None
    lasts: Distribution | None = None
    on_halt: Literal["defer", "lose"] | None = Field(
        None, description="demand.<cargo> targets only: trains not loaded because of the ban are deferred "
                          "(loaded after it) or lost (default defer)")

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
                raise ValueError(f"`to` ({self.to.date()}) must be after `from` ({self.from_.date()})")
        elif self.every is None or self.lasts is None:
            raise ValueError("a recurring disruption needs both `every` and `lasts`")
        elif self.every.mean <= 0:
            raise ValueError("`every` must have a mean above 0")
        if self.capacity == 1.0 and self.time_factor == 1.0:
            raise ValueError("a disruption must change something: set `capacity` (0 closes) or `time_factor`")
        return self

    @property
    def recurring(self) -> bool:
        return self.every is not None


class StopLoading(StrictModel):
    cargo: list[str] = Field(min_length=1)
    above_wagons: int = Field(ge=1, le=MAX_COUNT)
    resume_below: int = Field(ge=0, le=MAX_COUNT)
    on_halt: Literal["defer", "lose"] = "defer"
    check_every: PositiveHours = Field(1.0, description="how often the dispatcher reviews the border backlog")
    crossings: list[str] | None = Field(
        None, min_length=1, description="crossings whose backlog is watched, each on its own: a halt stops "
                                        "loading for that crossing only (default: every crossing)")

    @model_validator(mode="after")
    def _hysteresis(self) -> StopLoading:
        if self.resume_below >= self.above_wagons:
            raise ValueError(
                f"resume_below ({self.resume_below}) must be below above_wagons ({self.above_wagons})"
            )
        return self


class Policies(StrictModel):
    stop_loading: StopLoading | None = None


class Costs(StrictModel):
    wagon_day_usd: float = Field(0.0, ge=0, le=1e6)
