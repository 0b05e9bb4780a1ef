"""Stories of the Recorder (sim.model.recorder) fed by hand, read back through sim.analysis.metrics.

The main story, one cargo (grain, 68 t a wagon, 2 unloading points), a 2-day horizon, no warm-up:

- train A, 10 wagons, reaches the border at 2 h, ready to unload at 4 h; wagons take 1 h each on
  2 points: starts 4,4,5,5,6,6,7,7,8,8 and ends 5,5,6,6,7,7,8,8,9,9;
- train B, 4 wagons, reaches the border at 20 h, is held from 20 to 21 h, ready at 22 h:
  starts 22,22,23,23 and ends 23,23,24,24 (two wagons end exactly at midnight);
- the model folds at every midnight and at the horizon: flush(24), flush(48).

Backlog (wagons at the border not yet unloaded), piecewise:
  [0,2) 0 | [2,5) 10 | [5,6) 8 | [6,7) 6 | [7,8) 4 | [8,9) 2 | [9,20) 0 | [20,23) 4 | [23,24) 2 | [24,48) 0
  day 0 integral = 3*10 + 8 + 6 + 4 + 2 + 3*4 + 2 = 64 wagon-hours; day 1: 0.
A wagon unloaded exactly at 24.0 is folded into day 1 (flush(b) takes what is dated before b).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.analysis.metrics import daily, kpis
from sim.model.disruptions import Window
from sim.model.recorder import Recorder, dwell_bin, dwell_bin_centre
from sim.scenario.target_ref import TargetRef

START = dt.date(2023, 1, 1)
A_STARTS = [4.0, 4.0, 5.0, 5.0, 6.0, 6.0, 7.0, 7.0, 8.0, 8.0]
A_ENDS = [s + 1.0 for s in A_STARTS]
B_STARTS = [22.0, 22.0, 23.0, 23.0]
B_ENDS = [s + 1.0 for s in B_STARTS]
HOLD = Window("hold", TargetRef("checks", "customs"), 19.0, 21.0, 0.0, 1.0)  # a closure whose recovery we watch


def approx(x: float) -> object:
    return pytest.approx(x, abs=1e-9)


def recorder(horizon: float = 48.0, warmup: float = 0.0, windows=(HOLD,)) -> Recorder:
    return Recorder(["grain"], [68.0], [2], horizon, warmup, list(windows))


def feed_story(rec: Recorder) -> None:
    """The events of the story, in the order the model reports them."""
    rec.generated(0, 0.0, 10)
    rec.border_arrival(0, 2.0, 10)
    rec.unloading_scheduled(0, 2.0, 4.0, *map(np.array, (A_STARTS, A_ENDS, A_STARTS, A_ENDS)))
    rec.halt("grain", 10.0, 34.0)  # loading halted 10 h to 34 h (reported when it resumes)
    rec.deferred(0, 12.0, 340.0)  # 5 wagons x 68 t demanded while halted
    rec.border_arrival(0, 20.0, 4)
    rec.held_change(0, 20.0, +1)
    rec.held_change(0, 21.0, -1)
    rec.unloading_scheduled(0, 20.0, 22.0, *map(np.array, (B_STARTS, B_ENDS, B_STARTS, B_ENDS)))
    rec.flush(24.0)
    rec.flush(48.0)


def test_daily_series_of_the_story() -> None:
    """Per day: arrivals, unloaded wagons, tonnes, trains, backlog end/max/mean, held trains,
    utilisation and hours halted — identical for `grain` and `all` (one cargo)."""
    rec = recorder()
    feed_story(rec)
    d = daily(rec.finish({}), START)
    for cargo in ("grain", "all"):
        rows = d[d["cargo"] == cargo].set_index("day")
        assert list(rows["date"]) == [dt.date(2023, 1, 1), dt.date(2023, 1, 2)]
        assert list(rows["arrivals_wagons"]) == [14.0, 0.0]
        # day 0: all 10 of A and B's two ending at 23; B's two ending at 24.0 count on day 1
        assert list(rows["unloaded_wagons"]) == [12.0, 2.0]
        assert list(rows["tonnes_delivered"]) == [12 * 68.0, 2 * 68.0]
        # a train is delivered when its last wagon is: A at 9 (day 0), B at 24 (day 1)
        assert list(rows["trains_delivered"]) == [1.0, 1.0]
        assert list(rows["backlog_end"]) == [2.0, 0.0]
        assert list(rows["backlog_max"]) == [10.0, 0.0]  # 2 at 24.0 lasts no time on day 1
        assert rows["backlog_mean"].tolist() == [approx(64 / 24), approx(0.0)]
        assert list(rows["held_trains_end"]) == [0.0, 0.0]
        assert list(rows["held_trains_max"]) == [1.0, 0.0]
        assert rows["held_trains_mean"].tolist() == [approx(1 / 24), approx(0.0)]
        # busy: A 10 wagon-hours, B 4 (all worked before 24.0) over 2 points x 24 h
        assert rows["utilization"].tolist() == [approx(14 / 48), approx(0.0)]
        assert list(rows["stop_loading_h"]) == [14.0, 10.0]  # halted 10-24 and 24-34


def test_kpis_of_the_story() -> None:
    """Totals over the 2 days (48 h, no warm-up), by hand:
    tonnes 14 x 68 = 952, throughput 952 / 2 = 476 t/day; backlog mean 64 / 48, max 10;
    p95: the levels' hours are 0: 37, 2: 2, 4: 4, 6: 1, 8: 1, 10: 3 (sum 48); 95 % of 48 = 45.6 is
    reached only at level 10. Dwell (end - border arrival): A 3,3,4,4,5,5,6,6,7,7 (50), B 3,3,4,4
    (14): mean 64 / 14 — the same 64 wagon-hours as the backlog integral (Little's law, all served).
    Wait (start - ready): A 0,0,1,1,2,2,3,3,4,4 (20), B 0,0,1,1 (2): mean 22 / 14.
    Utilisation 14 busy hours / (2 points x 48 h). Held: 1 train for 1 h: mean 1 / 48.
    Recovery from the 19-21 h hold: the backlog was 0 at 19 h and is back to 0 at 24 h: 3 h = 0.125 d."""
    rec = recorder()
    feed_story(rec)
    obs = rec.finish({})
    for _, row in kpis(obs, wagon_day_usd=25.0).iterrows():
        assert row["tonnes_delivered"] == 952.0
        assert row["wagons_delivered"] == 14.0
        assert row["trains_delivered"] == 2.0
        assert row["throughput_t_per_day"] == approx(476.0)
        assert row["backlog_wagons_mean"] == approx(64 / 48)
        assert row["backlog_wagons_max"] == 10.0
        assert row["backlog_wagons_p95"] == 10.0
        assert row["held_trains_mean"] == approx(1 / 48)
        assert row["held_trains_max"] == 1.0
        assert row["dwell_h_mean"] == approx(64 / 14)
        assert row["unload_wait_h_mean"] == approx(22 / 14)
        assert row["unloading_utilization"] == approx(14 / 96)
        assert row["wagon_idle_days"] == approx(64 / 24)
        assert row["idle_cost_usd"] == approx(64 / 24 * 25.0)
        assert row["stop_loading_days"] == approx(1.0)  # 10 h to 34 h
        assert row["tonnes_deferred"] == 340.0 and row["tonnes_lost"] == 0.0
        assert row["recovery_days"] == approx(3 / 24)
        assert row["recovery_days.hold"] == approx(3 / 24)
        assert row["unrecovered_disruptions"] == 0.0
    assert list(kpis(obs)["cargo"]) == ["grain", "all"]
    assert obs.totals["wagons_arrived_total"].tolist() == [14.0, 14.0]
    assert obs.totals["backlog_end"].tolist() == [0.0, 0.0]


def test_dwell_percentiles_are_read_from_0_1_percent_bins() -> None:
    """The 14 dwells sorted: 3,3,3,3,4,4,4,4,5,5,6,6,7,7. p50 is the 7th (4 h), p90 and p99 the
    13th and 14th (7 h) — reported as the centre of their 0.1 %-wide logarithmic bin."""
    rec = recorder()
    feed_story(rec)
    row = kpis(rec.finish({})).iloc[0]
    centre = {h: float(dwell_bin_centre(dwell_bin(np.array([h])))[0]) for h in (4.0, 7.0)}
    assert row["dwell_h_p50"] == centre[4.0]
    assert row["dwell_h_p90"] == centre[7.0] and row["dwell_h_p99"] == centre[7.0]
    assert abs(centre[4.0] / 4.0 - 1) < 1e-3 and abs(centre[7.0] / 7.0 - 1) < 1e-3


def test_warmup_day_is_left_out_of_the_kpis() -> None:
    """The same story with a 24 h warm-up: only day 1 counts (24 h). B's two wagons ending at 24.0
    are delivered in the window (dwell 4 h each, wait 1 h each, 2 x 68 t); B is the one train
    delivered; the backlog is 0 all day 1 (the 2 wagons at 24.0 last no time): mean and max 0.
    Their busy hours were worked on day 0, so utilisation is 0. The halt overlaps day 1 by 10 h;
    the tonnes deferred at 12 h fall in the warm-up; the hold ended (21 h) before the window."""
    rec = recorder(warmup=24.0)
    feed_story(rec)
    row = kpis(rec.finish({})).iloc[0]
    assert (row["wagons_delivered"], row["trains_delivered"], row["tonnes_delivered"]) == (2.0, 1.0, 136.0)
    assert row["throughput_t_per_day"] == 136.0
    assert row["dwell_h_mean"] == 4.0 and row["unload_wait_h_mean"] == 1.0
    assert row["backlog_wagons_mean"] == 0.0 and row["backlog_wagons_max"] == 0.0
    assert row["unloading_utilization"] == 0.0
    assert row["stop_loading_days"] == approx(10 / 24)
    assert row["tonnes_deferred"] == 0.0
    assert math.isnan(row["recovery_days"]) and row["unrecovered_disruptions"] == 0.0


def test_partial_last_day_is_averaged_over_the_hours_simulated() -> None:
    """Horizon 30 h (day 1 has 6 h). A 3-wagon train reaches the border at 25 h and is never
    unloaded: day 1's backlog mean is 3 x 5 h / 6 h = 2.5 (not / 24); the run's is 15 / 30 = 0.5.
    Nothing delivered: dwell mean is NaN; the backlog ends at 3."""
    rec = recorder(horizon=30.0, windows=())
    rec.border_arrival(0, 25.0, 3)
    rec.flush(24.0)
    rec.flush(30.0)
    obs = rec.finish({})
    d = daily(obs, START)
    grain = d[d["cargo"] == "grain"].set_index("day")
    assert grain["backlog_mean"].tolist() == [0.0, approx(2.5)]
    assert grain["backlog_end"].tolist() == [0.0, 3.0]
    assert grain["utilization"].tolist() == [0.0, 0.0]
    row = kpis(obs).iloc[0]
    assert row["backlog_wagons_mean"] == approx(0.5)
    assert math.isnan(row["dwell_h_mean"])
    assert obs.totals["backlog_end"].tolist() == [3.0, 3.0]
    assert obs.diagnostics["min_backlog"] == 0


def test_unrecovered_disruption_is_counted() -> None:
    """A hold 10-12 h in a 24 h run; a train of 6 reaches the border at 11 h and is never unloaded:
    the backlog (0 before the hold) never returns to 0: recovery NaN, one unrecovered window."""
    rec = recorder(horizon=24.0, windows=[Window("hold", TargetRef("checks", "customs"), 10.0, 12.0, 0.0, 1.0)])
    rec.border_arrival(0, 11.0, 6)
    rec.flush(24.0)
    row = kpis(rec.finish({})).iloc[0]
    assert math.isnan(row["recovery_days"])
    assert row["unrecovered_disruptions"] == 1.0


def test_arrival_dated_at_midnight_counts_on_the_next_day() -> None:
    """A train of 5 reaches the border at exactly 24.0 and is reported before the midnight flush
    (the model does this when the train's arrival event was scheduled before the ticker's). Its
    wagons are in day 1's backlog (day 0 ends at 0, day 1's max is 5), so day 1 should count the
    5 arrivals too; the recorder counts them on day 0."""
    rec = recorder(windows=())
    rec.border_arrival(0, 24.0, 5)
    rec.flush(24.0)
    rec.flush(48.0)
    d = daily(rec.finish({}), START)
    grain = d[d["cargo"] == "grain"].set_index("day")
    assert grain["backlog_end"].tolist() == [0.0, 5.0]
    assert grain["backlog_max"].tolist() == [0.0, 5.0]
    assert grain["arrivals_wagons"].tolist() == [0.0, 5.0]


@pytest.mark.parametrize("flushes", [(48.0,), (30.0, 48.0), (12.0, 48.0)])
def test_folding_several_days_at_once_gives_the_day_by_day_figures(flushes: tuple[float, ...]) -> None:
    """The model folds every few days (sim.model.periods): the story folded in one go over both
    days, or cut at other instants, gives every daily series and total of the midnight folds."""
    by_day, at_once = recorder(), recorder()
    feed_story(by_day)
    feed_story_without_flushes(at_once)
    for b in flushes:
        at_once.flush(b)
    a, b = by_day.finish({}), at_once.finish({})
    for key in a.daily:
        np.testing.assert_allclose(b.daily[key], a.daily[key], rtol=1e-12, atol=1e-12, err_msg=key)
    for key in a.totals:
        np.testing.assert_allclose(b.totals[key], a.totals[key], rtol=1e-12, atol=1e-12, err_msg=key)
    for ha, hb in zip(a.backlog_hist + a.dwell_hist, b.backlog_hist + b.dwell_hist):
        n = max(len(ha), len(hb))
        np.testing.assert_allclose(np.pad(hb, (0, n - len(hb))), np.pad(ha, (0, n - len(ha))), atol=1e-12)
    assert [w.recovered_at for w in a.recoveries] == [w.recovered_at for w in b.recoveries]


def feed_story_without_flushes(rec: Recorder) -> None:
    """feed_story's reports, without its midnight folds."""
    calls: list[float] = []
    fold = rec.flush
    rec.flush = calls.append  # type: ignore[method-assign]
    feed_story(rec)
    rec.flush = fold  # type: ignore[method-assign]
    assert calls == [24.0, 48.0]
