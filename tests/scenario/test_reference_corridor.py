"""Every shipped scenario is the reference corridor (scenarios/corridor/) plus dated changes (issue 16).

Capacities — trains a day on the line and at a check, trains at once, yard room, unloading points,
the origin's loading rate and the fleet — are written once, in scenarios/corridor/parts/. A scenario
may change one only through a dated window (a disruption), except the what-ifs' declared levers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import sim
from sim.scenario.loader import read_scenario_data
from sim.scenario.schema import Scenario
from tests.conftest import SCENARIOS

CORRIDOR = SCENARIOS / "corridor"
SHIPPED = sorted([*SCENARIOS.glob("*.yaml"), *(SCENARIOS / "history").glob("*.yaml"), *CORRIDOR.glob("*.yaml")])
#: what a what-if changes on purpose (its lever), by file stem
LEVERS = {"whatif_more_unloading_points": {"dostyk.unloading.grain.points"}}
#: keys that hold a capacity, wherever they appear in a file
CAPACITY_KEYS = {"max_trains_per_day", "capacity_wagons", "trains_per_day", "trains_at_once", "points",
                 "wagons_per_day", "burst_wagons"}


def capacities(s: Scenario) -> dict[str, Any]:
    """Every capacity of a scenario, by crossing-qualified key."""
    out: dict[str, Any] = {f"loading.{c}": v.wagons_per_day for c, v in (s.loading or {}).items()}
    out.update({f"fleet.{c}": v for c, v in (s.fleet or {}).items()})
    for x, spec in s.crossing_specs():
        out[f"{x}.line.max_trains_per_day"] = spec.line.max_trains_per_day
        out[f"{x}.yard.capacity_wagons"] = spec.yard.capacity_wagons
        for check in spec.checks:
            out[f"{x}.checks.{check.name}.trains_per_day"] = check.trains_per_day
            out[f"{x}.checks.{check.name}.trains_at_once"] = check.trains_at_once
        for cargo, group in spec.unloading.groups.items():
            out[f"{x}.unloading.{cargo}.points"] = group.points
    return out


REFERENCE = capacities(sim.load_scenario(CORRIDOR / "corridor.yaml"))


def test_the_views_of_the_corridor_agree_with_it() -> None:
    for view in ("dostyk.yaml", "altynkol.yaml"):
        found = capacities(sim.load_scenario(CORRIDOR / view))
        assert found and all(REFERENCE[k] == v for k, v in found.items()), view


@pytest.mark.parametrize("path", SHIPPED, ids=[str(p.relative_to(SCENARIOS)) for p in SHIPPED])
def test_every_shipped_scenario_has_the_corridors_capacities(path: Path) -> None:
    s = sim.load_scenario(path)
    found = capacities(s)
    allowed = LEVERS.get(path.stem, set())
    differ = {k: (v, REFERENCE.get(k)) for k, v in found.items()
              if k not in allowed and k in REFERENCE and v != REFERENCE[k]}
    assert not differ, f"{path.name} restates a capacity (found, corridor's): {differ}"
    new = {k: v for k, v in found.items() if k not in REFERENCE and v is not None}
    assert not new, f"{path.name} adds a capacity the corridor does not have: {new}"
    if path.stem in LEVERS:
        assert all(found[k] != REFERENCE[k] for k in allowed), "a what-if must change its lever"


def written_capacities(data: Any, where: str = "") -> list[str]:
    """Capacity keys written in a file itself (not its bases), outside demand and dated windows."""
    if isinstance(data, dict):
        return [p for k, v in data.items() if k not in ("demand", "disruptions", "extends")
                for p in ([f"{where}{k}"] if k in CAPACITY_KEYS else []) + written_capacities(v, f"{where}{k}.")]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in written_capacities(v, f"{where}{i}.")]
    return []


@pytest.mark.parametrize("path", sorted((SCENARIOS / "history").glob("*.yaml")), ids=lambda p: p.stem)
def test_no_replay_restates_a_capacity(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "extends" in raw, f"{path.name} must extend the reference corridor"
    assert written_capacities(raw) == [], f"{path.name} restates a capacity outside a dated window"
    assert all(v is None for v in (raw.get("fleet") or {}).values()), f"{path.name} restates the fleet"


def test_a_replay_that_changes_a_capacity_does_so_through_a_dated_window() -> None:
    s = sim.load_scenario(SCENARIOS / "history" / "altynkol_2025_cut.yaml")
    cut = next(d for d in s.disruptions if d.name == "cut")
    assert cut.from_ is not None and cut.to is not None and cut.capacity < 1
    assert capacities(s)["altynkol.checks.handover.trains_per_day"] == REFERENCE["altynkol.checks.handover.trains_per_day"]


def test_every_shipped_file_extends_the_corridor_and_resolves_to_a_self_contained_scenario() -> None:
    for path in SHIPPED:
        if path.parent != CORRIDOR:
            assert path.read_text(encoding="utf-8").count("\nextends: ") == 1, path.name
        assert "extends" not in str(read_scenario_data(path)), path.name
