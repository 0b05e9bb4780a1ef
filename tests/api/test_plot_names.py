"""Plots refuse a cargo, KPI, lever or column they cannot draw, and anything but results, by name.

`plots.kpi_comparison(runs, cargo="Grain")` drew an empty figure; a misspelt daily column or lever was a
pandas KeyError; a Scenario or a summary table where Results were expected an AttributeError.
"""

from __future__ import annotations

import pytest

import sim
from sim import plots
from sim.analysis.choices import ChoiceError
from sim.experiments.arguments import ArgumentError
from sim.reporting.timeline import daily_rows


@pytest.fixture(scope="module")
def two_levers(short: sim.Scenario) -> sim.SweepResult:
    return sim.sweep(short.with_changes({"duration": "1d"}), {"unloading.grain.points": [4, 6],
                                                               "unloading.containers.points": [5, 6]},
                     replications=2, executor="serial")


def test_a_cargo_in_another_case_is_refused_not_drawn_empty(results: sim.Results) -> None:
    with pytest.raises(ChoiceError, match=r"unknown cargo 'Grain' \(did you mean 'grain'\?\)"):
        plots.kpi_comparison({"baseline": results}, cargo="Grain")
    with pytest.raises(ChoiceError, match=r"unknown cargo 'Grain' \(did you mean 'grain'\?\)"):
        plots.backlog(results, cargo="Grain")


def test_unknown_kpi_column_and_crossing_are_named(results: sim.Results) -> None:
    with pytest.raises(ChoiceError, match=r"unknown KPI 'dwell_mean'"):
        plots.kpi_comparison([results], kpis=["dwell_mean"])
    with pytest.raises(ChoiceError, match=r"unknown daily column 'backlog' .*backlog_mean"):
        plots.backlog(results, column="backlog")
    with pytest.raises(ChoiceError, match=r"unknown crossing 'altynkol'; expected one of: dostyk"):
        daily_rows(results, "all", crossing="altynkol")


@pytest.mark.parametrize("thing", [None, "results/baseline", "scenario", "summary"])
def test_something_else_than_results_is_refused(results: sim.Results, short: sim.Scenario, thing: object) -> None:
    value = {"scenario": short, "summary": results.summary()}.get(thing, thing)  # type: ignore[call-overload]
    with pytest.raises(ArgumentError, match=r"a plot of the daily series takes the Results of sim\.run"):
        plots.backlog(value)
    if thing != "summary":  # a summary table is a run kpi_comparison takes
        with pytest.raises(ArgumentError, match=r"kpi_comparison compares the Results of sim\.run"):
            plots.kpi_comparison({"a": value})
    with pytest.raises(ArgumentError, match="kpi_comparison needs at least one run"):
        plots.kpi_comparison({})


def test_sweep_plots_name_the_levers(two_levers: sim.SweepResult) -> None:
    with pytest.raises(ChoiceError, match=r"unknown lever 'unloading.grain.point' \(did you mean "
                                          r"'unloading.grain.points'\?\)"):
        plots.sweep_lever(two_levers, "dwell_h_mean", lever="unloading.grain.point")
    with pytest.raises(ChoiceError, match="unknown lever 'points'"):
        plots.sweep_heatmap(two_levers, "dwell_h_mean", x="points")
    with pytest.raises(ChoiceError, match="two different levers"):
        plots.sweep_heatmap(two_levers, "dwell_h_mean", x="unloading.grain.points", y="unloading.grain.points")
    fig = plots.sweep_heatmap(two_levers, "dwell_h_mean", y="unloading.grain.points")
    try:
        assert fig.axes[0].get_xlabel() == "unloading.containers.points"  # x is the other lever
    finally:
        plots.close(fig)


def test_a_heat_map_of_one_lever_says_which_plot_to_use(short: sim.Scenario) -> None:
    one = sim.sweep(short.with_changes({"duration": "1d"}), {"unloading.grain.points": [4, 6]}, replications=2,
                    executor="serial")
    with pytest.raises(ChoiceError, match=r"only unloading.grain.points \(plot it with plots.sweep_lever\)"):
        plots.sweep_heatmap(one, "dwell_h_mean")


def test_kpi_comparison_of_runs_over_other_periods_warns_as_compare_does(short: sim.Scenario,
                                                                          results: sim.Results) -> None:
    """Bars of a 3-day and a 1-day run side by side were drawn without a word (sim.compare warns)."""
    day = sim.run(short.with_changes({"duration": "1d"}), replications=2, executor="serial")
    with pytest.warns(sim.experiments.compare.ScenarioWarning, match="b has duration 24h, the baseline a 3d: its KPIs "
                                                                     "cover another period"):
        plots.close(plots.kpi_comparison({"a": results, "b": day}))
