"""Plots: each figure has the artists a reader relies on (lines, bands, shaded windows, units)."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection, QuadMesh

import sim
from sim.experiments.results import Results
from sim.reporting import plots

ROOT = Path(__file__).resolve().parents[2]
JAN = ROOT / "scenarios" / "jan2024_admin_hold.yaml"
REPS = 3


@pytest.fixture(scope="module")
def jan() -> Results:
    """The January 2024 hold, 3 replications (a few seconds)."""
    return sim.run(sim.load_scenario(JAN), replications=REPS, executor="serial")


@pytest.fixture(scope="module")
def jan_read(jan: Results, tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The same results after a round trip through the results directory (dates parsed from CSV)."""
    out = tmp_path_factory.mktemp("jan") / "results"
    jan.write(out)
    return Results.read(out)


def _spans(ax, gid: str) -> list:  # type: ignore[no-untyped-def]
    return [p for p in ax.patches if p.get_gid() == gid]


def _x_extent(patch) -> tuple[pd.Timestamp, pd.Timestamp]:  # type: ignore[no-untyped-def]
    """Dates covered by an axvspan (a Rectangle in data x, axes y)."""
    lo, hi = patch.get_x(), patch.get_x() + patch.get_width()
    return pd.Timestamp(mdates.num2date(lo)).tz_localize(None), pd.Timestamp(mdates.num2date(hi)).tz_localize(None)


def _assert_date_axis(ax) -> None:  # type: ignore[no-untyped-def]
    assert ax.get_xlabel() == "Date"
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)


@pytest.mark.parametrize("which", ["jan", "jan_read"])
def test_backlog_has_mean_band_windows_and_units(which: str, request: pytest.FixtureRequest) -> None:
    results: Results = request.getfixturevalue(which)
    fig = plots.backlog(results)
    try:
        ax = fig.axes[0]
        assert "(wagons)" in ax.get_ylabel()
        _assert_date_axis(ax)
        (mean,) = [ln for ln in ax.lines if ln.get_gid() == "mean"]
        daily = results.daily[results.daily["cargo"] == "all"]
        expected = daily.groupby("day")["backlog_mean"].mean().to_numpy()
        np.testing.assert_allclose(mean.get_ydata(), expected)
        bands = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_gid() == "band"]
        assert len(bands) == 1
        # the dated admin hold is shaded over exactly its window and named on the plot
        (hold,) = _spans(ax, "window:admin-hold")
        start, end = _x_extent(hold)
        assert start == pd.Timestamp("2024-01-02") and end == pd.Timestamp("2024-01-21")
        assert any(t.get_text().strip() == "admin-hold" for t in ax.texts)
        # stop-loading halts of every replication are shaded (this scenario halts in all of them)
        halts = _spans(ax, "window:stop-loading")
        ev = results.events
        expected_halts = ev[ev["kind"] == "stop_loading"].drop_duplicates(["replication", "start", "end"])
        assert len(halts) == len(expected_halts) > 0
        assert _spans(ax, "window:warm-up")
        labels = fig.legends[0].get_texts()
        text = " ".join(t.get_text() for t in labels)
        assert "admin-hold: checks.handover capacity ×0.2, 2–20 Jan 2024" in text
        assert "stop-loading" in text and f"5–95 % of {REPS} replications" in text
        thresholds = [ln.get_ydata()[0] for ln in ax.lines if ln.get_gid() == "threshold"]
        assert sorted(thresholds) == [1500, 3000]
    finally:
        plots.close(fig)


def test_held_trains_plot(jan: Results) -> None:
    fig = plots.held_trains(jan, cargo="grain")
    try:
        ax = fig.axes[0]
        assert "(trains)" in ax.get_ylabel()
        _assert_date_axis(ax)
        (mean,) = [ln for ln in ax.lines if ln.get_gid() == "mean"]
        daily = jan.daily[jan.daily["cargo"] == "grain"]
        np.testing.assert_allclose(mean.get_ydata(), daily.groupby("day")["held_trains_mean"].mean().to_numpy())
        assert max(mean.get_ydata()) > 5  # the hold backs trains up
        assert _spans(ax, "window:admin-hold")
    finally:
        plots.close(fig)


def test_deliveries_against_capacity(jan: Results) -> None:
    fig = plots.deliveries(jan)
    try:
        axes = fig.axes
        assert len(axes) == 2  # grain, containers
        caps = {}
        for ax in axes:
            assert ax.get_ylabel().endswith("(t/day)")
            (cap,) = [ln for ln in ax.lines if ln.get_gid() == "capacity"]
            caps[ax.get_ylabel().split()[0]] = cap.get_ydata()[0]
            assert [ln for ln in ax.lines if ln.get_gid() == "mean"]
            (weekly,) = [ln for ln in ax.lines if ln.get_gid() == "rolling"]
            assert np.nanmax(weekly.get_ydata()) <= cap.get_ydata()[0] * 1.05  # a weekly level cannot beat capacity
        # 6 points × 24 h / 1 h × 68 t and 6 × 24 / 0.25 h × 30 t
        assert caps == {"grain": pytest.approx(9792.0), "containers": pytest.approx(17280.0)}
        _assert_date_axis(axes[-1])
    finally:
        plots.close(fig)


def test_dwell_distribution_per_cargo(jan: Results) -> None:
    fig = plots.dwell(jan)
    try:
        ax = fig.axes[0]
        assert "(hours)" in ax.get_xlabel() and "ECDF" in ax.get_ylabel()
        for cargo in ("grain", "containers", "all"):
            (curve,) = [ln for ln in ax.lines if ln.get_gid() == f"ecdf:{cargo}"]
            rows = jan.dwell[jan.dwell["cargo"] == cargo].groupby("quantile")["dwell_h"].mean()
            np.testing.assert_allclose(curve.get_xdata(), rows.to_numpy())
            np.testing.assert_allclose(curve.get_ydata(), rows.index.to_numpy())
            assert np.all(np.diff(curve.get_xdata()) >= 0)  # a distribution function never goes back
            for label, col in (("p50", "dwell_h_p50"), ("p90", "dwell_h_p90"), ("p99", "dwell_h_p99")):
                (dot,) = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_gid() == f"{label}:{cargo}"]
                x, y = dot.get_offsets()[0]
                assert x == pytest.approx(jan.kpis.loc[jan.kpis["cargo"] == cargo, col].mean())
                assert y == pytest.approx(int(label[1:]) / 100)
        legend = [t.get_text() for t in ax.get_legend().get_texts()]
        assert legend[:3] == ["grain", "containers", "all"] and {"p50", "p90", "p99"} <= set(legend)
    finally:
        plots.close(fig)


def test_dwell_quantiles_contain_the_percentile_kpis(jan: Results) -> None:
    """The ECDF and the dwell_h_pXX KPIs come from the same histogram, so they agree exactly."""
    q = jan.dwell.pivot_table(index=["replication", "cargo"], columns="quantile", values="dwell_h")
    k = jan.kpis.set_index(["replication", "cargo"])
    for level, col in ((0.5, "dwell_h_p50"), (0.9, "dwell_h_p90"), (0.99, "dwell_h_p99")):
        np.testing.assert_allclose(q[level].to_numpy(), k.loc[q.index, col].to_numpy())


def test_dwell_distribution_survives_the_results_directory(jan: Results, jan_read: Results) -> None:
    pd.testing.assert_frame_equal(jan_read.dwell, jan.dwell, check_dtype=False)


def test_dwell_falls_back_to_percentiles_without_quantiles(jan: Results) -> None:
    old = Results(jan.scenario, jan.seed, jan.kpis, jan.daily, jan.events, [], jan.metadata)
    fig = plots.dwell(old)
    try:
        ax = fig.axes[0]
        assert [t.get_text() for t in ax.get_xticklabels()] == ["grain", "containers", "all"]
        dots = [c for c in ax.collections if isinstance(c, PathCollection) and c.get_gid() == "p90"]
        values = sorted(np.concatenate([d.get_offsets()[:, 1] for d in dots]))
        np.testing.assert_allclose(values, sorted(jan.kpis["dwell_h_p90"].dropna()))
    finally:
        plots.close(fig)


def test_utilization_heat_map(jan: Results) -> None:
    fig = plots.utilization(jan)
    try:
        ax = fig.axes[0]
        (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
        n_days = jan.daily["day"].nunique()
        values = np.asarray(mesh.get_array()).reshape(2, n_days)
        grain = jan.daily[jan.daily["cargo"] == "grain"].groupby("day")["utilization"].mean().to_numpy()
        np.testing.assert_allclose(values[0], grain)
        assert "points" in ax.get_ylabel()
        _assert_date_axis(ax)
        colorbar_label = fig.axes[1].get_ylabel()
        assert "share of point-hours" in colorbar_label
    finally:
        plots.close(fig)


def test_kpi_comparison_with_confidence_intervals(jan: Results) -> None:
    faster = sim.run(jan.scenario.with_changes({"unloading.grain.points": 8}), replications=REPS,
                     executor="serial")
    for runs in ({"6 points": jan, "8 points": faster.summary()}, [jan, faster]):
        fig = plots.kpi_comparison(runs, kpis=["backlog_wagons_max", "recovery_days.admin-hold"])
        try:
            ax = fig.axes[0]
            assert ax.get_xlabel() == "backlog_wagons_max (wagons)"
            assert fig.axes[1].get_xlabel() == "recovery_days.admin-hold (days)"
            bars = [p for p in ax.patches if p.get_gid() == "mean"]
            assert len(bars) == 2
            s = jan.summary().set_index(["cargo", "kpi"])
            assert bars[0].get_width() == pytest.approx(s.loc[("all", "backlog_wagons_max"), "mean"])
            # one error bar per scenario, spanning the CI
            err = [c for c in ax.collections if c.get_gid() is None or "ci" in str(c.get_gid())]
            segments = [seg for c in err for seg in c.get_segments()]
            lo, hi = s.loc[("all", "backlog_wagons_max"), ["ci95_low", "ci95_high"]]
            assert any(np.allclose(sorted(seg[:, 0]), [lo, hi]) for seg in segments)
            labels = [t.get_text() for t in ax.get_yticklabels()]
            assert len(labels) == 2 and labels[0] != labels[1]
        finally:
            plots.close(fig)
    with pytest.raises(ValueError, match="unknown KPI 'no_such_kpi'"):
        plots.kpi_comparison([jan], kpis=["no_such_kpi"])


def test_figures_are_not_left_open_in_pyplot(jan: Results) -> None:
    before = plt.get_fignums()
    figs = plots.report_figures(jan)
    # the January scenario carries the corridor's loading rate (issue 16): its report has the loading figure
    assert set(figs) == {"backlog", "held_trains", "deliveries", "dwell", "utilization", "waiting", "loading"}
    assert plt.get_fignums() == before  # nothing registered with pyplot, so nothing leaks there
    for fig in figs.values():
        assert fig.canvas.get_default_filetype() == "png"
        assert type(fig.canvas).__name__ == "FigureCanvasAgg"
        plots.close(fig)


def test_single_replication_has_no_band(jan: Results) -> None:
    one = Results(jan.scenario, jan.seed, jan.kpis[jan.kpis["replication"] == 0],
                  jan.daily[jan.daily["replication"] == 0], jan.events[jan.events["replication"] == 0])
    fig = plots.backlog(one)
    try:
        ax = fig.axes[0]
        assert not [c for c in ax.collections if c.get_gid() == "band"]
        assert [ln for ln in ax.lines if ln.get_gid() == "mean"]
        # random wind closures stay ticks along the bottom, not named full-height windows
        wind = _spans(ax, "window:wind")
        assert len(wind) == (one.events["name"] == "wind").sum() > 0
        assert all(p.get_height() == pytest.approx(0.04) for p in wind)
        assert [t.get_text().strip() for t in ax.texts] == ["admin-hold", "spring-festival"]
    finally:
        plots.close(fig)
    with pytest.raises(ValueError, match="unknown cargo 'coal'; expected one of"):
        plots.backlog(jan, cargo="coal")


def test_dwell_plot_of_a_run_that_unloaded_nothing_says_so_without_a_warning() -> None:
    """One hour: no wagon is unloaded, so there is no dwell; matplotlib warned 'No artists with labels'
    on the user's terminal (`dostyk run … --set duration=1h`)."""

    with warnings.catch_warnings():  # the run is over before the dated windows: said, and beside the point
        warnings.simplefilter("ignore")
        scenario = sim.load_scenario(JAN).with_changes({"duration": "1h", "warmup": 0})
        results = sim.run(scenario, replications=1, executor="serial")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = plots.dwell_percentiles(results)
    try:
        ax = fig.axes[0]
        assert ax.get_legend() is None
        assert any("no wagon was unloaded" in t.get_text() for t in ax.texts)
    finally:
        plots.close(fig)
