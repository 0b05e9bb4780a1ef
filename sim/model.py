"""The crossing as a SimPy model: one process per train, from loading to unloaded.

demand → origin (stop-loading, fleet) → line (daily cap, transit) → border (yard capacity, held
trains) → checks in order → unloading (closed-form per train) → empties back to origin.

The model does no I/O: it reports to a Recorder and returns Observations.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import heapq
import math
from collections import deque
from dataclasses import dataclass, field

import simpy

from sim.calendar import DAY, Calendar
from sim.disruptions import TargetSchedule, Window, lay_out_windows
from sim.distributions import Exponential, Fixed, Sampler
from sim.gates import Gate
from sim.recorder import Observations, Recorder
from sim.rng import Streams
from sim.scenario import Check, Scenario
from sim.unloading import UnloadingGroup


@dataclass(slots=True)
class Train:
    id: int
    cargo: str
    ci: int
    wagons: int
    priority: int
    demanded: float
    border_arrival: float = math.nan
    unloaded_by: list[float] = field(default_factory=list)


@dataclass
class Trace:
    """Optional stage-by-stage log of every train, for tests and debugging (off by default)."""

    rows: list[tuple[int, str, str, str, float]] = field(default_factory=list)

    def __call__(self, train: Train, stage: str, what: str, t: float) -> None:
        self.rows.append((train.id, train.cargo, stage, what, t))


def month_segments(start: dt.date, horizon: float) -> list[tuple[float, float, int]]:
    """(from hour, to hour, month 0-11) for every calendar month overlapping [0, horizon)."""
    out = []
    y, m = start.year, start.month
    t0 = 0.0
    first_day = start.day
    while t0 < horizon:
        days_in_month = _cal.monthrange(y, m)[1]
        length = (days_in_month - first_day + 1) * DAY
        out.append((t0, t0 + length, m - 1))
        t0 += length
        first_day = 1
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class Origin:
    """Where trains of one cargo are formed: the stop-loading switch and the empty-wagon pool."""

    def __init__(self, model: CrossingModel, cargo: str, ci: int) -> None:
        self.model = model
        self.cargo = cargo
        self.ci = ci
        self.queue: deque[Train] = deque()
        self.halted = False
        self.halted_since = 0.0
        fleet = (model.scenario.fleet or {}).get(cargo)
        self.empties: float = math.inf if fleet is None else fleet
        self.on_halt = "defer"

    @property
    def queued_wagons(self) -> int:
        return sum(t.wagons for t in self.queue)

    def demand(self, train: Train) -> None:
        m = self.model
        now = m.env.now
        tonnes = train.wagons * m.payload[self.ci]
        if self.halted:
            if self.on_halt == "lose":
                m.recorder.lost(self.ci, now, tonnes)
                return
            m.recorder.deferred(self.ci, now, tonnes)
        m.generated_wagons[self.ci] += train.wagons
        m.recorder.generated(self.ci, now, train.wagons)
        self.queue.append(train)
        self.release()

    def release(self) -> None:
        while self.queue and not self.halted and self.empties >= self.queue[0].wagons:
            train = self.queue.popleft()
            self.empties -= train.wagons
            self.model.env.process(self.model.journey(train))

    def returned(self, wagons: int) -> None:
        self.empties += wagons
        self.release()


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
        self.recorder = Recorder(
            self.cargo, self.payload, points, self.horizon, s.warmup,
            [(w.name, w.target, w.start, w.end, w.capacity, w.time_factor) for w in self.windows],
        )
        self.generated_wagons = [0] * len(self.cargo)
        self.on_line_wagons = [0] * len(self.cargo)
        self._train_ids = 0
        self.active: dict[int, Train] = {}
        # every stop-loading decision: (cargo, "halt" | "resume", time, border backlog that triggered it)
        self.stop_loading_log: list[tuple[str, str, float, int]] = []
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
        self.origins = [Origin(self, c, i) for i, c in enumerate(self.cargo)]
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
        )
        self.line_schedule = sched
        self.transit = Sampler(line.transit_time, self.streams.get("line.transit_time"))

    def _build_yard(self) -> None:
        sched = self._schedule("yard")
        self.yard_gate = Gate(
            self.env, "yard", slots=self.scenario.yard.capacity_wagons,
            calendar=Calendar(closed=sched.closed_windows() if sched else []), schedule=sched,
        )

    def _build_checks(self) -> None:
        self.checks: list[tuple[Check, Gate | None, Calendar, TargetSchedule | None, Sampler]] = []
        for check in self.scenario.checks:
            sched = self._schedule(f"checks.{check.name}")
            hours = None if check.hours in (None, (0.0, 24.0)) else check.hours
            cal = Calendar(hours=hours, closed=sched.closed_windows() if sched else [])
            needs_gate = check.trains_at_once is not None or check.trains_per_day is not None or not cal.always_open
            gate = (
                Gate(self.env, f"checks.{check.name}", slots=check.trains_at_once, quota=check.trains_per_day,
                     calendar=cal, schedule=sched)
                if needs_gate else None
            )
            time = Sampler(check.time, self.streams.get(f"checks.{check.name}.time"))
            self.checks.append((check, gate, cal, sched, time))

    def _build_unloading(self) -> None:
        self.unloading: dict[str, UnloadingGroup] = {}
        s = self.scenario
        for cargo, group in s.unloading.groups.items():
            sched = self._schedule(f"unloading.{cargo}")
            down: list[list[tuple[float, float]]] = [[] for _ in range(group.points)]
            if sched is not None:
                for start, end, units in sched.reduced_windows(group.points):
                    for p in range(units, group.points):
                        down[p].append((start, end))
            breakdowns = s.unloading.breakdowns_of(cargo)
            if breakdowns is not None:
                for p in range(group.points):
                    rng = self.streams.get(f"unloading.{cargo}.point{p}.breakdowns")
                    up = Sampler(Exponential(dist="exponential", mean_=breakdowns.mtbf), rng)
                    repair = Sampler(breakdowns.mttr, rng)
                    t = up()
                    while t < self.horizon:
                        r = repair()
                        down[p].append((t, t + r))
                        t += r + up()
            calendars = [Calendar(closed=d) for d in down]
            wagon_time = Sampler(group.wagon_time, self.streams.get(f"unloading.{cargo}.wagon_time"))
            self.unloading[cargo] = UnloadingGroup(group.points, wagon_time, calendars, sched)

    def _start_processes(self) -> None:
        env = self.env
        for cargo in self.scenario.demand:
            env.process(self._demand(cargo))
        if self.scenario.policies.stop_loading is not None:
            env.process(self._stop_loading())
        env.process(self._ticker())

    # -- processes -----------------------------------------------------------------------------
    def _demand(self, cargo: str):
        """Train requests of one cargo: a (piecewise) Poisson or regular stream."""
        s = self.scenario
        d = s.demand[cargo]
        c = s.cargo[cargo]
        ci = self.ci[cargo]
        per_train_t = c.payload_t * c.wagons_per_train
        if d.trains_per_day is not None:
            segments = [(0.0, math.inf, d.trains_per_day / DAY)]
        else:
            assert d.tonnes_per_year is not None
            profile = d.profile
            segments = []
            for a, b, month in month_segments(s.start, self.horizon):
                days_in_month = _days_in_month(s.start, a)
                tonnes = d.tonnes_per_year * profile[month] / 12
                segments.append((a, b, tonnes / per_train_t / (days_in_month * DAY)))
        if d.arrivals == "poisson":
            gaps = Sampler(Exponential(dist="exponential", mean_=1.0), self.streams.get(f"demand.{cargo}"))
        else:
            gaps = Sampler(Fixed(value=1.0), self.streams.get(f"demand.{cargo}"))
        origin = self.origins[ci]
        env = self.env
        seg_i = 0
        t = 0.0
        while True:
            need = gaps()
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
            origin.demand(Train(self._train_ids, cargo, ci, c.wagons_per_train, c.priority, t))

    def journey(self, train: Train):
        """From formed at origin to the last wagon unloaded, then the empties' return."""
        env = self.env
        rec = self.recorder
        tr = self.trace
        ci = train.ci
        self.active[train.id] = train
        self.on_line_wagons[ci] += train.wagons
        # line: daily cap and closures at entry, transit, no arrivals while closed
        if not self._admit_now(self.line_gate, 1):
            yield self.line_gate.request(1, train.priority)
        if tr:
            tr(train, "line", "enter", env.now)
        self.line_gate.release(1)
        transit = self.transit()
        if self.line_schedule is not None:
            transit *= self.line_schedule.time_factor_at(env.now)
        arrive = env.now + transit
        if not self.line_calendar.always_open:  # (skipping the call when open: same times, less work)
            arrive = self.line_calendar.next_open(arrive)
        yield env.timeout(arrive - env.now)
        if tr:
            tr(train, "line", "exit", env.now)
        # border: the backlog starts here
        now = env.now
        self.on_line_wagons[ci] -= train.wagons
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
        if tr:
            tr(train, "yard", "enter", env.now)
        for check, gate, cal, sched, time in self.checks:
            if check.cargo is not None and train.cargo not in check.cargo:
                continue
            if gate is not None and not self._admit_now(gate, 1):
                yield gate.request(1, train.priority)
            work = time()
            if sched is not None:
                work *= sched.time_factor_at(env.now)
            if cal.always_open:
                start, end = env.now, env.now + work
            else:
                start, end, _ = cal.finish(env.now, work)
            if tr:
                tr(train, f"checks.{check.name}", "start", start)
            yield env.timeout(end - env.now)
            if tr:
                tr(train, f"checks.{check.name}", "end", env.now)
            if gate is not None:
                gate.release(1)
        # unloading: every wagon's start and end are fixed now (see sim.unloading)
        ready = env.now
        plan = self.unloading[train.cargo].schedule_train(ready, train.wagons)
        rec.unloading_scheduled(
            ci, train.border_arrival, ready, plan.starts, plan.ends, plan.busy_starts, plan.busy_ends
        )
        train.unloaded_by = plan.ends
        if self._track_border:
            for end in plan.ends:
                heapq.heappush(self._pending_ends, (end, ci))
        if tr:
            for s_, e_ in zip(plan.starts, plan.ends):
                tr(train, f"unloading.{train.cargo}", "wagon", s_)
                tr(train, f"unloading.{train.cargo}", "wagon_end", e_)
        last = max(plan.ends)
        yield env.timeout(last - env.now)
        self.yard_gate.release(train.wagons)
        del self.active[train.id]
        if tr:
            tr(train, "yard", "leave", env.now)
        # empties back to origin (only matters with a fleet)
        origin = self.origins[ci]
        if not math.isinf(origin.empties):
            yield env.timeout(self._empties_time())
            origin.returned(train.wagons)

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

    def _stop_loading(self):
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
                    self.stop_loading_log.append((origin.cargo, "halt", env.now, backlog))
                elif origin.halted and backlog < sl.resume_below:
                    origin.halted = False
                    self.stop_loading_log.append((origin.cargo, "resume", env.now, backlog))
                    self.recorder.halt(origin.cargo, origin.halted_since, env.now)
                    origin.release()
            yield env.timeout(sl.check_every)

    def _ticker(self):
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
        gates = [self.line_gate, self.yard_gate] + [g for _, g, *_ in self.checks if g is not None]
        return {
            "generated_wagons": list(self.generated_wagons),
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


def _days_in_month(start: dt.date, hour: float) -> int:
    day = start + dt.timedelta(hours=hour)
    return _cal.monthrange(day.year, day.month)[1]


def simulate(scenario: Scenario, replication: int = 0, seed: int | None = None, trace: bool = False) -> Observations:
    """Run one replication and return its raw observations."""
    return CrossingModel(scenario, replication, seed=seed, trace=trace).run()
