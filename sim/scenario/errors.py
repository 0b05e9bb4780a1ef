"""What is wrong with a scenario, said with the key path the user must fix.

`ScenarioError` is what every caller sees (file or source, then one line per problem); pydantic's
errors and the cross-field rules are both turned into it here, so a file, a `--set` override and
`Scenario.with_changes` all report a problem the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from sim.errors import SimError
from sim.scenario.distributions import MAX_HOURS
from sim.scenario.keypaths import leaf_key
from sim.scenario.quoting import kind_in_words, shown, unseen_characters

#: the problems a ScenarioError lists; `.problems` keeps them all
MAX_SHOWN = 100


class ScenarioError(SimError):
    """A scenario that cannot be used, with every problem as (key path, what was expected)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join([f"{self.source}: invalid scenario", *problem_lines(self.source, self.problems)])


class ScenarioDataError(ScenarioError, ValueError):
    """Bad data given to `sim.Scenario(...)` or `Scenario.model_validate` directly, said as a file's problems
    are; a ValueError as pydantic's ValidationError is, so code that caught that still catches it."""


def problem_lines(source: str, problems: list[tuple[str, str]]) -> list[str]:
    """The lines of a refusal's problems, the first MAX_SHOWN of them and a count of the rest (100,000 bad
    list items of a file or of data printed 7 MB)."""
    lines = [problem_line(source, path, message) for path, message in problems[:MAX_SHOWN]]
    if len(problems) > MAX_SHOWN:
        lines.append(f"  … and {len(problems) - MAX_SHOWN:,} more problems (the first {MAX_SHOWN} are shown; "
                     "fix those and try again)")
    return lines


def problem_line(source: str, path: str, message: str) -> str:
    """One problem under its heading: the key path, or for the whole of a file "(top level)"; a problem
    with the whole of an option (`--vary x`, `--precision abc`) has no key path to name, so none is shown."""
    if not path and source.startswith("-"):
        return f"  {message}"
    return f"  {path or '(top level)'}: {message}"


class ScenarioRuleError(ValueError):
    """Cross-field problems, each with the key path that must change."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in problems))


_TAGS = {"fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "empirical"}


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if part in _TAGS or part.startswith("function-") or (part == "groups" and i > 0 and loc[i - 1] == "unloading"):
            continue  # pydantic's internal names for union members and our grouping
        if part == "from_":
            part = "from"
        if part == "mean_":
            part = "mean"
        out += f".{part}" if out else str(part)
    return out


# Why each upper bound is where it is; a bound without a reason here gets a generic one.
_LIMIT_WHY = {
    "replications": "beyond that, confidence intervals are already negligible; run batches with different seeds instead",
    "seed": "seeds are non-negative 64-bit integers",
    "payload_t": "tonnes loaded in one wagon; a 1520 mm wagon carries well under 100 t",
    "wagons_per_train": "no freight train anywhere is that long",
    "priority": "priorities are small ranks: 0 is served first, then 1, 2, …",
    "tonnes_per_year": "a billion tonnes a year is more than twice all rail freight of Kazakhstan",
    "trains_per_day": "more than one train every few seconds is taken as a typo",
    "points": "no transshipment site has that many unloading positions",
    "capacity": "a factor on the target's capacity: 0 closes it, 0.5 halves it, 2 doubles it",
    "time_factor": "a factor on processing times: 2 means twice as slow",
    "cv": "the coefficient of variation (sd / mean) of a duration",
    "wagon_day_usd": "a wagon-day costs tens of dollars",
    "usd_per_unit": "a trillion dollars per unit of a lever is taken as a typo",
}


def _at_most(path: str, ctx: dict[str, Any], value: Any) -> str:
    """An upper-bound violation as 'expected at most X (why); got Y'."""
    limit = ctx.get("le", ctx.get("lt"))
    op = "at most" if "le" in ctx else "below"
    got = shown(value) if not isinstance(value, (dict, list)) else kind_in_words(value)
    if limit == MAX_HOURS:
        return (f"expected {op} {MAX_HOURS:,.0f} h (100 years): the model is for horizons of days to decades, "
                f"so a longer time is taken as a typo; got {got}")
    field = path.rsplit(".", 1)[-1].split("[", 1)[0]
    why = _LIMIT_WHY.get(field, "a larger value is taken as a typo")
    if isinstance(limit, (int, float)) and math.isfinite(limit):
        shown_limit = f"{int(limit):,}" if float(limit).is_integer() else f"{limit:,g}"
    else:
        shown_limit = str(limit)
    return f"expected {op} {shown_limit} ({why}); got {got}"


def _read_as(value: Any) -> tuple[str, str] | None:
    """(what YAML read a plain scalar as, how it was likely written) for a scalar that is not text: `yes` for
    True, `1e3` for 1000.0, `null` for None; None for text and collections."""
    if value is None:
        return "null (YAML reads ~ and null as no value)", "null"
    if isinstance(value, bool):
        return "a yes/no value", "yes" if value else "no"
    if isinstance(value, int):
        return f"the number {shown(value)}", shown(value)
    if isinstance(value, float):
        return f"the number {value!r}", as_written(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}", value.isoformat()
    return None


def quote_hint(key: str, value: Any, written: str | None = None) -> str | None:
    """What to write when a key that takes text got another kind of value from YAML's implicit typing
    (`name: 1e3` is a number, `name: 2024-01-01` a date, `cargo: no` a yes/no), or None for other values:
    the one wording of this slip, for every text key of every file. `written`: the value's text in the file
    when known (`0x1F` for 31, `on` for a yes, `~` for no value), quoted as the user wrote it."""
    if value is None and not written:  # `name:` with nothing after it: there is nothing to quote
        return None
    said = _read_as(value)
    if said is None:
        return None
    kind = "no value (YAML reads an unquoted ~ or null as none)" if value is None else \
        f"{said[0]} (YAML reads an unquoted number, date or yes/no as one)"
    return f"expected text, got {kind} — put it in quotes to keep it as text, e.g. {key}: \"{written or said[1]}\""


def as_written(value: float) -> str:
    """How a float was probably written: 1e3 for 1000.0 (a whole float of YAML had a '.' or an exponent,
    and a name is likelier `1e3` than `1000.0`), 2.5 as 2.5, inf as .inf."""
    if not math.isfinite(value):  # YAML spells these .inf, -.inf and .nan only; 'inf' would be text
        return ".nan" if math.isnan(value) else ".inf" if value > 0 else "-.inf"
    if value.is_integer() and abs(value) >= 1000:
        mantissa, exponent = f"{value:e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return repr(value)


def _keyed_items(got: Any, key: str = "") -> str:
    """A named list (`checks`, `disruptions`) written as a mapping keyed by the items' names — as `--set
    checks.customs.time` names an item — said with the list to write instead; "" for any other value."""
    if not isinstance(got, dict) or not got or not all(isinstance(v, dict) for v in got.values()):
        return ""
    first = next(iter(got))
    names = ", ".join(map(str, list(got)[:3])) + (", …" if len(got) > 3 else "")
    return (f"expected a list of items, each with its name: `{key}: [{{name: {first}, …}}, …]` (one `- name: …` a "
            f"line); got a mapping keyed by {names}. In a file that extends another, the items merge with the "
            f"base's by name")


def describe_validation_error(exc: ValidationError, spelled: Callable[[str, Any], str | None] | None = None
                              ) -> list[tuple[str, str]]:
    """Pydantic errors as (key path, plain message naming what was expected); `spelled(path, value)`, when
    given, is how the file wrote a value (sim.scenario.yamltext.spelled_in), for a hint to quote it back."""
    problems: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ScenarioRuleError):
            prefix = _key_path(loc)
            for path, msg in cause.problems:
                problems.append((f"{prefix}.{path}" if prefix else path, msg))
            continue
        kind = err.get("type", "")
        msg = err.get("msg", "invalid value")
        if kind == "string_pattern_mismatch":  # the only pattern is that of names (cargo, checks, …)
            msg = (f"expected a name: an ASCII letter, then ASCII letters, digits, _ or - (names become key paths, "
                   f"column and file names); got {shown(err.get('input'))}")
            kind = "value_error"
        if loc and loc[-1] == "[key]":  # a mapping key of the wrong type, e.g. `1:` or `null:`
            loc = loc[:-1]
            if kind != "value_error":
                said = _read_as(err.get("input"))  # `yes:` was 'cargo[1] … got True (e.g. "True":)'
                if said is not None:
                    loc = (*loc[:-1], said[1])
                msg = (f"keys here must be names (text), got {said[0]}; put such a key in quotes (e.g. \"{said[1]}\":)"
                       if said else f"keys here must be names (text), got {shown(err.get('input'))}")
            kind = "value_error"
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if kind == "string_type":
            written = spelled(_key_path(loc), err.get("input")) if spelled is not None else None
            hint = quote_hint(leaf_key(_key_path(loc)), err.get("input"), written)
        else:
            hint = None
        if hint is not None:
            msg = hint
        elif kind == "extra_forbidden":
            unseen = unseen_characters(str(loc[-1])) if loc else None
            msg = (f"unknown key: {shown(loc[-1])} holds {unseen}, which one cannot see; type the key again"
                   if unseen else "unknown key (check its spelling and place; `dostyk schema` lists every key)")
        elif kind == "missing":
            msg = "required key is missing"
        elif kind == "list_type" and _keyed_items(err.get("input")):
            msg = _keyed_items(err.get("input"), leaf_key(_key_path(loc)))
        elif kind in ("less_than_equal", "less_than"):
            msg = _at_most(_key_path(loc), err.get("ctx") or {}, err.get("input"))
        elif "input" in err and not kind.startswith("value_error"):
            got = err["input"]  # None and True are Python's words: YAML's ~ and yes are said in words, and a list
            # or mapping by its kind (`name: [a]` was 'Input should be a valid string', nothing more)
            plain = not (got is None or isinstance(got, (bool, dict, list)))
            msg = f"{msg}; got {shown(got) if plain else kind_in_words(got)}"
        path = _key_path(loc)
        if (path, msg) not in seen:  # a set: a list's `in` made 100,000 bad items take 90 s
            seen.add((path, msg))
            problems.append((path, msg))
    return problems
