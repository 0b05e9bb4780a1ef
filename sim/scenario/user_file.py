"""The one reader of a file a user writes: scenarios and the files they extend, uploads, targets and
calibration files, a history replay's evidence, experiment files, a SOURCES.md, observed durations.

Each kind of file was read its own way, and the same defect was refused in other words by each: a file
that is not UTF-8 was "file is not UTF-8 text (expected YAML saved as UTF-8)" as a scenario, "file is not
UTF-8 text" as targets, "cannot be read as UTF-8 text ('utf-8' codec can't decode…)" as an experiment
and a traceback as a replay's evidence. Here a path is looked at (sim.scenario.input_file), its size
bounded, its bytes read and decoded, and a YAML file's text parsed into its mapping of keys
(sim.scenario.top_level), once, so that each refusal is worded the same whatever the file: a
ScenarioError naming the file, which a caller re-heads with its own kind (`invalid targets file`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sim.scenario.errors import ScenarioError
from sim.scenario.input_file import unreadable
from sim.scenario.top_level import parse_mapping
from sim.scenario.yamltext import MAX_FILE_BYTES, size_problem

#: the format each kind of text file is saved in, as a refusal of other bytes names it
YAML = "YAML"


def not_utf8(form: str = YAML) -> str:
    """The one wording of a file whose bytes are not UTF-8 (a spreadsheet, a UTF-16 file, an image)."""
    return f"file is not UTF-8 text (expected {form} saved as UTF-8)"


def decoded(content: bytes, source: str, form: str = YAML, max_bytes: int | None = MAX_FILE_BYTES) -> str:
    """The text of a file's bytes: refused over `max_bytes` (before decoding: 30 MB of bytes are not decoded
    to be refused) and when they are not UTF-8; a byte order mark is kept (YAML skips it, a table reader
    strips it)."""
    too_large = None if max_bytes is None else size_problem(len(content), max_bytes)
    if too_large is not None:
        raise ScenarioError(source, [("", too_large)])
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(source, [("", not_utf8(form))]) from None


def read_text(path: str | os.PathLike[str], expected: str, form: str = YAML, max_bytes: int | None = MAX_FILE_BYTES) -> str:
    """The text of the file at `path` (`expected`: what it should be, e.g. "a targets file (.yaml)", said
    when the path is a directory or a device); a ScenarioError naming the file when it cannot be read."""
    p = Path(path)
    source = str(path)
    why = unreadable(p, expected, max_bytes)
    if why is not None:
        raise ScenarioError(source, [("", why)])
    try:
        content = p.read_bytes()
    except OSError as exc:  # e.g. no permission to read it
        raise ScenarioError(source, [("", f"cannot be read: {exc.strerror or exc}")]) from None
    return decoded(content, source, form, max_bytes)


def yaml_mapping(content: bytes, source: str, keys: str) -> dict[str, Any]:
    """The mapping of keys in a YAML file's bytes (`keys`: what it must hold, said when it holds anything
    else): the reading of a file on disk and of one uploaded to the workbench."""
    return parse_mapping(decoded(content, source), source, keys)


def read_mapping(path: str | os.PathLike[str], expected: str, keys: str) -> dict[str, Any]:
    """The mapping of keys in the YAML file at `path`, as written (no `extends:` resolved); `expected` names
    the kind of file (a directory or a device is refused saying so), `keys` what it must hold."""
    return parse_mapping(read_text(path, expected), str(path), keys)
