"""A small crossing for the decision-support tests: one cargo, 60 days, a dated handover hold.

Ten 20-wagon grain trains a day meet 10 unloading points (240 wagons a day). From 15 January to
4 February the handover accepts floor(100 × capacity) trains a day: 7 at capacity 0.075, so
trains pile up at the border during the hold. One replication takes ~0.04 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import sim

SMALL = """\
name: small-hold
start: 2024-01-01
duration: 60d
seed: 7
replications: 3
cargo: {grain: {payload_t: 68, wagons_per_train: 20}}
demand: {grain: {trains_per_day: 10, arrivals: poisson}}
line: {transit_time: {dist: lognormal, mean: 10h, sd: 3h}}
checks:
  - {name: handover, time: {dist: triangular, min: 1h, mode: 2h, max: 4h}, trains_per_day: 100}
unloading: {grain: {points: 10, wagon_time: {dist: gamma, mean: 1h, cv: 0.3}}}
disruptions:
  - {name: hold, from: 2024-01-15, to: 2024-02-05, target: checks.handover, capacity: 0.075}
costs:
  wagon_day_usd: 25
  levers: {unloading.grain.points: {usd_per_unit: 80000, per: point}}
"""

HOLD = ("2024-01-15", "2024-02-04")  # the hold's days, both included


@pytest.fixture
def small_path(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


@pytest.fixture
def small(small_path: Path) -> sim.Scenario:
    return sim.load_scenario(small_path)
