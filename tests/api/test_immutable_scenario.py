"""A scenario cannot be changed in place, and saying so tells how to make a changed copy.

`scenario.duration = 48` was pydantic's "Instance is frozen"; `scenario.checks.clear()` or
`scenario.cargo["coal"] = …` changed a validated scenario silently, and the next run ran it.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable

import pytest

import sim
from sim.scenario.frozen import ImmutableScenarioError


@pytest.mark.parametrize(("change", "says"), [
    (lambda s: setattr(s, "duration", 48), "Scenario.duration cannot be changed in place"),
    (lambda s: setattr(s.unloading.groups["grain"], "points", 8), "UnloadingGroup.points cannot be changed"),
    (lambda s: s.checks.clear(), "a scenario's list cannot be changed in place"),
    (lambda s: s.disruptions.append(None), "a scenario's list cannot be changed in place"),
    (lambda s: s.checks.__setitem__(0, s.checks[1]), "a scenario's list"),
    (lambda s: s.cargo.__setitem__("coal", s.cargo["grain"]), "a scenario's mapping cannot be changed in place"),
    (lambda s: s.demand.pop("containers"), "a scenario's mapping"),
    (lambda s: s.unloading.groups.update({}), "a scenario's mapping"),
    (lambda s: s.demand["grain"].monthly_profile.__setitem__(0, 9.0), "a scenario's list"),
])
def test_a_change_in_place_is_refused_saying_how_to_copy(short: sim.Scenario, change: Callable, says: str) -> None:
    before = short.to_dict()
    with pytest.raises(ImmutableScenarioError) as info:
        change(short)
    assert says in str(info.value)
    assert "scenario.with_changes({" in str(info.value)
    assert isinstance(info.value, sim.SimError) and isinstance(info.value, TypeError)
    assert short.to_dict() == before


def test_the_hint_for_a_top_level_key_is_the_call_to_make(short: sim.Scenario) -> None:
    with pytest.raises(ImmutableScenarioError, match=r"scenario\.with_changes\(\{'duration': '2d'\}\)"):
        short.duration = "2d"  # type: ignore[assignment]


def test_copies_are_equal_and_just_as_frozen(short: sim.Scenario) -> None:
    for copied in (pickle.loads(pickle.dumps(short)), copy.deepcopy(short), copy.copy(short)):
        assert copied == short
        assert copied.to_dict() == short.to_dict()
        with pytest.raises(ImmutableScenarioError):
            copied.checks.append(None)


def test_reading_is_unchanged(short: sim.Scenario) -> None:
    data = short.to_dict()
    assert type(data["cargo"]) is dict and type(data["checks"]) is list  # files and YAML get plain data
    assert list(short.cargo) == ["grain", "containers"] and len(short.checks) == 3
    assert short.with_changes({"checks": data["checks"][:1]}).checks[0].name == short.checks[0].name


def test_a_scenario_made_with_model_copy_is_validated_before_it_runs(short: sim.Scenario) -> None:
    """pydantic's model_copy(update=…) validates nothing: -3 points failed in the worker as a pydantic traceback."""
    grain = short.unloading.groups["grain"].model_copy(update={"points": -3})
    unloading = short.unloading.model_copy(update={"groups": {**short.unloading.groups, "grain": grain}})
    bad = short.model_copy(update={"unloading": unloading})
    with pytest.raises(sim.ScenarioError, match=r"made with model_copy, which does not validate; scenario\.with_changes "
                                                r"does\): invalid scenario\n  unloading\.grain\.points: Input should "
                                                r"be greater than or equal to 1; got -3"):
        sim.run(bad, replications=1, executor="serial")
    text = short.model_copy(update={"duration": "1d"})  # a text where validation makes hours: validated, it runs
    assert sim.run(text, replications=1, executor="serial").scenario.duration == 24.0
