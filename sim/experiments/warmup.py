"""Suggesting a warm-up for a scenario: run it with warmup 0, then MSER-5 (sim.analysis.warmup)."""

from __future__ import annotations

import pandas as pd

from sim.analysis.warmup import BATCH, SERIES, WarmupSuggestion, suggest_from_daily
from sim.experiments.executors import Executor
from sim.experiments.results import Results
from sim.experiments.runner import Progress, run
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
    if isinstance(source, Scenario):
        scenario = source.with_changes({"warmup": 0}) if source.warmup else source
        source = run(scenario, replications, seed, executor=executor, workers=workers, progress=progress)
    daily = source.daily if isinstance(source, Results) else source
    return suggest_from_daily(daily, column, cargo, batch)
