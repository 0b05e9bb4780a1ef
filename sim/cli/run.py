"""`dostyk run` (a scenario's replications into a results directory) and `dostyk report`."""

from __future__ import annotations

from pathlib import Path

import click

from sim.cli.options import (
    check_replications,
    check_scheduler,
    default_out,
    fail,
    interrupt_note,
    parse_sets,
    prepare_work,
    report_writer,
    say_reused,
)
from sim.experiments.executors import EXECUTORS
from sim.experiments.runner import run as run_experiment
from sim.experiments.workdir import WorkDir
from sim.reporting.tables import format_crossings
from sim.scenario.loader import load_scenario


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Override the scenario's replications.")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one scenario value (repeatable).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Results directory (default results/<name>).")
@click.option("--force", is_flag=True, help="Replace an existing results directory (and discard unfinished work).")
@click.option("--resume", is_flag=True, help="Complete an interrupted run, reusing its finished replications.")
@click.option("--executor", type=click.Choice(EXECUTORS), default="process", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Processes to use (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
@click.option("--no-report", is_flag=True, help="Write data files only (no plots/ or report.html; faster).")
def run(scenario: str, replications: int | None, seed: int | None, sets: tuple[str, ...], out: str | None,
        force: bool, resume: bool, executor: str, workers: int | None, scheduler: str | None, quiet: bool,
        no_report: bool) -> None:
    """Run SCENARIO's replications and write a results directory.

    Each finished replication is kept in OUT.work/ until the results are written, so Ctrl-C or
    SIGTERM loses only replications in flight; run again with --resume to finish.
    """
    check_scheduler(executor, scheduler)
    scen = load_scenario(scenario, parse_sets(sets))
    check_replications(scen, scenario, replications)
    out_dir = Path(out) if out else default_out(scen.name)
    work = prepare_work(out_dir, force, resume, executor)
    with interrupt_note(out_dir, "replications"):
        results = run_experiment(scen, replications, seed, executor=executor, workers=workers,
                                 progress=not quiet, workdir=work, resume=True, scheduler=scheduler)
    written = results.write(out_dir, force=force, extra=None if no_report else report_writer(results))
    WorkDir(work).remove()
    if not quiet:
        click.echo("")
        click.echo(format_crossings(results.summary(), results.crossings))
        click.echo("")
    say_reused(results.metadata.get("replications_reused", 0), results.replications, "replications")
    click.echo(f"Results written to {written}")


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
def report(results_dir: str) -> None:
    """Rebuild plots/ and report.html of RESULTS_DIR from its files (atomically)."""
    from sim.reporting.report import rebuild_report

    try:
        path = rebuild_report(results_dir)
    except FileNotFoundError as exc:
        fail(f"{results_dir}: {exc}" if str(results_dir) not in str(exc) else str(exc))
    click.echo(f"Report written to {path}")
