"""calibrate, optimize and sensitivity check their arguments as sim.run does, before anything runs.

optimize(candidates=2.5) ran 3 candidates and seed=1.5 ran seed 1; a path for the scenario was an
AttributeError; one lever or objective given as text was read letter by letter ("expected
key.path=LOW:HIGH, got 'u'"); a (kpi, cargo) pair sensitivity did not know was ranked as nothing.
"""

from __future__ import annotations

import pytest

import sim
from sim.experiments.arguments import ArgumentError

LEVERS = ["unloading.grain.points=4:10", "unloading.containers.points=4:8"]
TARGETS = "scenarios/targets/jan2024.yaml"


def _calls(scenario: object, **kw: object) -> dict:
    return {
        "calibrate": lambda: sim.calibrate(scenario, TARGETS, executor="serial", **kw),  # type: ignore[arg-type]
        "optimize": lambda: sim.optimize(scenario, LEVERS[:1], ["min:backlog_wagons_mean"],  # type: ignore[arg-type]
                                         executor="serial", **kw),
        "sensitivity": lambda: sim.sensitivity(scenario, LEVERS, ["backlog_wagons_mean"],  # type: ignore[arg-type]
                                               executor="serial", **kw),
    }


@pytest.mark.parametrize("call", ["calibrate", "optimize", "sensitivity"])
def test_a_path_for_the_scenario_says_how_to_load_it(call: str) -> None:
    with pytest.raises(ArgumentError, match=r"scenario must be a Scenario \(load the file first"):
        _calls("scenarios/baseline_2023.yaml")[call]()


@pytest.mark.parametrize(("call", "kwargs", "says"), [
    ("optimize", {"candidates": 2.5}, "candidates must be a whole number, got the number 2.5"),
    ("optimize", {"seed": 1.5}, "seed must be a whole number, got the number 1.5"),
    ("optimize", {"replications": 0}, "replications must be at least 1, got 0"),
    ("optimize", {"batch": "4"}, "batch must be a whole number, got the text '4'"),
    ("calibrate", {"replications": 1.5}, "replications must be a whole number, got the number 1.5"),
    ("calibrate", {"profile": -1}, "profile must be at least 0, got -1"),
    ("calibrate", {"workers": 0}, "workers must be at least 1, got 0"),
    ("sensitivity", {"trajectories": 2.5}, "trajectories must be a whole number, got the number 2.5"),
    ("sensitivity", {"seed": -3}, "seed must be between 0 and"),
])
def test_counts_and_seeds_are_checked_not_coerced(short: sim.Scenario, call: str, kwargs: dict, says: str) -> None:
    with pytest.raises(ArgumentError) as info:
        _calls(short, **kwargs)[call]()
    assert says in str(info.value)


@pytest.mark.parametrize("kpis", [[("nope", "all")], [("backlog_wagons_mean", "Grain")]])
def test_sensitivity_checks_kpi_pairs_as_it_checks_texts(short: sim.Scenario, kpis: list) -> None:
    with pytest.raises(sim.SimError, match=r"kpis: invalid argument\n  .*: unknown (KPI 'nope'|cargo 'Grain')"):
        sim.sensitivity(short, LEVERS, kpis, executor="serial")


def test_a_list_argument_that_is_not_a_list_is_named(short: sim.Scenario) -> None:
    with pytest.raises(ArgumentError, match=r"objectives must be a list such as \['min:total_cost_usd'\], got the number 3"):
        sim.optimize(short, LEVERS[:1], 3, executor="serial")  # type: ignore[arg-type]


def test_one_lever_and_objective_as_text_are_a_list_of_one(short: sim.Scenario) -> None:
    day = short.with_changes({"duration": "1d"})
    opt = sim.optimize(day, LEVERS[0], "min:backlog_wagons_mean", candidates=2, replications=1, executor="serial")
    assert "unloading.grain.points" in opt.candidates.columns
    assert len(opt.candidates) >= 1


def test_a_sensitivity_ranking_of_a_kpi_not_screened_is_refused(short: sim.Scenario) -> None:
    """`ranking("dwell_h_mean")` (not screened) was an empty list, as was "backlog_wagons_mean" without "@all"."""
    day = short.with_changes({"duration": "1d"})
    sens = sim.sensitivity(day, LEVERS, ["backlog_wagons_mean"], trajectories=2, replications=1, executor="serial")
    assert sens.ranking("backlog_wagons_mean") == sens.ranking("backlog_wagons_mean@all")
    assert sorted(sens.ranking("backlog_wagons_mean")) == sorted(lv.split("=")[0] for lv in LEVERS)
    with pytest.raises(sim.SimError, match="unknown KPI 'dwell_h_mean@all'; expected one of: backlog_wagons_mean@all"):
        sens.ranking("dwell_h_mean")


def test_a_lever_given_with_units_is_told_the_bounds_in_hours(short: sim.Scenario) -> None:
    """`checks.customs.time.mean=2h:6h` (units as in a scenario file) was only "bounds must be numbers"."""
    with pytest.raises(sim.SimError, match=r"bounds must be numbers, got '2h' and '6h' \(a duration's bounds are in "
                                           r"hours: checks\.customs\.time\.mean=2:6 for 2h to 6h\)"):
        sim.optimize(short, "checks.customs.time.mean=2h:6h", "min:backlog_wagons_mean", executor="serial")
