"""Reading scenario files: a validated Scenario or one clear ScenarioError out.

The text becomes plain data in sim.scenario.yamltext (safe, YAML 1.2 meanings, no aliases, no
duplicate keys); files over a size limit are refused before they are read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.scenario.errors import ScenarioError
from sim.scenario.includes import resolve_extends, uses_extends
from sim.scenario.input_file import not_a_path, unreadable
from sim.scenario.schema import Scenario
from sim.scenario.top_level import SCENARIO_KEYS, parse_mapping
from sim.scenario.yamltext import MAX_FILE_BYTES, Spelled, parse_yaml, size_problem, spelled_in

__all__ = ["MAX_FILE_BYTES", "load_scenario", "parse_yaml", "read_scenario_data", "scenario_mapping",
           "validate_scenario"]

#: a scenario file's bytes that are not UTF-8 (a spreadsheet, a UTF-16 file, an image)
NOT_UTF8 = "file is not UTF-8 text (expected YAML saved as UTF-8)"


def read_scenario_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The raw mapping in a scenario file (not yet validated), with its `extends:` resolved
    (sim.scenario.includes: the files it builds on, merged)."""
    data = _read_mapping(Path(path))
    return resolve_extends(data, Path(path), _read_mapping) if uses_extends(data) else data


def _read_mapping(path: Path) -> dict[str, Any]:
    """The parsed mapping in one file, as written (no `extends:` resolved)."""
    source = str(path)
    p = Path(path)
    why = unreadable(p, "a scenario file (.yaml)")
    if why is not None:
        raise ScenarioError(source, [("", why)])
    try:
        content = p.read_bytes()
    except OSError as exc:  # e.g. no permission to read it
        raise ScenarioError(source, [("", f"cannot be read: {exc.strerror or exc}")]) from None
    return scenario_mapping(content, source)


def scenario_mapping(content: bytes, source: str) -> dict[str, Any]:
    """The mapping of keys in a scenario file's bytes, as written (no `extends:` resolved): the one reading of
    a file on disk and of a file uploaded to the workbench, so that both are refused in the same words (size
    limit, UTF-8, safe YAML, a mapping: an empty file is said to be empty)."""
    too_large = size_problem(len(content))  # before decoding: 30 MB of bytes are not decoded to be refused
    if too_large is not None:
        raise ScenarioError(source, [("", too_large)])
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, [("", NOT_UTF8)]) from None
    return parse_mapping(text, source, SCENARIO_KEYS)


def load_scenario(
    path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> Scenario:
    """Load, apply dotted-path overrides (`--set`), and validate a scenario file."""
    why = not_a_path(path, "a scenario file (.yaml)")
    if why is not None:
        hint = " (data already in Python: sim.Scenario.from_data(data, 'its name'))" if isinstance(path, dict) else ""
        raise ScenarioError("sim.load_scenario", [("path", why + hint)])
    data = read_scenario_data(path)
    return validate_scenario(data, str(path), overrides, spelled_in(lambda: Path(path).read_text(encoding="utf-8")))


def validate_scenario(data: Any, source: str, overrides: dict[str, Any] | None = None,
                      spelled: Spelled | None = None) -> Scenario:
    """Validate raw data into a Scenario, turning every failure into a ScenarioError (`spelled`: how the
    file wrote its values, for hints that quote one back)."""
    return Scenario.from_data(data, source, overrides, spelled)
