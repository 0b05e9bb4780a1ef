"""Whose a results folder, or its unfinished work, is: the command, the scenario, the input file(s), the options.

Default results folders are named by a file's name without its folder (sim.cli.folders), so a/mini.yaml
and b/mini.yaml share results/mini, and `--out` may name any folder. The folder's marker (metadata.json,
sweep.json…) and its work directory's manifest (OUT.work/manifest.json) record one Identity, and one check
(`Identity.conflict`) compares a command's own with the recorded one: results and unfinished work of
another command, scenario, file or options are never taken for this command's — neither replaced nor
resumed nor discarded. The engine records the command (`kind`) and the scenario's name in both; the
command line adds the file(s) and the options. What is not recorded (folders and work of earlier versions,
work begun from Python) is not held against anyone, nor is a recorded file that no longer exists.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: the file(s) as given, normalised (what messages show); a comparison's in order
FILE_KEY = "file"
#: the same file(s) as absolute paths: what the check compares (a relative path means another file
#: once the command runs from another folder)
PATH_KEY = "file_path"
#: the options that change what is computed: {"given": text as a folder's tag shows them, "digest": hex}
OPTIONS_KEY = "options"


@dataclass(frozen=True)
class Conflict:
    """How a recorded identity differs from this command's: `what` (kind, scenario, file or options)
    and `text`, which reads after "holds the results" or "holds N finished task(s) of an interrupted run"."""

    what: str
    text: str
    theirs: str
    plural: bool = False


@dataclass(frozen=True)
class Identity:
    """This command's identity. `file`: one path (run, sweep, searches, history's directory) or several
    (a comparison's, a joint fit's), as given; `options`: see OPTIONS_KEY (None: not told apart)."""

    kind: str
    file: str | tuple[str, ...] | None = None
    scenario: str | None = None
    options: Mapping[str, str] | None = None

    @classmethod
    def of(cls, kind: str, file: str | Sequence[str] | None = None, scenario: str | None = None,
           options: Mapping[str, str] | None = None) -> Identity:
        given = None if file is None else os.path.normpath(file) if isinstance(file, str) else \
            tuple(os.path.normpath(f) for f in file)
        return cls(kind, given, scenario, dict(options) if options is not None else None)

    def _files(self) -> list[str]:
        return [] if self.file is None else [self.file] if isinstance(self.file, str) else list(self.file)

    def record(self) -> dict[str, Any]:
        """What a marker or a work manifest records beside the kind and scenario the engine writes."""
        out: dict[str, Any] = {}
        if self.file is not None:
            out[FILE_KEY] = self.file if isinstance(self.file, str) else list(self.file)
            absolute = [os.path.abspath(f) for f in self._files()]
            out[PATH_KEY] = absolute[0] if isinstance(self.file, str) else absolute
        if self.options is not None:
            out[OPTIONS_KEY] = dict(self.options)
        return out

    def conflict(self, recorded: Mapping[str, Any], kind: str | None) -> Conflict | None:
        """How `recorded` (a marker's or a work manifest's JSON, of a `kind` command) is another's, else None."""
        if kind and kind != self.kind:
            return Conflict("kind", f"of a {kind}, not of a {self.kind}", kind)
        other = self._other_files(recorded)
        held = recorded.get("scenario")
        if self.scenario is not None and isinstance(held, str) and held != self.scenario and (
                other is not None or not self._same_files(recorded)):  # the same file's name: edited is still its
            return Conflict("scenario", f"of scenario {held!r}, not of {self.scenario!r}", repr(held))
        if other is not None:
            return other
        theirs = recorded.get(OPTIONS_KEY)
        if self.options is not None and isinstance(theirs, Mapping) and isinstance(theirs.get("digest"), str) \
                and theirs["digest"] != self.options.get("digest"):
            said = _options_text(theirs.get("given"))
            return Conflict("options", f"with {said}, not with {_options_text(self.options.get('given'))}", said)
        return None

    def _recorded_files(self, recorded: Mapping[str, Any]) -> tuple[list[str], list[str]]:
        """The recorded files as given, and as the check takes them (absolute when recorded so)."""
        given, absolute = _paths(recorded.get(FILE_KEY)), _paths(recorded.get(PATH_KEY))
        return given, absolute if absolute and len(absolute) == len(given) else given

    def _same_files(self, recorded: Mapping[str, Any]) -> bool:
        """The recorded files are this command's, each one (and they exist)."""
        mine, (_, checked) = self._files(), self._recorded_files(recorded)
        return bool(checked) and len(checked) == len(mine) and all(_same(p, m) for p, m in zip(checked, mine))

    def _other_files(self, recorded: Mapping[str, Any]) -> Conflict | None:
        mine = self._files()
        given, checked = self._recorded_files(recorded)
        if not mine or not given:
            return None

        def another(i: int, path: str) -> bool:
            try:
                return os.path.exists(path) and (i >= len(mine) or not os.path.samefile(path, mine[i]))
            except (OSError, ValueError):  # this command's file unreadable is said when it is read
                return False

        if not any(another(i, p) for i, p in enumerate(checked)):
            return None
        shown = [g if os.path.abspath(g) == os.path.normpath(c) else c for g, c in zip(given, checked)]
        plural = len(shown) > 1 or len(mine) > 1
        noun = "folder" if all(os.path.isdir(m) for m in mine) else "file"  # history's input is a folder of replays
        theirs = ", ".join(shown)
        return Conflict("file", f"of {theirs}, {f'other {noun}s' if plural else f'another {noun}'} than "
                        f"{', '.join(mine)}", theirs, plural)


def _paths(value: Any) -> list[str]:
    """A recorded file or list of files (an unreadable record: none, so nothing is held against anyone)."""
    found = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return found if found and all(isinstance(p, str) and p.strip() and "\0" not in p for p in found) else []


def _same(path: str, mine: str) -> bool:
    try:
        return os.path.samefile(path, mine)
    except (OSError, ValueError):
        return False


def _options_text(given: Any) -> str:
    return f"options {given}" if isinstance(given, str) and given else "no options"
