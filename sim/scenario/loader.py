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
from sim.scenario.yamltext import MAX_FILE_BYTES, parse_yaml

__all__ = ["MAX_FILE_BYTES", "load_scenario", "parse_yaml", "read_scenario_data", "validate_scenario"]


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
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, [("", "file is not UTF-8 text")]) from None
    except OSError as exc:  # e.g. no permission to read it
        raise ScenarioError(source, [("", f"cannot be read: {exc.strerror or exc}")]) from None
    data = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ScenarioError(source, [("", f"expected a mapping of keys (name, duration, cargo, …), got {type(data).__name__}")])
    return data


def load_scenario(
    path: str | os.PathLike[str], overrides: dict[str, Any] | None = None
) -> Scenario:
    """Load, apply dotted-path overrides (`--set`), and validate a scenario file."""
    why = not_a_path(path, "a scenario file (.yaml)")
    if why is not None:
        hint = " (data already in Python: sim.Scenario.from_data(data, 'its name'))" if isinstance(path, dict) else ""
        raise ScenarioError("sim.load_scenario", [("path", why + hint)])
    data = read_scenario_data(path)
    return validate_scenario(data, str(path), overrides)


def validate_scenario(data: Any, source: str, overrides: dict[str, Any] | None = None) -> Scenario:
    """Validate raw data into a Scenario, turning every failure into a ScenarioError."""
    return Scenario.from_data(data, source, overrides)
