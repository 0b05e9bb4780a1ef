"""The crossing as a SimPy model: one process per train, from loading to unloaded.

demand → origin (stop-loading, fleet) → line (daily cap, transit) → border (yard capacity, held
trains) → checks in order → unloading (closed-form per train) → empties back to origin.

Each stage of a train's journey is its own generator (`_line`, `_border`, `_checks`, `_unload`,
`_empties`); `journey` runs them in order. The model does no I/O: it reports to a Recorder and
returns Observations.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, NamedTuple

import simpy

from sim.model.availability import Calendar
from sim.model.disruptions import TargetSchedule, Window, lay_out_windows
from sim.model.gates import Gate
from sim.model.origin import Origin, Trace, Train, demand_segments
from sim.model.recorder import Observations, Recorder
from sim.model.rng import Streams
from sim.model.unloading import UnloadingGroup
from sim.scenario.distributions import Exponential, Fixed, Sampler
from sim.scenario.schema import Check, Scenario
from sim.units import DAY

Process = Generator[simpy.Event, Any, None]


@dataclass(frozen=True, slots=True)
class CheckStage:
    """One administrative check as the model runs it: its gate (None when nothing limits entry),
    its working calendar, its disruption schedule and its time sampler."""

    check: Check
    gate: Gate | None
    calendar: Calendar
    schedule: TargetSchedule | None
    time: Sampler


class StopLoadingDecision(NamedTuple):
    """One decision of the stop-loading dispatcher, with the border backlog that triggered it."""

    cargo: str
    action: str  # "halt" | "resume"
    time: float
    backlog: int


class CrossingModel:
    """One replication of a scenario."""

    def __init__(self, scenario: Scenario, replication: int = 0, seed: int | None = None, trace: bool = False):
        self.scenario = s = scenario
        self.env = simpy.Environment()
        self.streams = Streams(s.seed if seed is None else seed, replication)
        self.horizon = s.duration
        self.cargo = s.cargo_names
        self.ci = {c: i for i, c in enumerate(self.cargo)}
        self.payload = [s.cargo[c].payload_t for c in self.cargo]
        self.trace = Trace() if trace else None
        self.windows: list[Window] = lay_out_windows(s, self.streams, self.horizon)
        by_target: dict[str, list[Window]] = {}
        for w in self.windows:
            by_target.setdefault(w.target, []).append(w)
        self.schedules = {t: TargetSchedule(ws) for t, ws in by_target.items()}
        points = [s.unloading.groups[c].points if c in s.unloading.groups else 0 for c in self.cargo]
        self.recorder = Recorder(self.cargo, self.payload, points, self.horizon, s.warmup, self.windows)
        self.on_line_wagons = [0] * len(self.cargo)
        self._train_ids = 0
        self.active: dict[int, Train] = {}
        self.stop_loading_log: list[StopLoadingDecision] = []
        self._build_origins()
        self._build_line()
        self._build_yard()
        self._build_checks()
        self._build_unloading()
        self._empties_time = Sampler(s.empties.return_time, self.streams.get("empties.return_time"))
        # wagons at the border and not yet unloaded, per cargo: exact at any time via a heap of ends.
        # Kept only for the stop-loading policy, which drains it hourly; without one nothing would
        # ever pop it and it would grow by every wagon of the run.
        self._track_border = s.policies.stop_loading is not None
        self._border_now = [0] * len(self.cargo)
        self._pending_ends: list[tuple[float, int]] = []
        self._start_processes()

    # -- construction --------------------------------------------------------------------------
    def _schedule(self, target: str) -> TargetSchedule | None:
        return self.schedules.get(target)

    def _build_origins(self) -> None:
        fleet = self.scenario.fleet or {}
        self.origins = [
            Origin(self.env, self.recorder, c, i, self.payload[i], fleet.get(c), self._dispatch)
            for i, c in enumerate(self.cargo)
        ]
        sl = self.scenario.policies.stop_loading
        if sl is not None:
            for c in sl.cargo:
                self.origins[self.ci[c]].on_halt = sl.on_halt

    def _build_line(self) -> None:
        line = self.scenario.line
        sched = self._schedule("line")
        closed = sched.closed_windows() if sched else []
        self.line_calendar = Calendar(closed=closed)
        self.line_gate = Gate(
            self.env, "line", quota=line.max_trains_per_day, calendar=self.line_calendar, schedule=sched,
            log=self.recorder.stage("line"),
        )
        self.line_schedule = sched
        self.transit = Sampler(line.transit_time, self.streams.get("line.transit_time"))

    def _build_yard(self) -> None:
        sched = self._schedule("yard")
        self.yard_gate = Gate(
            self.env, "yard", slots=self.scenario.yard.capacity_wagons,
            calendar=Calendar(closed=sched.closed_windows() if sched else []), schedule=sched,
            log=self.recorder.stage("yard"),
        )

    def _build_checks(self) -> None:
        self.checks: list[CheckStage] = []
        for check in self.scenario.checks:
            sched = self._schedule(f"checks.{check.name}")
            hours = None if check.hours in (None, (0.0, 24.0)) else check.hours
            cal = Calendar(hours=hours, closed=sched.closed_windows() if sched else [])
            needs_gate = check.trains_at_once is not None or check.trains_per_day is not None or not cal.always_open
            gate = (
                Gate(self.env, f"checks.{check.name}", slots=check.trains_at_once, quota=check.trains_per_day,
                     calendar=cal, schedule=sched, log=self.recorder.stage(f"checks.{check.name}"))
                if needs_gate else None
            )
            time = Sampler(check.time, self.streams.get(f"checks.{check.name}.time"))
            self.checks.append(CheckStage(check, gate, cal, sched, time))

    def _build_unloading(self) -> None:
        s = self.scenario
        self.unloading: dict[str, UnloadingGroup] = {
            cargo: UnloadingGroup.build(cargo, group, s.unloading.breakdowns_of(cargo),
                                        self._schedule(f"unloading.{cargo}"), self.streams, self.horizon)
            for cargo, group in s.unloading.groups.items()
        }

    def _start_processes(self) -> None:
        env = self.env
        for cargo in self.scenario.demand:
            env.process(self._demand(cargo))
        if self.scenario.policies.stop_loading is not None:
            env.process(self._stop_loading())
        env.process(self._ticker())

    # -- processes -----------------------------------------------------------------------------
    def _demand(self, cargo: str) -> Process:
        """Train requests of one cargo: a (piecewise) Poisson or regular stream."""
        s = self.scenario
        d = s.demand[cargo]
        c = s.cargo[cargo]
        segments = demand_segments(s.start, self.horizon, d.trains_per_day, d.tonnes_per_year, d.profile,
                                   c.payload_t * c.wagons_per_train)
        unit = Exponential(dist="exponential", mean_=1.0) if d.arrivals == "poisson" else Fixed(value=1.0)
        gaps = Sampler(unit, self.streams.get(f"demand.{cargo}"))
        origin = self.origins[self.ci[cargo]]
        env = self.env
        seg_i = 0
        t = 0.0
        while True:
            need = gaps()  # a gap in units of expected trains, spent across rate segments
            while seg_i < len(segments):
                a, b, rate = segments[seg_i]
                t = max(t, a)
                available = (b - t) * rate
                if need <= available:
                    t += need / rate
                    break
                need -= available
                seg_i += 1
            else:
                return
            if t >= self.horizon:
                return
            yield env.timeout(t - env.now)
            self._train_ids += 1
            origin.demand(Train(self._train_ids, cargo, origin.ci, c.wagons_per_train, c.priority, t))

    def _dispatch(self, train: Train) -> None:
        self.env.process(self.journey(train))

    def journey(self, train: Train) -> Process:
        """From formed at origin to the last wagon unloaded, then the empties' return."""
        self.active[train.id] = train
        yield from self._line(train)
        yield from self._border(train)
        if self.checks:
            yield from self._checks(train)
        yield from self._unload(train)
        if not math.isinf(self.origins[train.ci].empties):  # empties matter only with a fleet
            yield from self._empties(train)

    def _line(self, train: Train) -> Process:
        """Daily cap and closures at entry, then transit; no arrivals while the line is closed."""
        env = self.env
        self.on_line_wagons[train.ci] += train.wagons
        if not self._admit_now(self.line_gate, 1):
            yield self.line_gate.request(1, train.priority)
        if self.trace:
            self.trace(train, "line", "enter", env.now)
        self.line_gate.release(1)
        transit = self.transit()
        if self.line_schedule is not None:
            transit *= self.line_schedule.time_factor_at(env.now)
        arrive = env.now + transit
        if not self.line_calendar.always_open:  # (skipping the call when open: same times, less work)
            arrive = self.line_calendar.next_open(arrive)
        yield env.timeout(arrive - env.now)
        if self.trace:
            self.trace(train, "line", "exit", env.now)
        self.on_line_wagons[train.ci] -= train.wagons

    def _border(self, train: Train) -> Process:
        """Arrival at the border (the backlog starts here), then entry into the yard when it has room."""
        env = self.env
        rec = self.recorder
        ci = train.ci
        now = env.now
        train.border_arrival = now
        self._border_now[ci] += train.wagons
        rec.border_arrival(ci, now, train.wagons)
        if not self._admit_now(self.yard_gate, train.wagons):
            entry = self.yard_gate.request(train.wagons, train.priority)
            if not entry.triggered:
                rec.held_change(ci, now, +1)
                yield entry
                rec.held_change(ci, env.now, -1)
            else:
                yield entry
        if self.trace:
            self.trace(train, "yard", "enter", env.now)

    def _checks(self, train: Train) -> Process:
        """The administrative checks in order, each entered through its gate when it has one."""
        env = self.env
        cargo = train.cargo
        for stage in self.checks:
            only = stage.check.cargo
            if only is not None and cargo not in only:
                continue
            gate = stage.gate
            if gate is not None and not self._admit_now(gate, 1):
                yield gate.request(1, train.priority)
            work = stage.time()
            if stage.schedule is not None:
                work *= stage.schedule.time_factor_at(env.now)
            if stage.calendar.always_open:
                start, end = env.now, env.now + work
            else:
                start, end, _ = stage.calendar.finish(env.now, work)
            if self.trace:
                self.trace(train, f"checks.{stage.check.name}", "start", start)
            yield env.timeout(end - env.now)
            if self.trace:
                self.trace(train, f"checks.{stage.check.name}", "end", env.now)
            if gate is not None:
                gate.release(1)

    def _unload(self, train: Train) -> Process:
        """Every wagon's start and end are fixed when the train is ready (see sim.model.unloading);
        the train holds its yard room until its last wagon is unloaded."""
        env = self.env
        ci = train.ci
        ready = env.now
        plan = self.unloading[train.cargo].schedule_train(ready, train.wagons)
        self.recorder.unloading_scheduled(
            ci, train.border_arrival, ready, plan.starts, plan.ends, plan.busy_starts, plan.busy_ends
        )
        train.unloaded_by = plan.ends
        if self._track_border:
            for end in plan.ends:
                heapq.heappush(self._pending_ends, (end, ci))
        if self.trace:
            for s_, e_ in zip(plan.starts, plan.ends):
                self.trace(train, f"unloading.{train.cargo}", "wagon", s_)
                self.trace(train, f"unloading.{train.cargo}", "wagon_end", e_)
        yield env.timeout(max(plan.ends) - env.now)
        self.yard_gate.release(train.wagons)
        del self.active[train.id]
        if self.trace:
            self.trace(train, "yard", "leave", env.now)

    def _empties(self, train: Train) -> Process:
        """Empties back to origin, where a fleet waits for them."""
        yield self.env.timeout(self._empties_time())
        self.origins[train.ci].returned(train.wagons)

    def _admit_now(self, gate: Gate, units: int) -> bool:
        """Pass `gate` at once, without a SimPy event, when that changes nothing.

        A request admitted at once resumes its train at the next step, after every other event
        already due now. When no other event is due now, that next step is the train's own, so
        going on directly gives the same order of everything (and the same random numbers).
        """
        env = self.env
        return env.peek() > env.now and gate.try_admit(units)

    def border_backlog(self, ci: int) -> int:
        """Wagons of cargo ci at the border (held or in the yard) and not yet unloaded, now."""
        now = self.env.now
        if not self._track_border:  # no running count: add up the trains in the system
            return sum(
                sum(1 for e in t.unloaded_by if e > now) if t.unloaded_by else t.wagons
                for t in self.active.values()
                if t.ci == ci and t.border_arrival <= now
            )
        pending = self._pending_ends
        while pending and pending[0][0] <= now:
            _, c = heapq.heappop(pending)
            self._border_now[c] -= 1
        return self._border_now[ci]

    def _stop_loading(self) -> Process:
        """The dispatcher reviews the border backlog of the policy's cargo and halts or resumes."""
        sl = self.scenario.policies.stop_loading
        assert sl is not None
        cis = [self.ci[c] for c in sl.cargo]
        env = self.env
        while True:
            backlog = sum(self.border_backlog(ci) for ci in cis)
            for ci in cis:
                origin = self.origins[ci]
                if not origin.halted and backlog > sl.above_wagons:
                    origin.halted = True
                    origin.halted_since = env.now
                    self.stop_loading_log.append(StopLoadingDecision(origin.cargo, "halt", env.now, backlog))
                elif origin.halted and backlog < sl.resume_below:
                    origin.halted = False
                    self.stop_loading_log.append(StopLoadingDecision(origin.cargo, "resume", env.now, backlog))
                    self.recorder.halt(origin.cargo, origin.halted_since, env.now)
                    origin.release()
            yield env.timeout(sl.check_every)

    def _ticker(self) -> Process:
        """Fold observations at each day boundary, at the end of warm-up and at the horizon."""
        rec = self.recorder
        env = self.env
        warmup = self.scenario.warmup
        boundaries = sorted({*(k * DAY for k in range(1, math.ceil(self.horizon / DAY) + 1)), warmup, self.horizon})
        for b in boundaries:
            if 0 < b < self.horizon:
                yield env.timeout(b - env.now)
                rec.flush(b)

    # -- running -------------------------------------------------------------------------------
    def run(self) -> Observations:
        self.env.run(until=self.horizon)
        self.recorder.flush(self.horizon)
        for origin in self.origins:
            if origin.halted:
                self.recorder.halt(origin.cargo, origin.halted_since, self.horizon)
        return self.recorder.finish(self._diagnostics())

    def _diagnostics(self) -> dict[str, object]:
        h = self.horizon
        in_system = [0] * len(self.cargo)
        for train in self.active.values():
            if train.unloaded_by:
                in_system[train.ci] += sum(1 for e in train.unloaded_by if e >= h)
            else:
                in_system[train.ci] += train.wagons
        gates = [self.line_gate, self.yard_gate] + [stage.gate for stage in self.checks if stage.gate is not None]
        return {
            "generated_wagons": [o.generated_wagons for o in self.origins],
            "origin_queued_wagons": [o.queued_wagons for o in self.origins],
            "in_journey_wagons": in_system,
            "gate_max_in_use": {g.name: g.max_in_use for g in gates},
            "gate_admitted_per_day": {g.name: dict(g.admitted_per_day) for g in gates},
            "gate_slots": {g.name: g.slots for g in gates},
            "gate_quota": {g.name: g.quota for g in gates},
            "simpy_events": next(self.env._eid),  # type: ignore[attr-defined]
            "trace": self.trace.rows if self.trace else None,
            "stop_loading_log": list(self.stop_loading_log),
        }


def simulate(scenario: Scenario, replication: int = 0, seed: int | None = None, trace: bool = False) -> Observations:
    """Run one replication and return its raw observations."""
    return CrossingModel(scenario, replication, seed=seed, trace=trace).run()
