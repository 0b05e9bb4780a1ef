"""Sensitivity: which levers move the chosen KPIs, by Morris screening (default) or Sobol indices (SALib).

Morris: `trajectories` one-at-a-time paths through a grid of `levels` values per lever. For each
lever, mu_star is the mean absolute elementary effect, i.e. the change of the KPI when the lever
moves across its whole range (SALib scales every lever to [0, 1]), so levers with different
units are comparable; mu_star_conf is its 95 % bootstrap CI half-width and sigma the spread
(interactions, non-linearity). Integer levers are rounded; choose bounds whose range divides by
levels − 1 (e.g. 4..10 with 4 levels) so that rounding does not distort the steps.

Sobol (`method="sobol"`, many more runs): first-order S1 and total ST shares of the KPI's variance.

Each design point is the mean of `replications` replications run with the same seed (common
random numbers), so the effects are differences between levers, not between random streams.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.choices import choose
from sim.analysis.metrics import KPI_NAMES
from sim.decision.errors import DecisionError, InputError
from sim.decision.evaluate import Evaluator, kpi_measure
from sim.decision.files import write_tables
from sim.decision.inputs import check_design, check_sensitivity, check_sensitivity_runs, kpi_texts
from sim.decision.levers import Lever, as_lever
from sim.decision.search import open_workdir
from sim.experiments import arguments
from sim.scenario.schema import Scenario

METHODS = ("morris", "sobol")


def parse_kpi(text: str, cargos: list[str], option: str = "--kpi") -> tuple[str, str]:
    """`KPI` or `KPI@cargo` (cargo `all` by default)."""
    kpi, _, cargo = text.strip().partition("@")
    cargo = cargo or "all"
    problems = []
    if kpi not in KPI_NAMES and not kpi.startswith("recovery_days."):
        problems.append((text, f"unknown KPI {kpi!r}; expected one of: {', '.join(KPI_NAMES)}"))
    if cargo not in cargos:
        problems.append((text, f"unknown cargo {cargo!r}; expected one of: {', '.join(cargos)}"))
    if problems:
        raise InputError(option, problems, "invalid option")
    return kpi, cargo


@dataclass
class Sensitivity:
    """Effects of each lever on each KPI, ranked (1 = largest), and the design points behind them."""

    scenario: Scenario
    levers: list[Lever]
    method: str
    indices: pd.DataFrame    # kpi, rank, lever, and mu_star, mu_star_conf, sigma, mu (Morris) or S1, ST (Sobol)
    points: pd.DataFrame     # one row per design point: lever values, KPI means
    metadata: dict[str, Any] = field(default_factory=dict)

    def ranking(self, kpi: str) -> list[str]:
        """Levers from the most to the least influential on `kpi` ('kpi@cargo'; 'kpi' alone is all cargo,
        as `--kpi` reads it). A KPI that was not screened is a ChoiceError, not an empty ranking."""
        if isinstance(kpi, str) and "@" not in kpi:
            kpi = f"{kpi}@all"
        kpi = choose("KPI", kpi, self.indices["kpi"].dropna().unique())
        rows = self.indices[self.indices["kpi"] == kpi].sort_values("rank")
        return list(rows["lever"])

    def write(self, out: str | os.PathLike[str], force: bool = False,
              extra: Callable[[Path], None] | None = None) -> Path:
        """indices.csv, points.csv, sensitivity.json (atomically), and what `extra(directory)` adds
        (the CLI's plots/sensitivity.png)."""
        return write_tables(out, force, {"indices.csv": self.indices, "points.csv": self.points},
                            self.metadata, "sensitivity.json", extra=extra)


#: Each method's design options and their defaults: the one place they are set (`dostyk sensitivity` says them
#: in its help and passes None for an option not given)
DEFAULTS: dict[str, dict[str, int]] = {"morris": {"trajectories": 10, "levels": 4}, "sobol": {"samples": 64}}


@dataclass(frozen=True)
class Screening:
    """A screening checked once, before anything runs: its levers resolved against the scenario, its KPIs, its
    method's options with their defaults filled in, and its seed. `dostyk sensitivity` checks one before it
    claims its output directory and runs that same one (it resolved the levers and the defaults twice: once
    to check, once to run, each time writing the defaults out again)."""

    scenario: Scenario
    levers: list[Lever]
    kpis: list[tuple[str, str]]
    method: str
    trajectories: int
    levels: int
    samples: int
    replications: int
    seed: int


def check_screening(scenario: Scenario, levers: Sequence[Lever | str], kpis: Sequence[tuple[str, str] | str],
                    method: str = "morris", trajectories: int | None = None, levels: int | None = None,
                    samples: int | None = None, replications: int = 3, seed: int | None = None,
                    source: str = "--lever") -> Screening:
    """Everything a screening can check before it runs, and its options resolved (None: the method's default,
    DEFAULTS); refused with the option or argument named."""
    scenario = arguments.scenario(scenario)
    default = {**DEFAULTS["morris"], **DEFAULTS["sobol"]}
    trajectories = arguments.whole("trajectories", default["trajectories"] if trajectories is None else trajectories, 1)
    levels = arguments.whole("levels", default["levels"] if levels is None else levels, 2)
    samples = arguments.whole("samples", default["samples"] if samples is None else samples, 1)
    replications = arguments.whole("replications", replications, 1)
    seed = arguments.seed(seed, scenario.seed)
    levs = [as_lever(lv) for lv in arguments.texts("levers", levers, "unloading.grain.points=4:10")]
    # (kpi, cargo) pairs are checked as the texts are: an unknown one was ranked as all-NaN
    pairs = [parse_kpi(k, [*scenario.cargo, "all"]) for k in kpi_texts(kpis)]
    if method not in METHODS:
        raise InputError("--method", [("", f"expected one of: {', '.join(METHODS)}, got {method!r}")], "invalid option")
    levs = check_sensitivity(scenario, levs, pairs, source)
    check_sensitivity_runs(method, len(levs), trajectories, samples, replications)  # before the design is sampled
    return Screening(scenario, levs, pairs, method, trajectories, levels, samples, replications, seed)


def sensitivity(scenario: Scenario, levers: Sequence[Lever | str], kpis: Sequence[tuple[str, str] | str], method: str = "morris",
                trajectories: int | None = None, levels: int | None = None, samples: int | None = None,
                replications: int = 3, seed: int | None = None, executor: Any = "process", workers: int | None = None,
                workdir: str | os.PathLike[str] | None = None, resume: bool = False, progress: bool = False,
                scheduler: str | None = None, source: str = "--lever") -> Sensitivity:
    """Screen `levers` for their effect on `kpis` ((kpi, cargo) pairs, or "kpi@cargo" text); `trajectories` and
    `levels` (Morris) or `samples` (Sobol) default to DEFAULTS[method]."""
    arguments.workers(workers)
    screening = check_screening(scenario, levers, kpis, method, trajectories, levels, samples, replications, seed, source)
    return run_screening(screening, executor, workers, workdir, resume, progress, scheduler, source)


def run_screening(screening: Screening, executor: Any = "process", workers: int | None = None,
                  workdir: str | os.PathLike[str] | None = None, resume: bool = False, progress: bool = False,
                  scheduler: str | None = None, source: str = "--lever") -> Sensitivity:
    """Run a screening checked by check_screening: sample its design, run every point, rank the levers."""
    arguments.workers(workers)
    scenario, levs, chosen, method = screening.scenario, screening.levers, screening.kpis, screening.method
    levels, seed, replications = screening.levels, screening.seed, screening.replications
    problem = {"num_vars": len(levs), "names": [lv.path for lv in levs],
               "bounds": [[lv.low, lv.high] for lv in levs]}
    if method == "morris":
        from SALib.sample import morris as sampler

        design = sampler.sample(problem, N=screening.trajectories, num_levels=levels, seed=seed)
    else:
        from SALib.sample import sobol as sampler_sobol

        design = sampler_sobol.sample(problem, screening.samples, calc_second_order=False, seed=seed)
    points = [{lv.path: lv.cast(x) for lv, x in zip(levs, row)} for row in design]
    check_design(scenario, points, source)  # levers valid alone may clash together: say so before running
    work = open_workdir(workdir, resume, {"kind": "sensitivity", "scenario": scenario.name, "seed": seed,
                                          "replications": replications, "points": len(points)})
    names = [f"{k}@{c}" for k, c in chosen]
    ev = Evaluator(scenario, kpi_measure(chosen), replications, seed, executor, workers, work, progress,
                   scheduler=scheduler, desc=f"sensitivity {scenario.name}")
    try:
        found = ev.evaluate(points)
    finally:
        ev.close()
    table = pd.DataFrame([{**c.changes, **{n: c.mean(n) for n in names}} for c in found])
    frames = []
    for name in names:
        y = table[name].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)):
            raise DecisionError(f"{name} has no value at some design points (e.g. no disruption recovered); "
                             "choose another KPI")
        frames.append(_analyse(method, problem, design, y, levels, seed, name))
    indices = pd.concat(frames, ignore_index=True)
    metadata = {"kind": "sensitivity", "method": method, "scenario": scenario.name, "seed": seed,
                "replications": replications, "points": len(points), "kpis": names,
                "levers": {lv.path: [lv.low, lv.high] for lv in levs},
                "tasks_run": ev.tasks_run, "tasks_reused": ev.tasks_reused}
    if method == "morris":
        metadata.update(trajectories=screening.trajectories, levels=levels)
    else:
        metadata.update(samples=screening.samples)
    return Sensitivity(scenario, levs, method, indices, table, metadata)


def _analyse(method: str, problem: dict[str, Any], design: np.ndarray, y: np.ndarray, levels: int, seed: int,
             name: str) -> pd.DataFrame:
    if method == "morris":
        from SALib.analyze import morris

        res = morris.analyze(problem, design, y, num_levels=levels, conf_level=0.95, seed=seed)
        frame = pd.DataFrame({"lever": problem["names"], "mu_star": np.asarray(res["mu_star"], dtype=float),
                              "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
                              "sigma": np.asarray(res["sigma"], dtype=float), "mu": np.asarray(res["mu"], dtype=float)})
        key = "mu_star"
    else:
        from SALib.analyze import sobol

        if np.ptp(y) == 0:  # no variance at all: every share is 0 (SALib would divide by zero)
            zeros = np.zeros(len(problem["names"]))
            res = {"S1": zeros, "S1_conf": zeros, "ST": zeros, "ST_conf": zeros}
        else:
            res = sobol.analyze(problem, y, calc_second_order=False, conf_level=0.95, seed=seed)
        frame = pd.DataFrame({"lever": problem["names"], **{k: np.asarray(res[k], dtype=float)
                                                             for k in ("S1", "S1_conf", "ST", "ST_conf")}})
        key = "ST"
    frame = frame.sort_values(key, ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.insert(0, "kpi", name)
    return frame

