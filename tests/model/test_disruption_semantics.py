"""What a disruption window, working hours and a daily quota mean, checked on the stage trace.

A small scenario with fixed times makes every stage's timing exact: the line takes 3 h, customs
2 h, handover 1 h and each wagon 30 min. Closing a target (capacity 0) must stop all flow through
it during the window and only then; a time factor must lengthen exactly the work started in its
window; daytime-only checks must neither start nor progress at night; a daily quota, also when
scaled down by a capacity factor, must never be exceeded on any day.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pandas as pd
import pytest

from sim.experiments.replication import ReplicationResult, run_replication
from sim.scenario.schema import Scenario

DAY = 24.0
LINE_H, CUSTOMS_H, HANDOVER_H, WAGON_H = 3.0, 2.0, 1.0, 0.5
WINDOW = ("2023-01-10T06:00", "2023-01-12T18:00")
A, B = 9 * DAY + 6, 11 * DAY + 18  # the window in hours since the start (2023-01-01)

BASE: dict[str, Any] = {
    "name": "disruption-semantics",
    "start": "2023-01-01",
    "duration": "30d",
    "cargo": {"x": {"payload_t": 60, "wagons_per_train": 10}},
    "demand": {"x": {"trains_per_day": 12, "arrivals": "poisson"}},
    "line": {"transit_time": LINE_H},
    "yard": {"capacity_wagons": 300},
    "checks": [{"name": "customs", "time": CUSTOMS_H}, {"name": "handover", "time": HANDOVER_H}],
    "unloading": {"x": {"points": 4, "wagon_time": WAGON_H}},
}
# each stage: (trace stage, what marks a start, what marks an end) for the flow through it
STAGES = {
    "line": ("line", "enter", "exit"),
    "yard": ("yard", "enter", None),
    "checks.customs": ("checks.customs", "start", "end"),
    "checks.handover": ("checks.handover", "start", "end"),
    "unloading.x": ("unloading.x", "wagon", "wagon_end"),
}


def build(changes: dict[str, Any] | None = None, disruptions: list[dict[str, Any]] | None = None) -> Scenario:
    data = copy.deepcopy(BASE)
    for key, value in (changes or {}).items():
        data[key] = value
    data["disruptions"] = disruptions or []
    return Scenario.model_validate(data)


def window(target: str, **factors: float) -> dict[str, Any]:
    return {"name": "w", "target": target, "from": WINDOW[0], "to": WINDOW[1], **factors}


def traced(scenario: Scenario, seed: int = 2) -> tuple[ReplicationResult, pd.DataFrame]:
    rep = run_replication(scenario, 0, seed=seed, trace=True)
    trace = pd.DataFrame(rep.diagnostics["trace"], columns=["train", "cargo", "stage", "what", "t"])
    return rep, trace


def times(trace: pd.DataFrame, stage: str, what: str) -> pd.Series:
    return trace.loc[(trace["stage"] == stage) & (trace["what"] == what), "t"]


def paired(trace: pd.DataFrame, stage: str, start: str, end: str) -> pd.DataFrame:
    """Start and end of each train's pass through a (train-level) stage."""
    s = trace[(trace["stage"] == stage) & (trace["what"] == start)].set_index("train")["t"]
    e = trace[(trace["stage"] == stage) & (trace["what"] == end)].set_index("train")["t"]
    return pd.DataFrame({"start": s, "end": e}).dropna()


def wagons(trace: pd.DataFrame) -> pd.DataFrame:
    """Start and end of every wagon's unloading (rows come in start/end pairs per wagon)."""
    rows = trace[trace["stage"] == "unloading.x"]
    starts = rows[rows["what"] == "wagon"]["t"].to_numpy()
    ends = rows[rows["what"] == "wagon_end"]["t"].to_numpy()
    assert len(starts) == len(ends)
    return pd.DataFrame({"start": starts, "end": ends})


def inside(t: pd.Series, a: float = A, b: float = B) -> pd.Series:
    return (t >= a) & (t < b)


# -- closures --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def undisrupted() -> pd.DataFrame:
    return traced(build())[1]


def test_every_stage_is_busy_in_the_window_when_nothing_is_closed(undisrupted: pd.DataFrame) -> None:
    # otherwise "nothing happened in the window" below would prove nothing
    for stage, start, end in STAGES.values():
        for what in (start, end):
            if what is not None:
                assert inside(times(undisrupted, stage, what)).sum() >= 5, (stage, what)


@pytest.mark.parametrize("target", list(STAGES))
def test_capacity_zero_stops_flow_exactly_during_the_window(target: str) -> None:
    rep, trace = traced(build(disruptions=[window(target, capacity=0)]))
    stage, start, end = STAGES[target]
    for what in (start, end):
        if what is None:
            continue
        t = times(trace, stage, what)
        assert not inside(t).any(), f"{target}: {what} inside the closure"
        # and flow resumes once the window ends
        assert inside(t, B, B + DAY).sum() >= 5, f"{target}: no {what} after the closure"
    assert inside(times(trace, stage, start), A - DAY, A).sum() >= 3, "flow before the window"
    if target.startswith("checks."):
        # a check under way when the window opens pauses through it: its end moves by the window
        spans = paired(trace, stage, "start", "end")
        across = spans[(spans["start"] < A) & (spans["end"] > A)]
        work = CUSTOMS_H if target == "checks.customs" else HANDOVER_H
        assert ((spans["end"] - spans["start"] - work).abs() < 1e-9).sum() >= len(spans) - len(across)
        for _, row in across.iterrows():
            assert row["end"] - row["start"] == pytest.approx(work + (B - A))
    if target == "unloading.x":
        # a wagon under way when the window opens stops and finishes after it: its end moves by the
        # window (a few seeds, so that at least one wagon is caught mid-unloading)
        caught = 0
        for seed in (2, 3, 4):
            w = wagons(traced(build(disruptions=[window(target, capacity=0)]), seed)[1])
            across = w[(w["start"] < A) & (w["end"] > A)]
            caught += len(across)
            assert (((across["end"] - across["start"]) - (WAGON_H + B - A)).abs() < 1e-9).all()
        assert caught >= 1, "no wagon was being unloaded when the window opened"
        # no unloading progress on days wholly inside the window
        day10 = rep.daily[(rep.daily["cargo"] == "x") & (rep.daily["day"] == 10)]
        assert day10["utilization"].iloc[0] == 0.0
        assert day10["unloaded_wagons"].iloc[0] == 0
    if target == "yard":
        # trains reaching a closed yard are held short of it (the railway's backlog), then clear
        held = rep.daily[rep.daily["cargo"] == "x"].set_index("day")["held_trains_max"]
        assert held.loc[10] >= 5 and held.loc[:8].max() == 0 and held.iloc[-1] == 0
    if target == "line":
        # trains on the line when it closes wait at its end and arrive when it reopens
        exits = times(trace, "line", "exit")
        assert (exits == B).sum() >= 1


# -- time factors ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("target", "stage", "start", "end", "base_h"),
    [
        ("line", "line", "enter", "exit", LINE_H),
        ("checks.customs", "checks.customs", "start", "end", CUSTOMS_H),
        ("checks.handover", "checks.handover", "start", "end", HANDOVER_H),
        ("unloading.x", "unloading.x", "wagon", "wagon_end", WAGON_H),
    ],
)
def test_time_factor_lengthens_work_started_in_its_window(target: str, stage: str, start: str, end: str,
                                                        base_h: float) -> None:
    _, trace = traced(build(disruptions=[window(target, time_factor=3.0)]))
    spans = wagons(trace) if stage == "unloading.x" else paired(trace, stage, start, end)
    took = spans["end"] - spans["start"]
    started_in = inside(spans["start"])
    assert started_in.sum() >= 5 and (~started_in).sum() >= 5
    assert (took[started_in] - 3.0 * base_h).abs().max() < 1e-9
    assert (took[~started_in] - base_h).abs().max() < 1e-9


# -- working hours ---------------------------------------------------------------------------------

def open_hours(start: float, end: float, opens: float, closes: float) -> float:
    """Hours of [start, end) that fall inside the daily hours (opens < closes, or across midnight)."""
    spans = [(opens, closes)] if opens < closes else [(0.0, closes), (opens, DAY)]
    total = 0.0
    for day in range(math.floor(start / DAY), math.floor(end / DAY) + 1):
        for a, b in spans:
            lo, hi = max(start, day * DAY + a), min(end, day * DAY + b)
            total += max(0.0, hi - lo)
    return total


def is_open(t: float, opens: float, closes: float) -> bool:
    tod = t % DAY
    return opens <= tod < closes if opens < closes else (tod >= opens or tod < closes)


@pytest.mark.parametrize(("hours", "opens", "closes"), [("08:00-20:00", 8.0, 20.0), ("20:00-06:00", 20.0, 6.0)])
def test_checks_work_only_in_working_hours(hours: str, opens: float, closes: float) -> None:
    checks = copy.deepcopy(BASE["checks"])
    checks[0]["hours"] = hours
    checks[0]["time"] = 5.0  # long enough that many checks straddle the closing time
    _, trace = traced(build({"checks": checks}))
    spans = paired(trace, "checks.customs", "start", "end")
    assert len(spans) > 100
    assert all(is_open(t, opens, closes) for t in spans["start"]), "a check started outside its hours"
    for _, row in spans.iterrows():
        # exactly the 5 h of work fall inside working hours, none outside
        assert open_hours(row["start"], row["end"], opens, closes) == pytest.approx(5.0)
    paused = spans[spans["end"] - spans["start"] > 5.0 + 1e-9]
    assert len(paused) >= 5, "some checks must run into the closing time for this to mean anything"


# -- daily quotas ----------------------------------------------------------------------------------

def admissions_per_day(t: pd.Series) -> pd.Series:
    return t.groupby((t // DAY).astype(int)).size()


@pytest.mark.parametrize("factor", [1.0, 0.2])
def test_daily_quota_is_never_exceeded(factor: float) -> None:
    quota, line_cap = 14, 16
    checks = copy.deepcopy(BASE["checks"])
    checks[1]["trains_per_day"] = quota
    windows = [] if factor == 1.0 else [
        {"name": "hold", "target": "checks.handover", "capacity": factor, "from": "2023-01-08T12:00",
         "to": "2023-01-14T12:00"},
        {"name": "slow-line", "target": "line", "capacity": factor, "from": "2023-01-20", "to": "2023-01-23"},
    ]
    rep, trace = traced(build({"checks": checks, "line": {"transit_time": LINE_H, "max_trains_per_day": line_cap},
                               "demand": {"x": {"trains_per_day": 13, "arrivals": "poisson"}}}, windows))
    admitted = rep.diagnostics["gate_admitted_per_day"]
    hold = (7 * DAY + 12, 13 * DAY + 12)
    slow = (19 * DAY, 22 * DAY)
    for gate, stage, what, cap, (a, b) in (
        ("checks.handover", "checks.handover", "start", quota, hold),
        ("line", "line", "enter", line_cap, slow),
    ):
        t = times(trace, stage, what).sort_values().reset_index(drop=True)
        per_day = admissions_per_day(t)
        # the gate's own count agrees with the trace, day by day
        assert per_day.to_dict() == {d: n for d, n in admitted[gate].items() if n}
        assert per_day.max() <= cap
        # at each admission, that day's admissions so far never exceed the quota in force then
        seen: dict[int, int] = {}
        for x in t:
            day = int(x // DAY)
            seen[day] = seen.get(day, 0) + 1
            limit = math.floor(cap * factor + 1e-9) if (factor != 1.0 and a <= x < b) else cap
            assert seen[day] <= limit, f"{gate}: {seen[day]} admitted on day {day} by {x:.2f}, limit {limit}"
        if factor != 1.0:
            # whole days inside the window run at exactly the reduced quota: it binds
            full_days = range(math.ceil(a / DAY), math.floor(b / DAY))
            assert [per_day.get(d, 0) for d in full_days] == [math.floor(cap * factor)] * len(full_days)
        else:
            assert per_day.max() == cap, f"{gate}: the quota never binds, so this proves little"


# -- finite slots scaled by a factor ---------------------------------------------------------------

def occupancy_after_each_entry(entries: pd.Series, exits: pd.Series, units: int) -> pd.Series:
    """Units in use just after each entry (exits at the same instant happen first)."""
    events = pd.concat([pd.DataFrame({"t": exits, "d": -units, "k": 0}), pd.DataFrame({"t": entries, "d": units, "k": 1})])
    events = events.sort_values(["t", "k"], kind="stable")
    level = events["d"].cumsum()
    return pd.Series(level[events["k"] == 1].to_numpy(), index=events.loc[events["k"] == 1, "t"].to_numpy())


@pytest.mark.parametrize(
    ("target", "factor", "limit"),
    [("yard", 0.1, 30), ("checks.customs", 0.25, 1)],
)
def test_scaled_slots_are_never_exceeded(target: str, factor: float, limit: int) -> None:
    checks = copy.deepcopy(BASE["checks"])
    checks[0]["trains_at_once"] = 4
    _, trace = traced(build({"checks": checks}, [window(target, capacity=factor)]))
    if target == "yard":
        entries, exits, units = times(trace, "yard", "enter"), times(trace, "yard", "leave"), 10
        arrived = times(trace, "line", "exit").sort_values().to_numpy()
        admitted = entries.sort_values().to_numpy()
    else:
        entries, exits, units = times(trace, "checks.customs", "start"), times(trace, "checks.customs", "end"), 1
        arrived = times(trace, "yard", "enter").sort_values().to_numpy()
        admitted = entries.sort_values().to_numpy()
    level = occupancy_after_each_entry(entries, exits, units)
    in_window = level[(level.index >= A) & (level.index < B)]
    assert len(in_window) >= 3
    assert in_window.max() <= limit
    # the limit binds: some train waited for room during the window (FIFO, so compare in order)
    n = min(len(arrived), len(admitted))
    waited = (admitted[:n] - arrived[:n] > 1e-9) & (admitted[:n] >= A) & (admitted[:n] < B)
    assert waited.any()
    # outside the window the full capacity is available again
    assert level[level.index >= B + DAY].max() <= (300 if target == "yard" else 4)


def test_reduced_unloading_points_cap_daily_utilization() -> None:
    rep, _ = traced(build(disruptions=[window("unloading.x", capacity=0.5)]))
    daily = rep.daily[rep.daily["cargo"] == "x"].set_index("day")
    assert daily.loc[10, "utilization"] <= 0.5 + 1e-9  # day 10 lies wholly inside the window
    assert daily.loc[10, "utilization"] == pytest.approx(0.5)  # and the queue keeps both points busy
    assert daily["utilization"].max() > 0.5
