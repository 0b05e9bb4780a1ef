"""`dostyk run` (a scenario's replications into a results directory) and `dostyk report`."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli import windows as windows_cli
from sim.cli.folders import choose_out, default_out, identify, legacy_out, naming, path_text, stem
from sim.cli.options import (
    SEED,
    WORKERS,
    both,
    check_executor,
    check_given_once,
    check_replications,
    check_scheduler,
    check_xlsx,
    echo,
    interrupt_note,
    parse_sets,
    report_writer,
    say_reused,
    xlsx_writer,
)
from sim.cli.outputs import claim_output, say_unchecked
from sim.decision.precision import check_precision, parse_kpis, replicate_until_precise
from sim.experiments.atomic import write_errors
from sim.experiments.executors import EXECUTORS
from sim.experiments.lock import output_lock
from sim.experiments.results import DamagedResultsError
from sim.experiments.runner import run as run_experiment
from sim.experiments.workdir import unfinished_work
from sim.reporting.decision_tables import precision_text
from sim.reporting.recovery import unmeasured_note
from sim.reporting.tables import format_crossings, not_set
from sim.scenario.limits import daily_rows
from sim.scenario.loader import load_scenario
from sim.scenario.workbook import apply_workbook

#: --max-replications when not given
MAX_REPLICATIONS = 200


@click.command()
@click.argument("scenario", type=click.Path())  # a folder: the loader says what it is
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Override the scenario's replications.")
@click.option("--seed", "-s", type=SEED, help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one scenario value (repeatable).")
@click.option("--changes", "workbook", type=click.Path(dir_okay=False), metavar="BOOK.xlsx",
              help="Scenario changes from a workbook sheet of key | value | unit rows (like --set).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Results directory (default results/<file name>, with --set, --seed…: results/<file name>+KEY=VALUE-HASH).")
@click.option("--force", is_flag=True, help="Replace an existing results directory (and discard unfinished work).")
@click.option("--resume", is_flag=True, help="Complete an interrupted run, reusing its finished replications.")
@click.option("--executor", type=click.Choice(EXECUTORS), default="process", show_default=True)
@click.option("--workers", type=WORKERS, help="Processes to use (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
@click.option("--no-report", is_flag=True, help="Write data files only (no plots/ or report.html; faster).")
@click.option("--precision", metavar="5%|AMOUNT", help="Add replications until each --precision-kpi's 95 % CI "
              "half-width is at most this share of its mean (or amount in its unit).")
@click.option("--precision-kpi", "precision_kpis", multiple=True, metavar="KPI[@cargo]",
              help="KPI checked by --precision (repeatable; default tonnes_delivered, backlog_wagons_mean, dwell_h_mean).")
@click.option("--max-replications", type=click.IntRange(min=1, max=100_000),
              help="With --precision: stop here even if not precise (and say so); default 200.")
@click.option("--xlsx", is_flag=True, help="Also write results.xlsx (sheets summary, kpis, daily).")
@click.option("--window", "windows", multiple=True, metavar="FROM:TO", help=windows_cli.WINDOW_HELP)
@click.option("--at", "dates", multiple=True, metavar="DAY", help=windows_cli.AT_HELP)
@click.option("--crossing", metavar="NAME", help=windows_cli.CROSSING_HELP)
def run(scenario: str, replications: int | None, seed: int | None, sets: tuple[str, ...], workbook: str | None,
        out: str | None,
        force: bool, resume: bool, executor: str, workers: int | None, scheduler: str | None, quiet: bool,
        no_report: bool, precision: str | None, precision_kpis: tuple[str, ...], max_replications: int | None, xlsx: bool, windows: tuple[str, ...],
        dates: tuple[str, ...], crossing: str | None) -> None:
    """Run SCENARIO's replications and write a results directory.

    Each finished replication is kept in OUT.work/ until the results are written, so Ctrl-C or
    SIGTERM loses only replications in flight; run again with --resume to finish.
    """
    check_scheduler(executor, scheduler)
    changes = parse_sets(sets)
    check_given_once(changes, seed, replications)
    scen = load_scenario(scenario, changes)
    if workbook:
        scen = apply_workbook(scen, workbook, changes)
    check_replications(scen, scenario, replications)
    check_xlsx(xlsx, {"daily series": daily_rows(scen, replications or scen.replications)})
    chosen_windows, chosen_dates = windows_cli.parse_windows(windows), windows_cli.parse_dates(dates)
    windows_cli.check_inside(scen, chosen_windows, chosen_dates)
    windows_cli.say_warmup([("", scen)], chosen_windows, chosen_dates)
    if crossing is not None and not (chosen_windows or chosen_dates):
        raise click.BadParameter("goes with --window or --at", param_hint="--crossing")
    windows_cli.check_crossing(crossing, list(scen.crossing_names) if crossing is not None else [])
    check_executor(executor)
    for given, option in ((precision_kpis, "--precision-kpi"), (max_replications, "--max-replications")):
        if precision is None and given:
            raise click.BadParameter("goes with --precision", param_hint=option)
    report = None
    limit = max_replications or MAX_REPLICATIONS
    if precision is not None:
        check_precision(scen, precision, replications, limit)
        chosen = parse_kpis(precision_kpis, scen)
        check_replications(scen, scenario, limit)
    book = {"workbook": path_text(workbook)} if workbook else None
    named, options = naming(changes, "precision", "precision_kpis", "max_replications",
                              scenario={"seed": scen.seed, "replications": scen.replications}, path=scenario)
    if "precision-kpi" in options:  # each KPI's interval decides alone: their order changes no number
        options["precision-kpi"] = tuple(sorted(set(options["precision-kpi"])))
    identity = identify("run", scenario, scen.name, named, book, options)
    out_dir = choose_out(out, default_out(stem(scenario), "", named, book, options),
                         legacy_out(scen.name, "", changes, book), identity, resume,
                         {"seed": scen.seed if seed is None else seed} | (
                             {} if precision else {"replications": replications or scen.replications}))
    with claim_output(out_dir, force, resume, identity) as claim:
        with interrupt_note(out_dir, "replications"):
            if precision is not None:
                results, report = replicate_until_precise(
                    scen, precision, chosen, replications, limit, seed, executor, workers, claim.workdir,
                    resume=True, progress=not quiet, scheduler=scheduler)
            else:
                results = run_experiment(scen, replications, seed, executor=executor, workers=workers,
                                         progress=not quiet, workdir=claim.workdir, resume=True, scheduler=scheduler)
        claim.mark(results.metadata)  # whose folder this is (choose_out)
        written = results.write(out_dir, force=force, extra=both(
            None if no_report else report_writer(results), xlsx_writer(xlsx, "run", results),
            windows_cli.writer(results, chosen_windows, chosen_dates)))
        claim.finish(results.replications)
    if not quiet:
        echo("")
        echo(format_crossings(results.summary(), results.crossings, notes=not_set(scen),
                              replications=results.replications))
        unmeasured = unmeasured_note(results.scenario)
        if unmeasured:
            echo(unmeasured)
        echo("")
        if chosen_windows or chosen_dates:
            echo(windows_cli.describe(results.daily, chosen_windows, chosen_dates, crossing))
            echo("")
    if report is not None:
        echo(precision_text(report))
    say_reused(results.metadata.get("replications_reused", 0), results.replications, "replications")
    echo(f"Results written to {written}")


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
def report(results_dir: str) -> None:
    """Rebuild plots/ and report.html of RESULTS_DIR from its files (atomically)."""
    from sim.reporting.report import rebuild_report

    unfinished = unfinished_work(results_dir)  # OUT.work, or OUT after Ctrl-C: say how to finish it
    if unfinished is not None:
        raise DamagedResultsError(unfinished)
    if not Path(results_dir).is_dir():
        raise DamagedResultsError(f"{results_dir}: no such results directory")
    with write_errors(f"the report in {results_dir}"), output_lock(results_dir):  # not while a run writes it
        path = rebuild_report(results_dir)
    echo(f"Report written to {path}")
    say_unchecked(results_dir)
