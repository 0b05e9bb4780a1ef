"""Optimisation finds the optimum a sweep enumerates, judges constraints by their CI, and says when none holds."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.analysis.stats import t_halfwidth
from sim.decision.goals import parse_constraint, parse_objective
from sim.decision.levers import Lever
from sim.decision.optimize import optimize
from tests.cli.helpers import said

POINTS = "unloading.grain.points"
COST = 80_000  # USD per point over the run (tests/decision/conftest.py: costs.levers)
REPS = 4


def _objectives(spec: list[str]) -> list:
    return [parse_objective(s, ["grain", "all"]) for s in spec]


@pytest.fixture(scope="module")
def enumerated() -> pd.DataFrame:
    """The same case by brute force: a sweep over every point count, same seed and replications."""
    from sim.scenario.loader import parse_yaml, validate_scenario
    from tests.decision.conftest import SMALL

    base = validate_scenario(parse_yaml(SMALL, "small"), "small")
    sw = sim.sweep(base, {POINTS: list(range(8, 15))}, replications=REPS, executor="serial")
    k = sw.kpis[sw.kpis["cargo"] == "all"]
    rows = []
    for p, g in k.groupby(POINTS):
        total = g["idle_cost_usd"] + COST * (p - 10)
        bmax = g["backlog_wagons_max"].to_numpy(dtype=float)
        rows.append({POINTS: p, "total": total.mean(),
                     "backlog_high": bmax.mean() + t_halfwidth(float(bmax.std(ddof=1)), len(bmax))})
    return pd.DataFrame(rows)


def test_finds_the_enumerated_optimum(small: sim.Scenario, enumerated: pd.DataFrame) -> None:
    result = optimize(small, [Lever(path=POINTS, low=8, high=14)], _objectives(["min:total_cost_usd"]),
                      candidates=16, replications=REPS, batch=4, seed=7, executor="serial")
    best = result.best().iloc[0]
    truth = enumerated.loc[enumerated["total"].idxmin()]
    assert best[POINTS] == truth[POINTS]
    assert best["min:total_cost_usd@all mean"] == pytest.approx(truth["total"], rel=1e-9)
    # more points cost more but the backlog shrinks: the optimum is inside the range, not at an end
    assert 8 < truth[POINTS] < 14


def test_constraint_holds_only_when_its_ci_says_so(small: sim.Scenario, enumerated: pd.DataFrame) -> None:
    # a limit between the mean and the CI's upper end of some point: those points must be infeasible
    limit = float(np.median(enumerated["backlog_high"]))
    cons = [parse_constraint(f"backlog_wagons_max<={limit}", ["grain", "all"])]
    result = optimize(small, [Lever(path=POINTS, low=8, high=14)], _objectives(["min:lever_cost_usd"]), cons,
                      candidates=16, replications=REPS, batch=4, seed=7, executor="serial")
    c = result.candidates
    label = cons[0].label
    assert (c.loc[c["feasible"], f"{label} mean"] + c.loc[c["feasible"], f"{label} ci95"] <= limit).all()
    assert not c["feasible"].all() and c["feasible"].any()
    ok = enumerated[enumerated["backlog_high"] <= limit]
    best = result.best().iloc[0]
    assert best[POINTS] == ok[POINTS].min()  # the cheapest point count whose CI meets the limit
    assert best["min:lever_cost_usd@all mean"] == COST * (best[POINTS] - 10)


def test_two_objectives_give_a_pareto_front(small: sim.Scenario) -> None:
    result = optimize(small, [Lever(path=POINTS, low=8, high=14)],
                      _objectives(["min:lever_cost_usd", "min:backlog_wagons_mean"]),
                      candidates=12, replications=2, batch=4, seed=3, executor="serial")
    front = result.best().sort_values("min:lever_cost_usd@all mean")
    assert len(front) >= 2
    # along the front, paying more always buys a smaller backlog
    assert np.all(np.diff(front["min:backlog_wagons_mean@all mean"]) < 0)
    sim.plots.optimisation_front(result).savefig(Path("/dev/null"), format="png")


def test_infeasible_constraints_exit_3_after_writing(small_path: Path, tmp_path: Path) -> None:
    from sim.cli import cli

    out = tmp_path / "opt"
    args = ["optimize", str(small_path), "--lever", f"{POINTS}=8:14", "--objective", "min:total_cost_usd",
            "--constraint", "backlog_wagons_max<=1", "-N", "4", "-n", "2", "--executor", "serial", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 3
    assert "No feasible candidate: none of the 4 candidates" in result.output
    table = pd.read_csv(out / "candidates.csv")
    assert not table["feasible"].any() and not (out / "best.yaml").exists()


def test_cli_prints_best_with_units_and_writes_best_scenario(small_path: Path, tmp_path: Path) -> None:
    from sim.cli import cli

    out = tmp_path / "opt"
    result = CliRunner().invoke(cli, ["optimize", str(small_path), "--lever", f"{POINTS}=8:14",
                                      "--objective", "min:total_cost_usd", "--constraint", "backlog_wagons_max<=3000",
                                      "-N", "6", "-n", "3", "--batch", "3", "--executor", "serial", "--out", str(out)])
    assert result.exit_code == 0, result.output
    # the objective's column says its unit (its header wrapped onto two lines to fit 100 columns)
    assert re.search(r"min:total_cost_usd@all\s.*\n\S*.*\(USD\)", result.output), result.output
    assert "3 replications each" in said(result.output)
    assert "e+" not in result.output
    best = pd.read_csv(out / "candidates.csv").query("best")
    assert sim.load_scenario(out / "best.yaml").unloading.groups["grain"].points == best[POINTS].iloc[0]
    assert (out / "plots" / "optimisation.png").is_file()


@pytest.mark.slow
def test_same_search_on_process_and_dask_executors(small: sim.Scenario) -> None:
    pytest.importorskip("distributed")
    args = {"candidates": 6, "replications": 2, "batch": 3, "seed": 11}
    lever = [Lever(path=POINTS, low=8, high=14)]
    serial = optimize(small, lever, _objectives(["min:total_cost_usd"]), executor="serial", **args)
    for executor in ("process", "dask"):
        other = optimize(small, lever, _objectives(["min:total_cost_usd"]), executor=executor, workers=2, **args)
        pd.testing.assert_frame_equal(other.candidates, serial.candidates)


def test_total_cost_without_a_wagon_day_price_is_refused(small: sim.Scenario) -> None:
    """With costs.wagon_day_usd absent ("not set"), idle cost is unknown: optimising total cost would
    compare NaNs and pick a candidate at random, so the key to set is named instead."""
    data = small.to_dict()
    data["costs"].pop("wagon_day_usd")
    unpriced = sim.Scenario.from_data(data, "unpriced")
    with pytest.raises(sim.ScenarioError, match=r"costs\.wagon_day_usd"):
        optimize(unpriced, [Lever(path=POINTS, low=8, high=12, integer=True)], ["min:total_cost_usd"],
                 candidates=2, replications=2, executor="serial")
