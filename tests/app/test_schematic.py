"""The corridor schematic of a run whose scenario leaves out what it may leave out."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.app.schematic import schematic_html, stage_boxes
from sim.experiments.runner import run
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.filterwarnings("ignore:.*changes nothing in this run")
@pytest.mark.parametrize("capacity", [None, 1200])
def test_a_yard_without_a_capacity_is_drawn_as_without_limit(capacity: int | None) -> None:
    """`yard.capacity_wagons` absent means no limit; the schematic formatted it as a number and the
    workbench's Corridor tab failed with a TypeError in the server's log."""
    scenario = load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").with_changes(
        {"duration": "5d", "warmup": "0d", "yard.capacity_wagons": capacity})
    assert scenario.yard.capacity_wagons == capacity
    results = run(scenario, replications=1, executor="serial")
    boxes = {box.key: box for stage in stage_boxes(results, 0, "2023-01-03").values() for box in stage}
    expected = "yard: no limit" if capacity is None else "yard 1,200 wagons"
    assert boxes["yard.held"].limit == expected
    assert expected in schematic_html(results, 0, "2023-01-03")
