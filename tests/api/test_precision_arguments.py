"""replicate_until_precise checks its KPIs and counts before the first replication, as `--precision-kpi` is.

A KPI or cargo it did not know (`("backlog_wagons_mean", "Grain")`) was never found in the summary, so its
interval never narrowed: the call ran all 200 replications and reported the target missed; initial=2.5 ran
2 and seed=1.5 ran seed 1.
"""

from __future__ import annotations

import pytest

import sim
from sim.experiments.arguments import ArgumentError


@pytest.fixture
def nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a replication ran before the arguments were checked")

    monkeypatch.setattr("sim.decision.precision.run_tasks", refuse)


@pytest.mark.parametrize(("kpis", "says"), [
    ([("backlog_wagons_mean", "Grain")], "unknown cargo 'Grain'; expected one of: grain, containers, all"),
    ([("backlog", "all")], "unknown KPI 'backlog'"),
    (["dwell_h_mean@wheat"], "unknown cargo 'wheat'"),
    ("backlog", "unknown KPI 'backlog'"),
])
def test_unknown_kpis_are_refused_before_anything_runs(short: sim.Scenario, nothing_runs: None, kpis: object,
                                                       says: str) -> None:
    with pytest.raises(sim.SimError, match="kpis: invalid option") as info:
        sim.replicate_until_precise(short, "5%", kpis, executor="serial")  # type: ignore[arg-type]
    assert says in str(info.value)


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"kpis": 3}, "kpis must be a list of (kpi, cargo) pairs or 'kpi@cargo' texts"),
    ({"kpis": [("backlog_wagons_mean", "all", "x")]}, "kpis must be a list of (kpi, cargo) pairs"),
    ({"initial": 2.5}, "initial must be a whole number, got the number 2.5"),
    ({"seed": 1.5}, "seed must be a whole number, got the number 1.5"),
    ({"max_replications": "20"}, "max_replications must be a whole number, got the text '20'"),
    ({"workers": 0}, "workers must be at least 1, got 0"),
])
def test_counts_are_checked_not_coerced(short: sim.Scenario, nothing_runs: None, kwargs: dict, says: str) -> None:
    with pytest.raises(ArgumentError) as info:
        sim.replicate_until_precise(short, "5%", **{"executor": "serial", **kwargs})
    assert says in str(info.value)


def test_the_api_names_its_own_arguments_not_the_cli_options(short: sim.Scenario, nothing_runs: None) -> None:
    with pytest.raises(sim.SimError, match=r"^max_replications: invalid option"):
        sim.replicate_until_precise(short, "5%", initial=5, max_replications=3, executor="serial")


def test_a_path_is_refused_saying_how_to_load_it(nothing_runs: None) -> None:
    with pytest.raises(ArgumentError, match=r"must be a Scenario \(load the file first"):
        sim.replicate_until_precise("scenarios/baseline_2023.yaml", "5%")  # type: ignore[arg-type]


def test_a_kpi_as_text_or_pair_runs_the_same(short: sim.Scenario) -> None:
    _, by_pair = sim.replicate_until_precise(short, "50%", [("wagons_delivered", "all")], initial=2,
                                             max_replications=4, executor="serial")
    _, by_text = sim.replicate_until_precise(short, "50%", "wagons_delivered", initial=2, max_replications=4,
                                             executor="serial")
    assert by_pair.kpis.equals(by_text.kpis)
    assert list(by_pair.kpis["kpi"]) == ["wagons_delivered"] and by_pair.reached
