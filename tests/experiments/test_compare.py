"""Paired comparison with common random numbers: narrower intervals, correct statistics, the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from scipy import stats

import sim
from sim.cli import cli
from sim.experiments.compare import paired_differences, welch_halfwidth
from sim.scenario.loader import read_scenario_data

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"


@pytest.fixture(scope="module")
def one_more_point() -> sim.Comparison:
    """Baseline (shortened to 120 days) against the same with a 7th grain unloading point."""
    base = sim.load_scenario(BASELINE).with_changes({"duration": "120d"})
    more = base.with_changes({"unloading.grain.points": base.unloading.groups["grain"].points + 1})
    return sim.compare([base, more], replications=10, seed=2024, executor="serial", names=["base", "plus1"])


@pytest.mark.parametrize("kpi", ["tonnes_delivered", "backlog_wagons_mean", "dwell_h_mean",
                                 "unloading_utilization", "idle_cost_usd"])
def test_paired_interval_is_at_most_half_the_unpaired(one_more_point: sim.Comparison, kpi: str) -> None:
    d = one_more_point.differences()
    row = d[(d["cargo"] == "grain") & (d["kpi"] == kpi)].iloc[0]
    assert row["n"] == 10
    assert row["half_width"] <= 0.5 * row["half_width_unpaired"], row.to_dict()


def test_one_more_point_clearly_shortens_the_queue(one_more_point: sim.Comparison) -> None:
    d = one_more_point.differences().set_index(["cargo", "kpi"])
    for kpi in ("backlog_wagons_mean", "dwell_h_mean", "unloading_utilization"):
        assert d.loc[("grain", kpi), "ci95_high"] < 0  # the paired CI excludes "no change"


def test_identical_scenarios_differ_by_exactly_zero() -> None:
    """Common random numbers: the same scenario twice gives the same numbers, replication by replication."""
    base = sim.load_scenario(BASELINE).with_changes({"duration": "20d"})
    c = sim.compare([base, base], replications=3, seed=5, executor="serial")
    assert c.names == ["baseline-2023", "baseline-2023-2"]
    d = c.differences().dropna(subset=["difference"])
    assert (d["difference"] == 0).all() and (d["half_width"] == 0).all()


def test_statistics_match_scipy() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(10, 2, 12)
    b = a + rng.normal(0.5, 0.3, 12)
    kpis = pd.DataFrame({"scenario": ["A"] * 12 + ["B"] * 12, "replication": list(range(12)) * 2,
                         "cargo": "all", "x": np.concatenate([a, b])})
    row = paired_differences(kpis, "A", ["A", "B"]).iloc[0]
    paired = stats.ttest_rel(b, a).confidence_interval(0.95)
    assert (row["ci95_low"], row["ci95_high"]) == pytest.approx((paired.low, paired.high))
    welch = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert welch_halfwidth(a, b) == pytest.approx((welch.high - welch.low) / 2)
    assert row["half_width_unpaired"] == pytest.approx((welch.high - welch.low) / 2)


def test_missing_values_drop_only_their_pairs() -> None:
    kpis = pd.DataFrame({"scenario": ["A"] * 4 + ["B"] * 4, "replication": [0, 1, 2, 3] * 2, "cargo": "all",
                         "x": [1.0, 2.0, np.nan, 4.0, 2.0, np.nan, 3.0, 6.0]})
    row = paired_differences(kpis, "A", ["A", "B"]).iloc[0]
    assert row["n"] == 2 and row["difference"] == pytest.approx(1.5)


def test_cli_compare(tmp_path: Path) -> None:
    data = read_scenario_data(BASELINE)  # the baseline extends the corridor: one self-contained copy
    data["duration"] = "20d"
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    data["unloading"]["grain"]["points"] += 1
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "-n", "3",
                                   "--executor", "serial", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "b − a" in res.output and "paired" in res.output and "dwell_h_mean" in res.output
    diff = pd.read_csv(out / "differences.csv")
    assert set(diff["scenario"]) == {"b"} and set(diff["baseline"]) == {"a"}
    assert {"a.yaml", "b.yaml"} == {p.name for p in (out / "scenarios").iterdir()}


def test_report_without_daily_series_still_renders(tmp_path: Path) -> None:
    """Parts saved by a version that kept no daily series: the report leaves the over-time plots out."""
    from sim.reporting.experiment_report import write_compare_report

    base = sim.load_scenario(BASELINE).with_changes({"duration": "10d"})
    c = sim.compare([base, base.with_changes({"unloading.grain.points": 4})], replications=2, executor="serial",
                    names=["six", "four"])
    assert {"backlog_mean", "held_trains_mean"} <= set(c.daily.columns) and set(c.daily["scenario"]) == {"six", "four"}
    c.daily = pd.DataFrame()
    page = write_compare_report(c, tmp_path).read_text(encoding="utf-8")
    assert {p.stem for p in (tmp_path / "plots").glob("*.png")} == {"differences", "kpi_comparison"}
    assert "four − six (all cargo)" in page and "unloading.grain.points</code>: 6 → <strong>4</strong>" in page


def test_scenarios_over_different_periods_or_cargo_are_warned_about() -> None:
    """A comparison of runs over different periods gave differences without a word."""
    from sim.scenario.effects import ScenarioWarning

    base = sim.load_scenario(BASELINE).with_changes({"duration": "30d", "disruptions": []})
    later = base.with_changes({"start": "2023-02-01", "duration": "20d"})
    data = base.to_dict()
    for part in ("cargo", "demand", "unloading", "loading"):
        del data[part]["containers"]
    grain_only = sim.Scenario.model_validate(data)
    with pytest.warns(ScenarioWarning) as caught:
        sim.compare([base, later, grain_only], replications=2, executor="serial", names=["base", "later", "grain"])
    said = [str(w.message) for w in caught]
    assert said == [
        ("later has start 2023-02-01, the baseline base 2023-01-01: its KPIs cover another period (totals, "
        "recovery and seasonal demand differ for that reason alone)"),
        ("later has duration 20d, the baseline base 30d: its KPIs cover another period (totals, recovery and "
        "seasonal demand differ for that reason alone)"),
        ("grain has cargo grain, the baseline base grain, containers: a cargo missing from either is left out of "
        "the differences, and `all` totals differ"),
    ]


def test_scenario_files_of_names_alike_once_made_safe_are_all_kept(tmp_path: Path) -> None:
    base = sim.load_scenario(BASELINE).with_changes({"duration": "2d", "disruptions": []})
    cmp = sim.compare([base, base], replications=2, executor="serial", names=["a b", "a_b"])
    cmp.write(tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out" / "scenarios").iterdir()) == ["a_b-2.yaml", "a_b.yaml"]
