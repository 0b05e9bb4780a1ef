"""Stories of one Gate (sim.model.gates): slots, a daily quota, opening hours and disruption windows.

Each story drives a bare `simpy.Environment` with a few trains that ask the gate for `units` at a
given time, hold them for a while and release them; the log is every train's exact admission
time. Semantics read from the code and pinned here:

- the queue is ordered by (priority, request order); its head is whoever is first in that order
  *now*, so a smaller-priority train that arrives later becomes the head at once;
- only the head is ever admitted: a later train that would fit waits behind a head that does not;
- a quota counts admissions per calendar day (`t // 24`) and a blocked head looks again at the
  next midnight or at the next change of the disruption schedule, whichever comes first;
- slots (and the quota) are scaled by the schedule's capacity factor, rounded down.
"""

from __future__ import annotations

import simpy

from sim.model.availability import Calendar
from sim.model.disruptions import TargetSchedule, Window
from sim.model.gates import Gate
from sim.scenario.target_ref import TargetRef


def _train(env: simpy.Environment, gate: Gate, log: list[tuple[str, float]], name: str, at: float,
           units: int = 1, priority: int = 0, hold: float | None = None):
    """Ask at `at`; log the admission time; release after `hold` hours (never if None)."""
    yield env.timeout(at)
    yield gate.request(units, priority)
    log.append((name, env.now))
    if hold is not None:
        yield env.timeout(hold)
        gate.release(units)


def _run(gate: Gate, trains: list[dict], until: float = 1000.0) -> dict[str, float]:
    env = gate.env
    log: list[tuple[str, float]] = []
    for t in trains:
        env.process(_train(env, gate, log, **t))
    env.run(until=until)
    return dict(log)


def _schedule(start: float, end: float, capacity: float) -> TargetSchedule:
    return TargetSchedule([Window("w", TargetRef("line"), start, end, capacity, 1.0)])


def test_quota_of_one_a_day_admits_the_second_train_at_next_midnight() -> None:
    """Quota 1/day: train A asks at 0 and passes; B asks at 5 and waits for midnight (24.0)."""
    env = simpy.Environment()
    gate = Gate(env, "customs", quota=1)
    admitted = _run(gate, [{"name": "A", "at": 0.0}, {"name": "B", "at": 5.0}])
    assert admitted == {"A": 0.0, "B": 24.0}
    assert gate.admitted_per_day == {0: 1, 1: 1}
    assert gate.waiting == 0


def test_request_with_room_is_triggered_at_once() -> None:
    """An empty gate with room answers a request with an event already triggered (no wait)."""
    env = simpy.Environment()
    gate = Gate(env, "line", quota=1)
    first = gate.request(1)
    second = gate.request(1)
    assert first.triggered and first.value == 0.0
    assert not second.triggered and gate.waiting == 1


def test_one_slot_is_handed_on_at_release() -> None:
    """slots=1: A holds the slot 0-6 h; B, asking at 2, is admitted at A's release, 6.0."""
    env = simpy.Environment()
    gate = Gate(env, "customs", slots=1)
    admitted = _run(gate, [{"name": "A", "at": 0.0, "hold": 6.0}, {"name": "B", "at": 2.0, "hold": 1.0}])
    assert admitted == {"A": 0.0, "B": 6.0}
    assert gate.max_in_use == 1
    assert gate.in_use == 0  # both released by the end


def test_priority_0_asking_later_is_served_before_waiting_priority_2() -> None:
    """slots=1 held by A until 10. B (priority 2) asks at 1, C (priority 0) at 2, D (priority 2) at 3.
    Each holds 5 h. Order of service: C at 10, then B at 15, then D (same priority as B, later) at 20."""
    env = simpy.Environment()
    gate = Gate(env, "yard", slots=1)
    admitted = _run(gate, [
        {"name": "A", "at": 0.0, "priority": 1, "hold": 10.0},
        {"name": "B", "at": 1.0, "priority": 2, "hold": 5.0},
        {"name": "C", "at": 2.0, "priority": 0, "hold": 5.0},
        {"name": "D", "at": 3.0, "priority": 2, "hold": 5.0},
    ])
    assert admitted == {"A": 0.0, "C": 10.0, "B": 15.0, "D": 20.0}


def test_nobody_overtakes_a_head_that_cannot_fit() -> None:
    """Yard of 10 wagons. A (6 wagons) is in from 0 to 8. B (6, asks at 1) cannot fit and is the
    head; C (3, asks at 2, same priority) would fit (6 + 3 <= 10) but waits behind B. At 8 A leaves:
    B and then C enter at the same instant (6 + 3 = 9 wagons in use)."""
    env = simpy.Environment()
    gate = Gate(env, "yard", slots=10)
    admitted = _run(gate, [
        {"name": "A", "at": 0.0, "units": 6, "priority": 1, "hold": 8.0},
        {"name": "B", "at": 1.0, "units": 6, "priority": 1, "hold": 10.0},
        {"name": "C", "at": 2.0, "units": 3, "priority": 1, "hold": 10.0},
    ])
    assert admitted == {"A": 0.0, "B": 8.0, "C": 8.0}
    assert gate.max_in_use == 9


def test_smaller_priority_arriving_later_becomes_the_head_and_may_pass_at_once() -> None:
    """Same yard as above, but E (3 wagons, priority 0) asks at 3 while B (6, priority 1) waits:
    the queue is ordered by priority first, so E *is* the head and, fitting (6 + 3 <= 10), enters
    at once at 3.0 — ahead of B and of C, who still wait for A to leave at 8."""
    env = simpy.Environment()
    gate = Gate(env, "yard", slots=10)
    admitted = _run(gate, [
        {"name": "A", "at": 0.0, "units": 6, "priority": 1, "hold": 8.0},
        {"name": "B", "at": 1.0, "units": 6, "priority": 1, "hold": 10.0},
        {"name": "C", "at": 2.0, "units": 1, "priority": 1, "hold": 10.0},
        {"name": "E", "at": 3.0, "units": 3, "priority": 0, "hold": 10.0},
    ])
    # at 8: A leaves (in use 3, E's); B enters (9); C (1 wagon) fits exactly (10)
    assert admitted == {"A": 0.0, "E": 3.0, "B": 8.0, "C": 8.0}
    assert gate.max_in_use == 10


def test_working_hours_8_to_20_request_at_21_is_admitted_at_8_next_morning() -> None:
    """Hours 08:00-20:00: a train asking at 21:00 on day 0 is admitted at 08:00 on day 1 = 32.0.
    With a quota of 1, a second train asking at the same time waits for the next *opening* after
    midnight (day 2, 08:00 = 56.0), not for midnight itself."""
    env = simpy.Environment()
    gate = Gate(env, "phyto", quota=1, calendar=Calendar(hours=(8.0, 20.0)))
    admitted = _run(gate, [{"name": "A", "at": 21.0}, {"name": "B", "at": 21.0}])
    assert admitted == {"A": 32.0, "B": 56.0}
    assert gate.admitted_per_day == {1: 1, 2: 1}


def test_quota_halved_by_a_disruption_rounds_down_per_day() -> None:
    """Quota 5/day; a window [24, 48) with capacity 0.5 makes it floor(2.5) = 2 on day 1.
    Eleven trains ask at 0: 5 pass on day 0, 2 at 24.0, the remaining 4 at 48.0."""
    env = simpy.Environment()
    gate = Gate(env, "handover", quota=5, schedule=_schedule(24.0, 48.0, 0.5))
    admitted = _run(gate, [{"name": f"T{i}", "at": 0.0} for i in range(11)])
    assert sorted(admitted.values()) == [0.0] * 5 + [24.0] * 2 + [48.0] * 4
    assert gate.admitted_per_day == {0: 5, 1: 2, 2: 4}


def test_quota_limit_lifts_when_the_window_ends_mid_day() -> None:
    """Quota 4/day, window [0, 36) at capacity 0.5 (2/day). Five trains ask at 0: two at 0.0, two at
    24.0; the fifth does not wait for midnight: the gate looks again when the window ends, at 36.0,
    when the day's quota is 4 again and only 2 were admitted."""
    env = simpy.Environment()
    gate = Gate(env, "handover", quota=4, schedule=_schedule(0.0, 36.0, 0.5))
    admitted = _run(gate, [{"name": f"T{i}", "at": 0.0} for i in range(5)])
    assert sorted(admitted.values()) == [0.0, 0.0, 24.0, 24.0, 36.0]
    assert gate.admitted_per_day == {0: 2, 1: 3}


def test_quota_at_capacity_0_admits_nobody_until_the_window_ends() -> None:
    """Quota 3/day, window [0, 36) at capacity 0: a train asking at 0 is admitted at 36.0
    (it looks again at midnight 24.0, finds the quota still 0, then waits for the window's end)."""
    env = simpy.Environment()
    gate = Gate(env, "handover", quota=3, schedule=_schedule(0.0, 36.0, 0.0))
    admitted = _run(gate, [{"name": "A", "at": 0.0}])
    assert admitted == {"A": 36.0}


def test_slots_reduced_by_a_window_hold_a_train_until_the_window_ends() -> None:
    """slots=2, window [10, 20) at capacity 0.5 (1 slot). A (0-12) and B (0-30) fill both slots;
    C asks at 5. When A leaves at 12 one slot is in use and only one exists: C waits until the
    window ends, 20.0, not until 12."""
    env = simpy.Environment()
    gate = Gate(env, "customs", slots=2, schedule=_schedule(10.0, 20.0, 0.5))
    admitted = _run(gate, [
        {"name": "A", "at": 0.0, "hold": 12.0},
        {"name": "B", "at": 0.0, "hold": 30.0},
        {"name": "C", "at": 5.0, "hold": 1.0},
    ])
    assert admitted == {"A": 0.0, "B": 0.0, "C": 20.0}


def test_try_admit_refuses_when_someone_waits_even_if_there_is_room() -> None:
    """slots=2: A passes with try_admit (1 in use); B asks for 2 and waits (1 + 2 > 2); C's
    try_admit(1) is refused although 1 + 1 <= 2, because B waits. When A leaves, B enters."""
    env = simpy.Environment()
    gate = Gate(env, "yard", slots=2)
    assert gate.try_admit(1) is True
    assert gate.in_use == 1
    b = gate.request(2)
    assert not b.triggered and gate.waiting == 1
    assert gate.try_admit(1) is False
    assert gate.in_use == 1 and gate.waiting == 1  # the refusal queued nothing
    gate.release(1)
    assert b.triggered and gate.in_use == 2 and gate.waiting == 0


def test_try_admit_refuses_when_the_quota_is_spent_or_the_gate_is_closed() -> None:
    """try_admit with nobody waiting: False once the day's quota is used, and False at night."""
    env = simpy.Environment()
    quota = Gate(env, "q", quota=1)
    assert quota.try_admit(1) is True
    assert quota.try_admit(1) is False
    assert quota.admitted_per_day == {0: 1}
    night = Gate(env, "n", calendar=Calendar(hours=(8.0, 20.0)))  # env.now = 0: 00:00, closed
    assert night.try_admit(1) is False
    assert night.in_use == 0 and night.admitted_per_day == {}


def test_admitted_per_day_and_max_in_use_over_three_days() -> None:
    """Yard of 100 wagons; trains of 40 wagons each stay 10 h, one asking every 8 h from 0.
    When T(i) asks at 8i, T(i-1) is still in (until 8i + 2) and T(i-2) has left (at 8i - 6):
    40 + 40 = 80 <= 100, so every train enters on arrival; at most 80 wagons; 3 trains a day."""
    env = simpy.Environment()
    gate = Gate(env, "yard", slots=100)
    trains = [{"name": f"T{i}", "at": 8.0 * i, "units": 40, "hold": 10.0} for i in range(9)]
    admitted = _run(gate, trains)
    assert admitted == {f"T{i}": 8.0 * i for i in range(9)}
    assert gate.max_in_use == 80
    assert gate.admitted_per_day == {0: 3, 1: 3, 2: 3}


def test_on_admit_reports_each_admission() -> None:
    """The on_admit callback receives (gate name, time, units) for every admission."""
    env = simpy.Environment()
    seen: list[tuple[str, float, int]] = []
    gate = Gate(env, "yard", slots=10, on_admit=lambda n, t, u: seen.append((n, t, u)))
    _run(gate, [{"name": "A", "at": 1.0, "units": 6, "hold": 2.0}, {"name": "B", "at": 2.0, "units": 5}])
    assert seen == [("yard", 1.0, 6), ("yard", 3.0, 5)]
