"""Where trains wait (sim.model.waiting): a gate's queue and why its head waits, folded by day.

Stories drive one Gate with a StageLog and check the daily numbers by hand; the model-level test
checks that the yard's log is exactly the held-trains series, and that the logs never change a run.
"""

from __future__ import annotations

import numpy as np
import pytest
import simpy

import sim
from sim.model.availability import Calendar
from sim.model.crossing import CrossingModel, simulate
from sim.model.gates import Gate
from sim.model.waiting import CLOSED, FULL, QUOTA, StageLog
from tests.conftest import SCENARIOS


def _train(env: simpy.Environment, gate: Gate, at: float, hold: float | None = None, units: int = 1):
    yield env.timeout(at)
    yield gate.request(units)
    if hold is not None:
        yield env.timeout(hold)
        gate.release(units)


def _run(gate: Gate, log: StageLog, trains: list[dict], horizon: float) -> dict[str, np.ndarray]:
    for t in trains:
        gate.env.process(_train(gate.env, gate, **t))
    gate.env.run(until=horizon)
    return log.finish(horizon)


def test_quota_story_by_hand() -> None:
    """Quota 2/day; five trains ask at 01:00: two pass, three wait for midnight, one of them a day more."""
    env = simpy.Environment()
    log = StageLog("checks.handover", 3)
    gate = Gate(env, "checks.handover", quota=2, log=log)
    days = _run(gate, log, [{"at": 1.0} for _ in range(5)], 72.0)
    assert days["queue_mean"] == pytest.approx([3 * 23 / 24, 1.0, 0.0])
    assert days["queue_max"].tolist() == [3, 1, 0]
    assert days["queue_end"].tolist() == [3, 1, 0]  # changes at midnight count for the new day
    assert days["blocked_quota_h"].tolist() == [23.0, 24.0, 0.0]
    assert days["blocked_closed_h"].sum() == days["blocked_full_h"].sum() == 0


def test_closed_then_full_story_by_hand() -> None:
    """One slot, closed 10:00–20:00. A holds it 30 h from 02:00; B (asks 05:00) waits for the slot (full),
    C (asks 12:00) waits behind B; the gate is closed 10–20 so the head waits because it is closed then."""
    env = simpy.Environment()
    log = StageLog("checks.customs", 2)
    gate = Gate(env, "checks.customs", slots=1, calendar=Calendar(closed=[(10.0, 20.0)]), log=log)
    days = _run(gate, log, [{"at": 2.0, "hold": 30.0}, {"at": 5.0, "hold": 1.0}, {"at": 12.0, "hold": 1.0}], 48.0)
    # B waits 05:00 → 32:00 (A releases), then C 32:00 → 33:00
    assert days["blocked_full_h"].tolist() == pytest.approx([5.0 + 4.0, 8.0 + 1.0])  # 05–10, 20–24; 24–32, 32–33
    assert days["blocked_closed_h"].tolist() == pytest.approx([10.0, 0.0])           # 10–20
    assert days["queue_mean"].tolist() == pytest.approx([(1 * 7 + 2 * 12) / 24, (2 * 8 + 1 * 1) / 24])
    assert days["queue_max"].tolist() == [2, 2] and days["queue_end"].tolist() == [2, 0]


def test_a_zero_length_queue_is_not_a_maximum() -> None:
    """A state that lasts no time (queued and admitted at the same instant) does not count."""
    log = StageLog("x", 1)
    log.update(5.0, 4, FULL)
    log.update(5.0, 0, -1)
    log.update(6.0, 1, CLOSED)
    out = log.finish(12.0)
    assert out["queue_max"].tolist() == [1] and out["queue_mean"].tolist() == pytest.approx([6 / 12])
    assert out["blocked_closed_h"].tolist() == [6.0] and out["blocked_full_h"].tolist() == [0.0]
    log2 = StageLog("y", 2)
    log2.update(3.0, 2, QUOTA)
    log2.update(3.0, 2, QUOTA)  # no change: nothing to fold
    out2 = log2.finish(30.0)    # a partial second day: its mean is over the 6 h simulated
    assert out2["queue_mean"].tolist() == pytest.approx([2 * 21 / 24, 2.0])
    assert out2["blocked_quota_h"].tolist() == [21.0, 6.0] and out2["queue_end"].tolist() == [2, 2]


@pytest.fixture(scope="module")
def jan_obs() -> sim.Scenario:
    return simulate(sim.load_scenario(SCENARIOS / "jan2024_admin_hold.yaml"), 1)


def test_the_yard_log_is_the_held_trains_series(jan_obs) -> None:  # type: ignore[no-untyped-def]
    yard = jan_obs.stages["yard"]
    assert yard["queue_max"].max() > 10  # the hold fills the yard: a real test, not zeros
    for mine, theirs in (("queue_mean", "held_trains_mean"), ("queue_max", "held_trains_max"),
                         ("queue_end", "held_trains_end")):
        np.testing.assert_allclose(yard[mine], jan_obs.daily[theirs][-1], rtol=1e-12, atol=1e-12)


def test_blocked_hours_are_bounded_and_need_a_queue(jan_obs) -> None:  # type: ignore[no-untyped-def]
    assert set(jan_obs.stages) == {"line", "yard", "checks.customs", "checks.phytosanitary", "checks.handover"}
    for name, s in jan_obs.stages.items():
        held = s["blocked_closed_h"] + s["blocked_quota_h"] + s["blocked_full_h"]
        assert (held <= 24 + 1e-9).all() and (held >= 0).all(), name
        assert (held[s["queue_max"] == 0] == 0).all(), f"{name}: held back with nobody waiting"
    handover = jan_obs.stages["checks.handover"]
    hold_days = np.arange(93, 111)  # 2–20 Jan 2024 from 1 Oct 2023: the handover takes 2 trains a day
    assert (handover["blocked_quota_h"][hold_days[3:]] > 20).all()
    phyto = jan_obs.stages["checks.phytosanitary"]
    assert phyto["blocked_closed_h"].sum() > 0  # it works 08:00–20:00 only


def test_logs_change_nothing_else() -> None:
    """A run with the logs switched off gives the same KPIs and daily series (the logs only watch)."""
    scen = sim.load_scenario(SCENARIOS / "jan2024_admin_hold.yaml").with_changes({"duration": "120d"})
    with_logs = CrossingModel(scen, 2).run()
    model = CrossingModel.__new__(CrossingModel)
    from sim.model import recorder

    original = recorder.Recorder.stage
    recorder.Recorder.stage = lambda self, name: None  # type: ignore[assignment,method-assign]
    try:
        model = CrossingModel(scen, 2)
        without = model.run()
    finally:
        recorder.Recorder.stage = original  # type: ignore[method-assign]
    assert without.stages == {} and with_logs.stages
    for key, values in with_logs.daily.items():
        np.testing.assert_array_equal(values, without.daily[key], err_msg=key)
    for key, values in with_logs.totals.items():
        np.testing.assert_array_equal(values, without.totals[key], err_msg=key)


def test_waiting_for_a_slot_after_hours_counts_as_closed() -> None:
    """Working hours 08–20, one slot. A holds it 09:00–21:00; B asks at 10:00. B waits for the slot until
    20:00, then because the check is closed (20:00–08:00) although A still holds the slot until 21:00."""
    env = simpy.Environment()
    log = StageLog("checks.phytosanitary", 2)
    gate = Gate(env, "checks.phytosanitary", slots=1, calendar=Calendar(hours=(8.0, 20.0)), log=log)
    days = _run(gate, log, [{"at": 9.0, "hold": 12.0}, {"at": 10.0, "hold": 1.0}], 48.0)
    assert days["blocked_full_h"].tolist() == pytest.approx([10.0, 0.0])
    assert days["blocked_closed_h"].tolist() == pytest.approx([4.0, 8.0])
