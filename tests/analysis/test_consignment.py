"""An order's outcome from a table of trains, and its spread over replications (sim.analysis.consignment)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.consignment import Outcome, outcome, spread
from sim.analysis.train_log import COLUMNS


def table(*trains: tuple[float, float, float, int, int, bool, bool], refused_wagons: tuple[int, ...] = ()
          ) -> pd.DataFrame:
    """(formed, border, unloaded, wagons, wagons unloaded, refused, of the order) per train; the
    wagons refused are those not unloaded of a refused train unless `refused_wagons` says."""
    rows = [(i, "grain", "dostyk", w, f, f, b, u - 1.0, u, wu, refused, mine,
             refused_wagons[i - 1] if refused_wagons else (w - wu if refused else 0), False)
            for i, (f, b, u, w, wu, refused, mine) in enumerate(trains, start=1)]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def test_the_last_of_the_orders_trains_decides() -> None:
    trains = table((10, 20, 50, 3, 3, False, True), (10, 21, 40, 3, 3, False, True), (11, 22, 30, 3, 3, False, False))
    got = outcome(trains, 2, horizon=100)
    assert (got.trains, got.formed_h, got.border_h, got.unloaded_h, got.refused_wagons) == (2, 10, 21, 50, 0)


def test_a_train_unloaded_after_the_horizon_or_never_formed_leaves_no_time() -> None:
    late = table((10, 20, 150, 3, 3, False, True), (10, 20, 40, 3, 3, False, True))
    assert math.isnan(outcome(late, 2, horizon=100).unloaded_h)
    assert outcome(late, 2, horizon=100).border_h == 20
    missing = table((10, 20, 40, 3, 3, False, True))  # the second train never formed
    got = outcome(missing, 2, horizon=100)
    assert got.trains == 1 and math.isnan(got.formed_h) and math.isnan(got.unloaded_h)


def test_wagons_refused_at_a_check_are_counted_and_not_waited_for() -> None:
    """A train refused whole never unloads: the order is through when the rest is; a train refused in
    part unloads what is left."""
    trains = table((10, 20, math.nan, 3, 0, True, True), (10, 20, 45, 3, 1, True, True), (10, 20, 40, 3, 3, False, True))
    got = outcome(trains, 3, horizon=100)
    assert got.unloaded_h == 45 and got.refused_wagons == 5
    everything = table((10, 20, math.nan, 3, 0, True, True))
    whole = outcome(everything, 1, horizon=100)
    assert math.isnan(whole.unloaded_h) and whole.never
    assert whole.border_h == 20  # it got to the border (it was 'at the border after the run')


def test_the_spread_counts_runs_not_through_as_later_than_any_day() -> None:
    """Five runs, two not through: the median is a run's own value, the 90 % quantile 'after the run',
    no mean is given, and the share through within 3 days is 2 of 5 with an exact CI."""
    hours = [48.0, 72.0, 96.0, math.nan, math.nan]
    outcomes = [Outcome(1, 0.0, 0.0, h, 0) for h in hours]
    days = spread(outcomes, ordered_at=0.0, milestone="unloaded_h")
    assert days.quantile(0.5) == 4.0 and math.isinf(days.quantile(0.9)) and days.not_by_horizon == 2
    assert days.mean_interval() is None
    hits, low, high = days.share_by(3.0)
    assert hits == 2 and low == pytest.approx(0.05274, abs=1e-4) and high == pytest.approx(0.85337, abs=1e-4)


def test_the_mean_has_a_t_interval_when_every_run_is_through() -> None:
    outcomes = [Outcome(1, 0.0, 0.0, 24.0 * d, 0) for d in (2.0, 3.0, 4.0)]
    mean, low, high = spread(outcomes, 0.0, "unloaded_h").mean_interval()  # type: ignore[misc]
    assert mean == pytest.approx(3.0) and high - mean == pytest.approx(4.303 * 1.0 / np.sqrt(3), rel=1e-3)
    assert low == pytest.approx(2 * mean - high)


def test_a_train_refused_in_part_and_not_yet_unloaded_is_waited_for() -> None:
    """One wagon of 3 refused at customs, the other 2 still at a later check at the horizon: the
    train is not refused whole, so the order is not through (it used to be taken as refused whole:
    through with the other train at 40 h, and 3 wagons refused)."""
    trains = table((10, 20, math.nan, 3, 0, True, True), (10, 20, 40, 3, 3, False, True), refused_wagons=(1, 0))
    got = outcome(trains, 2, horizon=100)
    assert math.isnan(got.unloaded_h) and got.refused_wagons == 1 and not got.never
    whole = table((10, 20, math.nan, 3, 0, True, True), (10, 20, 40, 3, 3, False, True), refused_wagons=(3, 0))
    assert outcome(whole, 2, horizon=100).unloaded_h == 40


def test_an_order_lost_at_origin_never_comes_through() -> None:
    """Its trains lost at origin (rows with `lost`), the order has no milestone and never will."""
    trains = table((math.nan, math.nan, math.nan, 3, 0, False, True), (10, 20, 40, 3, 3, False, True))
    trains.loc[0, "lost"] = True
    got = outcome(trains, 2, horizon=100)
    assert (got.trains, got.lost_wagons, got.never) == (1, 3, True)
    assert math.isnan(got.formed_h) and math.isnan(got.unloaded_h)


def test_paired_days_pair_replication_by_replication_and_never_drop_a_late_one() -> None:
    """Three replications, ordered at 0 h: without 48, 72, 96 h to all unloaded; with a change 24, 72
    and 48 h: differences -1, 0, -2 days, mean -1 with the t-interval of sd 1 over 3 (t=4.303: ±2.48).
    A replication not through in one answer has no difference of days: the mean is over the others, as
    `compare`'s is over the pairs with a value (and says so), and it is counted as later, never dropped."""
    from sim.analysis.consignment import paired_days
    from sim.reporting.consignment import paired_text

    def runs(*hours: float) -> list[Outcome]:
        return [Outcome(1, 0.0, 1.0, h, 0) for h in hours]

    paired = paired_days(runs(48, 72, 96), runs(24, 72, 48), 0.0)
    assert (paired.sooner, paired.later, paired.unpaired) == (2, 0, 0)
    assert paired.interval is not None
    mean, low, high = paired.interval
    assert mean == pytest.approx(-1.0, abs=1e-12) and high - mean == pytest.approx(2.484, abs=1e-3)
    assert mean - low == pytest.approx(high - mean, abs=1e-12)
    assert "no clear difference" in paired_text(paired, "points=8", 3)
    late = paired_days(runs(48, 72, 96), runs(24, float("nan"), 48), 0.0)
    assert (late.sooner, late.later, late.unpaired, late.difference.n, late.difference.pairs) == (2, 1, 1, 2, 3)
    assert late.interval is not None and late.interval[0] == pytest.approx(-1.5, abs=1e-12)  # -1 and -2 days
    said = paired_text(late, "points=8", 3)
    assert "no clear difference, in the 2 of 3 pairs where both have a value" in said, said
    assert "not through by the end of the run in one answer or both in 1" in said
    assert paired_days(runs(48), runs(24), 0.0).interval is None  # one pair: no interval
    with pytest.raises(ValueError, match="as many replications"):
        paired_days(runs(48), runs(24, 30), 0.0)
