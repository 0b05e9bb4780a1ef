"""Which kind of dostyk file a mapping is, told by the keys at its top.

A scenario, a targets file, a history replay's evidence and an experiment file are all YAML mappings,
so a file given to the wrong command (`dostyk run scenarios/targets/jan2024.yaml`, a scenario as
`--targets`, an experiment file to `validate`) was refused with a list of "required key is missing"
and "unknown key" lines that never said what the file is. A file that holds none of the keys of the
kind expected and some of another kind's is told what it is and which command reads it instead.
Only such a file: anything holding a key of the kind expected is left to that kind's own checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FileKind:
    """A kind of file: how to name it, the top-level keys only it has, and where it is used."""

    what: str
    marks: tuple[str, ...]
    use: str


SCENARIO = FileKind("a scenario", ("extends", "name", "duration", "start", "warmup", "cargo", "demand", "crossings",
                                   "checks", "unloading", "line", "yard", "disruptions", "policies", "routing",
                                   "initial_state", "costs"),
                    "give it as the SCENARIO argument, e.g. `dostyk run FILE`")
TARGETS = FileKind("a targets file", ("targets", "parameters"),
                   "give it to `dostyk calibrate SCENARIO --targets FILE`")
EVIDENCE = FileKind("a history replay's evidence", ("targets", "parameters", "calibration", "changes"),
                    "`dostyk history` reads it beside its replay (scenarios/history/evidence/NAME.yaml)")
EXPERIMENT = FileKind("an experiment file", ("baseline", "variants", "kpis", "select"),
                      "run it with `dostyk experiment FILE`")
#: the kinds told apart, most specific first (evidence is a targets file with `changes` or `calibration`)
KINDS = (EXPERIMENT, EVIDENCE, TARGETS, SCENARIO)


def kind_of(data: Mapping[str, Any]) -> FileKind | None:
    """The kind of file whose keys `data` holds at its top, or None when it holds none of any kind's."""
    keys = set(map(str, data))
    if keys & {"changes", "calibration"} and keys & set(EVIDENCE.marks) - {"changes"}:
        return EVIDENCE
    for kind in (EXPERIMENT, TARGETS, SCENARIO):
        if keys & set(kind.marks):
            return kind
    return None


def wrong_kind(data: Any, expected: FileKind) -> str | None:
    """Why `data` is refused as the `expected` kind when it is plainly another kind of file, in words
    that say what it is and where it goes; None when it may be the expected kind (its own checks decide)."""
    if not isinstance(data, Mapping) or set(map(str, data)) & set(expected.marks):
        return None
    found = kind_of(data)
    if found is None or found is expected or {found, expected} == {TARGETS, EVIDENCE}:
        return None
    keys = ", ".join(str(k) for k in data if str(k) in found.marks)
    return f"this is {found.what} (it has {keys}), not {expected.what}: {found.use}"
