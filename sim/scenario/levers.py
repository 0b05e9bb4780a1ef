"""Which key paths are levers, and one spelling for each: the registry every command uses.

A lever is a scenario value whose change changes what is simulated. Not levers, in any command
(sweep --vary, compare --set N:, calibrate parameters, optimize and sensitivity --lever):
- run settings that have their own options: `seed` (every point of an experiment runs the same
  seed, so that points differ only by their levers) and `replications`;
- labels, which change no number: `name`, `description`, and the `name` of a check or disruption.
In a search (calibrate, optimize, sensitivity), which compares its candidates by their KPIs, the
period those KPIs cover (`start`, `duration`, `warmup`) is not a lever either: candidates would be
compared over different days, and a search would pick the period that flatters the objective. A
sweep or a comparison may vary the period: there every point is shown, and compare warns.

A list item is named by its index or by its `name` (`checks[2].trains_per_day` and
`checks.handover.trains_per_day`, also under `crossings.<name>.`): `canonical` gives the one spelling
of a lever (by name where the item has one), so that one lever is one lever whatever its spelling,
in duplicates and in `costs.levers` alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sim.errors import option
from sim.scenario.keypaths import KeyPathError, _split, _step, overlaps, resolve


@dataclass(frozen=True)
class LeverUse:
    """How a command uses levers: what each of its runs is called, and whether it searches among them."""

    unit: str            # "grid point", "candidate", …: what runs once per lever setting
    search: bool         # candidates are compared by their KPIs (then the period is no lever)


SWEEP = LeverUse("grid point", False)
COMPARE = LeverUse("scenario", False)
SEARCH = LeverUse("candidate", True)  # calibrate and optimize
SENSITIVITY = LeverUse("design point", True)

#: the period the KPIs cover: no lever in a search
PERIOD_KEYS = ("start", "duration", "warmup")


def _not_lever(key: tuple[str | int, ...], use: LeverUse) -> str | None:
    """Why the value at canonical `key` is no lever for `use` (None when it is one)."""
    top = str(key[0]) if key else ""
    if len(key) == 1 and top == "seed":
        return (f"not a lever: every {use.unit} runs with the same seed (common random numbers), so that they "
                f"differ only by their levers; give the seed with {option('--seed', 'seed=')}, or run once per seed")
    if len(key) == 1 and top == "replications":
        return (f"not a lever: every {use.unit} runs the same replications; give them with "
                f"{option('--replications', 'replications=')}")
    if len(key) == 1 and top == "name":
        return "not a lever: a name labels the results and changes no number"
    if len(key) == 1 and top == "description":
        return "not a lever: a description changes no number"
    if len(key) > 1 and key[-1] == "name" and isinstance(key[-2], int):  # a list item's name, not a cargo "name"
        return "not a lever: a name labels a check or disruption and changes no number"
    if use.search and len(key) == 1 and top in PERIOD_KEYS:
        return (f"not a lever of a search: {top} sets the period the KPIs cover, so {use.unit}s would be "
                f"compared over different days; compare periods with `dostyk sweep --vary {top}=…` or "
                f"`dostyk compare`")
    return None


def canonical(data: dict[str, Any], path: str) -> str:
    """The one spelling of `path` in `data`: list items by `name` where they have one, else `[index]`.

    `checks[2].trains_per_day` and `checks.handover.trains_per_day` give the same text. Raises
    KeyPathError (as `--set` does) when the path names nothing.
    """
    node: Any = data
    out = ""
    for part in resolve(data, path):
        if isinstance(part, int):
            node = node[part]
            name = node.get("name") if isinstance(node, dict) else None
            out += f".{name}" if isinstance(name, str) and name else f"[{part}]"
        else:
            node = node.get(part) if isinstance(node, dict) else None
            out += f".{part}" if out else part
    return out


def not_a_lever(data: dict[str, Any], path: str, use: LeverUse) -> str | None:
    """Why `path` is no lever for `use`, or None (also when it names nothing: the caller says that)."""
    try:
        return _not_lever(resolve(data, path), use)
    except KeyPathError:
        return None


def lever_problems(data: dict[str, Any], paths: Sequence[str], use: LeverUse,
                   twice: str = "; give each lever once") -> list[tuple[str, str]]:
    """(path, why) for every path that is no lever, and for each one naming a lever already named
    (by index and by name) or a value inside another."""
    problems = [(path, why) for path in paths if (why := not_a_lever(data, path, use)) is not None]
    problems += [(later, f"{why}{twice}") for _, later, why in overlaps(data, list(paths))]
    return problems


def value_at(data: dict[str, Any], path: str) -> Any:
    """The value at an existing key path (same grammar as --set); KeyPathError when there is none."""
    parts = _split(path)
    if not parts:
        raise KeyPathError(path, "empty key path")
    node: Any = data
    for depth, part in enumerate(parts):
        node = _step(node, part, path, parts[: depth + 1])
    return node


def cost_problems(data: dict[str, Any], paths: Iterable[str]) -> list[tuple[str, str]]:
    """(costs.levers.PATH, why) for each lever cost that names no numeric lever of the scenario, or a
    lever already costed under its other spelling (by index and by name): a misspelt key would
    silently cost nothing, and one lever would have two costs."""
    problems = []
    seen: dict[str, str] = {}
    for path in paths:
        key = f"costs.levers.{path}"
        try:
            value = value_at(data, path)
        except KeyPathError as exc:
            problems.append((key, f"no such key in the scenario ({exc.reason})"))
            continue
        why = not_a_lever(data, path, SEARCH)
        first = seen.setdefault(canonical(data, path), path)
        if why is not None:
            problems.append((key, why))
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            problems.append((key, "does not name a number in the scenario"))
        elif first != path:
            problems.append((key, f"the same lever as costs.levers.{first} (by index and by name); give its cost once"))
    return problems
