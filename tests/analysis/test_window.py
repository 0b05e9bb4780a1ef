"""Window KPIs (sim.analysis.window) agree with the whole-run KPIs and with the daily series they come from."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.window import WINDOW_KPIS, WindowError, at_date, days_in, window_kpis
from tests.decision.conftest import HOLD


@pytest.fixture(scope="module")
def results() -> sim.Results:
    from sim.scenario.loader import parse_yaml, validate_scenario
    from tests.decision.conftest import SMALL

    scenario = validate_scenario(parse_yaml(SMALL, "small"), "small")
    return sim.run(scenario, replications=3, executor="serial")


def test_whole_run_window_reproduces_the_exact_kpis(results: sim.Results) -> None:
    w = window_kpis(results.daily, "2024-01-01", "2024-02-29").set_index(["replication", "cargo"])
    k = results.kpis.set_index(["replication", "cargo"])
    for kpi in ("tonnes_delivered", "wagons_delivered", "trains_delivered", "backlog_wagons_max",
                "held_trains_max", "throughput_t_per_day"):
        np.testing.assert_allclose(w[kpi], k.loc[w.index, kpi], rtol=1e-9, err_msg=kpi)
    # daily means of whole days average to the time-weighted mean over the run
    np.testing.assert_allclose(w["backlog_wagons_mean"], k.loc[w.index, "backlog_wagons_mean"], rtol=1e-9)


def test_a_window_sums_and_maximises_only_its_days(results: sim.Results) -> None:
    w = window_kpis(results.daily, *HOLD)
    daily = results.daily.assign(date=pd.to_datetime(results.daily["date"]))
    inside = daily[(daily["date"] >= HOLD[0]) & (daily["date"] <= HOLD[1])]
    assert inside["day"].nunique() == days_in(*HOLD) == 21
    for (rep, cargo), rows in inside.groupby(["replication", "cargo"]):
        got = w[(w["replication"] == rep) & (w["cargo"] == cargo)].iloc[0]
        assert got["tonnes_delivered"] == pytest.approx(rows["tonnes_delivered"].sum())
        assert got["backlog_wagons_max"] == rows["backlog_max"].max()
        assert got["throughput_t_per_day"] == pytest.approx(rows["tonnes_delivered"].sum() / 21)
        assert got["stop_loading_days"] == pytest.approx(rows["stop_loading_h"].sum() / 24)
    # the hold builds a backlog: its window's maximum is well above January's first fortnight
    before = window_kpis(results.daily, "2024-01-01", "2024-01-14", ["backlog_wagons_max"])
    assert (w.groupby("cargo")["backlog_wagons_max"].mean()["all"]
            > 3 * before.groupby("cargo")["backlog_wagons_max"].mean()["all"])
    assert set(WINDOW_KPIS) <= set(w.columns)


def test_one_crossing_takes_every_formed_wagon(results: sim.Results) -> None:
    """With one crossing there are no corridor (`all`) rows to divide by: its share is 1, as the page says
    ("1 for the corridor"), not an empty "– (n = 0 of 3)" row in `dostyk kpis --window`."""
    assert set(results.daily["crossing"]) == {"dostyk"}
    w = window_kpis(results.daily, *HOLD, ["formed_wagons", "formed_share"])
    assert (w["formed_wagons"] > 0).all()
    assert (w["formed_share"] == 1.0).all(), w


def test_value_at_a_date_is_that_days_end(results: sim.Results) -> None:
    got = at_date(results.daily, "2024-02-04")
    day = results.daily[pd.to_datetime(results.daily["date"]) == "2024-02-04"]
    assert list(got["backlog_wagons_end"]) == list(day["backlog_end"])
    assert len(got) == 3 * 2  # replications x (grain, all)


@pytest.mark.parametrize(("window", "message"), [
    (("2023-12-25", "2024-01-10"), "not inside the simulated days 2024-01-01 to 2024-02-29"),
    (("2024-02-10", "2024-03-05"), "not inside the simulated days"),
    (("2024-01-20", "2024-01-10"), "ends (2024-01-10) before it starts (2024-01-20)"),
])
def test_windows_the_run_cannot_answer_are_refused(results: sim.Results, window: tuple[str, str], message: str) -> None:
    with pytest.raises(WindowError, match=message.replace("(", r"\(").replace(")", r"\)")):
        window_kpis(results.daily, *window)
    with pytest.raises(WindowError, match="not inside"):
        at_date(results.daily, "2024-03-01")
    with pytest.raises(WindowError, match="unknown window KPI 'dwell_h_mean'"):
        window_kpis(results.daily, *HOLD, ["dwell_h_mean"])


def test_window_kpis_read_a_written_daily_csv(results: sim.Results, tmp_path) -> None:  # type: ignore[no-untyped-def]
    results.write(tmp_path / "r")
    again = sim.Results.read(tmp_path / "r")
    pd.testing.assert_frame_equal(window_kpis(again.daily, *HOLD), window_kpis(results.daily, *HOLD))
