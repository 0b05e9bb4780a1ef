"""optimize and sensitivity refuse, before sampling or running anything, arguments that imply more runs
than limits.MAX_RUNS, naming the arguments, the runs they imply and the limit (as replications= is bounded
by the daily rows a run holds)."""

from __future__ import annotations

import time

import pytest

import sim
from sim.experiments.arguments import ArgumentError
from sim.scenario.limits import MAX_RUNS, runs_problem

LEVERS = ["unloading.grain.points=4:10", "unloading.containers.points=2:8"]


def test_optimize_names_both_arguments_and_the_runs(short: sim.Scenario) -> None:
    with pytest.raises(ArgumentError) as info:
        sim.optimize(short, LEVERS[:1], ["min:backlog_wagons_mean"], candidates=100_000, replications=10_000,
                     executor="serial")
    assert str(info.value) == (
        "candidates 100,000 x replications 10,000 are 1,000,000,000 runs of the scenario; the limit is 1,000,000 "
        "(a year of the 2023 baseline takes seconds, so that many are weeks of computing: more is taken as a "
        "typo) — lower candidates or replications")


def test_sensitivity_is_refused_before_its_design_is_sampled(short: sim.Scenario) -> None:
    started = time.process_time()
    with pytest.raises(ArgumentError, match=r"^trajectories 100,000,000 x points per trajectory \(levers \+ 1\) 3 x "
                                            r"replications 3 are 900,000,000 runs"):
        sim.sensitivity(short, LEVERS, ["backlog_wagons_mean"], trajectories=10**8, executor="serial")
    assert time.process_time() - started < 10  # sampling 10**8 trajectories first took minutes and gigabytes
    with pytest.raises(ArgumentError, match=r"^samples 1,000,000 x points per sample \(levers \+ 2\) 4 x "
                                            r"replications 3 are 12,000,000 runs.*lower samples or replications"):
        sim.sensitivity(short, LEVERS, ["backlog_wagons_mean"], method="sobol", samples=10**6, executor="serial")


def test_the_limit_itself_is_allowed() -> None:
    assert runs_problem([("candidates", MAX_RUNS // 5), ("replications", 5)]) is None
    assert runs_problem([("candidates", MAX_RUNS // 5 + 1), ("replications", 5)]) is not None


# -- numbers too long to print (h-hostile) ---------------------------------------------------------------

def test_a_number_too_long_to_print_is_named_by_its_size(short: sim.Scenario) -> None:
    """candidates=10**5000 (or replications=-10**5000) raised Python's ValueError 'Exceeds the limit (4300
    digits) for integer string conversion' while the refusal was being written, instead of the refusal."""
    with pytest.raises(ArgumentError, match=r"^candidates about 10\^5000 x replications 1 are about 10\^5000 runs"):
        sim.optimize(short, LEVERS[:1], ["min:backlog_wagons_mean"], candidates=10**5000, replications=1,
                     executor="serial")
    with pytest.raises(ArgumentError, match=r"^replications must be between 1 and 100,000.*, got about -10\^5000$"):
        sim.run(short, replications=-10**5000)


def test_scenario_data_with_a_number_too_long_to_print_says_the_key(short: sim.Scenario) -> None:
    data = short.to_dict()
    for key, said in [("seed", "seed: expected at most 9,223,372,036,854,775,807"), ("name", "name: expected text"),
                      ("duration", "duration: expected a duration"), ("warmup", "warmup: expected a duration")]:
        with pytest.raises(sim.ScenarioError) as info:
            sim.Scenario(**{**data, key: 10**5000})
        assert said in str(info.value) and "about 10^5000" in str(info.value), str(info.value)
