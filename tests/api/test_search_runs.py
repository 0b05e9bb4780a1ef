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
    started = time.perf_counter()
    with pytest.raises(ArgumentError, match=r"^trajectories 100,000,000 x points per trajectory \(levers \+ 1\) 3 x "
                                            r"replications 3 are 900,000,000 runs"):
        sim.sensitivity(short, LEVERS, ["backlog_wagons_mean"], trajectories=10**8, executor="serial")
    assert time.perf_counter() - started < 10  # sampling 10**8 trajectories first took minutes and gigabytes
    with pytest.raises(ArgumentError, match=r"^samples 1,000,000 x points per sample \(levers \+ 2\) 4 x "
                                            r"replications 3 are 12,000,000 runs.*lower samples or replications"):
        sim.sensitivity(short, LEVERS, ["backlog_wagons_mean"], method="sobol", samples=10**6, executor="serial")


def test_the_limit_itself_is_allowed() -> None:
    assert runs_problem([("candidates", MAX_RUNS // 5), ("replications", 5)]) is None
    assert runs_problem([("candidates", MAX_RUNS // 5 + 1), ("replications", 5)]) is not None
