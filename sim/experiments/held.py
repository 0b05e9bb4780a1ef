"""What a comparison or a sweep holds in memory at once, bounded like one run's daily rows.

sim.scenario.limits refuses one run over MAX_DAILY_ROWS daily rows (what a run and its report hold
in 1 GB: benchmarks/bench_rows.py). A comparison (`compare`, a named `experiment`) or a sweep keeps
every task's result in this process until the last one finishes, so several scenarios or lever
points each within the limit could still add up to several times it. Their sum is bounded instead,
before any task runs.

The sum is counted in a run's daily rows (the unit of MAX_DAILY_ROWS: 1.22 KiB of peak memory
each, with the report), each kept table at its true share of one, from the peak memory of serial
commands with their reports (benchmarks/bench_held.py, the 2023 baseline at a low demand; a
comparison's and a sweep's parts peak at about 4 times what they hold, a run's rows at 2.5):
- a comparison keeps, per day, one row of the corridor's `all` series with DAILY_KEPT's two
  columns (for its plots): ~300 B at the peak, counted as DAY_SHARE = 1/4 of a run's row;
- every task keeps its KPI rows (each cargo and all) and dated events, whatever else it keeps:
  65-75 KB at the peak for a day or a year, counted as TASK_ROWS = 57 rows, plus one per KPI row
  (3 for the baseline, more with more cargo or crossings) and one per 100 days, as events grow with
  the run (counted for the baseline: 76 KB for a day, 80 KB for a year, 121 KB for ten years);
- a sweep keeps no daily series at all (sim.experiments.sweep), only those tables.
The workers each hold one whole replication at a time, which the scenario's own limit bounds. The
workbench (sim.app) keeps its baseline and the results shown, every daily row, while a new run
computes: check_runs counts the three together.
Searches (calibrate, optimise, sensitivity, history, joint) keep only a few measured values per
task (sim.decision.evaluate reduces each result as it arrives), so they need no such bound.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sim.experiments.arguments import ArgumentError
from sim.scenario import limits

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

DAY_SHARE = 1 / 4  # a comparison's daily row (~300 B at the peak) against a run's (1.22 KiB)
TASK_ROWS = 57  # a task's frames; with 3 KPI rows and a day's events, 61 rows (76 KB) for the baseline
EVENT_DAYS = 100
WHY = "what a run and its report hold in 1 GB of memory"


class HeldRowsError(ArgumentError):
    """A comparison or sweep whose results, held together, exceed what one run may hold."""


def task_rows(s: Scenario) -> int:
    """What one task's KPI and event tables hold, in a run's daily rows: its frames, each KPI row (as
    wide as a daily row: each cargo and all, per crossing) and one row per EVENT_DAYS days for events."""
    return TASK_ROWS + limits.series_count(s) + math.ceil(limits.run_days(s) / EVENT_DAYS)


def compare_rows(s: Scenario) -> int:
    """What one replication of `s` holds in a comparison, in a run's daily rows."""
    return math.ceil(limits.run_days(s) * DAY_SHARE) + task_rows(s)


def _n(x: int) -> str:
    return f"{x:,}"


def check_compare(scenarios: Sequence[Scenario], names: Sequence[str], replications: int,
                  what: str = "compare") -> None:
    """Refuse (HeldRowsError) a comparison whose results held together exceed MAX_DAILY_ROWS."""
    limit = limits.MAX_DAILY_ROWS
    per = [compare_rows(s) for s in scenarios]
    total = replications * sum(per)
    if total <= limit:
        return
    parts = " + ".join(f"{name} {_n(replications * p)}" for name, p in zip(names, per))
    shown = {(limits.run_days(s), p) for s, p in zip(scenarios, per)}
    each = ", ".join(f"{_n(p)} for {_n(d)} days" for d, p in sorted(shown))
    fit = limit // sum(per)
    fit_scenarios = _first_that_fit(per, replications, limit)
    todo = [f"use at most {_n(fit)} replications" if fit >= 2 else "",
            "a shorter `duration`",
            f"at most {fit_scenarios} scenarios" if fit_scenarios >= 2 else
            "fewer scenarios" if len(scenarios) > 2 else ""]
    raise HeldRowsError(
        f"{what}: {len(scenarios)} scenarios x {_n(replications)} replications keep every replication's "
        f"results until the last one finishes: {parts} = {_n(total)} daily rows' worth of memory (a "
        f"replication is worth {each}: each day of its daily backlog at 1/{round(1 / DAY_SHARE)} of a run's daily row, "
        f"plus its KPI and event tables); the limit is {_n(limit)}, as for one run ({WHY}) — "
        f"{_or(todo)}")


def check_sweep(base: Scenario, points: Sequence[Scenario], replications: int, what: str = "sweep") -> None:
    """Refuse (HeldRowsError) a sweep whose tasks' results held together exceed MAX_DAILY_ROWS."""
    limit = limits.MAX_DAILY_ROWS
    per = [task_rows(s) for s in points]
    total = replications * sum(per)
    if total <= limit:
        return
    fit = limit // sum(per)
    fit_points = _first_that_fit(per, replications, limit)
    low, high = min(per), max(per)
    each = f"{_n(low)}" if low == high else f"{_n(low)} to {_n(high)}, by the point's `duration`,"
    todo = [f"use at most {_n(fit)} replications per point" if fit else "",
            f"at most {_points(fit_points)} at {_n(replications)} replications" if fit_points else "fewer points",
            "a shorter `duration`"]
    raise HeldRowsError(
        f"{what}: {len(points):,} points of {base.name} x {_n(replications)} replications are "
        f"{_n(len(points) * replications)} tasks, each keeping its KPI and event tables until the last one "
        f"finishes (worth {each} of a run's daily rows each; a sweep keeps no daily series): {_n(total)} daily rows' "
        f"worth of memory; the limit is {_n(limit)}, as for one run ({WHY}) — {_or(todo)}")


def check_runs(kept: Sequence[tuple[str, Scenario, int]], scenario: Scenario, replications: int) -> None:
    """Refuse (HeldRowsError) a run whose daily rows, with those of runs still kept (label, scenario,
    replications), exceed MAX_DAILY_ROWS: the workbench keeps its baseline and the results shown
    while a new run computes, each with every daily row."""
    limit = limits.MAX_DAILY_ROWS
    rows = [limits.run_rows(s, n) for _, s, n in kept]
    new = limits.run_rows(scenario, replications)
    if new + sum(rows) <= limit or not kept:  # alone, the run's own check says it (sim.experiments.runner)
        return
    parts = " + ".join(f"{label} {_n(r)}" for (label, _, _), r in zip(kept, rows))
    fit = (limit - sum(rows)) // limits.run_rows(scenario, 1)
    todo = f"use at most {_n(fit)} replications" if fit else "use a shorter `duration`"
    raise HeldRowsError(
        f"{scenario.name}: {_n(replications)} replications are worth {_n(new)} daily rows (each replication's "
        f"own tables counted as {limits.REPLICATION_ROWS} more), and {parts} are kept while it runs: "
        f"{_n(new + sum(rows))} daily rows together; the limit is {_n(limit)}, as for one run "
        f"({WHY}) — {todo}")


def _first_that_fit(per: Sequence[int], replications: int, limit: int) -> int:
    """How many of the first parts fit at `replications`."""
    used, k = 0, 0
    for p in per:
        used += replications * p
        if used > limit:
            break
        k += 1
    return k


def _points(k: int) -> str:
    return f"{k:,} point" + ("s" if k != 1 else "")


def _or(options: Sequence[str]) -> str:
    shown = [o for o in options if o]
    return ", ".join(shown[:-1]) + f" or {shown[-1]}" if len(shown) > 1 else shown[0]
