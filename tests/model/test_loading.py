"""The origin's loading rate (`loading: {cargo: {wagons_per_day}}`): nothing is formed faster.

The bucket itself is checked by hand; in the model, on every train formed, the wagons formed in
any interval never exceed the burst plus the rate times the interval (all intervals at once, in
one pass); a binding rate spaces trains exactly w/r apart; deferred trains drain through it after
a ban instead of leaving at once; a fleet still comes first; and demand never formed is reported.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.loading import LoadingBucket
from sim.scenario.loader import load_scenario
from tests.conftest import SCENARIOS
from tests.model.corridor_stories import DAY, PAYLOAD, WAGONS, WINDOW, A, B, build, formations, kpi, traced


def test_bucket_fills_at_its_rate_up_to_its_burst() -> None:
    bucket = LoadingBucket(wagons_per_hour=25.0, burst=55)
    assert bucket.wait(0.0, 55) == 0.0
    bucket.take(0.0, 55)
    assert bucket.wait(0.0, 55) == pytest.approx(55 / 25)
    assert bucket.wait(1.0, 55) == pytest.approx(30 / 25)
    assert bucket.level(100.0) == 55  # never above the burst, however long it waits
    bucket.take(100.0, 30)
    assert bucket.level(100.0) == pytest.approx(25)


def worst_excess(times: np.ndarray, wagons: np.ndarray, rate: float, burst: float) -> float:
    """max over i <= j of sum(wagons[i..j]) - burst - rate (t_j - t_i), in O(n).

    With S the cumulative wagons, the excess of (i, j) is (S_j - r t_j) - (S_{i-1} - r t_i) - burst;
    for each j the worst i is the running minimum of S_{i-1} - r t_i.
    """
    cum = np.cumsum(wagons)
    before = np.concatenate(([0.0], cum[:-1])) - rate * times
    low = np.minimum.accumulate(before)
    return float(np.max(cum - rate * times - low - burst))


RATE = 96.0  # wagons a day: 9.6 ten-wagon trains, below the 12 requested


@pytest.mark.parametrize("arrivals", ["regular", "poisson"])
def test_nothing_is_formed_faster_than_the_loading_rate(arrivals: str) -> None:
    s = build({"demand": {"x": {"trains_per_day": 12, "arrivals": arrivals}},
               "loading": {"x": {"wagons_per_day": RATE}}})
    rep, _ = traced(s)
    f = formations(rep)
    t, w = f["formed"].to_numpy(), f["wagons"].to_numpy()
    assert worst_excess(t, w, RATE / DAY, WAGONS) <= 1e-9
    # the daily series and the KPI count the same formations, day by day
    daily = rep.daily[rep.daily["cargo"] == "x"].set_index("day")["formed_wagons"]
    per_day = f.groupby((f["formed"] // DAY).astype(int))["wagons"].sum()
    assert (daily[daily > 0] == per_day).all() and daily.sum() == w.sum() == kpi(rep, "wagons_formed")
    # it binds: most trains leave exactly w / r after the one before
    gaps = np.diff(t)
    assert np.mean(np.abs(gaps - WAGONS / (RATE / DAY)) < 1e-9) >= 0.9
    # and the rest wait at origin: reported as unmet at the end, not as deferred or lost
    assert kpi(rep, "tonnes_deferred") == kpi(rep, "tonnes_lost") == 0
    assert kpi(rep, "tonnes_unmet") > 0
    assert rep.daily.query("cargo == 'x'")["origin_queue_end"].iloc[-1] * PAYLOAD == kpi(rep, "tonnes_unmet")


def test_a_larger_burst_lets_that_many_wagons_go_at_once() -> None:
    s = build({"demand": {"x": {"trains_per_day": 12, "arrivals": "regular"}},
               "loading": {"x": {"wagons_per_day": 48.0, "burst_wagons": 40}},
               "disruptions": [{"name": "ban", "target": "demand.x", "from": WINDOW[0], "to": WINDOW[1],
                                "capacity": 0}]})
    rep, _ = traced(s)
    f = formations(rep)
    assert worst_excess(f["formed"].to_numpy(), f["wagons"].to_numpy(), 2.0, 40) <= 1e-9
    assert (f["formed"] == B).sum() == 4  # a full bucket (40 wagons) at the end of the ban


def test_deferred_trains_drain_through_the_rate_after_a_ban() -> None:
    """Without a rate, the ban's deferred trains all leave at its end; with one, they leave w/r
    apart from its end until the queue is empty, then at their request times again."""
    ban = [{"name": "ban", "target": "demand.x", "from": WINDOW[0], "to": WINDOW[1], "capacity": 0}]
    burst = formations(traced(build({"disruptions": ban}))[0])
    assert (burst["formed"] == B).sum() > 20
    rate = 240.0  # 24 trains a day: twice the demand, so the queue drains
    s = build({"disruptions": ban, "loading": {"x": {"wagons_per_day": rate}}})
    f = formations(traced(s)[0])
    after = f[f["formed"] >= B].reset_index(drop=True)
    queued = after[after["requested"] < after["formed"]]
    spacing = WAGONS / (rate / DAY)
    assert len(queued) > 20
    assert queued["formed"].iloc[0] == B  # the bucket was full
    assert np.allclose(np.diff(queued["formed"]), spacing)
    caught_up = after[after["requested"] == after["formed"]]
    assert len(caught_up) > 50 and caught_up["requested"].min() > queued["formed"].max()


def test_a_fleet_comes_first_no_train_is_formed_without_its_wagons() -> None:
    """One train's worth of wagons, back 20 h after unloading: each train is formed when the
    previous one's empties return, and never faster than the rate either."""
    s = build({"fleet": {"x": WAGONS}, "empties": {"return_time": 20.0},
               "loading": {"x": {"wagons_per_day": 240.0}}})
    rep, trace = traced(s)
    f = formations(rep)
    leave = trace[(trace["stage"] == "yard") & (trace["what"] == "leave")].set_index("train")["t"]
    for prev, nxt in zip(f["train"].iloc[:-1], f["formed"].iloc[1:]):
        assert nxt == pytest.approx(leave[prev] + 20.0)


def test_unmet_demand_closes_the_books() -> None:
    """demanded = delivered + rejected + lost + unmet + in journey (tonnes; no warm-up), and a
    fleet far too small for the demand shows up as unmet demand, not as nothing."""
    base = load_scenario(SCENARIOS / "baseline_2023.yaml")
    s = base.with_changes({"duration": "120d", "fleet.grain": 110, "policies": {},
                           "loading": {"containers": {"wagons_per_day": 300}}})
    rep, _ = traced(s, seed=s.seed)
    d = rep.diagnostics
    for ci, cargo in enumerate(s.cargo_names):
        payload = s.cargo[cargo].payload_t
        books = (kpi(rep, "tonnes_delivered", cargo) + kpi(rep, "tonnes_rejected", cargo)
                 + kpi(rep, "tonnes_lost", cargo) + kpi(rep, "tonnes_unmet", cargo)
                 + d["in_journey_wagons"][ci] * payload)
        assert kpi(rep, "tonnes_demanded", cargo) == pytest.approx(books, rel=1e-12)
    grain_demand = kpi(rep, "tonnes_demanded", "grain")
    # two trains circulate on a ~7.5-day cycle: about 30 trains of the ~200 requested are delivered
    assert kpi(rep, "tonnes_delivered", "grain") < 0.2 * grain_demand
    assert kpi(rep, "tonnes_unmet", "grain") > 0.75 * grain_demand
    assert kpi(rep, "trains_not_formed", "grain") * 55 * 68 == kpi(rep, "tonnes_unmet", "grain")
    assert kpi(rep, "tonnes_deferred", "grain") == kpi(rep, "tonnes_lost", "grain") == 0


def test_time_between_a_ban_and_the_rate_is_not_lost_credit() -> None:
    """Tokens stop at the burst during a ban: after a long ban only `burst` wagons go at once."""
    ban = [{"name": "ban", "target": "demand.x", "from": WINDOW[0], "to": WINDOW[1], "capacity": 0}]
    s = build({"disruptions": ban, "loading": {"x": {"wagons_per_day": 120.0}}})
    f = formations(traced(s)[0])
    assert (f["formed"] == B).sum() == 1
    assert not ((f["formed"] > A) & (f["formed"] < B)).any()
