"""Dostyk–Alashankou rail border crossing simulator: the stable public API.

    import sim
    scenario = sim.load_scenario("scenarios/baseline_2023.yaml")
    results = sim.run(scenario.with_changes({"unloading.grain.points": 8}), replications=10)
    results.summary()

The package is layered; each layer imports only the ones before it:
sim.scenario (YAML → validated Scenario) → sim.model (SimPy, no I/O) → sim.analysis (KPIs,
statistics) → sim.experiments (replications, executors, sweeps, comparisons, results) →
sim.decision (calibrate, optimise, rank levers) → sim.reporting (plots, report, tables) → sim.cli.
"""

from typing import Any

from sim.analysis.warmup import WarmupSuggestion
from sim.analysis.window import at_date, window_kpis
from sim.decision.calibrate import Calibration, calibrate
from sim.decision.levers import Lever
from sim.decision.optimize import Optimisation, optimize
from sim.decision.precision import PrecisionReport, replicate_until_precise
from sim.decision.sensitivity import Sensitivity, sensitivity
from sim.decision.targets import load_targets
from sim.errors import SimError
from sim.experiments.compare import Comparison, compare
from sim.experiments.executors import TaskError
from sim.experiments.replication import ReplicationResult, run_replication
from sim.experiments.results import Results
from sim.experiments.runner import Interrupted, run
from sim.experiments.sweep import SweepResult, sweep
from sim.experiments.warmup import suggest_warmup
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

__all__ = [  # noqa: RUF022 - grouped by purpose, not sorted
    # scenarios
    "Scenario", "load_scenario",
    # running
    "run", "run_replication", "Results", "ReplicationResult",
    # experiments
    "sweep", "SweepResult", "compare", "Comparison", "suggest_warmup", "WarmupSuggestion",
    # KPIs over dated windows and at a date (from the daily series)
    "window_kpis", "at_date",
    # decision support
    "calibrate", "Calibration", "load_targets", "optimize", "Optimisation", "Lever",
    "sensitivity", "Sensitivity", "replicate_until_precise", "PrecisionReport",
    # errors
    "SimError", "ScenarioError", "TaskError", "Interrupted",
    # figures and reports (imported on first use: matplotlib is not needed to run)
    "plots", "write_report",
]


def __getattr__(name: str) -> Any:
    """`sim.plots` and `sim.write_report` load matplotlib only when first asked for."""
    if name == "plots":
        from sim.reporting import plots

        return plots
    if name == "write_report":
        from sim.reporting.report import write_report

        return write_report
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
