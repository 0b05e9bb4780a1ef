"""Everything that reads results gets a corridor's numbers right, not one crossing's or their sum.

With several crossings every table has rows per crossing and for the corridor (`crossing` = `all`).
Readers written for one crossing picked the first crossing's row (a calibration target, the KPI
comparison, the dwell plot), summed crossings and corridor together (window KPIs: twice the
tonnes), or failed on duplicate labels (optimisation measures). Each is checked here against the
corridor's own rows.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.stats import corridor_rows
from sim.decision.evaluate import kpi_measure
from sim.decision.targets import targets_from_data
from sim.reporting import plots
from tests.model.test_routing import corridor

FIRST, LAST = "2023-01-05", "2023-01-15"


@pytest.fixture(scope="module")
def results() -> sim.Results:
    return sim.run(corridor(duration="20d"), replications=3, executor="serial")


def test_window_kpis_keep_each_crossing_and_the_corridor_apart(results: sim.Results) -> None:
    w = sim.window_kpis(results.daily, FIRST, LAST)
    assert set(w["crossing"]) == {"dostyk", "altynkol", "all"}
    assert len(w) == 3 * 3 * 2  # replications x crossings (and corridor) x (cargo x and all)
    rows = w[w["cargo"] == "x"].set_index(["replication", "crossing"])["tonnes_delivered"]
    for r in range(3):
        assert rows[(r, "all")] == pytest.approx(rows[(r, "dostyk")] + rows[(r, "altynkol")])
        assert rows[(r, "dostyk")] > 0 and rows[(r, "altynkol")] > 0
    at = sim.at_date(results.daily, LAST)
    assert len(at) == len(w) and set(at["crossing"]) == {"dostyk", "altynkol", "all"}


def test_a_calibration_target_measures_the_corridor(results: sim.Results) -> None:
    spec = targets_from_data({
        "targets": [{"kpi": "tonnes_delivered", "cargo": "x", "window": {"from": FIRST, "to": LAST},
                     "value": 1000, "tolerance": "10%"},
                    {"kpi": "tonnes_delivered", "cargo": "x", "value": 1000, "tolerance": "10%"}],
        "parameters": []})
    windowed, whole = spec.targets
    w = sim.window_kpis(results.daily, FIRST, LAST)
    k = results.kpis
    for r in range(3):
        rep = type("Rep", (), {"daily": results.daily[results.daily["replication"] == r],
                               "kpis": k[k["replication"] == r]})()
        expected_w = w[(w["replication"] == r) & (w["cargo"] == "x") & (w["crossing"] == "all")]
        assert windowed.measure(rep) == pytest.approx(float(expected_w["tonnes_delivered"].iloc[0]))
        expected = k[(k["replication"] == r) & (k["cargo"] == "x") & (k["crossing"] == "all")]
        assert whole.measure(rep) == pytest.approx(float(expected["tonnes_delivered"].iloc[0]))


def test_optimisation_measures_read_the_corridor_row(results: sim.Results) -> None:
    measure = kpi_measure([("tonnes_delivered", "x"), ("backlog_wagons_max", "all")])
    k = results.kpis
    rep = type("Rep", (), {"kpis": k[k["replication"] == 0]})()
    got = measure(rep)  # type: ignore[arg-type]
    corridor0 = k[(k["replication"] == 0) & (k["crossing"] == "all")].set_index("cargo")
    assert got["tonnes_delivered@x"] == pytest.approx(corridor0.at["x", "tonnes_delivered"])
    assert got["backlog_wagons_max@all"] == pytest.approx(corridor0.at["all", "backlog_wagons_max"])


def test_kpi_comparison_and_sweep_plots_show_the_corridor(results: sim.Results) -> None:
    fig = plots.kpi_comparison({"a": results}, ["tonnes_delivered"])
    (bar,) = fig.axes[0].patches
    expected = corridor_rows(results.summary())
    mean = expected[(expected["cargo"] == "all") & (expected["kpi"] == "tonnes_delivered")]["mean"].iloc[0]
    assert bar.get_width() == pytest.approx(mean)
    plots.close(fig)
    fig = plots.dwell(results)
    ecdf = {line.get_gid(): line for line in fig.axes[0].lines}
    q = corridor_rows(results.dwell)
    median_all = q[(q["cargo"] == "all") & (q["quantile"] == 0.5)]["dwell_h"].mean()
    x, y = ecdf["ecdf:all"].get_data()
    assert np.interp(0.5, np.asarray(y, dtype=float), np.asarray(x, dtype=float)) == pytest.approx(median_all)
    plots.close(fig)


def test_precision_reads_the_corridor(results: sim.Results) -> None:
    report_results, report = sim.replicate_until_precise(corridor(duration="10d"), "50%",
                                                         [("tonnes_delivered", "x")], initial=2,
                                                         max_replications=4, executor="serial")
    summary = corridor_rows(report_results.summary())
    row = summary[(summary["cargo"] == "x") & (summary["kpi"] == "tonnes_delivered")].iloc[0]
    (checked,) = report.kpis.itertuples()
    assert checked.mean == pytest.approx(row["mean"]) and checked.n == row["n"]
    assert not math.isnan(checked.half_width)
    assert isinstance(report_results.kpis, pd.DataFrame)


def test_the_share_of_wagons_formed_for_each_crossing_adds_up_to_the_corridor(results: sim.Results) -> None:
    w = sim.window_kpis(results.daily, FIRST, LAST, ["formed_wagons", "formed_share"])
    w = w[w["cargo"] == "x"].set_index(["replication", "crossing"])
    daily = results.daily.assign(date=pd.to_datetime(results.daily["date"]))
    inside = daily[(daily["date"] >= FIRST) & (daily["date"] <= LAST) & (daily["cargo"] == "x")]
    for r in range(3):
        for x in ("dostyk", "altynkol"):
            formed = inside[(inside["replication"] == r) & (inside["crossing"] == x)]["formed_wagons"].sum()
            assert w.loc[(r, x), "formed_wagons"] == formed > 0
            assert w.loc[(r, x), "formed_share"] == pytest.approx(formed / w.loc[(r, "all"), "formed_wagons"])
        assert w.loc[(r, "dostyk"), "formed_share"] + w.loc[(r, "altynkol"), "formed_share"] == pytest.approx(1.0)
        assert w.loc[(r, "all"), "formed_share"] == 1.0
    old = sim.window_kpis(results.daily.drop(columns="formed_wagons"), FIRST, LAST, ["formed_share"])
    assert old["formed_share"].isna().all()   # a results directory from before the column: no share, no error
