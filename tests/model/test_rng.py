"""Stories of the named random streams (sim.model.rng).

A stream is keyed by (seed, replication, name): the same key always gives the same numbers, any
other key gives others, and asking for (or drawing from) one stream never moves another. That is
what makes common random numbers work: a scenario that adds an element leaves every other
element's numbers where they were.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

import numpy as np

from sim.model.crossing import CrossingModel
from sim.model.rng import Streams
from sim.scenario.schema import Scenario


def first(streams: Streams, name: str, n: int = 5) -> list[float]:
    return streams.get(name).random(n).tolist()


def test_same_key_same_numbers() -> None:
    """Two Streams for seed 2023, replication 0 give 'demand.grain' the same numbers, every time."""
    assert first(Streams(2023, 0), "demand.grain") == first(Streams(2023, 0), "demand.grain")
    s = Streams(2023, 0)
    assert first(s, "demand.grain") == first(s, "demand.grain")  # a fresh generator per get()


def test_other_name_replication_or_seed_gives_other_numbers() -> None:
    """Changing any part of the key — name, replication, seed — changes the numbers."""
    base = first(Streams(2023, 0), "demand.grain")
    assert first(Streams(2023, 0), "demand.containers") != base
    assert first(Streams(2023, 1), "demand.grain") != base
    assert first(Streams(2024, 0), "demand.grain") != base
    # names differing by one character, or by case, are different streams
    assert first(Streams(2023, 0), "unloading.grain.point1.breakdowns") != first(
        Streams(2023, 0), "unloading.grain.point2.breakdowns")
    assert first(Streams(2023, 0), "Demand.grain") != base


def test_drawing_from_one_stream_does_not_move_another() -> None:
    """Asking for 'wind' first and drawing 10,000 numbers from it leaves 'transit' unchanged."""
    alone = first(Streams(7, 3), "line.transit_time")
    s = Streams(7, 3)
    s.get("disruptions.wind").random(10_000)
    assert first(s, "line.transit_time") == alone


def test_key_is_seed_replication_and_sha256_of_the_name() -> None:
    """The documented keying, re-derived: SeedSequence(entropy=seed, spawn_key=(replication, first
    and second 4 bytes of sha256(name), little-endian)) into PCG64 — and the first draws pinned,
    so that a change of keying (which would silently change every result) is caught."""
    digest = hashlib.sha256(b"demand.grain").digest()
    key = (0, int.from_bytes(digest[:4], "little"), int.from_bytes(digest[4:8], "little"))
    own = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=2023, spawn_key=key)))
    assert Streams(2023, 0).get("demand.grain").random(5).tolist() == own.random(5).tolist()
    assert Streams(2023, 0).get("demand.grain").integers(0, 2**32, 3).tolist() == [1008453874, 106102917, 2950628830]


SCENARIO: dict[str, Any] = {
    "name": "crn",
    "start": "2023-01-01",
    "duration": "20d",
    "seed": 5,
    "cargo": {"grain": {"payload_t": 68, "wagons_per_train": 10}},
    "demand": {"grain": {"trains_per_day": 3, "arrivals": "poisson"}},
    "line": {"transit_time": {"dist": "lognormal", "mean": "20h", "sd": "6h"}},
    "unloading": {"grain": {"points": 2, "wagon_time": {"dist": "gamma", "mean": "1h", "cv": 0.3}}},
}


def line_rows(scenario: Scenario, replication: int = 0) -> list[tuple]:
    trace = CrossingModel(scenario, replication, trace=True).run().diagnostics["trace"]
    return [row for row in trace if row[2] == "line"]


def test_adding_a_check_leaves_every_trains_line_times_unchanged() -> None:
    """Poisson demand and lognormal transit: adding a customs check with a random time (its own
    stream) changes what happens after the line, but every train's line entry and exit times are
    the same numbers. Another replication gives other line times."""
    plain = Scenario.model_validate(SCENARIO)
    data = copy.deepcopy(SCENARIO)
    data["checks"] = [{"name": "customs", "time": {"dist": "exponential", "mean": "3h"}}]
    with_check = Scenario.model_validate(data)
    rows = line_rows(plain)
    assert len(rows) > 60
    assert sorted(line_rows(with_check)) == sorted(rows)
    assert sorted(line_rows(plain, replication=1)) != sorted(rows)
