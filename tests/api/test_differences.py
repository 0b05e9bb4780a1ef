"""Comparison.differences refuses a baseline, KPI or level it cannot use, rather than an empty table.

`differences(baseline="base")` and `differences(kpis=["nope"])` returned an empty table; level=95 (a
percentage) a table of NaN intervals; level=0 intervals of width 0.
"""

from __future__ import annotations

import pytest

import sim
from sim.analysis.choices import ChoiceError
from sim.experiments.arguments import ArgumentError


@pytest.fixture(scope="module")
def comparison(short: sim.Scenario) -> sim.Comparison:
    more = short.with_changes({"unloading.grain.points": 8})
    return sim.compare([short, more], names=["six", "eight"], replications=3, executor="serial")


@pytest.mark.parametrize(("kwargs", "error", "says"), [
    ({"baseline": "Six"}, ChoiceError, ("unknown baseline scenario 'Six' (did you mean 'six'?); expected one of: six, "
                                       "eight")),
    ({"kpis": ["nope"]}, ChoiceError, "unknown KPI 'nope'"),
    ({"level": 95}, ArgumentError, "level must be a share between 0 and 1 such as 0.95 (for 95 %), got 95"),
    ({"level": 0}, ArgumentError, "got 0"),
    ({"level": float("nan")}, ArgumentError, "got nan"),
    ({"level": "95%"}, ArgumentError, "got '95%'"),
])
def test_refused_by_name(comparison: sim.Comparison, kwargs: dict, error: type, says: str) -> None:
    with pytest.raises(error) as info:
        comparison.differences(**kwargs)
    assert says in str(info.value)


def test_one_kpi_as_text_and_another_baseline(comparison: sim.Comparison) -> None:
    table = comparison.differences(baseline="eight", kpis="wagons_delivered", level=0.9)
    assert set(table["kpi"]) == {"wagons_delivered"} and set(table["baseline"]) == {"eight"}
    wide = comparison.differences(baseline="eight", kpis="wagons_delivered")
    assert (table["half_width"] <= wide["half_width"]).all()  # a 90 % interval is no wider than the 95 % one
