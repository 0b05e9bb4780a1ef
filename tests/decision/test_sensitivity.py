"""Sensitivity ranks a dominant lever first and a lever without effect last (Morris, and Sobol on request)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import sim
from sim.decision.levers import Lever
from sim.decision.sensitivity import sensitivity

LEVERS = [
    Lever(path="costs.wagon_day_usd", low=10, high=40),            # prices idle wagons: no effect on the backlog
    Lever(path="checks.handover.time.mode", low=1.5, high=3),       # 2 h of handover: a small effect
    Lever(path="unloading.grain.points", low=8, high=14),           # unloading capacity: dominant
]
KPI = "backlog_wagons_mean@all"


def test_morris_ranks_dominant_first_and_no_effect_last(small: sim.Scenario) -> None:
    result = sensitivity(small, LEVERS, [("backlog_wagons_mean", "all")], trajectories=6, replications=2,
                         seed=5, executor="serial")
    assert result.ranking(KPI) == ["unloading.grain.points", "checks.handover.time.mode", "costs.wagon_day_usd"]
    rows = result.indices.set_index("lever")
    assert rows.loc["costs.wagon_day_usd", "mu_star"] == 0  # exactly: common random numbers
    top = rows.loc["unloading.grain.points"]
    second = rows.loc["checks.handover.time.mode"]
    assert top["mu_star"] - top["mu_star_conf"] > second["mu_star"] + second["mu_star_conf"]  # CIs apart
    assert len(result.points) == 6 * (len(LEVERS) + 1)


def test_chart_labels_each_lever_with_its_range_in_analyst_units(small: sim.Scenario) -> None:
    """An effect "over the lever's full range" is read against that range: each bar says it."""
    from sim.reporting.decision_plots import sensitivity_chart

    result = sensitivity(small, LEVERS, [("backlog_wagons_mean", "all")], trajectories=2, replications=1,
                         seed=5, executor="serial")
    labels = {t.get_text() for t in sensitivity_chart(result).axes[0].get_yticklabels()}
    assert labels == {"unloading.grain.points\n8 points – 14 points",
                      "checks.handover.time.mode\n1.5 h – 3 h",
                      "costs.wagon_day_usd\n10 USD a wagon-day – 40 USD a wagon-day"}


def test_sobol_on_request_agrees(small: sim.Scenario) -> None:
    result = sensitivity(small, LEVERS, [("backlog_wagons_mean", "all")], method="sobol", samples=16,
                         replications=1, seed=5, executor="serial")
    assert result.ranking(KPI)[0] == "unloading.grain.points"
    assert result.ranking(KPI)[-1] == "costs.wagon_day_usd"
    assert result.indices.set_index("lever").loc["costs.wagon_day_usd", "ST"] == pytest.approx(0, abs=1e-12)


def test_cli_table_and_chart(small_path: Path, tmp_path: Path) -> None:
    from sim.cli import cli

    out = tmp_path / "sens"
    result = CliRunner().invoke(cli, ["sensitivity", str(small_path), "--lever", "unloading.grain.points=8:14",
                                      "--lever", "costs.wagon_day_usd=10:40", "--kpi", "idle_cost_usd",
                                      "--trajectories", "3", "-n", "2", "--executor", "serial", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    for name in ("indices.csv", "points.csv", "sensitivity.json", "plots/sensitivity.png"):
        assert (out / name).is_file(), name
    result = CliRunner().invoke(cli, ["sensitivity", str(small_path), "--lever", "unloading.grain.points=8:14",
                                      "--lever", "costs.wagon_day_usd=10:40", "--kpi", "idle_cost_usd",
                                      "--trajectories", "3", "-n", "2", "--executor", "serial", "--out", str(out),
                                      "--force"])
    assert result.exit_code == 0
    assert "USD per full range" in result.output and "e+" not in result.output


def test_mu_star_intervals_stop_at_zero_in_the_table_and_the_chart() -> None:
    """mu* is a mean of absolute effects: '120 ± 140' (a CI reaching -20 wagons) read as if the lever could
    have a negative effect size; the table clips it at 0 as it does a KPI's, and so do the bars."""
    from types import SimpleNamespace

    import pandas as pd

    from sim.reporting.decision_plots import sensitivity as chart
    from sim.reporting.decision_tables import sensitivity_text

    indices = pd.DataFrame({"kpi": ["backlog_wagons_mean@grain"] * 2, "rank": [1, 2],
                            "lever": ["unloading.grain.points", "checks.phytosanitary.trains_at_once"],
                            "mu_star": [510.0, 120.0], "mu_star_conf": [200.0, 140.0], "sigma": [366.3, 192.6],
                            "mu": [-510.0, -120.0]})
    result = SimpleNamespace(method="morris", indices=indices,
                             metadata={"kpis": ["backlog_wagons_mean@grain"], "points": 50})
    text = sensitivity_text(result, 3)  # type: ignore[arg-type]
    assert "510 ± 200" in text and "120 [0 – 260]" in text and "± 140" not in text
    assert "clipped" in text
    bars = chart(indices).axes[0]
    segments = bars.collections[-1].get_segments()
    assert min(seg[:, 0].min() for seg in segments) >= 0


def test_a_lever_range_starting_at_one_is_said_in_the_singular() -> None:
    """The chart labelled a range '1 trains at once – 4 trains at once'."""
    from pathlib import Path

    from sim.reporting.decision_plots import lever_range

    s = sim.load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "baseline_2023.yaml")
    assert lever_range(s, "checks.phytosanitary.trains_at_once", 1, 4) == \
        "checks.phytosanitary.trains_at_once\n1 train at once – 4 trains at once"
    assert lever_range(s, "unloading.grain.points", 1, 10) == "unloading.grain.points\n1 point – 10 points"


def test_cli_resolves_levers_and_defaults_once(small_path: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """`dostyk sensitivity` checks its screening once, before it claims its output, and runs that one: its
    levers were resolved twice (once to check, once to run), and its method's defaults written out in the CLI
    and again in the API. Counted here: one resolution of the levers; the defaults are the API's (the CLI
    passes an option not given as None), so changing them there changes what the command runs."""
    import sim.decision.inputs as inputs
    import sim.decision.sensitivity as module
    from sim.cli import cli

    resolved: list[object] = []
    real = inputs.resolve
    monkeypatch.setattr(inputs, "resolve", lambda *a, **k: resolved.append(a) or real(*a, **k))
    monkeypatch.setattr(module, "DEFAULTS", {"morris": {"trajectories": 2, "levels": 2}, "sobol": {"samples": 8}},
                        raising=False)
    out = tmp_path / "once"
    result = CliRunner().invoke(cli, ["sensitivity", str(small_path), "--lever", "unloading.grain.points=8:14",
                                      "--lever", "costs.wagon_day_usd=10:40", "--kpi", "idle_cost_usd",
                                      "-n", "1", "--executor", "serial", "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert len(resolved) == 1
    said = (out / "sensitivity.json").read_text(encoding="utf-8")
    assert '"trajectories": 2' in said and '"levels": 2' in said
