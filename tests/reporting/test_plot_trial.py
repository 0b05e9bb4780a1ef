"""Plots as the trial asked (issue 18, item 7): one colour per meaning, plain titles, long variant names
that fit, lever axes in the lever's units with CIs, and no matplotlib warning while drawing or saving."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

import sim
from sim.experiments.results import Results
from sim.reporting import plots
from sim.reporting.comparison_plots import kpi_comparison
from sim.reporting.decision_plots import calibration_parameters, optimisation
from sim.reporting.labels import short_labels
from sim.reporting.stages import REASON_COLORS, waiting

ROOT = Path(__file__).resolve().parents[2]
JAN = ROOT / "scenarios" / "jan2024_admin_hold.yaml"
LONG = ("jan2024_admin_hold (unloading.grain.points=8, unloading.containers.points=7, "
        "policies.stop_loading.above_wagons=3200, disruptions.admin-hold.capacity=0.35, "
        "costs.levers={'unloading.grain.points': {'usd_per_un…)")


@pytest.fixture(scope="module")
def jan() -> Results:
    return sim.run(sim.load_scenario(JAN), replications=3, executor="serial")


@pytest.fixture(scope="module")
def capped_line(jan: Results) -> Results:
    """A variant where the line binds first (4 trains a day), so the stages come in another order."""
    return sim.run(jan.scenario.with_changes({"line.max_trains_per_day": 4}), replications=3, executor="serial")


def _saved_without_warnings(fig: Figure) -> None:
    """Draw and save the figure; fail on any warning matplotlib (or pandas, numpy) raises meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=60)
    assert [str(w.message) for w in caught] == []
    plots.close(fig)


def _legend_colours(fig: Figure) -> dict[str, str]:
    """Each legend entry's colour (without its alpha)."""
    out = {}
    for handle, text in zip(fig.legends[0].legend_handles, fig.legends[0].get_texts()):
        colour = handle.get_color() if hasattr(handle, "get_xdata") else handle.get_facecolor()
        colour = np.asarray(colour).reshape(-1, 4)[0] if np.ndim(colour) else colour
        out[text.get_text()] = to_hex(colour, keep_alpha=False)
    return out


def test_waiting_chart_one_colour_per_meaning(jan: Results, capped_line: Results) -> None:
    figs = [waiting(jan), waiting(capped_line)]
    assert all(f is not None for f in figs)
    per_fig = []
    for fig in figs:
        assert fig is not None
        colours = _legend_colours(fig)
        by_colour: dict[str, list[str]] = {}
        for label, colour in colours.items():
            by_colour.setdefault(colour, []).append(label)
        assert {c: labels for c, labels in by_colour.items() if len(labels) > 1} == {}  # never two meanings
        top, bottom = fig.axes[:2]
        lines = {ln.get_gid().split(":", 1)[1]: (to_hex(ln.get_color()), ln.get_linestyle()) for ln in top.lines
                 if str(ln.get_gid()).startswith("queue:")}
        # each stage's name on the bars is written in its line's colour
        for tick in bottom.get_yticklabels():
            assert to_hex(tick.get_color()) == lines[tick.get_text()][0]
        bars = {to_hex(p.get_facecolor(), keep_alpha=False) for p in bottom.patches}
        assert bars <= {to_hex(c) for c in REASON_COLORS.values()}
        assert not bars & {c for c, _ in lines.values()}  # a reason's colour is no stage's
        per_fig.append((lines, [t.get_text() for t in bottom.get_yticklabels()]))
    (first, order_a), (second, order_b) = per_fig
    assert order_a != order_b  # the stages rank differently in the two runs ...
    assert first == second  # ... and still keep their colours
    for fig in figs:
        _saved_without_warnings(fig)  # type: ignore[arg-type]


def test_titles_carry_no_scenario_name_nor_noise(jan: Results) -> None:
    figs = plots.report_figures(jan)
    figs["backlog_grain"] = plots.backlog(jan, cargo="grain")
    for name, fig in figs.items():
        titles = [ax.get_title() for ax in fig.axes] + [fig.get_suptitle()]
        text = " | ".join(titles)
        assert jan.scenario.name not in text, name
        assert "(all" not in text and "daily mean)" not in text, name
        assert any(titles), name
    assert figs["backlog_grain"].axes[0].get_title().endswith("grain only")
    legend = " ".join(t.get_text() for t in figs["backlog"].legends[0].get_texts())
    assert "backlog (daily mean)" in legend  # which series it is: said once, in the legend
    for fig in figs.values():
        _saved_without_warnings(fig)


def test_long_variant_names_fit(jan: Results) -> None:
    labels = short_labels([LONG, LONG.replace("=8", "=9"), "base"])
    assert len(set(labels)) == 3 and labels[2] == "base"
    assert all(len(line) <= 32 for lab in labels for line in lab.split("\n"))
    assert all(lab.count("\n") <= 1 for lab in labels)
    (word,) = short_labels(["x" * 250])  # one long word (no space to wrap at) is cut too
    assert [len(line) for line in word.split("\n")] == [32, 32] and word.endswith("…")
    fig = kpi_comparison({"base": jan, LONG: jan.summary()})
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks[0] == "base" and ticks[1].startswith("jan2024_admin_hold") and ticks[1].endswith("…")
    assert max(len(line) for t in ticks for line in t.split("\n")) <= 32
    _saved_without_warnings(fig)  # long labels once collapsed the axes (a constrained-layout warning)


SCEN = sim.load_scenario(JAN)


def test_calibration_axes_in_the_levers_units() -> None:
    rng = np.random.default_rng(3)
    cand = pd.DataFrame({"disruptions.admin-hold.capacity": rng.uniform(0.1, 0.6, 12),
                         "policies.stop_loading.above_wagons": rng.integers(2000, 4500, 12),
                         "discrepancy": rng.uniform(0.1, 2, 12), "ruled_out": [False] * 10 + [True] * 2})
    fit = pd.DataFrame({"parameter": ["disruptions.admin-hold.capacity", "policies.stop_loading.above_wagons"],
                        "best": [0.33, 3250], "low": [0.1, 2000], "high": [0.5, 4500]})
    fig = calibration_parameters(cand, fit, SCEN)
    cap, wagons = fig.axes[:2]
    fig.canvas.draw()
    assert "capacity factor" in cap.get_xlabel() and wagons.get_xlabel().endswith("(wagons)")
    ticks = [t.get_text() for t in cap.get_xticklabels() if t.get_text()]
    assert ticks and all(t.startswith("× ") for t in ticks)
    assert any("trains a day" in t for t in ticks)  # what the factor leaves of the handover's quota
    labels = [t.get_text() for t in cap.get_legend().get_texts()]
    assert any(lab.startswith("best: 3 trains a day") for lab in labels)
    _saved_without_warnings(fig)


def test_optimisation_axes_in_units_and_cis_clipped_at_zero() -> None:
    cand = pd.DataFrame({"unloading.grain.points": [4, 5, 6, 7, 8],
                         "min:backlog_wagons_mean@all mean": [2000.0, 1200.0, 900.0, 700.0, 650.0],
                         "min:backlog_wagons_mean@all ci95": [2700.0, 2600.0, 100.0, 80.0, 900.0],
                         "feasible": [True, True, True, False, True], "best": [False, False, True, False, False],
                         "today": [False, False, True, False, False]})
    fig = optimisation(cand, ["min:backlog_wagons_mean@all"], 3, ["unloading.grain.points"], SCEN)
    ax = fig.axes[0]
    fig.canvas.draw()
    assert ax.get_xlabel() == "unloading.grain.points (points)" and "(wagons)" in ax.get_ylabel()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all(t.isdigit() for t in ticks)  # whole points, not 4.25
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2  # infeasible and feasible, each with its CIs
    lows = [seg[:, 1].min() for c in bars for seg in c.lines[2][0].get_segments()]
    assert len(lows) == 5 and min(lows) == 0.0  # a CI of wagons stops at 0, as in the tables
    _saved_without_warnings(fig)


@pytest.mark.slow  # a whole `dostyk compare` in a subprocess (~10 s)
def test_compare_with_a_long_variant_writes_no_warning(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "cmp"
    sets = ["2:unloading.grain.points=8", "2:unloading.containers.points=7",
            "2:policies.stop_loading.above_wagons=3200", "2:disruptions.admin-hold.capacity=0.35",
            "2:costs.levers={unloading.grain.points: {usd_per_unit: 1500000, per: point}}"]
    proc = subprocess.run([sys.executable, "-m", "sim.cli", "compare", str(JAN), str(JAN), "-n", "2", "--quiet",
                           "--executor", "serial", "--out", str(out), *[a for s in sets for a in ("--set", s)]],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'class="kpi label"' in html  # the long name's cell wraps (td.label in the style sheet)
    assert (out / "plots" / "kpi_comparison.png").stat().st_size > 0


def test_several_crossings_stage_colour_is_the_stage_and_style_the_crossing() -> None:
    from sim.reporting.stages import stage_styles

    names = [f"crossings.{x}.{s}" for x in ("dostyk", "altynkol")
             for s in ("line", "yard", "checks.customs", "checks.handover", "checks.phytosanitary")]
    styles = stage_styles(names)
    assert len(set(styles.values())) == len(names)  # every line tells itself apart
    for s in ("line", "yard", "checks.customs"):
        assert styles[f"crossings.dostyk.{s}"][0] == styles[f"crossings.altynkol.{s}"][0]
    assert {styles[n][1] for n in names if ".dostyk." in n} != {styles[n][1] for n in names if ".altynkol." in n}
    assert len({c for c, _ in styles.values()}) == 5


def test_pareto_front_names_its_settings_in_units() -> None:
    cand = pd.DataFrame({"unloading.grain.points": [4, 6, 8],
                         "min:backlog_wagons_mean@all mean": [2000.0, 900.0, 650.0],
                         "min:backlog_wagons_mean@all ci95": [2500.0, 100.0, 80.0],
                         "max:tonnes_delivered@all mean": [2.0e6, 2.5e6, 2.6e6],
                         "max:tonnes_delivered@all ci95": [1.0e5, 1.0e5, 1.0e5],
                         "feasible": [True, True, True], "pareto": [False, False, True]})
    fig = optimisation(cand, ["min:backlog_wagons_mean@all", "max:tonnes_delivered@all"], 3,
                       ["unloading.grain.points"], SCEN)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts if t.get_gid() == "setting"] == ["8 points"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "infeasible" not in legend  # no entry for points that are not there
    assert "(wagons)" in ax.get_xlabel() and "(t)" in ax.get_ylabel()
    _saved_without_warnings(fig)


def test_report_table_shows_each_stage_in_its_plot_colour(jan: Results) -> None:
    from sim.reporting.report import render

    fig = waiting(jan)
    assert fig is not None
    lines = {ln.get_gid().split(":", 1)[1]: to_hex(ln.get_color()) for ln in fig.axes[0].lines
             if str(ln.get_gid()).startswith("queue:")}
    plots.close(fig)
    html = render(jan, {})
    for stage, colour in lines.items():
        assert f'<span class="swatch" style="background: {colour}"></span>{stage}</td>' in html


def test_app_waiting_chart_uses_the_same_stage_colours(jan: Results) -> None:
    pytest.importorskip("bokeh")
    from sim.app.charts import waiting_chart

    fig = waiting(jan)
    assert fig is not None
    lines = {ln.get_label().removeprefix("waiting at "): to_hex(ln.get_color()) for ln in fig.axes[0].lines
             if str(ln.get_gid()).startswith("queue:")}
    plots.close(fig)
    app = waiting_chart(jan)
    shown = {item.label["value"]: item.renderers[0].glyph.line_color for item in app.legend[0].items}
    assert shown == lines
