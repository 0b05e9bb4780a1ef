"""Reading scenario files: safe YAML in, a validated Scenario or one clear ScenarioError out.

Nothing in a file is ever evaluated: PyYAML's safe loader builds only plain data, aliases are
refused (a "billion laughs" file expands aliases exponentially), and files over a size limit are
refused before they are parsed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.includes import resolve_extends, uses_extends
from sim.scenario.schema import Scenario

MAX_FILE_BYTES = 1_000_000


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
        return yaml.load(text, Loader=_NoAliasLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown position"
        raise ScenarioError(source, [("", f"not valid YAML at {where}: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [("", f"not valid YAML: {exc}")]) from None
    except RecursionError:
        raise ScenarioError(source, [("", "YAML nesting is too deep")]) from None


def read_scenario_data(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The raw mapping in a scenario file (not yet validated), with its `extends:` resolved
    (sim.scenario.includes: the files it builds on, merged)."""
    data = _read_mapping(Path(path))
    return resolve_extends(data, Path(path), _read_mapping) if uses_extends(data) else data


def _read_mapping(path: Path) -> dict[str, Any]:
    """The parsed mapping in one file, as written (no `extends:` resolved)."""
    source = str(path)
    p = Path(path)
    if p.is_dir():
        raise ScenarioError(source, [("", "is a directory; expected a scenario file (.yaml)")])
    if not p.is_file():
        raise ScenarioError(source, [("", "no such file" if not p.exists() else "not a regular file")])
    if p.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(source, [("", f"file is larger than {MAX_FILE_BYTES // 1000} kB; refusing to read it")])
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
    data = read_scenario_data(path)
    return validate_scenario(data, str(path), overrides)


def validate_scenario(data: Any, source: str, overrides: dict[str, Any] | None = None) -> Scenario:
    """Validate raw data into a Scenario, turning every failure into a ScenarioError."""
    return Scenario.from_data(data, source, overrides)
