"""Calibration in the analyst's units: parameters as trains a day / points / hours with the factor beside,
CIs clipped at a KPI's bound (tables and plot), and a progress total fixed before the first task."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

import sim
from sim import calibrate
from sim.decision.targets import targets_from_data
from sim.reporting.analyst_units import in_units
from sim.reporting.decision_tables import calibration_text, pm
from tests.decision.conftest import HOLD

PARAM = "disruptions.hold.capacity"   # the handover's quota of 100 trains a day, scaled during the hold
SPEC = {"targets": [{"kpi": "backlog_wagons_max", "window": {"from": HOLD[0], "to": HOLD[1]}, "value": 1500,
                     "tolerance": 500},
                    {"kpi": "stop_loading_days", "value": 0.5, "tolerance": 0.5}],
        "parameters": [{"path": PARAM, "low": 0.05, "high": 0.12},
                       {"path": "unloading.grain.wagon_time.mean", "low": 0.8, "high": 1.2}]}


@pytest.fixture(scope="module")
def fitted() -> tuple[sim.decision.Calibration, str]:
    import contextlib
    import io

    from sim.scenario.loader import parse_yaml, validate_scenario
    from tests.decision.conftest import SMALL

    start = validate_scenario(parse_yaml(SMALL, "small"), "small")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        result = calibrate(start, targets_from_data(SPEC), candidates=5, replications=2, batch=2, seed=3, profile=2,
                           executor="serial", progress=True)
    return result, err.getvalue()


def test_parameters_are_shown_in_the_analysts_units_with_the_factor(fitted: tuple) -> None:
    result, _ = fitted
    text = calibration_text(result, 2)
    fit = result.fit.set_index("parameter")
    best = fit.loc[PARAM, "best"]
    quota = math.floor(100 * best + 1e-9)
    row = next(ln for ln in text.splitlines() if ln.startswith(PARAM))
    assert f"{quota} trains a day (× {float(f'{best:.3g}'):g} of 100)" in row
    assert "7 trains a day (× 0.075 of 100)" in row        # before: the scenario's 0.075
    # its row in each part of the table (split to fit the terminal's width), one after the other
    hours = "  ".join(ln for ln in text.splitlines() if ln.startswith("unloading.grain.wagon_time.mean"))
    assert re.search(r" 0.8 to 1.2 h ", hours)   # a range in one unit (not "48 min to 1.2 h")
    # the unit of every kind of key the analyst pulls
    assert in_units(result.scenario, "unloading.grain.points", 8) == "8 points"
    assert in_units(result.scenario, PARAM, 0.0) == "closed (× 0)"
    assert in_units(result.scenario, "disruptions.hold.time_factor", 1.5) == "× 1.5 the usual time"
    assert in_units(result.scenario, "empties.return_time.mean", 144) == "6 days"


def test_intervals_are_clipped_at_a_kpis_bound_and_marked(fitted: tuple) -> None:
    result, _ = fitted
    assert pm(9, 13, "stop_loading_days") == "9 [0 – 22]"
    assert pm(9, 13) == "9 ± 13"        # a difference may be negative: not clipped
    targets = result.targets.copy()
    targets["model_mean"], targets["model_ci95_low"], targets["model_ci95_high"] = 9.0, -4.0, 22.0
    forced = type(result)(**{**result.__dict__, "targets": targets})
    text = calibration_text(forced, 2)
    assert "9 [0 – 22]" in text and "clipped at the KPI's bound" in text
    from sim.reporting.decision_plots import targets_vs_model

    fig = targets_vs_model(targets, 2)
    ax = fig.axes[0]
    lows = [seg[:, 0].min() for coll in ax.collections if hasattr(coll, "get_segments")
            for seg in coll.get_segments()]
    assert lows and min(lows) >= 0      # no CI drawn below zero
    from sim.reporting.figures import close

    close(fig)


def test_progress_total_is_fixed_before_the_first_task(fitted: tuple) -> None:
    result, bar = fitted
    totals = {int(t) for t in re.findall(r"\| *\d+/(\d+) ", bar)}
    profile = len(result.candidates[result.candidates["phase"] == "profile"])
    assert totals == {(5 + profile) * 2}     # never 0 → 4 → 8 …: the search's size is known up front
    assert profile == 4                        # 2 values × 2 parameters


def test_optimisation_progress_total_is_the_grid_when_it_fits(small: sim.Scenario, capsys: pytest.CaptureFixture) -> None:
    from sim.decision.levers import Lever
    from sim.decision.optimize import optimize

    optimize(small, [Lever(path="unloading.grain.points", low=9, high=11)], ["min:total_cost_usd"],
             candidates=10, replications=2, batch=2, executor="serial", progress=True)
    totals = {int(t) for t in re.findall(r"\| *\d+/(\d+) ", capsys.readouterr().err)}
    assert totals == {3 * 2}
    assert isinstance(pd.DataFrame(), pd.DataFrame)
