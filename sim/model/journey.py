"""One border crossing and a train's journey through it: line → border → checks → unloading → empties.

Each stage of a train's journey is its own generator (`_line`, `_border`, `_checks`, `_unload`,
`_empties`); `journey` runs them in order. A corridor (sim.model.crossing) has one `Crossing` per
border crossing; each keeps its own gates, calendars, samplers and border backlog, named with its
key-path prefix ('' when there is only one crossing, so a single-crossing scenario keeps its
names and its random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import simpy

from sim.model.availability import Calendar
from sim.model.border_backlog import BorderBacklog
from sim.model.disruptions import TargetSchedule
from sim.model.gates import Gate
from sim.model.origin import Origin, Train
from sim.model.rejects import Refusals
from sim.model.rerouting import detour
from sim.model.room import Room
from sim.model.shares import SharedQuotaGate
from sim.model.unloading import UnloadingGroup
from sim.model.views import CorridorView
from sim.model.yard_shares import SharedYardGate
from sim.scenario.distributions import Sampler
from sim.scenario.stages import Check, CrossingSpec
from sim.scenario.target_ref import Stage, TargetRef

Process = Generator[simpy.Event, Any, Any]
_max = np.maximum.reduce


@dataclass(frozen=True, slots=True)
class CheckStage:
    """One administrative check as the model runs it: its gate (None when nothing limits entry),
    its working calendar, its disruption schedule, its time sampler and its refusals (if any)."""

    check: Check
    gate: Gate | None
    calendar: Calendar
    schedule: TargetSchedule | None
    time: Sampler
    label: str  # its name in traces: checks.<name>, with the crossing's prefix
    refusals: Refusals | None = None


class Crossing:
    """The stages of one border crossing, and the journey of each train formed for it."""

    def __init__(self, model: CorridorView, index: int, name: str, spec: CrossingSpec, prefix: str) -> None:
        self.model = model
        self.index = index
        self.name = name
        self.spec = spec
        self.prefix = prefix
        self.env = model.env
        self.recorder = model.recorder
        self.trace = model.trace
        self.cargo = model.cargo
        self._admit_now: Callable[[Gate, int], bool] = model._admit_now
        self.active: dict[int, Train] = {}
        self.origins: list[Origin] = []  # the corridor's, set once they are built
        self.on_line_wagons = [0] * len(self.cargo)
        self.held_wagons = 0  # at the border, waiting to enter the yard
        #: trains formed during the run waiting at this crossing's line or yard: kept only where they may
        #: be re-routed (sim.model.rerouting), by train id: (train, the gate, its request)
        self.waiting_trains: dict[int, tuple[Train, Gate, simpy.Event]] | None = None
        self.rerouted_out = [0] * len(self.cargo)  # wagons re-routed from here
        self.rerouted_in = [0] * len(self.cargo)   # wagons re-routed here, on arrival at the border
        self.rejected_wagons = [0] * len(self.cargo)
        self.returning_loaded = [0] * len(self.cargo)
        self.returning_empty = [0] * len(self.cargo)
        self._build_line()
        self._build_yard()
        self._build_checks()
        self._build_unloading()
        self.room = Room(self)  # what it can take beyond its own share (sim.model.room)
        streams = model.streams
        assert spec.empties is not None
        self._empties_time = Sampler(spec.empties.return_time, streams.get(f"{prefix}empties.return_time"))
        self.backlog = BorderBacklog(len(self.cargo))  # exact only where a policy watches it (track_border)

    # -- construction --------------------------------------------------------------------------
    def _shares_gate(self, name: str, shares: dict[str, float] | None, share_unused: bool | None,
                     slots: int | None, quota: int | None, cal: Calendar, sched: TargetSchedule | None) -> Gate:
        log = self.model.recorder.stage(name)  # where trains wait (sim.model.waiting)
        if shares is None or quota is None:
            return Gate(self.env, name, slots=slots, quota=quota, calendar=cal, schedule=sched, log=log)
        weights = [shares.get(c, 0.0) for c in self.cargo]
        return SharedQuotaGate(self.env, name, weights, share_unused is not False, slots=slots, quota=quota,
                               calendar=cal, schedule=sched, log=log)

    def _build_line(self) -> None:
        line = self.spec.line
        sched = self.schedule("line")
        closed = sched.closed_windows() if sched else []
        self.line_calendar = Calendar(closed=closed)
        self.line_gate = self._shares_gate(f"{self.prefix}line", line.shares, line.share_unused, None,
                                           line.max_trains_per_day, self.line_calendar, sched)
        self.line_schedule = sched
        self.transit = Sampler(line.transit_time, self.model.streams.get(f"{self.prefix}line.transit_time"))

    def _build_yard(self) -> None:
        yard, name, sched = self.spec.yard, f"{self.prefix}yard", self.schedule("yard")
        cal, log = Calendar(closed=sched.closed_windows() if sched else []), self.model.recorder.stage(name)
        if yard.shares is not None and yard.capacity_wagons is not None:
            weights = [yard.shares.get(c, 0.0) for c in self.cargo]
            self.yard_gate: Gate = SharedYardGate(self.env, name, weights, yard.share_unused is not False,
                                                  slots=yard.capacity_wagons, calendar=cal, schedule=sched, log=log)
        else:
            self.yard_gate = Gate(self.env, name, slots=yard.capacity_wagons, calendar=cal, schedule=sched, log=log)

    def _build_checks(self) -> None:
        self.checks: list[CheckStage] = []
        p = self.prefix
        for check in self.spec.checks:
            label = f"{p}checks.{check.name}"
            sched = self.schedule("checks", check.name)
            hours = None if check.hours in (None, (0.0, 24.0)) else check.hours
            cal = Calendar(hours=hours, closed=sched.closed_windows() if sched else [])
            needs_gate = check.trains_at_once is not None or check.trains_per_day is not None or not cal.always_open
            gate = (self._shares_gate(label, check.shares, check.share_unused, check.trains_at_once,
                                      check.trains_per_day, cal, sched) if needs_gate else None)
            time = Sampler(check.time, self.model.streams.get(f"{label}.time"))
            refusals = Refusals.build(self.model, self, check, label) if check.reject else None
            self.checks.append(CheckStage(check, gate, cal, sched, time, label, refusals))

    def _build_unloading(self) -> None:
        u = self.spec.unloading
        model = self.model
        self.unloading: dict[str, UnloadingGroup] = {
            cargo: UnloadingGroup.build(cargo, group, u.breakdowns_of(cargo),
                                        self.schedule("unloading", cargo), model.streams,
                                        model.horizon, f"{self.prefix}unloading.{cargo}")
            for cargo, group in u.groups.items()
        }

    def schedule(self, stage: Stage, name: str | None = None) -> TargetSchedule | None:
        """The disruption timetable of one of this crossing's stages (None: no window on it)."""
        return self.model.schedules.get(TargetRef(stage, name, self.name if self.prefix else None))

    def gates(self) -> list[Gate]:
        return [self.line_gate, self.yard_gate] + [stage.gate for stage in self.checks if stage.gate is not None]

    def track_border(self, on_arrival: Callable[[int], None] | None = None) -> None:
        """Keep an exact count of the border backlog; tell `on_arrival` each arriving train's cargo."""
        self.backlog.track(on_arrival)

    # -- a train's journey -----------------------------------------------------------------------
    def journey(self, train: Train) -> Process:
        """From formed at origin to the last wagon unloaded, then the empties' return."""
        self.active[train.id] = train
        yield from self._line(train)
        yield from self.from_border(train)

    def from_border(self, train: Train) -> Process:
        """From the arrival at this crossing's border on (also for a train re-routed here, whose dwell
        still runs from its first border arrival)."""
        first = train.border_arrival
        if train.reroute < 0:
            yield from self._border(train)
        if train.reroute >= 0:
            yield from detour(self, train)  # re-routed while waiting here (sim.model.rerouting)
            return
        if first == first:  # not NaN: it reached another border before
            train.border_arrival = first
        if self.checks and not (yield from self._checks(train)):
            return  # refused whole at a check
        yield from self._unload(train)
        if not math.isinf(self.origins[train.ci].empties):  # empties matter only with a fleet
            yield from self._empties(train)

    def _line(self, train: Train) -> Process:
        """Daily cap and closures at entry, then transit; no arrivals while the line is closed."""
        env = self.env
        train.departed = env.now
        self.on_line(train, +1)
        if not self._admit_now(self.line_gate, 1):
            request = self.line_gate.request(1, train.priority, train.ci)
            if self.waiting_trains is not None and train.id > 0 and not request.triggered:
                self.waiting_trains[train.id] = (train, self.line_gate, request)
                yield request
                self.waiting_trains.pop(train.id, None)
                if train.reroute >= 0:  # re-routed before entering the line
                    self.on_line_wagons[train.ci] -= train.wagons
                    return
            else:
                yield request
        if self.trace:
            self.trace(train, f"{self.prefix}line", "enter", env.now)
        self.line_gate.release(1)
        transit = self.transit()
        if self.line_schedule is not None:
            transit *= self.line_schedule.time_factor_at(env.now)
        arrive = env.now + transit
        if not self.line_calendar.always_open:  # (skipping the call when open: same times, less work)
            arrive = self.line_calendar.next_open(arrive)
        yield env.timeout(arrive - env.now)
        if self.trace:
            self.trace(train, f"{self.prefix}line", "exit", env.now)
        self.on_line(train, -1)

    def on_line(self, train: Train, sign: int) -> None:
        """The train sets off for the border (+1: formed, or under way at the start) or gets there (−1)."""
        self.on_line_wagons[train.ci] += sign * train.wagons
        self.recorder.in_system.change(train.lane, self.env.now, sign * train.wagons)

    def _border(self, train: Train) -> Process:
        """Arrival at the border (the backlog starts here), then entry into the yard when it has room."""
        env = self.env
        rec = self.recorder
        lane = train.lane
        now = env.now
        train.border_arrival = now
        if self.trace:
            self.trace.arrivals.append((train.id, self.index, now))
        self.backlog.arrived(train.ci, train.wagons)
        rec.border_arrival(lane, now, train.wagons)
        if not self._admit_now(self.yard_gate, train.wagons):
            entry = self.yard_gate.request(train.wagons, train.priority, train.ci)
            if not entry.triggered:
                rec.held_change(lane, now, +1)
                self.held_wagons += train.wagons
                if self.waiting_trains is not None and train.id > 0:
                    self.waiting_trains[train.id] = (train, self.yard_gate, entry)
                yield entry
                self.held_wagons -= train.wagons
                rec.held_change(lane, env.now, -1)
                if train.reroute >= 0:  # re-routed while held: it leaves this border
                    self.waiting_trains.pop(train.id, None)  # type: ignore[union-attr]
                    self.backlog.left(train.ci, train.wagons)  # (the recorder's backlog: rerouting.detour)
                    return
                if self.waiting_trains is not None:
                    self.waiting_trains.pop(train.id, None)
            else:
                yield entry
        if self.trace:
            self.trace(train, f"{self.prefix}yard", "enter", env.now)

    def _checks(self, train: Train, skip: int = 0) -> Generator[simpy.Event, Any, bool]:
        """The administrative checks in order (from the `skip`-th), each entered through its gate
        when it has one. False if the train was refused whole (it then goes no further)."""
        env = self.env
        cargo = train.cargo
        for stage in self.checks[skip:] if skip else self.checks:
            only = stage.check.cargo
            if only is not None and cargo not in only:
                continue
            gate = stage.gate
            if gate is not None and not self._admit_now(gate, 1):
                yield gate.request(1, train.priority, train.ci)
            work = stage.time()
            if stage.schedule is not None:
                work *= stage.schedule.time_factor_at(env.now)
            if stage.calendar.always_open:
                start, end = env.now, env.now + work
            else:
                start, end, _ = stage.calendar.finish(env.now, work)
            if self.trace:
                self.trace(train, stage.label, "start", start)
            yield env.timeout(end - env.now)
            if self.trace:
                self.trace(train, stage.label, "end", env.now)
            if gate is not None:
                gate.release(1)
            if stage.refusals is not None and not stage.refusals.apply(train):
                return False
        return True

    def refuse(self, train: Train, wagons: int, return_time: Sampler, label: str) -> None:
        """`wagons` of the train refused now: they leave the yard and the backlog, loaded, and go back."""
        env = self.env
        now = env.now
        whole = wagons == train.wagons
        train.wagons -= wagons
        ci = train.ci
        self.rejected_wagons[ci] += wagons
        self.recorder.rejected(train.lane, now, wagons, whole)
        self.backlog.left(ci, wagons)
        if self.trace:
            self.trace.refused(train, label, wagons, now)
        self.yard_gate.release(wagons, ci)
        if whole:
            del self.active[train.id]
        self.returning_loaded[ci] += wagons
        back = env.timeout(return_time())
        back.callbacks.append(lambda _e: self._back_loaded(train, wagons))

    def _back_loaded(self, train: Train, wagons: int) -> None:
        """Refused wagons are back at origin: the cargo is sold elsewhere; the wagons rejoin the pool."""
        self.returning_loaded[train.ci] -= wagons
        self.recorder.returned(train.lane, self.env.now, wagons)
        self.model.origins[train.ci].returned(wagons)

    def _unload(self, train: Train, counted: bool = True) -> Process:
        """Every wagon's start and end are fixed when the train is ready (see sim.model.unloading);
        the train holds its yard room until its last wagon is unloaded."""
        env = self.env
        ci = train.ci
        ready = env.now
        plan = self.unloading[train.cargo].schedule_train(ready, train.wagons)
        self.recorder.unloading_scheduled(
            train.lane, train.border_arrival, ready, plan.starts, plan.ends, plan.busy_starts, plan.busy_ends,
            counted,
        )
        train.unloaded_by = plan.ends
        if tracked := self.backlog.tracked and len(plan.ends):
            ends = sorted(plan.ends.tolist())  # (a list's sort of ~50 nearly ordered ends: cheaper than numpy's)
            self.backlog.unloading(ci, ends)
        if self.trace:
            self.trace.unloading(train, f"{self.prefix}unloading.{train.cargo}", plan.starts, plan.ends)
        yield env.timeout((ends[-1] if tracked else float(_max(plan.ends))) - env.now)  # (ufunc: ndarray.max: +50 %)
        self.yard_gate.release(train.wagons, ci)
        del self.active[train.id]
        if self.trace:
            self.trace(train, f"{self.prefix}yard", "leave", env.now)

    def _empties(self, train: Train) -> Process:
        """Empties back to origin, where a fleet waits for them."""
        self.returning_empty[train.ci] += train.wagons
        yield self.env.timeout(self._empties_time())
        self.returning_empty[train.ci] -= train.wagons
        self.model.origins[train.ci].returned(train.wagons)

    # -- state ---------------------------------------------------------------------------------
    def border_backlog(self, ci: int) -> int:
        """Wagons of cargo ci at the border (held or in the yard) and not yet unloaded, now."""
        now = self.env.now
        if not self.backlog.tracked:  # no running count: add up the trains in the system
            return sum(
                int(np.count_nonzero(t.unloaded_by > now)) if t.unloaded_by is not None else t.wagons
                for t in self.active.values()
                if t.ci == ci and t.border_arrival <= now
            )
        return self.backlog.at(ci, now)

    def unloaded_in_yard(self, horizon: float) -> list[int]:
        """Wagons per cargo unloaded by `horizon` whose train has not left the yard yet (its empties
        leave with its last wagon): in circulation, but neither in the journey nor returning."""
        out = [0] * len(self.cargo)
        for train in self.active.values():
            if train.unloaded_by is not None:
                out[train.ci] += int(np.count_nonzero(train.unloaded_by < horizon))
        return out

    def report_still_in_system(self, horizon: float) -> None:
        """Tell the recorder the age of every wagon formed for this crossing and neither unloaded
        nor refused by `horizon`: since border arrival for those at the border, since setting off
        (or the start, for trains under way then) for every one."""
        by_lane: dict[int, tuple[list[float], list[float]]] = {}
        for train in self.active.values():
            waiting = (int(np.count_nonzero(train.unloaded_by >= horizon)) if train.unloaded_by is not None
                       else train.wagons)
            if not waiting:
                continue
            border, system = by_lane.setdefault(train.lane, ([], []))
            if train.border_arrival <= horizon:  # (nan: not at the border yet)
                border.extend([horizon - train.border_arrival] * waiting)
            off = train.departed if not math.isnan(train.departed) else 0.0
            system.extend([horizon - off] * waiting)
        for lane, (border, system) in sorted(by_lane.items()):
            self.recorder.in_system.at_end(lane, np.asarray(border), np.asarray(system))

    def in_journey(self, horizon: float) -> list[int]:
        """Wagons per cargo formed for this crossing and neither unloaded nor refused by `horizon`."""
        out = [0] * len(self.cargo)
        for train in self.active.values():
            if train.unloaded_by is not None:
                out[train.ci] += int(np.count_nonzero(train.unloaded_by >= horizon))
            else:
                out[train.ci] += train.wagons
        return out
