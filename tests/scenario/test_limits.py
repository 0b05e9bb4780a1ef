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
    """A century of the baseline still runs, with 4 replications instead of its 10: 36,500 days x 3
    series are 109,500 daily rows a replication, and the daily-rows limit is what a run with its
    report holds in 1 GB (benchmarks/bench_rows.py: ~210 MiB + 1.2 KiB a row). Its 10 replications
    (1,095,000 rows, ~1.5 GB) are refused, with the number that fits."""
    assert _problems(base, {"duration": "36500d", "replications": 4}) == []
    refused = _problems(base, {"duration": "36500d"})
    assert [p for p, _ in refused] == ["replications"]
    assert "10 replications x 36,500 days x 3 series" in refused[0][1]
    assert "1,095,000 daily rows" in refused[0][1] and "use at most 4 replications" in refused[0][1]


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


@pytest.mark.parametrize(("reps", "refused"), [(425, False), (426, True)])
def test_daily_rows_per_run(base: Scenario, reps: int, refused: bool) -> None:
    # 365 days x 3 series (grain, containers, all) per replication, and its own tables as 80 rows:
    # 425 x 1,175 = 499,375, 426 x 1,175 = 500,550
    assert limits.REPLICATION_ROWS == 80
    assert (reps * (1095 + 80) > limits.MAX_DAILY_ROWS) == refused
    problems = _problems(base, {}, replications=reps)
    assert any(p == "replications" for p, _ in problems) == refused


def test_daily_rows_at_the_limit_pass(base: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """The limit itself is allowed: 10 replications of a year (10,950 rows and 10 x 80 for their own
    tables) pass at a limit of 11,750, and the refusal one row below it names the key, the rows, the
    limit and what fits."""
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 10 * (365 * 3 + 80))
    assert _problems(base, {}) == []
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 10 * (365 * 3 + 80) - 1)
    refused = _problems(base, {})
    assert [p for p, _ in refused] == ["replications"]
    assert refused[0][1] == (
        "10 replications x 365 days x 3 series (each cargo and all) are 10,950 daily rows, kept in memory and "
        "written to daily.csv, and each replication's own tables (KPIs, events, dwell) count as 80 more: 11,750; "
        "the limit is 11,749 (what a run and its report hold in 1 GB of memory) — use at most 9 replications or "
        "a shorter `duration`")


@pytest.mark.parametrize(("reps", "refused"), [(6024, False), (6025, True)])
def test_many_short_replications_count_their_own_tables(base: Scenario, reps: int, refused: bool) -> None:
    """A replication keeps its KPIs, events and dwell quantiles however short it is: 100,000 one-day
    replications were 300,000 daily rows but ~10 GB, so each counts 80 rows more (500,000 // 83 = 6,024)."""
    problems = _problems(base, {"duration": "1d", "warmup": 0}, replications=reps)
    assert any(p == "replications" for p, _ in problems) == refused


def test_a_replication_longer_than_the_limit_asks_for_a_shorter_duration(base: Scenario,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """When one replication alone has more rows than the limit, fewer replications cannot help."""
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 1000)  # one year of the baseline is 1,095 rows
    refused = [m for p, m in _problems(base, {"replications": 1}) if p == "replications"]
    assert refused and refused[0].endswith("the limit is 1,000 (what a run and its report hold in 1 GB of "
                                           "memory) — use a shorter `duration`")


@pytest.mark.parametrize(("every_h", "refused"), [(0.9, False), (0.8, True)])
def test_disruption_windows_per_target(base: Scenario, every_h: float, refused: bool) -> None:
    # zero-length windows every `every_h` hours for a year: 8,760 / every_h windows on the line
    changes = {"disruptions.wind.every": f"{every_h}h", "disruptions.wind.lasts": 0}
    assert (8760 / every_h > limits.MAX_WINDOWS_PER_TARGET) == refused
    problems = _problems(base, changes)
    assert any(p == "disruptions.wind.every" for p, _ in problems) == refused


def test_start_and_end_dates(base: Scenario) -> None:
    assert [p for p, _ in _problems(base, {"start": "1899-12-31"})] == ["start"]
    century = {"duration": "36500d", "replications": 4}  # the most replications of a century (see above)
    assert _problems(base, {"start": "2161-01-01", **century}) == []
    assert [p for p, _ in _problems(base, {"start": "2163-01-01", **century})] == ["duration"]


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
    just_in = limits.MAX_DAILY_ROWS // (days * 9 + limits.REPLICATION_ROWS)
    assert not [p for p in limits.workload_problems(s, just_in) if p[0] == "replications"]
    refused = [msg for path, msg in limits.workload_problems(s, just_in + 1) if path == "replications"]
    assert refused and "per crossing and corridor" in refused[0]
