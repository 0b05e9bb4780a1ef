"""More arguments checked rather than taken: executor=None was "'NoneType' object has no attribute
'map_unordered'", progress="yes" showed no progress without a word, and plots.warmup(results) was
"'Results' object has no attribute 'series'"."""

from __future__ import annotations

import pytest

import sim
from sim import plots
from sim.experiments.arguments import ArgumentError


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"executor": None}, "executor must be one of: process, serial, dask (or an Executor), got None"),
    ({"executor": 2}, "executor must be one of"),
    ({"executor": "serial", "progress": "yes"}, "progress must be True or False"),
    ({"executor": "serial", "progress": 1}, "progress must be True or False"),
])
def test_run_refuses(short: sim.Scenario, kwargs: dict, says: str) -> None:
    with pytest.raises(ArgumentError) as info:
        sim.run(short, replications=1, **kwargs)
    assert says in str(info.value)


def test_sweep_and_compare_refuse_them_too(short: sim.Scenario) -> None:
    with pytest.raises(ArgumentError, match="executor must be one of"):
        sim.sweep(short, {"unloading.grain.points": [4, 5]}, replications=1, executor=None)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="progress must be True or False"):
        sim.compare([short, short], replications=2, executor="serial", progress="on")  # type: ignore[arg-type]


@pytest.mark.parametrize("thing", [None, "results"])
def test_the_warmup_plot_takes_a_suggestion(results: sim.Results, thing: str | None) -> None:
    with pytest.raises(ArgumentError, match=r"plots\.warmup draws what sim\.suggest_warmup returns, got"):
        plots.warmup(results if thing else None)  # type: ignore[arg-type]
