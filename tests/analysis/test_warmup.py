"""Warm-up by MSER-5: the statistic itself, known transients, too-short runs, and the API/CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import sim
from sim.analysis.warmup import mser, suggest_from_daily
from sim.cli import cli
from sim.experiments.arguments import ArgumentError

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"


def test_mser_is_the_textbook_statistic() -> None:
    y = np.array([9.0, 7, 5, 3, 2, 2.5, 1.5, 2, 2, 2.2, 1.8, 2, 1.9, 2.1, 2, 2])
    d, curve = mser(y, batch=2)
    z = y.reshape(8, 2).mean(axis=1)
    expected = [((z[k:] - z[k:].mean()) ** 2).sum() / (8 - k) ** 2 for k in range(5)]
    np.testing.assert_allclose(curve, expected)
    assert d == 2 * int(np.argmin(expected))


def test_finds_the_end_of_an_initial_transient() -> None:
    rng = np.random.default_rng(42)
    days = np.arange(365)
    y = 300 + 600 * np.exp(-days / 12) + rng.normal(0, 25, 365)  # settles after ~50 days (e^-4)
    d, _ = mser(y)
    assert 25 <= d <= 80


def test_stationary_series_needs_little_or_no_warmup() -> None:
    rng = np.random.default_rng(7)
    d, _ = mser(300 + rng.normal(0, 25, 365))
    assert d <= 40


def test_a_series_that_never_settles_is_flagged() -> None:
    import pandas as pd

    days = np.arange(200)
    daily = pd.DataFrame({"replication": 0, "day": days, "cargo": "all", "backlog_end": 5.0 * days})
    s = suggest_from_daily(daily)
    assert s.at_limit and "has not settled" in s.describe()


def test_too_short_series_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 20"):
        mser(np.ones(12))


def test_suggest_warmup_on_a_scenario_uses_its_daily_backlog() -> None:
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "90d", "warmup": "20d"})
    s = sim.suggest_warmup(scenario, replications=3, seed=9, executor="serial")
    assert len(s.series) == 90  # run with warmup 0: the whole series from day 0
    assert s.days % 5 == 0 and 0 <= s.days <= 45 and len(s.per_replication) == 3
    results = sim.run(scenario.with_changes({"warmup": 0}), replications=3, seed=9, executor="serial")
    mean = results.daily[results.daily["cargo"] == "all"].groupby("day")["backlog_end"].mean()
    np.testing.assert_allclose(s.series.to_numpy(), mean.to_numpy())
    assert s.days == mser(mean.to_numpy())[0]
    assert sim.suggest_warmup(results).days == s.days
    assert sim.plots.warmup(s).axes[0].lines


def test_cli_warmup() -> None:
    res = CliRunner().invoke(cli, ["warmup", str(BASELINE), "-n", "2", "--set", "duration=60d",
                                   "--executor", "serial", "-q"])
    assert res.exit_code == 0, res.output
    assert "Suggested warm-up:" in res.output and "MSER-5" in res.output


@pytest.mark.parametrize(("changes", "options", "message"), [
    ({}, {"cargo": "wheat"}, "no daily rows for cargo 'wheat'; expected one of: grain, containers, all"),
    ({}, {"column": "backlog"}, "no daily column 'backlog'; expected one of: arrivals_wagons"),
    ({"duration": "10d"}, {}, "MSER-5 needs at least 20 daily values, and the run has 10 days"),
])
def test_a_series_the_run_cannot_give_is_refused_before_any_replication(
        changes: dict[str, str], options: dict[str, str], message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`dostyk warmup --cargo wheat` (or a misspelt --series, or a 10-day run) ran every replication first."""
    import sim.experiments.warmup as warmup

    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("a replication ran before the inputs were checked")

    monkeypatch.setattr(warmup, "run", no_run)
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "60d", **changes})
    with pytest.raises(ArgumentError, match=message):
        sim.suggest_warmup(scenario, replications=2, executor="serial", **options)  # type: ignore[arg-type]
