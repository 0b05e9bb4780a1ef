"""`sim.Scenario(**data)` and `sim.Scenario.model_validate(data)` refuse bad data with the ScenarioError a file
gets (key path and what was expected), not pydantic's ValidationError traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import sim
from sim.scenario.errors import ScenarioError
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return sim.load_scenario(SCENARIOS / "baseline_2023.yaml").to_dict()


def _bad(data: dict[str, Any]) -> dict[str, Any]:
    bad = {**data, "unloading": {**data["unloading"], "grain": {**data["unloading"]["grain"], "points": -3}}}
    return {**bad, "seed": "abc", "nosuch": 1}


@pytest.mark.parametrize("make", [
    lambda d: sim.Scenario(**d),
    lambda d: sim.Scenario.model_validate(d),
    lambda d: sim.Scenario.model_validate_json(__import__("json").dumps(d)),
], ids=["init", "model_validate", "model_validate_json"])
def test_every_direct_construction_says_the_key_and_what_was_expected(data: dict[str, Any], make: Any) -> None:
    with pytest.raises(ScenarioError) as info:
        make(_bad(data))
    assert isinstance(info.value, sim.SimError) and isinstance(info.value, ValueError)  # as ValidationError is
    said = str(info.value)
    assert "unloading.grain.points: Input should be greater than or equal to 1; got -3" in said
    assert "seed: Input should be a valid integer" in said and "got 'abc'" in said
    assert "nosuch: unknown key (check its spelling and place; `dostyk schema` lists every key)" in said
    assert "pydantic" not in said and "errors.pydantic.dev" not in said


def test_the_same_problems_as_a_file_and_good_data_still_builds(data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as direct:
        sim.Scenario(**_bad(data))
    with pytest.raises(ScenarioError) as routed:
        sim.Scenario.from_data(_bad(data), "mine.yaml")
    assert direct.value.problems == routed.value.problems
    assert str(routed.value).startswith("mine.yaml: invalid scenario")  # the documented route names its source
    assert sim.Scenario(**data) == sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    with pytest.raises(ScenarioError, match=r"\(top level\): Input should be a valid dictionary"):
        sim.Scenario.model_validate([1, 2])


def test_a_date_or_number_for_a_text_key_says_to_quote_it(data: dict[str, Any]) -> None:
    import datetime as dt

    scenario = sim.Scenario(**data)
    with pytest.raises(ScenarioError, match=r'name: expected text, got the date 2024-01-01 .* e\.g\. name: "2024-01-01"'):
        scenario.with_changes({"name": dt.date(2024, 1, 1)})
    with pytest.raises(ScenarioError, match=r'description: expected text, got the number 2\.5 .* description: "2\.5"'):
        sim.Scenario(**{**data, "description": 2.5})


def test_a_key_that_is_not_text_is_a_problem_not_a_type_error(data: dict[str, Any]) -> None:
    """Validation called the custom __init__ with the data as keywords: `1: x` at the top was a TypeError."""
    with pytest.raises(ScenarioError, match=r"^sim\.Scenario\.model_validate: invalid scenario\n  \[1\]: Keys should be"):
        sim.Scenario.model_validate({**data, 1: "x"})
    with pytest.raises(ScenarioError, match=r"^f\.yaml: invalid scenario\n  None: Keys should be strings"):
        sim.Scenario.from_data({**data, None: 1}, "f.yaml")


# -- hostile shapes of data (h-hostile) ------------------------------------------------------------------

def test_data_nested_past_any_key_or_holding_itself_is_refused_by_the_schema(data: dict[str, Any]) -> None:
    """100,000 nested mappings, or a mapping that holds itself, was a RecursionError (the yes/no scan);
    the scan stops below any key, and the schema says what is wrong there."""
    deep: dict[str, Any] = {}
    cur = deep
    for _ in range(100_000):
        cur["a"] = {}
        cur = cur["a"]
    itself: dict[str, Any] = {}
    itself["x"] = itself
    for key, value, said in (("cargo", deep, "cargo.a.a: unknown key"), ("nosuch", itself, "nosuch: unknown key"),
                             ("description", deep, "description: Input should be a valid string")):
        with pytest.raises(ScenarioError) as info:
            sim.Scenario(**{**data, key: value})
        assert said in str(info.value), str(info.value)


def test_a_hundred_thousand_bad_items_are_counted_not_all_printed(data: dict[str, Any]) -> None:
    """100,000 bad checks took 90 s (a list's `in` per problem) and printed 7 MB; a 600 KB file of them
    kept `dostyk validate` busy for over five minutes."""
    import time

    started = time.process_time()
    with pytest.raises(ScenarioError) as info:
        sim.Scenario(**{**data, "checks": [1] * 100_000})
    assert time.process_time() - started < 30  # about 1 s; it was 90 s
    said = str(info.value).splitlines()
    assert len(info.value.problems) == 100_000 and len(said) == 1 + 100 + 1
    assert said[-1] == "  … and 99,900 more problems (the first 100 are shown; fix those and try again)"


def test_a_targets_file_of_many_bad_figures_is_counted_not_all_printed(tmp_path: Path) -> None:
    """A targets file of 100,000 bad figures printed 8 MB (every refusal lists its problems the same way)."""
    from sim.decision.errors import InputError
    from sim.decision.targets import load_targets

    path = tmp_path / "t.yaml"
    path.write_text("targets: [" + ",".join(["1"] * 20_000) + "]\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_targets(path)
    said = str(info.value).splitlines()
    assert len(said) == 102 and said[-1].startswith("  … and 19,900 more problems") and len(info.value.problems) == 20_000
