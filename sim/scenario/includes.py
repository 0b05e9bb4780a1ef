"""`extends:` — a scenario (or any mapping in it) built on other files, resolved before validation.

One reference corridor is written once (scenarios/corridor/) and every shipped scenario is that
corridor plus what its episode changes. This module turns parsed plain data with `extends:` keys
into plain data without them; the schema then validates the result as if it had been one file.

Rules (docs/scenario-format.md, "Scenario files built on others"):

- `extends: PATH` or `extends: [PATH, …]` may stand in any mapping. Each PATH is relative to the
  directory of the file that writes it. The files are merged in order, then this mapping's own
  keys on top: the mapping's keys win.
- Mappings merge key by key, recursively. A key given as null (`~`) removes the key.
- Lists replace the base's list, except *named lists* (every item, in the base and here, a mapping
  with a `name`, such as `checks` and `disruptions`): items merge by name, in the base's order,
  and items with new names are appended; `{name: X, remove: true}` removes item X (naming no item,
  it is kept, and validation refuses it).
- A file extending itself, directly or through others, and a missing file are refused with the chain
  of files that led there.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.scenario.errors import ScenarioError
from sim.scenario.input_file import unreadable
from sim.scenario.quoting import kind_in_words

EXTENDS = "extends"
REMOVE = "remove"
#: deepest chain of files extending one another (a guard against runaway chains, not a design limit)
MAX_DEPTH = 16
#: files read for one scenario, counting a file each time it is extended (a guard against a chain
#: of files each extending the next twice, which would read 2^16 files within MAX_DEPTH)
MAX_READS = 256

Reader = Callable[[Path], Any]


def resolve_extends(data: Any, path: str | Path, read: Reader) -> Any:
    """`data` (parsed from `path`) with every `extends:` resolved; `read(path)` parses one file."""
    reads = [0]

    def counted(p: Path) -> Any:
        reads[0] += 1
        if reads[0] > MAX_READS:
            raise ScenarioError(str(path), [(EXTENDS, (f"more than {MAX_READS} files read through `extends:` "
                                                      f"(last: {p}); is a file extended many times over?"))])
        return read(p)

    return _resolve(data, Path(path), counted, (_key(Path(path)),), "")


def uses_extends(data: Any) -> bool:
    """True when `extends:` appears anywhere in parsed data."""
    if isinstance(data, dict):
        return EXTENDS in data or any(uses_extends(v) for v in data.values())
    if isinstance(data, list):
        return any(uses_extends(v) for v in data)
    return False


def _key(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, ValueError):  # a loop of symbolic links, a NUL in the name: the path itself is the best name
        return path.absolute()


def _chain_text(chain: tuple[Path, ...]) -> str:
    """The files read, each relative to the first one's directory (short, and the same on any machine)."""
    root = chain[0].parent
    return " -> ".join(os.path.relpath(p, root) for p in chain)


def _resolve(data: Any, path: Path, read: Reader, chain: tuple[Path, ...], where: str) -> Any:
    if isinstance(data, list):
        return [_resolve(v, path, read, chain, f"{where}[{i}]") for i, v in enumerate(data)]
    if not isinstance(data, dict):
        return data
    own = {k: _resolve(v, path, read, chain, f"{where}.{k}" if where else str(k))
           for k, v in data.items() if k != EXTENDS}
    if EXTENDS not in data:
        return own
    here = f"{where}.{EXTENDS}" if where else EXTENDS
    merged: Any = None
    for name in _names(data[EXTENDS], str(path), here):
        base_path = path.parent / name
        key = _key(base_path)
        if key in chain:
            raise ScenarioError(str(path), [(here, f"{name!r} extends itself: {_chain_text((*chain, key))}")])
        if len(chain) >= MAX_DEPTH:
            raise ScenarioError(str(path), [(here, (f"more than {MAX_DEPTH} files extend one another: "
                                                   f"{_chain_text((*chain, key))}"))])
        # a path to no file is the extending file's slip; a file too large is the file's own, refused naming it
        # by `read` in the words every file gets (sim.scenario.user_file)
        why = unreadable(base_path, "a scenario file (.yaml)", max_bytes=None)
        if why is not None:
            shown = f"{name!r}" if str(base_path) == name else f"{name!r} ({base_path})"
            raise ScenarioError(str(path), [(here, (f"{shown}: {why} "
                                                   f"(files read: {_chain_text(chain)})"))])
        base = read(base_path)
        base = _resolve(base, base_path, read, (*chain, key), "")
        if not isinstance(base, dict):
            raise ScenarioError(str(base_path), [("", (f"extended by {path} at {here}: expected a mapping of keys, "
                                                      f"got {kind_in_words(base)}"))])
        merged = base if merged is None else merge(merged, base)
    return merge(merged or {}, own)


def _names(value: Any, source: str, here: str) -> list[str]:
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise ScenarioError(source, [(here, ("expected a file path (relative to this file) or a list of them, "
                                            f"got {kind_in_words(value)}"))])
    return [n.strip() for n in names]


def _named(items: Any) -> bool:
    return isinstance(items, list) and all(isinstance(i, dict) and isinstance(i.get("name"), str) for i in items)


def merge(base: Any, over: Any) -> Any:
    """`over` laid on `base` (neither changed): mappings merge, null removes, named lists merge by name."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = copy.deepcopy(base)
        for k, v in over.items():
            if v is None:
                out.pop(k, None)
            elif k in out:
                out[k] = merge(out[k], v)
            else:
                out[k] = copy.deepcopy(v)
        return out
    if _named(base) and _named(over) and base and over:
        out_list = [copy.deepcopy(i) for i in base]
        for item in over:
            at = next((j for j, b in enumerate(out_list) if b["name"] == item["name"]), None)
            if item.get(REMOVE) is True and at is not None:
                out_list.pop(at)
                continue
            # a `remove` naming nothing is kept, so that validation refuses it where it stands (a typo
            # such as {name: wnd, remove: true} must not pass silently)
            if at is None:
                out_list.append(copy.deepcopy(item))
            else:
                out_list[at] = merge(out_list[at], item)
        return out_list
    return copy.deepcopy(over)
