"""Reading scenario files: safe YAML in, a validated Scenario or one clear ScenarioError out.

Nothing in a file is ever evaluated: PyYAML's safe loader builds only plain data, aliases are
refused (a "billion laughs" file expands aliases exponentially), and files over a size limit are
refused before they are parsed.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.distributions import MAX_HOURS
from sim.scenario import KeyPathError, Scenario, ScenarioRuleError, set_path

MAX_FILE_BYTES = 1_000_000


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem as (key path, what was expected)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"{self.source}: invalid scenario"]
        for path, message in self.problems:
            lines.append(f"  {path or '(top level)'}: {message}")
        return "\n".join(lines)


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader for hand-edited files: no aliases, no duplicate keys, no construction crashes.

    Aliases are never needed in a scenario and are the vector of "billion laughs" files. A key
    written twice in one mapping is almost always an editing slip, and plain YAML would silently
    keep the last one. A value that a tag cannot build (`!!int x`) becomes a positioned YAML
    error, and a date-like value that is no real date (2023-13-45) stays text, so that the
    schema reports it under its key path.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in scenario files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as exc:  # any failure to build a value is the file's fault
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value as {node.tag.rsplit(':', 1)[-1]} ({exc})", node.start_mark
            ) from None

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            first_line: dict[Any, int] = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                if key in first_line:
                    raise yaml.constructor.ConstructorError(
                        None, None,
                        f"duplicate key {key!r} (first given on line {first_line[key] + 1}); keep only one",
                        key_node.start_mark,
                    )
                first_line[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except Exception:  # e.g. `!!timestamp soon`, or 2023-13-45
            return self.construct_scalar(node)  # not a real date: let the schema say so, with its key


_NoAliasLoader.add_constructor("tag:yaml.org,2002:timestamp", _NoAliasLoader.construct_yaml_timestamp)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text safely; syntax problems become a ScenarioError with line and column."""
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise ScenarioError(source, [("", f"file is larger than {MAX_FILE_BYTES // 1000} kB; refusing to read it")])
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown position"
        raise ScenarioError(source, [("", f"not valid YAML at {where}: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [("", f"not valid YAML: {exc}")]) from None
    except RecursionError:
        raise ScenarioError(source, [("", "YAML nesting is too deep")]) from None


def read_scenario_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The raw mapping in a scenario file (not yet validated)."""
    source = str(path)
    p = Path(path)
    if not p.is_file():
        raise ScenarioError(source, [("", "no such file")])
    if p.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(source, [("", f"file is larger than {MAX_FILE_BYTES // 1000} kB; refusing to read it")])
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, [("", "file is not UTF-8 text")]) from None
    data = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ScenarioError(source, [("", f"expected a mapping of keys (name, duration, cargo, …), got {type(data).__name__}")])
    return data


def load_scenario(
    path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> Scenario:
    """Load, apply dotted-path overrides (`--set`), and validate a scenario file."""
    data = read_scenario_data(path)
    return validate_scenario(data, str(path), overrides)


def validate_scenario(data: Any, source: str, overrides: dict[str, Any] | None = None) -> Scenario:
    """Validate raw data into a Scenario, turning every failure into a ScenarioError."""
    if overrides:
        problems = []
        for key, value in overrides.items():
            try:
                set_path(data, key, value)
            except KeyPathError as exc:
                problems.append((key, f"no such key to set ({exc.reason})"))
        if problems:
            raise ScenarioError(source, problems)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(source, describe_validation_error(exc)) from None


_TAGS = {"fixed", "exponential", "lognormal", "gamma", "triangular", "uniform", "empirical"}


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
            continue
        if part in _TAGS or part.startswith("function-") or part == "groups" and loc[:i] == ("unloading",):
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
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if limit == MAX_HOURS:
        return (f"expected {op} {MAX_HOURS:,.0f} h (100 years): the model is for horizons of days to decades, "
                f"so a longer time is taken as a typo; got {shown}")
    field = path.rsplit(".", 1)[-1].split("[", 1)[0]
    why = _LIMIT_WHY.get(field, "a larger value is taken as a typo")
    if isinstance(limit, (int, float)) and math.isfinite(limit):
        shown_limit = f"{int(limit):,}" if float(limit).is_integer() else f"{limit:,g}"
    else:
        shown_limit = str(limit)
    return f"expected {op} {shown_limit} ({why}); got {shown}"


def describe_validation_error(exc: ValidationError) -> list[tuple[str, str]]:
    """Pydantic errors as (key path, plain message naming what was expected)."""
    problems: list[tuple[str, str]] = []
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
        if loc and loc[-1] == "[key]":  # a mapping key of the wrong type, e.g. `1:` or `null:`
            loc = loc[:-1]
            msg = f"keys here must be names (text), got {err.get('input')!r}"
            kind = "value_error"
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if kind == "extra_forbidden":
            msg = "unknown key (check its spelling and place; `dostyk schema` lists every key)"
        elif kind == "missing":
            msg = "required key is missing"
        elif kind in ("less_than_equal", "less_than"):
            msg = _at_most(_key_path(loc), err.get("ctx") or {}, err.get("input"))
        elif "input" in err and not kind.startswith("value_error") and not isinstance(err["input"], (dict, list)):
            shown = repr(err["input"])
            if len(shown) > 60:
                shown = shown[:57] + "..."
            msg = f"{msg}; got {shown}"
        path = _key_path(loc)
        if (path, msg) not in problems:
            problems.append((path, msg))
    return problems
