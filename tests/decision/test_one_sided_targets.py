"""One-sided figures (`at_least:` / `at_most:`) in a targets file and in a fit (sim.decision.targets, calibrate)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.decision.calibrate import discrepancy, ruled_out
from sim.decision.errors import InputError
from sim.decision.evaluate import Candidate
from sim.decision.targets import targets_from_data, targets_table


def target(**keys: object):  # type: ignore[no-untyped-def]
    return targets_from_data({"targets": [{"name": "x", "kpi": "wagons_rejected", **keys}]}, "t.yaml").targets[0]


def candidate(*values: float) -> Candidate:
    return Candidate({}, pd.DataFrame({"replication": range(len(values)), "x": values}))


def test_a_bound_counts_nothing_on_its_side_and_its_relative_shortfall_beyond() -> None:
    bound = target(at_least=360)
    assert bound.misfit(1000) == 0 and bound.misfit(360) == 0
    assert bound.misfit(270) == pytest.approx(0.25)          # 90 short of 360
    assert target(at_most=0).misfit(3) == 3                   # a bound of 0: the shortfall in the KPI's unit
    two = target(value=540, tolerance=180)                    # a two-sided figure keeps its meaning
    assert two.misfit(720) == 1 and two.band == (360, 720)
    assert discrepancy(candidate(400, 500), [bound]) == 0
    assert discrepancy(candidate(180, 180), [bound]) == pytest.approx(0.25)


def test_a_bound_rules_out_only_a_ci_entirely_on_the_wrong_side() -> None:
    bound = target(at_least=360)
    assert not ruled_out(candidate(300, 500, 400), [bound])
    assert ruled_out(candidate(100, 110, 105), [bound])
    assert not ruled_out(candidate(5000, 5100), [bound])      # no upper edge: more is never too much


def test_a_bound_reads_as_one_in_the_targets_table() -> None:
    table = targets_table([target(at_least=360), target(name="y", value=1, tolerance=1)])
    assert table["sided"].tolist() == ["at least", "two-sided"]
    assert table["observed"].tolist() == [360, 1] and math.isnan(table["tolerance"][0])


@pytest.mark.parametrize("key", ["value", "at_least", "at_most"])
def test_yes_or_no_is_not_a_number(key: str) -> None:
    """YAML's `yes` is true, which passed as a figure of 1."""
    with pytest.raises(InputError, match=f"targets\\[0\\].{key}: expected a number in the KPI's unit, got a yes/no value"):
        target(**{key: True, **({"tolerance": 1} if key == "value" else {})})
