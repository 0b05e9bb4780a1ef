"""How a user wrote each plain value that YAML reads as something other than text, for a refusal to quote
it back as written: `name: 0x1F` is the number 31 and must be told to write `name: "0x1F"`, not
`name: "31"`; `name: on` is a yes/no value and must be told `name: "on"`, not `name: 'yes'`; `name: ~`
is no value and must be told `name: "~"`.

The spellings come from the file's text (spelled_in: read and composed again only when a refusal asks,
never while a valid file loads) or from the text of a value given on the command line (`--set name=0x1F`:
GivenValues keeps each one's text). A spelling is used only where it reads as the value a refusal quotes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from sim.errors import SimError
from sim.scenario.keypaths import path_parts
from sim.scenario.yamltext import PLAIN_TAG, compose_plain, yaml12_number

#: how the value at a key path was written, when that text reads as the value (None: not known)
Spelled = Callable[[str, Any], "str | None"]

_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
#: YAML 1.1's words for yes (PyYAML's resolver: yes, true and on in three cases each)
_YES = ("yes", "true", "on")


def _reading(node: Any) -> tuple[bool, Any]:
    """(whether YAML reads the plain scalar `node` as something other than text, what it reads it as)."""
    if node.tag == PLAIN_TAG:
        number = yaml12_number(node.value)
        return number is not None, number
    if node.tag == _BOOL and node.style is None:
        return True, node.value.lower() in _YES
    if node.tag == _NULL and node.style is None:
        return True, None
    return False, None


def plain_spellings(text: str, at: str = "") -> dict[str, tuple[str, Any]]:
    """Key path (under `at`) -> (the text, what YAML reads it as) of each plain value of `text` that YAML reads
    as a number, a yes/no value or no value; composed only, nothing built ({} for text YAML refuses)."""
    found: dict[str, tuple[str, Any]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, yaml.ScalarNode):
            other, value = _reading(node)
            if other:
                found[path] = (node.value, value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    walk(value, f"{path}.{key.value}" if path else str(key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                walk(value, f"{path}[{i}]")

    try:
        walk(compose_plain(text), at)
    except (yaml.YAMLError, RecursionError):
        return {}
    return found


def number_spellings(text: str) -> dict[str, str]:
    """Key path -> the text of each plain value of `text` that YAML reads as a number (`0x1F` is 31)."""
    return {path: written for path, (written, value) in plain_spellings(text).items()
            if isinstance(value, (int, float)) and not isinstance(value, bool)}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def _if_same(found: tuple[str, Any] | None, value: Any) -> str | None:
    return found[0] if found is not None and _same(found[1], value) else None


def spelled_in(read: Callable[[], str]) -> Spelled:
    """How the file `read()` returns wrote the plain value at a key path, if it reads as the value a refusal
    quotes; the file is read and composed again only when a refusal asks."""
    spellings: list[dict[str, tuple[str, Any]]] = []

    def spelled(path: str, value: Any) -> str | None:
        if not spellings:
            try:
                spellings.append(plain_spellings(read()))
            except (OSError, ValueError, SimError):  # gone or changed since it was read: nothing to quote
                spellings.append({})
        return _if_same(spellings[0].get(path), value)

    return spelled


class GivenValues(dict[str, Any]):
    """Values given as text (`--set key.path=value`), parsed, each with the text it was given as (`texts`), for
    a refusal to quote a value as the user typed it; a plain dict of the values to everything else."""

    def __init__(self, values: Mapping[str, Any] | None = None, texts: Mapping[str, str] | None = None) -> None:
        super().__init__(values or {})
        self.texts = dict(texts or {})

    def merged(self, other: Mapping[str, Any]) -> GivenValues:
        """These values with `other`'s on top, each still with its text (`{**a, **b}` would lose them)."""
        return GivenValues({**self, **other}, {**self.texts, **getattr(other, "texts", {})})


def given_texts(overrides: Mapping[str, Any] | None) -> dict[str, str]:
    """The text each value of `overrides` was given as, when they were given as text (GivenValues)."""
    return dict(getattr(overrides, "texts", None) or {})


def spelled_given(given: list[tuple[tuple[str | int, ...], str, str]], otherwise: Spelled | None) -> Spelled:
    """How a value under one of the `given` (canonical key path, path as given, text) was typed; `otherwise`
    for any other value (the file's spellings)."""
    def spelled(path: str, value: Any) -> str | None:
        parts = tuple(path_parts(path))
        for key, as_given, text in given:
            if parts[:len(key)] == key:
                below = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts[len(key):])
                return _if_same(plain_spellings(text, as_given).get(as_given + below), value)
        return otherwise(path, value) if otherwise is not None else None

    return spelled
