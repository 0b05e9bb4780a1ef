"""A parameter's value in the unit an analyst thinks in, with the factor beside it.

A calibration fits `disruptions.admin-hold.capacity = 0.3417`, but the question was "how many
trains a day did the Chinese side take during the hold?": floor(12 × 0.3417) = 4. So a capacity
factor is shown as what it makes of each capacity it scales (`4 trains a day (× 0.342)`, from
sim.scenario.effects, as the model applies it), a time factor as `× 1.5 the usual time`, and
other values with the unit of their key (points, trains a day, wagons, hours, t a year, USD).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import yaml

from sim.errors import SimError
from sim.reporting.numbers import number
from sim.scenario.effects import capacity_effects

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

#: A lever on routing weights: a cargo's shares (or a dated change's), whole or one crossing's weight
_ROUTING = re.compile(r"^routing\.(?P<cargo>[^.\[\]]+)\.(?:changes\[(?P<change>\d+)\]\.)?shares(?:\.(?P<crossing>[^.\[\]]+))?$")
_DISRUPTION = re.compile(r"^disruptions(?:\.([^.\[\]]+)|\[(\d+)\])\.(capacity|time_factor)$")

#: Unit of a key (its last part), for values that are not durations
KEY_UNITS = {
    "points": "points", "trains_per_day": "trains a day", "max_trains_per_day": "trains a day",
    "trains_at_once": "trains at once", "capacity_wagons": "wagons", "above_wagons": "wagons",
    "resume_below": "wagons", "wagons_per_day": "wagons a day", "wagons_per_train": "wagons",
    "tonnes_per_year": "t a year", "payload_t": "t", "wagon_day_usd": "USD a wagon-day", "usd_per_unit": "USD",
}
#: Keys whose numbers are durations in hours (a distribution's parameters under one of these parts)
DURATION_PARTS = ("time", "transit_time", "wagon_time", "return_time", "mtbf", "mttr", "lasts", "every",
                  "warmup", "duration")


def is_factor(path: str) -> bool:
    """Whether `path` is a disruption's capacity or time factor (a number that means something else)."""
    return _DISRUPTION.match(path) is not None


def _disruption_index(scenario: Scenario, name: str | None, index: str | None) -> int | None:
    if index is not None:
        return int(index) if int(index) < len(scenario.disruptions) else None
    return next((i for i, d in enumerate(scenario.disruptions) if d.name == name), None)


def in_units(scenario: Scenario, path: str, value: float) -> str:
    """`value` of the key `path` in the analyst's unit, the factor beside it when the key is one."""
    if not math.isfinite(value):
        return "–"
    m = _DISRUPTION.match(path)
    if m:
        i = _disruption_index(scenario, m.group(1), m.group(2))
        if m.group(3) == "time_factor":
            return f"× {number(value, 3)} the usual time"
        if i is not None:
            return _capacity(scenario, path, i, value)
    parts = path.replace("[", ".").replace("]", "").split(".")
    if any(p in DURATION_PARTS for p in parts):
        return _hours(value)
    unit = KEY_UNITS.get(parts[-1], "")
    if value == 1:  # '1 trains at once' on the sensitivity chart
        unit = re.sub(r"^(point|train|wagon)s\b", r"\1", unit)
    return f"{number(value)} {unit}".rstrip()


def _capacity(scenario: Scenario, path: str, index: int, value: float) -> str:
    factor = f"× {number(value, 3)}"
    if value == 0:
        return f"closed ({factor})"
    try:
        changed = scenario.with_changes({path: value})
    except (SimError, KeyError):  # a value the scenario refuses is shown as the bare factor
        return factor
    effects = [e for e in capacity_effects(changed) if e.index == index]
    if not effects:
        return factor
    return "; ".join(f"{e.during:,} {e.unit}" for e in effects) + f" ({factor} of {effects[0].base:,})"


def _hours(value: float, like: float | None = None) -> str:
    """'30 min', '4.25 h', '2 days' (whole days from 48 h); in the unit `like` would take, when given."""
    ref = value if like is None else like
    if ref >= 48 and (like is not None or value % 24 == 0):
        return f"{number(value / 24, 3)} days"
    if 0 < ref < 1:
        return f"{number(value * 60, 3)} min"
    return f"{number(value, 3)} h"


def range_in_units(scenario: Scenario, path: str, low: float, high: float) -> str:
    """'A to B' in the analyst's unit, both ends in the same unit (a duration range in hours, not '48 min to 1.2 h')."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return "none"
    parts = path.replace("[", ".").replace("]", "").split(".")
    if not _DISRUPTION.match(path) and any(p in DURATION_PARTS for p in parts):
        return f"{_hours(low, high).rsplit(' ', 1)[0]} to {_hours(high, high)}"
    a, b = in_units(scenario, path, low), in_units(scenario, path, high)
    ma, mb = _SCALED.match(a), _SCALED.match(b)
    if ma and mb and (ma["unit"], ma["base"]) == (mb["unit"], mb["base"]):  # one capacity: say it once
        return f"{ma['n']} to {mb['n']} {ma['unit']} (× {ma['f']} to {mb['f']} of {ma['base']})"
    return f"{a} to {b}"


_SCALED = re.compile(r"^(?P<n>[\d,]+) (?P<unit>[^;(]+) \(× (?P<f>[\d.,]+) of (?P<base>[\d,]+)\)$")


def axis_label(path: str) -> str:
    """A chart axis for the key `path`: the key and the unit its ticks are in."""
    m = _DISRUPTION.match(path)
    if m:
        what = "× the usual time" if m.group(3) == "time_factor" else "capacity factor and what it leaves"
        return f"{path}\n({what})"
    parts = path.replace("[", ".").replace("]", "").split(".")
    unit = "h" if any(p in DURATION_PARTS for p in parts) else KEY_UNITS.get(parts[-1], "")
    return f"{path} ({unit})" if unit else path


def tick_text(scenario: Scenario, path: str, value: float) -> str:
    """A tick of a lever's axis: the value in the analyst's unit; a capacity factor with, under it,
    what it leaves of each capacity it scales ('× 0.3' over '3 trains a day')."""
    if not math.isfinite(value):
        return ""
    m = _DISRUPTION.match(path)
    if m and m.group(3) == "capacity":
        if value == 0:
            return "× 0\nclosed"
        text = in_units(scenario, path, value)
        scaled = _SCALED.match(text)
        return f"× {number(value, 3)}\n{scaled['n']} {scaled['unit']}" if scaled else f"× {number(value, 3)}"
    if m:
        return f"× {number(value, 3)}"
    return number(value)


def shares_text(shares: Mapping[str, float], what: str = "") -> str:
    """Routing weights as the share each crossing gets, the weights beside them: `{dostyk: 96, altynkol: 20}`
    is "dostyk 83 %, altynkol 17 % (weights 96 : 20)", not 20 % (shares are weights, normalised); `what`
    follows the percentages (" of the trains")."""
    total = sum(shares.values())
    weights = " : ".join(f"{w:g}" for w in shares.values())
    return ", ".join(f"{x} {100 * w / total:.0f} %" for x, w in shares.items()) + f"{what} (weights {weights})"


def lever_value_text(scenario: Scenario, path: str, value: Any) -> str:
    """A sweep point's value of the lever `path` as a table says it: a routing weight, or a cargo's whole
    shares, as the share of trains each crossing then gets ("dostyk 83 %, altynkol 17 % (weights 96 : 20)":
    a bare 20 read as 20 %); any other value as it is (a list or mapping in its YAML text)."""
    m = _ROUTING.match(path)
    shares = _shares_at(scenario, m, value) if m else None
    return shares_text(shares) if shares else str(value)


def _shares_at(scenario: Scenario, m: re.Match[str], value: Any) -> dict[str, float] | None:
    """The weights a routing lever's `value` leaves, in the scenario's order of crossings (None: not weights)."""
    routing = (scenario.to_dict().get("routing") or {}).get(m["cargo"]) or {}
    if m["change"] is not None:
        changes = routing.get("changes") or []
        routing = changes[int(m["change"])] if int(m["change"]) < len(changes) else {}
    shares = dict(routing.get("shares") or {})
    given = yaml.safe_load(value) if isinstance(value, str) else value  # a mapping is a cell's YAML text
    if m["crossing"] is not None:
        shares[m["crossing"]] = given
    elif isinstance(given, Mapping):
        shares = {x: given[x] for x in [*shares, *given] if x in given}
    weights = {str(x): w for x, w in shares.items()}
    if not weights or not all(isinstance(w, (int, float)) and not isinstance(w, bool) and w >= 0
                              for w in weights.values()) or sum(weights.values()) <= 0:
        return None
    return {x: float(w) for x, w in weights.items()}
