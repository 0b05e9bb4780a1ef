"""Distinct proposals without simulating: a sampler that repeats itself still yields new points, today's first,
and the whole grid when the budget allows; the same seed gives the same points."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis.selection import select_subset
from sim.decision.levers import Lever
from sim.decision.proposals import Outcome, Proposals, grid_size
from sim.decision.search import make_study

LEVERS = [Lever(path="a", low=1, high=3, integer=True), Lever(path="b", low=0, high=2, integer=True)]


def _search(budget: int, batch: int, seed: int, sampler: str = "tpe", today: dict | None = None) -> tuple[list, Proposals]:
    study = make_study(sampler, seed, ["minimize"], n_startup=2)
    prop = Proposals(study, LEVERS, today or {"a": 2, "b": 1}, budget, seed, patience=5)
    points: list[dict] = []
    while len(points) < budget and not prop.exhausted:
        asked = prop.ask(min(batch, budget - len(points)))
        if not asked:
            break
        for point, trial in asked:
            # a bowl with its minimum at (1, 0): TPE soon proposes it again and again
            prop.tell(point, trial, Outcome([float((point["a"] - 1) ** 2 + point["b"] ** 2)], []))
            points.append(point)
    return points, prop


@pytest.mark.parametrize("sampler", ["tpe", "random"])
def test_a_budget_below_the_grid_gives_distinct_points_today_first(sampler: str) -> None:
    assert grid_size(LEVERS) == 9
    points, prop = _search(8, 3, seed=5, sampler=sampler)
    keys = [(p["a"], p["b"]) for p in points]
    assert len(keys) == 8 and len(set(keys)) == 8
    assert keys[0] == (2, 1)
    assert not prop.enumerate
    again, _ = _search(8, 3, seed=5, sampler=sampler)
    assert again == points                      # same seed, same points


def test_a_grid_that_fits_is_enumerated_and_today_outside_is_added() -> None:
    points, prop = _search(20, 4, seed=1, today={"a": 7, "b": 1})
    keys = [(p["a"], p["b"]) for p in points]
    assert prop.enumerate and keys[0] == (7, 1)
    assert sorted(keys[1:]) == [(a, b) for a in (1, 2, 3) for b in (0, 1, 2)]
    assert prop.exhausted and prop.planned(20) == 10


def test_repeats_are_told_from_measured_results_not_spent() -> None:
    points, prop = _search(8, 4, seed=2)
    study_trials = prop.study.trials
    finished = [t for t in study_trials if t.state.name == "COMPLETE"]
    assert prop.repeats > 0                                     # the sampler did repeat itself
    assert len(finished) == len(points) + prop.repeats          # every repeat was told the known value
    by_point = {(p["a"], p["b"]): (p["a"] - 1) ** 2 + p["b"] ** 2 for p in points}
    for t in finished:
        assert t.value == by_point[(t.params["a"], t.params["b"])]


def test_selection_edge_cases() -> None:
    empty = select_subset(pd.DataFrame({"a": [float("nan")] * 3, "b": [1.0, 2.0, 3.0]}))
    assert empty.kept == ["b"]                  # a system without any value is no candidate
    with pytest.raises(ValueError, match="direction"):
        select_subset(pd.DataFrame({"a": [1.0]}), "smallest")
    with pytest.raises(ValueError, match="confidence"):
        select_subset(pd.DataFrame({"a": [1.0]}), confidence=1.0)
    tie = select_subset(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 3.0]}))
    assert tie.kept == ["a", "b"]               # identical systems: neither beats the other
    plain = select_subset(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [2.0, 3.0, 4.0]}))
    assert plain.kept == ["a"] and plain.rejected["b"][0] == "a"   # b is a + 1 in every replication
