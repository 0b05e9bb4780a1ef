"""sim.order_outcomes's arguments as a notebook gives them: numpy numbers work, anything else is
refused in words (a SimError naming the field), never a TypeError from deep inside."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import sim
from sim.scenario.schema import Scenario
from tests.model.test_orders import STORY


def outcomes(order: Any) -> list[sim.Outcome]:
    return sim.order_outcomes(Scenario.model_validate(STORY), order, replications=1, executor="serial")


def test_numpy_numbers_are_numbers() -> None:
    """wagons as np.int64 (e.g. from a DataFrame) was refused as 'got np.int64(5)'."""
    plain = outcomes(sim.Order("grain", 5, 13.0))
    assert outcomes(sim.Order("grain", np.int64(5), np.float64(13.0))) == plain
    assert plain[0].unloaded_h == 62.0


@pytest.mark.parametrize(("order", "words"), [
    (sim.Order("grain", 5, "13"), "order.at: the order's time must be a number of hours since the start, got '13'"),
    (sim.Order("grain", 5, None), "order.at: the order's time must be a number of hours since the start, got None"),
    (sim.Order("grain", 5, True), "order.at: the order's time must be a number of hours since the start, got True"),
    (sim.Order("grain", 5, math.nan), "order.at: the order's time (nan h since the start) is not inside the run"),
    (sim.Order("grain", 5.0, 13.0), "order.wagons: wagons must be a whole number of at least 1, got 5.0"),
    (sim.Order("grain", np.int64(-5), 13.0), "order.wagons: wagons must be a whole number of at least 1, got -5"),
    (("grain", 5, 13.0), "order must be a sim.Order(cargo, wagons, at), got ('grain', 5, 13.0)"),
])
def test_a_bad_order_is_refused_in_words(order: Any, words: str) -> None:
    with pytest.raises(sim.SimError) as raised:
        outcomes(order)
    assert words in str(raised.value)
