"""bench.json, the figures of record: each bench writes its own sections and keeps the others'."""

from __future__ import annotations

import json
import platform
from pathlib import Path


def write_json(path: Path, figures: dict[str, object], keep: tuple[str, ...] = ()) -> None:
    """Write `figures` to `path` atomically, keeping the named sections another bench wrote there."""
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    figures = {k: old[k] for k in keep if k in old} | figures
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def other_sections(path: Path, own: str) -> tuple[str, ...]:
    """Every section of the file at `path` but `own` (none when there is no file yet)."""
    return tuple(k for k in json.loads(path.read_text(encoding="utf-8")) if k != own) if path.exists() else ()


def processor() -> str:
    """The CPU's model name: absolute times differ between machines (the same code ran 1.5x slower on one
    cloud host than on another), so a figure of record says which machine made it."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"
