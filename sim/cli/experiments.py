"""`dostyk sweep` (a grid of lever values), `dostyk compare` (paired, common random numbers) and
`dostyk warmup` (MSER-5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sim.analysis.stats import corridor_rows
from sim.cli.options import (
    check_scheduler,
    default_out,
    execution_options,
    fail,
    interrupt_note,
    parse_sets,
    prepare_work,
    say_reused,
)
from sim.experiments.compare import compare as run_compare
from sim.experiments.compare import unique_names
from sim.experiments.executors import EXECUTORS
from sim.experiments.sweep import SweepResult, parse_vary
from sim.experiments.sweep import sweep as run_sweep
from sim.experiments.warmup import suggest_warmup
from sim.experiments.workdir import WorkDir
from sim.reporting.tables import HEADLINE_KPIS, SWEEP_KPIS, cell, num, table
from sim.scenario.loader import load_scenario


def sweep_plots_writer(result: SweepResult) -> Callable[[Path], Any]:
    """plots/ of a sweep directory, written before the directory is moved into place."""
    from sim.reporting.sweep_plots import write_sweep_plots  # matplotlib only when plots are written

    return lambda directory: write_sweep_plots(result, directory)


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--vary", "vary", multiple=True, required=True, metavar="KEY.PATH=V1,V2,...",
              help="A lever and its values (repeatable; the full grid of all levers is run).")
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Replications per grid point.")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one base value (repeatable).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output directory (default results/<name>-sweep).")
@click.option("--kpi", "kpis", multiple=True, help=f"KPI to print (repeatable; default {', '.join(SWEEP_KPIS)}).")
@click.option("--cargo", default="all", show_default=True, help="Cargo whose KPIs are printed.")
@click.option("--no-plots", is_flag=True, help="Write data files only (no plots/; faster).")
@execution_options
def sweep(scenario: str, vary: tuple[str, ...], replications: int | None, seed: int | None,
          sets: tuple[str, ...], out: str | None, kpis: tuple[str, ...], cargo: str, no_plots: bool,
          executor: str, workers: int | None, scheduler: str | None, force: bool, resume: bool,
          quiet: bool) -> None:
    """Run the full grid of --vary values over SCENARIO, each point replicated.

    Writes kpis.csv (one row per point, replication and cargo), summary.csv (mean and 95 % CI per
    point), sweep.json and plots/. Every point uses the same seed (common random numbers).
    """
    check_scheduler(executor, scheduler)
    base = load_scenario(scenario, parse_sets(sets))
    levers = parse_vary(vary)
    out_dir = Path(out) if out else default_out(base.name, "-sweep")
    work = prepare_work(out_dir, force, resume, executor)
    with interrupt_note(out_dir, "tasks"):
        result = run_sweep(base, levers, replications, seed, executor=executor, workers=workers,
                           progress=not quiet, workdir=work, resume=True, scheduler=scheduler)
    written = result.write(out_dir, force=force, extra=None if no_plots else sweep_plots_writer(result))
    WorkDir(work).remove()
    if not quiet:
        summary = corridor_rows(result.summary())  # with several crossings: the whole corridor's
        names = list(result.levers)
        shown = [k for k in (kpis or SWEEP_KPIS) if k in set(summary["kpi"])]
        rows = []
        for point in result.points().to_dict("records"):
            sel = summary["cargo"] == cargo
            for lever, value in point.items():
                sel &= summary[lever] == value
            sub = summary[sel].set_index("kpi")
            rows.append([str(point[n]) for n in names]
                        + [cell(*sub.loc[k, ["mean", "ci95_low", "ci95_high"]]) if k in sub.index else "–" for k in shown])
        click.echo("")
        click.echo(f"{cargo}: mean ± 95 % CI over {result.replications} replications")
        click.echo(table(names + shown, rows))
        click.echo("")
    say_reused(result.metadata.get("tasks_reused", 0), result.metadata["tasks"], "tasks")
    click.echo(f"Sweep written to {written}")


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--replications", "-n", type=click.IntRange(min=2, max=100_000), help="Replications per scenario.")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Seed for every scenario (default: the first's).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output directory (default results/compare-A-vs-B).")
@click.option("--kpi", "kpis", multiple=True, help="KPI to print (repeatable; default the headline KPIs).")
@click.option("--cargo", default="all", show_default=True, help="Cargo whose differences are printed.")
@execution_options
def compare(scenarios: tuple[str, ...], replications: int | None, seed: int | None, out: str | None,
            kpis: tuple[str, ...], cargo: str, executor: str, workers: int | None, scheduler: str | None,
            force: bool, resume: bool, quiet: bool) -> None:
    """Paired comparison of SCENARIOS (the first is the baseline) with common random numbers.

    Every scenario runs the same replications with the same seed; differences are taken
    replication by replication, and their 95 % CI is shown next to the (wider) unpaired one.
    """
    check_scheduler(executor, scheduler)
    if len(scenarios) < 2:
        raise click.UsageError("compare needs at least two scenario files")
    loaded = [load_scenario(p) for p in scenarios]
    names = unique_names([Path(p).stem for p in scenarios])
    out_dir = Path(out) if out else default_out("compare-" + "-vs-".join(names))
    work = prepare_work(out_dir, force, resume, executor)
    with interrupt_note(out_dir, "tasks"):
        result = run_compare(loaded, replications, seed, executor=executor, workers=workers, names=names,
                             progress=not quiet, workdir=work, resume=True, scheduler=scheduler)
    written = result.write(out_dir, force=force)
    WorkDir(work).remove()
    if not quiet:
        diff = result.differences()
        shown = list(kpis) or HEADLINE_KPIS
        for name in result.names[1:]:
            sub = diff[(diff["scenario"] == name) & (diff["cargo"] == cargo)].set_index("kpi")
            rows = []
            for k in shown:
                if k not in sub.index:
                    continue
                r = sub.loc[k]
                rows.append([k, num(r["mean_baseline"]), num(r["mean_scenario"]),
                             cell(r["difference"], r["ci95_low"], r["ci95_high"]),
                             f"± {num(r['half_width_unpaired'], 2)}"])
            click.echo("")
            click.echo(f"{name} − {result.baseline} ({cargo}; {result.replications} paired replications, seed {result.seed})")
            click.echo(table(["KPI", result.baseline, name, "difference ± 95 % CI (paired)", "unpaired CI"], rows))
        click.echo("")
    say_reused(result.metadata.get("tasks_reused", 0), len(result.kpis["scenario"].unique()) * result.replications,
                "tasks")
    click.echo(f"Comparison written to {written}")


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Override the scenario's replications.")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one scenario value (repeatable).")
@click.option("--cargo", default="all", show_default=True, help="Cargo whose backlog series is used.")
@click.option("--series", default="backlog_end", show_default=True, help="Daily column to analyse.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Also save the series and truncation as PNG.")
@click.option("--executor", type=click.Choice(EXECUTORS[:2]), default="process", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Processes to use (default: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def warmup(scenario: str, replications: int | None, seed: int | None, sets: tuple[str, ...], cargo: str,
           series: str, plot_path: str | None, executor: str, workers: int | None, quiet: bool) -> None:
    """Suggest a warm-up period for SCENARIO (MSER-5 on the daily backlog, run with warmup 0)."""
    scen = load_scenario(scenario, parse_sets(sets))
    try:
        suggestion = suggest_warmup(scen, replications, seed, column=series, cargo=cargo, executor=executor,
                                    workers=workers, progress=not quiet)
    except ValueError as exc:
        fail(f"dostyk warmup: {exc}")
    click.echo(suggestion.describe())
    if plot_path:
        from sim.reporting import plots

        fig = plots.warmup(suggestion)
        fig.savefig(plot_path, dpi=110)
        plots.close(fig)
        click.echo(f"Plot written to {plot_path}")
