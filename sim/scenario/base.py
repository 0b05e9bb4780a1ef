"""What every part of the scenario schema shares: the strict base model, names, counts and dates."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

NAME = r"^[A-Za-z][A-Za-z0-9_\-]*$"
Name = Annotated[str, Field(pattern=NAME, max_length=64)]
MAX_COUNT = 1_000_000
#: a weight in `shares` mappings (normalised like monthly_profile, so counts such as 4 and 8 work too)
Weight = Annotated[float, Field(ge=0, le=1e6)]


class StrictModel(BaseModel):
    # NaN and infinity are never meaningful here; refusing them at parse time names the key.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)


def _as_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"expected an ISO date such as 2024-01-02 (or 2024-01-02T06:00), got {value!r}") from exc
    raise ValueError(f"expected an ISO date such as 2024-01-02, got {value!r}")


DateTime = Annotated[dt.datetime, BeforeValidator(_as_datetime)]


def normalised(weights: dict[str, float]) -> dict[str, float]:
    """Weights scaled to sum to 1 (the caller has checked that they sum to more than 0)."""
    total = sum(weights.values())
    return {k: v / total for k, v in weights.items()}
