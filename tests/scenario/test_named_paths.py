"""Refusals and warnings name a list item the way the user wrote it: `checks.phytosanitary.hours`, not
`checks[1].hours` (a user who typed `--set checks.phytosanitary.trains_at_once=-1` was told of `checks[1]`)."""

from __future__ import annotations

import pytest

import sim
from sim.scenario.errors import ScenarioError
from sim.scenario.keypaths import by_name
from tests.conftest import ROOT

DATA = {"checks": [{"name": "customs"}, {"name": "phytosanitary", "reject": [{"share": 1}]}, {"name": "12"}],
        "disruptions": [{"name": "a"}, {"name": "a"}, {"target": "line"}],
        "routing": {"grain": {"divert": [{"from": "x"}]}}}


@pytest.mark.parametrize(("path", "said"), [
    ("checks[1].hours", "checks.phytosanitary.hours"),
    ("checks[1].reject[0].share", "checks.phytosanitary.reject[0].share"),  # an item without a name: its index
    ("checks[2].time", "checks[2].time"),            # a name that is not a key path segment
    ("disruptions[0].capacity", "disruptions[0].capacity"),  # a name two items share
    ("disruptions[2]", "disruptions[2]"),            # no name
    ("checks[9].time", "checks[9].time"),            # nothing there
    ("routing.grain.divert[0].share", "routing.grain.divert[0].share"),
    ("unloading.grain.points", "unloading.grain.points"),
    ("[0]", "[0]"),
])
def test_a_list_item_is_named_where_its_name_is_its_own(path: str, said: str) -> None:
    assert by_name(path, DATA) == said


def test_a_refusal_and_a_warning_name_the_item_as_the_user_did() -> None:
    base = sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml")
    with pytest.raises(ScenarioError) as refused:
        base.with_changes({"checks.phytosanitary.trains_at_once": -1, "checks[0].time": "-2h"})
    paths = [path for path, _ in refused.value.problems]
    assert "checks.phytosanitary.trains_at_once" in paths and any(p.startswith("checks.customs.time") for p in paths)
    assert not any("[" in p for p in paths)
    from sim.scenario.effects import scenario_warnings

    short = base.with_changes({"duration": "10d"})
    assert [path for path, _ in scenario_warnings(short)] == ["disruptions.spring-festival"]


def test_many_problems_in_a_long_list_are_named_at_once() -> None:
    """Each list's names are counted once per refusal: 20,000 bad disruptions counted 20,000 names each time."""
    import time

    data = sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").to_dict()
    data["disruptions"] = [{"name": f"d{i}", "target": "line", "from": "2023-02-01", "to": "2023-01-01", "capacity": 0}
                           for i in range(20_000)]
    started = time.process_time()
    with pytest.raises(ScenarioError) as refused:
        sim.Scenario.from_data(data, "x")
    assert time.process_time() - started < 10  # counting per problem: minutes
    assert [p for p, _ in refused.value.problems[:2]] == ["disruptions.d0", "disruptions.d1"]
    assert len(refused.value.problems) == 20_000
