"""Shared fixtures: paths to the shipped scenarios and a small scenario for fast tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from sim.scenario.loader import read_scenario_data

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def baseline_path() -> Path:
    return SCENARIOS / "baseline_2023.yaml"


@pytest.fixture
def baseline_text(baseline_path: Path) -> str:
    """The baseline as one self-contained file (its `extends:` resolved), for tests that edit a copy."""
    return yaml.safe_dump(read_scenario_data(baseline_path), sort_keys=False, allow_unicode=True)


def pytest_configure(config: pytest.Config) -> None:
    """The suite's outcome must not depend on the shell that runs it (a developer's or a CI machine's):
    DOSTYK_DEBUG=1 turns the one-line refusals and internal-error messages the tests read into
    tracebacks. Removed here, before any fixture starts a subprocess, so that the `dostyk` processes
    the tests start go without it too (each xdist worker runs this); tests of DOSTYK_DEBUG set it."""
    os.environ.pop("DOSTYK_DEBUG", None)
