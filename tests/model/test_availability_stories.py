"""More stories of Calendar (sim.model.availability), beyond tests/model/test_availability.py.

Semantics pinned here: daily hours are half-open [open, close) in hours of the day, and may wrap
midnight ("20:00-06:00"); closed windows are half-open [start, end) in hours since time 0 and are
merged when they overlap or touch; `finish(t, work)` starts at the first open time >= t and
counts only open time, returning (start, end, worked segments).
"""

from __future__ import annotations

import pytest

from sim.model.availability import Calendar
from sim.scenario.schema import Check


def test_closed_window_across_midnight() -> None:
    """Closed 22:00 day 0 to 06:00 day 1 (22-30 h): 3 h of work from 21:00 does 1 h, stops at 22,
    resumes at 30 and ends at 32."""
    cal = Calendar(closed=[(22.0, 30.0)])
    assert cal.is_open(21.99) and not cal.is_open(22.0) and not cal.is_open(29.99) and cal.is_open(30.0)
    assert cal.next_open(23.0) == 30.0
    assert cal.finish(21.0, 3.0) == (21.0, 32.0, [(21.0, 22.0), (30.0, 32.0)])


def test_night_shift_hours_parsed_from_text_wrap_midnight() -> None:
    """A check with hours "20:00-06:00" is open 20-24 and 0-6. 12 h of work asked at 18:00 starts
    at 20:00, works 10 h to 06:00 (30 h), resumes at 20:00 on day 1 (44 h) and ends at 46."""
    check = Check.model_validate({"name": "night", "time": "1h", "hours": "20:00-06:00"})
    assert check.hours == (20.0, 6.0)
    cal = Calendar(hours=check.hours)
    assert [cal.is_open(t) for t in (19.99, 20.0, 23.5, 24.0, 29.99, 30.0)] == [False, True, True, True, True, False]
    assert cal.finish(18.0, 12.0) == (20.0, 46.0, [(20.0, 30.0), (44.0, 46.0)])
    # asked inside the after-midnight part: 4 h from 04:00 = 2 h to 06:00, then 2 h from 20:00
    assert cal.finish(4.0, 4.0) == (4.0, 22.0, [(4.0, 6.0), (20.0, 22.0)])


def test_finish_spanning_several_days() -> None:
    """Hours 08:00-20:00 (12 h a day): 30 h of work from 08:00 on day 0 takes all of day 0 and
    day 1 and 6 h of day 2: ends at 2 x 24 + 14 = 62."""
    cal = Calendar(hours=(8.0, 20.0))
    assert cal.finish(8.0, 30.0) == (8.0, 62.0, [(8.0, 20.0), (32.0, 44.0), (56.0, 62.0)])


def test_a_holiday_over_a_whole_working_day_is_skipped() -> None:
    """Hours 08:00-20:00 and day 1 closed all day (24-48 h): 10 h of work from 15:00 on day 0 does
    5 h, skips day 1 and does the other 5 h from 08:00 on day 2 (56 h): ends at 61."""
    cal = Calendar(hours=(8.0, 20.0), closed=[(24.0, 48.0)])
    assert cal.next_open(21.0) == 56.0
    assert cal.finish(15.0, 10.0) == (15.0, 61.0, [(15.0, 20.0), (56.0, 61.0)])


def test_window_ending_outside_the_hours_waits_for_the_next_opening() -> None:
    """Hours 08:00-20:00 with a closure 10:00-22:00 on day 0: next opening after 10:00 is 08:00 on
    day 1 (32 h), not the window's end at 22:00 (closed by the hours)."""
    cal = Calendar(hours=(8.0, 20.0), closed=[(10.0, 22.0)])
    assert cal.next_open(10.0) == 32.0
    assert cal.finish(9.0, 2.0) == (9.0, 33.0, [(9.0, 10.0), (32.0, 33.0)])


def test_touching_and_overlapping_windows_merge() -> None:
    """Windows (0, 2), (2, 4) and (3, 6) make one closure (0, 6): work asked at 1 starts at 6."""
    cal = Calendar(closed=[(2.0, 4.0), (0.0, 2.0), (3.0, 6.0)])
    assert cal.closed == [(0.0, 6.0)]
    assert cal.finish(1.0, 1.0) == (6.0, 7.0, [(6.0, 7.0)])


def test_open_until_is_the_earlier_of_closing_time_and_next_window() -> None:
    """Hours 08:00-20:00, a window at 15-16: open at 9 until 15; open at 16 until 20;
    an always-open calendar is open until infinity."""
    cal = Calendar(hours=(8.0, 20.0), closed=[(15.0, 16.0)])
    assert cal.open_until(9.0) == 15.0
    assert cal.open_until(16.0) == 20.0
    assert Calendar().open_until(5.0) == float("inf")
    assert Calendar().always_open and not cal.always_open


def test_zero_work_at_a_closed_time_starts_and_ends_at_the_next_opening() -> None:
    """No work asked at 21:00 with hours 08:00-20:00: start = end = 32 (the next opening)."""
    cal = Calendar(hours=(8.0, 20.0))
    start, end, _ = cal.finish(21.0, 0.0)
    assert (start, end) == (32.0, 32.0)


def test_hours_ending_at_midnight() -> None:
    """Hours 18:00-24:00: open at 23:59, closed at 00:00 and at 17:59. 8 h of work from 20:00 does
    4 h on day 0 (20-24) and the other 4 h from 18:00 on day 1 (42-46 h): ends at 46."""
    cal = Calendar(hours=(18.0, 24.0))
    assert cal.is_open(23.99) and not cal.is_open(24.0) and not cal.is_open(17.99)
    assert cal.finish(20.0, 8.0) == (20.0, 46.0, [(20.0, 24.0), (42.0, 46.0)])


@pytest.mark.parametrize("t", [0.0, 5.5, 21.0, 30.0, 47.0])
def test_next_open_is_open_and_nothing_earlier_is(t: float) -> None:
    """next_open(t) is open, and every quarter hour from t up to it is closed (night shift + closure)."""
    cal = Calendar(hours=(20.0, 6.0), closed=[(44.0, 50.0)])
    nxt = cal.next_open(t)
    assert cal.is_open(nxt)
    probe = t
    while probe < nxt:
        assert not cal.is_open(probe)
        probe += 0.25
