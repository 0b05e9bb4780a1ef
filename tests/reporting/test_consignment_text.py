"""The consignment's answer in words (sim.reporting.consignment): runs that never come through are
told apart from runs merely not through by the end, and one replication is not left silent."""

from __future__ import annotations

import datetime as dt
import math

from sim.analysis.consignment import Outcome
from sim.reporting.consignment import order_text

START = dt.date(2024, 9, 1)


def test_runs_that_never_come_through_are_named_by_cause() -> None:
    """Four runs: two through in 2 and 3 days, one with every wagon refused at a check (it reached
    the border), one lost at origin. No 'lengthen the run' (no run is merely late), cells 'not in
    the run', and each cause counted."""
    runs = [Outcome(1, 0.0, 10.0, 48.0, 0), Outcome(1, 0.0, 12.0, 72.0, 0),
            Outcome(1, 0.0, 11.0, math.nan, 55, never=True), Outcome(0, math.nan, math.nan, math.nan, 0,
                                                                      lost_wagons=55, never=True)]
    text = order_text(runs, "grain", 55, 1, 0.0, START, horizon=240.0)
    assert ("Not all unloaded by the end of the run (2024-09-11 00:00) in 2 of 4 replications (never will be in 2: "
            "lost at origin in 1, every wagon refused at a check in 1): no mean is given") in text
    assert "lengthen" not in text and "after the run" not in text
    unloaded = next(line for line in text.splitlines() if line.startswith("all unloaded"))
    assert unloaded.endswith("not in the run")  # (the 90 % point falls among the runs never through)
    assert "lost at origin (loading halted or banned with `lose`): in 1 of 4 replications (55 wagons" in text


def test_late_runs_keep_the_advice_to_lengthen_the_run() -> None:
    runs = [Outcome(1, 0.0, 10.0, 48.0, 0), Outcome(1, 0.0, 12.0, math.nan, 0),
            Outcome(1, 0.0, 11.0, math.nan, 55, never=True)]
    text = order_text(runs, "grain", 55, 1, 0.0, START, horizon=240.0)
    assert "in 2 of 3 replications (never will be in 1: every wagon refused at a check in 1)" in text
    assert "lengthen the run or order earlier." in text


def test_one_replication_gives_its_days_without_a_ci() -> None:
    text = order_text([Outcome(1, 0.0, 10.0, 60.0, 0)], "grain", 55, 1, 12.0, START, horizon=240.0, warmup=24.0)
    assert "Days from the order to all unloaded: 2.0 (one replication: no confidence interval)." in text
    assert "Ordered in the scenario's warm-up (until 2024-09-02 00:00)" in text
