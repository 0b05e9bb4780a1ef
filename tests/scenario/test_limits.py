"""sim.limits: each work bound refuses just above its limit and accepts just below it, and the
real studies it must never block (a century of the 2023 baseline) pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import limits
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, validate_scenario
from sim.scenario.schema import Scenario

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline_2023.yaml"


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(BASELINE)


def _problems(s: Scenario, changes: dict, replications: int | None = None) -> list[tuple[str, str]]:
    try:
        changed = validate_scenario(s.to_dict(), "test.yaml", changes)
    except ScenarioError as exc:
        return exc.problems
    return list(limits.workload_problems(changed, replications))


def test_a_century_of_the_baseline_passes(base: Scenario) -> None:
    assert _problems(base, {"duration": "36500d"}) == []


@pytest.mark.parametrize(("tpd", "refused"), [(25.7, False), (25.8, True)])
def test_trains_per_replication(base: Scenario, tpd: float, refused: bool) -> None:
    # 100 years: the baseline's grain (~600 trains a year) plus `tpd` container trains a day
    grain = base.demand["grain"].tonnes_per_year / (68 * 55) * 100
    assert (grain + tpd * 36500 > limits.MAX_TRAINS) == refused
    problems = _problems(base, {"duration": "36500d", "demand.containers.trains_per_day": tpd})
    trains = [m for p, m in problems if p == "demand.containers.trains_per_day" and "trains in one" in m]
    assert bool(trains) == refused


@pytest.mark.parametrize(("tpd", "refused"), [(2.5, False), (2.6, True)])
def test_wagons_per_replication(base: Scenario, tpd: float, refused: bool) -> None:
    # 100 years of 500-wagon container trains: few trains, many wagons
    wagons = tpd * 36500 * 500 + base.demand["grain"].tonnes_per_year / 68 * 100
    assert (wagons > limits.MAX_WAGONS) == refused
    problems = _problems(base, {"duration": "36500d", "demand.containers.trains_per_day": tpd,
                                "cargo.containers.wagons_per_train": 500, "cargo.grain.wagons_per_train": 500})
    assert any("wagons to unload" in m for _, m in problems) == refused


@pytest.mark.parametrize(("reps", "refused"), [(4566, False), (4567, True)])
def test_daily_rows_per_run(base: Scenario, reps: int, refused: bool) -> None:
    # 365 days x 3 series (grain, containers, all) per replication; 4,566 x 1,095 = 4,999,770
    problems = _problems(base, {}, replications=reps)
    assert any(p == "replications" for p, _ in problems) == refused


@pytest.mark.parametrize(("every_h", "refused"), [(0.9, False), (0.8, True)])
def test_disruption_windows_per_target(base: Scenario, every_h: float, refused: bool) -> None:
    # zero-length windows every `every_h` hours for a year: 8,760 / every_h windows on the line
    changes = {"disruptions.wind.every": f"{every_h}h", "disruptions.wind.lasts": 0}
    assert (8760 / every_h > limits.MAX_WINDOWS_PER_TARGET) == refused
    problems = _problems(base, changes)
    assert any(p == "disruptions[0].every" for p, _ in problems) == refused


def test_start_and_end_dates(base: Scenario) -> None:
    assert [p for p, _ in _problems(base, {"start": "1899-12-31"})] == ["start"]
    assert _problems(base, {"start": "2161-01-01", "duration": "36500d"}) == []
    assert [p for p, _ in _problems(base, {"start": "2163-01-01", "duration": "36500d"})] == ["duration"]


def test_breakdowns_and_reviews(base: Scenario) -> None:
    flood = {"unloading.breakdowns.mtbf": "1s", "unloading.breakdowns.mttr": "1s"}
    assert [p for p, _ in _problems(base, flood)] == ["unloading.breakdowns.mtbf"]
    assert [p for p, _ in _problems(base, {"policies.stop_loading.check_every": "0.001s"})] == [
        "policies.stop_loading.check_every"
    ]
    assert _problems(base, {"policies.stop_loading.check_every": "5min"}) == []


def test_daily_rows_count_every_crossing_and_the_corridor() -> None:
    """Two crossings keep (cargo + 1) series at each and for the corridor: 3 blocks of 3 here."""
    s = load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "history" / "2020_dostyk_jam_altynkol.yaml")
    assert limits.series_count(s) == 3 * 3
    days = 214
    just_in = limits.MAX_DAILY_ROWS // (days * 9)
    assert not [p for p in limits.workload_problems(s, just_in) if p[0] == "replications"]
    refused = [msg for path, msg in limits.workload_problems(s, just_in + 1) if path == "replications"]
    assert refused and "per crossing and corridor" in refused[0]
