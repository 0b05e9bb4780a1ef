"""A named experiment file: a baseline scenario, named variants, replications and the KPIs of interest.

An analyst keeps the variants of a study in one file instead of a long `compare --set N:…` line:

    baseline: ../scenarios/baseline_2023.yaml     # relative to this file
    replications: 10
    seed: 7                                       # optional (default: the baseline's)
    kpis: [backlog_wagons_mean, dwell_h_mean@grain]
    select: {kpi: backlog_wagons_mean, goal: min} # optional: the "possible best" subset
    variants:
      eight-points: {unloading.grain.points: 8}

Each variant is exactly what `--set` and `Scenario.with_changes` take, and every change must be a
lever (sim.scenario.levers): a variant that changed the seed, the replications or a name would
not be a paired comparison of levers. The file is read with the project's YAML 1.2 reader, and
every problem names the file and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.analysis.metrics import KPI_NAMES
from sim.scenario.errors import ScenarioError, problem_lines, quote_hint
from sim.scenario.file_kinds import EXPERIMENT, wrong_kind
from sim.scenario.input_file import unreadable
from sim.scenario.levers import COMPARE, lever_problems
from sim.scenario.loader import load_scenario
from sim.scenario.quoting import kind_in_words
from sim.scenario.schema import Scenario
from sim.scenario.spelling import spelled_in
from sim.scenario.user_file import read_mapping, read_text

KEYS = ("baseline", "variants", "replications", "seed", "kpis", "select", "description")
GOALS = {"min": "minimize", "max": "maximize"}
#: A variant's name labels tables, plots and files: short, no spaces or punctuation that needs quoting.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,39}$")
DEFAULT_KPIS = ("tonnes_delivered", "backlog_wagons_mean", "dwell_h_mean", "held_trains_mean")
MAX_VARIANTS = 50
#: what an experiment file holds, for a file that holds something else
EXPERIMENT_KEYS = "a mapping of keys: baseline, variants, replications, kpis"


class ExperimentFileError(ScenarioError):
    """A bad experiment file: the file, each key path and what was expected."""

    def __str__(self) -> str:
        return "\n".join([f"{self.source}: invalid experiment file",
                          *problem_lines(self.source, self.problems)])


@dataclass(frozen=True)
class KpiChoice:
    """A KPI of interest, for one cargo (`all`: every cargo together)."""

    kpi: str
    cargo: str = "all"

    @property
    def label(self) -> str:
        return self.kpi if self.cargo == "all" else f"{self.kpi}@{self.cargo}"


@dataclass(frozen=True)
class Experiment:
    """A validated experiment file: labels and scenarios (baseline first) and what to show."""

    source: Path
    names: list[str]
    scenarios: list[Scenario]
    changes: dict[str, dict[str, Any]]
    replications: int | None
    seed: int | None
    kpis: list[KpiChoice]
    select: KpiChoice | None = None
    goal: str = "minimize"
    description: str = ""


def read_experiment(path: str | Path) -> Experiment:
    """Read, check and load an experiment file and the scenarios it names (before anything runs)."""
    source = Path(path)
    where = str(source)
    try:  # read as every file a user writes is (sim.scenario.user_file)
        data = read_mapping(source, "an experiment file (.yaml)", EXPERIMENT_KEYS)
    except ScenarioError as exc:  # the same problems, under this file's own heading
        raise ExperimentFileError(where, exc.problems) from None
    other = wrong_kind(data, EXPERIMENT)  # a scenario or a targets file given as an experiment
    if other is not None:
        raise ExperimentFileError(where, [("", other)])
    problems = [(str(k), f"unknown key; expected one of: {', '.join(KEYS)}") for k in data if k not in KEYS]
    problems += [(k, "missing; expected " + why) for k, why in (
        ("baseline", "the scenario file the variants change (a path relative to this file)"),
        ("variants", "a mapping of short names to changes, e.g. {eight-points: {unloading.grain.points: 8}}"))
        if k not in data]
    if problems:
        raise ExperimentFileError(where, problems)
    baseline_path = _baseline(data["baseline"], source, where)
    variants = _variants(data["variants"], where)
    replications = _whole(data.get("replications"), "replications", 2, where)
    seed = _whole(data.get("seed"), "seed", 0, where)
    base = load_scenario(baseline_path)
    names, scenarios = [baseline_path.stem if baseline_path.stem not in variants else "baseline"], [base]
    for name, changes in variants.items():
        try:
            scen = load_scenario(baseline_path, changes)
        except ScenarioError as exc:
            raise ExperimentFileError(f"{where}, variants.{name} (changes to {baseline_path})",
                                      exc.problems) from None
        bad = [(f"variants.{name}.{p}", why) for p, why in lever_problems(scen.to_dict(), list(changes), COMPARE)]
        if bad:
            raise ExperimentFileError(where, bad)
        names.append(name)
        scenarios.append(scen)
    cargos = [*base.cargo, "all"]
    disruptions = [d.name for d in base.disruptions]
    kpis = _kpis(data.get("kpis"), cargos, disruptions, where)
    select, goal = _select(data.get("select"), cargos, disruptions, where)
    description = data.get("description") or ""
    if not isinstance(description, str):  # `description: 2024`: told to quote it as written
        written = spelled_in(lambda: read_text(source, ""))("description", description)
        raise ExperimentFileError(where, [("description", quote_hint("description", description, written)
                                           or f"expected text, got {kind_in_words(description)}")])
    return Experiment(source, names, scenarios, variants, replications, seed, kpis, select, goal, description)


def _baseline(value: Any, source: Path, where: str) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise ExperimentFileError(where, [("baseline", f"expected a scenario file path, got {kind_in_words(value)}")])
    path = source.parent / value  # as written: messages and labels show the user's own path
    why = unreadable(path, "a scenario file (.yaml)")
    if why is not None:
        why = "no such scenario file" if why == "no such file" else why
        raise ExperimentFileError(where, [("baseline", (f"{value}: {why} (looked for {path}; a relative path is "
                                                       "read from the experiment file's folder)"))])
    return path


def _variants(value: Any, where: str) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict) or not value:
        raise ExperimentFileError(where, [("variants", ("expected a mapping of short names to changes, e.g. "
                                                       "{eight-points: {unloading.grain.points: 8}}"))])
    if len(value) > MAX_VARIANTS:
        raise ExperimentFileError(where, [("variants", f"{len(value)} variants; at most {MAX_VARIANTS}")])
    problems: list[tuple[str, str]] = []
    folded: dict[str, str] = {}
    for name, changes in value.items():
        key = f"variants.{name}"
        if not isinstance(name, str) or not NAME.match(name):
            problems.append((key, ("a variant's name must be 1-40 letters, digits, '-', '_', '.' or '+' "
                                  "(it labels tables, plots and files)")))
        elif name.lower() in folded:
            problems.append((key, (f"the same name as variants.{folded[name.lower()]} (names differing only in "
                                  "case would share a file); give each variant its own name")))
        else:
            folded[name.lower()] = name
        if not isinstance(changes, dict) or not changes:
            problems.append((key, "expected a mapping of key paths to values, e.g. {unloading.grain.points: 8}"))
        elif any(not isinstance(k, str) for k in changes):
            problems.append((key, "each change is a key path (text) and a value"))
    if problems:
        raise ExperimentFileError(where, problems)
    return {str(k): dict(v) for k, v in value.items()}


def _whole(value: Any, key: str, low: int, where: str) -> int | None:
    if value is None:
        return None
    high = 100_000 if key == "replications" else 2**63 - 1
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        why = "from 2 (a paired comparison needs two) to 100,000" if key == "replications" else "≥ 0"
        raise ExperimentFileError(where, [(key, f"expected a whole number {why}, got {kind_in_words(value)}")])
    return value


def _kpi(text: Any, key: str, cargos: list[str], disruptions: list[str], where: str) -> KpiChoice:
    if not isinstance(text, str):
        raise ExperimentFileError(where, [(key, f"expected a KPI name (optionally KPI@cargo), got {kind_in_words(text)}")])
    kpi, _, cargo = text.partition("@")
    cargo = cargo or "all"
    known = kpi in KPI_NAMES or (kpi.startswith("recovery_days.") and kpi.split(".", 1)[1] in disruptions)
    if not known:
        raise ExperimentFileError(where, [(key, (f"{kpi}: unknown KPI; expected one of: {', '.join(KPI_NAMES)} "
                                                "(or recovery_days.DISRUPTION)"))])
    if cargo not in cargos:
        raise ExperimentFileError(where, [(key, f"{cargo}: unknown cargo; expected one of: {', '.join(cargos)}")])
    return KpiChoice(kpi, cargo)


def _kpis(value: Any, cargos: list[str], disruptions: list[str], where: str) -> list[KpiChoice]:
    if value is None:
        return [KpiChoice(k) for k in DEFAULT_KPIS]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ExperimentFileError(where, [("kpis", "expected a list of KPI names (each optionally KPI@cargo)")])
    out = [_kpi(v, f"kpis[{i}]", cargos, disruptions, where) for i, v in enumerate(value)]
    return list(dict.fromkeys(out))


def _select(value: Any, cargos: list[str], disruptions: list[str], where: str) -> tuple[KpiChoice | None, str]:
    if value is None:
        return None, "minimize"
    if not isinstance(value, dict) or set(value) - {"kpi", "goal"} or "kpi" not in value:
        raise ExperimentFileError(where, [("select", "expected {kpi: NAME, goal: min|max}")])
    goal = value.get("goal", "min")
    if goal not in GOALS:
        raise ExperimentFileError(where, [("select.goal", f"expected min or max, got {kind_in_words(goal)}")])
    return _kpi(value["kpi"], "select.kpi", cargos, disruptions, where), GOALS[goal]
