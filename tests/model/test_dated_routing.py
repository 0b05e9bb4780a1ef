"""Dated routing: shares that change from a date (`routing.<cargo>.changes`) and diversion rules
that act only between `starts` and `ends`, on the two-crossing fixed-time story."""

from __future__ import annotations

import re

import pytest

import sim
from sim.scenario.schema import Scenario
from tests.model.corridor_stories import DAY, formations, traced
from tests.model.test_routing import corridor

SWITCH = 10 * DAY  # 2023-01-11


def test_shares_change_at_their_date() -> None:
    """All to Dostyk, then from 11 January 1:1: every train formed before goes to Dostyk, and the
    trains formed after are dealt exactly half and half (within one train)."""
    s = corridor(routing={"x": {"shares": {"dostyk": 1, "altynkol": 0},
                                "changes": [{"from": "2023-01-11", "shares": {"dostyk": 1, "altynkol": 1}}]}})
    rep, _ = traced(s)
    f = formations(rep)
    before, after = f[f["formed"] < SWITCH], f[f["formed"] >= SWITCH]
    assert len(before) > 100 and set(before["crossing"]) == {0}
    assert abs((after["crossing"] == 1).sum() - (after["crossing"] == 0).sum()) <= 1
    k = rep.kpis.set_index(["crossing", "cargo"])
    assert k.loc[("altynkol", "x"), "wagons_formed"] == 10 * (after["crossing"] == 1).sum()


def test_a_dated_diversion_acts_only_between_its_dates() -> None:
    rule = {"from": "dostyk", "to": "altynkol", "above_wagons": 20, "resume_below": 10, "check_every": 1.0,
            "starts": "2023-01-11", "ends": "2023-01-16"}
    jam = {"x": {"points": 1, "wagon_time": 0.5}}  # Dostyk: 48 wagons a day against 120, a jam from the start
    s = corridor(routing={"x": {"shares": {"dostyk": 1, "altynkol": 0}, "divert": [rule]}})
    # room at Altynkol for every diverted train: routing sends a diversion only where it can be taken
    # (sim.model.room), and this story is about the rule's dates, not the target's room
    s = s.with_changes({"crossings.dostyk.unloading": jam, "crossings.altynkol.yard.capacity_wagons": 1000})
    rep, _ = traced(s)
    log = [(d.action, d.time) for d in rep.diagnostics["divert_log"]]
    assert log == [("on", SWITCH), ("off", 15 * DAY)]  # reviews every hour from 0 fall on both dates
    f = formations(rep)
    diverted = f[f["crossing"] == 1]["formed"]
    # share 1: every train formed while on (a train formed at the very instant of a review goes first)
    assert list(diverted) == [SWITCH + 2 * i for i in range(1, 61)]


@pytest.mark.parametrize(("changes", "where", "why"), [
    ([{"from": "2023-01-11", "shares": {"dostyk": 1, "nowhere": 1}}], "routing.x.changes[0].shares.nowhere",
     "unknown crossing"),
    ([{"from": "2023-01-11", "shares": {"dostyk": 1}}, {"from": "2023-01-05", "shares": {"altynkol": 1}}],
     "routing.x.changes[1].from", "not after the change before it"),
    ([{"from": "2023-01-11", "shares": {"dostyk": 0}}], "routing.x.changes[0].shares", "at least one share above 0"),
])
def test_bad_dated_shares_are_refused_with_the_key(changes: list, where: str, why: str) -> None:
    data = corridor().to_dict()
    data["routing"]["x"]["changes"] = changes
    with pytest.raises(sim.SimError, match=re.escape(where) + ".*" + why):
        Scenario.from_data(data, "corridor.yaml")


def test_a_diversion_that_ends_before_it_starts_is_refused() -> None:
    data = corridor().to_dict()
    data["routing"]["x"]["divert"] = [{"from": "dostyk", "to": "altynkol", "above_wagons": 20, "resume_below": 10,
                                       "starts": "2023-01-11", "ends": "2023-01-11"}]
    with pytest.raises(sim.SimError, match=r"routing\.x\.divert\[0\].*must be after `starts`"):
        Scenario.from_data(data, "corridor.yaml")
