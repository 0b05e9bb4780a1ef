"""History replays as evidence: every episode's declared figures against the model, fitted or held out.

Each replay `scenarios/history/NAME.yaml` has its declarations in `scenarios/history/evidence/NAME.yaml`
(the targets format of sim.decision.targets, each figure with a `role`): the observed figures it is
compared with, each with its tolerance, fixed in the file before the run, and whether the figure was
used to fit a parameter (`fitted`, with what was fitted), is predicted by a corridor fitted on other
episodes (`held_out`), or holds by construction (`check`). A figure used to fit never also validates:
only held-out figures decide whether the corridor passes.

Every tolerance says where it comes from (`tolerance_derivation:`: the range a SOURCES.md row states,
or an ASSUMPTION); a figure a source gives only as a bound is `at_least:` / `at_most:`. The model
agrees with a figure when the 95 % CI of its mean lies inside the figure's band
(sim.decision.agreement, the one rule every output shows).

The same file declares under `changes:` every key the replay changes in the reference corridor
outside a dated window, each with why (sim.decision.episode_changes): an undeclared difference is a
copy of the corridor that drifted, and the replay is refused.
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.decision.agreement import DISAGREES, UNDECIDED, agreement, replications_needed, verdict_text
from sim.decision.episode_changes import (
    DECLARATIONS,
    change_problems,
    corridor_of,
    evidence_path,
    read_evidence,
)
from sim.decision.errors import InputError
from sim.decision.evaluate import Evaluator
from sim.decision.ranking import decide_note
from sim.decision.sources import (
    SOURCES,
    conflicts,
    numbered_rows,
    odd_ids,
    period_problem,
    repeated,
    source_lines,
    tolerance_problem,
    unit_problem,
    value_problem,
)
from sim.decision.targets import (
    SIDED,
    Target,
    TargetsFile,
    check_against,
    load_targets,
    targets_from_data,
)
from sim.errors import option
from sim.experiments import arguments
from sim.experiments.arguments import check_runs, runs_arg
from sim.scenario.errors import ScenarioError
from sim.scenario.limits import run_days
from sim.scenario.loader import load_scenario
from sim.scenario.quoting import kind_in_words
from sim.scenario.schema import Scenario
from sim.scenario.spelling import spelled_in
from sim.scenario.user_file import read_text

#: evidence key naming the targets file a replay's parameters were calibrated to (all its figures are fitted)
CALIBRATION = "calibration"
#: the most replications `dostyk history -n` takes (a hint to run more never asks for more)
MAX_REPLICATIONS = 10_000
ROLES = {"fitted": "fitted", "held_out": "held out", "check": "check (by construction)"}


@dataclass(frozen=True)
class Episode:
    """One replay and its declared figures."""

    name: str
    path: Path
    scenario: Scenario
    spec: TargetsFile
    changes: dict[str, str] = field(default_factory=dict)


def load_episode(path: str | os.PathLike[str]) -> Episode:
    """A replay and its declarations; a figure without a role, or a replay without declarations, is refused."""
    replay = Path(path)
    scenario = load_scenario(replay)
    declared = evidence_path(replay)
    if not declared.is_file():
        raise InputError(str(declared), [("", (f"no declarations for the replay {replay.name}: expected this file, "
                                               "with `targets:` (each with value, tolerance and role)"))],
                         "missing history declarations")
    data = read_evidence(declared)
    changes = data.pop("changes", None) if isinstance(data, dict) else None
    problems = change_problems(replay, changes)
    if problems:
        raise InputError(str(declared), problems, DECLARATIONS)
    calibrated = _fitted_by(replay, scenario, declared, data.pop(CALIBRATION)) if isinstance(data, dict) and CALIBRATION in data else []
    if calibrated:
        data["targets"] = [*calibrated, *(data.get("targets") or [])]
    # how the file wrote a value, for a hint to quote it back (not when the calibration's figures come first)
    spelled = None if calibrated else spelled_in(lambda: read_text(declared, ""))
    spec = targets_from_data(data, str(declared), spelled)
    fitted_labels = {t.label for t in spec.targets[:len(calibrated)]}
    problems = [(f"targets[{i - len(calibrated)}]", (f"{t.label!r} is a figure of the calibration, where it was "
                                                    "fitted: it cannot be declared here again (as anything)"))
                for i, t in enumerate(spec.targets) if i >= len(calibrated) and t.label in fitted_labels]
    if problems:
        raise InputError(str(declared), problems, DECLARATIONS)
    problems = [(f"targets[{i}].role", ("expected fitted, held_out or check: say whether the figure was used to "
                                       "fit, is predicted, or holds by construction"))
                for i, t in enumerate(spec.targets) if t.role is None]
    problems += [(f"targets[{i}].fitted", "say what was fitted to this figure (a key path)")
                 for i, t in enumerate(spec.targets) if t.role == "fitted" and not t.fitted]
    if problems:
        raise InputError(str(declared), problems, DECLARATIONS)
    problems = _untraced(replay, scenario, spec.targets[len(calibrated):])
    if problems:
        raise InputError(str(declared), problems, DECLARATIONS)
    check_against(spec, scenario, str(declared), own_parameters=False)
    return Episode(replay.stem, replay, scenario, spec, dict(changes or {}))


def run_dates(scenario: Scenario) -> tuple[dt.date, dt.date]:
    """The first and last calendar day a scenario simulates (a last part-day counts)."""
    return scenario.start, scenario.start + dt.timedelta(days=max(1, run_days(scenario)) - 1)


def registry(replay: Path) -> dict[str, str] | None:
    """The rows a replay may cite: its corridor's SOURCES.md and a user's own SOURCES.md beside the replay
    (its directory), one registry; None when there is neither. A row id the two give with other text is
    refused, naming the user's file and the row."""
    corridor = corridor_of(replay)
    found: list[tuple[Path, dict[str, str]]] = []
    for path in [corridor.parent / SOURCES] if corridor is not None else []:
        if path.is_file():
            found.append((path, dict(numbered_rows(_registry_lines(path)))))
    mine = replay.parent / SOURCES
    # a link to nothing or a loop is refused, not ignored; the lines are read once: its rows, odd ids and
    # repeated rows all come from these
    lines = _registry_lines(mine) if mine.exists() or mine.is_symlink() else None
    if lines is not None and all(mine.resolve() != p.resolve() for p, _ in found):
        found.append((mine, dict(numbered_rows(lines))))
        clashes = conflicts(found)
        problems = odd_ids(lines) + repeated(lines) + clashes
        if problems:
            raise InputError(str(mine), problems, "conflicting sources registry" if clashes else "invalid sources registry")
    return {row: text for _, rows in found for row, text in rows.items()} if found else None


def _registry_lines(path: Path) -> list[str]:
    """The lines of a SOURCES.md, read as every file a user writes is (sim.scenario.user_file)."""
    try:
        return source_lines(path)
    except ScenarioError as exc:
        raise InputError(str(path), exc.problems, "invalid sources registry") from None


def _untraced(replay: Path, scenario: Scenario, targets: list[Target]) -> list[tuple[str, str]]:
    """Figures that do not trace to a row of the registry (sim.decision.sources), and tolerances that do
    not say where they come from."""
    rows = registry(replay)
    if rows is None:
        return [("", (f"no {SOURCES} beside the corridor {replay.name} is built on, nor beside {replay.name}: "
                      "its figures cannot be traced"))]
    found = []
    for i, t in enumerate(targets):
        first, last = (t.window.from_, t.window.to) if t.window else (t.at, t.at) if t.at else run_dates(scenario)
        found += [(f"targets[{i}].source", value_problem(t.observed, t.source, t.derivation, rows)),
                  (f"targets[{i}].source", unit_problem(t.kpi, t.source, t.derivation, rows)),
                  (f"targets[{i}].source", period_problem(first, last, t.source, rows))]
        if t.one_sided is None:
            found.append((f"targets[{i}].tolerance_derivation", tolerance_problem(t.tolerance_derivation, rows)))
    return [(key, why) for key, why in found if why is not None]


def _fitted_by(replay: Path, scenario: Scenario, declared: Path, name: Any) -> list[dict[str, Any]]:
    """The figures of the calibration that set this replay's parameters, each `fitted` (with what), so
    that none of them can be declared again as a prediction. Written once, in the targets file."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(str(declared), [(CALIBRATION, ("expected the path (relative to this file) of the targets "
                                                        f"file this replay's parameters were calibrated to, got {kind_in_words(name)}"))],
                         DECLARATIONS)
    path = declared.parent / name.strip()
    spec = load_targets(path)   # a bad or missing file is refused with its own name
    problems = _untraced(replay, scenario, spec.targets)
    if problems:
        raise InputError(str(path), problems, f"invalid calibration of {replay.name}")
    fitted = ", ".join(p.path for p in spec.parameters)
    return [{**t.model_dump(by_alias=True, exclude_none=True), "role": "fitted",
             "fitted": f"{fitted} (calibration {name.strip()})"} for t in spec.targets]


def load_episodes(directory: str | os.PathLike[str]) -> list[Episode]:
    """Every replay of a directory (its *.yaml files), in name order."""
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        raise InputError(str(directory), [("", "no replay (*.yaml) in this directory")], "no history replays")
    return [load_episode(p) for p in files]


def declarations(episodes: list[Episode]) -> pd.DataFrame:
    """What each replay declares, before any run: the rows of the history table in docs/validation.md.
    A one-sided figure's open side is NaN (no limit): `sided` says which."""
    rows = []
    for e in episodes:
        for t in e.spec.targets:
            low, high = (x if math.isfinite(x) else math.nan for x in t.band)
            rows.append({"episode": e.name, "figure": t.label, "observed": t.observed, "tolerance_low": low,
                         "tolerance_high": high, "role": ROLES[t.role or "check"], "fitted": t.fitted,
                         "source": t.source, "sided": SIDED[t.one_sided],
                         "tolerance_derivation": t.tolerance_derivation})
    return pd.DataFrame(rows)


def _measure(targets: list[Target]) -> Any:
    def measure(result: Any) -> dict[str, float]:
        return {t.label: t.measure(result) for t in targets}

    return measure


def check_history_runs(episodes: list[Episode], replications: int | None = None) -> None:
    """Refuse (ArgumentError) a history run over limits.MAX_RUNS runs in all: every replay, each at
    `replications` or its file's own (counted per distinct number, so the message stays short)."""
    if replications is not None:
        replications = arguments.whole("replications", replications, 1)
        check_runs([("replays", len(episodes)), runs_arg("replications", replications)])
        return
    per = Counter(e.scenario.replications for e in episodes)
    own = "replications (each file's own)"
    check_runs(*([("replays", k), (own, n)] for n, k in sorted(per.items())),
               lower=["replays", option("--replications", "replications")])


def run_history(episodes: list[Episode], replications: int | None = None, executor: Any = "process",
                workers: int | None = None, progress: bool = False) -> pd.DataFrame:
    """Every declared figure against the model: mean and 95 % CI over replications (the file's seed), and
    whether the model agrees (sim.decision.agreement); NaN CI bounds when there are fewer than 2, and NaN
    replications to decide, with a note saying why, when no number can be told."""
    check_history_runs(episodes, replications)  # before the first replay runs
    table = declarations(episodes)
    means, lows, highs, ns, said, needed, notes = [], [], [], [], [], [], []
    for e in episodes:
        targets = list(e.spec.targets)
        ev = Evaluator(e.scenario, _measure(targets), replications or e.scenario.replications, None, executor,
                       workers, progress=progress, keep_series=any(t.dated for t in targets), desc=e.name)
        try:
            (cand,) = ev.evaluate([{}])
        finally:
            ev.close()
        for t in targets:
            mean, half, n = cand.mean(t.label), cand.halfwidth(t.label), cand.n(t.label)
            means.append(mean)
            lows.append(mean - half)
            highs.append(mean + half)
            ns.append(n)
            said.append(agreement(*t.band, mean, half))
            need = replications_needed(n, *t.band, mean, half)
            needed.append(need if math.isfinite(need) else math.nan)  # empty in history.csv, null in .json
            notes.append(decide_note(said[-1] == UNDECIDED, need, n))
    table.insert(5, "model_mean", means)
    table.insert(6, "model_ci95_low", lows)
    table.insert(7, "model_ci95_high", highs)
    table.insert(8, "n", ns)
    table.insert(9, "agreement", said)
    table.insert(10, "replications_to_decide", needed)
    table.insert(11, "replications_to_decide_note", notes)
    return table


def agreement_text(row: Any) -> str:
    """A row's agreement as tables show it (with the replications that would decide an undecided one)."""
    return verdict_text(row["agreement"], float(row["replications_to_decide"]))


def held_out(table: pd.DataFrame, said: str) -> pd.DataFrame:
    """Held-out figures whose agreement is `said` (DISAGREES: failed predictions)."""
    return table[(table["role"] == ROLES["held_out"]) & (table["agreement"] == said)]


def verdict(table: pd.DataFrame) -> dict[str, Any]:
    """The one verdict every output of `dostyk history` gives (its text, history.json, history.html):
    decided by the held-out figures alone, each by the 95 % CI of the model's mean against its band
    (sim.decision.agreement); fitted figures and checks are counted, never decisive. `passed` only when
    every held-out figure agrees; `undecided` names those whose CI straddles an edge of their band."""
    role = table["role"]
    run = "agreement" in table.columns
    held = int((role == ROLES["held_out"]).sum())
    names = [f"{r.episode}: {r.figure}" for r in held_out(table, DISAGREES).itertuples()] if run else []
    open_ = held_out(table, UNDECIDED) if run else table.iloc[0:0]
    undecided = [f"{r.episode}: {r.figure}" for r in open_.itertuples()]
    if not run:
        text = f"{held} held-out figure(s) declared; not run"
    elif not held:
        text = "no held-out figure: nothing here is a prediction, so nothing is validated"
    else:
        parts = []
        if names:
            parts.append(f"{len(names)} held-out figure(s) outside the stated tolerance (the model's 95 % CI lies "
                         f"entirely outside): {'; '.join(names)}")
        if undecided:
            parts.append(f"{len(undecided)} held-out figure(s) undecided — more replications (the model's 95 % CI "
                         f"straddles an edge of the band, or there is none): {'; '.join(undecided)}{_run_more(open_)}")
        text = ". ".join(parts) or "every held-out figure agrees: the model's 95 % CI lies inside the stated tolerance"
    text += (f" (of {held} held out; {int((role == ROLES['fitted']).sum())} fitted and "
             f"{int((role == ROLES['check']).sum())} check figure(s) reported, not decisive)")
    return {"held_out": held, "failed": names, "undecided": undecided, "passed": not names and not undecided,
            "text": text}


def _run_more(open_: pd.DataFrame) -> str:
    """What would decide the undecided figures `open_`: 2 replications for a CI at all; about how many for
    those whose CI would then clear the band's edge (the most any of them needs); and which no number
    `-n` takes would decide (the mean at or very near an edge). It said '-n 50000' (refused: -n takes at
    most 10,000), as if that decided every figure, and named a CI a run of one replication does not have."""
    label = [f"{r.episode}: {r.figure}" for r in open_.itertuples()]
    need = list(open_["replications_to_decide"])
    few = list(open_["n"] < 2) if "n" in open_ else [False] * len(label)
    said = []
    if any(few):
        said.append(f"fewer than 2 replications give no CI, run -n 2 or more ({'; '.join(n for n, f in zip(label, few) if f)})")
    near = [x for x, f in zip(need, few) if not f and math.isfinite(x) and x <= MAX_REPLICATIONS]
    if near:
        said.append(f"run about {int(max(near)):,} replications, -n {int(max(near))}")
    far = [n for n, x, f in zip(label, need, few) if not f and not (math.isfinite(x) and x <= MAX_REPLICATIONS)]
    if far:
        said.append(f"not decided within {MAX_REPLICATIONS:,} replications, the most -n takes (the model's mean is "
                    f"at or very near an edge of the band): {'; '.join(far)}")
    return "".join(f". {s[0].upper()}{s[1:]}" for s in said)


def episode_summary(episodes: list[Episode]) -> dict[str, dict[str, Any]]:
    """Per replay: which figures were fitted (and to what), which are predicted, which are checks, and
    what it changes in the corridor — what history.json says of each replay."""
    out = {}
    for e in episodes:
        by = {r: [t.label for t in e.spec.targets if t.role == r] for r in ROLES}
        out[e.name] = {"fitted": {t.label: t.fitted for t in e.spec.targets if t.role == "fitted"},
                       "predicted": by["held_out"], "checks": by["check"], "changes": e.changes,
                       "validates": bool(by["held_out"])}
    return out
