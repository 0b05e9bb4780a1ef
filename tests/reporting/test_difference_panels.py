"""differences.png: one panel per KPI on its own scale, in the KPI's unit. One shared % axis let a KPI with a
baseline near 0 (held trains −24 % ± 40 % of a baseline of 0.005) stretch the scale until every other bar was
unreadable, and a KPI with a baseline of 0 was left out. Checked on the figure's data and labels."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.verdict import verdict
from sim.reporting.compare_plots import NOT_TOLD, TOLD, difference_panels
from sim.reporting.figures import close

#: kpi: (baseline mean, difference, half-width of its paired 95 % CI)
ROWS = {"backlog_wagons_mean": (286.4, -35.0, 11.0),
        "held_trains_mean": (0.005, -0.0012, 0.002),   # -24 % ± 40 %: the one that squeezed every other bar
        "stop_loading_days": (0.0, 1.5, 0.5),          # a baseline of 0: no % to take, still shown
        "dwell_h_mean": (15.93, -1.92, 0.57)}


def _diff() -> pd.DataFrame:
    return pd.DataFrame([{"scenario": "eight", "baseline": "six", "cargo": "all", "kpi": k, "n": 10,
                          "mean_baseline": b, "mean_scenario": b + d, "difference": d, "ci95_low": d - h,
                          "ci95_high": d + h, "half_width": h, "verdict": verdict(10, d - h, d + h)}
                         for k, (b, d, h) in ROWS.items()])


@pytest.fixture
def panels():  # type: ignore[no-untyped-def]
    fig = difference_panels(_diff(), ["six", "eight"], 10, list(ROWS), period="KPIs over 1 Jan – 31 Dec 2023")
    yield {ax.get_title(loc="left"): ax for ax in fig.axes if ax.get_visible()}, fig
    close(fig)


def _bar(ax, gid: str):  # type: ignore[no-untyped-def]
    return next(p for p in ax.patches if p.get_gid() == gid)


def _label(ax, gid: str) -> str:  # type: ignore[no-untyped-def]
    return next(t.get_text() for t in ax.texts if t.get_gid() == gid)


def test_each_kpi_has_its_own_panel_and_scale(panels) -> None:  # type: ignore[no-untyped-def]
    axes, _ = panels
    assert set(axes) == {"backlog_wagons_mean (wagons)", "held_trains_mean (trains)", "stop_loading_days (days)",
                         "dwell_h_mean (h)"}
    for title, ax in axes.items():
        kpi = title.split()[0]
        _, d, h = ROWS[kpi]
        assert _bar(ax, f"diff:{kpi}:eight").get_width() == pytest.approx(d)  # the difference, in the KPI's unit
        low, high = ax.get_xlim()
        assert low == pytest.approx(-high) and high == pytest.approx(1.15 * (abs(d) + h))  # its own reach only


def test_labels_give_the_value_the_percent_of_a_baseline_and_the_verdict_colour(panels) -> None:  # type: ignore[no-untyped-def]
    axes, fig = panels
    backlog = axes["backlog_wagons_mean (wagons)"]
    assert _label(backlog, "label:backlog_wagons_mean:eight") == "-35 ± 11 wagons (-12 % of 286.4)"
    held = axes["held_trains_mean (trains)"]
    assert _label(held, "label:held_trains_mean:eight") == "-0.0012 ± 0.0020 trains (-24 % of 0.005)"
    assert _label(axes["stop_loading_days (days)"], "label:stop_loading_days:eight") == "1.50 ± 0.50 days"  # no % of 0
    assert _bar(backlog, "diff:backlog_wagons_mean:eight").get_facecolor() == pytest.approx(_rgba(TOLD))
    assert _bar(held, "diff:held_trains_mean:eight").get_facecolor() == pytest.approx(_rgba(NOT_TOLD))
    assert "KPIs over 1 Jan – 31 Dec 2023" in fig.get_suptitle()


def test_a_kpi_without_a_ci_says_why_in_words() -> None:
    diff = _diff()
    diff.loc[diff["kpi"] == "dwell_h_mean", ["n", "difference", "ci95_low", "ci95_high", "half_width"]] = [
        0, math.nan, math.nan, math.nan, math.nan]
    fig = difference_panels(diff, ["six", "eight"], 10, list(ROWS))
    try:
        ax = next(a for a in fig.axes if a.get_title(loc="left") == "dwell_h_mean (h)")
        assert _label(ax, "label:dwell_h_mean:eight") == "cannot tell: no pair has a value"
        assert np.isfinite(ax.get_xlim()).all()
    finally:
        close(fig)


def _rgba(color: str) -> tuple[float, ...]:
    from matplotlib.colors import to_rgba

    return to_rgba(color)
