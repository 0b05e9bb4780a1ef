"""Whole-model stories: CrossingModel with fixed times and regular arrivals, checked row by row
against its trace (train id, cargo, stage, what, time), in the order the rows are written.

Unloading rows are written when a train is ready to unload (its wagons' times are fixed then), so
they carry future times and come before rows of other trains written in between. Where two things
happen at the same instant, the order is SimPy's: events due at the same time run in the order
they were scheduled, and a newly started train process runs before other events due now.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sim.analysis.metrics import daily, kpis
from sim.model.crossing import CrossingModel
from sim.scenario.schema import Scenario

G = "grain"

QUOTA_STORY: dict[str, Any] = {
    "name": "journey-quota",
    "start": "2023-01-01",
    "duration": "3d",  # 72 h
    "seed": 1,
    "cargo": {G: {"payload_t": 68, "wagons_per_train": 3}},
    "demand": {G: {"trains_per_day": 2, "arrivals": "regular"}},  # trains formed at 12, 24, 36, 48, 60
    "line": {"transit_time": "10h"},  # at the border at 22, 34, 46, 58, 70
    "checks": [{"name": "customs", "time": "3h", "trains_per_day": 1}],
    "unloading": {G: {"points": 1, "wagon_time": "5h"}},
}


def unload(train: int, *starts: float) -> list[tuple]:
    """The rows of a train's wagons, 5 h each on the single point: start, end, start, end, ..."""
    rows = []
    for s in starts:
        rows += [(train, G, "unloading.grain", "wagon", s), (train, G, "unloading.grain", "wagon_end", s + 5.0)]
    return rows


def test_two_trains_a_day_through_a_customs_quota_of_one() -> None:
    """Two trains a day, 10 h transit, customs 3 h with a quota of 1 train a day, one unloading
    point at 5 h a wagon, 3 wagons a train, 72 h.

    T1: border 22, customs 22-25 (day 0's one), wagons 25-30, 30-35, 35-40, leaves 40.
    T2: border 34, customs 34-37 (day 1's one), waits for the point until 40: 40-55, leaves 55.
    T3: border 46, day 1's quota is used: customs at midnight 48-51; point free at 55: 55-70.
    T4: border 58, day 2's quota went to T3: waits for 72 = the horizon. T5: border 70, waits.
    At 48 T4 is formed (its process starts at once) before T3's wake-up at midnight resumes it."""
    model = CrossingModel(Scenario.model_validate(QUOTA_STORY), trace=True)
    obs = model.run()
    expected = [
        (1, G, "line", "enter", 12.0),
        (1, G, "line", "exit", 22.0),
        (1, G, "yard", "enter", 22.0),
        (1, G, "checks.customs", "start", 22.0),
        (2, G, "line", "enter", 24.0),
        (1, G, "checks.customs", "end", 25.0),
        *unload(1, 25.0, 30.0, 35.0),
        (2, G, "line", "exit", 34.0),
        (2, G, "yard", "enter", 34.0),
        (2, G, "checks.customs", "start", 34.0),
        (3, G, "line", "enter", 36.0),
        (2, G, "checks.customs", "end", 37.0),
        *unload(2, 40.0, 45.0, 50.0),
        (1, G, "yard", "leave", 40.0),
        (3, G, "line", "exit", 46.0),
        (3, G, "yard", "enter", 46.0),
        (4, G, "line", "enter", 48.0),
        (3, G, "checks.customs", "start", 48.0),
        (3, G, "checks.customs", "end", 51.0),
        *unload(3, 55.0, 60.0, 65.0),
        (2, G, "yard", "leave", 55.0),
        (4, G, "line", "exit", 58.0),
        (4, G, "yard", "enter", 58.0),
        (5, G, "line", "enter", 60.0),
        (3, G, "yard", "leave", 70.0),
        (5, G, "line", "exit", 70.0),
        (5, G, "yard", "enter", 70.0),
    ]
    assert obs.diagnostics["trace"] == expected
    assert obs.diagnostics["gate_admitted_per_day"]["checks.customs"] == {0: 1, 1: 1, 2: 1}
    assert obs.diagnostics["gate_max_in_use"]["checks.customs"] == 1
    assert obs.diagnostics["in_journey_wagons"] == [6]  # T4 and T5, waiting for customs
    assert obs.diagnostics["generated_wagons"] == [15]


def test_kpis_of_the_quota_story() -> None:
    """Delivered: 9 wagons (T1-T3), 612 t, 204 t/day. Dwell (end - border): T1 8, 13, 18; T2 11, 16, 21;
    T3 14, 19, 24: mean 144 / 9 = 16. Wait (start - ready): T1 0, 5, 10; T2 3, 8, 13; T3 4, 9, 14:
    mean 66 / 9. Point busy 45 h of 72: 0.625. Backlog integral: the 144 delivered wagon-hours plus
    T4 3 x 14 h and T5 3 x 2 h = 192: mean 192 / 72, idle 8 wagon-days, max 6 (from 58 h), end 6."""
    obs = CrossingModel(Scenario.model_validate(QUOTA_STORY)).run()
    row = kpis(obs).set_index("cargo").loc[G]
    assert (row["wagons_delivered"], row["trains_delivered"], row["tonnes_delivered"]) == (9.0, 3.0, 612.0)
    assert row["throughput_t_per_day"] == 204.0
    assert row["dwell_h_mean"] == 16.0
    assert row["unload_wait_h_mean"] == pytest.approx(66 / 9, abs=1e-9)
    assert row["unloading_utilization"] == 0.625
    assert row["backlog_wagons_mean"] == pytest.approx(192 / 72, abs=1e-9)
    assert row["wagon_idle_days"] == 8.0
    assert row["backlog_wagons_max"] == 6.0
    assert row["held_trains_max"] == 0.0
    assert obs.totals["backlog_end"].tolist() == [6.0, 6.0]


YARD_STORY: dict[str, Any] = {
    "name": "journey-yard",
    "start": "2023-01-01",
    "duration": "2d",  # 48 h
    "cargo": {G: {"payload_t": 68, "wagons_per_train": 4}},
    "demand": {G: {"trains_per_day": 3, "arrivals": "regular"}},  # formed at 8, 16, 24, 32, 40
    "line": {"transit_time": "2h"},  # at the border at 10, 18, 26, 34, 42
    "yard": {"capacity_wagons": 4},  # one train at a time
    "unloading": {G: {"points": 1, "wagon_time": "2.5h"}},  # a train keeps the yard 10 h
}


def test_a_one_train_yard_holds_the_next_train_upstream() -> None:
    """Yard for one train of 4; each stays 10 h (4 wagons x 2.5 h on one point).
    T1 in 10-20. T2 at the border 18, held until T1 leaves at 20, in 20-30. T3 (26) held until 30,
    in 30-40. T4 (34) held until 40, in 40-50. T5 (42) held past the horizon.
    At 40 T3 leaves and hands the yard to T4 before T5, formed at 40, enters the line."""
    obs = CrossingModel(Scenario.model_validate(YARD_STORY), trace=True).run()

    def wagons(train: int, start: float) -> list[tuple]:
        rows = []
        for k in range(4):
            s = start + 2.5 * k
            rows += [(train, G, "unloading.grain", "wagon", s), (train, G, "unloading.grain", "wagon_end", s + 2.5)]
        return rows

    expected = [
        (1, G, "line", "enter", 8.0), (1, G, "line", "exit", 10.0), (1, G, "yard", "enter", 10.0), *wagons(1, 10.0),
        (2, G, "line", "enter", 16.0), (2, G, "line", "exit", 18.0),
        (1, G, "yard", "leave", 20.0), (2, G, "yard", "enter", 20.0), *wagons(2, 20.0),
        (3, G, "line", "enter", 24.0), (3, G, "line", "exit", 26.0),
        (2, G, "yard", "leave", 30.0), (3, G, "yard", "enter", 30.0), *wagons(3, 30.0),
        (4, G, "line", "enter", 32.0), (4, G, "line", "exit", 34.0),
        (3, G, "yard", "leave", 40.0), (4, G, "yard", "enter", 40.0), *wagons(4, 40.0),
        (5, G, "line", "enter", 40.0), (5, G, "line", "exit", 42.0),
    ]
    assert obs.diagnostics["trace"] == expected
    assert obs.diagnostics["gate_max_in_use"]["yard"] == 4
    # held: [18, 20) on day 0; [26, 30), [34, 40), [42, 48) on day 1 = 16 h; one held at the end
    d = daily(obs, Scenario.model_validate(YARD_STORY).start)
    grain = d[d["cargo"] == G].set_index("day")
    assert grain["held_trains_mean"].tolist() == pytest.approx([2 / 24, 16 / 24], abs=1e-9)
    assert grain["held_trains_end"].tolist() == [0.0, 1.0]
    row = kpis(obs).set_index("cargo").loc[G]
    assert row["held_trains_mean"] == pytest.approx(18 / 48, abs=1e-9) and row["held_trains_max"] == 1.0
    # delivered: T1-T3 and T4's wagons ending at 42.5, 45, 47.5
    assert (row["wagons_delivered"], row["trains_delivered"]) == (15.0, 3.0)
    assert obs.diagnostics["in_journey_wagons"] == [5]  # T4's last wagon and T5


def test_trace_is_the_same_for_the_same_scenario() -> None:
    """Fixed times leave nothing to chance: two runs, and two replications, give the same trace."""
    s = Scenario.model_validate(QUOTA_STORY)
    first = CrossingModel(s, trace=True).run().diagnostics["trace"]
    assert CrossingModel(s, trace=True).run().diagnostics["trace"] == first
    assert CrossingModel(s, replication=3, trace=True).run().diagnostics["trace"] == first


def _midnight_story() -> Scenario:
    data = copy.deepcopy(QUOTA_STORY)
    data.update({
        "name": "midnight", "duration": "5d", "checks": [],
        "demand": {G: {"trains_per_day": 1, "arrivals": "regular"}},  # formed at 24, 48, 72, 96
        "line": {"transit_time": "48h"},  # at the border at 72 and 96: exactly midnight
        "unloading": {G: {"points": 1, "wagon_time": "1h"}},
    })
    return Scenario.model_validate(data)


def test_trains_reaching_the_border_at_midnight_are_in_the_next_days_backlog() -> None:
    """T1 reaches the border at 72 (start of day 3), unloaded 72-75; T2 at 96 (day 4), 96-99.
    The backlog puts each in the day that starts at its arrival."""
    obs = CrossingModel(_midnight_story(), trace=True).run()
    d = daily(obs, _midnight_story().start)
    grain = d[d["cargo"] == G].set_index("day")
    assert grain["backlog_max"].tolist() == [0.0, 0.0, 0.0, 3.0, 3.0]
    assert grain["unloaded_wagons"].tolist() == [0.0, 0.0, 0.0, 3.0, 3.0]
    assert (1, G, "line", "exit", 72.0) in obs.diagnostics["trace"]


def test_arrivals_at_midnight_count_on_the_day_they_start() -> None:
    """Same story: daily arrivals should be 3 on day 3 and 3 on day 4, matching the backlog; the
    trains' line-exit timeouts were scheduled (at 24 and 48) before the ticker's (at 48 and 72), so
    the arrivals are reported before the midnight flush and land on days 2 and 3."""
    obs = CrossingModel(_midnight_story()).run()
    d = daily(obs, _midnight_story().start)
    grain = d[d["cargo"] == G].set_index("day")
    assert grain["arrivals_wagons"].tolist() == [0.0, 0.0, 0.0, 3.0, 3.0]
