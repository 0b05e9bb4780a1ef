"""The files a results directory's owner wrote: a manifest of names, SHA-256 checksums and row counts.

`--force` once replaced a whole directory, a user's notes beside the results included, and a
`kpis.csv` cut in the middle of a row, or a `summary.csv` replaced by another valid CSV, could be
read as data. Every output directory (run, sweep, compare, calibrate, optimize, sensitivity) now
records in its marker file (`metadata.json`, `sweep.json`…) under `files` each file the tool wrote,
with its SHA-256, size and, for a CSV, its number of rows. What is listed there (and the marker
itself) is the tool's to replace; anything else is the user's and is kept. Readers check the data
files against their checksums before reading them.

A directory written before the manifest existed has only its marker: the files the old format is
known to write (`LEGACY_OWNED`) are then taken as the tool's, and its data are read with the
consistency checks alone.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.experiments.atomic_file import write_atomically

#: The file each kind of output directory holds, with the package version and creation time.
MARKERS = ("metadata.json", "sweep.json", "comparison.json", "calibration.json", "optimize.json", "sensitivity.json",
           "history.json")

#: The marker of each command's directory.
KIND_MARKER = {"run": "metadata.json", "sweep": "sweep.json", "compare": "comparison.json",
               "calibrate": "calibration.json", "optimize": "optimize.json", "sensitivity": "sensitivity.json",
               "history": "history.json"}

FILES = "files"  # the manifest's key in the marker

_REPORT = ("report.html", "plots/*.png", "results.xlsx")
#: Files each kind of directory wrote before the manifest existed (patterns; `*` stays within a folder).
LEGACY_OWNED: dict[str, tuple[str, ...]] = {
    "metadata.json": ("scenario.yaml", "kpis.csv", "summary.csv", "daily.csv", "events.csv", "dwell.csv",
                      "windows.csv", *_REPORT),
    "sweep.json": ("scenario.yaml", "kpis.csv", "summary.csv", "events.csv", *_REPORT),
    "comparison.json": ("scenarios/*.yaml", "kpis.csv", "summary.csv", "differences.csv", "daily.csv", *_REPORT),
    "calibration.json": ("candidates.csv", "fit.csv", "targets.csv", "calibrated.yaml", "plots/*.png"),
    "optimize.json": ("candidates.csv", "best.yaml", "plots/*.png"),
    "sensitivity.json": ("indices.csv", "points.csv", "plots/*.png"),
    "history.json": ("history.csv", "history.html"),
}

#: Leftovers of an interrupted `dostyk report` inside a results directory: the tool's, never kept.
DEBRIS = (".report.*.partial", ".plots.old-*", ".*.json.*.tmp")


def _matches(rel: str, pattern: str) -> bool:
    """`pattern` matches `rel` part by part (a `*` never crosses a `/`)."""
    parts, pats = rel.split("/"), pattern.split("/")
    return len(parts) == len(pats) and all(fnmatch.fnmatchcase(p, q) for p, q in zip(parts, pats))


#: The `kind` the first calibrate, optimize and sensitivity commands (d19614e, 25 November) wrote in their
#: markers, which had a version but no creation time yet.
FIRST_KINDS = {"calibration.json": "calibration", "optimize.json": "optimisation", "sensitivity.json": "sensitivity"}


def read_marker(directory: Path, name: str) -> dict[str, Any] | None:
    """A marker's JSON when it is one of ours, else None: what every version wrote in it, a version and
    a creation time, or (the decision commands' first markers) a version and their kind."""
    try:
        info = json.loads((directory / name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or "version" not in info:
        return None
    return info if "created" in info or (name in FIRST_KINDS and info.get("kind") == FIRST_KINDS[name]) else None


def is_results_dir(path: Path) -> bool:
    """True for a directory written by this tool: the marker file of a run, sweep, comparison,
    calibration, optimisation or sensitivity ranking (see read_marker)."""
    return any(read_marker(path, name) is not None for name in MARKERS)


@dataclass
class Ownership:
    """Which files of a results directory the tool wrote: its markers, and their manifests (or, for a
    directory older than the manifest, the files its format is known to write)."""

    markers: dict[str, dict[str, Any]]

    @classmethod
    def of(cls, directory: Path) -> Ownership:
        found = {name: read_marker(directory, name) for name in MARKERS}
        return cls({name: info for name, info in found.items() if info is not None})

    def manifest(self, marker: str) -> dict[str, dict[str, Any]] | None:
        files = self.markers.get(marker, {}).get(FILES)
        return files if isinstance(files, dict) else None

    def owns(self, rel: str) -> bool:
        if rel in self.markers or any(_matches(rel.split("/")[0], p) for p in DEBRIS):
            return True
        for marker in self.markers:
            files = self.manifest(marker)
            if files is not None and rel in files:
                return True
            if files is None and any(_matches(rel, p) for p in LEGACY_OWNED[marker]):
                return True
        return False


def foreign(directory: Path) -> list[str]:
    """Files (and empty folders, and symbolic links) in `directory` that the tool did not write,
    as paths relative to it with `/`; a folder ends with `/`."""
    own = Ownership.of(directory)
    out: list[str] = []

    def unreadable(exc: OSError) -> None:  # a folder of the user's that cannot be listed cannot be kept
        raise exc

    for root, dirs, files in os.walk(directory, onerror=unreadable):
        base = Path(root).relative_to(directory).as_posix()
        prefix = "" if base == "." else base + "/"
        links = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        dirs[:] = sorted(d for d in dirs if d not in links and not own.owns(prefix + d))
        out += [prefix + name for name in sorted(files + links) if not own.owns(prefix + name)]
        if prefix and not dirs and not files and not links:
            out.append(prefix)
    return out


def clashes(directory: Path, kind: str) -> list[str]:
    """Foreign files with the name of a file that a `kind` command always or optionally writes (so a
    new one would replace them); plots, whose names depend on the results, are checked when written."""
    patterns = [p for p in (*LEGACY_OWNED[KIND_MARKER[kind]], KIND_MARKER[kind]) if "*" not in p]
    return [rel for rel in foreign(directory) if any(_matches(rel.rstrip("/"), p) for p in patterns)]


# -- checksums ------------------------------------------------------------------------------------

_CHUNK = 1 << 20


def rows(data: bytes | Path) -> int:
    """Records of a CSV (its bytes, or its path) below its header (quoted line breaks inside a field
    do not count). A path is read as a stream: a daily.csv of millions of rows was held 6 times over
    (bytes, text, and a StringIO of 4 bytes a character), the run's peak memory."""
    with (open(data, "rb") if isinstance(data, Path) else io.BytesIO(data)) as raw, \
            io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="") as text:
        return max(0, sum(1 for record in csv.reader(text) if record) - 1)


def _digest(path: Path) -> tuple[str, int, bytes]:
    """SHA-256, size and last byte of a file, read in chunks."""
    sha, size, last = hashlib.sha256(), 0, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
            last = chunk[-1:]
    return sha.hexdigest(), size, last


def entry(path: Path) -> dict[str, Any]:
    """What the manifest records of one file: SHA-256, size and (for a CSV) rows."""
    sha, size, _ = _digest(path)
    info: dict[str, Any] = {"sha256": sha, "bytes": size}
    if path.suffix == ".csv":
        info["rows"] = rows(path)
    return info


def _marker_of(directory: Path) -> str | None:
    return next((name for name in MARKERS if (directory / name).is_file()), None)


def seal(directory: Path) -> None:
    """Record every file in a freshly written `directory` in its marker (nothing if it has none)."""
    marker = _marker_of(directory)
    if marker is None:
        return
    files = {}
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and not p.is_symlink()):
        rel = path.relative_to(directory).as_posix()
        if rel != marker:
            files[rel] = entry(path)
    info = json.loads((directory / marker).read_text(encoding="utf-8"))
    _write_json(directory / marker, {**info, FILES: files})


def record(directory: Path, written: Iterable[str], removed: Iterable[str] = ()) -> None:
    """Update the manifest after the tool rewrote some files in place (`dostyk report`); a directory
    older than the manifest is left as it is."""
    marker = _marker_of(directory)
    info = read_marker(directory, marker) if marker else None
    if marker is None or info is None or not isinstance(info.get(FILES), dict):
        return
    files = {k: v for k, v in info[FILES].items() if k not in set(removed)}
    files |= {rel: entry(directory / rel) for rel in written}
    _write_json(directory / marker, {**info, FILES: dict(sorted(files.items()))})


def _write_json(path: Path, info: dict[str, Any]) -> None:
    """Replace a marker in one rename, so a reader never sees half of it."""
    write_atomically(path, (json.dumps(info, indent=2, default=str) + "\n").encode("utf-8"))


def damage(directory: Path, files: dict[str, Any], names: Iterable[str]) -> list[str]:
    """How each of `names` differs from what the manifest `files` records (empty: all intact)."""
    problems = []
    for name in names:
        want = files.get(name)
        path = directory / name
        if name.startswith("/") or ".." in name.split("/"):
            problems.append(f"the list of files names {name!r}, outside the directory")
            continue
        if not isinstance(want, dict):
            problems.append(f"{name} has no checksum in the list of files")
            continue
        if not path.is_file():
            problems.append(f"{name} is missing")
            continue
        sha, _, last = _digest(path)
        if sha == want.get("sha256"):
            continue
        why = "its SHA-256 differs from the one recorded"
        if "rows" in want:
            found = rows(path)
            if found != want["rows"]:
                why = f"it has {_rows(found)}, {_rows(want['rows'])} written (cut short or replaced?)"
            elif last and last != b"\n":
                why = f"its last row is cut off (of {_rows(found)}, the last ends mid-line)"
            else:
                why += f" (the same {_rows(found)}: edited or replaced?)"
        problems.append(f"{name} has changed since dostyk wrote it: {why}")
    return problems


def _rows(n: int) -> str:
    return f"{n:,} row" + "s" * (n != 1)
