"""A notebook loop of runs shows a scenario warning once, as Python shows any warning (sim.scenario.warn);
filters the caller sets ("always", "error", "ignore") still decide."""

from __future__ import annotations

import warnings

import pytest

import sim
from sim.scenario.effects import ScenarioWarning
from tests.conftest import SCENARIOS

FESTIVAL = "so 'spring-festival' changes nothing in this run"


@pytest.fixture(scope="module")
def day() -> sim.Scenario:  # spring festival (21-28 January) is after this one-day run: a warning
    return sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"duration": "1d"})


def _runs(scenario: sim.Scenario, action: str, times: int) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        for _ in range(times):
            sim.run(scenario, replications=1, executor="serial")  # one line: one place
    return [w for w in caught if issubclass(w.category, ScenarioWarning)]


def test_a_loop_of_runs_warns_once_at_the_callers_line(day: sim.Scenario) -> None:
    # each run's catch_warnings (pydantic, pandas) wiped Python's memory of it: 4 runs printed it 4 times
    (once,) = _runs(day, "default", 4)
    assert FESTIVAL in str(once.message)
    assert once.filename == __file__  # the caller's line, not sim's own code


def test_always_still_shows_every_one_and_error_raises(day: sim.Scenario) -> None:
    assert len(_runs(day, "always", 3)) == 3  # what the CLI asks: each command prints its warnings
    assert _runs(day, "ignore", 2) == []
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        with pytest.raises(ScenarioWarning, match=FESTIVAL):
            sim.run(day, replications=1, executor="serial")


def test_a_sweep_through_compare_points_at_the_caller(day: sim.Scenario) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        for _ in range(2):
            sim.compare([day, day.with_changes({"name": "more", "unloading.grain.points": 7})], replications=2, executor="serial")
    said = [w for w in caught if issubclass(w.category, ScenarioWarning)]
    assert len(said) == 2  # one per scenario compared, not one per call
    assert {w.filename for w in said} == {__file__}
