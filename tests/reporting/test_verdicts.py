"""The comparison table's verdict: 'higher', 'lower' or 'no clear difference' at 95 %, read from the
paired CI the table prints (an analyst could not tell whether '-3 % ± 4 %' was a difference), and in
words where no CI exists (one pair, no pair), never a blank."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import verdict as v
from sim.experiments.compare import paired_differences
from sim.reporting.tables import VERDICT_NOTE, format_differences

N = 10
NAN = math.nan


def _kpis() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    base = {k: rng.normal(100, 10, N) for k in ("up", "down", "same", "one", "none", "equal")}
    alt = {"up": base["up"] + rng.normal(5, 1, N), "down": base["down"] - rng.normal(5, 1, N),
           "same": base["same"] + rng.normal(0, 1, N), "one": np.r_[base["one"][:1] + 1, [NAN] * (N - 1)],
           "none": np.full(N, NAN), "equal": base["equal"].copy()}
    rows = [{"scenario": s, "replication": r, "cargo": "all", **{k: d[k][r] for k in d}}
            for s, d in (("A", base), ("B", alt)) for r in range(N)]
    return pd.DataFrame(rows)


def test_each_kpi_gets_the_verdict_its_paired_ci_gives() -> None:
    diff = paired_differences(_kpis(), "A", ["A", "B"]).set_index("kpi")
    assert diff["verdict"].to_dict() == {"up": v.HIGHER, "down": v.LOWER, "same": v.UNCLEAR, "one": v.ONE_PAIR,
                                         "none": v.NO_PAIRS, "equal": v.EQUAL}
    kpis = _kpis()
    for kpi in ("up", "down", "same"):  # the CI behind each verdict is scipy's paired-t interval
        a, b = (kpis.loc[kpis["scenario"] == s, kpi].to_numpy() for s in ("A", "B"))
        ci = stats.ttest_rel(b, a).confidence_interval(0.95)
        assert (diff.loc[kpi, "ci95_low"], diff.loc[kpi, "ci95_high"]) == pytest.approx((ci.low, ci.high))
        said = v.HIGHER if ci.low > 0 else v.LOWER if ci.high < 0 else v.UNCLEAR
        assert diff.loc[kpi, "verdict"] == said


def test_the_verdict_follows_the_level_of_the_interval() -> None:
    """A difference told at 80 % may not be at 99 %: the verdict is the CI's, at the CI's level."""
    rng = np.random.default_rng(5)
    a = rng.normal(50, 5, N)
    b = a + rng.normal(0.0, 1.0, N)
    b = b - (b - a).mean() + 1.4 * (b - a).std(ddof=1) / math.sqrt(N)  # t = 1.4: told at 80 %, not at 95 %
    kpis = pd.DataFrame({"scenario": ["A"] * N + ["B"] * N, "replication": [*range(N)] * 2, "cargo": "all",
                         "x": np.r_[a, b]})
    assert paired_differences(kpis, "A", ["A", "B"], level=0.8).iloc[0]["verdict"] == v.HIGHER
    assert paired_differences(kpis, "A", ["A", "B"], level=0.95).iloc[0]["verdict"] == v.UNCLEAR


def test_the_terminal_table_says_each_verdict_in_words() -> None:
    diff = paired_differences(_kpis(), "A", ["A", "B"])
    text = format_differences(diff, "A", "B", "all", ["up", "down", "same", "one", "none", "equal"], N, 1)
    lines = text.split("\n\n")[-1].splitlines()  # the verdict's part, when split to fit 100 columns
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))  # the header may wrap
    assert lines[rule - 1].split("  ")[-1].strip() == "verdict (95 %)"
    ends = {line.split()[0]: line for line in lines[rule + 1:rule + 7]}
    assert ends["up"].endswith("  higher") and ends["down"].endswith("  lower")
    assert ends["same"].endswith("  no clear difference")
    assert ends["one"].endswith("  cannot tell: one pair only, no CI")
    assert ends["none"].endswith("  cannot tell: no pair has a value")
    assert ends["equal"].endswith("  no difference (equal in every pair)")
    assert VERDICT_NOTE in lines
    assert "nan" not in text.lower()
