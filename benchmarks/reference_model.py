"""An idiomatic SimPy model of the crossing, written from scratch as a yardstick for the product.

This is how the crossing is usually first modelled: one SimPy process per train up to the
unloading, then **one SimPy process per wagon** queueing for a `simpy.Resource` with one unit per
unloading point, statistics kept as running sums. It is slower but has an obvious meaning, so it
serves two purposes in `benchmarks/bench_model.py` and `tests/validation/test_reference_agreement.py`:

- its cost per wagon is the baseline the product's speed is measured against, and
- its KPIs must agree with the product's (within confidence intervals) on the same scenario,
  which checks the product's closed-form unloading schedule and online recorder.

It shares no model code with the product: only the scenario reader and the distribution samplers
(random draws are not what is being compared). It implements just the subset of the scenario
contract that `benchmarks/scenarios/crossing_300k.yaml` uses and refuses anything else (found key
by key: any key of a scenario outside the list below is named as a feature it lacks, new ones too):

- demand: `tonnes_per_year` (+ `monthly_profile`) with poisson arrivals, or `trains_per_day`
  (poisson or regular)
- line: `transit_time` (no daily cap)
- yard: `capacity_wagons`, entered in (priority, arrival) order; a train that does not fit blocks
  those behind it; a train occupies its room until its last wagon is unloaded
- checks: `time`, `cargo` filter, `trains_at_once` (a `simpy.PriorityResource`)
- unloading: `points` and `wagon_time` per cargo (a FIFO `simpy.Resource` per cargo)
- one crossing (`within_subset` keeps the first of several, with every train)
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

import numpy as np
import simpy
from simpy.resources.container import ContainerPut
from simpy.resources.resource import SortedQueue

from sim.scenario.distributions import Exponential, Fixed, Sampler
from sim.scenario.schema import Scenario

DAY = 24.0
KPIS = (
    "wagons_delivered",
    "trains_delivered",
    "dwell_h_mean",
    "unload_wait_h_mean",
    "unloading_utilization",
    "backlog_wagons_mean",
)


class UnsupportedScenario(ValueError):  # noqa: N818 - names what the reference model cannot do
    """The scenario uses features outside the reference model's subset."""


# What the reference mirrors, key by key; every other key of a scenario is a feature it lacks.
_TOP_KEYS = ("name", "description", "start", "duration", "warmup", "seed", "replications", "cargo", "costs")
_CARGO_KEYS = ("payload_t", "wagons_per_train", "priority")
_DEMAND_KEYS = ("trains_per_day", "tonnes_per_year", "monthly_profile", "arrivals")
_CHECK_KEYS = ("name", "time", "cargo", "trains_at_once")


def _pick(data: dict, keys: tuple[str, ...]) -> dict:
    return {k: data[k] for k in keys if k in data}


def _subset_data(data: dict) -> dict:
    """The scenario data the reference model mirrors: one crossing (the first, when there are
    several, taking every train), only the keys it implements."""
    stages = next(iter(data["crossings"].values())) if data.get("crossings") else data
    demand = {}
    for cargo, d in data["demand"].items():
        kept = _pick(d, _DEMAND_KEYS)
        if kept.get("arrivals") == "regular" and kept.get("trains_per_day") is None:
            kept["arrivals"] = "poisson"  # regular arrivals only at a constant rate
        demand[cargo] = kept
    return {
        **_pick(data, _TOP_KEYS),
        "cargo": {c: _pick(v, _CARGO_KEYS) for c, v in data["cargo"].items()},
        "demand": demand,
        "line": _pick(stages["line"], ("transit_time",)),
        "yard": _pick(stages.get("yard") or {}, ("capacity_wagons",)),
        "checks": [_pick(check, _CHECK_KEYS) for check in stages["checks"]],
        "unloading": {c: _pick(g, ("points", "wagon_time")) for c, g in stages["unloading"].items()
                      if c != "breakdowns"},
    }


def _differences(old: object, new: object, path: str) -> list[str]:
    """Key paths where `old` and `new` differ (a list that differs is named once, as a whole)."""
    if isinstance(old, dict) and isinstance(new, dict) and "dist" not in old:  # a distribution is one value
        out = []
        for k in list(old) + [k for k in new if k not in old]:
            out += _differences(old.get(k), new.get(k), f"{path}.{k}" if path else str(k))
        return out
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new) and old and \
            all(isinstance(x, dict) and "name" in x for x in old):
        out = []
        for x, y in zip(old, new):
            out += _differences(x, y, f"{path}.{x['name']}")
        return out
    return [] if old == new or (old in (None, {}, []) and new in (None, {}, [])) else [path]


def _reduce(s: Scenario) -> tuple[dict, list[str]]:
    """The subset's data for `s`, and the key paths of `s` that the reference cannot mirror."""
    data = s.to_dict()
    subset = _subset_data(data)
    reduced = Scenario.model_validate(subset).to_dict()
    crossings = data.get("crossings") or {}
    if crossings:  # compare each crossing's stages with the subset's, at their own paths
        first = next(iter(crossings))
        stages = {k: reduced[k] for k in ("line", "yard", "checks", "unloading")}
        reduced = {**reduced, "crossings": {first: stages}}
        for k in stages:
            reduced.pop(k)
        dropped = [f"crossings ({len(crossings)}: only {first} is mirrored, taking every train)"] \
            if len(crossings) > 1 else ["crossings (one, mirrored as the top-level stages)"]
        dropped += _differences({k: v for k, v in data.items() if k != "crossings"},
                                {k: v for k, v in reduced.items() if k != "crossings"}, "")
        dropped += _differences(crossings[first], stages, f"crossings.{first}")
    else:
        dropped = _differences(data, reduced, "")
    return subset, dropped


def unsupported_features(s: Scenario) -> list[str]:
    """Key paths of every feature of `s` that the reference model does not implement."""
    return _reduce(s)[1]


def within_subset(s: Scenario) -> tuple[Scenario, list[str]]:
    """`s` with every feature outside the reference model's subset removed, and what was removed.

    Lets the benchmark time both models on a shipped scenario's volumes and structure when the
    scenario itself uses features only the product has (its KPIs then differ from the original's).
    With several crossings the first is kept, alone, with every train.
    """
    subset, dropped = _reduce(s)
    reduced = Scenario.model_validate(subset)
    still = unsupported_features(reduced)
    if still:
        raise UnsupportedScenario("cannot reduce to the reference model's subset: " + ", ".join(still))
    return reduced, dropped


class _PriorityPut(ContainerPut):
    """A put into the yard that queues by (priority, request order) instead of FIFO."""

    def __init__(self, yard: PriorityYard, amount: int, priority: int) -> None:
        self.key = (priority, next(yard.order))
        super().__init__(yard, amount)


class PriorityYard(simpy.Container):
    """Yard room in wagons. `put` to enter, `get` to leave; the queue is ordered by priority and
    SimPy's Container stops at the first request that does not fit (no overtaking)."""

    PutQueue = SortedQueue

    def __init__(self, env: simpy.Environment, capacity: float) -> None:
        super().__init__(env, capacity=capacity)
        self.order = itertools.count()

    def enter(self, amount: int, priority: int) -> _PriorityPut:
        return _PriorityPut(self, amount, priority)


@dataclass
class CargoStats:
    """Running sums for one cargo over the statistics window [warmup, horizon)."""

    wagons: int = 0
    trains: int = 0
    dwell_sum: float = 0.0
    wait_sum: float = 0.0
    busy_h: float = 0.0
    backlog_integral: float = 0.0
    generated_wagons: int = 0


@dataclass
class ReferenceResult:
    kpis: dict[str, dict[str, float]]  # cargo -> KPI -> value
    diagnostics: dict[str, object] = field(default_factory=dict)


def _overlap(a: float, b: float, lo: float, hi: float) -> float:
    return max(0.0, min(b, hi) - max(a, lo))


class ReferenceModel:
    """One replication of a scenario, the idiomatic way (see the module docstring)."""

    def __init__(self, scenario: Scenario, replication: int = 0, seed: int | None = None) -> None:
        problems = unsupported_features(scenario)
        if problems:
            raise UnsupportedScenario("outside the reference model's subset: " + ", ".join(problems))
        self.s = s = scenario
        self.env = simpy.Environment()
        self.horizon = s.duration
        self.warmup = s.warmup
        root = np.random.SeedSequence(entropy=s.seed if seed is None else seed, spawn_key=(replication,))
        self._streams = iter(root.spawn(10_000))
        self.stats = {c: CargoStats() for c in s.demand}
        self.transit = self._sampler(s.line.transit_time)
        cap = s.yard.capacity_wagons
        self.yard = PriorityYard(self.env, cap) if cap is not None else None
        self.checks = [
            (
                check,
                simpy.PriorityResource(self.env, capacity=check.trains_at_once) if check.trains_at_once else None,
                self._sampler(check.time),
            )
            for check in s.checks
        ]
        self.points = {c: simpy.Resource(self.env, capacity=g.points) for c, g in s.unloading.groups.items()}
        self.wagon_time = {c: self._sampler(g.wagon_time) for c, g in s.unloading.groups.items()}
        for cargo in s.demand:
            self.env.process(self.source(cargo))

    def _sampler(self, dist: object) -> Sampler:
        return Sampler(dist, np.random.Generator(np.random.PCG64(next(self._streams))))  # type: ignore[arg-type]

    # -- processes -------------------------------------------------------------------------------
    def source(self, cargo: str):
        """Trains of one cargo. Poisson: exponential gaps at the current month's rate, started
        afresh at each month boundary (memoryless); regular: a fixed gap (constant rate only)."""
        d = self.s.demand[cargo]
        c = self.s.cargo[cargo]
        poisson = d.arrivals == "poisson"
        gaps = self._sampler(Exponential(dist="exponential", mean=1.0) if poisson else Fixed(value=1.0))
        env = self.env
        while True:
            rate, until = self._rate(cargo, env.now)  # trains per hour, constant until `until`
            gap = gaps() / rate if rate > 0 else math.inf
            if env.now + gap >= until:
                if until >= self.horizon:
                    return
                yield env.timeout(until - env.now)
                continue
            if env.now + gap >= self.horizon:
                return
            yield env.timeout(gap)
            self.stats[cargo].generated_wagons += c.wagons_per_train
            env.process(self.train(cargo))

    def _rate(self, cargo: str, t: float) -> tuple[float, float]:
        d = self.s.demand[cargo]
        if d.trains_per_day is not None:
            return d.trains_per_day / DAY, math.inf
        c = self.s.cargo[cargo]
        day = self.s.start + dt.timedelta(hours=t)
        days = calendar.monthrange(day.year, day.month)[1]
        month_end = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        until = (month_end - self.s.start).days * DAY
        assert d.tonnes_per_year is not None
        trains_in_month = d.tonnes_per_year * d.profile[day.month - 1] / 12 / (c.payload_t * c.wagons_per_train)
        return trains_in_month / (days * DAY), until

    def train(self, cargo: str):
        env = self.env
        c = self.s.cargo[cargo]
        n = c.wagons_per_train
        st = self.stats[cargo]
        yield env.timeout(self.transit())
        arrival = env.now
        # the wagons are in the border backlog from now until each is unloaded (or the horizon)
        st.backlog_integral += n * _overlap(arrival, self.horizon, self.warmup, self.horizon)
        if self.yard is not None:
            yield self.yard.enter(n, c.priority)
        for check, resource, time in self.checks:
            if check.cargo is not None and cargo not in check.cargo:
                continue
            if resource is None:
                yield env.timeout(time())
            else:
                with resource.request(priority=c.priority) as req:
                    yield req
                    yield env.timeout(time())
        ready = env.now
        wagons = [env.process(self.wagon(cargo, arrival, ready)) for _ in range(n)]
        yield env.all_of(wagons)
        if self.warmup <= env.now < self.horizon:
            st.trains += 1
        if self.yard is not None:
            yield self.yard.get(n)

    def wagon(self, cargo: str, arrival: float, ready: float):
        env = self.env
        st = self.stats[cargo]
        with self.points[cargo].request() as req:
            yield req
            start = env.now
            work = self.wagon_time[cargo]()
            st.busy_h += _overlap(start, start + work, self.warmup, self.horizon)
            yield env.timeout(work)
        end = env.now
        st.backlog_integral -= _overlap(end, self.horizon, self.warmup, self.horizon)
        if self.warmup <= end < self.horizon:
            st.wagons += 1
            st.dwell_sum += end - arrival
            st.wait_sum += start - ready

    # -- running ---------------------------------------------------------------------------------
    def run(self) -> ReferenceResult:
        self.env.run(until=self.horizon)
        hours = self.horizon - self.warmup
        kpis: dict[str, dict[str, float]] = {}
        for cargo, st in self.stats.items():
            kpis[cargo] = {
                "wagons_delivered": float(st.wagons),
                "trains_delivered": float(st.trains),
                "dwell_h_mean": st.dwell_sum / st.wagons if st.wagons else math.nan,
                "unload_wait_h_mean": st.wait_sum / st.wagons if st.wagons else math.nan,
                "unloading_utilization": st.busy_h / (self.s.unloading.groups[cargo].points * hours),
                "backlog_wagons_mean": st.backlog_integral / hours,
            }
        return ReferenceResult(
            kpis,
            {
                "simpy_events": next(self.env._eid),  # type: ignore[attr-defined]
                "generated_wagons": [st.generated_wagons for st in self.stats.values()],
            },
        )


def simulate(scenario: Scenario, replication: int = 0, seed: int | None = None) -> ReferenceResult:
    """Run one replication of the reference model."""
    return ReferenceModel(scenario, replication, seed).run()
