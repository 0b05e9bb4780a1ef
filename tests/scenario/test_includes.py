"""`extends:` (sim.scenario.includes): files built on others, merged before validation; hostile
chains (cycles, missing files, runaway depth) refused with the chain of files, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.scenario.errors import ScenarioError
from sim.scenario.includes import merge
from sim.scenario.loader import load_scenario, read_scenario_data
from tests.conftest import SCENARIOS


def write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_mappings_merge_null_removes_lists_replace_named_lists_merge_by_name() -> None:
    base = {"a": {"x": 1, "y": 2}, "keep": [1, 2], "gone": 3,
            "checks": [{"name": "c1", "t": 1}, {"name": "c2", "t": 2}, {"name": "c3", "t": 3}]}
    over = {"a": {"y": 20, "z": 30}, "keep": [9], "gone": None,
            "checks": [{"name": "c2", "t": 22}, {"name": "c1", "remove": True}, {"name": "c4", "t": 4}]}
    assert merge(base, over) == {"a": {"x": 1, "y": 20, "z": 30}, "keep": [9],
                                 "checks": [{"name": "c2", "t": 22}, {"name": "c3", "t": 3}, {"name": "c4", "t": 4}]}
    assert base["a"] == {"x": 1, "y": 2}, "the base must not be changed"


def test_paths_are_relative_to_the_including_file_at_any_depth(tmp_path: Path) -> None:
    write(tmp_path / "parts" / "stage.yaml", {"capacity_wagons": 700})
    write(tmp_path / "parts" / "base.yaml", {"yard": {"extends": "stage.yaml"}, "seed": 1})
    top = write(tmp_path / "top.yaml", {"extends": ["parts/base.yaml"], "seed": 2})
    assert read_scenario_data(top) == {"yard": {"capacity_wagons": 700}, "seed": 2}


def test_a_cycle_is_refused_with_the_chain(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", {"extends": "b.yaml"})
    write(tmp_path / "b.yaml", {"extends": "a.yaml"})
    with pytest.raises(ScenarioError) as info:
        read_scenario_data(tmp_path / "a.yaml")
    text = str(info.value)
    assert "extends itself" in text and text.count("a.yaml") >= 2 and "b.yaml" in text, text


def test_a_missing_file_is_refused_with_its_path_and_the_chain(tmp_path: Path) -> None:
    write(tmp_path / "b.yaml", {"extends": "nowhere.yaml"})
    write(tmp_path / "a.yaml", {"extends": "b.yaml"})
    with pytest.raises(ScenarioError) as info:
        read_scenario_data(tmp_path / "a.yaml")
    assert info.value.source == str(tmp_path / "b.yaml")
    ((key, message),) = info.value.problems
    assert key == "extends" and "nowhere.yaml" in message and "no such file" in message and "a.yaml" in message


@pytest.mark.parametrize("value", [[], 3, "", [None], {"a": 1}])
def test_extends_must_name_files(tmp_path: Path, value: object) -> None:
    with pytest.raises(ScenarioError, match="expected a file path"):
        read_scenario_data(write(tmp_path / "a.yaml", {"extends": value, "name": "x"}))


def test_a_base_that_is_not_a_mapping_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "list.yaml", [1, 2])
    with pytest.raises(ScenarioError, match=r"the file holds a list of 2 items; expected a mapping of keys"):
        read_scenario_data(write(tmp_path / "a.yaml", {"extends": "list.yaml"}))


def test_a_runaway_chain_is_refused(tmp_path: Path) -> None:
    for i in range(30):
        write(tmp_path / f"f{i}.yaml", {"extends": f"f{i + 1}.yaml"})
    write(tmp_path / "f30.yaml", {"seed": 1})
    with pytest.raises(ScenarioError, match="extend one another"):
        read_scenario_data(tmp_path / "f0.yaml")


def test_an_error_in_a_base_names_the_base_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        read_scenario_data(write(tmp_path / "a.yaml", {"extends": "bad.yaml"}))
    assert info.value.source == str(tmp_path / "bad.yaml")


def test_a_scenario_extending_the_baseline_changes_only_what_it_writes(tmp_path: Path) -> None:
    base = load_scenario(SCENARIOS / "baseline_2023.yaml")
    child = write(tmp_path / "child.yaml", {"extends": str(SCENARIOS / "baseline_2023.yaml"), "name": "child",
                                            "unloading": {"grain": {"points": 8}},
                                            "checks": [{"name": "phytosanitary", "hours": None}]})
    s = load_scenario(child)
    assert s.unloading.groups["grain"].points == 8
    assert s.unloading.groups["grain"].wagon_time == base.unloading.groups["grain"].wagon_time
    phyto = {c.name: c for c in s.checks}["phytosanitary"]
    assert phyto.hours is None and phyto.trains_at_once == 2
    assert [c.name for c in s.checks] == [c.name for c in base.checks]
    assert s.with_changes({"name": base.name, "unloading.grain.points": 6, "checks.phytosanitary.hours": "08:00-20:00"}
                          ).to_dict() == base.to_dict()


def test_validate_resolved_prints_the_whole_scenario(tmp_path: Path) -> None:
    from tests.cli.test_bad_inputs import run_main

    path = SCENARIOS / "history" / "sept2024_bonded_returns.yaml"
    code, err, out = run_main(["validate", "--resolved", str(path)], tmp_path)
    assert code == 0, err
    printed = yaml.safe_load(out)
    assert "extends" not in printed and printed == yaml.safe_load(yaml.safe_dump(load_scenario(path).to_dict()))
    assert printed["checks"][2]["trains_per_day"] == 12 and printed["unloading"]["grain"]["points"] == 6  # the corridor's


def test_a_results_directory_holds_the_resolved_scenario(tmp_path: Path) -> None:
    import sim

    s = load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"duration": "25d"})
    written = sim.run(s, replications=1, executor="serial").write(tmp_path / "r")
    data = yaml.safe_load((written / "scenario.yaml").read_text(encoding="utf-8"))
    assert "extends" not in data and data["line"]["max_trains_per_day"] == 15
    # as run: the saved file also holds the replications the run used (it reproduces the run)
    assert sim.Results.read(written).scenario == s.model_copy(update={"replications": 1})


def test_a_chain_that_doubles_at_each_step_is_refused(tmp_path: Path) -> None:
    for i in range(12):
        write(tmp_path / f"f{i}.yaml", {"extends": [f"f{i + 1}.yaml", f"f{i + 1}.yaml"]})
    write(tmp_path / "f12.yaml", {"seed": 1})
    with pytest.raises(ScenarioError, match="more than 256 files read"):
        read_scenario_data(tmp_path / "f0.yaml")


def test_extending_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(ScenarioError, match="is a directory"):
        read_scenario_data(write(tmp_path / "a.yaml", {"extends": "dir.yaml"}))


def test_removing_an_item_that_is_not_there_is_refused(tmp_path: Path) -> None:
    child = write(tmp_path / "child.yaml", {"extends": str(SCENARIOS / "baseline_2023.yaml"),
                                            "disruptions": [{"name": "wnd", "remove": True}]})
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert any(key.startswith("disruptions.wnd") for key, _ in info.value.problems), info.value.problems
