"""Hostile and odd inputs to the corridor's keys: each is one ScenarioError that names the file,
the key path and what was expected (never a traceback, never a silent default)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, read_scenario_data
from tests.conftest import SCENARIOS

BASELINE = read_scenario_data(SCENARIOS / "baseline_2023.yaml")


def two_crossings() -> dict[str, Any]:
    data = copy.deepcopy(BASELINE)
    stages = {k: data.pop(k) for k in ("line", "yard", "checks", "unloading")}
    data["crossings"] = {"dostyk": stages, "altynkol": copy.deepcopy(stages)}
    data["routing"] = {"grain": {"shares": {"dostyk": 96, "altynkol": 4}},
                       "containers": {"shares": {"dostyk": 1, "altynkol": 0}}}
    return data


def one(data: dict[str, Any], tmp_path: Path, name: str = "odd.yaml") -> ScenarioError:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.source == str(path)
    return info.value


def problem(err: ScenarioError, key: str) -> str:
    found = [msg for path, msg in err.problems if path == key]
    assert found, f"no problem at {key!r}; got {err.problems}"
    return found[0]


def edit(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    node = data
    parts = path.split(".")
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return data


# (id, change to the two-crossing corridor, key path, words expected in the message)
CORRIDOR_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("crossing-named-all", {"crossings.all": {"unloading": {"grain": {"points": 1, "wagon_time": 1}}}},
     "crossings.all", "names the whole corridor"),
    ("routing-shares-sum-to-zero", {"routing.grain.shares": {"dostyk": 0, "altynkol": 0}}, "routing.grain.shares",
     "at least one share above 0"),
    ("routing-unknown-crossing", {"routing.grain.shares": {"dostyk": 1, "khorgos": 1}},
     "routing.grain.shares.khorgos", "unknown crossing 'khorgos'"),
    ("routing-negative-share", {"routing.grain.shares": {"dostyk": 1, "altynkol": -1}},
     "routing.grain.shares.altynkol", "greater than or equal to 0"),
    ("divert-to-itself", {"routing.grain.divert": [{"from": "dostyk", "to": "dostyk", "above_wagons": 10,
                                                    "resume_below": 5}]},
     "routing.grain.divert[0].to", "another crossing"),
    ("divert-hysteresis", {"routing.grain.divert": [{"from": "dostyk", "to": "altynkol", "above_wagons": 10,
                                                     "resume_below": 50}]},
     "routing.grain.divert[0]", "must be below above_wagons"),
    ("bare-target-with-two-crossings", {"disruptions.0.target": "checks.handover"}, "disruptions.wind.target",
     "crossings.dostyk.checks.handover"),
    ("top-level-line-with-crossings", {"line": {"transit_time": 5}}, "line", "move it under crossings.<name>.line"),
    ("stop-loading-unknown-crossing", {"policies.stop_loading.crossings": ["khorgos"]},
     "policies.stop_loading.crossings", "unknown crossing 'khorgos'"),
]


@pytest.mark.parametrize(("change", "key", "words"), [c[1:] for c in CORRIDOR_CASES],
                         ids=[c[0] for c in CORRIDOR_CASES])
def test_corridor_mistakes_are_named(change: dict[str, Any], key: str, words: str, tmp_path: Path) -> None:
    data = two_crossings()
    for path, value in change.items():
        edit(data, path, value)
    assert words in problem(one(data, tmp_path), key)


def test_routing_is_required_for_every_cargo_with_two_crossings(tmp_path: Path) -> None:
    data = two_crossings()
    del data["routing"]["containers"]
    assert "required with several crossings" in problem(one(data, tmp_path), "routing.containers")


def test_a_crossing_written_twice_is_refused_by_the_reader(tmp_path: Path) -> None:
    text = yaml.safe_dump(two_crossings(), sort_keys=False)
    text = text.replace("  altynkol:", "  dostyk:", 1)
    path = tmp_path / "twice.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "duplicate key 'dostyk'" in str(info.value)


# (id, change to the single-crossing baseline, key path, words expected)
SINGLE_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("ban-outside-the-run", {"disruptions": [{"name": "ban", "target": "demand.grain", "from": "2021-02-01",
                                             "to": "2021-02-10", "capacity": 0}]},
     "disruptions.ban", "outside the run"),
    ("ban-with-time-factor", {"disruptions": [{"name": "ban", "target": "demand.grain", "from": "2023-02-01",
                                              "to": "2023-02-10", "time_factor": 2}]},
     "disruptions.ban.time_factor", "no time to scale"),
    ("ban-above-one", {"disruptions": [{"name": "ban", "target": "demand.grain", "from": "2023-02-01",
                                       "to": "2023-02-10", "capacity": 2}]},
     "disruptions.ban.capacity", "expected 0 to 1"),
    ("on-halt-on-a-check", {"disruptions": [{"name": "h", "target": "checks.handover", "from": "2023-02-01",
                                            "to": "2023-02-10", "capacity": 0, "on_halt": "lose"}]},
     "disruptions.h.on_halt", "only a demand.<cargo> ban"),
    ("ban-of-unknown-cargo", {"disruptions": [{"name": "ban", "target": "demand.wheat", "from": "2023-02-01",
                                              "to": "2023-02-10", "capacity": 0}]},
     "disruptions.ban.target", "unknown target 'demand.wheat'"),
    ("loading-below-one-train-a-day", {"loading": {"grain": {"wagons_per_day": 40}}},
     "loading.grain.wagons_per_day", "less than one grain train (55 wagons) a day"),
    ("loading-zero", {"loading": {"grain": {"wagons_per_day": 0}}}, "loading.grain.wagons_per_day", "greater than 0"),
    ("loading-burst-below-a-train", {"loading": {"grain": {"wagons_per_day": 600, "burst_wagons": 50}}},
     "loading.grain.burst_wagons", "at least one train"),
    ("loading-unknown-cargo", {"loading": {"wheat": {"wagons_per_day": 600}}}, "loading.wheat", "unknown cargo"),
    ("initial-state-larger-than-the-yard", {"initial_state": {"grain": {"in_yard_wagons": 1500}}},
     "initial_state", "put the rest in held_wagons"),
    ("initial-state-larger-than-the-fleet", {"initial_state": {"grain": {"held_wagons": 7000}}},
     "initial_state.grain", "fleet.grain has only 6,000"),
    ("initial-state-unknown-check", {"initial_state": {"grain": {"in_yard_wagons": 100, "after_check": "border"}}},
     "initial_state.grain.after_check", "unknown check 'border'"),
    ("initial-state-negative", {"initial_state": {"grain": {"held_wagons": -5}}}, "initial_state.grain.held_wagons",
     "greater than or equal to 0"),
    ("shares-without-a-quota", {"checks.0.shares": {"grain": 1, "containers": 1}}, "checks.customs.shares",
     "set trains_per_day too"),
    ("shares-sum-to-zero", {"checks.2.shares": {"grain": 0, "containers": 0}}, "checks.handover.shares",
     "at least one share above 0"),
    ("shares-missing-a-cargo", {"checks.2.shares": {"grain": 1}}, "checks.handover.shares", "no share for containers"),
    ("share-unused-without-shares", {"checks.2.share_unused": False}, "checks.handover.share_unused", "goes with `shares`"),
    ("line-shares-without-a-cap", {"line.shares": {"grain": 1, "containers": 1}, "line.max_trains_per_day": None},
     "line.shares", "set max_trains_per_day too"),
    ("reject-cargo-not-checked", {"checks.1.reject": [{"share": 0.1, "cargo": ["containers"]}]},
     "checks.phytosanitary.reject[0].cargo", "does not pass this check"),
    ("reject-share-above-one", {"checks.1.reject": [{"share": 1.5}]}, "checks.phytosanitary.reject[0].share",
     "at most 1"),
    ("reject-empty-list", {"checks.1.reject": []}, "checks.phytosanitary.reject", "at least 1 item"),
    ("routing-with-one-crossing-unknown", {"routing": {"grain": {"shares": {"altynkol": 1}}}},
     "routing.grain.shares.altynkol", "unknown crossing 'altynkol'"),
]


@pytest.mark.parametrize(("change", "key", "words"), [c[1:] for c in SINGLE_CASES], ids=[c[0] for c in SINGLE_CASES])
def test_single_crossing_mistakes_are_named(change: dict[str, Any], key: str, words: str, tmp_path: Path) -> None:
    data = copy.deepcopy(BASELINE)
    for path, value in change.items():
        if value is None:
            parts = path.split(".")
            del data[parts[0]][parts[1]]
        else:
            edit(data, path, value)
    assert words in problem(one(data, tmp_path), key)


def test_a_file_without_unloading_or_crossings_says_so(tmp_path: Path) -> None:
    data = copy.deepcopy(BASELINE)
    del data["unloading"]
    assert "or describe the crossings under `crossings:`" in problem(one(data, tmp_path), "unloading")
