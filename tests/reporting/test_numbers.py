"""Numbers for people: separators, significant figures, no e-notation, intervals clipped at bounds."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from sim.reporting.labels import kpi_bounds
from sim.reporting.numbers import estimate, interval, number
from sim.reporting.tables import format_summary

E_NOTATION = re.compile(r"\d[eE][+-]?\d")


@pytest.mark.parametrize(("x", "text"), [
    (2_213_456.7, "2,213,000"), (0.000012, "0.000012"), (1e9, "1,000,000,000"), (15_910.3, "15,910"),
    (0.7171, "0.7171"), (-1_234_567, "-1,235,000"), (0.0, "0"), (-0.0, "0"), (1e-15, "0"), (9.99996, "10"),
    (math.nan, "–"), (math.inf, "–"), (None, "–"), (123.0, "123"),
])
def test_numbers_have_separators_and_no_exponent(x: float, text: str) -> None:
    assert number(x) == text


def test_no_magnitude_gives_e_notation() -> None:
    for exponent in range(-11, 19):
        for mantissa in (1.0, 2.5, 9.99):
            for sign in (1, -1):
                x = sign * mantissa * 10.0**exponent
                assert not E_NOTATION.search(number(x)), x
                half = abs(x) / 7
                assert not E_NOTATION.search(estimate(x, x - half, x + half, 10).text), x


@pytest.mark.parametrize(("args", "text"), [
    ((2_213_456, 2_147_333, 2_279_579, 10), "2,213,000 ± 66,000"),   # the mean to the CI's precision
    ((0.717, 0.635, 0.799, 3), "0.717 ± 0.082"),
    ((1_572_343.7, 1_572_340.4, 1_572_347.0, 5), "1,572,344 ± 3"),   # never more than 7 figures
    ((0.0, 0.0, 0.0, 3), "0 ± 0"),
    ((-150.0, -170.0, -130.0, 5), "-150 ± 20"),                      # differences may be negative
    ((12.3, math.nan, math.nan, 1), "12.3 (n=1, n too small for a CI)"),
    ((math.nan, math.nan, math.nan, 0), "–"),
])
def test_estimates(args: tuple[float, float, float, int], text: str) -> None:
    assert estimate(*args).text == text


@pytest.mark.parametrize(("mean", "half", "text"), [
    (-103.8, 101.40633771059572, "-104 ± 101"),   # compare's verdict 'lower' beside '-100 ± 100' (1–31 Jan 2024)
    (103.8, 101.4, "104 ± 101"),
    (-1.004, 0.9996, "-1.004 ± 1.000"),          # as many more decimals as it takes (here two)
    (-150.0, 20.0, "-150 ± 20"),                  # unchanged where the rounding already keeps 0 out
    (-100.0, 101.4, "-100 ± 100"),                # an interval holding 0 keeps its two figures
])
def test_an_interval_that_excludes_zero_is_never_written_as_reaching_it(mean: float, half: float, text: str) -> None:
    cell = estimate(mean, mean - half, mean + half, 10).text
    assert cell == text
    shown_mean, shown_half = (float(x.replace(",", "")) for x in cell.split(" ± "))
    assert (abs(shown_mean) > shown_half) == (abs(mean) > half)


def test_non_negative_kpis_never_show_an_interval_below_zero() -> None:
    cell = estimate(4.213, 4.213 - 5.7, 4.213 + 5.7, 3, kpi_bounds("held_trains_mean"))
    assert cell.text == "4.2 [0 – 9.9]" and cell.clipped
    assert interval(0.99, 0.97, 1.01, 3, kpi_bounds("unloading_utilization")) == ("0.990", "0.970 – 1.000", True)
    # a utilisation above 1 (capacity raised in a window) is not clipped below its own mean
    assert interval(1.05, 1.0, 1.1, 3, kpi_bounds("unloading_utilization"))[2] is False
    assert kpi_bounds("recovery_days.admin-hold") == (0.0, math.inf)
    assert kpi_bounds("difference of something") == (-math.inf, math.inf)


def _summary(rows: list[tuple[str, str, int, float, float]]) -> pd.DataFrame:
    out = []
    for kpi, cargo, n, mean, half in rows:
        out.append({"cargo": cargo, "kpi": kpi, "n": n, "mean": mean, "sd": np.nan,
                    "ci95_low": mean - half, "ci95_high": mean + half})
    return pd.DataFrame(out)


def test_run_table_units_n_clipping_and_not_set() -> None:
    s = _summary([("tonnes_delivered", "all", 10, 2_213_456.0, 66_123.0),
                  ("held_trains_mean", "all", 10, 4.213, 5.7),
                  ("recovery_days", "all", 4, 3.0, 1.0),
                  ("idle_cost_usd", "all", 0, math.nan, math.nan)])
    text = format_summary(s, notes={"idle_cost_usd": "not set (costs.wagon_day_usd)"}, replications=10)
    lines = {ln.split()[0]: ln for ln in text.splitlines() if ln.split()}
    assert "over 10 replications" in text
    assert lines["tonnes_delivered"].split()[1] == "t" and lines["tonnes_delivered"].endswith("2,213,000 ± 66,000")
    assert lines["held_trains_mean"].endswith("4.2 [0 – 9.9]") and "clipped at the KPI's bound" in text
    assert lines["recovery_days"].endswith("3.0 ± 1.0 (n = 4 of 10 recovered)")
    assert lines["idle_cost_usd"].endswith("not set")
    assert "idle_cost_usd: not set (costs.wagon_day_usd)" in text
    one = format_summary(_summary([("tonnes_delivered", "all", 1, 5.0, math.nan)]), replications=1)
    assert "mean of 1 replication" in one and "n too small for a CI" in one and "(n=1" not in one
