"""A sweep over routing says each point's shares of the trains, as `dostyk validate` does: a routing weight of 20
beside Dostyk's 96 is 17 % of the trains, not 20 % (shares are weights, normalised)."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.reporting.analyst_units import lever_value_text
from tests.cli.test_bad_inputs import run_main
from tests.conftest import SCENARIOS

CORRIDOR = SCENARIOS / "corridor" / "corridor.yaml"  # routing grain: dostyk 96, altynkol 4
SHORT = ["--set", "duration=6d", "--set", "warmup=0d", "-n", "2", "--executor", "serial", "--no-plots"]
TWENTY = "dostyk 83 %, altynkol 17 % (weights 96 : 20)"


def test_a_routing_value_is_said_as_shares() -> None:
    corridor = sim.load_scenario(CORRIDOR)
    assert lever_value_text(corridor, "routing.grain.shares.altynkol", 20) == TWENTY
    assert lever_value_text(corridor, "routing.grain.shares", {"altynkol": 20, "dostyk": 96}) == TWENTY
    assert lever_value_text(corridor, "routing.grain.shares", "{altynkol: 20, dostyk: 96}") == TWENTY  # a cell
    assert lever_value_text(corridor, "routing.containers.shares.altynkol", 1) == \
        "dostyk 50 %, altynkol 50 % (weights 1 : 1)"
    assert lever_value_text(corridor, "unloading.grain.points", 8) == "8"


@pytest.mark.parametrize("vary", ["routing.grain.shares.altynkol=4,20",
                                  "routing.grain.shares={dostyk: 96, altynkol: 4},{altynkol: 20, dostyk: 96}"])
def test_a_sweep_over_routing_prints_each_points_shares(vary: str, tmp_path: Path) -> None:
    """(The whole shares of a cargo as the lever ended in an internal error after the runs: the table looked
    its points up by the mapping, the summary holds its YAML text.)"""
    code, err, out = run_main(["sweep", str(CORRIDOR), "--vary", vary, *SHORT, "--out", "sw"], tmp_path)
    assert code == 0, err
    rows = [line for line in out.splitlines() if line.startswith("dostyk ")]
    assert rows and all(line.startswith(("dostyk 96 %, altynkol 4 % (weights 96 : 4) ", TWENTY + " ")) for line in rows)
    assert sum(line.startswith(TWENTY) for line in rows) == len(rows) // 2
