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
