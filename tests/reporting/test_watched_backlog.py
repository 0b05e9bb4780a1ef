"""The backlog plot's stop-loading lines are read against the backlog the rule watches: the combined
border backlog of the policy's cargo. On the all-cargo plot of a grain-only rule, the total stood at
4,600 wagons "above" the 2,500 line with no halt shaded; the plot now draws the watched backlog too
and says whose backlog the lines are about."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.reporting import plots

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def baseline() -> sim.Results:
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").with_changes({"duration": "45d"})
    return sim.run(scenario, replications=2, executor="serial")


def _lines(fig, gid: str) -> list:  # type: ignore[no-untyped-def]
    return [line for line in fig.axes[0].get_lines() if line.get_gid() == gid]


def test_a_grain_only_rule_draws_the_grain_backlog_and_names_it(baseline: sim.Results) -> None:
    fig = plots.backlog(baseline)
    watched = _lines(fig, "watched")
    assert len(watched) == 1
    grain = baseline.daily[baseline.daily["cargo"] == "grain"].groupby("date")["backlog_mean"].mean()
    assert list(watched[0].get_ydata()) == pytest.approx(grain.sort_index().tolist(), rel=1e-12)
    labels = [t.get_text() for t in fig.legends[0].get_texts()] if fig.legends else \
        [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "stop loading above 2,500 wagons of grain" in labels and "resume below 1,200 wagons of grain" in labels
    # the grain panel is the rule's own backlog: nothing added, the lines as they were
    alone = plots.backlog(baseline, cargo="grain")
    assert not _lines(alone, "watched")
    assert len([ln for ln in alone.axes[0].get_lines() if ln.get_gid() == "threshold"]) == 2


def test_a_rule_over_every_cargo_draws_no_second_line(baseline: sim.Results) -> None:
    s = baseline.scenario.with_changes({"policies.stop_loading.cargo": ["grain", "containers"]})
    both = sim.Results(s, baseline.seed, baseline.kpis, baseline.daily, baseline.events, [], baseline.metadata)
    assert not _lines(plots.backlog(both), "watched")
