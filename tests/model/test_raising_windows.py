"""A window may raise a capacity as well as lower it, and validate, the run and the plots agree.

Small fixed-time stories (sim.model stages with exact times): unloading is the bottleneck (3
points of 1 h a wagon, 72 wagons a day, against 90 requested), so every point works without a
gap once the backlog has built up, and `capacity: 1.34` ("one more point from day 10") must put
a 4th point to work exactly in its window. A second handover track (`capacity: 2` on a check of
one train at once) and a raised line quota are read the same way, on the trace and on the
gate's count per day. A factor that rounds back to the same capacity changes nothing: validate
says so and the plots do not shade it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import sim
from sim.cli import cli
from sim.experiments.results import Results
from sim.reporting.timeline import windows
from sim.scenario.effects import capacity_effects, describe_disruptions, scenario_warnings
from sim.scenario.schema import Scenario
from tests.model.corridor_stories import kpi, traced

DAY = 24.0
A, B = 10 * DAY, 20 * DAY  # 2023-01-11 to 2023-01-21
WINDOW = {"from": "2023-01-11", "to": "2023-01-21"}
STORY: dict[str, Any] = {
    "name": "raising",
    "start": "2023-01-01",
    "duration": "30d",
    "cargo": {"x": {"payload_t": 60, "wagons_per_train": 10}},
    "demand": {"x": {"trains_per_day": 9, "arrivals": "regular"}},
    "line": {"transit_time": 3.0},
    "yard": {"capacity_wagons": 5000},
    "checks": [{"name": "handover", "time": 1.0}],
    "unloading": {"x": {"points": 3, "wagon_time": 1.0}},
}


def story(*disruptions: dict[str, Any], **changes: Any) -> Scenario:
    data = copy.deepcopy(STORY)
    data.update(changes)
    data["disruptions"] = [{"name": f"w{i}", **WINDOW, **d} for i, d in enumerate(disruptions)]
    return Scenario.model_validate(data)


def at_once(trace: pd.DataFrame, stage: str, start: str, end: str) -> pd.DataFrame:
    """How many are in `stage` at once, at each change: columns t and n (after every event at t)."""
    rows = trace[trace["stage"] == stage]
    steps = pd.concat([pd.DataFrame({"t": rows[rows["what"] == start]["t"], "d": 1}),
                       pd.DataFrame({"t": rows[rows["what"] == end]["t"], "d": -1})])
    steps = steps.groupby("t")["d"].sum().sort_index()
    return pd.DataFrame({"t": steps.index, "n": steps.cumsum().to_numpy()})


def most_in(levels: pd.DataFrame, a: float, b: float) -> int:
    return int(levels[(levels["t"] >= a) & (levels["t"] < b)]["n"].max())


def test_raised_unloading_adds_points_exactly_in_its_window() -> None:
    raised = story({"target": "unloading.x", "capacity": 1.34})
    effect = capacity_effects(raised)[0]
    assert (effect.key, effect.base, effect.during) == ("points", 3, 4)  # what validate prints …
    assert "points 3 → 4 points (× 1.34)" in describe_disruptions(raised)[0]
    _, trace = traced(raised)
    levels = at_once(trace, "unloading.x", "wagon", "wagon_end")
    assert most_in(levels, 0, A) == 3 and most_in(levels, B, 30 * DAY) == 3
    assert most_in(levels, A, B) == effect.during  # … is what the run does
    ends = trace[(trace["stage"] == "unloading.x") & (trace["what"] == "wagon_end")]["t"]
    # the backlog never empties: 4 points of 1 h clear exactly 96 wagons in each whole day of the window
    for day in range(10, 20):
        assert ((ends > day * DAY) & (ends <= (day + 1) * DAY)).sum() == 96
    assert ((ends > 25 * DAY) & (ends <= 26 * DAY)).sum() == 72


def test_raising_unloading_improves_the_paired_comparison() -> None:
    base, _ = traced(story())
    raised, _ = traced(story({"target": "unloading.x", "capacity": 1.34}))
    # 10 days of one more point, busy all the time: 240 more wagons unloaded, exactly
    assert kpi(raised, "wagons_delivered") - kpi(base, "wagons_delivered") == 240
    assert kpi(raised, "backlog_wagons_mean") < kpi(base, "backlog_wagons_mean")
    assert kpi(raised, "dwell_h_mean") < kpi(base, "dwell_h_mean")
    # every point, the added one too, is busy all the time once the jam has built up: utilisation
    # counts the added point-hours as capacity, so it stays a share (here of 3 × 720 + 240 point-hours)
    assert kpi(base, "unloading_utilization") < kpi(raised, "unloading_utilization") <= 1.0
    days = raised.daily[raised.daily["cargo"] == "x"].set_index("day")["utilization"]
    assert days.loc[12] == pytest.approx(1.0, rel=1e-12) and days.loc[25] == pytest.approx(1.0, rel=1e-12)


def test_a_second_handover_track() -> None:
    checks = [{"name": "handover", "time": 4.0, "trains_at_once": 1}]  # 6 trains a day against 9
    plus = story({"target": "checks.handover", "capacity": 2}, checks=checks)
    assert "trains_at_once 1 → 2 trains at once (× 2)" in describe_disruptions(plus)[0]
    rep, trace = traced(plus)
    levels = at_once(trace, "checks.handover", "start", "end")
    assert most_in(levels, 0, A) == 1 and most_in(levels, A, B) == 2 and most_in(levels, B + 4, 30 * DAY) == 1
    base, _ = traced(story(checks=checks))
    assert kpi(rep, "backlog_wagons_mean") < kpi(base, "backlog_wagons_mean")


def test_a_raised_daily_quota_admits_more_trains_on_the_days_it_holds() -> None:
    line = {"transit_time": 3.0, "max_trains_per_day": 6}
    rep, _ = traced(story({"target": "line", "capacity": 1.5}, line=line))
    per_day = rep.diagnostics["gate_admitted_per_day"]["line"]
    assert {per_day[d] for d in range(1, 10)} == {6}
    assert {per_day[d] for d in range(10, 20)} == {9}
    assert {per_day[d] for d in range(21, 30)} == {6}


@pytest.mark.filterwarnings("ignore:.*changes nothing:UserWarning")
def test_a_factor_that_rounds_back_changes_nothing_and_is_not_shaded() -> None:
    s = story({"target": "unloading.x", "capacity": 1.2},  # 3.6 points: still 3
              {"target": "unloading.x", "capacity": 1.34})
    warned = [(path, text) for path, text in scenario_warnings(s) if "changes nothing" in text]
    assert [path for path, _ in warned] == ["disruptions.w0.capacity"] and "(3 points)" in warned[0][1]
    res = sim.run(s.with_changes({"duration": "25d"}), replications=1, executor="serial")
    fixed, _, _ = windows(res, "x")
    assert [w["name"] for w in fixed] == ["w1"]
    base = sim.run(story().with_changes({"duration": "25d"}), replications=1, executor="serial")
    kp = res.kpis.set_index("cargo")
    # the run agrees: only w1 changes anything (w0 alone would be the baseline exactly)
    only0 = sim.run(story({"target": "unloading.x", "capacity": 1.2}).with_changes({"duration": "25d"}),
                    replications=1, executor="serial")
    assert only0.kpis.set_index("cargo").loc["x", "wagons_delivered"] == \
        base.kpis.set_index("cargo").loc["x", "wagons_delivered"]
    assert kp.loc["x", "wagons_delivered"] > base.kpis.set_index("cargo").loc["x", "wagons_delivered"]


def test_halts_at_one_of_several_crossings_are_shaded_on_their_cargo(tmp_path: Path) -> None:
    stages = {k: copy.deepcopy(STORY[k]) for k in ("line", "yard", "checks", "unloading")}
    data = copy.deepcopy(STORY)
    for k in stages:
        data.pop(k)
    data["cargo"]["y"] = {"payload_t": 30, "wagons_per_train": 10}
    data["demand"]["y"] = {"trains_per_day": 1, "arrivals": "regular"}
    both = copy.deepcopy(stages["unloading"]) | {"y": {"points": 1, "wagon_time": 0.5}}
    one = both | {"x": {"points": 1, "wagon_time": 1.0}}  # 24 wagons a day at Dostyk against 45: a jam
    data["crossings"] = {"dostyk": stages | {"unloading": one}, "altynkol": copy.deepcopy(stages) | {"unloading": both}}
    data["routing"] = {"x": {"shares": {"dostyk": 1, "altynkol": 1}}, "y": {"shares": {"dostyk": 1}}}
    data["policies"] = {"stop_loading": {"cargo": ["x"], "above_wagons": 60, "resume_below": 20,
                                         "crossings": ["dostyk"]}}
    data["duration"] = "20d"
    res = sim.run(Scenario.model_validate(data), replications=1, executor="serial")
    res.write(tmp_path / "out")
    for r in (res, Results.read(tmp_path / "out")):
        _, _, halts = windows(r, "x")
        assert len(halts) > 0 and set(halts["target"]) == {"crossings.dostyk.demand.x"}
        assert windows(r, "y")[2].empty  # a halt of x is not y's


def test_compare_shows_the_raise_in_the_expected_direction(tmp_path: Path) -> None:
    data = copy.deepcopy(STORY) | {"duration": "25d"}
    data["demand"]["x"] = {"trains_per_day": 12, "arrivals": "poisson"}  # a jam that lasts past the window
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    data["disruptions"] = [{"name": "two-more-points", "target": "unloading.x", "capacity": 1.67, **WINDOW}]
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "-n", "3",
                                   "--executor", "serial", "--out", str(out)])
    assert res.exit_code == 0, res.output
    diff = pd.read_csv(out / "differences.csv").set_index(["cargo", "kpi"])
    # two more points busy all of the window's 10 days (of 1 h a wagon): 480 more wagons, in every replication
    assert diff.loc[("x", "wagons_delivered"), "difference"] == 480
    assert diff.loc[("x", "wagons_delivered"), "ci95_low"] > 0
    assert diff.loc[("x", "backlog_wagons_mean"), "ci95_high"] < 0
    assert np.isfinite(diff.loc[("x", "dwell_h_mean"), "difference"])
    assert diff.loc[("x", "dwell_h_mean"), "difference"] < 0


def test_raising_what_has_no_finite_capacity_is_refused_before_the_run() -> None:
    """Longer customs hours are not a capacity factor: a window cannot change `hours`, and a
    factor above 1 on a check with no finite capacity (hours only) is refused, naming the key."""
    data = copy.deepcopy(STORY)
    data["checks"] = [{"name": "customs", "time": 1.0, "hours": "08:00-20:00"}]
    data["disruptions"] = [{"name": "longer-hours", "target": "checks.customs", "capacity": 2, **WINDOW}]
    with pytest.raises(sim.SimError, match=r"disruptions\.longer-hours\.capacity.*no finite capacity to scale"):
        Scenario.from_data(data, "story.yaml")


def test_the_work_limit_counts_the_breakdowns_of_added_points() -> None:
    """Each point a window adds breaks down too (laid out in advance like the others), so the limit
    on breakdowns counts it: 3 points failing every hour for 30 days pass, × 100 of them do not."""
    data = copy.deepcopy(STORY)
    data["unloading"]["breakdowns"] = {"mtbf": "1h", "mttr": "1min"}
    Scenario.from_data(copy.deepcopy(data), "story.yaml")  # about 2,100 breakdowns: fine
    data["duration"] = "3000d"  # about 210,000: still fine without a raise
    Scenario.from_data(copy.deepcopy(data), "story.yaml")
    data["disruptions"] = [{"name": "huge", "target": "unloading.x", "capacity": 100, **WINDOW}]
    with pytest.raises(sim.SimError, match=r"unloading\.breakdowns\.mtbf: about 21,\d{3},\d{3} breakdowns"):
        Scenario.from_data(data, "story.yaml")


@pytest.mark.filterwarnings("ignore:.*changes nothing:UserWarning")
def test_the_deliveries_plot_draws_the_capacity_the_windows_leave() -> None:
    """validate's numbers, the model's points and the plot's capacity line are one: 3 points (72
    wagons a day × 60 t), 4 from 11 January (× 1.34), 3 again from 21 January; a window that
    rounds back adds no step."""
    from sim.reporting.corridor_plots import dated_unloading_capacity
    from sim.reporting.plots import deliveries

    s = story({"target": "unloading.x", "capacity": 1.34}, {"target": "unloading.x", "capacity": 1.2,
                                                            "from": "2023-01-25", "to": "2023-01-28"})
    steps = dated_unloading_capacity(s, "x")
    assert [(t.date().isoformat(), c) for t, c in steps] == [
        ("2023-01-01", 3 * 24 * 60.0), ("2023-01-11", 4 * 24 * 60.0), ("2023-01-21", 3 * 24 * 60.0)]
    assert dated_unloading_capacity(story(), "x") == []
    res = sim.run(s.with_changes({"duration": "25d"}), replications=1, executor="serial")
    fig = deliveries(res)
    line = next(a for a in fig.axes[0].get_lines() if a.get_gid() == "capacity_dated")
    assert list(line.get_ydata())[:3] == [c for _, c in steps]
    import matplotlib.pyplot as plt
    plt.close(fig)
