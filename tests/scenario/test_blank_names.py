"""A name must be one a reader can read: `name: "   "` was a valid scenario whose results went to
results/scenario, labelled with spaces. Names of parts (cargo, checks, crossings, disruptions) already
had to be identifiers; a scenario's name and a target's are free text, never blank."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.decision.errors import InputError
from sim.decision.targets import targets_from_data
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, read_scenario_data
from tests.conftest import SCENARIOS

BLANK = ["   ", "", "\t", " \n ", "\u00a0", "\u3000", "\u200b", "\u200b \ufeff"]


@pytest.fixture(scope="module")
def data() -> dict[str, object]:
    return read_scenario_data(SCENARIOS / "baseline_2023.yaml")


@pytest.mark.parametrize("name", BLANK, ids=[repr(n) for n in BLANK])
def test_a_blank_scenario_name_is_refused(data: dict[str, object], name: str) -> None:
    with pytest.raises(ScenarioError) as refused:
        sim.Scenario.from_data({**data, "name": name}, "mine.yaml")
    ((key, message),) = refused.value.problems
    assert key == "name" and message.startswith("expected a name one can read (letters, digits or signs); got ")
    assert ("empty text" if not name else "which has no visible character") in message
    assert "it labels the results, their tables and their folder" in message


@pytest.mark.parametrize("name", [" mini ", "Достык 2024", "a", "…", "2024 (draft)"])
def test_a_name_with_something_to_read_is_kept_as_written(data: dict[str, object], name: str) -> None:
    assert sim.Scenario.from_data({**data, "name": name}, "mine.yaml").name == name


def test_a_blank_name_in_a_file_and_in_set_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text(f'extends: {SCENARIOS / "baseline_2023.yaml"}\nname: "   "\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="name: expected a name one can read"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match="name: expected a name one can read"):
        load_scenario(SCENARIOS / "baseline_2023.yaml", {"name": " "})


@pytest.mark.parametrize(("key", "value"), [
    ("cargo", lambda d: {"  ": d["cargo"]["grain"], **d["cargo"]}),
    ("checks[0].name", lambda d: [{**d["checks"][0], "name": " "}, *d["checks"][1:]]),
    ("disruptions[0].name", lambda d: [{**d["disruptions"][0], "name": "\t"}, *d["disruptions"][1:]]),
])
def test_blank_names_of_parts_are_refused(data: dict[str, object], key: str, value: object) -> None:
    """The names that become key paths, columns and file names were identifiers already: blank ones too."""
    top = key.split("[")[0].split(".")[0]
    with pytest.raises(ScenarioError) as refused:
        sim.Scenario.from_data({**data, top: value(data)}, "mine.yaml")  # type: ignore[operator]
    assert any(p.startswith(key.split("[")[0]) and "expected a name" in m for p, m in refused.value.problems)


def test_a_blank_target_name_is_refused_and_no_name_is_still_a_label() -> None:
    figure = {"kpi": "tonnes_delivered", "value": 1, "tolerance": 1}
    with pytest.raises(InputError, match=r"targets\[0\]\.name: expected a name one can read"):
        targets_from_data({"targets": [{**figure, "name": "  "}]})
    assert targets_from_data({"targets": [figure]}).targets[0].label.startswith("tonnes_delivered")


def test_every_shipped_scenario_still_loads() -> None:
    shipped = [p for p in SCENARIOS.rglob("*.yaml") if "evidence" not in p.parts and "targets" not in p.parts
               and "parts" not in p.parts]
    assert len(shipped) >= 8
    for path in shipped:
        assert load_scenario(path).name.strip(), path
