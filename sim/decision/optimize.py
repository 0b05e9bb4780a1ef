"""Optimisation: the lever values that best serve one or more objectives, under constraints with confidence.

    min:total_cost_usd                 an objective (min or max) on a KPI, cargo `all` unless @cargo
    backlog_wagons_max@grain<=3000     a constraint on a KPI's mean, which must hold with 95 % confidence

A constraint holds only if its 95 % CI says so (`<=`: the upper bound of the CI is at most the
limit; `>=`: the lower bound at least the limit), so a candidate that meets it only by luck is not
feasible. Besides the KPIs, `lever_cost_usd` (Σ usd_per_unit × change, from `costs.levers`) and
`total_cost_usd` (idle_cost_usd of all cargo + lever_cost_usd) can be used. Every candidate runs
the same replications with the same seed (common random numbers); the sampler is seeded and
asked in fixed batches, so a search is reproducible and, with a work directory, resumable.

Candidates are distinct and today's values are the first (sim.decision.proposals: a grid that fits
the budget is tried whole; a repeated proposal is answered from results already measured). Each
candidate is then set against today, its constraints given a verdict and a margin, and, with one
objective, marked possible best or rejected by subset selection (sim.decision.ranking).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.decision.errors import DecisionError
from sim.decision.evaluate import Candidate, Evaluator, kpi_measure
from sim.decision.files import write_tables
from sim.decision.goals import DERIVED, Constraint, Objective, parse_constraint, parse_objective
from sim.decision.inputs import check_optimisation, check_optimize_runs
from sim.decision.levers import Lever, as_lever, current_values, lever_cost_usd
from sim.decision.proposals import Outcome, Proposals
from sim.decision.ranking import CONFIDENCE, annotate
from sim.decision.search import make_study, open_workdir
from sim.experiments import arguments
from sim.scenario.schema import Scenario


@dataclass
class Optimisation:
    """Every candidate with its objectives and constraints (mean and 95 % CI), and the best or the Pareto front."""

    scenario: Scenario
    levers: list[Lever]
    objectives: list[Objective]
    constraints: list[Constraint]
    candidates: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def feasible(self) -> bool:
        """Whether any candidate meets every constraint with 95 % confidence."""
        return bool(self.candidates["feasible"].any())

    def best(self) -> pd.DataFrame:
        """The best feasible candidate (one objective) or the Pareto front (several); empty when none is feasible."""
        return self.candidates[self.candidates["best" if len(self.objectives) == 1 else "pareto"]]

    def best_scenario(self) -> Scenario | None:
        rows = self.best()
        if rows.empty:
            return None
        return self.scenario.with_changes({lv.path: _native(rows.iloc[0][lv.path], lv) for lv in self.levers})

    def write(self, out: str | os.PathLike[str], force: bool = False,
              extra: Callable[[Path], None] | None = None) -> Path:
        """candidates.csv, optimize.json, best.yaml (when feasible; one objective), and what
        `extra(directory)` adds (the CLI's plots)."""
        best = self.best_scenario()
        return write_tables(out, force, {"candidates.csv": self.candidates}, self.metadata, "optimize.json",
                            scenario=("best.yaml", best) if best is not None else None, extra=extra)


def _native(value: Any, lever: Lever) -> int | float:
    return int(value) if lever.integer else float(value)


def optimize(scenario: Scenario, levers: Sequence[Lever | str], objectives: Sequence[Objective | str],
             constraints: Sequence[Constraint | str] | None = None, candidates: int = 50, replications: int = 5,
             batch: int = 10, sampler: str = "tpe", seed: int | None = None, executor: Any = "process",
             workers: int | None = None, workdir: str | os.PathLike[str] | None = None, resume: bool = False,
             progress: bool = False, scheduler: str | None = None, source: str = "--lever") -> Optimisation:
    """Search `candidates` lever settings (batches of `batch`) for the best objective(s) under the constraints.

    Levers, objectives and constraints may be given as in the CLI: "unloading.grain.points=4:10",
    "min:total_cost_usd", "backlog_wagons_max<=3000".
    """
    scenario = arguments.scenario(scenario)
    candidates, batch = arguments.whole("candidates", candidates, 1), arguments.whole("batch", batch, 1)
    replications = arguments.whole("replications", replications, 1)
    seed = arguments.seed(seed, scenario.seed)
    arguments.workers(workers)
    cargos = [*scenario.cargo, "all"]
    levs = [as_lever(lv) for lv in arguments.texts("levers", levers, "unloading.grain.points=4:10")]
    objs = [parse_objective(o, cargos) if isinstance(o, str) else o
            for o in arguments.texts("objectives", objectives, "min:total_cost_usd")]
    cons = [parse_constraint(c, cargos) if isinstance(c, str) else c
            for c in arguments.texts("constraints", constraints, "backlog_wagons_max<=3000")]
    levs = check_optimisation(scenario, levs, objs, cons, replications, sampler, source)
    check_optimize_runs(candidates, replications)
    base = current_values(scenario, levs)
    needed = {(o.kpi, o.cargo) for o in objs} | {(c.kpi, c.cargo) for c in cons}
    if any(k == "total_cost_usd" for k, _ in needed):
        needed.add(("idle_cost_usd", "all"))
    measure = kpi_measure(sorted(k for k in needed if k[0] not in DERIVED))
    work = open_workdir(workdir, resume, {"kind": "optimize", "scenario": scenario.name, "seed": seed,
                                          "replications": replications, "candidates": candidates})
    study = make_study(sampler, seed, [o.direction for o in objs], n_startup=min(10, max(1, candidates // 4)))
    proposals = Proposals(study, levs, base, candidates, seed)
    ev = Evaluator(scenario, measure, replications, seed, executor, workers, work, progress,
                   scheduler=scheduler, desc=f"optimize {scenario.name}", planned=proposals.planned(candidates) * replications)
    tried: list[Candidate] = []
    try:
        while len(tried) < candidates and not proposals.exhausted:
            batch_points = proposals.ask(min(batch, candidates - len(tried)))
            if not batch_points:
                break
            found = ev.evaluate([p for p, _ in batch_points])
            for (point, trial), cand in zip(batch_points, found):
                _derive(cand, scenario, base)
                values = [cand.mean(o.name) for o in objs]
                ok = cand.error is None and all(math.isfinite(v) for v in values)
                proposals.tell(point, trial, Outcome(values if ok else None, [
                    c.violation(cand.mean(c.name), cand.halfwidth(c.name)) for c in cons]))
                tried.append(cand)
        ev.settle()
    finally:
        ev.close()
    today = next((i for i, c in enumerate(tried) if c.changes == proposals.today), None)
    if today is None:  # today's values are always asked first; a search without them would compare nothing
        raise DecisionError(f"today's values {proposals.today} were not among the candidates")
    table = annotate(_table(tried, levs, objs, cons), tried, today, objs, cons)
    metadata = {"kind": "optimisation", "scenario": scenario.name, "seed": seed, "replications": replications,
                "sampler": sampler, "batch": batch, "candidates": len(table),
                "search": "every point" if proposals.enumerate else sampler,
                "distinct_points": proposals.size, "repeats_reused": proposals.repeats,
                "objectives": [o.label for o in objs], "constraints": [c.label for c in cons],
                "levers": {lv.path: [lv.low, lv.high] for lv in levs}, "today": dict(proposals.today),
                "feasible_candidates": int(table["feasible"].sum()),
                "possible_best": int(table["possible_best"].sum()), "confidence": CONFIDENCE,
                "tasks_run": ev.tasks_run, "tasks_reused": ev.tasks_reused}
    return Optimisation(scenario, levs, objs, cons, table, metadata)


def _derive(cand: Candidate, scenario: Scenario, base: dict[str, float]) -> None:
    """Add lever_cost_usd and total_cost_usd (per replication; the lever cost is the same in each)."""
    if cand.error is not None or cand.values.empty:
        return
    cost = lever_cost_usd(scenario, cand.changes, base)
    cand.values["lever_cost_usd@all"] = cost
    if "idle_cost_usd@all" in cand.values:
        cand.values["total_cost_usd@all"] = cand.values["idle_cost_usd@all"] + cost


def _table(tried: list[Candidate], levers: list[Lever], objectives: list[Objective],
           constraints: list[Constraint]) -> pd.DataFrame:
    rows = []
    for i, c in enumerate(tried):
        row: dict[str, Any] = {"candidate": i, **{lv.path: c.changes[lv.path] for lv in levers}}
        feasible = c.error is None
        for o in objectives:
            row[f"{o.label} mean"] = c.mean(o.name)
            row[f"{o.label} ci95"] = c.halfwidth(o.name)
            feasible &= math.isfinite(row[f"{o.label} mean"])
        for k in constraints:
            mean, half = c.mean(k.name), c.halfwidth(k.name)
            row[f"{k.label} mean"], row[f"{k.label} ci95"] = mean, half
            row[f"{k.label} holds"] = k.violation(mean, half) <= 0
            feasible &= row[f"{k.label} holds"]
        row["n"] = len(c.values)
        row["feasible"] = bool(feasible)
        row["error"] = c.error or ""
        rows.append(row)
    table = pd.DataFrame(rows)
    signs = np.array([1.0 if o.direction == "minimize" else -1.0 for o in objectives])
    scores = table[[f"{o.label} mean" for o in objectives]].to_numpy(dtype=float) * signs
    feas = table["feasible"].to_numpy(dtype=bool)
    table["pareto"] = _pareto(scores, feas)
    table["best"] = False
    if feas.any() and len(objectives) == 1:
        first = np.flatnonzero(feas)[np.argmin(scores[feas, 0])]  # ties: the first found
        table.loc[table.index[first], "best"] = True
    return table


def _pareto(scores: np.ndarray, feasible: np.ndarray) -> np.ndarray:
    """Feasible rows not dominated by another feasible row (all objectives as minimised); one row per duplicate."""
    out = np.zeros(len(scores), dtype=bool)
    seen: set[tuple[float, ...]] = set()
    idx = np.flatnonzero(feasible)
    for i in idx:
        others = scores[idx]
        dominated = np.any(np.all(others <= scores[i], axis=1) & np.any(others < scores[i], axis=1))
        key = tuple(scores[i])
        if not dominated and key not in seen:
            out[i] = True
            seen.add(key)
    return out
