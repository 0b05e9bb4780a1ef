"""What disruptions do to each capacity, and the warnings for valid scenarios that are probably slips:
a factor that rounds a capacity down to nothing, a yard cut below one train, a window outside the run."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

import sim
from sim.scenario.effects import ScenarioWarning, capacity_effects, describe_disruptions, scenario_warnings
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario
from tests.cli.test_bad_inputs import MINI
from tests.conftest import SCENARIOS

HOLD = {"name": "hold", "from": "2024-01-02", "to": "2024-01-20", "target": "checks.customs"}


def _mini(**changes: object) -> Scenario:
    import yaml

    return Scenario.from_data(yaml.safe_load(MINI), "mini", changes)


def test_a_factor_rounding_a_quota_to_zero_is_a_closure_and_is_said() -> None:
    s = _mini(**{"checks[0].trains_per_day": 3, "disruptions": [{**HOLD, "capacity": 0.3}]})
    (effect,) = capacity_effects(s)
    assert (effect.key, effect.base, effect.during) == ("trains_per_day", 3, 0)
    (warning,) = scenario_warnings(s)
    assert warning[0] == "disruptions.hold.capacity"
    assert "rounds down to 0 trains a day" in warning[1] and "closes checks.customs completely" in warning[1]
    assert "at least 0.334 keeps 1" in warning[1]
    kept = _mini(**{"checks[0].trains_per_day": 3, "disruptions": [{**HOLD, "capacity": 0.334}]})
    assert capacity_effects(kept)[0].during == 1 and scenario_warnings(kept) == []  # 0.334 × 3 = 1.002


def test_points_and_trains_at_once_rounding_to_zero_are_said_too() -> None:
    s = _mini(**{"checks[0].trains_at_once": 2, "disruptions": [
        {**HOLD, "capacity": 0.4},
        {**HOLD, "name": "cranes", "target": "unloading.grain", "capacity": 0.1}]})
    said = dict(scenario_warnings(s))
    assert "0.4 × checks.customs trains_at_once 2 rounds down to 0 trains at once" in said["disruptions.hold.capacity"]
    assert "0.1 × unloading.grain points 6 rounds down to 0 points" in said["disruptions.cranes.capacity"]


def test_a_closure_written_as_zero_is_not_warned_about() -> None:
    assert scenario_warnings(_mini(disruptions=[{**HOLD, "capacity": 0}])) == []


def test_a_yard_cut_below_one_train_is_said() -> None:
    s = _mini(disruptions=[{**HOLD, "target": "yard", "capacity": 0.045}])  # 1200 × 0.045 = 54 < 55
    (warning,) = scenario_warnings(s)
    assert "is 54 wagons during 'hold'" in warning[1]
    assert "grain (55 wagons), containers (57 wagons)" in warning[1]


def test_validate_prints_each_windows_capacity_so_a_slip_shows() -> None:
    """`capacity: 8` (meant 0.8) is valid; validate must show 12 trains a day becoming 96."""
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    slip = base.with_changes({"disruptions.spring-festival.capacity": 8})
    (line,) = [ln for ln in describe_disruptions(slip) if ln.startswith("spring-festival")]
    assert line == ("spring-festival (2023-01-21 – 2023-01-28) on checks.handover: "
                    "trains_per_day 12 → 96 trains a day (× 8)")
    lines = describe_disruptions(base)
    assert "wind (every ~30d, lasting ~21h) on line: closed" in lines


def test_a_window_outside_the_run_is_said_not_dropped_silently() -> None:
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    short = base.with_changes({"duration": "10d"})  # spring festival (21-28 January) is after the run
    (warning,) = scenario_warnings(short)
    assert warning == ("disruptions.spring-festival", ("the window starts 2023-01-21, when the run is over (the run is 2023-01-01 "
                                         "to 2023-01-11 00:00), so 'spring-festival' changes nothing in this run"))
    assert scenario_warnings(base) == []
    before = base.with_changes({"disruptions.spring-festival.from": "2022-01-21",
                                "disruptions.spring-festival.to": "2022-01-28"})
    assert "ends 2022-01-28, before the run starts" in scenario_warnings(before)[0][1]
    season = base.with_changes({"disruptions.wind.from": "2025-01-01"})  # a recurring season after the run
    assert "its season starts 2025-01-01, when the run is over" in scenario_warnings(season)[0][1]
    edge = base.with_changes({"disruptions.spring-festival.from": "2022-12-21",  # ends exactly at the start
                              "disruptions.spring-festival.to": "2023-01-01"})
    assert scenario_warnings(edge)[0][0] == "disruptions.spring-festival"


def test_a_recurring_season_ending_before_it_starts_is_refused() -> None:
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    with pytest.raises(ScenarioError, match=r"disruptions\.wind: `to` \(2023-03-01\) must be after `from` "
                                            r"\(2023-05-01\): they bound the season"):
        base.with_changes({"disruptions.wind.from": "2023-05-01", "disruptions.wind.to": "2023-03-01"})


def test_runs_emit_the_warnings(tmp_path: Path) -> None:
    s = sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"duration": "1d"})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sim.run(s, replications=1, executor="serial")
    said = [str(w.message) for w in caught if issubclass(w.category, ScenarioWarning)]
    assert said == [("baseline-2023: disruptions.spring-festival: the window starts 2023-01-21, when the run is over (the run is "
                    "2023-01-01 to 2023-01-02 00:00), so 'spring-festival' changes nothing in this run")]


def test_overlapping_windows_whose_factors_multiply_to_a_closure_are_said() -> None:
    half = {**HOLD, "target": "unloading.grain", "capacity": 0.5}
    s = _mini(**{"unloading.grain.points": 3, "disruptions": [
        {**half, "name": "a"}, {**half, "name": "b", "from": "2024-01-10", "to": "2024-02-01"}]})
    (warning,) = scenario_warnings(s)
    assert warning[0] == "disruptions.b.capacity"
    assert warning[1] == ("'a' and 'b' overlap on unloading.grain from 2024-01-10 to 2024-01-20, where their factors "
                          "multiply: 0.5 × 0.5 × points 3 rounds down to 0 points, a full closure neither window "
                          "gives on its own")
    apart = _mini(**{"unloading.grain.points": 3, "disruptions": [
        {**half, "name": "a"}, {**half, "name": "b", "from": "2024-01-20", "to": "2024-02-01"}]})
    assert scenario_warnings(apart) == []  # touching, not overlapping
