"""Sweeps: the grid, the tidy table, the per-point summary, plots, files and the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.cli import cli
from sim.experiments.sweep import grid, parse_vary
from sim.reporting.sweep_plots import plot_heatmap, plot_lever, write_sweep_plots
from sim.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"
VARY = {"unloading.grain.points": [4, 8], "checks[1].trains_at_once": [1, 2, 3]}


@pytest.fixture(scope="module")
def result() -> sim.SweepResult:
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "60d"})
    return sim.sweep(scenario, VARY, replications=3, seed=11, executor="serial")


def test_grid_is_the_full_product_last_lever_fastest() -> None:
    points = grid(VARY)
    assert len(points) == 6
    assert points[0] == {"unloading.grain.points": 4, "checks[1].trains_at_once": 1}
    assert points[1] == {"unloading.grain.points": 4, "checks[1].trains_at_once": 2}
    assert points[-1] == {"unloading.grain.points": 8, "checks[1].trains_at_once": 3}


def test_kpis_table_is_tidy(result: sim.SweepResult) -> None:
    k = result.kpis
    assert list(k.columns[:4]) == ["unloading.grain.points", "checks[1].trains_at_once", "replication", "cargo"]
    assert len(k) == 6 * 3 * 3  # points x replications x cargo (grain, containers, all)
    assert not k.duplicated(["unloading.grain.points", "checks[1].trains_at_once", "replication", "cargo"]).any()
    assert set(k["cargo"]) == {"grain", "containers", "all"}


def test_each_point_is_the_run_of_its_scenario(result: sim.SweepResult) -> None:
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "60d", "unloading.grain.points": 8,
                                                         "checks[1].trains_at_once": 2})
    alone = sim.run(scenario, replications=3, seed=11, executor="serial").kpis
    k = result.kpis
    rows = k[(k["unloading.grain.points"] == 8) & (k["checks[1].trains_at_once"] == 2)]
    pd.testing.assert_frame_equal(rows.drop(columns=list(VARY)).reset_index(drop=True), alone)


def test_summary_per_point_has_cis(result: sim.SweepResult) -> None:
    s = result.summary()
    row = s[(s["unloading.grain.points"] == 4) & (s["checks[1].trains_at_once"] == 1) & (s["cargo"] == "grain")
            & (s["kpi"] == "dwell_h_mean")].iloc[0]
    values = result.kpis[(result.kpis["unloading.grain.points"] == 4) & (result.kpis["checks[1].trains_at_once"] == 1)
                         & (result.kpis["cargo"] == "grain")]["dwell_h_mean"]
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(values.mean())
    half = 4.302653 * values.std(ddof=1) / np.sqrt(3)  # t(0.975, 2)
    assert row["ci95_high"] - row["mean"] == pytest.approx(half, rel=1e-5)
    # more unloading points shorten the grain dwell at every value of the other lever
    means = s[(s["cargo"] == "grain") & (s["kpi"] == "dwell_h_mean")].set_index(list(VARY))["mean"]
    for trains in (1, 2, 3):
        assert means[(8, trains)] < means[(4, trains)]


def test_parse_vary() -> None:
    got = parse_vary(["unloading.grain.points=4, 6,8", "unloading.grain.wagon_time=1h,90min",
                      "monthly=[1,2],[3,4]"])
    assert got == {"unloading.grain.points": [4, 6, 8], "unloading.grain.wagon_time": ["1h", "90min"],
                   "monthly": [[1, 2], [3, 4]]}
    for bad in (["points"], ["points="], ["a=1,,2"], ["a=1,1"], ["a=1", "a=2"]):
        with pytest.raises(ScenarioError):
            parse_vary(bad)


def test_bad_lever_is_named() -> None:
    scenario = sim.load_scenario(BASELINE)
    with pytest.raises(ScenarioError, match=r"unloading\.grain\.pionts"):
        sim.sweep(scenario, {"unloading.grain.pionts": [4]}, replications=1, executor="serial")
    with pytest.raises(ScenarioError, match=r"unloading\.grain\.points"):
        sim.sweep(scenario, {"unloading.grain.points": [4, -1]}, replications=1, executor="serial")


def test_plots_return_figures_with_the_summary_values(result: sim.SweepResult) -> None:
    s = result.summary()
    fig = plot_lever(s, "dwell_h_mean", "unloading.grain.points", "all", levers=list(VARY))
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and len(ax.collections) == 3  # one line and one CI band per other-lever value
    sel = (s["kpi"] == "dwell_h_mean") & (s["cargo"] == "all") & (s["checks[1].trains_at_once"] == 1)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), s[sel].sort_values("unloading.grain.points")["mean"])

    heat = plot_heatmap(s, "dwell_h_mean", "unloading.grain.points", "checks[1].trains_at_once")
    image = heat.axes[0].images[0].get_array()
    assert image.shape == (3, 2)
    cell = s[(s["kpi"] == "dwell_h_mean") & (s["cargo"] == "all") & (s["unloading.grain.points"] == 8)
             & (s["checks[1].trains_at_once"] == 3)]["mean"].iloc[0]
    assert image[2, 1] == pytest.approx(cell)
    with pytest.raises(ValueError, match="unknown KPI 'no_such_kpi'"):
        plot_lever(s, "no_such_kpi", "unloading.grain.points")


def test_write_is_complete_and_atomic(result: sim.SweepResult, tmp_path: Path) -> None:
    out = result.write(tmp_path / "sweep", extra=lambda d: write_sweep_plots(result, d))
    assert {"kpis.csv", "summary.csv", "sweep.json", "scenario.yaml", "events.csv", "plots"} <= {
        p.name for p in out.iterdir()}
    assert any((out / "plots").glob("*_heatmap.png")) and any((out / "plots").glob("*_vs_*.png"))
    assert [p.name for p in tmp_path.iterdir()] == ["sweep"]  # no temporary directory left
    back = pd.read_csv(out / "kpis.csv")
    pd.testing.assert_frame_equal(back, result.kpis, check_dtype=False)


def test_cli_sweep(tmp_path: Path) -> None:
    args = ["sweep", str(BASELINE), "--vary", "unloading.grain.points=4,8", "-n", "2", "--set", "duration=20d",
            "--executor", "serial", "--out", str(tmp_path / "s"), "--no-plots"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "unloading.grain.points" in res.output and "dwell_h_mean" in res.output
    assert (tmp_path / "s" / "kpis.csv").is_file() and not (tmp_path / "s.work").exists()
    table = pd.read_csv(tmp_path / "s" / "kpis.csv")
    assert sorted(table["unloading.grain.points"].unique()) == [4, 8]


def test_a_lever_value_that_makes_a_disruption_change_nothing_is_no_disruption() -> None:
    """capacity 1 (with time_factor 1) in a sweep is "no disruption": the point runs, exactly as the
    scenario without that disruption, instead of refusing the whole sweep."""
    base = sim.load_scenario(ROOT / "scenarios" / "jan2024_admin_hold.yaml").with_changes({"duration": "120d"})
    sw = sim.sweep(base, vary={"disruptions.admin-hold.capacity": [0.2, 1]}, replications=2, executor="serial")
    data = base.to_dict()
    data["disruptions"] = [d for d in data["disruptions"] if d["name"] != "admin-hold"]
    without = sim.run(sim.Scenario.from_data(data, "no hold"), replications=2, executor="serial")
    point = sw.kpis[sw.kpis["disruptions.admin-hold.capacity"] == 1].drop(columns=["disruptions.admin-hold.capacity"])
    common = [c for c in without.kpis.columns if c in point.columns]
    pd.testing.assert_frame_equal(point[common].reset_index(drop=True), without.kpis[common], check_exact=True)
    assert point["recovery_days.admin-hold"].isna().all()  # no window, so nothing to recover from
    held = sw.kpis[sw.kpis["disruptions.admin-hold.capacity"] == 0.2]
    assert (held["backlog_wagons_max"].to_numpy() > point["backlog_wagons_max"].to_numpy()).all()
    assert not (sw.events["name"] == "admin-hold").loc[sw.events["disruptions.admin-hold.capacity"] == 1].any()


def test_a_disruption_that_says_nothing_is_still_refused() -> None:
    """In a file, a disruption without `capacity` or `time_factor` is a forgotten key, not a no-op."""
    base = sim.load_scenario(ROOT / "scenarios" / "jan2024_admin_hold.yaml")
    data = base.to_dict()
    for key in ("capacity", "time_factor"):
        data["disruptions"][0].pop(key)
    with pytest.raises(sim.ScenarioError, match=r"disruptions\.wind: a disruption must change something"):
        sim.Scenario.from_data(data, "x")


@pytest.mark.parametrize(("vary", "lever", "says"), [
    ({"unloading.grain.points": [6, 6.0]}, "unloading.grain.points", "6 and 6.0 give the same scenario"),
    ({"unloading.grain.points": [4, "4"]}, "unloading.grain.points", '4 and "4" give the same scenario'),
    ({"seed": [1, 2]}, "seed", "not a lever: every grid point runs with the same seed"),
    ({"replications": [2, 5]}, "replications", "not a lever: every grid point runs the same replications"),
    ({"name": ["a", "b"]}, "name", "not a lever"),
    ({"disruptions.wind.name": ["a", "b"]}, "disruptions.wind.name", "not a lever"),
    ({"checks[1].trains_at_once": [1, 2], "checks.phytosanitary.trains_at_once": [3]},
     "checks.phytosanitary.trains_at_once", "names the same value as checks[1].trains_at_once"),
    ({"unloading.grain.points": [4, 5], "unloading.grain": [{"points": 3, "wagon_time": "1h"}]},
     "unloading.grain", "holds unloading.grain.points, which is changed too"),
])
def test_levers_that_would_do_nothing_or_pool_are_refused(vary: dict, lever: str, says: str) -> None:
    """Each of these ran and gave a sweep whose points were silently the same (or pooled)."""
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "2d"})
    with pytest.raises(ScenarioError) as info:
        sim.sweep(scenario, vary, replications=1, executor="serial")
    assert (lever, info.value.problems[0][1]) == info.value.problems[0] and says in info.value.problems[0][1]


def test_values_equal_only_with_other_levers_are_not_refused() -> None:
    """6 and 8 points are different scenarios; a duplicate is judged on the whole grid point."""
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "1d"})
    res = sim.sweep(scenario, {"unloading.grain.points": [6, 8], "checks[1].time": ["1h", "2h"]}, replications=1,
                    executor="serial")
    assert len(res.points()) == 4


def test_a_grid_too_large_to_build_is_refused_before_any_scenario_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """300 × 300 values built scenarios for a minute, 1.6 GB and growing, before the first run."""
    import sim
    import sim.experiments.sweep as sweep_module
    from sim.experiments.arguments import ArgumentError
    from tests.conftest import SCENARIOS

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the sweep started running")

    monkeypatch.setattr(sweep_module, "run_tasks", no_run)
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    with pytest.raises(ArgumentError, match=r"has 90,000 points \(300 × 300\); the limit is 10,000"):
        sim.sweep(base, {"unloading.grain.points": list(range(1, 301)), "line.max_trains_per_day": list(range(1, 301))},
                  replications=1, executor="serial")
    # many runs of few points: what their results hold together is bounded (sim.experiments.held)
    with pytest.raises(ArgumentError, match=r"2 points of baseline-2023 x 60,000 replications are 120,000 tasks"):
        sim.sweep(base.with_changes({"duration": "1d"}), {"unloading.grain.points": [4, 5]}, replications=60_000,
                  executor="serial")


def test_a_sweep_checks_vary_and_builds_its_grid_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.experiments.sweep as sweep_module

    calls = {"check_vary": 0, "_combinations": 0}
    for name in calls:
        def counted(*args: object, real: object = getattr(sweep_module, name), name: str = name) -> object:
            calls[name] += 1
            return real(*args)  # type: ignore[operator]
        monkeypatch.setattr(sweep_module, name, counted)

    class PointsBuiltError(Exception):
        pass

    def stop(*_args: object) -> None:
        raise PointsBuiltError  # every point's scenario is built by then: nothing needs to run

    monkeypatch.setattr(sweep_module.held, "check_sweep", stop)
    with pytest.raises(PointsBuiltError):
        sim.sweep(sim.load_scenario(BASELINE), VARY, replications=1, executor="serial")
    assert calls == {"check_vary": 1, "_combinations": 1}
