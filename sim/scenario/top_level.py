"""What a user's YAML file holds at its top level, said in the user's words.

Every file a user writes (scenarios, the files they extend, uploads, targets and history evidence,
experiment files) must hold a mapping of keys. When it does not, the refusal names what the file
holds as its author would: an empty file is said to be empty, and a list, a number or text is
named so, never by Python's type names (NoneType, list, int, str).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.quoting import kind_in_words
from sim.scenario.yamltext import parse_yaml

#: what a scenario file must hold, for a file that holds something else
SCENARIO_KEYS = ("a mapping of keys such as name, duration, cargo, demand and unloading (a scenario: "
                 "scenarios/baseline_2023.yaml is a complete one; `dostyk schema` lists every key)")


#: the tokens of a YAML stream that hold no value (comments are no tokens; %YAML directives hold none)
_MARKERS = (yaml.StreamStartToken, yaml.StreamEndToken, yaml.DocumentStartToken, yaml.DocumentEndToken,
            yaml.DirectiveToken)


def holds_nothing(text: str) -> bool:
    """Whether YAML text holds no value at all: nothing, blank lines, comments, `---` or `...` only
    (`~` or `null` is a value, said to be none)."""
    if _blank(text):
        return True
    try:
        return all(isinstance(token, _MARKERS) for token in yaml.scan(text.lstrip("\ufeff"), Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return False


def mapping_problem(data: Any, text: str, expected: str) -> str | None:
    """Why parsed `data` (read from `text`) is not the mapping of keys a file must hold, or None when it is one."""
    if isinstance(data, Mapping):
        return None
    if data is None and holds_nothing(text):
        return f"the file is empty (nothing but blank lines or comments); expected {expected}"
    return f"the file holds {kind_in_words(data)}; expected {expected}"


def parse_mapping(text: str, source: str, expected: str) -> dict[str, Any]:
    """The mapping of keys in a user's YAML text (parse_yaml's safety and refusals); a ScenarioError naming
    `source` when the text holds anything else, said by mapping_problem."""
    try:
        data = None if _blank(text) else parse_yaml(text, source)
    except ScenarioError:
        if not holds_nothing(text):  # PyYAML refuses some empty streams: `...` alone
            raise
        data = None
    why = mapping_problem(data, text, expected)
    if why is not None:
        raise ScenarioError(source, [("", why)])
    assert isinstance(data, dict)  # mapping_problem refused every other kind (YAML builds a dict)
    return data


def _blank(text: str) -> bool:
    """Only white space (and a byte order mark): PyYAML refuses a tab on an otherwise blank line."""
    return not text.lstrip("\ufeff").strip()
