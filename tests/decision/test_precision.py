"""`run --precision`: replications are added until every chosen CI is narrow enough, or the maximum says stop."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.decision.errors import InputError
from sim.decision.precision import check_precision, replicate_until_precise


def test_adds_replications_until_precise_and_extends_the_same_run(small: sim.Scenario) -> None:
    results, report = replicate_until_precise(small, "3%", [("tonnes_delivered", "all")], initial=3,
                                              max_replications=100, executor="serial")
    assert report.reached
    row = report.kpis.iloc[0]
    assert row["half_width"] <= 0.03 * row["mean"]
    n = results.replications
    assert n > 3 and report.rounds[0] == 3 and report.rounds[-1] == n
    # fewer replications were not enough (the CI was too wide one round earlier)
    previous = report.rounds[-2]
    short = sim.run(small, replications=previous, executor="serial").summary().set_index(["cargo", "kpi"])
    s = short.loc[("all", "tonnes_delivered")]
    assert (s["ci95_high"] - s["ci95_low"]) / 2 > 0.03 * s["mean"]
    # the same replications as a plain run of n (replication r always draws the same numbers)
    plain = sim.run(small, replications=n, executor="serial")
    pd.testing.assert_frame_equal(results.kpis, plain.kpis)


def test_stops_at_the_maximum_and_says_so(small_path: Path, tmp_path: Path) -> None:
    from sim.cli import cli

    out = tmp_path / "r"
    result = CliRunner().invoke(cli, ["run", str(small_path), "--precision", "0.1%", "-n", "3",
                                      "--max-replications", "8", "--executor", "serial", "--no-report",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "NOT reached — stopped at the maximum of 8 replications" in result.output
    assert "3 → 6 → 8" in result.output
    assert pd.read_csv(out / "kpis.csv")["replication"].nunique() == 8


def test_an_amount_typed_on_the_command_line_is_an_amount(small: sim.Scenario) -> None:
    """The docs' `--precision 50` (an amount in each KPI's unit) was refused: 'expected a percentage such as 5% or an
    amount in the KPI's unit, got the text '50''; typed, an amount is text, as the API's 50 is not."""
    assert check_precision(small, "50", 3, 10) == (50.0, False) == check_precision(small, 50, 3, 10)
    assert check_precision(small, " 2.5 ", 3, 10) == (2.5, False)
    assert check_precision(small, "5%", 3, 10) == (0.05, True)
    for typed in ("0", "-3", ".nan"):
        with pytest.raises(InputError, match="a tolerance must be above 0"):
            check_precision(small, typed, 3, 10)
    with pytest.raises(InputError, match="expected a percentage such as 5% or an amount"):
        check_precision(small, "fifty", 3, 10)
