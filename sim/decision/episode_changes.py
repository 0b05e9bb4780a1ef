"""What a history replay changes in the reference corridor: found by comparing the two, declared by the replay.

An episode is the one corridor (a file in scenarios/corridor/) plus dated changes. A dated window (a
disruption with `from` and `to`) is a change by its nature. Any other key whose value differs from
the corridor's — a demand, a time, a rule, a cargo — must be declared in the replay's
evidence/NAME.yaml under `changes:` (key path: why), the why naming a row of SOURCES.md (V1, C10, B3…),
an ASSUMPTION or what it was fitted to. An undeclared difference is a copy that drifted from the
corridor and is refused; a declared change the replay does not make is stale and is refused too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sim.decision.targets import read_targets_data
from sim.scenario.loader import SCENARIO_FILE, read_scenario_data
from sim.scenario.top_level import SCENARIO_KEYS
from sim.scenario.user_file import read_mapping

CORRIDOR_DIR = "corridor"
#: the folder beside the replays that holds each replay's declarations (evidence/NAME.yaml)
EVIDENCE = "evidence"
#: what a replay's declarations hold, for a file that holds something else
EVIDENCE_KEYS = "a mapping with `targets:` (and optionally `changes:` and `calibration:`)"
#: the heading of a refusal of a replay's declarations
DECLARATIONS = "invalid history declarations"
#: when and how a replay runs, not what the corridor is
FRAME = frozenset({"name", "description", "start", "duration", "warmup", "seed", "replications"})
#: a why must name a SOURCES.md row, an ASSUMPTION or a fit
WHY = re.compile(r"\b[VCB]\d+\b|ASSUMPTION|fitted")


def extends_chain(replay: Path) -> list[Path] | None:
    """The files from a replay to the corridor file it is built on (following `extends:`), both included;
    None when it reaches no corridor file."""
    path, chain = replay.resolve(), []
    while path.parent.name != CORRIDOR_DIR:
        if path in chain or not path.is_file():
            return None
        chain.append(path)
        bases = read_mapping(path, SCENARIO_FILE, SCENARIO_KEYS).get("extends")
        if not bases:
            return None
        path = (path.parent / (bases if isinstance(bases, str) else bases[0])).resolve()
    return [*chain, path]


def evidence_path(replay: Path) -> Path:
    """Where a replay's declarations are: evidence/NAME.yaml beside it."""
    return replay.parent / EVIDENCE / replay.name


def read_evidence(path: Path) -> dict[str, Any]:
    """The mapping in a replay's declarations, read as every file a user writes is (sim.scenario.user_file)."""
    return read_targets_data(path, DECLARATIONS, EVIDENCE_KEYS, f"a replay's declarations ({EVIDENCE}/NAME.yaml)")


def corridor_of(replay: Path) -> Path | None:
    """The corridor file a replay is built on (following `extends:`), or None when it is on none."""
    chain = extends_chain(replay)
    return chain[-1] if chain else None


def inherited_changes(chain: list[Path]) -> dict[str, Any]:
    """The changes declared by the replays a replay extends (a user's replay built on a shipped one):
    what they change in the corridor is declared there, with its why, and need not be said again."""
    out: dict[str, Any] = {}
    for path in chain[1:-1]:
        evidence = evidence_path(path)
        changes = read_evidence(evidence).get("changes") if evidence.is_file() else None
        if isinstance(changes, dict):
            out.update({k: v for k, v in changes.items() if isinstance(k, str) and k not in out})
    return out


def _named(items: Any) -> bool:
    return isinstance(items, list) and bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def flatten(data: Any, where: str = "") -> dict[str, Any]:
    """Leaves by key path; items of named lists (checks, disruptions) by their name."""
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(flatten(v, f"{where}.{k}" if where else str(k)))
        return out
    if _named(data):
        return {k: v for item in data
                for k, v in flatten({k: v for k, v in item.items() if k != "name"}, f"{where}.{item['name']}").items()}
    return {where: data}


def _dated(data: dict[str, Any]) -> set[str]:
    """The disruptions written as dated windows: changes by their nature."""
    items = data.get("disruptions")
    return {f"disruptions.{d['name']}" for d in items or [] if isinstance(d, dict) and d.get("from") and d.get("to")
            and "name" in d} if isinstance(items, list) else set()


def differences(replay: Path, corridor: Path) -> list[str]:
    """Key paths whose value in the replay differs from the corridor's, outside its frame and dated windows."""
    mine = read_scenario_data(replay)
    return _differences(flatten(mine), flatten(read_scenario_data(corridor)), _dated(mine))


def _differences(a: dict[str, Any], base: dict[str, Any], exempt: set[str]) -> list[str]:
    """`differences` of the replay's leaves `a` and the corridor's, leaving out the `exempt` dated windows."""
    absent = object()
    return sorted(k for k in set(a) | set(base)
                  if a.get(k, absent) != base.get(k, absent) and k.split(".", 1)[0] not in FRAME
                  and not any(k == e or k.startswith(e + ".") for e in exempt))


def change_problems(replay: Path, declared: Any) -> list[tuple[str, str]]:
    """What is wrong with a replay's `changes:` against what it really changes in its corridor."""
    if declared is None:
        declared = {}
    if not isinstance(declared, dict) or not all(isinstance(k, str) for k in declared):
        return [("changes", "expected a mapping of key path: why (a SOURCES.md row, ASSUMPTION or fitted)")]
    chain = extends_chain(replay)
    if chain is None:
        return [("", (f"{replay.name} is not built on the reference corridor (no `extends:` reaching scenarios/"
                     f"{CORRIDOR_DIR}/): an episode is the corridor plus dated changes"))]
    corridor = chain[-1]
    mine = read_scenario_data(replay)
    leaves, base = flatten(mine), flatten(read_scenario_data(corridor))
    found = _differences(leaves, base, _dated(mine))
    problems = [(f"changes.{k}", "say why: name a SOURCES.md row (V1, C10, B3…), ASSUMPTION or what was fitted")
                for k, why in declared.items() if not isinstance(why, str) or not WHY.search(why)]
    def under(key: str) -> list[str]:  # the differences a declaration of `key` covers: it and what is below it
        return [f for f in found if f == key or f.startswith(key + ".")]

    covered = {k: under(k) for k in declared}
    problems += [(f"changes.{k}", f"{replay.name} does not change this key of {corridor.name}: remove the declaration")
                 for k, hit in covered.items() if not hit]
    # a replay built on another replay inherits its declarations (never stale here: this one may undo them)
    covered.update({k: under(k) for k in inherited_changes(chain) if k not in covered})
    undeclared = [f for f in found if not any(f in hit for hit in covered.values())]
    problems += [("changes", (f"{replay.name} changes {f} of {corridor.name} ({base.get(f, 'absent')!r} -> "
                              f"{leaves.get(f, 'absent')!r}) without a dated window: declare it here with why, or "
                              "take the corridor's value"))
                 for f in undeclared]
    return problems
