"""A one-off order: `wagons` wagons of one cargo requested at one moment, on top of the scenario's
demand — an exporter's consignment, whose trains the train log then follows (sim.analysis.consignment).

The order is cut into trains of the cargo's `wagons_per_train` (the last one shorter when the
wagons do not divide evenly), requested together at its time: they join the origin's queue behind
what is already waiting there and then go where every other train goes, by the same rules.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from sim.model.origin import Origin, Train


@dataclass(frozen=True)
class Order:
    """`wagons` wagons of `cargo` requested `at` hours after the scenario's start, on top of its demand
    (`sim.order_outcomes(scenario, sim.Order("grain", 400, scenario.hours_since_start(when)))`)."""

    cargo: str
    wagons: int
    at: float  # hours since the scenario's start

    def train_count(self, wagons_per_train: int) -> int:
        """How many trains train_sizes makes, counted without making them (an order of 10**15 wagons is
        refused for its trains, not a list of 10**13 that fills the memory first)."""
        return -(-self.wagons // wagons_per_train)

    def train_sizes(self, wagons_per_train: int) -> list[int]:
        full, rest = divmod(self.wagons, wagons_per_train)
        return [wagons_per_train] * full + ([rest] if rest else [])


def place(env: simpy.Environment, order: Order, origin: Origin, wagons_per_train: int,
          new_train: Callable[[str, int, float], Train], ids: list[int]) -> Generator[Any, Any, None]:
    """The process that requests the order's trains at its time (`new_train(cargo, wagons, at)` makes
    each, numbered as the demand's are); their ids are appended to `ids`."""
    yield env.timeout(order.at)
    for wagons in order.train_sizes(wagons_per_train):
        train = new_train(order.cargo, wagons, order.at)
        ids.append(train.id)
        origin.demand(train)
