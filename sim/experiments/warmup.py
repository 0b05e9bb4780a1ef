"""Suggesting a warm-up for a scenario: run it with warmup 0, then MSER-5 (sim.analysis.warmup)."""

from __future__ import annotations

import pandas as pd

from sim.analysis.metrics import DAILY_COLUMNS, STAGE_SERIES
from sim.analysis.warmup import BATCH, SERIES, WarmupSuggestion, suggest_from_daily
from sim.errors import option
from sim.experiments import arguments
from sim.experiments.arguments import ArgumentError
from sim.experiments.executors import Executor
from sim.experiments.results import Results
from sim.experiments.runner import Progress, run
from sim.scenario.limits import run_days
from sim.scenario.schema import Scenario


def suggest_warmup(
    source: Scenario | Results | pd.DataFrame,
    replications: int | None = None,
    seed: int | None = None,
    column: str = SERIES,
    cargo: str = "all",
    batch: int = BATCH,
    executor: str | Executor = "process",
    workers: int | None = None,
    progress: Progress = False,
) -> WarmupSuggestion:
    """Suggest a warm-up for a scenario (run with warmup 0), a Results, or a daily DataFrame."""
    if not isinstance(source, (Scenario, Results, pd.DataFrame)):
        arguments.scenario(source, "source")  # refuses it, saying how to load a file
    if isinstance(source, Scenario):
        check_before_run(source, column, cargo, batch)
        scenario = source.with_changes({"warmup": 0}) if source.warmup else source
        source = run(scenario, replications, seed, executor=executor, workers=workers, progress=progress)
    daily = source.daily if isinstance(source, Results) else source
    return suggest_from_daily(daily, column, cargo, batch)


def check_before_run(scenario: Scenario, column: str, cargo: str, batch: int = BATCH) -> None:
    """Refuse, before anything runs, a cargo or daily column the run cannot have, or a run too short
    for MSER (each was found only after every replication had run). A stage column
    (`queue_mean.line`) is checked by its series."""
    days = run_days(scenario)
    if days < 4 * batch:
        raise ArgumentError(f"MSER-{batch} needs at least {4 * batch} daily values, and the run has {days} days; "
                            "give a longer duration (e.g. " + option(f"--set duration={4 * batch}d",
                                                                  f"with_changes({{'duration': '{4 * batch}d'}})") + ")")
    cargos = [*scenario.cargo, "all"]
    if cargo not in cargos:
        raise ArgumentError(f"no daily rows for cargo {cargo!r}; expected one of: {', '.join(cargos)}")
    if column not in DAILY_COLUMNS and column.split(".", 1)[0] not in STAGE_SERIES:
        raise ArgumentError(f"no daily column {column!r}; expected one of: {', '.join(DAILY_COLUMNS)} "
                            f"(or {'/'.join(STAGE_SERIES)}.STAGE)")
