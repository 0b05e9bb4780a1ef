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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time each name is imported on first use
    from sim.analysis.consignment import Outcome
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
    from sim.experiments.consignment import order_outcomes
    from sim.experiments.replication import ReplicationResult, run_replication
    from sim.experiments.results import Results
    from sim.experiments.runner import Interrupted, run
    from sim.experiments.sweep import SweepResult, sweep
    from sim.experiments.task import TaskError
    from sim.experiments.warmup import suggest_warmup
    from sim.model.orders import Order
    from sim.scenario.errors import ScenarioError
    from sim.scenario.loader import load_scenario
    from sim.scenario.schema import Scenario

# name -> module that defines it: `import sim` stays cheap (no pandas, scipy, optuna, matplotlib)
_LAZY = {
    "WarmupSuggestion": "sim.analysis.warmup",
    "at_date": "sim.analysis.window",
    "window_kpis": "sim.analysis.window",
    "Calibration": "sim.decision.calibrate",
    "calibrate": "sim.decision.calibrate",
    "Lever": "sim.decision.levers",
    "Optimisation": "sim.decision.optimize",
    "optimize": "sim.decision.optimize",
    "PrecisionReport": "sim.decision.precision",
    "replicate_until_precise": "sim.decision.precision",
    "Sensitivity": "sim.decision.sensitivity",
    "sensitivity": "sim.decision.sensitivity",
    "load_targets": "sim.decision.targets",
    "SimError": "sim.errors",
    "Outcome": "sim.analysis.consignment",
    "order_outcomes": "sim.experiments.consignment",
    "Order": "sim.model.orders",
    "Comparison": "sim.experiments.compare",
    "compare": "sim.experiments.compare",
    "TaskError": "sim.experiments.task",
    "ReplicationResult": "sim.experiments.replication",
    "run_replication": "sim.experiments.replication",
    "Results": "sim.experiments.results",
    "Interrupted": "sim.experiments.runner",
    "run": "sim.experiments.runner",
    "SweepResult": "sim.experiments.sweep",
    "sweep": "sim.experiments.sweep",
    "suggest_warmup": "sim.experiments.warmup",
    "ScenarioError": "sim.scenario.errors",
    "load_scenario": "sim.scenario.loader",
    "Scenario": "sim.scenario.schema",
    "write_report": "sim.reporting.report",
}

__all__ = [  # noqa: RUF022 - grouped by purpose, not sorted
    # scenarios
    "Scenario", "load_scenario",
    # running
    "run", "run_replication", "Results", "ReplicationResult",
    # experiments
    "sweep", "SweepResult", "compare", "Comparison", "suggest_warmup", "WarmupSuggestion",
    # an exporter's order added to the demand: when it is formed, at the border and unloaded
    "Order", "order_outcomes", "Outcome",
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
    """Each public name is imported when first asked for, so that `import sim` and the CLI start at once."""
    import importlib

    if name == "plots":
        return importlib.import_module("sim.reporting.plots")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
