"""Fit on some episodes, predict the others (sim.decision.joint), and "not identified" ranges."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from sim.decision.calibrate import identification
from sim.decision.history import Episode
from sim.decision.joint import joint_calibrate, localise
from sim.decision.levers import Lever
from sim.decision.targets import targets_from_data
from sim.scenario.loader import load_scenario
from tests.conftest import SCENARIOS

BAN = SCENARIOS / "history" / "feb2025_altynkol_ban.yaml"   # 45 days, one cargo: cheap
WINDOW = {"from": "2025-01-30", "to": "2025-02-24"}


def episode(name: str, role: str, parameters: list[dict] | None = None) -> Episode:
    spec = targets_from_data({
        "targets": [{"name": "delivered", "kpi": "wagons_delivered", "cargo": "grain", "window": WINDOW,
                     "value": 160, "tolerance": 24, "role": role, "fitted": "acceptance" if role == "fitted" else ""}],
        "parameters": parameters or []})
    return Episode(name, Path(BAN), load_scenario(BAN), spec)


def test_identification_reads_the_range_against_the_bounds() -> None:
    lever = Lever(path="x", low=0, high=10)
    assert identification(pd.Series([0.1, 5, 9.9]), lever) == "not identified"
    assert identification(pd.Series([0.1, 3]), lever) == "lower end not identified"
    assert identification(pd.Series([7, 10]), lever) == "upper end not identified"
    assert identification(pd.Series([3, 4]), lever) == "identified"
    assert identification(pd.Series([], dtype=float), lever) == "ruled out everywhere"


def test_a_shared_path_is_localised_to_each_episode() -> None:
    altynkol = episode("a", "fitted")   # one crossing, written under crossings.altynkol
    assert localise("crossings.altynkol.unloading.grain.points", altynkol) == "crossings.altynkol.unloading.grain.points"
    assert localise("crossings.dostyk.unloading.grain.points", altynkol) is None
    assert localise("seed", altynkol) == "seed"
    baseline = Episode("b", SCENARIOS / "baseline_2023.yaml", load_scenario(SCENARIOS / "baseline_2023.yaml"),
                       altynkol.spec)   # one crossing at the top level
    assert localise("crossings.dostyk.unloading.grain.points", baseline) == "unloading.grain.points"


def test_fit_on_one_episode_predict_a_held_out_one() -> None:
    """The acceptance factor is identified by the fitted episode (1 group of 6 a day fits, 0 or 2 do
    not); the shared number of unloading points changes nothing here, so it is not identified; the
    held-out episode is predicted at the best fit, not fitted to."""
    fitted = episode("fit", "fitted", [{"path": "disruptions.acceptance.capacity", "low": 0.03, "high": 0.2}])
    held = episode("held", "held_out")
    result = joint_calibrate([fitted, held], [Lever(path="crossings.altynkol.unloading.grain.points", low=1, high=6)],
                             ["held"], candidates=12, replications=2, batch=6, seed=3, executor="serial", profile=6)
    fit = result.fit.set_index("parameter")
    assert fit.loc["crossings.altynkol.unloading.grain.points", "identified"] == "not identified"
    assert bool(fit.loc["crossings.altynkol.unloading.grain.points", "shared"])
    acceptance = fit.loc["fit:disruptions.acceptance.capacity"]
    assert acceptance["identified"] == "identified" and not bool(acceptance["shared"])
    # floor(14 x c) = 1 group a day exactly for c in [1/14, 2/14): the range found lies inside it
    assert 1 / 14 <= acceptance["low"] <= acceptance["high"] < 2 / 14
    figures = result.figures.set_index("episode")
    assert figures.loc["held", "use"] == "held out" and figures.loc["held", "agreement"] == "agrees"
    assert figures.loc["fit", "use"] == "fitted"


def test_cli_fits_several_replays_with_a_shared_parameter_and_a_held_out_one(tmp_path: Path) -> None:
    from tests.cli.test_bad_inputs import run_main

    (tmp_path / "evidence").mkdir()
    # what the replays change in the corridor is the ban's, declared as the ban's evidence does
    ban_changes = yaml.safe_dump({"changes": yaml.safe_load(
        (BAN.parent / "evidence" / BAN.name).read_text(encoding="utf-8"))["changes"]})
    for name, role, params in (("fit", "fitted", ("parameters:\n  - {path: disruptions.acceptance.capacity, "
                                                 "low: 0.05, high: 0.2}\n")), ("held", "held_out", "")):
        (tmp_path / f"{name}.yaml").write_text(f"extends: {BAN}\nname: {name}\n", encoding="utf-8")
        (tmp_path / "evidence" / f"{name}.yaml").write_text(
            ban_changes + "targets:\n  - {name: delivered, kpi: wagons_delivered, cargo: grain, window: {from: 2025-01-30, "
            f"to: 2025-02-24}}, value: 160, tolerance: 24, role: {role}, fitted: acceptance, source: SOURCES.md B4, "
            f"tolerance_derivation: ASSUMPTION}}\n{params}",
            encoding="utf-8")
    code, err, out = run_main(["calibrate", "fit.yaml", "held.yaml", "--shared",
                               "crossings.altynkol.unloading.grain.points=1:4", "--hold-out", "held", "-N", "4",
                               "-n", "2", "--batch", "4", "--executor", "serial", "--out", "j"], tmp_path)
    assert code == 0, err
    assert "not identified" in out and "held out" in out and "e+" not in out
    fit = pd.read_csv(tmp_path / "j" / "fit.csv")
    assert set(fit["parameter"]) == {"crossings.altynkol.unloading.grain.points", "fit:disruptions.acceptance.capacity"}
    code, err, _ = run_main(["calibrate", "fit.yaml", "held.yaml", "--hold-out", "nosuch", "--out", "k"], tmp_path)
    assert code == 2 and "nosuch" in err
