"""The shipped scenarios reproduce what was observed (../shared/data/observed.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from tests.conftest import SCENARIOS

OBSERVED_2023_T = 2_230_000  # agricultural products Kazakhstan -> China by rail, 2023


@pytest.mark.slow
def test_baseline_delivers_2023_grain_within_5_percent() -> None:
    scenario = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    results = sim.run(scenario, replications=10)
    summary = results.summary().set_index(["cargo", "kpi"])
    row = summary.loc[("grain", "tonnes_delivered")]
    # The mean and its whole 95 % confidence interval lie within ±5 % of the observed tonnage.
    assert abs(row["mean"] / OBSERVED_2023_T - 1) <= 0.05
    assert row["ci95_low"] >= 0.95 * OBSERVED_2023_T
    assert row["ci95_high"] <= 1.05 * OBSERVED_2023_T


@pytest.fixture(scope="module")
def jan2024() -> sim.Results:
    scenario = sim.load_scenario(SCENARIOS / "jan2024_admin_hold.yaml")
    return sim.run(scenario, replications=10)


def _daily_all(results: sim.Results) -> pd.DataFrame:
    daily = results.daily[results.daily["cargo"] == "all"].copy()
    daily["date"] = pd.to_datetime(daily["date"])
    return daily


@pytest.mark.slow
def test_jan2024_hold_builds_a_visible_backlog_with_held_trains(jan2024: sim.Results) -> None:
    daily = _daily_all(jan2024)
    december = daily[(daily["date"] >= "2023-12-01") & (daily["date"] < "2024-01-01")]
    hold = daily[(daily["date"] >= "2024-01-02") & (daily["date"] < "2024-01-21")]
    for rep, before in december.groupby("replication"):
        during = hold[hold["replication"] == rep]
        # backlog at least triples and trains queue short of the yard, which they did not before
        assert during["backlog_max"].max() >= 3 * before["backlog_mean"].mean()
        assert during["held_trains_max"].max() >= 5
        assert before["held_trains_mean"].mean() < 0.5


@pytest.mark.slow
def test_jan2024_hold_triggers_stop_loading(jan2024: sim.Results) -> None:
    halts = jan2024.events[jan2024.events["kind"] == "stop_loading"]
    first_halt = halts.groupby("replication")["start"].min()
    assert len(first_halt) == jan2024.replications  # every replication halts loading
    assert (first_halt >= pd.Timestamp("2024-01-02")).all()
    assert (first_halt <= pd.Timestamp("2024-01-21")).all()  # ...during the hold, not before


@pytest.mark.slow
def test_jan2024_backlog_recovers_after_the_hold(jan2024: sim.Results) -> None:
    recovery = jan2024.kpi("recovery_days.admin-hold", "all")
    assert recovery.notna().mean() >= 0.8  # recovered before the end of March in most replications
    assert recovery.dropna().median() > 7  # ...and it takes weeks, not hours
    daily = _daily_all(jan2024)
    peak = daily.groupby("replication")["backlog_max"].max()
    end = daily[daily["date"] == daily["date"].max()].set_index("replication")["backlog_end"]
    assert np.all(end < 0.5 * peak)
