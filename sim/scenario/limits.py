"""Sane upper bounds on how much work a scenario may ask for, each refused with a reason.

Every key already has a range (sim.scenario.schema), but ranges alone let a few typos multiply into a
run that never ends or exhausts memory: `trains_per_day: 10000` with `duration: 36500d` is
365 million trains; `every: 1min` on a recurring disruption for a century is 50 million windows.
So the *expected* work of one replication is estimated from the scenario before anything runs,
and refused — naming the key that drives it — when it is far beyond any real study. The 2023
baseline asks for about 2,800 trains, 160,000 wagons and a dozen wind windows a year; a century
of it still passes (with at most 4 replications: see the daily rows below).

What is bounded, per replication (simulation cost grows with each):
- trains generated, and wagons unloaded (about a minute of computing at each limit);
- disruption windows on one target (the target's timetable is built in advance);
- unloading breakdowns over all points (laid out in advance, like disruptions);
- stop-loading reviews (one event each);
and, over the whole run, the daily rows kept in memory and written to daily.csv
(replications x days x series: cargo + 1, per crossing and for the corridor). A serial `dostyk run`
with its report peaks at about 210 MiB + 1.2 KiB per daily row (benchmarks/bench_rows.py), so
500,000 rows stay near 800 MiB, under 1 GB with a margin; the 5,000,000 allowed before needed ~6 GB.
Each replication also keeps its own tables (KPIs, events, dwell quantiles) whatever its length: up to
~100 KB at the peak with the report (benchmarks/bench_rows.py --days 1: 6,000 one-day replications
peaked at 804 MiB, so 100,000 were 300,000 daily rows but ~10 GB), so each counts as REPLICATION_ROWS
daily rows more (run_rows).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from sim.scenario.durations import format_hours
from sim.scenario.effects import scaled
from sim.scenario.target_ref import TargetRef
from sim.units import count_text

if TYPE_CHECKING:  # annotations only: `import sim.cli` must not load pydantic (tests/cli/test_startup.py)
    from sim.scenario.fields import ScenarioFields


MAX_TRAINS = 1_000_000
MAX_WAGONS = 50_000_000
MAX_WINDOWS_PER_TARGET = 10_000
MAX_BREAKDOWNS = 5_000_000
MAX_REVIEWS = 10_000_000
MAX_DAILY_ROWS = 500_000  # what a run and its report hold in 1 GB (see above)
REPLICATION_ROWS = 80  # a replication's own tables, ~100 KB at the peak, as daily rows of 1.2 KiB (see above)
#: a sweep builds every grid point's scenario before it runs any: 300 × 300 values took 1.6 GB and a
#: minute before the first run, and went on growing (what its runs then keep is bounded by
#: sim.experiments.held, with the other results held together)
MAX_GRID_POINTS = 10_000
FIRST_YEAR, LAST_YEAR = 1900, 2200
LAST_END = dt.datetime(2261, 12, 31)

HOURS_PER_YEAR = 8760.0
#: replications one command may run in all (sweep, compare, experiment, optimize, sensitivity, calibrate with
#: its profile, a joint fit, history: sim.experiments.arguments.check_runs): a year of the 2023 baseline takes
#: seconds, so a million is weeks of computing on a workstation, yet `optimize --candidates 100000 -n 10000`
#: (10**9 runs) was accepted, and `sensitivity(trajectories=10**8)` sampled its whole design before any run.
MAX_RUNS = 1_000_000

_ROWS_CHECKED: ContextVar[bool] = ContextVar("daily_rows_checked", default=True)


@contextmanager
def rows_already_written() -> Iterator[None]:
    """Within it, scenarios are validated without the daily-rows bound: reading a results directory
    is not running it, and one written when the limit was higher (5,000,000 rows) must still load."""
    token = _ROWS_CHECKED.set(False)
    try:
        yield
    finally:
        _ROWS_CHECKED.reset(token)


def _n(x: float) -> str:
    return f"{x:,.0f}"


def _short(hours: float) -> str:
    return f"{hours * 3600:.3g} s" if hours < 1 / 60 else format_hours(hours)


def expected_trains(s: ScenarioFields) -> dict[str, float]:
    """Trains each cargo's demand generates in one replication, on average."""
    out: dict[str, float] = {}
    for name, d in s.demand.items():
        c = s.cargo.get(name)
        if c is None:
            continue
        if d.trains_per_day is not None:
            out[name] = d.trains_per_day * s.duration / 24.0
        elif d.tonnes_per_year is not None:
            out[name] = d.tonnes_per_year * s.duration / HOURS_PER_YEAR / (c.payload_t * c.wagons_per_train)
    return out


def _demand_key(s: ScenarioFields, cargo: str) -> str:
    d = s.demand[cargo]
    return f"demand.{cargo}.{'trains_per_day' if d.trains_per_day is not None else 'tonnes_per_year'}"


def workload_problems(s: ScenarioFields, replications: int | None = None) -> Iterator[tuple[str, str]]:
    """(key path, message) for every bound the scenario's expected work exceeds."""
    if not FIRST_YEAR <= s.start.year <= LAST_YEAR:
        yield "start", (
            f"expected a date between {FIRST_YEAR} and {LAST_YEAR}, got {s.start.isoformat()} "
            "(a year outside that range is taken as a typo)"
        )
    try:
        end = dt.datetime(s.start.year, s.start.month, s.start.day) + dt.timedelta(hours=s.duration)
    except OverflowError:  # past year 9999
        end = dt.datetime.max
    if end > LAST_END and s.start.year <= LAST_YEAR:
        yield "duration", (
            f"the run would end on {end.date().isoformat()}; it must end by {LAST_END.date().isoformat()} "
            "(results are dated with pandas timestamps, which stop in April 2262) — start earlier or run shorter"
        )
    days = s.duration / 24.0
    trains = expected_trains(s)
    if trains:
        top = max(trains, key=lambda c: trains[c])
        total = sum(trains.values())
        if total > MAX_TRAINS:
            yield _demand_key(s, top), (
                f"this demand means about {_n(total)} trains in one replication over {_n(days)} days; "
                f"the limit is {_n(MAX_TRAINS)} (about a minute of computing) — shorten `duration` "
                "or lower the demand"
            )
        wagons = {c: n * s.cargo[c].wagons_per_train for c, n in trains.items()}
        total_w = sum(wagons.values())
        if total <= MAX_TRAINS and total_w > MAX_WAGONS:
            top_w = max(wagons, key=lambda c: wagons[c])
            yield _demand_key(s, top_w), (
                f"this demand means about {_n(total_w)} wagons to unload in one replication over "
                f"{_n(days)} days; the limit is {_n(MAX_WAGONS)} (about a minute of computing) — "
                "shorten `duration`, lower the demand or `wagons_per_train`"
            )
    yield from _window_problems(s)
    yield from _breakdown_problems(s)
    sl = s.policies.stop_loading
    if sl is not None and s.duration / sl.check_every > MAX_REVIEWS:
        yield "policies.stop_loading.check_every", (
            f"reviewing the backlog every {_short(sl.check_every)} means {_n(s.duration / sl.check_every)} "
            f"reviews in one replication; the limit is {_n(MAX_REVIEWS)} — review less often (e.g. 1h)"
        )
    for c, r in (s.routing or {}).items():
        for kind, rules in (("divert", r.divert), ("reroute", r.reroute)):
            for i, every in enumerate(d.check_every for d in rules):
                if s.duration / every > MAX_REVIEWS:
                    what = "the backlog" if kind == "divert" else "the trains waiting"
                    yield f"routing.{c}.{kind}[{i}].check_every", (
                        f"reviewing {what} every {_short(every)} means {_n(s.duration / every)} reviews in one "
                        f"replication; the limit is {_n(MAX_REVIEWS)} — review less often (e.g. 1h)")
    too_many = rows_problem(s, s.replications if replications is None else replications)
    if too_many is not None:
        yield "replications", too_many


def rows_problem(s: ScenarioFields, replications: int) -> str | None:
    """Why `replications` of `s` hold more than MAX_DAILY_ROWS (None when they fit): the bound on
    the replications a file, --replications or a growing run may ask for."""
    rows = run_rows(s, replications)
    if rows <= MAX_DAILY_ROWS or not _ROWS_CHECKED.get():
        return None
    series = series_count(s)
    what = "each cargo and all" if series == len(s.cargo) + 1 else "each cargo and all, per crossing and corridor"
    fit = MAX_DAILY_ROWS // run_rows(s, 1)
    todo = f"use at most {fit:,} replications or a shorter `duration`" if fit else "use a shorter `duration`"
    return (
        f"{replications:,} replications x {run_days(s):,} days x {series} series ({what}) "
        f"are {_n(daily_rows(s, replications))} daily rows, kept in memory and written to daily.csv, and each "
        f"replication's own tables (KPIs, events, dwell) count as {REPLICATION_ROWS} more: {_n(rows)}; the "
        f"limit is {_n(MAX_DAILY_ROWS)} (what a run and its report hold in 1 GB of memory) — {todo}"
    )


def runs_problem(*terms: Sequence[tuple[str, int]], lower: Sequence[str] | None = None) -> str | None:
    """Why a command asks for more than MAX_RUNS replications (None when it does not). Its runs are the
    sum of `terms`, each the product of its factors: (name as the caller names it, `--candidates` or
    `candidates`, or what a unit is made of, e.g. "points per trajectory (levers + 1)"; value). A
    search and its profile, or every episode of a joint fit, are counted together, so that no part
    passes alone while the whole is over the limit. `lower` names what to lower (default: every factor)."""
    runs = sum(math.prod(value for _, value in term) for term in terms)
    if runs <= MAX_RUNS:
        return None
    shown = " + ".join(" x ".join(f"{name} {count_text(value)}" for name, value in term) for term in terms)
    names = list(dict.fromkeys(lower if lower is not None else [name for term in terms for name, _ in term]))
    smaller = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    return (f"{shown} are {count_text(runs)} runs of the scenario; the limit is {MAX_RUNS:,} (a year of the 2023 "
            f"baseline takes seconds, so that many are weeks of computing: more is taken as a typo) — "
            f"lower {smaller}")


def _window_problems(s: ScenarioFields) -> Iterator[tuple[str, str]]:
    per_target: dict[str, float] = {}
    driver: dict[str, tuple[float, int]] = {}
    for i, d in enumerate(s.disruptions):
        if d.inert:  # lays out no windows
            continue
        if d.every is None or d.lasts is None:
            n = 1.0
        else:
            # windows are laid out from `from` (even long before the start) to the horizon or `to`
            first = s.hours_since_start(d.from_) if d.from_ is not None else 0.0
            last = min(s.duration, s.hours_since_start(d.to)) if d.to is not None else s.duration
            cycle = d.every.mean + d.lasts.mean
            n = max(0.0, last - first) / cycle if cycle > 0 else math.inf
        per_target[d.target] = per_target.get(d.target, 0.0) + n
        if n > driver.get(d.target, (-1.0, 0))[0]:
            driver[d.target] = (n, i)
    for target, n in per_target.items():
        if n > MAX_WINDOWS_PER_TARGET:
            i = driver[target][1]
            yield f"disruptions[{i}].every", (
                f"about {_n(n)} disruption windows on {target} in one replication; the limit is "
                f"{_n(MAX_WINDOWS_PER_TARGET)} per target — make `every` longer, or the span from `from` "
                "(or the start) to `to` (or the end) shorter"
            )


def _breakdown_problems(s: ScenarioFields) -> Iterator[tuple[str, str]]:
    total = 0.0
    worst = ("", 0.0)
    for x, spec in s.crossing_specs():
        k = f"crossings.{x}." if s.crossings is not None else ""
        for cargo, group in spec.unloading.groups.items():
            b = spec.unloading.breakdowns_of(cargo)
            if b is None:
                continue
            n = _most_points(s, x, cargo, group.points) * s.duration / (b.mtbf + b.mttr.mean)
            total += n
            if n > worst[1]:
                own = group.breakdowns is not None
                worst = (f"{k}unloading.{cargo}.breakdowns.mtbf" if own else f"{k}unloading.breakdowns.mtbf", n)
    if total > MAX_BREAKDOWNS:
        yield worst[0], (
            f"about {_n(total)} breakdowns of unloading points in one replication; the limit is "
            f"{_n(MAX_BREAKDOWNS)} — a longer `mtbf` (mean time between failures of one point) or a "
            "shorter `duration`"
        )


def _most_points(s: ScenarioFields, crossing: str, cargo: str, points: int) -> int:
    """Points of a group, with those every window raising it could add (each added point breaks down too)."""
    ref = TargetRef("unloading", cargo, crossing if s.prefix(crossing) else None)
    factor = math.prod(d.capacity for d in s.disruptions if d.capacity > 1 and d.ref == ref)
    return max(points, scaled(points, factor))


def daily_rows(s: ScenarioFields, replications: int) -> int:
    """Rows of daily.csv (and KPI rows per day of the run): replications x days x series."""
    return replications * run_days(s) * series_count(s)


def run_days(s: ScenarioFields) -> int:
    """Days of a run as its daily table has them (a last part-day is a row)."""
    return math.ceil(s.duration / 24)


def run_rows(s: ScenarioFields, replications: int) -> int:
    """What a run holds, in daily rows (the unit of MAX_DAILY_ROWS): its daily rows, and each
    replication's own tables counted as REPLICATION_ROWS rows (they do not shrink with the run)."""
    return daily_rows(s, replications) + replications * REPLICATION_ROWS


def series_count(s: ScenarioFields) -> int:
    """Daily series of one replication: each cargo and all, per crossing, plus the corridor's with several."""
    crossings = len(s.crossing_specs())
    return (len(s.cargo) + 1) * (crossings + 1 if crossings > 1 else 1)
