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


def test_an_order_in_the_warmup_is_told_what_to_do() -> None:
    """600 wagons on 15 Oct 2023 in jan2024_admin_hold (from 1 Oct, 30-day warm-up): the warning said
    only "the answer may be too quick". It now names the --set that starts the run early enough (16 days
    earlier, the same end), and an order at 08:00 still needs 16 whole days (ceil of 15.67)."""
    start, warmup, horizon = dt.date(2023, 10, 1), 30 * 24.0, 183 * 24.0
    runs = [Outcome(1, 340.0, 380.0, 500.0, 0), Outcome(1, 340.0, 390.0, 520.0, 0)]
    text = order_text(runs, "grain", 600, 11, 14 * 24.0, start, horizon, warmup=warmup)
    assert "start the run 16 days earlier: --set start=2023-09-15 --set duration=199d" in text
    later = order_text(runs, "grain", 600, 11, 14 * 24.0 + 8.0, start, horizon, warmup=warmup)
    assert "--set start=2023-09-15 --set duration=199d" in later
    last_day = order_text(runs, "grain", 600, 11, warmup - 1.0, start, horizon, warmup=warmup)
    assert "start the run 1 day earlier: --set start=2023-09-30 --set duration=184d" in last_day
    assert "warm-up" not in order_text(runs, "grain", 600, 11, warmup, start, horizon, warmup=warmup)


def test_the_mean_ci_is_told_apart_from_one_orders_spread() -> None:
    """Ten runs through in 5.7 … 8.4 days: the mean's CI (about 6.5 to 7.7) is not the range of one
    order's days; the line says it is the mean's and gives the 10 % and 90 % points (5.7 and 8.1) beside it."""
    days = [5.7, 6.1, 6.4, 6.8, 7.0, 7.2, 7.5, 7.9, 8.1, 8.4]
    runs = [Outcome(1, 1.0, 10.0, 24.0 * d, 0) for d in days]
    text = order_text(runs, "grain", 600, 11, 0.0, START, horizon=24.0 * 30)
    line = next(x for x in text.splitlines() if x.startswith("Days from the order"))
    assert line.startswith("Days from the order to all unloaded: mean 7.1 (95 % CI of the mean 6.5 to 7.7); ")
    assert line.endswith("one order's own: 5.7 to 8.1 days in 80 % of runs (the 10 % and 90 % points).")


def test_a_ci_reaching_below_zero_days_is_clipped_at_zero_and_says_so() -> None:
    """Three runs through in 0.1, 0.1 and 2.0 days: the t-interval of the mean (0.73 ± 2.73) printed "-2.0 to
    3.5" days, a number no order takes. Its lower end is cut at 0, and the line says so; an interval above 0
    is left as it was."""
    runs = [Outcome(1, 0.0, 1.0, 24.0 * d, 0) for d in (0.1, 0.1, 2.0)]
    line = next(x for x in order_text(runs, "grain", 5, 1, 0.0, START, horizon=240.0).splitlines()
                if x.startswith("Days from the order"))
    assert line.startswith("Days from the order to all unloaded: mean 0.7 (95 % CI of the mean 0.0 to 3.5; "
                           "lower bound clipped at 0: days cannot be negative); "), line
    assert "-" not in line.split("mean", 1)[1]
    settled = [Outcome(1, 0.0, 1.0, 24.0 * d, 0) for d in (2.0, 2.1, 2.2)]
    text = order_text(settled, "grain", 5, 1, 0.0, START, horizon=240.0)
    assert "(95 % CI of the mean 1.9 to 2.3); " in text and "clipped" not in text
