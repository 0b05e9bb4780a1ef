"""Dotted key paths into scenario data: `unloading.grain.points`, `checks[1].time`, `checks.customs.time`.

Used by `--set`, `--vary` and `Scenario.with_changes`; list items are named by index or by `name`.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from typing import Any

_INDEX = re.compile(r"^(.*)\[(\d+)\]$")


def _split(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for raw in path.split("."):
        indices: list[int] = []
        while (m := _INDEX.match(raw)) is not None:
            raw, idx = m.group(1), int(m.group(2))
            indices.insert(0, idx)
        if raw:
            parts.append(raw)
        parts.extend(indices)
    return parts


def path_parts(path: str) -> list[str | int]:
    """The keys and list indices of a key path as refusals name it: `checks[1].time` -> ['checks', 1, 'time']."""
    return _split(path)


class KeyPathError(KeyError):
    """A dotted key path that names nothing in the scenario."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def leaf_key(path: str) -> str:
    """The last key of a path, not a list index: `cargo` of `checks[1].cargo`, `name` of `checks[0].name`
    ("key" for a path of indices only), as an example line in a message writes it."""
    keys = [p for p in _split(path) if isinstance(p, str)]
    return keys[-1] if keys else "key"


def _find_by_name(items: list[Any], key: str) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == key:
            return i
    return None


def _no_item(where: str | None, part: str | int, items: list[Any]) -> str:
    """A list item that is not there, with the items that are: `checks.custom` is told the checks' names
    (as a missing mapping key is told the keys), an index the range of indices."""
    names = [str(n) for n in map(_name_of, items) if isinstance(n, str)]
    here = (f"the items here: {', '.join(names)}, or an index 0 to {len(items) - 1}" if names
            else f"an index here is 0 to {len(items) - 1}" if items else "the list is empty")
    return f"{where + ': ' if where else ''}no list item {part!r}; {here}"


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set `value` at a dotted path (`checks.customs.time`, `checks[0].time`, `unloading.grain.points`).

    List items can be named by index or by their `name`. The last key may be new only where the
    schema allows it (pydantic will say); intermediate keys must exist.
    """
    parts = _split(path)
    if not parts:
        raise KeyPathError(path, "empty key path")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        node = _step(node, part, path, parts[: depth + 1])
    last = parts[-1]
    if isinstance(node, list):
        idx = last if isinstance(last, int) else _find_by_name(node, str(last))
        if idx is None or not 0 <= idx < len(node):
            raise KeyPathError(path, _no_item(None, last, node))
        node[idx] = copy.deepcopy(value)
    elif isinstance(node, dict):
        node[str(last)] = copy.deepcopy(value)
    else:
        raise KeyPathError(path, f"{'.'.join(map(str, parts[:-1]))} is a value, not a mapping")


def _step(node: Any, part: str | int, path: str, so_far: list[str | int]) -> Any:
    where = ".".join(map(str, so_far))
    if isinstance(node, dict):
        if part not in node:
            keys = ", ".join(map(str, node)) or "none"
            raise KeyPathError(path, f"{where} does not exist (keys here: {keys})")
        return node[part]
    if isinstance(node, list):
        idx = part if isinstance(part, int) else _find_by_name(node, str(part))
        if idx is None or not 0 <= idx < len(node):
            raise KeyPathError(path, _no_item(where, part, node))
        return node[idx]
    raise KeyPathError(path, f"{where} is a value, not a mapping")


def resolve(data: dict[str, Any], path: str) -> tuple[str | int, ...]:
    """The canonical form of a key path in `data`: list items by index, whichever way they were named.

    `checks.customs.time` and `checks[0].time` resolve alike, so two paths naming one value (or one
    inside the other) can be told apart from two different values. Raises KeyPathError as `set_path`.
    """
    parts = _split(path)
    if not parts:
        raise KeyPathError(path, "empty key path")
    node: Any = data
    out: list[str | int] = []
    for depth, part in enumerate(parts):
        if isinstance(node, list):
            idx = part if isinstance(part, int) else _find_by_name(node, str(part))
            if idx is None or not 0 <= idx < len(node):
                raise KeyPathError(path, _no_item(".".join(map(str, parts[:depth + 1])), part, node))
            out.append(idx)
            node = node[idx]
        elif isinstance(node, dict):
            out.append(str(part))
            node = node.get(part)  # the last key may be new (the schema decides)
        elif depth == len(parts) - 1 and node is None:
            out.append(str(part))
        else:
            raise KeyPathError(path, f"{'.'.join(map(str, parts[:depth]))} is a value, not a mapping")
    return tuple(out)


def overlaps(data: dict[str, Any], paths: list[str]) -> list[tuple[str, str, str]]:
    """(earlier, later, why) for paths that name the same value, or one a value inside the other.

    Paths that name nothing are left to `set_path` to report.
    """
    seen: list[tuple[str, tuple[str | int, ...]]] = []
    found = []
    for path in paths:
        try:
            key = resolve(data, path)
        except KeyPathError:
            continue
        for other, other_key in seen:
            shorter = min(len(key), len(other_key))
            if key[:shorter] == other_key[:shorter]:
                if len(key) == len(other_key):
                    why = f"names the same value as {other}"
                elif len(key) > len(other_key):
                    why = f"lies inside {other}, which is changed too"
                else:
                    why = f"holds {other}, which is changed too"
                found.append((other, path, why))
                break
        seen.append((path, key))
    return found


_NAME_SEGMENT = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def by_name(path: str, data: Any, seen: dict[int, Counter[Any]] | None = None) -> str:
    """`path` as a user writes it: a list item with a name of its own (a check, a disruption, a crossing) by
    that name — `checks.phytosanitary.hours`, not `checks[1].hours` — as `--set` takes either way and the
    file shows the name. An item without one, or whose name another item shares, keeps its index; so does
    anything the path names that `data` does not hold. `seen`, shared over the calls for one `data`, keeps
    each list's name counts (100,000 problems in a list of 100,000 items would count them every time)."""
    parts = _split(path)
    if not any(isinstance(p, int) for p in parts):
        return path
    counts: dict[int, Counter[Any]] = {} if seen is None else seen
    node: Any = data
    out = ""
    for part in parts:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            name = _name_of(item)
            if isinstance(name, str) and _NAME_SEGMENT.match(name) is not None and out:
                names = counts.get(id(node))
                if names is None:
                    names = counts[id(node)] = Counter(_name_of(other) for other in node)
                out += f".{name}" if names[name] == 1 else f"[{part}]"
            else:
                out += f"[{part}]"
            node = item
        else:
            out += f".{part}" if out else part
            node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
    return out


def named_problems(problems: list[tuple[str, str]], data: Any) -> list[tuple[str, str]]:
    """Each problem's key path `by_name` in `data` (the data the problems are about)."""
    seen: dict[int, Counter[Any]] = {}
    return [(by_name(path, data, seen), message) for path, message in problems]


def _name_of(item: Any) -> Any:
    """An item's `name`: a key of parsed data, or an attribute of a validated scenario's item."""
    return item.get("name") if isinstance(item, dict) else getattr(item, "name", None)


def changed_paths(data: dict[str, Any], paths: list[str]) -> list[tuple[str | int, ...]]:
    """The canonical form (see `resolve`) of each of `paths` that names something in `data` (before it is changed)."""
    out = []
    for path in paths:
        try:
            out.append(resolve(data, path))
        except KeyPathError:
            continue
    return out


def is_changed(path: str, changed: list[tuple[str | int, ...]]) -> bool:
    """Whether the value at `path` (a path as refusals name it: list items by index) is, or lies inside, one
    of the `changed` values (changed_paths): a value given by --set or with_changes, not as the file wrote it."""
    parts = tuple(_split(path))
    return any(parts[:len(key)] == key for key in changed)
