"""How a refusal quotes what a user wrote: a value cut to a readable length, and what kind of value it
is in the user's words ('a list of 2 items', 'the number 42', 'blank text'), never Python's type names
(NoneType, list, int, str), which a user who wrote YAML or JSON never met."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Mapping
from typing import Any

from sim.units import count_text


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: its repr, cut to `limit` characters; an int too long to print
    (Python refuses to over 4,300 digits, and a ValueError replaced the whole message) as its order of
    magnitude."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**40:
        return count_text(value)
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def kind_in_words(value: Any) -> str:
    """What a parsed YAML value is, as its author would say it: 'a list of 2 items', 'the number 42'."""
    if value is None:
        return "no value (null: YAML reads ~, null and an empty value as none)"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, (int, float)):
        return f"the number {shown(value)}"
    if isinstance(value, str):
        return f"the text {shown(value)}" if value.strip() else f"blank text ({shown(value)})"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}"
    if isinstance(value, Mapping):
        return "a mapping of keys"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value):,} item{'' if len(value) == 1 else 's'}" if value else "an empty list"
    if isinstance(value, (set, frozenset)):
        return "a set (!!set)"
    if isinstance(value, bytes):
        return "binary data (!!binary)"
    return _object_in_words(value)


def argument_in_words(value: Any) -> str:
    """What a Python caller passed, in words as kind_in_words says a file's value, but None and True as Python
    writes them (a caller of sim.run never wrote YAML's ~): 'None (no value)', 'a yes/no value (True)'."""
    if value is None:
        return "None (no value)"
    if isinstance(value, bool):
        return f"a yes/no value ({value})"
    return kind_in_words(value)


#: what a Python caller may pass where something else is expected, in words, by the name of its class (this
#: module is below the ones that define them); the name a caller types follows in brackets
_OBJECTS = {
    "Scenario": "a scenario (sim.Scenario)",
    "Results": "the results of one run (sim.Results)",
    "Comparison": "the results of a comparison (what sim.compare returns)",
    "SweepResult": "the results of a sweep (what sim.sweep returns)",
    "WarmupSuggestion": "a warm-up suggestion (what sim.suggest_warmup returns)",
    "DataFrame": "a table (a pandas DataFrame)",
    "Series": "a column of values (a pandas Series)",
    "ndarray": "an array of values (numpy)",
}


def _object_in_words(value: Any) -> str:
    """A value no YAML file holds, as a Python caller would say it: 'a table (a pandas DataFrame)', 'a path'."""
    for cls in type(value).__mro__:
        if cls.__name__ in _OBJECTS:
            return _OBJECTS[cls.__name__]
    if isinstance(value, os.PathLike):
        return f"the path {shown(os.fspath(value))}"
    if isinstance(value, type):
        return "a class (not an instance of it)"
    if callable(value):
        return "a function (not what it returns)"
    return "a value of another kind"


def unseen_characters(text: str) -> str | None:
    """The characters of `text` one cannot see or tell from a space (a byte order mark, a zero-width or
    no-break space pasted from a web page), named with their code points, or None: `na<U+200B>me:` read
    as 'name: unknown key', a refusal nobody could act on."""
    unseen = dict.fromkeys(ch for ch in text if not ch.isprintable() or (ch.isspace() and ch != " "))
    if not unseen:
        return None
    return ", ".join(f"U+{ord(ch):04X} ({unicodedata.name(ch, 'a control character').lower()})" for ch in unseen)
