"""What every part of the scenario schema shares: the strict base model, names, counts, dates, and
the refusal of yes/no values (the format has no boolean keys)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from sim.scenario.frozen import freeze_fields, refuse
from sim.scenario.keypaths import leaf_key
from sim.scenario.quoting import kind_in_words, shown

NAME = r"^[A-Za-z][A-Za-z0-9_\-]*$"
Name = Annotated[str, Field(pattern=NAME, max_length=64)]


def visible(text: str) -> str:
    """`text` when it has a character one can see: a label of spaces, tabs or zero-width characters only
    reads as nothing in every table, plot and folder name it labels (the results of `name: "   "` went to
    results/scenario)."""
    if not any(ch.isprintable() and not ch.isspace() for ch in text):
        said = "empty text" if not text else f"{shown(text)}, which has no visible character"
        raise ValueError(f"expected a name one can read (letters, digits or signs); got {said} — it labels "
                         "the results, their tables and their folder")
    controls = dict.fromkeys(ch for ch in text if unicodedata.category(ch) == "Cc")
    if controls:  # `name: "a\e[31mb"` was valid, and its escape sequence went raw to the terminal (progress bars)
        held = ", ".join(f"U+{ord(ch):04X}" for ch in controls)
        raise ValueError(f"expected a name without control characters (a tab, a line break, an escape sequence would "
                         f"act on the terminal or break the lines of tables that show it); got {shown(text)}, which "
                         f"holds {held}")
    return text


#: free text that names something (a scenario, a figure): anything one can read, never blank
Label = Annotated[str, Field(max_length=200, json_schema_extra={"minLength": 1}), AfterValidator(visible)]
MAX_COUNT = 1_000_000
#: keys of one crossing, which a corridor file gives under crossings.<name> instead of at the top level
CROSSING_KEYS = ("line", "yard", "checks", "unloading", "initial_state")
#: a weight in `shares` mappings (normalised like monthly_profile, so counts such as 4 and 8 work too)
Weight = Annotated[float, Field(ge=0, le=1e6)]


class StrictModel(BaseModel):
    # NaN and infinity are never meaningful here; refusing them at parse time names the key.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    def model_post_init(self, context: Any, /) -> None:
        freeze_fields(self)  # its mappings and lists too (sim.scenario.frozen)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in type(self).model_fields:  # pydantic said "Instance is frozen" (a ValidationError)
            key = type(self).model_fields[name].alias or name
            refuse(f"{type(self).__name__}.{key}", repr(key) if type(self).__name__ == "Scenario" else
                   f"'<key path>.{key}'", repr(value))
        super().__setattr__(name, value)


#: a time of day followed by a zone: 2024-01-10T00:00:00Z, 2024-01-10 06:00+06:00
_ZONE = re.compile(r"[Tt ]\d{1,2}(?::?\d\d){0,2}(?:[.,]\d+)?\s*(Z|z|[+-]\d\d(?::?\d\d)?)$")


def _no_zone(value: dt.datetime | str, shown: str) -> None:
    """Scenario times are the crossing's local clock: a time zone would need a conversion nobody asked for."""
    zone = value.tzname() if isinstance(value, dt.datetime) else (m.group(1) if (m := _ZONE.search(value.strip())) else None)
    if zone:
        raise ValueError(f"{shown} has a time zone ({zone}); scenario dates and times are the crossing's local "
                         "clock and take no zone — write the local date and time without it, e.g. 2024-01-10T06:00")


def _as_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        _no_zone(value, value.isoformat())
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        _no_zone(value, value.strip())
        try:
            when = dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValueError(f"expected an ISO date such as 2024-01-02 (or 2024-01-02T06:00), got {value!r}") from exc
        _no_zone(when, value.strip())
        return when
    raise ValueError(f"expected an ISO date such as 2024-01-02, got {kind_in_words(value)}")


_DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _as_date(value: Any) -> Any:
    """A calendar date: a date-time is taken only at midnight and without a zone (nothing is dropped)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            if _DATE_SHAPE.fullmatch(value.strip()):
                return value  # shaped as a date: pydantic says what is wrong (2023-02-30: day out of range)
            if len(value.strip()) <= 10:  # 01/02/2023 was "invalid character in year"; 2024-1-5 likewise
                raise ValueError(f"expected an ISO date such as 2024-01-02 (year-month-day), got {value!r}") from None
    if not isinstance(value, (str, dt.datetime)):
        raise ValueError(f"expected an ISO date such as 2024-01-02, got {kind_in_words(value)}")
    when = _as_datetime(value)
    if when.time() != dt.time(0):
        raise ValueError(f"expected a calendar date such as {when.date()}; got the time of day {when.time()} too, "
                         "which this key cannot use")
    return when.date()


DateTime = Annotated[dt.datetime, BeforeValidator(_as_datetime), WithJsonSchema({
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
    "description": "an ISO date (2024-01-02, midnight at its start) or date-time (2024-01-02T06:00)"})]
#: a calendar date (`start`, targets' windows): ISO text, refused with a zone or a time of day
Date = Annotated[dt.date, BeforeValidator(_as_date)]


#: The only keys that take yes/no (true/false); anywhere else a yes/no is a slip that pydantic would
#: read as 1 or 0 (`points: yes` = 1 point).
BOOLEAN_KEYS = frozenset({"share_unused"})
YES_NO = ("got a yes/no value: YAML reads unquoted yes/no, on/off and true/false as yes or no, and only "
          f"{', '.join(sorted(BOOLEAN_KEYS))} takes one — write a number (e.g. 1), or put text in quotes as "
          "written (name: \"on\")")


def yes_no(path: str, value: bool, written: str | None = None) -> str:
    """YES_NO with the key at `path` and the value as the file wrote it in its example (`checks[1].cargo: off`
    → cargo: "off"; yes or no when how it was written is not known: a Python caller's True)."""
    quoted = f'{leaf_key(path)}: "{written or ("yes" if value else "no")}"'
    return YES_NO.replace('(name: "on")', f"({quoted})")


#: deeper than any key of the format (a few levels)
MAX_DEPTH = 32


def yes_no_paths(data: Any, path: str, depth: int = 0) -> list[tuple[str, bool]]:
    """(key path, value) of every yes/no (boolean) value in raw scenario data: the format has no boolean keys.
    It looks no deeper than MAX_DEPTH (sim.Scenario(**data) of 100,000 nested mappings, or of one that holds
    itself, was a RecursionError here): pydantic then says what is wrong there."""
    if depth > MAX_DEPTH:  # no key is this deep: the schema refuses what is here (unknown key, wrong type)
        return []
    if isinstance(data, bool):
        return [(path, data)]
    if isinstance(data, Mapping):
        return [p for key, value in data.items() if not (key in BOOLEAN_KEYS and isinstance(value, bool))
                for p in yes_no_paths(value, f"{path}.{key}" if path else str(key), depth + 1)]
    if isinstance(data, (list, tuple)):
        return [p for i, value in enumerate(data) for p in yes_no_paths(value, f"{path}[{i}]", depth + 1)]
    return []


def normalised(weights: dict[str, float]) -> dict[str, float]:
    """Weights scaled to sum to 1 (the caller has checked that they sum to more than 0)."""
    total = sum(weights.values())
    return {k: v / total for k, v in weights.items()}
