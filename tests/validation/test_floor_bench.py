"""benchmarks/floor.py measures the floor under the per-run ratio: it must replay the product's own queue.

The floor's "wagon queue alone" is only a floor if it is the very work the run did: the same
unloading calls on groups built the same way give the same schedules, float for float (same code,
same draws, same machine), and every train unloaded in the run is among the calls.
"""

from __future__ import annotations

import numpy as np

import sim
from benchmarks import floor
from benchmarks.floor import ROOT


def test_the_queue_replay_is_the_runs_own_unloading_work() -> None:
    scenario = sim.load_scenario(ROOT / "benchmarks" / "scenarios" / "crossing_300k.yaml").with_changes(
        {"duration": "20d", "warmup": "2d"})
    observations, calls, plans = floor.recorded_run(scenario, 1)
    assert len(calls) > 100 and {cargo for _, cargo, _, _ in calls} == {"grain", "containers"}
    seconds, replayed = floor.replay_queue(scenario, 1, calls)
    assert seconds >= 0 and len(replayed) == len(plans)
    for run, again in zip(plans, replayed):
        assert np.array_equal(run.starts, again.starts) and np.array_equal(run.ends, again.ends)
    # every wagon scheduled in the run is in the calls (wagons still queued at the horizon included)
    assert sum(w for *_, w in calls) == sum(len(p.starts) for p in plans) > 0
    assert observations.diagnostics["simpy_events"] > len(calls)


def test_the_replay_of_other_calls_gives_other_schedules() -> None:
    """The equality above is not vacuous: a call moved in time schedules differently."""
    scenario = sim.load_scenario(ROOT / "benchmarks" / "scenarios" / "crossing_300k.yaml").with_changes(
        {"duration": "20d", "warmup": "2d"})
    _, calls, plans = floor.recorded_run(scenario, 1)
    shifted = [(x, cargo, ready + 5.0, wagons) for x, cargo, ready, wagons in calls]
    _, replayed = floor.replay_queue(scenario, 1, shifted)
    assert not np.array_equal(plans[0].starts, replayed[0].starts)
