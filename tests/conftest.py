"""Shared fixtures: paths to the shipped scenarios and a small scenario for fast tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture
def baseline_path() -> Path:
    return SCENARIOS / "baseline_2023.yaml"


@pytest.fixture
def baseline_text(baseline_path: Path) -> str:
    return baseline_path.read_text(encoding="utf-8")
