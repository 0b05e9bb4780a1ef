"""A verdict over only some of the pairs says so (sim.analysis.verdict).

A variant that never recovers from a disruption in half its replications was 'higher' (or 'lower': better)
on recovery_days from the replications in which both recovered, in the terminal, report.html and
differences.csv alike, while the column beside it counted the pairs only in the difference's note.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from sim.analysis import verdict as v
from sim.experiments.compare import paired_differences
from sim.reporting.tables import format_differences

N = 8


def _kpis() -> pd.DataFrame:
    """recovery_days: the variant recovers 2 days sooner (±0.1), but only in 4 of 8 replications."""
    rng = np.random.default_rng(3)
    base = rng.normal(15, 2, N)
    alt = base - 2 + rng.normal(0, 0.1, N)
    alt[4:] = math.nan
    full = base + rng.normal(1, 0.1, N)  # every pair has a value
    return pd.DataFrame({"scenario": ["A"] * N + ["B"] * N, "replication": [*range(N)] * 2, "cargo": "all",
                         "recovery_days": np.r_[base, alt], "dwell_h_mean": np.r_[base, full]})


def test_a_verdict_over_some_pairs_says_how_many_in_the_csv_and_the_table() -> None:
    diff = paired_differences(_kpis(), "A", ["A", "B"]).set_index("kpi")
    said = "lower, in the 4 of 8 pairs where both have a value"
    assert diff.loc["recovery_days", "verdict"] == said
    assert diff.loc["dwell_h_mean", "verdict"] == v.HIGHER  # every pair: the verdict alone
    text = format_differences(diff.reset_index(), "A", "B", "all", ["recovery_days", "dwell_h_mean"], N, 1)
    verdicts = text.split("\n\n")[-1].splitlines()  # the table's part with the verdict (a wide table is split)
    first = next(i for i, line in enumerate(verdicts) if line.startswith("recovery_days"))
    wrapped = [verdicts[first], *itertools.takewhile(lambda line: line.startswith(" "), verdicts[first + 1:])]
    assert " ".join(" ".join(wrapped).split()).endswith(said), text  # its cell wraps onto lines of its own
    assert next(line for line in verdicts if line.startswith("dwell_h_mean")).rstrip().endswith("higher")


def test_one_pair_and_no_pair_keep_their_words() -> None:
    assert v.verdict(1, math.nan, math.nan, 8) == v.ONE_PAIR
    assert v.verdict(0, math.nan, math.nan, 8) == v.NO_PAIRS
    assert v.verdict(8, 1.0, 2.0, 8) == v.HIGHER
    assert v.verdict(3, 0.0, 0.0, 8) == f"{v.EQUAL}, in the 3 of 8 pairs where both have a value"


def test_differences_png_labels_a_bar_over_some_pairs_with_their_count() -> None:
    from sim.reporting.compare_plots import difference_panels
    from sim.reporting.figures import close

    fig = difference_panels(paired_differences(_kpis(), "A", ["A", "B"]), ["A", "B"], N,
                            ["recovery_days", "dwell_h_mean"])
    try:
        labels = {t.get_gid(): t.get_text() for ax in fig.axes for t in ax.texts}
        assert labels["label:recovery_days:B"].endswith(" — 4 of 8 pairs"), labels
        assert "pairs" not in labels["label:dwell_h_mean:B"], labels
    finally:
        close(fig)


def test_the_same_difference_in_every_pair_is_said_without_a_95_percent_claim() -> None:
    """11 trains against 12 in each of 2 replications: a CI of width 0 was 'higher' at '95 %'."""
    kpis = pd.DataFrame({"scenario": ["A"] * 3 + ["B"] * 3, "replication": [0, 1, 2] * 2, "cargo": "all",
                         "trains": [11.0, 12.0, 13.0, 12.0, 13.0, 14.0], "share": [0.2, 0.3, 0.4, 0.1, 0.2, 0.3],
                         "held": [0.0] * 6})
    diff = paired_differences(kpis, "A", ["A", "B"]).set_index("kpi")
    assert diff.loc["trains", "verdict"] == v.HIGHER_EVERY
    assert diff.loc["share", "verdict"] == v.LOWER_EVERY  # -0.1 each time, up to rounding
    assert diff.loc["held", "verdict"] == v.EQUAL
    assert v.verdict(5, 1.0, 1.5) == v.HIGHER


def test_both_means_of_a_partly_recovered_disruption_say_how_many_pairs_they_cover() -> None:
    """recovery_days.<name> recovered in both runs in 4 of 8 replications: the baseline's and the variant's
    means are over those 4 pairs (so that they differ by the difference shown), but only the difference
    and the verdict said so: '14.67' beside '12.73' read as every replication's."""
    from sim.reporting.numbers import number
    from sim.reporting.tables import difference_rows

    kpis = _kpis().rename(columns={"recovery_days": "recovery_days.admin-hold"})
    diff = paired_differences(kpis, "A", ["A", "B"])
    (row, full) = difference_rows(diff, "B", "all", ["recovery_days.admin-hold", "dwell_h_mean"], N)
    base, alt = kpis[kpis["scenario"] == "A"], kpis[kpis["scenario"] == "B"]
    both = alt["recovery_days.admin-hold"].notna().to_numpy()
    mean = base["recovery_days.admin-hold"].to_numpy()[both].mean()
    assert row[2] == f"{number(mean)} (n = 4 of 8 pairs recovered)", row
    assert row[3].endswith(" (n = 4 of 8 pairs recovered)") and row[4].endswith(" (n = 4 of 8 pairs recovered)")
    assert "n =" not in full[2] and "n =" not in full[3]  # every pair: the mean alone
