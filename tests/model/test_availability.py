"""Working hours and closed windows: when work starts and when it ends."""

from __future__ import annotations

import pytest

from sim.model.availability import Calendar, merge_windows


def test_merge_windows() -> None:
    assert merge_windows([(5, 7), (1, 3), (2, 4), (7, 8), (9, 9)]) == [(1, 4), (5, 8)]


def test_daytime_work_pauses_overnight() -> None:
    cal = Calendar(hours=(8.0, 20.0))
    # 10 h of work starting at 15:00: 5 h today, 5 h from 08:00 tomorrow
    start, end, segments = cal.finish(15.0, 10.0)
    assert (start, end) == (15.0, 24 + 13.0)
    assert segments == [(15.0, 20.0), (32.0, 37.0)]
    # arriving at night, work starts at 08:00
    assert cal.next_open(22.0) == 32.0
    assert not cal.is_open(20.0) and cal.is_open(8.0)


def test_overnight_hours_wrap_midnight() -> None:
    cal = Calendar(hours=(20.0, 8.0))
    assert cal.is_open(23.0) and cal.is_open(3.0) and not cal.is_open(12.0)
    start, end, _ = cal.finish(6.0, 4.0)  # 2 h to 08:00, then from 20:00
    assert (start, end) == (6.0, 22.0)


def test_closed_windows_pause_work_and_combine_with_hours() -> None:
    cal = Calendar(hours=(8.0, 20.0), closed=[(10.0, 12.0)])
    _start, end, segments = cal.finish(9.0, 3.0)
    assert segments == [(9.0, 10.0), (12.0, 14.0)] and end == 14.0
    cal2 = Calendar(closed=[(0.0, 48.0)])
    assert cal2.finish(5.0, 1.0)[:2] == (48.0, 49.0)


@pytest.mark.parametrize("start", [0.0, 7.99, 8.0, 19.5, 20.0, 23.9, 30.0])
def test_open_time_worked_equals_work(start: float) -> None:
    cal = Calendar(hours=(8.0, 20.0), closed=[(33.0, 40.0), (50.0, 51.0)])
    _, _, segments = cal.finish(start, 17.25)
    assert sum(e - s for s, e in segments) == pytest.approx(17.25)
    for s, e in segments:
        assert cal.is_open(s) and cal.is_open((s + e) / 2)
