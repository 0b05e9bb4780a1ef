"""Passing a gate without a SimPy event changes nothing but the event count.

CrossingModel._admit_now lets a train through a gate with room at once instead of yielding an
already-triggered event, but only when no other event is due at the same instant (so the train
would have been resumed next anyway). The claim is checkable: with the shortcut switched off,
every train's stage-by-stage trace, every KPI and every diagnostic must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario
from sim.model.crossing import CrossingModel

ROOT = Path(__file__).resolve().parents[2]
CASES = [
    (ROOT / "scenarios" / "baseline_2023.yaml", "120d"),  # quotas, hours, closures, fleet, stop-loading
    (ROOT / "scenarios" / "jan2024_admin_hold.yaml", "60d"),
    (ROOT / "benchmarks" / "scenarios" / "crossing_300k.yaml", "30d"),  # busy yard and check gates
]


class _AlwaysWithEvents(CrossingModel):
    def _admit_now(self, gate, units):  # type: ignore[no-untyped-def]
        return False


@pytest.mark.parametrize(("path", "duration"), CASES, ids=[p.stem for p, _ in CASES])
def test_same_trace_with_and_without_event_free_admission(path: Path, duration: str) -> None:
    scenario = load_scenario(path).with_changes({"duration": duration, "warmup": 0})
    fast = CrossingModel(scenario, 3, trace=True).run()
    slow = _AlwaysWithEvents(scenario, 3, trace=True).run()
    fast_d, slow_d = dict(fast.diagnostics), dict(slow.diagnostics)
    fewer, more = fast_d.pop("simpy_events"), slow_d.pop("simpy_events")
    assert fast_d["trace"] == slow_d["trace"]  # same rows in the same order
    assert len(fast_d["trace"]) > 1000
    assert fast_d == slow_d
    for name in fast.totals:
        assert (fast.totals[name] == slow.totals[name]).all(), name
    assert fewer < more  # and the shortcut did save events
