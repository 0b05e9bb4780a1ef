"""Replicate until precise: add replications until every chosen KPI's 95 % CI is narrow enough.

After each round the CI half-width h of each chosen KPI's mean is compared with the target: a share
of the mean (`5%`: h ≤ 0.05 × |mean|) or an amount in the KPI's unit. If one is too wide, the
replications needed are estimated from h shrinking like 1/√n (n × (h / target)²), at most doubling
per round, and only the new replications are run: replication r always draws the same random
numbers, so a run of n + k replications extends the run of n. It stops at `max_replications`, and
says so, when the target is not reached by then.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.analysis.stats import corridor_rows
from sim.decision.errors import InputError
from sim.decision.inputs import check_kpis, kpi_texts
from sim.decision.targets import parse_tolerance
from sim.experiments import arguments
from sim.experiments.replication import ReplicationResult
from sim.experiments.results import Results
from sim.experiments.runner import replication_tasks, run_tasks
from sim.scenario.limits import rows_problem
from sim.scenario.schema import Scenario
from sim.scenario.yamltext import yaml12_number

DEFAULT_KPIS = ("tonnes_delivered", "backlog_wagons_mean", "dwell_h_mean")


@dataclass
class PrecisionReport:
    """Where each KPI's CI ended, and whether the target was reached within the maximum."""

    precision: str
    max_replications: int
    replications: int
    reached: bool
    kpis: pd.DataFrame                                  # kpi, cargo, n, mean, half_width, target, ok
    rounds: list[int] = field(default_factory=list)     # replications after each round


def parse_kpis(items: tuple[str, ...] | list[str], scenario: Scenario, option: str = "--precision-kpi") -> list[tuple[str, str]]:
    """`KPI` or `KPI@cargo` texts as (kpi, cargo), refusing a KPI or cargo the scenario does not have."""
    from sim.decision.sensitivity import parse_kpi

    cargos = [*scenario.cargo, "all"]
    chosen = [parse_kpi(k, cargos, option) for k in (items or DEFAULT_KPIS)]
    check_kpis(scenario, [(f"{k}@{c}", k) for k, c in chosen], option)
    return chosen


def check_precision(scenario: Scenario, precision: str | float, initial: int | None,
                    max_replications: int,
                    names: tuple[str, str, str] = ("--precision", "--replications", "--max-replications"),
                    ) -> tuple[float, bool]:
    """The precision as (amount, relative), after checking it and the replication bounds before anything runs.

    `names` are what the caller calls the precision, the initial and the maximum replications
    (the CLI's options, or the API's arguments)."""
    number = yaml12_number(precision.strip()) if isinstance(precision, str) else None
    try:  # `--precision 50` is typed as text: an amount in the KPI's unit, as the API's 50 is
        amount, relative = parse_tolerance(precision if number is None else number)
    except ValueError as exc:
        raise InputError(names[0], [("", str(exc))], "invalid option") from None
    n = scenario.replications if initial is None else int(initial)
    if n < 2:
        raise InputError(names[1], [("", f"a confidence interval needs at least 2 replications to start; got {n}")],
                         "invalid option")
    if max_replications < n:
        raise InputError(names[2], [("", (f"the maximum ({max_replications:,}) is below the initial "
                                          f"replications ({n:,}); raise it or start with fewer"))],
                         "invalid option")
    return amount, relative


def _check(kpis: pd.DataFrame, amount: float, relative: bool) -> pd.DataFrame:
    out = kpis.copy()
    out["target"] = [amount * abs(m) if relative else amount for m in out["mean"]]
    out["ok"] = [math.isfinite(h) and h <= t for h, t in zip(out["half_width"], out["target"])]
    return out


def replicate_until_precise(scenario: Scenario, precision: str | float,
                            kpis: Sequence[tuple[str, str] | str] | str | None = None,
                            initial: int | None = None, max_replications: int = 200, seed: int | None = None,
                            executor: Any = "process", workers: int | None = None,
                            workdir: str | os.PathLike[str] | None = None, resume: bool = False,
                            progress: bool = False, scheduler: str | None = None) -> tuple[Results, PrecisionReport]:
    """Run `initial` replications (default: the scenario's), then more until precise or at the maximum.

    `kpis` are (kpi, cargo) pairs or `kpi@cargo` texts (default: tonnes delivered, mean backlog and
    mean dwell of all cargo); each is checked before anything runs, as `--precision-kpi` is.
    """
    scenario = arguments.scenario(scenario)
    initial = None if initial is None else arguments.whole("initial", initial, 0)
    max_replications = arguments.whole("max_replications", max_replications, 0)
    seed = arguments.seed(seed, scenario.seed)
    arguments.workers(workers)
    amount, relative = check_precision(scenario, precision, initial, max_replications,
                                       ("precision", "initial", "max_replications"))
    too_many = rows_problem(scenario, max_replications)
    if too_many is not None:  # the run may grow to the maximum: bounded like `dostyk run --max-replications` (sim.cli.run)
        raise InputError("max_replications", [("", too_many)], "invalid argument")
    n = scenario.replications if initial is None else initial
    chosen = parse_kpis(kpi_texts(kpis), scenario, "kpis")
    work = None
    if workdir is not None:
        from sim.experiments.workdir import WorkDir

        work = WorkDir.open(workdir, resume=resume, manifest={  # not Path(""): the current directory
            "kind": "run", "scenario": scenario.name, "seed": seed, "precision": str(precision)})
    done: dict[int, ReplicationResult] = {}
    rounds: list[int] = []
    reused_total = 0
    while True:
        tasks = replication_tasks(scenario, [r for r in range(n) if r not in done], seed)
        results, reused = run_tasks(tasks, executor, workers, work, progress, desc=f"{scenario.name} ({n:,} reps)",
                                    scheduler=scheduler)
        reused_total += reused
        done.update({res.replication: res for res in results.values()})
        rounds.append(n)
        out = Results.from_replications(scenario, seed, [done[r] for r in range(n)])
        state = _check(_kpi_table(out, chosen), amount, relative)
        if state["ok"].all() or n >= max_replications:
            break
        worst = max((h / t) ** 2 if t > 0 else math.inf for h, t, ok in
                    zip(state["half_width"], state["target"], state["ok"]) if not ok)
        want = math.ceil(n * worst) if math.isfinite(worst) else max_replications
        n = min(max_replications, max(n + 1, min(2 * n, want)))
    report = PrecisionReport(str(precision), max_replications, n, bool(state["ok"].all()), state, rounds)
    out.metadata.update(replications_reused=reused_total, precision=str(precision),
                        precision_reached=report.reached, max_replications=max_replications)
    return out, report


def _kpi_table(results: Results, chosen: list[tuple[str, str]]) -> pd.DataFrame:
    summary = corridor_rows(results.summary()).set_index(["cargo", "kpi"])
    rows = []
    for kpi, cargo in chosen:
        if (cargo, kpi) in summary.index:
            r = summary.loc[(cargo, kpi)]
            half = (r["ci95_high"] - r["ci95_low"]) / 2
            rows.append({"kpi": kpi, "cargo": cargo, "n": int(r["n"]), "mean": float(r["mean"]),
                         "half_width": 0.0 if r["sd"] == 0 else float(half)})
        else:
            rows.append({"kpi": kpi, "cargo": cargo, "n": 0, "mean": math.nan, "half_width": math.nan})
    return pd.DataFrame(rows)
