"""An order added to the demand (sim.model.orders): its trains, worked out by hand in a story with
fixed times, and a run that is the scenario's own until the order is placed."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from sim.analysis.consignment import outcome
from sim.analysis.train_log import train_table
from sim.model.crossing import CrossingModel
from sim.model.orders import Order
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

STORY: dict[str, Any] = {
    "name": "order-story",
    "start": "2023-01-01",
    "duration": "3d",
    "seed": 1,
    "cargo": {"grain": {"payload_t": 68, "wagons_per_train": 3}},
    "demand": {"grain": {"trains_per_day": 2, "arrivals": "regular"}},  # requested at 12, 24, 36, 48, 60
    "line": {"transit_time": "10h"},
    "checks": [],
    "unloading": {"grain": {"points": 1, "wagon_time": "5h"}},
}


def test_an_order_of_five_wagons_is_two_trains_queued_behind_the_first() -> None:
    """5 wagons of 3-wagon trains ordered at 13 h: trains of 3 and 2, formed at 13, at the border at
    23, behind train 1 (border 22, its 3 wagons on the one point 22-37): 37-52, then 52-62; train 2
    of the demand (border 34) waits for them (62-77, after the horizon)."""
    model = CrossingModel(Scenario.model_validate(STORY), train_log=True, order=Order("grain", 5, 13.0))
    obs = model.run()
    table = train_table(obs.diagnostics, obs.crossings)
    ordered = table[table["order"]]
    assert ordered["wagons"].tolist() == [3, 2]
    assert ordered["formed_h"].tolist() == [13.0, 13.0]
    assert ordered["border_h"].tolist() == [23.0, 23.0]
    assert ordered["unloading_start_h"].tolist() == [37.0, 52.0]
    assert ordered["unloaded_h"].tolist() == [52.0, 62.0]
    second = table[(table["requested_h"] == 24.0)].iloc[0]
    assert (second["unloading_start_h"], second["unloaded_h"]) == (62.0, 77.0)
    got = outcome(table, 2, horizon=72.0)
    assert (got.trains, got.formed_h, got.border_h, got.unloaded_h, got.refused_wagons) == (2, 13.0, 23.0, 62.0, 0)


def test_an_order_not_through_by_the_horizon_has_no_unloading_time() -> None:
    """Ordered at 60 h: at the border at 70, behind the queue: not unloaded by 72 h."""
    model = CrossingModel(Scenario.model_validate(STORY), train_log=True, order=Order("grain", 3, 60.0))
    obs = model.run()
    got = outcome(train_table(obs.diagnostics, obs.crossings), 1, horizon=72.0)
    assert got.trains == 1 and got.border_h == 70.0 and np.isnan(got.unloaded_h)


def test_the_run_is_the_scenarios_own_until_the_order() -> None:
    """Same seed, with and without an order on day 100: every daily figure before that day is the
    same (the order adds trains; it shifts no random number drawn before it) and the same number of
    wagons is requested by the demand; after it, more wagons are unloaded."""
    scenario = load_scenario("scenarios/baseline_2023.yaml").with_changes({"duration": "150d"})
    plain = CrossingModel(copy.deepcopy(scenario), train_log=True).run()
    ordered = CrossingModel(scenario, train_log=True, order=Order("grain", 400, 100 * 24.0)).run()
    for key in ("arrivals_wagons", "unloaded_wagons", "formed_wagons", "busy_h"):
        np.testing.assert_array_equal(plain.daily[key][:, :100], ordered.daily[key][:, :100], err_msg=key)
    grain = scenario.cargo_names.index("grain")
    extra = ordered.totals["wagons_formed"][grain] - plain.totals["wagons_formed"][grain]
    assert extra == 400
    plain_trains = train_table(plain.diagnostics, plain.crossings)
    ordered_trains = train_table(ordered.diagnostics, ordered.crossings)
    assert len(ordered_trains) - len(plain_trains) == 8 and ordered_trains["order"].sum() == 8


def test_without_an_order_the_train_log_changes_nothing() -> None:
    """The train log only records: KPIs and SimPy's event count are those of a run without it."""
    scenario = load_scenario("scenarios/baseline_2023.yaml").with_changes({"duration": "60d"})
    plain = CrossingModel(scenario).run()
    logged = CrossingModel(scenario, train_log=True).run()
    assert plain.diagnostics["simpy_events"] == logged.diagnostics["simpy_events"]
    for key, value in plain.totals.items():
        np.testing.assert_array_equal(value, logged.totals[key], err_msg=key)


def rerouted_order() -> Any:
    """Two crossings, everything to Dostyk, whose line takes 2 trains a day (4 are requested): trains
    queue for its line; a ban on Dostyk from day 5 (96 h) sends those waiting to Altynkol (+10 h)."""
    from tests.model.test_routing import corridor

    rule = {"from": "dostyk", "to": "altynkol", "extra_time": "10h", "usd_per_wagon": 100, "check_every": 1.0}
    ban = {"name": "ban", "target": "crossings.dostyk.demand.x", "from": "2023-01-05", "to": "2023-01-08",
           "capacity": 0}
    s = corridor(routing={"x": {"shares": {"dostyk": 1, "altynkol": 0}, "reroute": [rule]}},
                 demand={"x": {"trains_per_day": 4, "arrivals": "regular"}}, disruptions=[ban])
    return s.with_changes({"crossings.dostyk.line.max_trains_per_day": 2})


def test_an_order_rerouted_before_its_line_is_at_the_border_when_it_reaches_the_other_one() -> None:
    """5 trains ordered at 90 h wait for Dostyk's line; at 96 h the ban re-routes them: at Altynkol's
    border at 106 h, where they go through one by one (customs 5 h) and are unloaded by 153.5 h.
    The train log used to give them no border time (they never left Dostyk's line), so the order was
    'at the border after the run' yet all unloaded. The log with every wagon's rows is the same."""
    s = rerouted_order()
    obs = CrossingModel(s, seed=7, train_log=True, order=Order("x", 50, 90.0)).run()
    table = train_table(obs.diagnostics, obs.crossings)
    ordered = table[table["order"]]
    moved = {row[0] for row in obs.diagnostics["trace"] if row[2] == "crossings.dostyk.reroute" and row[4] == 96.0}
    assert set(ordered["train"]) <= moved
    assert ordered["border_h"].tolist() == [106.0] * 5 and set(ordered["crossing"]) == {"altynkol"}
    got = outcome(table, 5, float(s.duration))
    assert (got.border_h, got.unloaded_h, got.crossings) == (106.0, 153.5, ("altynkol",) * 5)
    traced = CrossingModel(s, seed=7, trace=True, order=Order("x", 50, 90.0)).run()
    assert train_table(traced.diagnostics, traced.crossings).equals(table)


def test_an_order_lost_at_origin_is_said_lost_not_late() -> None:
    """Stop-loading with on_halt: lose halts grain at 22 h (3 wagons at the border) and resumes at
    37 h: an order at 30 h is lost at origin (never loaded), so it can never be all unloaded; it
    used to look merely not formed by the end of the run."""
    data = copy.deepcopy(STORY)
    data["policies"] = {"stop_loading": {"cargo": ["grain"], "above_wagons": 2, "resume_below": 1, "on_halt": "lose"}}
    obs = CrossingModel(Scenario.model_validate(data), train_log=True, order=Order("grain", 5, 30.0)).run()
    assert [(d.action, d.time) for d in obs.diagnostics["stop_loading_log"]][:2] == [("halt", 22.0), ("resume", 37.0)]
    table = train_table(obs.diagnostics, obs.crossings)
    ordered = table[table["order"]]
    assert ordered["lost"].tolist() == [True, True] and ordered["wagons"].tolist() == [3, 2]
    assert ordered["formed_h"].isna().all()
    got = outcome(table, 2, horizon=72.0)
    assert (got.trains, got.lost_wagons, got.never) == (0, 5, True) and np.isnan(got.unloaded_h)


def test_a_train_refused_in_part_and_still_at_a_later_check_is_not_through() -> None:
    """Customs refuses each wagon with probability 1/2, then a 25 h handover takes one train at a
    time: of the order's two trains (3 and 2 wagons) the second through customs is still in the
    handover at the 72 h horizon. When some of its wagons were refused, it used to count as refused
    whole, so the order was 'all unloaded' with the other train. Over 11 seeds: the wagons refused
    are counted per train and add up to the run's refusals, and the order is through only if each
    of its trains is unloaded or refused whole."""
    data = copy.deepcopy(STORY)
    data["demand"]["grain"]["trains_per_day"] = 0.2  # (no train of the demand in the 3 days)
    data["checks"] = [{"name": "customs", "time": 1.0, "reject": [{"share": 0.5}]},
                      {"name": "handover", "time": 25.0, "trains_at_once": 1}]
    data["empties"] = {"return_time": 24.0}
    scenario = Scenario.model_validate(data)
    in_part = 0
    for seed in range(1, 12):
        obs = CrossingModel(scenario, seed=seed, train_log=True, order=Order("grain", 5, 13.0)).run()
        table = train_table(obs.diagnostics, obs.crossings)
        assert table["wagons_refused"].sum() == sum(obs.diagnostics["rejected_wagons"])
        ordered = table[table["order"]]
        left = ordered["wagons_refused"] < ordered["wagons"]  # not refused whole
        waiting = ordered[left & ordered["unloaded_h"].isna()]
        got = outcome(table, 2, horizon=72.0)
        assert got.refused_wagons == ordered["wagons_refused"].sum()
        if not left.any():
            assert got.never and np.isnan(got.unloaded_h), seed
        elif len(waiting):
            in_part += int((waiting["wagons_refused"] > 0).any())
            assert np.isnan(got.unloaded_h), seed
        else:
            assert got.unloaded_h == ordered[left]["unloaded_h"].max(), seed
    assert in_part >= 2


def test_an_order_half_lost_to_a_partial_ban_is_never_through() -> None:
    """A ban letting half the trains be loaded, the rest lost (capacity 0.5, on_halt: lose): of the
    order's two trains (13 h) the first is loaded, the second lost; every train lost is in the log
    (their wagons are the run's dropped wagons) and the order never comes through."""
    data = copy.deepcopy(STORY)
    data["disruptions"] = [{"name": "ban", "target": "demand.grain", "from": "2023-01-01", "to": "2023-01-03",
                            "capacity": 0.5, "on_halt": "lose"}]
    obs = CrossingModel(Scenario.model_validate(data), train_log=True, order=Order("grain", 5, 13.0)).run()
    table = train_table(obs.diagnostics, obs.crossings)
    ordered = table[table["order"]]
    assert ordered["lost"].tolist() == [False, True] and ordered["formed_h"].tolist()[0] == 13.0
    assert table.loc[table["lost"], "wagons"].sum() == sum(obs.diagnostics["dropped_wagons"]) == 8
    got = outcome(table, 2, horizon=72.0)
    assert (got.trains, got.lost_wagons, got.never) == (1, 2, True) and np.isnan(got.unloaded_h)
