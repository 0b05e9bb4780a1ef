"""The evidence behind `dostyk history`, checked without running the model (sim.decision.history,
sim.decision.episode_changes): each replay is the one corridor plus dated changes it declares."""

from __future__ import annotations

from pathlib import Path

from sim.decision.episode_changes import corridor_of, differences
from sim.decision.history import load_episodes
from tests.cli.test_bad_inputs import run_main
from tests.conftest import SCENARIOS

HISTORY = SCENARIOS / "history"
DOSTYK = SCENARIOS / "corridor" / "dostyk.yaml"
CHECK = """targets:
  - {name: delivered, kpi: tonnes_delivered, cargo: grain, value: 1000, tolerance: 10%, role: check,
     source: "SOURCES.md V1"}
"""


def episode(tmp_path: Path, scenario: str, evidence: str) -> Path:
    directory = tmp_path / "history"
    (directory / "evidence").mkdir(parents=True, exist_ok=True)
    (directory / "ep.yaml").write_text(f"extends: {DOSTYK}\nname: ep\n{scenario}", encoding="utf-8")
    (directory / "evidence" / "ep.yaml").write_text(evidence, encoding="utf-8")
    return directory


def declared(tmp_path: Path, directory: Path) -> tuple[int, str]:
    code, err, _ = run_main(["history", str(directory), "--declared"], tmp_path)
    return code, err


def test_every_shipped_replay_is_the_corridor_plus_what_it_declares() -> None:
    episodes = load_episodes(HISTORY)   # refuses an undeclared or stale change
    for e in episodes:
        corridor = corridor_of(e.path)
        assert corridor is not None and corridor.parent.name == "corridor", e.name
        found = differences(e.path, corridor)
        assert all(any(f == k or f.startswith(k + ".") for k in e.changes) for f in found), e.name
    # January 2024's stop-loading rule is not the corridor's (3,000/1,500 on both cargos against 2,500/1,200
    # on grain): it was an undeclared second value of the same rule; now it says why
    jan = next(e for e in episodes if e.name == "jan2024_hold_loading_rate")
    assert "policies.stop_loading" in jan.changes and "fitted" in jan.changes["policies.stop_loading"]


def test_a_corridor_value_restated_differently_is_refused_with_its_key(tmp_path: Path) -> None:
    directory = episode(tmp_path, "checks:\n  - {name: customs, time: {dist: lognormal, mean: 5h, sd: 1.5h}}\n",
                        CHECK)
    code, err = declared(tmp_path, directory)
    assert code == 2
    assert "changes checks.customs.time.mean of dostyk.yaml ('4.25h' -> '5h') without a dated window" in err


def test_a_declared_change_needs_a_why_and_must_be_made(tmp_path: Path) -> None:
    scenario = "checks:\n  - {name: customs, time: {dist: lognormal, mean: 5h, sd: 1.5h}}\n"
    directory = episode(tmp_path, scenario, "changes:\n  checks.customs.time.mean: \"ASSUMPTION: slower\"\n" + CHECK)
    assert declared(tmp_path, directory)[0] == 0
    directory = episode(tmp_path, scenario, "changes:\n  checks.customs.time.mean: slower\n" + CHECK)
    code, err = declared(tmp_path, directory)
    assert code == 2 and "changes.checks.customs.time.mean: say why" in err
    directory = episode(tmp_path, scenario, "changes:\n  checks.customs.time: \"C3\"\n  yard: \"ASSUMPTION\"\n" + CHECK)
    code, err = declared(tmp_path, directory)
    assert code == 2 and "changes.yard: ep.yaml does not change this key of dostyk.yaml" in err
    assert "checks.customs.time:" not in err   # a declared key covers what is under it


def test_a_dated_window_is_a_change_by_its_nature(tmp_path: Path) -> None:
    scenario = ("disruptions:\n  - {name: hold, from: 2023-03-01, to: 2023-03-05, target: checks.handover, "
                "capacity: 0.5}\n")
    assert declared(tmp_path, episode(tmp_path, scenario, CHECK))[0] == 0
    undated = "disruptions:\n  - {name: hold, every: 30d, lasts: 1d, target: checks.handover, capacity: 0.5}\n"
    code, err = declared(tmp_path, episode(tmp_path, undated, CHECK))
    assert code == 2 and "disruptions.hold.capacity" in err


def test_a_replay_not_built_on_the_corridor_is_refused(tmp_path: Path) -> None:
    directory = episode(tmp_path, "", CHECK)
    resolved = run_main(["validate", str(SCENARIOS / "baseline_2023.yaml"), "--resolved"], tmp_path)[2]
    assert "\nextends:" not in resolved   # the baseline with its corridor copied in: a copy, not an episode
    (directory / "ep.yaml").write_text(resolved, encoding="utf-8")
    code, err = declared(tmp_path, directory)
    assert code == 2 and "not built on the reference corridor" in err
