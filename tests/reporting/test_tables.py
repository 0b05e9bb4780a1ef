"""Terminal KPI tables: a mean over only some replications says so (n), and unrecovered windows show."""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.stats import summarise
from sim.reporting.tables import HEADLINE_KPIS, format_summary, subset


def _summary() -> pd.DataFrame:
    kpis = pd.DataFrame({
        "replication": list(range(10)),
        "cargo": ["all"] * 10,
        "tonnes_delivered": [100.0 + i for i in range(10)],
        "dwell_h_mean": [5.0] * 7 + [math.nan] * 3,
        "recovery_days": [52.47] + [math.nan] * 9,
        "recovery_days.hold": [math.nan] * 10,
        "unrecovered_disruptions": [0.0] + [1.0] * 9,
    })
    return summarise(kpis)


def test_summary_n_counts_the_replications_that_contributed() -> None:
    s = _summary().set_index("kpi")["n"]
    assert (s["tonnes_delivered"], s["dwell_h_mean"], s["recovery_days"], s["recovery_days.hold"]) == (10, 7, 1, 0)


def test_a_mean_over_some_replications_shows_n() -> None:
    text = format_summary(_summary(), [*HEADLINE_KPIS, "dwell_h_mean", "recovery_days.hold"], replications=10)
    lines = {line.split()[0]: line.rstrip() for line in text.splitlines()[2:]}
    assert lines["recovery_days"].endswith("52.47 (n = 1 of 10 recovered)")  # not a 10-replication mean
    assert lines["recovery_days.hold"].endswith("– (n = 0 of 10 recovered)")
    assert "(n = 7 of 10)" in lines["dwell_h_mean"]
    assert "n =" not in lines["tonnes_delivered"] and "n =" not in lines["unrecovered_disruptions"]
    unit, value = lines["unrecovered_disruptions"].split()[1:3]
    assert unit == "windows" and float(value) == 0.9  # shown by default, with its unit


def test_subset_is_empty_for_every_replication() -> None:
    assert subset("dwell_h_mean", 10, 10) == ""
    assert subset("recovery_days", 6, 10, " pairs") == " (n = 6 of 10 pairs recovered)"
