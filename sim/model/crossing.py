"""The corridor as a SimPy model: one replication, from demand at origin to wagons unloaded.

demand → origin (stop-loading, bans, fleet, loading rate, routing) → one of the crossings: line
(daily cap, transit) → border (yard capacity, held trains) → checks in order (refusals) →
unloading (closed-form per train) → empties back to origin.

The stages of each crossing and a train's journey through them are in sim.model.journey; this
module builds the replication, runs the corridor-wide processes (demand, stop-loading and
diversion reviews, loading bans, the daily fold) and returns Observations. A scenario without
`crossings:` is a corridor of one crossing. The model does no I/O: it reports to a Recorder.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from sim.model.added_points import record_added_point_hours
from sim.model.bans import LoadingBans
from sim.model.disruptions import TargetSchedule, Window, lay_out_windows
from sim.model.gates import Gate
from sim.model.initial import initial_wagons, start_initial
from sim.model.journey import Crossing
from sim.model.loading import LoadingBucket
from sim.model.orders import Order, place
from sim.model.origin import Origin, Trace, Train, demand_segments
from sim.model.periods import FOLD_DAYS
from sim.model.recorder import Observations, Recorder
from sim.model.rerouting import start_rerouting
from sim.model.reviews import DivertDecision, StopLoadingDecision
from sim.model.rng import Streams
from sim.model.room_log import RoomLog
from sim.model.routing import DivertRule, RerouteRule, Router, SmoothRoundRobin
from sim.model.stop_loading import StopLoadingReview
from sim.model.train_process import start_train
from sim.scenario.distributions import Exponential, Fixed, Sampler
from sim.scenario.schema import Scenario
from sim.scenario.target_ref import TargetRef
from sim.units import DAY

Process = Generator[simpy.Event, Any, None]


class CrossingModel:
    """One replication of a scenario: the corridor and each of its crossings."""

    fold_days = FOLD_DAYS  # fold the observations every this many days (any value: the same results)

    def __init__(self, scenario: Scenario, replication: int = 0, seed: int | None = None, trace: bool = False,
                 train_log: bool = False, order: Order | None = None):
        """`trace`: every train's stages and wagons (diagnostics["trace"]); `train_log`: without the wagons'
        rows (sim.analysis.train_log); `order`: a one-off request on top of the demand (sim.model.orders)."""
        self.scenario = s = scenario
        self.env = simpy.Environment()
        self.streams = Streams(s.seed if seed is None else seed, replication)
        self.horizon = s.duration
        self.cargo = s.cargo_names
        self.ci = {c: i for i, c in enumerate(self.cargo)}
        self.payload = [s.cargo[c].payload_t for c in self.cargo]
        self.trace = Trace() if trace else Trace(per_wagon=False) if train_log else None
        self.windows: list[Window] = lay_out_windows(s, self.streams, self.horizon)
        by_target: dict[TargetRef, list[Window]] = {}
        for w in self.windows:
            by_target.setdefault(w.ref, []).append(w)
        self.schedules = {t: TargetSchedule(ws) for t, ws in by_target.items()}
        specs = s.crossing_specs()
        names = [name for name, _ in specs]
        points = [spec.unloading.groups[c].points if c in spec.unloading.groups else 0
                  for _, spec in specs for c in self.cargo]
        self.recorder = Recorder(self.cargo, self.payload, points, self.horizon, s.warmup, self.windows, names)
        self._train_ids = 0
        self.order, self.order_trains = order, list[int]()
        self.initial_ids = 0
        self.stop_loading_log: dict[str, list[StopLoadingDecision]] = {x: [] for x in names}
        self.divert_log: list[DivertDecision] = []
        self.crossings = [Crossing(self, x, name, spec, s.prefix(name)) for x, (name, spec) in enumerate(specs)]
        self._build_origins()
        for crossing in self.crossings:
            crossing.origins = self.origins
        self._counting = len(self.crossings) > 1  # trains sent to each crossing today (sim.model.room)
        self.room_log = RoomLog(self.recorder)
        for origin in self.origins:
            origin.room_log = self.room_log
            if origin.router is not None:
                origin.room = self._can_take
        self.bans = LoadingBans([w for w in self.windows if w.ref.is_ban],
                                {d.name: d.on_halt or "defer" for d in s.disruptions}, self.cargo, names)
        for crossing in self.crossings:
            start_initial(self, crossing)
        self.detours: dict[tuple[int, int, int], RerouteRule] = {}  # (from, to, cargo) -> its rule
        self.on_detour = [0] * len(self.cargo)  # wagons re-routed and not yet at their new border
        self._start_processes()
        start_rerouting(self)

    @property
    def active(self) -> dict[int, Train]:
        """Trains formed (or under way at the start) and not yet unloaded nor refused whole."""
        return {k: v for c in self.crossings for k, v in c.active.items()}

    # -- construction --------------------------------------------------------------------------
    def _build_origins(self) -> None:
        s = self.scenario
        fleet = s.fleet or {}
        names = s.crossing_names
        starting = initial_wagons(self)
        self.origins: list[Origin] = []
        self._rule_spans: dict[int, tuple[float, float]] = {}  # id(rule) -> (starts, ends) in hours
        self._share_changes: list[tuple[Origin, list[tuple[float, list[float]]]]] = []
        for i, c in enumerate(self.cargo):
            router = None
            if len(names) > 1 and s.routing is not None and c in s.routing:
                r = s.routing[c]
                rules = [DivertRule(names.index(d.from_), names.index(d.to), d.share, d.above_wagons,
                                    d.resume_below, d.check_every) for d in r.divert]
                for d, rule in zip(r.divert, rules):
                    self._rule_spans[id(rule)] = (-math.inf if d.starts is None else s.hours_since_start(d.starts),
                                                  math.inf if d.ends is None else s.hours_since_start(d.ends))
                router = Router([r.weights.get(x, 0.0) for x in names], rules)
            bucket = None
            if s.loading is not None and c in s.loading:
                rate = s.loading[c]
                burst = rate.burst_wagons if rate.burst_wagons is not None else s.cargo[c].wagons_per_train
                bucket = LoadingBucket(rate.wagons_per_day / DAY, burst)
            own = fleet.get(c)
            origin = Origin(self.env, self.recorder, c, i, self.payload[i],
                            None if own is None else own - starting[i], self._dispatch, len(self.cargo),
                            len(names), router, bucket, self.trace)
            self.origins.append(origin)
            if router is not None and s.routing is not None and s.routing[c].changes:
                self._share_changes.append((origin, [(s.hours_since_start(ch.from_), [ch.weights.get(x, 0.0)
                                                      for x in names]) for ch in s.routing[c].changes]))
        sl = s.policies.stop_loading
        if sl is not None:
            for c in sl.cargo:
                self.origins[self.ci[c]].on_halt = sl.on_halt

    def _start_processes(self) -> None:
        env = self.env
        s = self.scenario
        for cargo in s.demand:
            env.process(self._demand(cargo))
        sl = s.policies.stop_loading
        if sl is not None:
            watched = [s.crossing_names.index(x) for x in sl.crossings] if sl.crossings else range(len(self.crossings))
            StopLoadingReview(env, sl, self.crossings, watched, self.origins, [self.ci[c] for c in sl.cargo],
                              self.stop_loading_log, self.recorder).start()
        for origin in self.origins:
            for rule in origin.router.rules if origin.router is not None else []:
                self.crossings[rule.source].track_border()
                env.process(self._divert(origin, rule))
        for origin, changes in self._share_changes:
            env.process(self._dated_shares(origin, changes))
        if not self.bans.empty:
            env.process(self._bans())
        env.process(self._ticker())
        if self.order is not None:
            o = self.order
            env.process(place(env, o, self.origins[self.ci[o.cargo]], s.cargo[o.cargo].wagons_per_train,
                              self.new_train, self.order_trains))

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
            origin.demand(self.new_train(cargo, c.wagons_per_train, t))

    def new_train(self, cargo: str, wagons: int, requested: float) -> Train:
        self._train_ids += 1
        return Train(self._train_ids, cargo, self.ci[cargo], wagons, self.scenario.cargo[cargo].priority, requested)

    def _dispatch(self, train: Train, crossing: int) -> None:
        if self._counting:
            self.crossings[crossing].room.count(train.ci, self.env.now)
        start_train(self.env, self.crossings[crossing].journey(train))

    def _can_take(self, crossing: int, ci: int, wagons: int) -> bool:
        return self.crossings[crossing].room.can_take(ci, wagons, self.env.now)

    def _admit_now(self, gate: Gate, units: int) -> bool:
        """Pass `gate` at once, without a SimPy event, when that changes nothing.

        A request admitted at once resumes its train at the next step, after every other event
        already due now. When no other event is due now, that next step is the train's own, so
        going on directly gives the same order of everything (and the same random numbers).
        """
        env = self.env
        return env.peek() > env.now and gate.try_admit(units)

    def border_backlog(self, ci: int) -> int:
        """Wagons of cargo ci at the border of every crossing (held or in the yard), not yet unloaded."""
        return sum(c.border_backlog(ci) for c in self.crossings)

    def _divert(self, origin: Origin, rule: DivertRule) -> Process:
        """Diversion of one cargo from a crossing, on that crossing's border backlog (every cargo)."""
        env = self.env
        source = self.crossings[rule.source]
        target = self.crossings[rule.target].name
        starts, ends = self._rule_spans.get(id(rule), (-math.inf, math.inf))
        while True:
            backlog = sum(source.border_backlog(ci) for ci in range(len(self.cargo)))
            if rule.on and not starts <= env.now < ends:  # a dated rule's span is over
                rule.on = False
                self.divert_log.append(DivertDecision(origin.cargo, source.name, target, "off", env.now, backlog))
            elif not rule.on and backlog > rule.above and starts <= env.now < ends:
                rule.on = True
                self.divert_log.append(DivertDecision(origin.cargo, source.name, target, "on", env.now, backlog))
            elif rule.on and backlog < rule.below:
                rule.on = False
                self.divert_log.append(DivertDecision(origin.cargo, source.name, target, "off", env.now, backlog))
            yield env.timeout(rule.check_every)

    def _dated_shares(self, origin: Origin, changes: list[tuple[float, list[float]]]) -> Process:
        """A cargo's routing shares replaced at their dates (`routing.<cargo>.changes`): dealing starts
        afresh with the new weights; the change in force at the start applies from it."""
        assert origin.router is not None
        for t, weights in changes:
            if t >= self.horizon:
                return
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            origin.router.rr = SmoothRoundRobin(weights)
            origin.release()

    def _bans(self) -> Process:
        """Loading bans come into force and end at their windows' bounds; trains held back by a
        partial ban are loaded again (in request order) whenever their ban changes."""
        env = self.env
        bans = self.bans
        for t in [0.0, *(c for c in bans.changes if 0 < c < self.horizon)]:
            if t > env.now:
                yield env.timeout(t - env.now)
            changed = set()
            for ci, x in bans.pairs():
                state = bans.state(ci, x, t)
                origin = self.origins[ci]
                if state != origin.ban[x]:
                    origin.set_ban(x, state)
                    changed.add(ci)
            for ci in sorted(changed):
                self.origins[ci].restore_held_back()
                self.origins[ci].release()

    def _ticker(self) -> Process:
        """Close each day (the origins' queues end it) and fold the observations every
        `fold_days` days, at the end of warm-up and at the horizon (sim.model.periods)."""
        rec = self.recorder
        env = self.env
        warmup = self.scenario.warmup
        boundaries = sorted({*(k * DAY for k in range(1, math.ceil(self.horizon / DAY) + 1)), warmup, self.horizon})
        for b in boundaries:
            if 0 < b < self.horizon:
                yield env.timeout(b - env.now)
                self._report_origins()
                if b == warmup or round(b / DAY) % self.fold_days == 0:
                    rec.flush(b)
                else:
                    rec.day_boundary(b)

    def _report_origins(self) -> None:
        if any(o.waited_for_room_wagons for o in self.origins):  # (once any has waited, every day)
            self.room_log.day_end(self.env.now, [o.queued_wagons if o.waiting_for_room else 0 for o in self.origins])
        for origin in self.origins:
            if origin.queue or origin.held_back:
                self.recorder.origin_queue(origin.ci, origin.queued_wagons + origin.held_back_wagons)
            else:
                self.recorder.origin_queue(origin.ci, 0)

    # -- running -------------------------------------------------------------------------------
    def run(self) -> Observations:
        self.env.run(until=self.horizon)
        self._report_origins()
        for crossing in self.crossings:
            crossing.report_still_in_system(self.horizon)
        self.recorder.flush(self.horizon)
        for origin in self.origins:
            for x, halted in enumerate(origin.halted_at):
                if halted:
                    self.recorder.halt(origin.cargo, origin.halted_since[x], self.horizon, x)
            self.recorder.origin_end(origin.ci, origin.queued_wagons + origin.held_back_wagons,
                                     len(origin.queue) + len(origin.held_back))
        obs = self.recorder.finish(self._diagnostics())
        self.room_log.fill(obs)
        record_added_point_hours(self, obs)
        return obs

    def _diagnostics(self) -> dict[str, object]:
        h = self.horizon
        n = len(self.cargo)
        by_crossing = {c.name: c.in_journey(h) for c in self.crossings}
        in_system = [sum(v[ci] for v in by_crossing.values()) for ci in range(n)]
        gates = [g for c in self.crossings for g in c.gates()]
        per_cargo = lambda attr: [sum(getattr(c, attr)[ci] for c in self.crossings) for ci in range(n)]  # noqa: E731
        logs = self.stop_loading_log
        merged = sorted((d for log in logs.values() for d in log), key=lambda d: d.time) if len(logs) > 1 else \
            next(iter(logs.values()))
        return {
            "generated_wagons": [o.generated_wagons for o in self.origins],
            "origin_queued_wagons": [o.queued_wagons for o in self.origins],
            "origin_held_back_wagons": [o.held_back_wagons for o in self.origins],
            "dropped_wagons": [o.dropped_wagons for o in self.origins],
            "waited_for_room_wagons": [o.waited_for_room_wagons for o in self.origins],
            "divert_forgone": [[r.forgone for r in o.router.rules] if o.router is not None else []
                               for o in self.origins],
            "initial_wagons": initial_wagons(self),
            "in_journey_wagons": in_system,
            "in_journey_by_crossing": by_crossing,
            "en_route_by_crossing": {c.name: list(c.on_line_wagons) for c in self.crossings},
            "rejected_wagons": per_cargo("rejected_wagons"),
            "on_detour_wagons": list(self.on_detour),
            "by_crossing": {c.name: {"formed": [o.formed_wagons[c.index] for o in self.origins],
                                     "rerouted_in": list(c.rerouted_in), "rerouted_out": list(c.rerouted_out),
                                     "rejected": list(c.rejected_wagons), "in_journey": by_crossing[c.name]}
                            for c in self.crossings},
            "returning_loaded_wagons": per_cargo("returning_loaded"),
            "returning_empty_wagons": per_cargo("returning_empty"),
            "unloaded_in_yard_wagons": [sum(c.unloaded_in_yard(h)[ci] for c in self.crossings) for ci in range(n)],
            "empties_at_origin": [None if math.isinf(o.empties) else o.empties for o in self.origins],
            "formed_wagons_by_crossing": {c.name: [o.formed_wagons[c.index] for o in self.origins]
                                          for c in self.crossings},
            "gate_max_in_use": {g.name: g.max_in_use for g in gates},
            "gate_admitted_per_day": {g.name: dict(g.admitted_per_day) for g in gates},
            "gate_slots": {g.name: g.slots for g in gates},
            "gate_quota": {g.name: g.quota for g in gates},
            "simpy_events": next(self.env._eid),  # type: ignore[attr-defined]
            **Trace.logs(self.trace), "order_trains": list(self.order_trains),
            "stop_loading_log": list(merged),
            "stop_loading_log_by_crossing": {x: list(log) for x, log in logs.items()},
            "divert_log": list(self.divert_log),
        }


def simulate(scenario: Scenario, replication: int = 0, seed: int | None = None, trace: bool = False,
             train_log: bool = False, order: Order | None = None) -> Observations:
    """Run one replication and return its raw observations (`trace`, `train_log`, `order`: see CrossingModel)."""
    return CrossingModel(scenario, replication, seed=seed, trace=trace, train_log=train_log, order=order).run()
