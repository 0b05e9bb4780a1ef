"""User YAML text to plain data: the one reader of scenario files, `--set`/`--vary` values,
lever bounds and targets files, with YAML 1.2 meanings and a refusal wherever YAML 1.1 differs.

PyYAML implements YAML 1.1, which reads `20:00` as 1200 (base 60), `1:30` as 90, `010` as 8
(octal) and `1_000` as 1000; YAML 1.2 (and a person) reads text, text, 10 and text. A plain value
whose two readings differ is refused with its key path, its line and both readings: neither
reading may be applied silently, since files are written for either. Values that YAML 1.1 reads
as text but YAML 1.2 as a number (`1e3`, `0o10`) are read as YAML 1.2 does; dates stay text, for
the schema to read (and to refuse one with a time zone). yes/no/on/off keep their YAML 1.1 reading
(yes or no), which the schema refuses everywhere except `share_unused`.

Nothing is ever evaluated: only PyYAML's safe constructors build values, aliases are refused
(a "billion laughs" file expands aliases exponentially), a key given twice is refused with both
lines, a tagged value that cannot be built is a positioned error, and text over a size limit is
refused before it is parsed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.keypaths import named_problems

MAX_FILE_BYTES = 1_000_000

_STR, _INT, _FLOAT = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_TIMESTAMP, _VALUE = "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"
#: the tag given to every plain scalar that YAML 1.1 would read as text, a number or a date
_PLAIN = "tag:dostyk,2024:plain"

# The YAML 1.2 core schema's numbers (https://yaml.org/spec/1.2.2/#1032-tag-resolution)
_INT12 = re.compile(r"[-+]?[0-9]+")
_OCT12 = re.compile(r"0o[0-7]+")
_HEX12 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF12 = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN12 = re.compile(r"\.(nan|NaN|NAN)")


def yaml12_number(text: str) -> int | float | None:
    """What YAML 1.2 (core schema) reads a plain scalar as, if a number; None if text (or another type)."""
    if _INT12.fullmatch(text):
        return int(text, 10)
    if _OCT12.fullmatch(text):
        return int(text[2:], 8)
    if _HEX12.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT12.fullmatch(text):
        return float(text)
    if _INF12.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN12.fullmatch(text):
        return math.nan
    return None


@dataclass(frozen=True)
class Ambiguous:
    """A plain value that YAML 1.1 and YAML 1.2 read differently; refused once its key path is known."""

    text: str
    yaml11: Any
    yaml12: Any
    line: int  # from 1

    def problem(self, with_line: bool) -> str:
        where = f"line {self.line}: " if with_line else ""
        return (f"{where}{self.text} is read differently by the two YAML versions — YAML 1.1 (PyYAML and many "
                f"tools) reads {_reading(self.yaml11, self.text)}, YAML 1.2 reads {_reading(self.yaml12, '')}; "
                f"{_hint(self)}")


def _reading(value: Any, text: str) -> str:
    """A reading in words; `text` (YAML 1.1's spelling) names the base it implies."""
    if isinstance(value, str):
        return f"the text '{value}'"
    base = " (base 60)" if ":" in text else " (octal)" if re.fullmatch(r"[-+]?0[0-7_]+", text) else \
        " (binary)" if "0b" in text else ""
    return f"the number {value!r}{base}"


def _hint(a: Ambiguous) -> str:
    if isinstance(a.yaml12, int) and isinstance(a.yaml11, int):  # 010: octal or decimal
        return (f"write the number you mean without a leading zero ({a.yaml12} or {a.yaml11}), "
                f"or quote it ('{a.text}') if it is text")
    if "_" in a.text and isinstance(a.yaml11, (int, float)):
        return f"write {a.text.replace('_', '')} without the _ separators, or quote it ('{a.text}') if it is text"
    return f"write the number you mean in plain decimal (e.g. {a.yaml11!r}), or quote it ('{a.text}') if it is text"


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


class _Loader(yaml.SafeLoader):
    """SafeLoader for hand-edited text: YAML 1.2 meanings, no aliases, no duplicate keys, no crashes."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        tag = super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode and implicit[0] and tag in (_STR, _INT, _FLOAT, _TIMESTAMP, _VALUE):
            return _PLAIN
        return tag

    def construct_plain(self, node: Any) -> Any:
        """A plain scalar: YAML 1.2's reading, or Ambiguous where YAML 1.1's number differs."""
        text = node.value
        tag11 = yaml.SafeLoader.resolve(self, yaml.ScalarNode, text, (True, False))
        number = yaml12_number(text)
        as12 = text if number is None else number
        if tag11 not in (_INT, _FLOAT):  # YAML 1.1 reads text or a date (the schema reads dates from text)
            return as12
        as11 = self.construct_yaml_int(node) if tag11 == _INT else self.construct_yaml_float(node)
        return as11 if _same(as11, as12) else Ambiguous(text, as11, as12, node.start_mark.line + 1)

    def construct_tagged_number(self, node: Any) -> Any:
        """`!!int 010`, `!!float 1:30`: the tag asks for a number; the two versions must agree on it."""
        text = self.construct_scalar(node)
        as11 = self.construct_yaml_int(node) if node.tag == _INT else self.construct_yaml_float(node)
        number = yaml12_number(text)
        as12 = text if number is None else float(number) if node.tag == _FLOAT else number
        return as11 if _same(as11, as12) else Ambiguous(text, as11, as12, node.start_mark.line + 1)

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
        except Exception as exc:  # any failure to build a value is the text's fault
            what = "a number" if node.tag == _PLAIN else node.tag.rsplit(":", 1)[-1]
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read this value as {what} ({exc})", node.start_mark
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
                        f"duplicate key {_key_text(key)!r} (first given on line {first_line[key] + 1}); keep only one",
                        key_node.start_mark,
                    )
                first_line[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except Exception:  # e.g. `!!timestamp soon`, or 2023-13-45
            return self.construct_scalar(node)  # not a real date: let the schema say so, with its key


_Loader.add_constructor(_PLAIN, _Loader.construct_plain)
_Loader.add_constructor(_INT, _Loader.construct_tagged_number)
_Loader.add_constructor(_FLOAT, _Loader.construct_tagged_number)
_Loader.add_constructor(_TIMESTAMP, _Loader.construct_yaml_timestamp)


def _key_text(key: Any) -> Any:
    return key.text if isinstance(key, Ambiguous) else key


def ambiguous_values(data: Any, path: str = "") -> list[tuple[str, Ambiguous]]:
    """(key path, value) of every value (or key) in parsed data that the two YAML versions read differently."""
    if isinstance(data, Ambiguous):
        return [(path, data)]
    if isinstance(data, Mapping):
        found = []
        for key, value in data.items():
            here = f"{path}.{_key_text(key)}" if path else str(_key_text(key))
            if isinstance(key, Ambiguous):
                found.append((here, key))
            found += ambiguous_values(value, here)
        return found
    if isinstance(data, (list, tuple, set, frozenset)):  # sets and ordered maps (!!set, !!omap) too
        return [found for i, value in enumerate(data) for found in ambiguous_values(value, f"{path}[{i}]")]
    return []


def readable_size(size: int) -> str:
    """`size` bytes in decimal units as a person reads them: "1 MB", "0.5 MB", "1.25 MB", "1 kB"."""
    if size >= 100_000:
        return f"{size / 1_000_000:,.3f}".rstrip("0").rstrip(".") + " MB"
    return f"{size / 1000:,.3f}".rstrip("0").rstrip(".") + " kB"


def size_problem(size: int, limit: int = MAX_FILE_BYTES) -> str | None:
    """Why a file of `size` bytes is not read (over `limit`), or None: the one wording of the size limit
    (the workbench's upload box states the same limit with `readable_size`)."""
    return f"file is larger than {readable_size(limit)}; refusing to read it" if size > limit else None


def parse_yaml(text: str, source: str, at: str = "") -> Any:
    """Parse user YAML text (a file, or one `--set` value for the key path `at`) into plain data.

    Syntax problems, and values that YAML 1.1 and 1.2 read differently, become one ScenarioError
    naming `source`, the key path and the line.
    """
    too_large = size_problem(len(text.encode("utf-8", errors="replace")))
    if too_large is not None:
        raise ScenarioError(source, [("", too_large)])
    text = text.lstrip("\ufeff")  # a file saved twice with a byte order mark has two: the second began the first key
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown position"
        raise ScenarioError(source, [("", f"not valid YAML at {where}: {exc.problem}{_syntax_hint(exc.problem)}")]) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(source, [("", f"not valid YAML: {exc}")]) from None
    except RecursionError:
        raise ScenarioError(source, [("", "YAML nesting is too deep")]) from None
    try:
        found = ambiguous_values(data, at)
    except RecursionError:
        raise ScenarioError(source, [("", "YAML nesting is too deep")]) from None
    if found:
        several_lines = "\n" in text.strip()
        # a file's list items by name, as the schema's refusals say them (a --set value: the path as given)
        problems = [(path, value.problem(several_lines)) for path, value in found]
        raise ScenarioError(source, problems if at else named_problems(problems, data))
    return data


def compose_plain(text: str) -> Any:
    """The node tree of user YAML text as parse_yaml reads it (a byte order mark skipped, aliases refused),
    nothing built: plain scalars YAML 1.1 would read as text, numbers or dates carry PLAIN_TAG."""
    return yaml.compose(text.lstrip("\ufeff"), Loader=_Loader)


#: the tag of a plain scalar that parse_yaml reads as text or a YAML 1.2 number (yaml12_number says which)
PLAIN_TAG = _PLAIN


#: PyYAML's words for the slips people make by hand, and what to do instead
_SYNTAX_HINTS = {
    "'\\t'": "YAML indents with spaces only: replace the tab with spaces",
    "found another document": "a file holds one YAML document: remove the second '---' and what follows it",
    "mapping values are not allowed here": ("a value holding ': ' must be quoted ('a: b'), or a key is indented "
                                           "one level too deep"),
}


def _syntax_hint(problem: object) -> str:
    """What to do about a YAML syntax problem, when it is a known slip ('' otherwise)."""
    text = str(problem or "")
    found = [hint for words, hint in _SYNTAX_HINTS.items() if words in text]
    return f" ({found[0]})" if found else ""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that also quotes text YAML 1.2 would read as a number (`'1e3'`, `'0o10'`), so that
    what the tool writes reads back the same in either YAML version."""

    def represent_str(self, data: str) -> Any:
        if yaml12_number(data) is not None:
            return self.represent_scalar(_STR, data, style="'")
        return super().represent_str(data)


_Dumper.add_representer(str, _Dumper.represent_str)


def dump_yaml(data: Any) -> str:
    """Plain data as block YAML (keys in their order) that both YAML versions read back unchanged."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
