"""sim.order_outcomes's arguments as a notebook gives them: numpy numbers work, anything else is
refused in words (a SimError naming the field), never a TypeError from deep inside."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import sim
from sim.scenario.effects import ScenarioWarning
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
    # counted, not cut into a list of 3.3e14 trains first (a MemoryError; the workbench's field has no bound)
    (sim.Order("grain", 10**15, 13.0), ("order.wagons: 1,000,000,000,000,000 wagons are 333,333,333,333,334 trains "
                                        "of grain; an order may be at most 10,000 trains")),
    (("grain", 5, 13.0), "order must be a sim.Order(cargo, wagons, at), got ('grain', 5, 13.0)"),
])
def test_a_bad_order_is_refused_in_words(order: Any, words: str) -> None:
    with pytest.raises(sim.SimError) as raised:
        outcomes(order)
    assert words in str(raised.value)


def test_a_task_with_an_order_says_how_to_reproduce_it_with_its_order(tmp_path: Path) -> None:
    """A consignment's replication that fails names its order, and the hint's code gives the same
    train log (it left the order out, so it ran another replication: 'everything needed to
    reproduce' was not there). The order also enters the task's digest, and only then."""
    from sim.experiments.executors import task_key
    from sim.experiments.runner import replication_tasks

    path = tmp_path / "story.yaml"
    path.write_text(yaml.safe_dump(STORY), encoding="utf-8")
    scenario = sim.load_scenario(path)
    order = sim.Order("grain", 5, 13.0)
    (task,) = replication_tasks(scenario, [0], 1, keep_trains=True, order=order)
    assert "and the order sim.Order(cargo='grain', wagons=5, at=13.0)" in task.describe()
    code = task.reproduce_hint().split("reproduce with: ", 1)[1].replace("PATH", repr(str(path)))
    again = eval(code, {"sim": sim})  # our own hint
    mine = again.trains[again.trains["order"]]
    assert mine["unloaded_h"].tolist() == [52.0, 62.0]  # (the story of tests/model/test_orders.py)
    data = scenario.to_dict()
    assert task.key != task_key("o00000", data, 0, 1) == replication_tasks(scenario, [0], 1, prefix="o")[0].key


def test_an_order_in_the_warmup_is_warned_of_from_python_with_the_changes_that_mend_it() -> None:
    """sim.order_outcomes answered an order placed in the warm-up (the crossing still filling: the answer may
    be too quick) without a word; only the CLI's text said it. It now warns as a scenario's warnings do, with
    the changes that start the run early enough, and those changes leave the order after the warm-up."""
    import ast
    import datetime as dt
    import re
    import warnings

    story = Scenario.model_validate({**STORY, "warmup": "2d"})
    with pytest.warns(ScenarioWarning) as caught:
        sim.order_outcomes(story, sim.Order("grain", 5, 13.0), replications=1, executor="serial")
    (message,) = [str(w.message) for w in caught if "warm-up" in str(w.message)]
    assert message.startswith("order-story: the order at 2023-01-01 13:00 is in the scenario's warm-up (until "
                              "2023-01-03 00:00)"), message
    found = re.search(r"with_changes\((\{.*?\})\)", message)
    assert found, message
    settled = story.with_changes(ast.literal_eval(found.group(1)))
    assert settled.start == dt.date(2022, 12, 30) and float(settled.duration) == 5 * 24.0  # the same end
    at = settled.hours_since_start(dt.datetime(2023, 1, 1, 13))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)  # none: the warm-up is over at the order
        sim.order_outcomes(settled, sim.Order("grain", 5, at), replications=1, executor="serial")
