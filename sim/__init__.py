"""Dostyk–Alashankou rail border crossing simulator.

    import sim
    scenario = sim.load_scenario("scenarios/baseline_2023.yaml")
    results = sim.run(scenario.with_changes({"unloading.grain.points": 8}), replications=10)
    results.summary()
"""

from sim.compare import Comparison, compare
from sim.experiment import run, run_replication
from sim.loader import ScenarioError, load_scenario
from sim.results import Results
from sim.scenario import Scenario
from sim.sweep import SweepResult, sweep
from sim.warmup import WarmupSuggestion, suggest_warmup

__all__ = ["Results", "Scenario", "ScenarioError", "load_scenario", "run", "run_replication",
           "SweepResult", "sweep", "Comparison", "compare", "WarmupSuggestion", "suggest_warmup"]
