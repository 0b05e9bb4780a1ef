"""Every command that runs many replications counts all its runs once, before anything is built, run or
written, and refuses more than limits.MAX_RUNS with one message shape (sim.scenario.limits.runs_problem):
sweep, compare, a named experiment, calibrate (its search and its profile together), a joint fit and
history, through the Python API and `dostyk`. The limit is lowered here so that a refusal is cheap to
reach and a command that did not count would run (and fail the test) instead of being refused.
(optimize and sensitivity: tests/api/test_search_runs.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
import sim.experiments.sweep as sweep_module
from sim.decision.calibrate import calibrate
from sim.decision.history import Episode, run_history
from sim.decision.joint import joint_calibrate
from sim.decision.levers import Lever
from sim.decision.targets import targets_from_data
from sim.experiments.arguments import ArgumentError
from sim.scenario import limits
from tests.cli.test_bad_inputs import MINI, run_main
from tests.conftest import SCENARIOS

SHAPE = "runs of the scenario; the limit is {:,} (a year of the 2023 baseline takes seconds"
SHORT = MINI.replace("duration: 365d", "duration: 3d").replace("replications: 10", "replications: 2")
TARGETS = {"targets": [{"kpi": "tonnes_delivered", "value": 20000, "tolerance": "50%"}],
           "parameters": [{"path": "unloading.grain.points", "low": 4, "high": 8}]}


@pytest.fixture
def limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(limits, "MAX_RUNS", 10)
    return 10


@pytest.fixture
def short(tmp_path: Path) -> sim.Scenario:
    path = tmp_path / "mini.yaml"
    path.write_text(SHORT, encoding="utf-8")
    return sim.load_scenario(path)


@pytest.fixture
def no_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any replication started fails the test: the refusal must come first."""
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("a replication ran before the run limit was checked")

    monkeypatch.setattr("sim.experiments.task.run_replication", refuse)  # what every executor runs


def test_a_sweep_counts_points_x_replications_before_building_a_point(short: sim.Scenario, limit: int,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real = sweep_module.point_scenario
    monkeypatch.setattr(sweep_module, "point_scenario", lambda *a: built.append(a) or real(*a))
    with pytest.raises(ArgumentError) as info:
        sim.sweep(short, {"unloading.grain.points": [4, 6, 8]}, replications=4, executor="serial")
    assert str(info.value).startswith("grid points 3 x replications 4 are 12 " + SHAPE.format(limit)), info.value
    assert str(info.value).endswith("— lower grid points or replications")
    assert built == []  # counted from the values, before any point's scenario is built
    assert sim.sweep(short, {"unloading.grain.points": [4, 6]}, replications=5, executor="serial").replications == 5


def test_a_comparison_counts_scenarios_x_replications(short: sim.Scenario, limit: int, no_runs: None) -> None:
    other = short.with_changes({"unloading.grain.points": 8})
    with pytest.raises(ArgumentError, match=r"^scenarios 2 x replications 6 are 12 runs of the scenario; the limit "
                                            r"is 10 .* — lower scenarios or replications$"):
        sim.compare([short, other], replications=6, executor="serial")


def test_calibrate_counts_its_search_and_its_profile_together(short: sim.Scenario, limit: int, no_runs: None) -> None:
    """6 candidates and a profile of 5 values each pass the limit of 10 alone; together they are 11 runs."""
    spec = targets_from_data(TARGETS)
    with pytest.raises(ArgumentError) as info:
        calibrate(short, spec, candidates=6, replications=1, profile=5, executor="serial")
    assert str(info.value).startswith("candidates 6 x replications 1 + parameters 1 x profile 5 x replications 1 "
                                      "are 11 " + SHAPE.format(limit)), info.value
    assert str(info.value).endswith("— lower candidates, profile or replications")


BAN = SCENARIOS / "history" / "feb2025_altynkol_ban.yaml"


def _episode(name: str, role: str) -> Episode:
    spec = targets_from_data({"targets": [{"name": "delivered", "kpi": "wagons_delivered", "cargo": "grain",
                                           "value": 160, "tolerance": 24, "role": role, "fitted": "x"}]})
    return Episode(name, BAN, sim.load_scenario(BAN), spec)


def test_a_joint_fit_counts_every_episode_and_the_best_fit(limit: int, no_runs: None) -> None:
    """A joint fit had no run limit: every candidate runs on every fitted episode."""
    episodes = [_episode("a", "fitted"), _episode("b", "fitted"), _episode("c", "held_out")]
    shared = [Lever(path="crossings.altynkol.unloading.grain.points", low=1, high=6)]
    with pytest.raises(ArgumentError) as info:
        joint_calibrate(episodes, shared, ["c"], candidates=2, replications=2, executor="serial", profile=1)
    assert str(info.value).startswith(
        "fitted episodes 2 x candidates 2 x replications 2 + fitted episodes 2 x parameters 1 x profile 1 x "
        "replications 2 + episodes at the best fit 3 x replications 2 are 18 " + SHAPE.format(limit)), info.value


def test_history_counts_every_replay(limit: int, no_runs: None) -> None:
    episodes = [_episode("a", "check"), _episode("b", "held_out")]
    with pytest.raises(ArgumentError, match=r"^replays 2 x replications 6 are 12 runs of the scenario; the limit is 10"):
        run_history(episodes, replications=6, executor="serial")
    own = episodes[0].scenario.replications  # each file's own, counted per distinct number
    assert 2 * own > limit
    with pytest.raises(ArgumentError, match=rf"^replays 2 x replications \(each file's own\) {own} are {2 * own} runs"
                                            r".* — lower replays or replications$"):
        run_history(episodes, executor="serial")


# -- through dostyk: refused before the output is claimed, nothing written ----------------------------

def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize(("args", "said"), [
    (["sweep", "mini.yaml", "--vary", "unloading.grain.points=4,6,8", "-n", "4"],
     "grid points 3 x --replications 4 are 12 runs"),
    (["compare", "mini.yaml", "mini.yaml", "--set", "2:unloading.grain.points=8", "-n", "6"],
     "scenarios 2 x --replications 6 are 12 runs"),
    (["experiment", "exp.yaml"], "scenarios 3 x replications (exp.yaml) 4 are 12 runs"),
    (["calibrate", "mini.yaml", "--targets", "t.yaml", "-N", "6", "-n", "1", "--profile", "5"],
     "--candidates 6 x --replications 1 + parameters 1 x --profile 5 x --replications 1 are 11 runs"),
])
def test_each_command_is_refused_before_any_output(args: list[str], said: str, tmp_path: Path, limit: int,
                                                    no_runs: None) -> None:
    (tmp_path / "mini.yaml").write_text(SHORT, encoding="utf-8")
    (tmp_path / "exp.yaml").write_text("baseline: mini.yaml\nreplications: 4\nvariants:\n  six: {unloading.grain.points: 6}\n"
                                       "  eight: {unloading.grain.points: 8}\n", encoding="utf-8")
    (tmp_path / "t.yaml").write_text("targets:\n  - {kpi: tonnes_delivered, value: 20000, tolerance: 50%}\n"
                                     "parameters:\n  - {path: unloading.grain.points, low: 4, high: 8}\n", encoding="utf-8")
    before = _files(tmp_path)
    code, err, _ = run_main([*args, "--executor", "serial", "--quiet"], tmp_path)
    assert code == 2 and "Traceback" not in err, err
    assert said in err and f"the limit is {limit:,}" in err, err
    assert _files(tmp_path) == before  # no results/, no lock, no work directory


def test_a_sweep_builds_each_point_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dostyk sweep` built every grid point's scenario twice: to check the grid, then again to run it."""
    built: list[str] = []
    real = sweep_module.point_scenario
    monkeypatch.setattr(sweep_module, "point_scenario", lambda base, changes, *rest: built.append(str(changes)) or
                        real(base, changes, *rest))
    (tmp_path / "mini.yaml").write_text(SHORT, encoding="utf-8")
    code, err, _ = run_main(["sweep", "mini.yaml", "--vary", "unloading.grain.points=4,6", "--vary",
                             "checks.customs.time.mean=2h,3h", "-n", "1", "--executor", "serial", "--quiet",
                             "--no-plots", "--out", "out"], tmp_path)
    assert code == 0, err
    assert len(built) == 4 == len(set(built)), built


# -- hostile arguments to the counting itself ---------------------------------------------------------------

def test_a_grid_checked_for_another_scenario_or_replications_is_refused(short: sim.Scenario, no_runs: None) -> None:
    grid = sweep_module.check_grid(short, {"unloading.grain.points": [4, 6]}, 2)
    with pytest.raises(ArgumentError, match="vary is a grid checked for another scenario or number of replications"):
        sim.sweep(short.with_changes({"duration": "2d"}), grid, replications=2, executor="serial")
    with pytest.raises(ArgumentError, match="vary is a grid checked for another scenario or number of replications"):
        sim.sweep(short, grid, replications=3, executor="serial")


def test_counts_too_long_to_print_or_not_whole_are_named(no_runs: None) -> None:
    episodes = [_episode("a", "fitted"), _episode("b", "held_out")]
    shared = [Lever(path="crossings.altynkol.unloading.grain.points", low=1, high=6)]
    with pytest.raises(ArgumentError, match=r"^fitted episodes 1 x candidates about 10\^5000 x replications 1 .* are "
                                            r"about 10\^5000 runs"):
        joint_calibrate(episodes, shared, ["b"], candidates=10**5000, replications=1, executor="serial")
    with pytest.raises(ArgumentError, match=r"^candidates must be a whole number, got the text '5'"):
        joint_calibrate(episodes, shared, ["b"], candidates="5", executor="serial")  # type: ignore[arg-type]
    with pytest.raises(ArgumentError, match=r"^replications must be at least 1, got 2.5|^replications must be a whole"):
        run_history(episodes, replications=2.5, executor="serial")  # type: ignore[arg-type]
