"""sim.sweep's `vary`: a value given twice, or something else than a mapping, is refused by name.

`vary={"unloading.grain.points": [4, 4]}` ran the point twice on the same random numbers and pooled
them: a 95 % CI of twins, far too narrow (sd 0 with one replication each). A list of pairs was an
AttributeError from inside.
"""

from __future__ import annotations

import pytest

import sim
from sim.experiments.arguments import ArgumentError


@pytest.mark.parametrize(("vary", "says"), [
    ({"unloading.grain.points": [4, 4]}, "lever 'unloading.grain.points' has the value 4 twice; give each value once"),
    ({"unloading.grain.points": [4, 5], "checks.customs.time.mean": ["2h", "3h", "2h"]},
     "lever 'checks.customs.time.mean' has the value \"2h\" twice"),
    ([("unloading.grain.points", [4, 5])], ("vary must be a mapping of key paths to lists of values, e.g. "
                                           "{'unloading.grain.points': [4, 6, 8]}; got a list of 1 item")),
    ("unloading.grain.points=4,5", "vary must be a mapping of key paths to lists of values"),
    ({}, "vary needs at least one lever"),
])
def test_refused_before_anything_runs(short: sim.Scenario, vary: object, says: str) -> None:
    with pytest.raises(ArgumentError) as info:
        sim.sweep(short, vary, replications=1, executor="serial")  # type: ignore[arg-type]
    assert says in str(info.value)


def test_a_key_that_is_no_text_is_named(short: sim.Scenario) -> None:
    with pytest.raises(ArgumentError, match=r"vary.s keys are key paths as text, .*; got the number 3"):
        sim.sweep(short, {3: [4, 5]}, replications=1, executor="serial")  # type: ignore[dict-item]


def test_a_huge_lever_is_refused_at_once(short: sim.Scenario) -> None:
    """The grid's size is refused before its values are listed or compared: `range(10**12)` was listed first (memory),
    and each value was compared with every earlier one, so 100,000 values took hours to reach the grid limit."""
    import time

    start = time.process_time()
    for vary in ({"unloading.grain.points": range(1, 10**12)}, {"unloading.grain.points": list(range(1, 100_001))}):
        with pytest.raises(ArgumentError, match=r"the grid of lever values has [\d,]+ points .*the limit is 10,000"):
            sim.sweep(short, vary, replications=1, executor="serial")
    assert time.process_time() - start < 5  # (seconds: it took hours)


def test_null_given_twice_is_a_repeated_value(short: sim.Scenario) -> None:
    """A repeated `~` (None) was missed: the repeat found was None, read as no repeat, and both points ran."""
    with pytest.raises(ArgumentError, match=r"lever 'checks\.phytosanitary\.hours' has the value null twice"):
        sim.sweep(short, {"checks.phytosanitary.hours": [None, "08:00-20:00", None]}, replications=1,
                  executor="serial")
