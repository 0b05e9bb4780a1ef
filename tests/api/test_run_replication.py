"""sim.run_replication checks its arguments as sim.run does: seed=1.5 ran and was recorded as seed 1.5,
a negative replication was a numpy error, a path an AttributeError from deep in the model."""

from __future__ import annotations

import pytest

import sim
from sim.experiments.arguments import ArgumentError


@pytest.mark.parametrize(("args", "says"), [
    ((0, 1.5), "seed must be a whole number, got the number 1.5"),
    ((0, -1), "seed must be between 0 and"),
    ((-1,), "replication must be at least 0, got -1"),
    ((1.0,), "replication must be a whole number, got the number 1.0"),
])
def test_bad_arguments_are_refused(short: sim.Scenario, args: tuple, says: str) -> None:
    with pytest.raises(ArgumentError) as info:
        sim.run_replication(short, *args)
    assert says in str(info.value)


def test_a_path_is_refused_saying_how_to_load_it() -> None:
    with pytest.raises(ArgumentError, match=r"must be a Scenario \(load the file first"):
        sim.run_replication("scenarios/baseline_2023.yaml", 0)  # type: ignore[arg-type]


def test_one_replication_is_replication_r_of_a_run(short: sim.Scenario, results: sim.Results) -> None:
    one = sim.run_replication(short, 1)
    assert one.seed == short.seed
    assert one.kpis.reset_index(drop=True).equals(
        results.kpis[results.kpis["replication"] == 1].reset_index(drop=True))
