"""Default results folders: one name for each distinct piece of work, and the names earlier versions gave.

The rule users can predict: `results/<file><suffix>`, where <file> is the scenario file's name without
.yaml (the experiment file's for `experiment`, `compare-A-vs-B` for a comparison, the episodes' files for a
joint fit, `history` for the replays), <suffix> the command (`-sweep`, `-calibration`…); then, when the
command was given anything that changes what it computes, `+OPTION=VALUE…` and a hash of it all. What only
changes how results are shown or where they are computed (--no-report, --xlsx, --window, --kpi, --quiet,
--executor, --workers) is left out: the same numbers go to the same folder, so "already exists" and
--resume still find it. Folders of earlier versions were named by the scenario's `name:` and ignored
--vary, --seed, -n and the other options; `legacy_out` gives that name and `choose_out` says what it holds.
Two files of one name share a name, so what a folder holds is told by its marker and work manifest, which
record the command's identity (`identify`, sim.experiments.identity): another's is never taken over.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from sim.cli.options import echo
from sim.cli.outputs import OutputPathError, out_path, work_path
from sim.experiments.atomic import ResultsExistError
from sim.experiments.identity import Conflict, Identity
from sim.experiments.manifest import KIND_MARKER, Ownership, is_results_dir, read_marker
from sim.experiments.workdir import WorkDir
from sim.units import safe_name

#: a default folder's name is cut at NAME_BYTES, its tag at TAG_BYTES, or OPTIONS_TAG_BYTES when it shows
#: options too (UTF-8 bytes, as file systems count them; with the suffix and the hashes at most ~190 of
#: the 255 any file system allows)
NAME_BYTES, TAG_BYTES, OPTIONS_TAG_BYTES, HASH_CHARS = 80, 40, 80, 8
#: the options' digest an identity records (longer than a name's: it is compared, never read)
IDENTITY_HASH_CHARS = 16
TAG_KEEP = "-_.=+"
#: options whose value means what the scenario's key of that name means: `--seed 7` is `--set seed=7`
AS_SCENARIO_KEYS = ("seed", "replications")


def default_out(name: str, suffix: str = "", changes: Mapping[str, Any] | None = None, hidden: Any = None,
                options: Mapping[str, Any] | None = None) -> Path:
    """results/<name><suffix>, safe for any file system (sim.units.safe_name), which tells apart what
    the command runs: a default name that dropped the `--set` values (or --vary, --seed…) made a second
    command with other values find "already exists" (or, with --force, replace the first one's results).

    - `changes` (--set, and --seed / --replications, which mean the same) add `+KEY=VALUE+…`, in key
      order, and a hash of them all: `results/mini-sweep+duration=30d-1a2b3c4d`. The hash tells
      apart what the readable part cannot (a value cut short, `/` and `_` made alike, 8 and '8');
    - `options` (the command's own, e.g. vary, lever, targets) follow, in the order given, one
      `+OPTION=VALUE` per value given; the tag is cut at TAG_BYTES (OPTIONS_TAG_BYTES with options),
      the hash covers them all;
    - `hidden` is what else the name stands for only in part (a comparison's own changes, cut in its
      labels or replaced by --name): hashed with the changes;
    - a name cut at NAME_BYTES, or ending in .work (work_path's), ends in a hash of the whole name.
    With none of them the name is what it always was. Reading results never depends on this name."""
    head = safe_name(name, NAME_BYTES)
    if head != safe_name(name, 10**9):  # cut short: what was cut is told apart by a hash
        head = f"{safe_name(name, NAME_BYTES - HASH_CHARS - 1)}-{_digest(name)}"
    told = _told_apart(changes, hidden, options)
    if told is None:
        if f"{head}{suffix}".endswith(".work"):  # kept for unfinished work (work_path): `name: a.work` took a's
            return Path("results") / f"{head}{suffix}-{_digest(name)}"
        return Path("results") / f"{head}{suffix}"
    text, typed, hashed = told
    limit, keep = TAG_BYTES, TAG_KEEP
    if typed:  # each value of a repeated option as typed; commas kept (--vary x=4,6)
        parts = (safe_name(text, 10**9, TAG_KEEP) if text else "", safe_name(typed, 10**9, TAG_KEEP + ","))
        text, limit, keep = "+".join(p for p in parts if p), OPTIONS_TAG_BYTES, TAG_KEEP + ","
    tag = f"+{safe_name(text, limit, keep)}" if text else ""
    return Path("results") / f"{head}{suffix}{tag}-{_digest(hashed)}"


def _told_apart(changes: Mapping[str, Any] | None, hidden: Any, options: Mapping[str, Any] | None
                ) -> tuple[str, str, list[Any]] | None:
    """What a default folder's tag and hash are made of: the changes as `KEY=VALUE+…` (in key order), the
    options as typed (`OPTION=VALUE+…`, in the order given) and what the hash covers; None when nothing is
    given (the name is then the file's and the command's alone)."""
    shown = dict(changes or {})
    given = {key: value for key, value in (options or {}).items() if value not in (None, (), [])}
    if not shown and not hidden and not given:
        return None
    text = "+".join(f"{key}={_value_text(value)}" for key, value in sorted(shown.items()))
    typed = "+".join(f"{key}={_value_text(v)}" for key, value in given.items()
                     for v in (value if isinstance(value, (list, tuple)) else [value]))
    hashed: list[Any] = [sorted(shown.items()), hidden]
    if given:  # without options the hash is what it always was
        hashed.append([[key, list(v) if isinstance(v, (list, tuple)) else v] for key, v in given.items()])
    return text, typed, hashed


def identify(kind: str, file: str | Sequence[str] | None, scenario: str | None = None,
             changes: Mapping[str, Any] | None = None, hidden: Any = None,
             options: Mapping[str, Any] | None = None) -> Identity:
    """The identity (sim.experiments.identity) of a command that names its default folder with these
    `changes`, `hidden` and `options` (default_out's): the markers and work manifests it writes record it,
    and choose_out and claim_output refuse folders and work that record another."""
    told = _told_apart(changes, hidden, options)
    text, typed, hashed = told if told is not None else ("", "", [])
    record = {"given": "+".join(t for t in (text, typed) if t), "digest": _digest(hashed, IDENTITY_HASH_CHARS)}
    return Identity.of(kind, file, scenario, record)


def _value_text(value: Any) -> str:
    """A value as the tag shows it: a number or text as it reads, a list or mapping as compact JSON."""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)


def _digest(value: Any, chars: int = HASH_CHARS) -> str:
    """`chars` hex digits of `value` (as sorted JSON): the same inputs always give the same folder."""
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:chars]


def given_options(*names: str) -> dict[str, Any]:
    """The current command's options among `names` (parameter names) that the user gave, by their long
    name without dashes (`levers` -> `lever`), in the order of `names`: an option left to its default
    keeps the folder's name, so that existing folders of commands without it keep being found. A path
    (`--targets`, history's DIRECTORY) is taken as path_text gives it: `./t.yaml` is `t.yaml`."""
    ctx = click.get_current_context()
    params = {p.name: p for p in ctx.command.params if p.name}
    out: dict[str, Any] = {}
    for name in names:
        source = ctx.get_parameter_source(name)
        if source in (None, ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP):
            continue
        value = ctx.params.get(name)
        if value in (None, (), []):
            continue
        long = max((o for o in params[name].opts if o.startswith("--")), key=len, default=f"--{name}")
        if isinstance(params[name].type, click.Path):
            value = path_text(value) if isinstance(value, str) else tuple(path_text(v) for v in value)
        out[long[2:]] = value
    return out


def path_text(path: str) -> str:
    """A path given to a command, as folder names and identities take it: one spelling for one file from
    here (`t.yaml`, `./t.yaml`, `a/../t.yaml` and /here/t.yaml are `t.yaml`; a path out of here is absolute),
    so that another spelling of the same file neither makes another folder nor is taken for another file.
    As typed when it is so already (the names folders always had)."""
    if "\0" in path:  # refused when the file is read
        return path
    here = os.path.relpath(os.path.abspath(path))
    return here if not here.startswith(os.pardir) else os.path.abspath(path)


def naming(changes: Mapping[str, Any], *names: str, scenario: Mapping[str, Any] | None = None,
           path: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(changes, options) for default_out: --set's changes with --seed and --replications, if given,
    among them (they change the same scenario keys), and the command's other given options `names`.
    `scenario`: the values --seed / --replications default to (the scenario's own): given the same,
    they change nothing, and the name stays (`compare A B -n 10` of 10-replication scenarios). So does
    `--set seed=…` or `--set replications=…` equal to the file's own (`path`'s, read without the changes):
    `--set seed=1` of a seed-1 file wrote results/mini+seed=1-… where `--seed 1` wrote results/mini."""
    given = given_options(*AS_SCENARIO_KEYS, *names)
    own = {key: given.pop(key) for key in AS_SCENARIO_KEYS if key in given}
    base = dict(scenario or {})
    if path is not None and any(key in changes for key in AS_SCENARIO_KEYS):
        base |= {key: value for key, value in _file_values(path).items() if key in base}
    own = {key: value for key, value in own.items() if base.get(key, object()) != value}
    kept = {key: value for key, value in changes.items()
            if key not in AS_SCENARIO_KEYS or base.get(key, object()) != value}
    return {**kept, **own}, given


def _file_values(path: str) -> dict[str, Any]:
    """The seed and replications of the scenario file at `path` as written ({} when it does not load alone,
    e.g. a file that needs a --set to be valid: then a --set seed stays in the name)."""
    from sim.errors import SimError
    from sim.scenario.loader import load_scenario

    try:
        with warnings.catch_warnings():  # what the file alone warns of was said (or put right by --set) already
            warnings.simplefilter("ignore")
            scenario = load_scenario(path)
    except SimError:
        return {}
    return {"seed": scenario.seed, "replications": scenario.replications}


def stem(path: str) -> str:
    """A scenario or experiment file's name as default folders use it: without its folder and .yaml."""
    return Path(path).stem


def legacy_out(name: str, suffix: str = "", changes: Mapping[str, Any] | None = None, hidden: Any = None) -> Path:
    """The default folder dostyk gave before folders were named by the scenario file and told apart the
    options: by the scenario's `name:`, with --set only (a `name` change shown by the name itself)."""
    return default_out(name, suffix, {k: v for k, v in (changes or {}).items() if k != "name"}, hidden)


def choose_out(out: str | None, default: Path, legacy: Path | None, identity: Identity, resume: bool = False,
               expect: Mapping[str, Any] | None = None) -> Path:
    """The results directory: `--out` as given, else `default`, said against what the old name holds.

    - --resume with nothing to resume under `default` but unfinished work under the old name: refused,
      saying where that work is and the command that finishes it (it used to start afresh silently);
    - unfinished work or results under the old name otherwise: a note says where they are, untouched;
    - `default` holding the results of another `identity` (sim.experiments.identity), refused even with
      --force, as a change of meaning: of another kind of command (`run compare-a-vs-b.yaml`), of another
      scenario (an earlier version named folders by the scenario's `name:`), of another file that gives the
      same name (a/mini.yaml's folder is b/mini.yaml's, and mini.yml's, `mini:.yaml`'s: --force replaced
      a/mini.yaml's results with b/mini.yaml's), or of other options (a folder written there with --out).
      Its unfinished work (`default`.work) is checked against the same identity when it is claimed
      (claim_output), with --out too.
    What the old name holds is only said when it may be this command's: `expect` (e.g. the seed and
    replications this command runs with) does not contradict what its marker or work manifest recorded;
    `run --seed 5` is not told about results/mini of a run with seed 1.
    """
    if out is not None:
        return out_path(out, default)
    conflict = _results_conflict(default, identity)
    if conflict is not None:
        why = {"kind": ": a default folder of one kind of command is not another's (a file named like another "
                       "command's folder leads here);",
               "scenario": " (dostyk once named default folders by a scenario's name:, now by its file; or the file's "
                           "name: has changed), so",
               "file": f" that give{'' if conflict.plural else 's'} the same folder name (default folders are "
                       f"named by the file's name, without its folder);",
               "options": " (written there with --out);"}[conflict.what]
        raise ResultsExistError(f"{default} holds the results {conflict.text}{why} it is left as it is. Give --out "
                                f"DIR (--out {default} --force to replace it).")
    if legacy is None or legacy == default:
        return default
    old = WorkDir(work_path(legacy))
    held = old.manifest()
    ours = old.path.is_dir() and identity.conflict(held, _text(held.get("kind"))) is None and _may_be(held, expect)
    kept = old.count() if ours else 0
    if kept and not work_path(default).exists():
        where = (f"{work_path(legacy)} holds {kept:,} finished task(s) of interrupted work begun by an earlier "
                 f"dostyk, which named this command's folder {legacy}")
        if resume:
            raise OutputPathError(
                f"--resume: nothing to resume in {work_path(default)}; {where}. If it is this command's, finish it "
                f"with the same command and --resume --out {legacy}; or run without --resume to start afresh in "
                f"{default}.")
        echo(f"Note: {where}; it is left as it is (finish it with --resume --out {legacy}).", err=True)
    elif is_results_dir(legacy) and not default.exists() and _results_conflict(legacy, identity) is None \
            and _may_be(_marker(legacy, identity.kind), expect):
        echo(f"Note: {legacy}, where an earlier dostyk wrote this command's results (it named folders by the "
                   f"scenario's name: and without --vary, --seed, -n…), is left as it is; these go to {default}.",
                   err=True)
    return default


def _results_conflict(directory: Path, identity: Identity) -> Conflict | None:
    """How the results in `directory` are another's (None: none there, or nothing recorded says so): its
    marker of this kind of command, else the marker of another kind it holds."""
    markers = Ownership.of(directory).markers
    mine = KIND_MARKER.get(identity.kind)
    if mine in markers:
        return identity.conflict(markers[mine], identity.kind)
    kinds = {name: kind for kind, name in KIND_MARKER.items()}
    return next((identity.conflict(info, kinds[name]) for name, info in markers.items() if name in kinds), None)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _marker(directory: Path, kind: str) -> dict[str, Any]:
    """What a results directory of this kind of command recorded (empty if it is none)."""
    return (read_marker(directory, KIND_MARKER[kind]) if kind in KIND_MARKER else None) or {}


def _may_be(recorded: Mapping[str, Any], expect: Mapping[str, Any] | None) -> bool:
    """Nothing `recorded` contradicts `expect`: a value recorded under one of its keys is the expected one."""
    return all(recorded.get(key, value) == value for key, value in (expect or {}).items())
