"""The levers of a scenario, as form fields: key path, value, unit and bounds, read from the schema.

The form must offer what `--set` accepts and refuse what the schema refuses, so nothing here is a
hand-kept list: every number of the scenario (its durations in hours) is found by walking the
validated scenario beside its pydantic fields, and the bounds are the fields' own constraints.
Labels and run settings (names, seed, replications, dates) are not levers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario.keypaths import KeyPathError, resolve
from sim.scenario.schema import Scenario

#: top-level keys that are run settings or labels, not levers
NOT_LEVERS = frozenset({"name", "description", "seed", "replications", "start", "duration", "warmup"})


@dataclass(frozen=True)
class LeverField:
    """One number a user may change, with what the schema allows."""

    key: str                 # a key path `--set` and `with_changes` accept
    section: str             # the top-level key it is under (for grouping)
    value: float
    integer: bool
    unit: str
    low: float | None        # bounds, as the schema states them: inclusive unless low_open/high_open
    high: float | None
    help: str
    low_open: bool = False   # the schema's `gt` (e.g. a payload above 0), not `ge`
    high_open: bool = False

    @property
    def expected(self) -> str:
        """What the field accepts, in words: "a whole number from 1 to 10,000"."""
        kind = "a whole number" if self.integer else "a number"
        low = "" if self.low is None else f"{'above' if self.low_open else 'at least'} {self.low:,g}"
        high = "" if self.high is None else f"{'below' if self.high_open else 'at most'} {self.high:,g}"
        if self.low is not None and self.high is not None and not (self.low_open or self.high_open):
            return f"{kind} from {self.low:,g} to {self.high:,g}"
        return " ".join([kind, " and ".join(b for b in (low, high) if b)]).strip()

    @property
    def label(self) -> str:
        return self.key.split(".", 1)[1] if "." in self.key else self.key


def _bounds(info: FieldInfo) -> tuple[float | None, float | None, bool, bool]:
    """Low, high, and whether each is open (`gt`, `lt`)."""
    low = high = None
    low_open = high_open = False
    for item in info.metadata:
        if isinstance(item, annotated_types.Ge):
            low, low_open = float(item.ge), False  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            low, low_open = float(item.gt), True  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            high, high_open = float(item.le), False  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            high, high_open = float(item.lt), True  # type: ignore[arg-type]
    return low, high, low_open, high_open


def _is_duration(info: FieldInfo) -> bool:
    return any(getattr(getattr(m, "func", None), "__name__", "") == "_hours" for m in info.metadata)


def _unit(name: str, info: FieldInfo) -> str:
    if _is_duration(info):
        return "h"
    for words, unit in (("usd", "USD"), ("fleet", "wagons"), ("tonnes", "t"), ("payload_t", "t"), ("wagons", "wagons"),
                        ("points", "points"), ("trains", "trains a day" if "per_day" in name else "trains"),
                        ("capacity", "factor"), ("share", "share"), ("cv", "ratio")):
        if words in name:
            return unit
    return ""


def _walk(model: BaseModel, path: str) -> Iterator[tuple[str, FieldInfo, Any]]:
    for name, info in type(model).model_fields.items():
        key = info.alias or name
        value = getattr(model, name)
        if key == "groups" and path.endswith("unloading"):
            # the schema groups unloading's cargo under `groups`; the file (and --set) writes them directly
            yield from _value(path, info, value)
            continue
        where = f"{path}.{key}" if path else key
        yield from _value(where, info, value)


def _value(where: str, info: FieldInfo, value: Any) -> Iterator[tuple[str, FieldInfo, Any]]:
    if isinstance(value, BaseModel):
        yield from _walk(value, where)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _value(f"{where}.{k}", info, v)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            if isinstance(item, BaseModel):
                name = getattr(item, "name", None)
                yield from _walk(item, f"{where}.{name}" if isinstance(name, str) and name else f"{where}[{i}]")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield where, info, value


def scenario_levers(scenario: Scenario) -> list[LeverField]:
    """Every number of `scenario` that a user may change, in file order."""
    out = []
    data = scenario.to_dict()
    for key, info, value in _walk(scenario, ""):
        section = key.split(".", 1)[0].split("[", 1)[0]
        if section in NOT_LEVERS or not math.isfinite(float(value)):
            continue
        try:
            resolve(data, key)
        except KeyPathError:
            continue  # a default the file does not hold (e.g. one crossing's stages beside `crossings`)
        low, high, low_open, high_open = _bounds(info)
        name = key.rsplit(".", 1)[-1] if section != "fleet" else "fleet"
        out.append(LeverField(key, section, float(value), isinstance(value, int), _unit(name, info),
                              low, high, info.description or "", low_open, high_open))
    return out
