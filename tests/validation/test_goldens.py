"""Adding features changes nothing for scenarios that do not use them.

The goldens in tests/validation/goldens/ were captured before issue 10 (the corridor: bans, loading
rate, shares, rejections, several crossings, a start from a given state). For a single-crossing
scenario without the new keys the model must take the same steps: every column the goldens have
(new columns such as `crossing` may be added) must print byte-identically, and the number of SimPy
events — a deterministic stand-in for the work done — must be the same.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from sim.model.crossing import CrossingModel
from sim.scenario.loader import load_scenario
from tests.validation.goldens.capture import CASES, FRAMES, HERE, ROOT, frames


@pytest.mark.parametrize("case", list(CASES))
def test_old_columns_are_byte_identical(case: str) -> None:
    new = frames(case)
    for name in FRAMES:
        old_text = (HERE / f"{case}.{name}.csv").read_text(encoding="utf-8")
        old = pd.read_csv(io.StringIO(old_text))
        missing = [c for c in old.columns if c not in new[name].columns]
        assert not missing, f"{case} {name}: columns gone: {missing}"
        assert new[name][list(old.columns)].to_csv(index=False) == old_text, f"{case} {name}.csv changed"


@pytest.mark.parametrize("path", list(json.loads((HERE / "simpy_events.json").read_text(encoding="utf-8"))))
def test_simpy_event_count_is_unchanged(path: str) -> None:
    expected = json.loads((HERE / "simpy_events.json").read_text(encoding="utf-8"))[path]
    assert CrossingModel(load_scenario(ROOT / path), 0).run().diagnostics["simpy_events"] == expected
