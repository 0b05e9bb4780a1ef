"""Comparison.differences refuses a baseline, KPI or level it cannot use, rather than an empty table.

`differences(baseline="base")` and `differences(kpis=["nope"])` returned an empty table; level=95 (a
percentage) a table of NaN intervals; level=0 intervals of width 0.
"""

from __future__ import annotations

import pytest

import sim
from sim.analysis.choices import ChoiceError
from sim.experiments.arguments import ArgumentError
from sim.experiments.compare import paired_differences


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


def test_the_ci_columns_say_the_level_used(comparison: sim.Comparison) -> None:
    """differences(level=0.9) labelled its 90 % bounds `ci95_*`; 0.95 keeps the names saved files use."""
    kpi = "backlog_wagons_mean"
    today = comparison.differences(kpis=kpi)
    assert list(today.columns[8:10]) == ["ci95_low", "ci95_high"]
    ninety = comparison.differences(kpis=kpi, level=0.9)
    assert "ci95_low" not in ninety.columns
    assert {"ci90_low", "ci90_high"} <= set(ninety.columns)
    half = (ninety["ci90_high"] - ninety["ci90_low"]) / 2
    assert ((half - ninety["half_width"]).abs() <= 1e-9 * (1 + ninety["half_width"].abs())).all()
    assert (ninety["half_width"] <= today["half_width"]).all() and (ninety["half_width"] < today["half_width"]).any()
    odd = paired_differences(comparison.kpis, "six", comparison.names, [kpi], level=0.975)
    assert {"ci97.5_low", "ci97.5_high"} <= set(odd.columns)


def test_a_level_whose_columns_would_round_to_another_level_keeps_its_digits() -> None:
    """0.9999999 was named ci100_* (a 100 % CI, which does not exist) and 1e-300 ci0_*: six digits of %g."""
    from sim.analysis.stats import ci_columns

    assert ci_columns(0.9999999) == ("ci99.99999_low", "ci99.99999_high")
    assert ci_columns(1e-300)[0] == "ci1e-298_low"
    assert ci_columns(0.07) == ("ci7_low", "ci7_high") and ci_columns(0.95) == ("ci95_low", "ci95_high")
    assert len({ci_columns(x) for x in (0.999999, 0.9999999, 0.99999999, 1 - 1e-14)}) == 4
