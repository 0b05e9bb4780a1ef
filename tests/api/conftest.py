"""One small run shared by the API tests: two replications of three days of the baseline."""

from __future__ import annotations

import pytest

import sim
from tests.conftest import SCENARIOS


@pytest.fixture(scope="session")
def short() -> sim.Scenario:
    return sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"duration": "3d", "disruptions": []})


@pytest.fixture(scope="session")
def results(short: sim.Scenario) -> sim.Results:
    return sim.run(short, replications=2, executor="serial")
