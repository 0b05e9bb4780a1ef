"""Routing that sees capacity (sim.model.room) and re-routing formed trains (sim.model.rerouting).

Two-crossing stories of tests/model/test_routing.py, times fixed unless said otherwise: a ban on
Dostyk sends Altynkol only what its line quota leaves each day, the rest waits at origin and is
counted; a diversion goes only as far as Altynkol's yard has room; with `reroute`, trains held at a
jammed Dostyk go to Altynkol after a detour, are counted and costed, and every wagon is accounted
for at each crossing and for the corridor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import sim
from sim.experiments.replication import ReplicationResult
from sim.reporting.report import parameters
from tests.model.corridor_stories import DAY, WAGONS, formations, kpi, traced
from tests.model.test_routing import corridor

BAN_DAYS = range(9, 12)  # whole days 9, 10 and 11


def ban_story(altynkol_quota: int | None) -> Any:
    s = corridor(disruptions=[{"name": "ban", "target": "crossings.dostyk.demand.x", "from": "2023-01-10",
                               "to": "2023-01-13", "capacity": 0}])
    if altynkol_quota is not None:
        s = s.with_changes({"crossings.altynkol.line.max_trains_per_day": altynkol_quota})
    return s


def per_day(f: pd.DataFrame, crossing: int) -> pd.Series:
    mine = f[f["crossing"] == crossing]
    return mine.groupby((mine["formed"] // DAY).astype(int)).size()


def test_a_ban_sends_the_other_crossing_only_what_its_quota_leaves_and_the_rest_waits() -> None:
    """Altynkol's line takes 5 trains a day: in the ban it is sent exactly 5 a day (12 are requested),
    none go to Dostyk, and the trains kept back are counted; without the quota it gets all 12."""
    rep, _ = traced(ban_story(5))
    f = formations(rep)
    alt, dos = per_day(f, 1), per_day(f, 0)
    for d in BAN_DAYS:
        assert alt.get(d, 0) == 5 and dos.get(d, 0) == 0, d
    assert alt.loc[3:8].max() <= 3  # its own share (a quarter of 12) before the ban
    waited = f[f["formed"] > f["requested"]]
    assert len(waited) > 0
    assert kpi(rep, "wagons_waited_for_room", crossing="all") == len(waited) * WAGONS
    assert rep.diagnostics["waited_for_room_wagons"] == [len(waited) * WAGONS]
    room = rep.daily[(rep.daily["crossing"] == "all") & (rep.daily["cargo"] == "x")].set_index("day")
    # at the end of days 9 and 10 every wagon queued at origin waits for room (the ban ends with day 11)
    assert (room.loc[[9, 10], "waiting_for_room_end"] > 0).all()
    assert (room.loc[[9, 10], "waiting_for_room_end"] == room.loc[[9, 10], "origin_queue_end"]).all()
    assert (room.loc[:8, "waiting_for_room_end"] == 0).all() and (room.loc[11:, "waiting_for_room_end"] == 0).all()
    unlimited, _ = traced(ban_story(None))
    free = per_day(formations(unlimited), 1)
    assert [free.get(d, 0) for d in BAN_DAYS] == [12, 12, 12]
    assert kpi(unlimited, "wagons_waited_for_room", crossing="all") == 0


def in_flight_at(f: pd.DataFrame, leave: pd.Series, t: float, crossing: int) -> int:
    """Wagons of trains formed for `crossing` by t that have not left its yard by t."""
    mine = f[(f["crossing"] == crossing) & (f["formed"] <= t)]
    return int(sum(w for i, w in zip(mine["train"], mine["wagons"]) if leave.get(i, np.inf) > t))


def divert_story(reroute: list[dict[str, Any]] | None = None, yard: int = 40) -> Any:
    rule = {"from": "dostyk", "to": "altynkol", "above_wagons": 30, "resume_below": 10, "check_every": 1.0}
    routing: dict[str, Any] = {"shares": {"dostyk": 1, "altynkol": 0}, "divert": [rule]}
    if reroute is not None:
        routing["reroute"] = reroute
    s = corridor(routing={"x": routing}, demand={"x": {"trains_per_day": 12, "arrivals": "poisson"}})
    return s.with_changes({"crossings.dostyk.unloading.x.points": 1, "crossings.dostyk.yard.capacity_wagons": 60,
                           "crossings.altynkol.yard.capacity_wagons": yard})


def test_a_diversion_goes_only_as_far_as_the_target_has_yard_room() -> None:
    """Altynkol gets trains only by diversion and its yard holds 4 trains: whenever one is sent
    there, Altynkol's wagons in the yard, held or on its line (the train included) are at most 40;
    the diversions it could not take are counted as forgone."""
    rep, trace = traced(divert_story(), seed=7)
    f = formations(rep)
    leave = trace[(trace["stage"] == "crossings.altynkol.yard") & (trace["what"] == "leave")].set_index("train")["t"]
    sent = f[f["crossing"] == 1]
    assert len(sent) >= 10
    for t in sent["formed"]:
        assert in_flight_at(f, leave, t, 1) <= 40, t
    assert rep.diagnostics["divert_forgone"][0][0] > 0


def conserved(rep: ReplicationResult) -> None:
    """Every wagon accounted for at each crossing and for the corridor."""
    d = rep.diagnostics
    delivered = rep.kpis.set_index(["crossing", "cargo"])
    total_delivered = 0
    for name, x in d["by_crossing"].items():
        got = int(rep.daily[(rep.daily["crossing"] == name) & (rep.daily["cargo"] == "x")]["unloaded_wagons"].sum())
        total_delivered += got
        assert x["formed"][0] + x["rerouted_in"][0] == (got + x["in_journey"][0] + x["rejected"][0]
                                                       + x["rerouted_out"][0]), name
    assert delivered.loc[("all", "x"), "wagons_delivered"] == total_delivered
    assert d["generated_wagons"][0] == (total_delivered + d["in_journey_wagons"][0] + d["on_detour_wagons"][0]
                                        + d["origin_queued_wagons"][0] + d["origin_held_back_wagons"][0]
                                        + d["rejected_wagons"][0] + d["dropped_wagons"][0])


def test_trains_held_at_a_jammed_crossing_are_rerouted_with_a_detour_and_its_cost() -> None:
    rule = {"from": "dostyk", "to": "altynkol", "extra_time": "10h", "usd_per_wagon": 100}
    rep, trace = traced(divert_story([rule], yard=300), seed=7)
    moved = trace[trace["stage"] == "crossings.dostyk.reroute"]
    assert len(moved) >= 3
    k = rep.kpis.set_index(["crossing", "cargo"])
    assert k.loc[("dostyk", "x"), "wagons_rerouted"] == len(moved) * WAGONS
    assert k.loc[("altynkol", "x"), "wagons_rerouted"] == 0
    assert k.loc[("all", "x"), "detour_cost_usd"] == 100 * len(moved) * WAGONS
    for train, t in zip(moved["train"], moved["t"]):
        mine = trace[trace["train"] == train]
        stages = list(zip(mine["stage"], mine["what"]))
        assert ("crossings.dostyk.yard", "enter") not in stages  # it was waiting at Dostyk
        entered = mine[(mine["stage"] == "crossings.altynkol.yard") & (mine["what"] == "enter")]["t"]
        if t + 10.0 < 720.0 - 1e-9:  # (on the detour at the end of the 30 days otherwise)
            assert len(entered) == 1 and entered.iloc[0] >= t + 10.0 - 1e-9
    conserved(rep)
    plain, _ = traced(divert_story(yard=300), seed=7)
    conserved(plain)
    assert kpi(plain, "wagons_rerouted", crossing="all") == 0
    # the held trains gone, Dostyk's backlog is lower with re-routing
    assert kpi(rep, "backlog_wagons_mean", crossing="dostyk") < kpi(plain, "backlog_wagons_mean", crossing="dostyk")


def test_the_report_states_rerouting_and_yard_reservations() -> None:
    rule = {"from": "dostyk", "to": "altynkol", "extra_time": "10h", "usd_per_wagon": 100}
    s = divert_story([rule]).with_changes({"duration": "3d",
                                           "crossings.dostyk.yard.shares": {"x": 1}})
    rows = {(section, item): value for section, item, value in parameters(sim.run(s, replications=1,
                                                                                    executor="serial"))}
    assert "re-routed to altynkol (+10 h, 100 USD a wagon)" in rows[("Routing", "x")]
    assert rows[("Yard", "dostyk: capacity")] == "60 wagons; reserved x 100%"


def test_rerouting_rules_are_checked() -> None:
    rule = {"from": "dostyk", "to": "altynkol", "extra_time": "10h"}
    for bad, message in (([rule, {**rule, "extra_time": "5h"}], "a second rule from dostyk to altynkol"),
                         ([{**rule, "to": "dostyk"}], "must be another crossing"),
                         ([{**rule, "to": "khorgos"}], "unknown crossing 'khorgos'")):
        with pytest.raises(ValueError, match=message):
            divert_story(bad)
