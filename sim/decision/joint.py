"""Fit on some episodes, predict the others: one calibration over several history replays.

Each episode is a replay with its declarations (sim.decision.history): its `fitted` figures enter
the discrepancy, its own `parameters:` are free for it alone, and `shared` parameters — the
corridor's — take one value for every episode. Episodes named as held out are not fitted to: at the
best fit they are run and their figures reported as predictions. A shared path may name a crossing
(`crossings.dostyk.unloading.grain.points`); in a one-crossing episode whose crossing it names the
prefix is dropped, and episodes without that crossing are left unchanged.

D = mean over every fitted figure of ((model mean − observed) / tolerance)², the model mean over
`replications` replications with common random numbers, as in sim.decision.calibrate, whose
history matching (ruled out / not ruled out) and identification ("not identified") are reused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.decision.agreement import agreement
from sim.decision.calibrate import discrepancy, identification, ruled_out
from sim.decision.errors import DecisionError, InputError
from sim.decision.evaluate import Candidate, Evaluator
from sim.decision.history import Episode
from sim.decision.levers import Lever, resolve
from sim.decision.search import ask_batch, make_study
from sim.decision.targets import Target
from sim.experiments import arguments
from sim.experiments.arguments import check_runs, runs_arg

SEP = ":"


def localise(path: str, episode: Episode) -> str | None:
    """A shared path as it reads in this episode, or None when the episode has no such crossing."""
    if not path.startswith("crossings."):
        return path
    _, crossing, rest = path.split(".", 2)
    names = [x for x, _ in episode.scenario.crossing_specs()]
    if crossing not in names:
        return None
    return path if episode.scenario.crossings is not None else rest


@dataclass
class JointFit:
    """Every candidate, the parameters' fit (shared and per episode) and every figure at the best fit."""

    candidates: pd.DataFrame
    fit: pd.DataFrame
    figures: pd.DataFrame
    best: dict[str, Any]
    metadata: dict[str, Any] = field(default_factory=dict)


def _fitted(e: Episode) -> list[Target]:
    """The figures an episode is fitted to: those declared `fitted` (a plain targets file's, all of them)."""
    return [t for t in e.spec.targets if t.role in (None, "fitted")]


def _use(t: Target, held_out: bool) -> str:
    """What a figure is at the best fit. Holding an episode out does not make a figure its file declares
    fitted (its parameters were set to it before) a prediction."""
    if t.role == "fitted":
        return FITTED_BEFORE if held_out else "fitted"
    if t.role == "check":
        return "check"
    return "held out" if held_out else "fitted" if t.role is None else "predicted"


FITTED_BEFORE = "fitted before (its file says so): not a prediction"


@dataclass
class JointPlan:
    """What a joint fit searches, checked before anything runs: the episodes fitted, every parameter
    (shared, and each episode's own as EPISODE:PATH) and, per episode, each parameter's path there."""

    fit_eps: list[Episode]
    levers: dict[str, Lever]
    local: dict[str, dict[str, str]]


def plan_joint(episodes: list[Episode], shared: list[Lever], held_out: list[str], candidates: int = 40,
               replications: int = 5, profile: int = 0) -> JointPlan:
    """The joint fit's parameters, refused (before any run or output) when they are invalid or when its
    runs in all exceed limits.MAX_RUNS (check_joint_runs)."""
    names = [e.name for e in episodes]
    unknown = [h for h in held_out if h not in names]
    if unknown:
        raise DecisionError(f"held-out episode(s) {', '.join(unknown)} not among: {', '.join(names)}")
    fit_eps = [e for e in episodes if e.name not in held_out and _fitted(e)]
    if not fit_eps:
        raise DecisionError("no episode left to fit: every episode is held out or declares no fitted figure")
    levers: dict[str, Lever] = {}
    local: dict[str, dict[str, str]] = {e.name: {} for e in episodes}   # episode -> {global key: its path}
    for lv in shared:
        used = False
        for e in episodes:
            path = localise(lv.path, e)
            if path is not None:
                (checked,) = resolve(e.scenario, [lv.model_copy(update={"path": path})], "--shared",
                                     what="invalid --shared")
                local[e.name][lv.path] = path
                lv = checked.model_copy(update={"path": lv.path})  # `integer` filled in
                used = True
        if not used:
            raise InputError("--shared", [(lv.path, "names a crossing no episode has")], "invalid --shared")
        levers[lv.path] = lv
    for e in fit_eps:
        for lv in resolve(e.scenario, list(e.spec.parameters), str(e.path), what="invalid declarations"):
            key = f"{e.name}{SEP}{lv.path}"
            levers[key] = lv.model_copy(update={"path": key})
            local[e.name][key] = lv.path
    if not levers:
        raise DecisionError("nothing to fit: give --shared parameters or episodes with `parameters:`")
    check_joint_runs(len(fit_eps), len(levers), len(episodes), candidates, profile, replications)
    return JointPlan(fit_eps, levers, local)


def check_joint_runs(fitted: int, parameters: int, episodes: int, candidates: int, profile: int,
                     replications: int) -> None:
    """Refuse (ArgumentError) a joint fit over limits.MAX_RUNS runs in all: each candidate and profile point
    runs on every fitted episode, and the best fit once more on every episode (held-out ones too)."""
    cand, prof, reps = (runs_arg(n, v) for n, v in [("candidates", candidates), ("profile", profile),
                                                   ("replications", replications)])
    fit = ("fitted episodes", fitted)
    check_runs([fit, cand, reps], [fit, ("parameters", parameters), prof, reps],
               [("episodes at the best fit", episodes), reps], lower=[cand[0], prof[0], reps[0]])


def joint_calibrate(episodes: list[Episode], shared: list[Lever], held_out: list[str], candidates: int = 40,
                    replications: int = 5, batch: int = 10, seed: int = 16, executor: Any = "process",
                    workers: int | None = None, profile: int = 0) -> JointFit:
    """Search shared and per-episode parameters on the fitted episodes; predict the held-out ones."""
    candidates, batch = arguments.whole("candidates", candidates, 1), arguments.whole("batch", batch, 1)
    profile, replications = arguments.whole("profile", profile, 0), arguments.whole("replications", replications, 1)
    seed = arguments.seed(seed, 0)
    plan = plan_joint(episodes, shared, held_out, candidates, replications, profile)
    fit_eps, levers, local = plan.fit_eps, plan.levers, plan.local
    evs = {e.name: Evaluator(e.scenario, _measure(list(e.spec.targets)), replications, seed, executor, workers,
                             keep_series=any(t.dated for t in e.spec.targets), desc=e.name) for e in episodes}
    study = make_study("tpe", seed, ["minimize"], n_startup=min(10, max(1, candidates // 4)))
    dists = {k: lv.distribution() for k, lv in levers.items()}
    tried: list[tuple[dict[str, Any], dict[str, Candidate]]] = []
    try:
        while len(tried) < candidates:
            trials = ask_batch(study, dists, min(batch, candidates - len(tried)))
            points = [{k: levers[k].cast(t.params[k]) for k in levers} for t in trials]
            found = _evaluate(fit_eps, evs, local, points)
            for trial, point, per in zip(trials, points, found):
                d = _d(fit_eps, per)
                study.tell(trial, d if math.isfinite(d) else None,
                           state=None if math.isfinite(d) else _fail_state())
                tried.append((point, per))
        best_i = int(np.argmin([_d(fit_eps, per) for _, per in tried]))
        if profile:
            grid = [{**tried[best_i][0], k: lv.cast(v)} for k, lv in levers.items()
                    for v in np.linspace(lv.low, lv.high, profile)]
            tried += list(zip(grid, _evaluate(fit_eps, evs, local, grid)))
        best = tried[best_i][0]
        at_best = _evaluate(episodes, evs, local, [best])[0]
    finally:
        for ev in evs.values():
            ev.close()
    return _collect(episodes, fit_eps, levers, tried, best, at_best, held_out, seed, replications)


def _measure(targets: list[Target]) -> Any:
    def measure(result: Any) -> dict[str, float]:
        return {t.label: t.measure(result) for t in targets}

    return measure


def _fail_state() -> Any:
    import optuna

    return optuna.trial.TrialState.FAIL


def _evaluate(episodes: list[Episode], evs: dict[str, Evaluator], local: dict[str, dict[str, str]],
              points: list[dict[str, Any]]) -> list[dict[str, Candidate]]:
    out: list[dict[str, Candidate]] = [{} for _ in points]
    for e in episodes:
        changes = [{local[e.name][k]: v for k, v in p.items() if k in local[e.name]} for p in points]
        for i, cand in enumerate(evs[e.name].evaluate(changes)):
            out[i][e.name] = cand
    return out


def _d(fit_eps: list[Episode], per: dict[str, Candidate]) -> float:
    """Mean squared distance over every fitted figure (inf when an episode's scenario is invalid)."""
    terms = []
    for e in fit_eps:
        cand = per[e.name]
        if cand.error is not None:
            return math.inf
        targets = _fitted(e)
        terms += [discrepancy(cand, targets)] * len(targets)
    return float(np.mean(terms))


def _collect(episodes: list[Episode], fit_eps: list[Episode], levers: dict[str, Lever],
             tried: list[tuple[dict[str, Any], dict[str, Candidate]]], best: dict[str, Any],
             at_best: dict[str, Candidate], held_out: list[str], seed: int, replications: int) -> JointFit:
    rows = []
    for i, (point, per) in enumerate(tried):
        out = any(per[e.name].error is not None or ruled_out(per[e.name], _fitted(e)) for e in fit_eps)
        rows.append({"candidate": i, **point, "discrepancy": _d(fit_eps, per), "ruled_out": out})
    table = pd.DataFrame(rows)
    kept = table[~table["ruled_out"]]
    fit = pd.DataFrame([{
        "parameter": k, "shared": SEP not in k, "best": best[k],
        "low": kept[k].min() if len(kept) else math.nan, "high": kept[k].max() if len(kept) else math.nan,
        "bounds_low": lv.low, "bounds_high": lv.high, "n_not_ruled_out": len(kept), "n_candidates": len(table),
        "identified": identification(kept[k] if len(kept) else pd.Series(dtype=float), lv),
    } for k, lv in levers.items()])
    figures = []
    for e in episodes:
        cand = at_best[e.name]
        for t in e.spec.targets:
            mean, half = cand.mean(t.label), cand.halfwidth(t.label)
            low, high = t.band
            use = _use(t, e.name in held_out)
            figures.append({"episode": e.name, "figure": t.label, "observed": t.observed, "tolerance_low": low,
                            "tolerance_high": high, "model_mean": mean, "model_ci95_low": mean - half,
                            "model_ci95_high": mean + half, "agreement": agreement(low, high, mean, half),
                            "use": use})
    meta = {"kind": "joint calibration", "episodes": [e.name for e in episodes], "held_out": held_out,
            "seed": seed, "replications": replications, "candidates": len(table), "not_ruled_out": len(kept)}
    return JointFit(table, fit, pd.DataFrame(figures), best, meta)
