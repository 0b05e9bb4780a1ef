"""KPIs over dated windows: a date that is no date, or the results instead of their daily table, are
named (were datetime's "Invalid isoformat string" and "'Results' object is not subscriptable")."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim.analysis.window import WindowError


@pytest.mark.parametrize("when", ["Jan 1", "01/02/2023", "", None])
def test_a_date_that_is_no_date(results: sim.Results, when: object) -> None:
    with pytest.raises(WindowError, match=r"expected a date such as 2024-01-31 \(ISO: year-month-day\), got"):
        sim.window_kpis(results.daily, when, "2023-01-02")
    with pytest.raises(WindowError, match="expected a date such as 2024-01-31"):
        sim.at_date(results.daily, when)


def test_the_results_themselves_are_read_as_their_daily_series(results: sim.Results) -> None:
    pd.testing.assert_frame_equal(sim.window_kpis(results, "2023-01-01", "2023-01-02"),
                                  sim.window_kpis(results.daily, "2023-01-01", "2023-01-02"))
    pd.testing.assert_frame_equal(sim.at_date(results, "2023-01-02"), sim.at_date(results.daily, "2023-01-02"))


@pytest.mark.parametrize("thing", ["kpis", "summary", None])
def test_another_table_is_refused(results: sim.Results, thing: str | None) -> None:
    table = {"kpis": results.kpis, "summary": results.summary()}.get(thing) if thing else None
    with pytest.raises(WindowError, match=r"expected a run's daily series \(results\.daily, or the Results\)"):
        sim.window_kpis(table, "2023-01-01", "2023-01-02")


def test_one_kpi_as_text_is_a_list_of_one(results: sim.Results) -> None:
    one = sim.window_kpis(results, "2023-01-01", "2023-01-03", "wagons_delivered")
    assert list(one.columns[-1:]) == ["wagons_delivered"]
    total = results.kpis[results.kpis["cargo"] == "all"].set_index("replication")["wagons_delivered"]
    assert one[one["cargo"] == "all"].set_index("replication")["wagons_delivered"].tolist() == total.tolist()


@pytest.mark.parametrize("form", ["ISO text", "timestamps", "a date and a text"])
def test_a_window_reads_the_same_whatever_form_the_dates_are_in(results: sim.Results, form: str) -> None:
    """A run's own table holds dates (read as they are); daily.csv read back holds text, a user's frame may hold
    timestamps or a mix: every form gives the same rows."""
    daily = results.daily
    assert all(type(day).__name__ == "date" for day in daily["date"])
    other = daily.copy()
    if form == "ISO text":
        other["date"] = other["date"].astype(str)
    elif form == "timestamps":
        other["date"] = pd.to_datetime(other["date"])
    else:
        other["date"] = [str(day) if i % 2 else day for i, day in enumerate(other["date"])]
    pd.testing.assert_frame_equal(sim.window_kpis(other, "2023-01-02", "2023-01-03"),
                                  sim.window_kpis(daily, "2023-01-02", "2023-01-03"))
    pd.testing.assert_frame_equal(sim.at_date(other, "2023-01-02"), sim.at_date(daily, "2023-01-02"))
