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


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"workdir": "w", "resume": "no"}, "resume must be True or False, got 'no'"),
    ({"workdir": {"path": "w"}}, "workdir: expected the path of a work directory, as text or a pathlib.Path; got a mapping of keys"),
    ({"workdir": ""}, "workdir: expected the path of a work directory"),
])
def test_the_work_directory_arguments(short: sim.Scenario, tmp_path: object, monkeypatch: pytest.MonkeyPatch,
                                      kwargs: dict, says: str) -> None:
    """resume="no" resumed (any text is true); a dict was a TypeError from pathlib; '' the current directory."""
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError) as info:
        sim.run(short, replications=1, executor="serial", **kwargs)
    assert says in str(info.value)
    with pytest.raises(ArgumentError):
        sim.sweep(short, {"unloading.grain.points": [4, 5]}, replications=1, executor="serial", **kwargs)


def test_the_decision_work_directories_too(short: sim.Scenario, tmp_path: object,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match="workdir: expected the path of a work directory"):
        sim.replicate_until_precise(short, "5%", initial=2, executor="serial", workdir="")
    with pytest.raises(ArgumentError, match="resume must be True or False, got 'yes'"):
        sim.optimize(short, "unloading.grain.points=4:10", "min:backlog_wagons_mean", executor="serial",
                     workdir="w", resume="yes")  # type: ignore[arg-type]
