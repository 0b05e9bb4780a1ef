"""What is saved reproduces the run: the results' scenario.yaml holds every change from the command
line (--seed, --replications, --set), and one value set two ways is refused naming both."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.experiments.results import Results
from sim.scenario.loader import load_scenario
from tests.cli.test_bad_inputs import MINI, run_main

FAST = ["--executor", "serial", "--quiet", "--no-report"]


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    return path


def test_saved_scenario_reproduces_a_run_with_command_line_changes(mini: Path, tmp_path: Path) -> None:
    code, err, _ = run_main(["run", str(mini), "--seed", "7", "--replications", "2", "--set",
                             "unloading.grain.points=9", "--set", "duration=20d", "--out", "first", *FAST], tmp_path)
    assert code == 0, err
    saved = load_scenario(tmp_path / "first" / "scenario.yaml")
    assert (saved.seed, saved.replications, saved.unloading.groups["grain"].points, saved.duration) == (7, 2, 9, 480)

    code, err, _ = run_main(["run", "first/scenario.yaml", "--out", "again", *FAST], tmp_path)
    assert code == 0, err
    first, again = (pd.read_csv(tmp_path / d / "kpis.csv") for d in ("first", "again"))
    assert len(first) > 0 and set(first["replication"]) == {0, 1}
    pd.testing.assert_frame_equal(first, again, check_exact=False, rtol=1e-12)  # same machine: same numbers
    assert (tmp_path / "again" / "scenario.yaml").read_text() == (tmp_path / "first" / "scenario.yaml").read_text()


def test_api_results_record_the_seed_and_replications_run(mini: Path) -> None:
    import sim

    scen = load_scenario(mini, {"duration": "3d"})
    res = sim.run(scen, replications=2, seed=11, executor="serial")
    assert (res.scenario.seed, res.scenario.replications) == (11, 2)
    assert (scen.seed, scen.replications) == (1, 10), "the scenario given is not changed"


def test_sweep_and_compare_save_seed_and_replications(mini: Path, tmp_path: Path) -> None:
    code, err, _ = run_main(["sweep", str(mini), "--vary", "unloading.grain.points=5,6", "--seed", "3", "-n", "2",
                             "--set", "duration=3d", "--out", "sw", "--no-plots", "--executor", "serial", "--quiet"],
                            tmp_path)
    assert code == 0, err
    base = load_scenario(tmp_path / "sw" / "scenario.yaml")
    assert (base.seed, base.replications, base.duration) == (3, 2, 72)

    code, err, _ = run_main(["compare", str(mini), str(mini), "--set", "2:unloading.grain.points=8", "--seed", "4",
                             "-n", "2", "--set", "duration=3d", "--out", "cmp", *FAST], tmp_path)
    assert code == 0, err
    saved = sorted((tmp_path / "cmp" / "scenarios").glob("*.yaml"))
    assert len(saved) == 2
    loaded = [load_scenario(p) for p in saved]
    assert {(s.seed, s.replications, s.duration) for s in loaded} == {(4, 2, 72)}
    assert sorted(s.unloading.groups["grain"].points for s in loaded) == [6, 8]


@pytest.mark.parametrize(("args", "named"), [
    (["run", "{file}", "--seed", "5", "--set", "seed=6"], "--seed 5 and --set seed=6"),
    (["run", "{file}", "--replications", "3", "--set", "replications=4"], "--replications 3 and --set replications=4"),
    (["sweep", "{file}", "--vary", "unloading.grain.points=5,6", "--seed", "5", "--set", "seed=6"],
     "--seed 5 and --set seed=6"),
    (["compare", "{file}", "{file}", "--replications", "3", "--set", "replications=4"],
     "--replications 3 and --set replications=4"),
    (["compare", "{file}", "{file}", "--seed", "5", "--set", "2:seed=6"], "--seed 5 and --set 2:seed=6"),
    (["warmup", "{file}", "--seed", "5", "--set", "seed=6"], "--seed 5 and --set seed=6"),
    (["optimize", "{file}", "--lever", "unloading.grain.points=4:8:int", "--objective", "min:backlog_wagons_mean",
      "--set", "replications=4"], "--set replications=4 would change nothing"),
])
def test_one_value_set_two_ways_is_refused(mini: Path, tmp_path: Path, args: list[str], named: str) -> None:
    code, err, _ = run_main([a.replace("{file}", str(mini)) for a in [*args, "--out", "out"]]
                            if args[0] != "warmup" else [a.replace("{file}", str(mini)) for a in args], tmp_path)
    assert code == 2, err
    assert named in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


def test_results_read_back_the_recorded_scenario(mini: Path, tmp_path: Path) -> None:
    code, err, _ = run_main(["run", str(mini), "--seed", "9", "-n", "1", "--set", "duration=2d", "--out", "r", *FAST],
                            tmp_path)
    assert code == 0, err
    res = Results.read(tmp_path / "r")
    assert (res.seed, res.scenario.seed, res.scenario.replications) == (9, 9, 1)
