"""A start from a reported situation: trains already in the yard, held short of it, or en route.

An analyst forecasting the next weeks starts from what the railway reports, not from an empty
crossing. Each cargo's wagons become trains of `wagons_per_train` (plus one shorter train for the
remainder). Trains in the yard occupy it at time 0 and resume their checks after `after_check`;
held trains queue for the yard at time 0 in order; en-route trains leave the line evenly spread
over `arriving_within` (the i-th of n at (i + ½)/n of it), taking no line quota but still
stopped by line closures. Trains at the border at the start arrived before it, so their wagons
count as delivered but not in the dwell; en-route trains arrive during the run and count fully.
Their ids are negative, to tell them from trains formed during the run.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from sim.model.origin import Train
from sim.model.train_process import start_train
from sim.model.views import CorridorView, CrossingView

Process = Generator[simpy.Event, Any, None]


def split_wagons(wagons: int, per_train: int) -> list[int]:
    """Trains of `per_train` wagons, then one with the remainder: 130 at 55 -> [55, 55, 20]."""
    full, rest = divmod(wagons, per_train)
    return [per_train] * full + ([rest] if rest else [])


def initial_wagons(model: CorridorView) -> list[int]:
    """Wagons of each cargo under way at the start, over every crossing."""
    out = [0] * len(model.cargo)
    for _, spec in model.scenario.crossing_specs():
        for c, st in (spec.initial_state or {}).items():
            out[model.ci[c]] += st.wagons
    return out


def start_initial(model: CorridorView, crossing: CrossingView) -> None:
    """Put the crossing's starting trains in place and start their journeys."""
    s = model.scenario
    for cargo, st in (crossing.spec.initial_state or {}).items():
        ci = model.ci[cargo]
        c = s.cargo[cargo]
        lane = crossing.index * len(model.cargo) + ci
        skip = 0
        if st.after_check is not None:
            skip = [k.name for k in crossing.spec.checks].index(st.after_check) + 1

        def make(wagons: int, cargo: str = cargo, ci: int = ci, priority: int = c.priority,
                 lane: int = lane) -> Train:
            model.initial_ids -= 1
            return Train(model.initial_ids, cargo, ci, wagons, priority, math.nan,
                         crossing=crossing.index, lane=lane)

        for wagons in split_wagons(st.in_yard_wagons, c.wagons_per_train):
            train = make(wagons)
            train.border_arrival = 0.0
            crossing.active[train.id] = train
            crossing.backlog.arrived(ci, wagons)  # (at construction: before any policy watches)
            model.recorder.border_arrival(lane, 0.0, wagons)
            crossing.yard_gate.occupy(wagons, ci)
            start_train(model.env, _after_entry(model, crossing, train, skip))
        for wagons in split_wagons(st.held_wagons, c.wagons_per_train):
            start_train(model.env, _at_border(model, crossing, make(wagons)))
        trains = split_wagons(st.en_route_wagons, c.wagons_per_train)
        within = st.arriving_within if st.arriving_within is not None else crossing.spec.line.transit_time.mean
        for i, wagons in enumerate(trains):
            arrive = (i + 0.5) / len(trains) * within
            start_train(model.env, _on_line(model, crossing, make(wagons), arrive))


def _after_entry(model: CorridorView, crossing: CrossingView, train: Train, skip: int) -> Process:
    if crossing.checks and not (yield from crossing._checks(train, skip)):
        return
    yield from crossing._unload(train, counted=False)
    yield from _empties(model, crossing, train)


def _at_border(model: CorridorView, crossing: CrossingView, train: Train) -> Process:
    crossing.active[train.id] = train
    yield from crossing._border(train)
    yield from _after_entry(model, crossing, train, 0)


def _on_line(model: CorridorView, crossing: CrossingView, train: Train, arrive: float) -> Process:
    """On the approach line at the start: arrives at `arrive` (later if the line is closed then)."""
    crossing.active[train.id] = train
    crossing.on_line(train, +1)
    if not crossing.line_calendar.always_open:
        arrive = crossing.line_calendar.next_open(arrive)
    yield model.env.timeout(arrive)
    if crossing.trace:
        crossing.trace(train, f"{crossing.prefix}line", "exit", model.env.now)
    crossing.on_line(train, -1)
    yield from crossing._border(train)
    if crossing.checks and not (yield from crossing._checks(train)):
        return
    yield from crossing._unload(train)
    yield from _empties(model, crossing, train)


def _empties(model: CorridorView, crossing: CrossingView, train: Train) -> Process:
    if not math.isinf(model.origins[train.ci].empties):
        yield from crossing._empties(train)
