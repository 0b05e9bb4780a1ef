"""What a notebook shows when a cell ends with the results: one line saying what ran and where to look.

The dataclasses' own repr printed every field in full: some 12,000 characters of scenario and tables
for a three-replication run.
"""

from __future__ import annotations

import sim


def test_results(results: sim.Results) -> None:
    text = repr(results)
    assert text == ("<Results baseline-2023: 2 replications (seed 2023) of 3d from 2023-01-01; cargo grain, containers; "
                    "crossing dostyk — .summary(), .kpi(name, cargo), .kpis, .daily, .events, .write(directory)>")


def test_sweep_and_comparison(short: sim.Scenario) -> None:
    day = short.with_changes({"duration": "1d"})
    sweep = sim.sweep(day, {"unloading.grain.points": [4, 6]}, replications=1, executor="serial")
    assert repr(sweep) == ("<SweepResult baseline-2023: unloading.grain.points = 4, 6; 1 replications each (seed 2023) "
                           "— .summary(), .kpis, .points(), .write(directory)>")
    cmp = sim.compare([day, day.with_changes({"unloading.grain.points": 8})], names=["six", "eight"], replications=2,
                      executor="serial")
    assert repr(cmp) == ("<Comparison six, eight (baseline six): 2 paired replications (seed 2023) — .differences(), "
                         ".summary(), .kpis, .write(directory)>")
