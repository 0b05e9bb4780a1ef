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
from sim.scenario.input_file import not_a_path
from sim.scenario.schema import Scenario
from sim.scenario.spelling import Spelled, spelled_in
from sim.scenario.top_level import SCENARIO_KEYS
from sim.scenario.user_file import read_mapping, yaml_mapping
from sim.scenario.yamltext import MAX_FILE_BYTES, parse_yaml

__all__ = ["MAX_FILE_BYTES", "load_scenario", "parse_yaml", "read_scenario_data", "scenario_mapping",
           "validate_scenario"]

#: what a scenario file is, said when a path is a directory or a device
SCENARIO_FILE = "a scenario file (.yaml)"


def read_scenario_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The raw mapping in a scenario file (not yet validated), with its `extends:` resolved
    (sim.scenario.includes: the files it builds on, merged)."""
    data = _read_mapping(Path(path))
    return resolve_extends(data, Path(path), _read_mapping) if uses_extends(data) else data


def _read_mapping(path: Path) -> dict[str, Any]:
    """The parsed mapping in one file, as written (no `extends:` resolved): sim.scenario.user_file, the
    reader of every file a user writes."""
    return read_mapping(path, SCENARIO_FILE, SCENARIO_KEYS)


def scenario_mapping(content: bytes, source: str) -> dict[str, Any]:
    """The mapping of keys in a scenario file's bytes, as written (no `extends:` resolved): the one reading of
    a file on disk and of a file uploaded to the workbench, so that both are refused in the same words (size
    limit, UTF-8, safe YAML, a mapping: an empty file is said to be empty)."""
    return yaml_mapping(content, source, SCENARIO_KEYS)


def load_scenario(
    path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> Scenario:
    """Load, apply dotted-path overrides (`--set`), and validate a scenario file."""
    why = not_a_path(path, SCENARIO_FILE)
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
