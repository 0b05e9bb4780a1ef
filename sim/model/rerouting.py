"""Re-routing trains already formed (`routing.<cargo>.reroute`), at the cost of a detour.

Routing is decided when a train is formed (sim.model.routing); a train formed for a crossing that
then jams keeps its crossing unless the scenario allows re-routing. A rule `{from, to, extra_time,
usd_per_wagon, check_every}` applies while `from` is closed to the cargo (stop-loading halt or ban
there) or a divert rule from `from` to `to` is on, and `to` is open to the cargo. Every
`check_every` hours, the cargo's trains formed during the run and waiting at `from` — to enter its
line, or held at its border short of the yard — are taken in the order they were formed, and each
goes to `to` as long as `to` can take it (sim.model.room); the first that `to` cannot take ends the
review. A re-routed train leaves `from` at once (out of its queue, its border backlog and held
trains), is on the detour for `extra_time` (counted neither at `from` nor at `to`: "on a detour"),
then arrives at `to`'s border and goes on from there; its dwell still runs from its first border
arrival. Each wagon re-routed costs `usd_per_wagon` (`detour_cost_usd`).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from sim.model.origin import Origin, Train
from sim.model.routing import RerouteRule
from sim.model.views import CorridorView, CrossingView

Process = Generator[simpy.Event, Any, None]


def start_rerouting(model: CorridorView) -> None:
    """Start one review per re-routing rule; trains waiting at each rule's source are tracked."""
    s = model.scenario
    names = s.crossing_names
    if len(names) < 2 or not s.routing:
        return
    for cargo, routing in s.routing.items():
        ci = model.ci[cargo]
        for r in routing.reroute:
            rule = RerouteRule(ci, names.index(r.from_), names.index(r.to), r.extra_time, r.usd_per_wagon,
                               r.check_every)
            model.detours[(rule.source, rule.target, ci)] = rule
            source = model.crossings[rule.source]
            if source.waiting_trains is None:
                source.waiting_trains = {}
            model.env.process(_review(model, model.origins[ci], rule))


def _applies(origin: Origin, rule: RerouteRule) -> bool:
    if not origin.open[rule.target]:
        return False
    if not origin.open[rule.source]:
        return True
    rules = origin.router.rules if origin.router is not None else []
    return any(d.on and d.source == rule.source and d.target == rule.target for d in rules)


def _review(model: CorridorView, origin: Origin, rule: RerouteRule) -> Process:
    env = model.env
    source = model.crossings[rule.source]
    target = model.crossings[rule.target]
    waiting = source.waiting_trains
    assert waiting is not None
    while True:
        if waiting and _applies(origin, rule):
            now = env.now
            for train, gate, request in sorted((w for w in waiting.values() if w[0].ci == rule.ci),
                                               key=lambda w: w[0].id):
                if not target.room.can_take(rule.ci, train.wagons, now):
                    break
                if not gate.withdraw(request):
                    continue
                del waiting[train.id]
                train.reroute = rule.target
                target.room.count(rule.ci, now)
                target.room.incoming_wagons += train.wagons
                request.succeed(now)  # the train's journey resumes and takes the detour
        yield env.timeout(rule.check_every)


def detour(source: CrossingView, train: Train) -> Process:
    """The rest of a re-routed train's journey: the detour, then `to`'s border onwards."""
    model = source.model
    env = model.env
    target = model.crossings[train.reroute]
    rule = model.detours[(source.index, target.index, train.ci)]
    ci, wagons = train.ci, train.wagons
    del source.active[train.id]
    source.rerouted_out[ci] += wagons
    at_border = train.border_arrival == train.border_arrival  # not NaN: held there, not waiting for its line
    model.room_log.rerouted(train.lane, env.now, wagons, rule.usd_per_wagon * wagons, at_border)
    model.on_detour[ci] += wagons
    if source.trace:
        source.trace(train, f"{source.prefix}reroute", f"to {target.name}", env.now)
    yield env.timeout(rule.extra_time)
    model.on_detour[ci] -= wagons
    target.room.incoming_wagons -= wagons
    target.rerouted_in[ci] += wagons
    train.crossing = target.index
    train.lane = target.index * len(model.cargo) + ci
    train.reroute = -1
    target.active[train.id] = train
    yield from target.from_border(train)
