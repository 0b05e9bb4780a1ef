"""Decision inputs checked against the scenario before anything runs.

A KPI that the scenario can never produce (idle cost without a wagon-day price, the recovery of a
disruption that does not exist or whose window does not end inside the counted days), a cost
objective over a lever that has no cost, a sampler that cannot take the objectives: each would
only show after every candidate had run (as "no value" or a search that silently treats a lever
as free). The commands call these checks before the first replication and before an output
directory is claimed, and they name the option or file and the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sim.decision.errors import InputError
from sim.decision.levers import Lever, check_costs, resolve, uncosted
from sim.decision.search import SAMPLERS
from sim.errors import option
from sim.experiments.arguments import ArgumentError, check_runs, runs_arg
from sim.experiments.sweep import point_scenario
from sim.scenario.corridor import Disruption
from sim.scenario.errors import ScenarioError
from sim.scenario.levers import SEARCH, SENSITIVITY
from sim.scenario.schema import Scenario
from sim.units import one_or_many

#: KPIs worth nothing without `costs.wagon_day_usd`
PRICED = ("idle_cost_usd", "total_cost_usd")
#: objectives and constraints that add the levers' costs (costs.levers)
LEVER_COSTED = ("lever_cost_usd", "total_cost_usd")


def _when(scenario: Scenario, hours: float) -> str:
    start = dt.datetime(scenario.start.year, scenario.start.month, scenario.start.day)
    return (start + dt.timedelta(hours=hours)).isoformat(sep=" ", timespec="minutes").removesuffix(" 00:00")


def _may_end_inside(scenario: Scenario, d: Disruption) -> bool:
    """Whether a window of `d` can end inside the counted part of the run [warmup, duration), which
    is where recovery is measured (sim.model.recorder). Dates only: an inert disruption (capacity
    and time factor 1) may be a lever's starting point, which the lever moves."""
    first = scenario.hours_since_start(d.from_) if d.from_ is not None else 0.0
    if d.recurring:
        last = scenario.hours_since_start(d.to) if d.to is not None else scenario.duration
        return first < scenario.duration and last > scenario.warmup
    assert d.to is not None
    return scenario.warmup <= scenario.hours_since_start(d.to) < scenario.duration


def check_optimize_runs(candidates: int, replications: int) -> None:
    """Refuse (ArgumentError) an optimisation over limits.MAX_RUNS runs, before anything is sampled or run."""
    check_runs([runs_arg("candidates", candidates), runs_arg("replications", replications)])


def check_sensitivity_runs(method: str, levers: int, trajectories: int, samples: int, replications: int) -> None:
    """Refuse (ArgumentError) a screening over limits.MAX_RUNS runs before its design is sampled (10**8
    trajectories filled memory first): a trajectory is levers + 1 points, a Sobol sample levers + 2."""
    unit, each = (("trajectories", trajectories), ("points per trajectory (levers + 1)", levers + 1)) \
        if method == "morris" else (("samples", samples), ("points per sample (levers + 2)", levers + 2))
    first, reps = runs_arg(*unit), runs_arg("replications", replications)
    check_runs([first, each, reps], lower=[first[0], reps[0]])


def check_calibration_runs(parameters: int, candidates: int, profile: int, replications: int) -> None:
    """Refuse (ArgumentError) a calibration whose search and profile together exceed limits.MAX_RUNS runs
    (each alone under it passed, for up to twice the limit); the profile counted at `profile` values
    per parameter, the most it runs."""
    cand, prof, reps = (runs_arg(n, v) for n, v in [("candidates", candidates), ("profile", profile),
                                                   ("replications", replications)])
    check_runs([cand, reps], [("parameters", parameters), prof, reps], lower=[cand[0], prof[0], reps[0]])


WAGON_DAY = "scenario.with_changes({'costs.wagon_day_usd': 25})"


def kpi_problem(scenario: Scenario, kpi: str) -> str | None:
    """Why `scenario` can never give `kpi` a value (None when it can). The reason names the key to fix."""
    if kpi in PRICED and scenario.costs.wagon_day_usd is None:
        return (f"costs.wagon_day_usd is not set in the scenario, so {kpi} has no value; set it (USD per "
                f"wagon-day, e.g. {option('--set costs.wagon_day_usd=25', WAGON_DAY)}) or choose another KPI")
    if kpi != "recovery_days" and not kpi.startswith("recovery_days."):
        return None
    name = kpi.partition(".")[2]
    known = {d.name: d for d in scenario.disruptions}
    if name and name not in known:
        return (f"no disruption named {name!r} in the scenario (disruptions: {', '.join(known) or 'none'}); "
                "recovery_days.NAME is the recovery after disruption NAME")
    chosen = [known[name]] if name else list(known.values())
    if any(_may_end_inside(scenario, d) for d in chosen):
        return None
    counted = f"from {_when(scenario, scenario.warmup)} until {_when(scenario, scenario.duration)}"
    if name:
        return (f"disruption {name} has no window ending inside the counted part of the run ({counted}), so "
                f"there is no recovery to measure; move its dates (disruptions.{name}) or the run")
    return (f"no disruption window ends inside the counted part of the run ({counted}), so recovery_days has "
            "no value; add a disruption (disruptions:) or choose another KPI")


def check_kpis(scenario: Scenario, kpis: Sequence[tuple[str, str]], source: str, what: str = "invalid option") -> None:
    """Refuse, naming each (key, KPI) pair's key, KPIs the scenario can never produce."""
    problems = [(key, why) for key, kpi in kpis if (why := kpi_problem(scenario, kpi)) is not None]
    if problems:
        raise InputError(source, problems, what)


def check_twice(texts: Sequence[str], option: str) -> None:
    """One objective, constraint or KPI given twice would make two columns of one name."""
    seen: set[str] = set()
    for text in texts:
        if text in seen:
            raise InputError(option, [(text, "is given twice; give it once")], "invalid option")
        seen.add(text)


def check_sampler(sampler: str, objectives: int) -> None:
    """The sampler exists, takes this many objectives and is installed (before, not after, the first batch)."""
    why = None
    if sampler not in SAMPLERS:
        why = f"unknown sampler; expected one of: {', '.join(SAMPLERS)}"
    elif sampler == "cmaes" and objectives > 1:
        why = (f"the cmaes sampler handles one objective, got {objectives}; "
               f"{option('use --sampler tpe', 'use sampler=' + repr('tpe'))} for several")
    elif sampler == "cmaes":
        try:
            import cmaes  # noqa: F401
        except ImportError:
            why = "the cmaes sampler needs the cmaes package: pip install cmaes"
    if why is not None:
        raise InputError("--sampler", [(sampler, why)], "invalid option")


def check_optimisation(scenario: Scenario, levers: Sequence[Lever], objectives: Sequence[Any],
                       constraints: Sequence[Any], replications: int, sampler: str, source: str = "--lever",
                       scenario_source: str | None = None) -> list[Lever]:
    """Everything `optimize` can check before it runs; returns the resolved levers.

    `objectives` and `constraints` are sim.decision.optimize Objective and Constraint values;
    `scenario_source` names the scenario in messages about its costs (default: its name).
    """
    if not objectives:
        raise InputError("--objective", [("", "give at least one objective, e.g. min:total_cost_usd")], "invalid option")
    check_twice([o.name for o in objectives], "--objective")
    check_twice([c.label for c in constraints], "--constraint")
    if constraints and replications < 2:
        raise InputError("--replications", [("", ("constraints are judged by their 95 % CI, which needs at least "
                                                 f"2 replications per candidate; got {replications}"))], "invalid option")
    check_sampler(sampler, len(objectives))
    check_costs(scenario, scenario_source or scenario.name)
    levs = resolve(scenario, levers, source, where="levers", what="invalid option", use=SEARCH)
    never = [(c.label, (f"{c.kpi} is never below 0, so no candidate could meet this (the search would run, "
                        "then find nothing feasible); check the limit's sign"))
             for c in constraints if c.op == "<=" and c.limit < 0 and c.kpi not in LEVER_COSTED]
    if never:
        raise InputError("--constraint", never, "invalid option")
    check_kpis(scenario, [(o.label, o.kpi) for o in objectives], "--objective")
    check_kpis(scenario, [(c.label, c.kpi) for c in constraints], "--constraint")
    costed = [x.label for x in [*objectives, *constraints] if x.kpi in LEVER_COSTED]
    free = uncosted(scenario, levs)
    if costed and free:
        raise InputError(source, [(lv.path, (
            f"has no cost in costs.levers of scenario {scenario.name!r}, so {', '.join(costed)} would take it as "
            "free; add it to the scenario's costs.levers (usd_per_unit: 0 if it is free) or drop the lever"))
            for lv in free], "invalid option")
    return levs


def check_sensitivity(scenario: Scenario, levers: Sequence[Lever], kpis: Sequence[tuple[str, str]],
                      source: str = "--lever") -> list[Lever]:
    """Everything `sensitivity` can check before it runs (but its method); returns the resolved levers."""
    if not kpis:
        example = option("--kpi backlog_wagons_mean", "kpis=['backlog_wagons_mean']")
        raise InputError("--kpi", [("", f"give at least one KPI, e.g. {example}")], "invalid option")
    check_twice([f"{k}@{c}" for k, c in kpis], "--kpi")
    levs = resolve(scenario, levers, source, where="levers", what="invalid option", use=SENSITIVITY)
    if len(levs) < 2:
        raise InputError(source, [("", "a sensitivity ranking needs at least two levers")], "invalid option")
    check_kpis(scenario, [(f"{k}@{c}", k) for k, c in kpis], "--kpi")
    return levs


def check_design(scenario: Scenario, points: Sequence[dict[str, Any]], source: str = "--lever") -> None:
    """Every design point makes a valid scenario. Each lever's bounds were checked alone (resolve); two
    levers can still clash at some points (a stop-loading threshold below its resume level)."""
    for changes in points:
        try:
            point_scenario(scenario, changes)
        except ScenarioError as exc:
            why = "; ".join(f"{p}: {m}" for p, m in exc.problems)
            shown = ", ".join(f"{k}={v:g}" for k, v in changes.items())
            raise InputError(source, [("levers", (f"the design point {shown} makes an invalid scenario ({why}); "
                                           "narrow the levers' bounds so that they cannot clash"))],
                             "invalid option") from None


def kpi_texts(kpis: Any) -> list[str]:
    """The API's `kpis` as `KPI@cargo` texts: a text, a (kpi, cargo) pair, or a list of either."""
    if kpis is None:
        return []
    items = one_or_many(kpis) if isinstance(kpis, (str, list, tuple)) else None
    if items is None or not all(isinstance(i, str) or (isinstance(i, (list, tuple)) and len(i) == 2
                                                        and all(isinstance(x, str) for x in i)) for i in items):
        raise ArgumentError("kpis must be a list of (kpi, cargo) pairs or 'kpi@cargo' texts, e.g. "
                            f"[('backlog_wagons_mean', 'all')]; got {kpis!r}")
    return [i if isinstance(i, str) else f"{i[0]}@{i[1]}" for i in items]
