"""A KPI, cargo or crossing the results do not hold is refused by name, never an empty answer.

`results.kpi("backlog_wagons_max", "Grain")` was an empty Series and an unknown KPI a pandas KeyError.
"""

from __future__ import annotations

import pytest

import sim
from sim.analysis.choices import ChoiceError


@pytest.mark.parametrize(("args", "says"), [
    (("backlog_wagons_max", "Grain"), ("unknown cargo 'Grain' (did you mean 'grain'?); expected one of: grain, "
                                       "containers, all")),
    (("backlog_wagons_max", "wheat"), "unknown cargo 'wheat'; expected one of: grain, containers, all"),
    (("backlog",), "unknown KPI 'backlog'"),
    (("backlog_wagon_max",), "unknown KPI 'backlog_wagon_max' (did you mean 'backlog_wagons_max'?)"),
    ((3,), "unknown KPI 3"),
    (("backlog_wagons_max", "all", "altynkol"), "unknown crossing 'altynkol'; expected one of: dostyk"),
])
def test_results_kpi_refuses_names_it_does_not_hold(results: sim.Results, args: tuple, says: str) -> None:
    with pytest.raises(ChoiceError) as info:
        results.kpi(*args)
    assert says in str(info.value)
    assert isinstance(info.value, sim.SimError) and isinstance(info.value, ValueError)


def test_results_kpi_still_answers_names_it_holds(results: sim.Results) -> None:
    values = results.kpi("wagons_delivered", "grain", crossing="dostyk")
    assert list(values.index) == [0, 1]
    assert (values > 0).all()
    assert results.kpi("wagons_delivered").equals(results.kpi("wagons_delivered", "all"))
