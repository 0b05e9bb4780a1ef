"""The `dostyk calibrate`, `dostyk optimize` and `dostyk sensitivity` commands.

They share `run`'s conventions: bad input exits 2 with the file or option, the key and what was
expected; output directories are written atomically and replaced only with --force; finished tasks
wait in OUT.work/ so that Ctrl-C loses only tasks in flight, and the same command with --resume
replays the seeded search, reusing them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from sim.cli.folders import choose_out, default_out, identify, legacy_out, naming, stem
from sim.cli.options import (
    SEED,
    check_executor,
    check_given_once,
    check_scheduler,
    echo,
    execution_options,
    fail,
    parse_sets,
)
from sim.cli.outputs import Claim, claim_output
from sim.decision.calibrate import calibrate as run_calibration
from sim.decision.goals import parse_constraint, parse_objective
from sim.decision.inputs import (
    check_calibration_runs,
    check_optimisation,
    check_optimize_runs,
    check_sampler,
)
from sim.decision.levers import parse_lever_option
from sim.decision.optimize import optimize as run_optimisation
from sim.decision.search import SAMPLERS
from sim.decision.sensitivity import DEFAULTS as SENSITIVITY_DEFAULTS
from sim.decision.sensitivity import check_screening, parse_kpi, run_screening
from sim.decision.targets import check_against, load_targets
from sim.experiments.runner import Interrupted
from sim.experiments.workdir import WorkDir
from sim.reporting.decision_tables import calibration_text, optimisation_text, sensitivity_text
from sim.scenario.loader import load_scenario

INFEASIBLE_EXIT = 3
#: the method options of `sensitivity` and their defaults (sim.decision.sensitivity's): each goes with its method only
MORRIS_DEFAULTS, SOBOL_DEFAULTS = SENSITIVITY_DEFAULTS["morris"], SENSITIVITY_DEFAULTS["sobol"]


def _search_options(fn: Any) -> Any:
    for option in reversed([
        click.option("--replications", "-n", type=click.IntRange(min=1, max=10_000), default=5, show_default=True,
                     help="Replications per candidate (the same seed for each: common random numbers)."),
        click.option("--batch", type=click.IntRange(min=1, max=1_000), default=10, show_default=True,
                     help="Candidates asked at once and run in parallel (part of what the seed reproduces)."),
        click.option("--sampler", type=click.Choice(SAMPLERS), default="tpe", show_default=True),
        click.option("--seed", "-s", type=SEED, help="Seed of the runs and the sampler (default: the scenario's)."),
        click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one base value (repeatable)."),
        click.option("--out", "-o", type=click.Path(file_okay=False), help="Output directory."),
    ]):
        fn = option(fn)
    return fn


def _run(out_dir: Path, work: Path, compute: Callable[[], Any]) -> Any:
    """Run a search; an interruption says how many tasks are kept (the seeded search replays them)."""
    try:
        return compute()
    except Interrupted as exc:
        exc.workdir, exc.out_dir, exc.unit = work, out_dir, "tasks"
        exc.done, exc.total = (WorkDir(work).count() if work.exists() else 0), None
        raise


def _done(result: Any, out_dir: Path, force: bool, claim: Claim) -> Path:
    from sim.reporting.decision_plots import writer  # matplotlib only when plots are written

    claim.mark(result.metadata)  # whose folder this is (choose_out)
    written: Path = result.write(out_dir, force=force, extra=writer(result))
    claim.finish(WorkDir(claim.work).count())  # a search's tasks are all its own: none is kept for others
    reused = result.metadata.get("tasks_reused", 0)
    if reused:
        echo(f"Resumed: reused {reused:,} saved tasks, computed {result.metadata.get('tasks_run', 0):,}.")
    return written


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path())  # a folder: the loader says what it is
@click.option("--targets", "targets_paths", multiple=True, type=click.Path(dir_okay=False),
              help="YAML file of observed figures (targets:) and free parameters (parameters:); one per "
                   "SCENARIO, in order (default for a history replay: its evidence/NAME.yaml).")
@click.option("--shared", "shared", multiple=True, metavar="KEY.PATH=LOW:HIGH",
              help="With several scenarios: a parameter shared by every one (the corridor's), e.g. "
                   "crossings.dostyk.unloading.grain.wagon_time.mean=0.7:1.5 (repeatable).")
@click.option("--hold-out", "hold_out", multiple=True, metavar="NAME",
              help="With several scenarios: an episode (file name without .yaml) not fitted to but predicted "
                   "at the best fit (repeatable).")
@click.option("--candidates", "-N", type=click.IntRange(min=1, max=100_000), default=100, show_default=True,
              help="Parameter sets the sampler tries.")
@click.option("--profile", type=click.IntRange(min=0, max=1_000), default=9, show_default=True,
              help="Then, per parameter, this many values across its bounds (others at the best fit).")
@_search_options
@execution_options
def calibrate(scenarios: tuple[str, ...], targets_paths: tuple[str, ...], shared: tuple[str, ...],
              hold_out: tuple[str, ...], candidates: int, profile: int, replications: int, batch: int,
              sampler: str, seed: int | None, sets: tuple[str, ...], out: str | None, executor: str,
              workers: int | None, scheduler: str | None, force: bool, resume: bool, quiet: bool) -> None:
    """Fit SCENARIO's free parameters to observed figures; write the calibrated scenario.

    Prints each parameter's best value and the range not ruled out (no target's 95 % CI lies
    outside its tolerance), and the targets against the model; a range reaching the search bounds
    is "not identified". Writes candidates.csv, fit.csv, targets.csv, calibrated.yaml and plots/ to
    OUT (default results/<file name>-calibration+…, see sim.cli.folders). With several SCENARIOS (episodes): one fit of the
    --shared parameters and each episode's own, on the episodes not held out (sim.decision.joint).
    """
    if len(scenarios) > 1 or shared or hold_out:
        from sim.cli.joint import joint_command

        dropped = [name for name, given in (("--set", sets), ("--sampler", sampler != "tpe"), ("--resume", resume),
                                            ("--scheduler", scheduler)) if given]
        if dropped:  # the joint fit took none of them: they were dropped without a word
            raise click.BadParameter("is not taken by a joint fit (several scenarios, --shared or --hold-out), which "
                                     "runs each scenario as its file gives it, with the tpe sampler, on this machine; "
                                     "change the files instead", param_hint=dropped[0])

        joint_command(scenarios, targets_paths, shared, hold_out, candidates, profile, replications, batch, seed,
                      out, executor, workers, force, quiet)
        return
    if len(targets_paths) != 1:
        fail("calibrate: give one --targets FILE for the scenario (observed figures and free parameters)", 2)
    scenario, targets_path = scenarios[0], targets_paths[0]
    check_scheduler(executor, scheduler)
    changes = parse_sets(sets)
    check_given_once(changes, seed, per_candidate=replications)
    base = load_scenario(scenario, changes)
    spec = load_targets(targets_path)
    parameters = check_against(spec, base, targets_path)
    check_sampler(sampler, 1)
    check_calibration_runs(len(parameters), candidates, profile, replications)  # before the output is claimed
    check_executor(executor)
    named, options = naming(changes, "targets_paths", "candidates", "profile", "batch", "sampler",
                            scenario={"seed": base.seed}, path=scenario)
    identity = identify("calibrate", scenario, base.name, named, options=options)
    out_dir = choose_out(out, default_out(stem(scenario), "-calibration", named, options=options),
                         legacy_out(base.name, "-calibration", changes), identity, resume,
                         {"seed": base.seed if seed is None else seed, "replications": replications})
    with claim_output(out_dir, force, resume, identity) as claim:
        result = _run(out_dir, claim.work, lambda: run_calibration(
            base, spec, candidates, replications, batch, sampler, seed, profile, executor, workers, claim.workdir,
            resume=True, progress=not quiet, scheduler=scheduler, source=targets_path))
        written = _done(result, out_dir, force, claim)
    if not quiet:
        echo("\n" + calibration_text(result, replications) + "\n")
    if not result.metadata["not_ruled_out"]:
        echo("No candidate reproduces every target within its tolerance: widen the bounds or the "
             "tolerances, or question the model (the best candidate is still reported).")
    echo(f"Calibration written to {written}")


@click.command()
@click.argument("scenario", type=click.Path())  # a folder: the loader says what it is
@click.option("--lever", "levers", multiple=True, required=True, metavar="KEY.PATH=LOW:HIGH[:int|:log]",
              help="A lever and its bounds (repeatable); cost per unit from the scenario's costs.levers.")
@click.option("--objective", "objectives", multiple=True, required=True, metavar="min|max:KPI[@cargo]",
              help="What to minimise or maximise (repeatable: several make a Pareto front). "
                   "Also lever_cost_usd and total_cost_usd (idle cost + lever cost).")
@click.option("--constraint", "constraints", multiple=True, metavar="KPI[@cargo]<=LIMIT",
              help="Must hold with 95 % confidence (repeatable), e.g. backlog_wagons_max<=3000.")
@click.option("--candidates", "-N", type=click.IntRange(min=1, max=100_000), default=50, show_default=True,
              help="Distinct lever settings tried, today's included (a grid that fits is tried whole).")
@click.option("--top", type=click.IntRange(min=1, max=1_000), default=5, show_default=True,
              help="Candidates shown (the best feasible, or the closest to feasible).")
@_search_options
@execution_options
def optimize(scenario: str, levers: tuple[str, ...], objectives: tuple[str, ...], constraints: tuple[str, ...],
             candidates: int, top: int, replications: int, batch: int, sampler: str, seed: int | None, sets: tuple[str, ...],
             out: str | None, executor: str, workers: int | None, scheduler: str | None, force: bool, resume: bool,
             quiet: bool) -> None:
    """Search SCENARIO's levers for the best objective(s) under constraints judged by their 95 % CI.

    Prints the best --top candidates beside today's values: each objective with its paired
    difference against today, each constraint's verdict (yes / no / not decided) and margin, and
    which candidates may be the best at 95 % confidence (subset selection). Writes candidates.csv, best.yaml (one objective), optimize.json and plots/ to OUT (default
    results/<file name>-optimize+lever=…-HASH). Exits with status 3, after writing, when no candidate is feasible.
    """
    check_scheduler(executor, scheduler)
    changes = parse_sets(sets)
    check_given_once(changes, seed, per_candidate=replications)
    base = load_scenario(scenario, changes)
    cargos = [*base.cargo, "all"]
    lv = [parse_lever_option(t) for t in levers]
    objs = [parse_objective(t, cargos) for t in objectives]
    cons = [parse_constraint(t, cargos) for t in constraints]
    check_optimisation(base, lv, objs, cons, replications, sampler, scenario_source=scenario)  # before any output
    check_optimize_runs(candidates, replications)
    check_executor(executor)
    named, options = naming(changes, "levers", "objectives", "constraints", "candidates", "batch", "sampler",
                            scenario={"seed": base.seed}, path=scenario)
    identity = identify("optimize", scenario, base.name, named, options=options)
    out_dir = choose_out(out, default_out(stem(scenario), "-optimize", named, options=options),
                         legacy_out(base.name, "-optimize", changes), identity, resume,
                         {"seed": base.seed if seed is None else seed, "replications": replications})
    with claim_output(out_dir, force, resume, identity) as claim:
        result = _run(out_dir, claim.work, lambda: run_optimisation(
            base, lv, objs, cons, candidates, replications, batch, sampler, seed, executor, workers, claim.workdir,
            resume=True, progress=not quiet, scheduler=scheduler))
        written = _done(result, out_dir, force, claim)
    if not quiet:
        echo("\n" + optimisation_text(result, replications, top) + "\n")
    echo(f"Optimisation written to {written}")
    if not result.feasible:
        _infeasible(len(result.candidates), cons)


def _infeasible(n: int, cons: list[Any]) -> NoReturn:
    fail(f"No feasible candidate: none of the {n:,} candidates meets every constraint with 95 % confidence "
          f"({', '.join(c.label for c in cons)}); the closest are shown above, and candidates.csv has every "
          f"candidate's CI, verdict and margin.", INFEASIBLE_EXIT)


@click.command()
@click.argument("scenario", type=click.Path())  # a folder: the loader says what it is
@click.option("--lever", "levers", multiple=True, required=True, metavar="KEY.PATH=LOW:HIGH[:int|:log]",
              help="A lever and its bounds (repeatable; at least two).")
@click.option("--kpi", "kpis", multiple=True, metavar="KPI[@cargo]",
              help="KPI whose sensitivity is ranked (repeatable; default backlog_wagons_mean, dwell_h_mean).")
@click.option("--method", type=click.Choice(["morris", "sobol"]), default="morris", show_default=True)
@click.option("--trajectories", type=click.IntRange(min=2, max=10_000),
              help=f"Morris: one-at-a-time paths ((levers + 1) runs each; default {MORRIS_DEFAULTS['trajectories']}).")
@click.option("--levels", type=click.IntRange(min=2, max=100),
              help=f"Morris: grid levels per lever (default {MORRIS_DEFAULTS['levels']}).")
@click.option("--samples", type=click.IntRange(min=8, max=1_000_000),
              help=f"Sobol: base samples ((levers + 2) runs each; a power of 2; default {SOBOL_DEFAULTS['samples']}).")
@click.option("--replications", "-n", type=click.IntRange(min=1, max=10_000), default=3, show_default=True)
@click.option("--seed", "-s", type=SEED, help="Seed of the runs and the design (default: the scenario's).")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one base value (repeatable).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output directory.")
@execution_options
def sensitivity(scenario: str, levers: tuple[str, ...], kpis: tuple[str, ...], method: str, trajectories: int | None,
                levels: int | None, samples: int | None, replications: int, seed: int | None, sets: tuple[str, ...],
                out: str | None, executor: str, workers: int | None, scheduler: str | None, force: bool,
                resume: bool, quiet: bool) -> None:
    """Rank SCENARIO's levers by their effect on KPIs (Morris screening, or Sobol indices).

    Writes indices.csv, points.csv, sensitivity.json and plots/sensitivity.png to OUT (default
    results/<file name>-sensitivity+lever=…-HASH).
    """
    check_scheduler(executor, scheduler)
    changes = parse_sets(sets)
    check_given_once(changes, seed, per_candidate=replications)
    base = load_scenario(scenario, changes)
    cargos = [*base.cargo, "all"]
    lv = [parse_lever_option(t) for t in levers]
    chosen = [parse_kpi(k, cargos) for k in (kpis or ("backlog_wagons_mean", "dwell_h_mean"))]
    given = {"trajectories": trajectories, "levels": levels, "samples": samples}
    misplaced = [n for n in (SOBOL_DEFAULTS if method == "morris" else MORRIS_DEFAULTS) if given[n] is not None]
    if misplaced:  # it would be ignored
        raise click.BadParameter(f"goes with --method {'sobol' if method == 'morris' else 'morris'}, not {method}",
                                 param_hint=f"--{misplaced[0]}")
    # checked once, before any directory is touched, and run as checked
    screening = check_screening(base, lv, chosen, method, trajectories, levels, samples, replications, seed)
    check_executor(executor)
    named, options = naming(changes, "levers", "kpis", "method", "trajectories", "levels", "samples",
                            scenario={"seed": base.seed}, path=scenario)
    identity = identify("sensitivity", scenario, base.name, named, options=options)
    out_dir = choose_out(out, default_out(stem(scenario), "-sensitivity", named, options=options),
                         legacy_out(base.name, "-sensitivity", changes), identity, resume,
                         {"seed": base.seed if seed is None else seed, "replications": replications})
    with claim_output(out_dir, force, resume, identity) as claim:
        result = _run(out_dir, claim.work, lambda: run_screening(
            screening, executor, workers, claim.workdir, resume=True, progress=not quiet, scheduler=scheduler))
        written = _done(result, out_dir, force, claim)
    if not quiet:
        echo("\n" + sensitivity_text(result, replications) + "\n")
    echo(f"Sensitivity written to {written}")


COMMANDS = (calibrate, optimize, sensitivity)
