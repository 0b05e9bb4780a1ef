"""The per-wagon reference model covers every shipped scenario (issue 17, item 2): the scenario
itself when it stays inside the reference's subset, else the scenario reduced to it, with every
feature it cannot mirror named (two crossings included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import reference_model as ref
from benchmarks.work import scenario_paths
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", scenario_paths(), ids=lambda p: p.stem)
def test_the_reference_runs_every_shipped_scenario_or_its_subset(path: Path) -> None:
    scenario = load_scenario(path)
    reduced, dropped = ref.within_subset(scenario)
    assert dropped == ref.unsupported_features(scenario)
    assert ref.unsupported_features(reduced) == []
    assert reduced.demand.keys() == scenario.demand.keys()
    short = reduced.with_changes({"duration": "5d", "warmup": 0})
    result = ref.simulate(short, 0)
    assert set(result.kpis) == set(scenario.demand)
    assert result.diagnostics["simpy_events"] > 0


def test_two_crossings_keep_the_first_with_every_train_and_say_so() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "history" / "2020_dostyk_jam_altynkol.yaml")
    reduced, dropped = ref.within_subset(scenario)
    assert dropped[0].startswith("crossings (2: only dostyk")
    assert "routing" in dropped and "crossings.dostyk.unloading.breakdowns" in dropped
    dostyk = dict(scenario.crossing_specs())["dostyk"]
    assert reduced.unloading is not None
    assert {c: g.points for c, g in reduced.unloading.groups.items()} == \
        {c: g.points for c, g in dostyk.unloading.groups.items()}
    assert [c.name for c in reduced.checks] == [c.name for c in dostyk.checks]


def test_a_key_the_reference_does_not_know_is_named() -> None:
    """Found key by key, so a feature added later is named rather than silently ignored."""
    scenario = load_scenario(ROOT / "benchmarks" / "scenarios" / "crossing_300k.yaml")
    assert ref.unsupported_features(scenario) == []
    slower = scenario.with_changes({"line.max_trains_per_day": 20, "checks.handover.trains_per_day": 10})
    assert ref.unsupported_features(slower) == ["line.max_trains_per_day", "checks.handover.trains_per_day"]
    with pytest.raises(ref.UnsupportedScenario, match=r"line\.max_trains_per_day"):
        ref.ReferenceModel(slower)
