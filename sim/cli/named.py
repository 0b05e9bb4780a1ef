"""`dostyk experiment FILE`: run a named experiment (a baseline and named variants) paired, and
write its results directory with one report (a section per crossing and cargo)."""

from __future__ import annotations

import re
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from sim.cli.folders import choose_out, default_out, identify, stem
from sim.cli.options import (
    both,
    check_executor,
    check_scheduler,
    check_xlsx,
    echo,
    execution_options,
    interrupt_note,
    say_reused,
    xlsx_writer,
)
from sim.cli.outputs import claim_output
from sim.experiments.compare import Comparison, check_comparison, incomparable
from sim.experiments.compare import compare as run_compare
from sim.experiments.named import Experiment, read_experiment
from sim.reporting.tables import format_differences, kpis_over, not_set
from sim.scenario.limits import run_days, series_count


def report_writer(result: Comparison, experiment: Experiment) -> Callable[[Path], Any]:
    """The experiment file, plots/ and report.html, written before the directory is moved into place."""
    from sim.reporting.named_report import write_experiment_report  # matplotlib only when a report is written

    def write(directory: Path) -> None:
        shutil.copyfile(experiment.source, directory / "experiment.yaml")
        write_experiment_report(result, experiment, directory)

    return write


@click.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--out", "-o", type=click.Path(file_okay=False),
              help="Output directory (default results/<experiment file's name>-experiment).")
@click.option("--xlsx", is_flag=True, help="Also write results.xlsx (sheets differences, summary, kpis, daily).")
@execution_options
def experiment(file: str, out: str | None, xlsx: bool, executor: str, workers: int | None, scheduler: str | None,
               force: bool, resume: bool, quiet: bool) -> None:
    """Run the named experiment in FILE: its baseline and named variants, paired, with one report.

    FILE (YAML) gives `baseline:` (a scenario file, relative to FILE), `variants:` (name -> changes
    of levers, as --set takes them), `replications`, optional `seed`, `kpis:` (each KPI or KPI@cargo)
    and optional `select: {kpi: NAME, goal: min|max}` for the possible-best subset.
    """
    check_scheduler(executor, scheduler)
    exp = read_experiment(file)  # every problem of the file and its scenarios, before anything is touched
    n = exp.replications or exp.scenarios[0].replications
    check_comparison(exp.scenarios, exp.names, n, f"dostyk experiment {file}",
                     f"replications ({file})" if exp.replications else "replications (the baseline's)")  # runs, and results held together
    check_xlsx(xlsx, {"KPI table": sum(n * series_count(s) for s in exp.scenarios),
                      "daily series": sum(n * run_days(s) for s in exp.scenarios)})
    check_executor(executor)
    unpaired = incomparable(exp.scenarios, exp.names)
    for message in unpaired:
        echo(f"Not paired day by day: {message}.", err=True)
    identity = identify("compare", [file])  # its tasks are a comparison's
    out_dir = choose_out(out, default_out(stem(file) + "-experiment"), None, identity)
    with claim_output(out_dir, force, resume, identity) as claim:
        with interrupt_note(out_dir, "tasks"), warnings.catch_warnings():
            for message in unpaired:  # said above, once, in the experiment's words
                warnings.filterwarnings("ignore", message=re.escape(message))
            result = run_compare(exp.scenarios, exp.replications, exp.seed, executor=executor, workers=workers,
                                 names=exp.names, progress=not quiet, workdir=claim.workdir, resume=True,
                                 scheduler=scheduler)
        result.metadata["experiment"] = exp.source.name
        claim.mark(result.metadata)  # whose folder this is (choose_out)
        written = result.write(out_dir, force=force, extra=both(report_writer(result, exp),
                                                                xlsx_writer(xlsx, "compare", result)))
        claim.finish(len(result.names) * result.replications)
    if not quiet:
        diff = result.differences()
        notes: dict[str, str] = {}
        for scen in exp.scenarios:
            notes |= not_set(scen)
        for cargo in dict.fromkeys(c.cargo for c in exp.kpis):
            shown = [c.kpi for c in exp.kpis if c.cargo == cargo]
            for name, scen in zip(result.names[1:], result.scenarios[1:]):
                echo("")
                echo(format_differences(diff, result.baseline, name, cargo, shown, result.replications,
                                        result.seed, notes, kpis_over(result.scenarios[0], scen,
                                                                      result.baseline, name)))
        echo("")
    say_reused(result.metadata.get("tasks_reused", 0), len(result.names) * result.replications, "tasks")
    echo(f"Experiment written to {written}")
