"""A comparison's report: the before/after plots shade the warm-up, as `run`'s do (a season compared with
`--set warmup=…`, docs/howto/compare-levers.md, drew the whole run unmarked while its KPIs counted only
the season), and "what differs" says a removed key is not set."""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd

import sim
from sim.reporting.compare_plots import daily_overlay
from tests.decision.conftest import SMALL


def _spans(fig, gid: str) -> list:  # type: ignore[no-untyped-def]
    return [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]


def test_the_warm_up_is_shaded_and_only_when_there_is_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    base = sim.load_scenario(path)
    for warmup, shaded in ((31 * 24, True), (0, False)):
        s = base.with_changes({"warmup": f"{warmup}h", "duration": "40d"})
        result = sim.compare([s, s.with_changes({"unloading.grain.points": 12})], replications=2, executor="serial")
        fig = daily_overlay(result)
        assert fig is not None
        spans = _spans(fig, "window:warm-up")
        assert bool(spans) == shaded
        if shaded:
            left = spans[0].get_x()
            right = left + spans[0].get_width()
            assert mdates.num2date(left).date() == pd.Timestamp("2024-01-01").date()
            assert mdates.num2date(right).date() == pd.Timestamp("2024-02-01").date()
            assert "warm-up (not in KPIs)" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_a_removed_key_reads_not_set_in_what_differs() -> None:
    """`--set 2:checks.phytosanitary.hours=~` showed '08:00-20:00 → —' in the report's "what differs"."""
    from sim.reporting.experiment_report import changes_from

    scenario = {"checks": [{"name": "phytosanitary", "hours": "08:00-20:00", "time": 6.0}]}
    removed = {"checks": [{"name": "phytosanitary", "time": 6.0}]}
    assert changes_from(scenario, removed) == [("checks[0].hours", "08:00-20:00", "not set")]
    assert changes_from(removed, scenario) == [("checks[0].hours", "not set", "08:00-20:00")]
