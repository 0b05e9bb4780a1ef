"""KPIs that show a jam: wagons en route, backlog incl. en route, ages at the end, a censoring-aware
dwell and monthly volumes.

On the fixed-time story (sim tests' corridor_stories: a train of 10 wagons sets off every 2 h from
2 h and is 3 h on the line) the wagons en route are exactly 10 or 20: 10 760 wagon-hours over
720 h. With 2 unloading points (96 wagons a day against 120) a jam grows all month; closing
unloading for the last 10 days makes it worse, yet the delivered wagons' mean dwell falls (the
wagons stuck at the end are not delivered, so they are not in it): the Kaplan–Meier dwell, which
counts them as waiting at least their age, must not fall.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.analysis.metrics import km_dwell
from sim.analysis.monthly import monthly
from sim.experiments.results import Results
from sim.model.observations import DWELL_BINS, dwell_bin
from tests.model.corridor_stories import build, kpi, traced

JAM = {"unloading": {"x": {"points": 2, "wagon_time": 0.5}}}
HOLD = {"name": "hold", "target": "unloading.x", "from": "2023-01-21", "to": "2023-02-01", "capacity": 0}


def test_wagons_en_route_on_the_fixed_time_story() -> None:
    rep, _ = traced(build())
    assert kpi(rep, "wagons_en_route_mean") == pytest.approx(10_760 / 720, rel=1e-12)
    assert kpi(rep, "wagons_en_route_max") == 20 and kpi(rep, "wagons_en_route_end") == 10
    daily = rep.daily[rep.daily["cargo"] == "x"]
    assert np.allclose(daily["wagons_en_route_mean"].iloc[1:], 15.0, rtol=1e-12, atol=0)
    assert set(daily["wagons_en_route_end"]) == {10.0}  # at midnight only the train of 22:00 is on the line
    incl = daily["backlog_incl_en_route_end"]
    assert (incl == daily["backlog_end"] + daily["wagons_en_route_end"]).all()
    assert (daily["backlog_incl_en_route_max"] >= daily[["backlog_max", "wagons_en_route_mean"]].max(axis=1)).all()


def test_trains_waiting_to_enter_the_line_are_en_route() -> None:
    """A line quota of 6 trains a day against 12 requested: the rest wait to enter it, formed."""
    rep, _ = traced(build({"line": {"transit_time": 3.0, "max_trains_per_day": 6}}))
    formed = rep.diagnostics["formed_wagons_by_crossing"]["dostyk"][0]
    arrived = rep.daily[rep.daily["cargo"] == "x"]["arrivals_wagons"].sum()
    assert kpi(rep, "wagons_en_route_end") == formed - arrived > 1_000
    assert rep.diagnostics["en_route_by_crossing"]["dostyk"] == [formed - arrived]
    assert rep.diagnostics["min_en_route"] == 0
    assert kpi(rep, "backlog_incl_en_route_end") == kpi(rep, "backlog_wagons_end") + kpi(rep, "wagons_en_route_end")


def test_a_worse_jam_never_shows_a_better_censoring_aware_dwell() -> None:
    jam, _ = traced(build(JAM))
    worse, _ = traced(build({**JAM, "disruptions": [HOLD]}))
    # the paradox the delivered-only dwell falls into …
    assert kpi(worse, "dwell_h_mean") < kpi(jam, "dwell_h_mean")
    # … and the figures that do not
    assert kpi(worse, "dwell_h_km_mean") > kpi(jam, "dwell_h_km_mean")
    assert kpi(worse, "dwell_h_km_p50") >= kpi(jam, "dwell_h_km_p50")
    for name in ("age_in_system_h_mean", "age_in_system_h_max", "backlog_incl_en_route_end", "backlog_wagons_end"):
        assert kpi(worse, name) > kpi(jam, name), name
    # everything still at the border at the end of the hold arrived after it began: no age beyond 11 days + transit
    assert kpi(worse, "age_in_system_h_max") <= (31 - 20) * 24 * 2


def test_kaplan_meier_on_hand_counted_data() -> None:
    """4 delivered after 10 h, 20 h, 30 h, 40 h; 4 still waiting at 25 h: S = 7/8 after 10 h, 6/8
    after 20 h, then the 4 censored leave the risk set, so 30 h takes S to 6/8 × 1/2 = 3/8."""
    delivered, censored = np.zeros(DWELL_BINS), np.zeros(DWELL_BINS)
    np.add.at(delivered, dwell_bin(np.array([10.0, 20.0, 30.0, 40.0])), 1)
    np.add.at(censored, dwell_bin(np.array([25.0] * 4)), 1)
    mean, median = km_dwell(delivered, censored)
    tol = 0.001  # the histogram's bins are 0.1 % wide
    assert median == pytest.approx(30.0, rel=tol)
    # areas: 10 × 1 + 10 × 7/8 + 5 × 6/8 + 5 × 6/8 (to the censoring) + 10 × 3/8 (to 40 h)
    assert mean == pytest.approx(10 + 8.75 + 3.75 + 3.75 + 3.75, rel=2 * tol)
    only_delivered, _ = km_dwell(delivered, None)
    assert only_delivered == pytest.approx(25.0, rel=tol)  # no censoring: the plain mean
    assert np.isnan(km_dwell(np.zeros(DWELL_BINS), censored)[1])  # nobody delivered: no median


def test_monthly_volumes_add_up_the_days_and_survive_the_results_directory(tmp_path: Path) -> None:
    s = build({"duration": "60d"})
    res = sim.run(s, replications=2, executor="serial")
    m = res.monthly
    one = m[(m["replication"] == 0) & (m["cargo"] == "x")]
    assert list(one["month"]) == ["2023-01", "2023-02", "2023-03"] and list(one["days"]) == [31, 28, 1]
    daily = res.daily[(res.daily["replication"] == 0) & (res.daily["cargo"] == "x")]
    jan = daily[pd.to_datetime(daily["date"]).dt.month == 1]
    assert one["tonnes_delivered"].iloc[0] == pytest.approx(jan["tonnes_delivered"].sum(), rel=1e-12)
    assert one["wagons_delivered"].sum() == daily["unloaded_wagons"].sum()
    assert one["tonnes_delivered"].iloc[1] == 28 * 120 * 60  # a whole month without a jam: 120 wagons a day
    res.write(tmp_path / "out")
    on_disk = pd.read_csv(tmp_path / "out" / "monthly.csv")
    pd.testing.assert_frame_equal(on_disk, m.reset_index(drop=True), check_dtype=False)
    pd.testing.assert_frame_equal(Results.read(tmp_path / "out").monthly, m, check_dtype=False)
    # a directory written before monthly.csv existed: no such file, and none in metadata.json's list
    (tmp_path / "out" / "monthly.csv").unlink()
    meta_path = tmp_path / "out" / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["files"].pop("monthly.csv")
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assert len(Results.read(tmp_path / "out").monthly) == len(m)
    assert monthly(pd.DataFrame()).empty
