"""Calibration: find parameter values under which the model reproduces observed figures.

Search: optuna (TPE by default, CMA-ES or random on request) minimises the discrepancy
    D = mean over targets of ((model mean − observed) / tolerance)²
where the model mean is over `replications` replications run with common random numbers (the
same seed for every candidate), so D is a deterministic function of the parameters.

Uncertainty: history matching. A candidate is *ruled out* when, for some target, the 95 % CI of
the model's mean lies entirely outside observed ± tolerance; the fitted range of each parameter
is the range of the candidates that are not ruled out. The CI makes this lenient towards Monte
Carlo noise (a candidate is only ruled out when the data say so). The range is only as complete as
the candidates tried: `profile` adds, for each parameter, evenly spaced values across its bounds
with the other parameters at the best fit, so each range is probed edge to edge. A range that
reaches a search bound is said to be "not identified" there (`identification`): the targets
cannot tell those values apart, and a flat fit is reported by its range, not a best value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.decision.errors import DecisionError
from sim.decision.evaluate import Candidate, Evaluator
from sim.decision.files import write_tables
from sim.decision.inputs import check_calibration_runs, check_sampler
from sim.decision.levers import Lever, current_values
from sim.decision.search import ask_batch, make_study, open_workdir
from sim.decision.targets import Target, TargetsFile, check_against, load_targets, targets_table
from sim.experiments import arguments
from sim.scenario.schema import Scenario


def discrepancy(candidate: Candidate, targets: list[Target]) -> float:
    """Mean squared distance to the targets in units of their tolerance (inf when a target has no value);
    a one-sided figure counts 0 on its side (Target.misfit)."""
    terms = []
    for t in targets:
        mean = candidate.mean(t.label)
        if not math.isfinite(mean):
            return math.inf
        terms.append(t.misfit(mean) ** 2)
    return float(np.mean(terms))


def ruled_out(candidate: Candidate, targets: list[Target]) -> bool:
    """True when some target's 95 % CI lies entirely outside observed ± tolerance (or its one-sided bound)."""
    for t in targets:
        mean = candidate.mean(t.label)
        if not math.isfinite(mean):
            return True
        half = candidate.halfwidth(t.label)
        half = 0.0 if not math.isfinite(half) else half
        low, high = t.band
        if mean - half > high or mean + half < low:
            return True
    return False


#: share of a parameter's search range within which a not-ruled-out value counts as reaching the bound
BOUND_MARGIN = 0.02


def identification(kept: pd.Series, lever: Lever) -> str:
    """Whether the candidates not ruled out pin a parameter down, or reach its search bounds.

    "not identified": values across the whole range fit (the data cannot tell them apart, so no
    single best value is meaningful); "upper (lower) end not identified": the range is open at that
    bound; "identified": the data bound it on both sides; "ruled out everywhere": nothing fits.
    """
    if kept.empty:
        return "ruled out everywhere"
    margin = BOUND_MARGIN * (lever.high - lever.low)
    low = float(kept.min()) <= lever.low + margin
    high = float(kept.max()) >= lever.high - margin
    if low and high:
        return "not identified"
    return "lower end not identified" if low else "upper end not identified" if high else "identified"


def _measure(targets: list[Target]) -> Any:
    def measure(result: Any) -> dict[str, float]:
        return {t.label: t.measure(result) for t in targets}

    return measure


@dataclass
class Calibration:
    """Every candidate tried, the fitted parameters with their not-ruled-out range, and the fit's targets."""

    scenario: Scenario                 # the scenario before calibration
    spec: TargetsFile
    levers: list[Lever]
    candidates: pd.DataFrame           # one row per candidate: phase, parameters, D, ruled out, per-target means
    fit: pd.DataFrame                  # one row per parameter: before, best, low, high, n
    targets: pd.DataFrame              # observed ± tolerance vs model at the best fit (mean, 95 % CI)
    best: dict[str, Any]
    calibrated: Scenario
    metadata: dict[str, Any] = field(default_factory=dict)

    def write(self, out: str | os.PathLike[str], force: bool = False,
              extra: Callable[[Path], None] | None = None) -> Path:
        """candidates.csv, fit.csv, targets.csv, calibrated.yaml, calibration.json (atomically), and
        what `extra(directory)` adds (the CLI's plots: sim.reporting.decision_plots.writer)."""
        return write_tables(out, force, {
            "candidates.csv": self.candidates, "fit.csv": self.fit, "targets.csv": self.targets,
        }, self.metadata, "calibration.json", scenario=("calibrated.yaml", self.calibrated), extra=extra)


def calibrate(scenario: Scenario, targets: TargetsFile | str | os.PathLike[str], candidates: int = 100,
              replications: int = 5, batch: int = 10, sampler: str = "tpe", seed: int | None = None,
              profile: int = 0, executor: Any = "process", workers: int | None = None,
              workdir: str | os.PathLike[str] | None = None, resume: bool = False, progress: bool = False,
              scheduler: str | None = None, source: str = "targets") -> Calibration:
    """Search `candidates` parameter sets (in batches of `batch`), then `profile` values per parameter.

    The seed drives both the simulation (common random numbers) and the sampler: same inputs,
    same candidates, same result, on every executor.
    """
    scenario = arguments.scenario(scenario)
    candidates, batch = arguments.whole("candidates", candidates, 1), arguments.whole("batch", batch, 1)
    profile, replications = arguments.whole("profile", profile, 0), arguments.whole("replications", replications, 1)
    seed = arguments.seed(seed, scenario.seed)
    arguments.workers(workers)
    if isinstance(targets, (str, os.PathLike)):
        source = str(targets)
        targets = load_targets(targets)
    levers = check_against(targets, scenario, source)
    check_sampler(sampler, 1)
    check_calibration_runs(len(levers), candidates, profile, replications)  # the search and the profile, together
    tlist = list(targets.targets)
    work = open_workdir(workdir, resume, {"kind": "calibrate", "scenario": scenario.name, "seed": seed,
                                          "replications": replications, "candidates": candidates})
    planned = (candidates + _profile_count(levers, profile)) * replications
    ev = Evaluator(scenario, _measure(tlist), replications, seed, executor, workers, work, progress,
                   keep_series=any(t.dated for t in tlist), scheduler=scheduler, desc=f"calibrate {scenario.name}",
                   planned=planned)
    study = make_study(sampler, seed, ["minimize"], n_startup=min(10, max(1, candidates // 4)))
    dists = {lv.path: lv.distribution() for lv in levers}
    tried: list[tuple[str, Candidate]] = []
    try:
        while len(tried) < candidates:
            trials = ask_batch(study, dists, min(batch, candidates - len(tried)))
            found = ev.evaluate([{lv.path: lv.cast(t.params[lv.path]) for lv in levers} for t in trials])
            for trial, cand in zip(trials, found):
                d = discrepancy(cand, tlist) if cand.error is None else math.inf
                study.tell(trial, d if math.isfinite(d) else None,
                           state=None if math.isfinite(d) else _fail_state())
                tried.append(("search", cand))
        best_changes = min(tried, key=lambda pc: _d(pc[1], tlist))[1].changes
        if profile:
            points = _profile_points(levers, best_changes, profile)
            tried += [("profile", c) for c in ev.evaluate(points)]
        ev.settle()
    finally:
        ev.close()
    return _collect(scenario, targets, levers, tried, tlist, seed, replications, ev, sampler, batch, work)


def _fail_state() -> Any:
    import optuna

    return optuna.trial.TrialState.FAIL


def _d(c: Candidate, targets: list[Target]) -> float:
    return discrepancy(c, targets) if c.error is None else math.inf


def _profile_count(levers: list[Lever], k: int) -> int:
    """How many profile points `_profile_points` gives (known before the search: it does not depend on the best)."""
    return len(_profile_points(levers, {lv.path: lv.low for lv in levers}, k)) if k else 0


def _profile_points(levers: list[Lever], best: dict[str, Any], k: int) -> list[dict[str, Any]]:
    """For each parameter: k evenly spaced values across its bounds, the others at the best fit."""
    points = []
    for lv in levers:
        grid = np.geomspace(lv.low, lv.high, k) if lv.log else np.linspace(lv.low, lv.high, k)
        for value in dict.fromkeys(lv.cast(v) for v in grid):
            points.append({**best, lv.path: value})
    return points


def _collect(scenario: Scenario, spec: TargetsFile, levers: list[Lever], tried: list[tuple[str, Candidate]],
             tlist: list[Target], seed: int, replications: int, ev: Evaluator, sampler: str, batch: int,
             work: Any) -> Calibration:
    rows = []
    for i, (phase, c) in enumerate(tried):
        row: dict[str, Any] = {"candidate": i, "phase": phase, **c.changes, "discrepancy": _d(c, tlist),
                               "ruled_out": True if c.error else ruled_out(c, tlist), "error": c.error or ""}
        for t in tlist:
            row[f"{t.label} mean"] = c.mean(t.label) if c.error is None else math.nan
            row[f"{t.label} ci95"] = c.halfwidth(t.label) if c.error is None else math.nan
        rows.append(row)
    table = pd.DataFrame(rows)
    if all(c.error for _, c in tried):
        raise DecisionError(f"every candidate makes an invalid scenario, e.g. {tried[0][1].error}; "
                         "narrow the parameters' bounds")
    best_i = int(table["discrepancy"].idxmin())
    best_c = tried[best_i][1]
    before = current_values(scenario, levers)
    kept = table[~table["ruled_out"]]
    fit = pd.DataFrame([{
        "parameter": lv.path, "before": before[lv.path], "best": best_c.changes[lv.path],
        "low": kept[lv.path].min() if len(kept) else math.nan,
        "high": kept[lv.path].max() if len(kept) else math.nan,
        "bounds_low": lv.low, "bounds_high": lv.high, "n_not_ruled_out": len(kept), "n_candidates": len(table),
        "identified": identification(kept[lv.path] if len(kept) else pd.Series(dtype=float), lv),
    } for lv in levers])
    tt = targets_table(tlist)
    tt["model_mean"] = [best_c.mean(t.label) for t in tlist]
    tt["model_ci95_low"] = [best_c.mean(t.label) - best_c.halfwidth(t.label) for t in tlist]
    tt["model_ci95_high"] = [best_c.mean(t.label) + best_c.halfwidth(t.label) for t in tlist]
    tt["n"] = [best_c.n(t.label) for t in tlist]
    tt["within_tolerance"] = [t.band[0] <= best_c.mean(t.label) <= t.band[1] for t in tlist]
    calibrated = scenario.with_changes(best_c.changes)
    metadata = {"kind": "calibration", "scenario": scenario.name, "seed": seed, "replications": replications,
                "sampler": sampler, "batch": batch, "candidates": len(table),
                "best_candidate": best_i, "best_discrepancy": float(table.loc[best_i, "discrepancy"]),
                "tasks_run": ev.tasks_run, "tasks_reused": ev.tasks_reused,
                "not_ruled_out": len(kept)}
    if work is not None:
        metadata["workdir"] = str(work.path)
    return Calibration(scenario, spec, levers, table, fit, tt, dict(best_c.changes), calibrated, metadata)
