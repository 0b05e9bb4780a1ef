"""Time distributions of the scenario file, and fast samplers for them.

Each distribution is a small immutable pydantic model that knows its mean, its minimum and how to
draw a block of values from a numpy Generator. Samplers hand values out of pre-drawn blocks: one
numpy call per thousand draws instead of one per draw, which is most of the cost of sampling.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import CoreSchema

from sim.scenario.durations import DURATION_PATTERN, UNITS_TEXT, parse_duration
from sim.scenario.frozen import freeze_fields

if TYPE_CHECKING:  # numpy is imported by the methods that draw: `dostyk validate` needs none of it
    import numpy as np

MAX_HOURS = 100 * 8760.0  # a century: anything longer is a typo, not a scenario

DURATION_TEXT = (f"a duration: hours as a number, or text with a unit ({UNITS_TEXT}), e.g. \"30min\", \"6h\", "
                 "\"2d\"; a bare 'm' is refused (minutes or months?)")


def _hours(value: object) -> float:
    return parse_duration(value)


def duration_json_schema(positive: bool) -> dict[str, Any]:
    """A duration in JSON Schema: hours as a number, or a string with a unit (what the parser takes)."""
    number: dict[str, Any] = {"type": "number", "maximum": MAX_HOURS, "description": "hours"}
    number["exclusiveMinimum" if positive else "minimum"] = 0
    text = {"type": "string", "pattern": DURATION_PATTERN, "description": f"a duration with a unit ({UNITS_TEXT})"}
    # the description is repeated on the branches: a field's own description replaces the outer one
    return {"anyOf": [number, text], "description": DURATION_TEXT}


Hours = Annotated[float, BeforeValidator(_hours), Field(ge=0, le=MAX_HOURS), WithJsonSchema(duration_json_schema(False))]
PositiveHours = Annotated[float, BeforeValidator(_hours), Field(gt=0, le=MAX_HOURS),
                          WithJsonSchema(duration_json_schema(True))]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def model_post_init(self, context: Any, /) -> None:
        freeze_fields(self)  # an empirical distribution's values too (sim.scenario.frozen)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        raise NotImplementedError

    @property
    def mean(self) -> float:
        raise NotImplementedError

    @property
    def minimum(self) -> float:
        """The smallest value the distribution can produce (for invariant checks)."""
        return 0.0


class Fixed(_Dist):
    dist: Literal["fixed"] = "fixed"
    value: Hours

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        import numpy as np

        return np.full(size, self.value)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def minimum(self) -> float:
        return self.value


class Exponential(_Dist):
    dist: Literal["exponential"]
    mean_: PositiveHours = Field(alias="mean")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.exponential(self.mean_, size)

    @property
    def mean(self) -> float:
        return self.mean_


class Lognormal(_Dist):
    dist: Literal["lognormal"]
    mean_: PositiveHours = Field(alias="mean")
    sd: Hours

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        sigma2 = math.log1p((self.sd / self.mean_) ** 2)
        mu = math.log(self.mean_) - sigma2 / 2
        return rng.lognormal(mu, math.sqrt(sigma2), size)

    @property
    def mean(self) -> float:
        return self.mean_


class Gamma(_Dist):
    dist: Literal["gamma"]
    mean_: PositiveHours = Field(alias="mean")
    cv: float = Field(gt=0, le=100, description="coefficient of variation (sd / mean), dimensionless")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        shape = 1.0 / self.cv**2
        return rng.gamma(shape, self.mean_ / shape, size)

    @property
    def mean(self) -> float:
        return self.mean_


class Triangular(_Dist):
    dist: Literal["triangular"]
    min: Hours
    mode: Hours
    max: Hours

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        if not (self.min <= self.mode <= self.max) or self.min == self.max:
            raise ValueError(
                f"expected min <= mode <= max and min < max, got min={self.min:g}h, "
                f"mode={self.mode:g}h, max={self.max:g}h"
            )
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.triangular(self.min, self.mode, self.max, size)

    @property
    def mean(self) -> float:
        return (self.min + self.mode + self.max) / 3

    @property
    def minimum(self) -> float:
        return self.min


class Uniform(_Dist):
    dist: Literal["uniform"]
    min: Hours
    max: Hours

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if not self.min < self.max:
            raise ValueError(f"expected min < max, got min={self.min:g}h, max={self.max:g}h")
        return self

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return rng.uniform(self.min, self.max, size)

    @property
    def mean(self) -> float:
        return (self.min + self.max) / 2

    @property
    def minimum(self) -> float:
        return self.min


class Empirical(_Dist):
    """Resamples observed values with equal weight (a bootstrap of measured durations)."""

    dist: Literal["empirical"]
    values: Annotated[list[Hours], Field(min_length=1, max_length=100_000)]

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        import numpy as np

        return rng.choice(np.asarray(self.values, dtype=float), size)

    @property
    def mean(self) -> float:
        import numpy as np

        return float(np.mean(self.values))

    @property
    def minimum(self) -> float:
        return float(min(self.values))


DIST_NAMES = ("fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "empirical")


def _bare_duration_is_fixed(value: Any) -> Any:
    """A bare duration (`15min`, `2`) means a fixed time; a mapping without `dist` is an error."""
    if isinstance(value, (int, float, str)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    if isinstance(value, dict) and "dist" not in value:
        raise ValueError(
            "expected a duration or a mapping with 'dist' (one of: " + ", ".join(DIST_NAMES) + ")"
        )
    if isinstance(value, dict) and value.get("dist") not in DIST_NAMES:
        raise ValueError(f"unknown dist {value.get('dist')!r}; expected one of: " + ", ".join(DIST_NAMES))
    return value


class _BareDurationToo:
    """JSON Schema of a distribution: a bare duration (a fixed time) or one of the `dist` mappings."""

    def __get_pydantic_json_schema__(self, core_schema: CoreSchema, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        mappings = handler(core_schema)
        return {"anyOf": [duration_json_schema(False), mappings],
                "description": ("a time: a bare duration (fixed), or {dist: fixed|exponential|lognormal|gamma|"
                                "triangular|uniform|empirical, …} whose times are durations")}


Distribution = Annotated[
    Fixed | Exponential | Lognormal | Gamma | Triangular | Uniform | Empirical,
    Field(discriminator="dist"),
    BeforeValidator(_bare_duration_is_fixed),
    _BareDurationToo(),
]


class Sampler:
    """Draws from one distribution on one random stream, a block at a time.

    Values come out in the same order whatever block size is used per call, so a stream's
    numbers depend only on how many were drawn before — never on who else draws.
    """

    __slots__ = ("_arr", "_block", "_buf", "_dist", "_fixed", "_fixed_draw", "_i", "_rng")

    def __init__(self, dist: _Dist, rng: np.random.Generator, block: int = 2048) -> None:
        self._dist = dist
        self._rng = rng
        self._block = block
        self._fixed = dist.value if isinstance(dist, Fixed) else None
        self._buf: list[float] = []
        self._arr: np.ndarray | None = None  # the block as drawn (for draw_array), beside its list
        self._i = 0
        self._fixed_draw: tuple[list[float], np.ndarray] | None = None  # draw_array's last answer, when fixed

    def __call__(self) -> float:
        if self._fixed is not None:
            return self._fixed
        i = self._i
        if i >= len(self._buf):
            self._refill()
            i = 0
        self._i = i + 1
        return self._buf[i]

    def _refill(self) -> None:
        self._arr = self._dist.sample(self._rng, self._block)
        self._buf = self._arr.tolist()
        self._i = 0

    def draw(self, n: int) -> list[float]:
        """The next `n` values of the stream, as a list."""
        if self._fixed is not None:
            return [self._fixed] * n
        out: list[float] = []
        while n > 0:
            if self._i >= len(self._buf):
                self._refill()
            take = min(n, len(self._buf) - self._i)
            out.extend(self._buf[self._i : self._i + take])
            self._i += take
            n -= take
        return out

    def draw_array(self, n: int) -> tuple[list[float], np.ndarray]:
        """The next `n` values, as a list and as an array (the same values, which must not be
        modified): a slice of the block drawn, where a list would cost a conversion per call."""
        i = self._i
        if self._fixed is None and i + n <= len(self._buf):
            assert self._arr is not None
            self._i = i + n
            return self._buf[i : i + n], self._arr[i : i + n]
        import numpy as np

        if self._fixed is not None:  # the same answer for the same n (trains are mostly of one length)
            last = self._fixed_draw
            if last is None or len(last[0]) != n:
                array = np.full(n, self._fixed)
                array.flags.writeable = False
                last = self._fixed_draw = ([self._fixed] * n, array)
            return last
        values = self.draw(n)  # (across the end of a block)
        return values, np.array(values, dtype=float)
