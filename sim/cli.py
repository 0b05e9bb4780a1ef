"""The `dostyk` command line: run, validate and describe scenarios.

Bad input ends with a message naming the file, the key and what was expected, and exit status 2;
never a traceback (set DOSTYK_DEBUG=1 to see one for an internal error).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from sim.loader import ScenarioError, load_scenario, parse_yaml
from sim.results import Results, ResultsExistError
from sim.scenario import Scenario
from sim.workdir import WorkDir, WorkExistsError

HEADLINE_KPIS = [
    "tonnes_delivered", "throughput_t_per_day", "backlog_wagons_mean", "backlog_wagons_max",
    "held_trains_mean", "dwell_h_mean", "dwell_h_p90", "unload_wait_h_mean", "unloading_utilization",
    "stop_loading_days", "tonnes_deferred", "tonnes_lost", "idle_cost_usd", "recovery_days",
]


def parse_sets(values: tuple[str, ...]) -> dict[str, Any]:
    """`key.path=value` pairs; values are read as YAML scalars (10, 2h, [a, b])."""
    out: dict[str, Any] = {}
    for item in values:
        if "=" not in item:
            raise click.BadParameter(f"expected key.path=value, got {item!r}", param_hint="--set")
        key, raw = item.split("=", 1)
        key = key.strip()
        if not key:
            raise click.BadParameter(f"expected key.path=value, got {item!r}", param_hint="--set")
        try:
            out[key] = parse_yaml(raw, f"--set {key}")
        except ScenarioError as exc:
            raise click.BadParameter(str(exc), param_hint="--set") from None
    return out


def _fail(message: str, code: int = 2) -> NoReturn:
    click.echo(message, err=True)
    sys.exit(code)


def format_summary(summary, kpis: list[str] | None = None) -> str:  # type: ignore[no-untyped-def]
    """A KPI table: one row per KPI, one column per cargo, 'mean ± CI half-width'."""
    import math

    kpis = kpis or HEADLINE_KPIS
    cargos = list(dict.fromkeys(summary["cargo"]))
    rows = []
    for kpi in kpis:
        sub = summary[summary["kpi"] == kpi]
        if sub.empty:
            continue
        cells = [kpi]
        for c in cargos:
            r = sub[sub["cargo"] == c]
            if r.empty or not math.isfinite(r["mean"].iloc[0]):
                cells.append("–")
                continue
            mean, hi = r["mean"].iloc[0], r["ci95_high"].iloc[0]
            half = hi - mean if math.isfinite(hi) else float("nan")
            cells.append(f"{mean:,.4g} ± {half:,.2g}" if math.isfinite(half) else f"{mean:,.4g}")
        rows.append(cells)
    widths = [max(len(str(x)) for x in col) for col in zip(["KPI (mean ± 95% CI)", *cargos], *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(["KPI (mean ± 95% CI)", *cargos], widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dostyk-sim")
def cli() -> None:
    """Simulate the Dostyk–Alashankou rail border crossing."""


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Override the scenario's replications.")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one scenario value (repeatable).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Results directory (default results/<name>).")
@click.option("--force", is_flag=True, help="Replace an existing results directory (and discard unfinished work).")
@click.option("--resume", is_flag=True, help="Complete an interrupted run, reusing its finished replications.")
@click.option("--executor", type=click.Choice(["process", "serial", "dask"]), default="process", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Processes to use (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
@click.option("--no-report", is_flag=True, help="Write data files only (no plots/ or report.html; faster).")
@click.option("--precision", metavar="5%|AMOUNT", help="Add replications until each --precision-kpi's 95 % CI "
              "half-width is at most this share of its mean (or amount in its unit).")
@click.option("--precision-kpi", "precision_kpis", multiple=True, metavar="KPI[@cargo]",
              help="KPI checked by --precision (repeatable; default tonnes_delivered, backlog_wagons_mean, dwell_h_mean).")
@click.option("--max-replications", type=click.IntRange(min=1, max=100_000), default=200, show_default=True,
              help="With --precision: stop here even if not precise (and say so).")
def run(scenario: str, replications: int | None, seed: int | None, sets: tuple[str, ...], out: str | None,
        force: bool, resume: bool, executor: str, workers: int | None, scheduler: str | None, quiet: bool,
        no_report: bool, precision: str | None, precision_kpis: tuple[str, ...], max_replications: int) -> None:
    """Run SCENARIO's replications and write a results directory.

    Each finished replication is kept in OUT.work/ until the results are written, so Ctrl-C or
    SIGTERM loses only replications in flight; run again with --resume to finish.
    """
    from sim.experiment import Interrupted
    from sim.experiment import run as run_experiment

    _check_scheduler(executor, scheduler)
    scen = load_scenario(scenario, parse_sets(sets))
    _check_replications(scen, scenario, replications)
    out_dir = Path(out) if out else Path("results") / _safe_name(scen.name)
    if precision is None and precision_kpis:
        raise click.BadParameter("goes with --precision", param_hint="--precision-kpi")
    report = None
    if precision is not None:  # the logic lives in sim/decision/precision.py
        from sim.decision.precision import parse_kpis, replicate_until_precise

        chosen = parse_kpis(precision_kpis, scen)
        _check_replications(scen, scenario, max_replications)
    work = _prepare_work(out_dir, force, resume, executor)
    try:
        if precision is not None:
            results, report = replicate_until_precise(
                scen, precision, chosen, replications, max_replications, seed, executor, workers, work,
                resume=True, progress=not quiet, scheduler=scheduler)
        else:
            results = run_experiment(scen, replications, seed, executor=executor, workers=workers,
                                     progress=not quiet, workdir=work, resume=True, scheduler=scheduler)
    except Interrupted as exc:
        _interrupted(exc, out_dir, "replications")
    written = results.write(out_dir, force=force, extra=None if no_report else _report_writer(results))
    WorkDir(work).remove()
    if not quiet:
        click.echo("")
        click.echo(format_summary(results.summary()))
        click.echo("")
    if report is not None:
        click.echo(report.describe())
    _say_reused(results.metadata.get("replications_reused", 0), results.replications, "replications")
    click.echo(f"Results written to {written}")


def _work_path(out_dir: Path) -> Path:
    """Where part files of unfinished work live: next to the output, never under its final name."""
    return out_dir.with_name(out_dir.name + ".work")


def _prepare_work(out_dir: Path, force: bool, resume: bool, executor: str) -> Path:
    """Check the output and work directories before any computing; return the work directory."""
    work = _work_path(out_dir)
    if executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            _fail("the dask executor needs Dask distributed: pip install 'dostyk-sim[dask]'")
    if out_dir.exists() and not force:
        if resume and not work.exists():
            _fail(f"{out_dir} is already complete; nothing to resume (use --force to recompute it)")
        _fail(f"{out_dir} already exists; use --force to replace it, or --out DIR")
    finished = WorkDir(work).count() if work.exists() else 0
    if work.exists() and not resume:
        if finished and not force:
            _fail(f"{work} holds {finished} finished task(s) of an interrupted run; "
                  f"add --resume to complete it, or --force to discard it")
        shutil.rmtree(work)
    return work


def _interrupted(exc: Any, out_dir: Path, unit: str) -> NoReturn:
    """Say what was kept and how to resume, then exit 130 (as shells expect after Ctrl-C)."""
    if exc.done and exc.workdir is not None:
        _fail(f"Interrupted: {exc.done} of {exc.total} {unit} are saved in {exc.workdir}; "
              f"nothing was written to {out_dir}.\n"
              f"Run the same command with --resume to finish; saved {unit} are not recomputed.", 130)
    _fail(f"Interrupted before any of the {exc.total} {unit} finished; nothing was written.", 130)


def _say_reused(reused: int, total: int, unit: str) -> None:
    if reused:
        click.echo(f"Resumed: reused {reused} saved {unit}, computed {total - reused}.")


def _report_writer(results: Results):  # type: ignore[no-untyped-def]
    """Plots and report.html, when the report module is available."""
    try:
        from sim import report
    except ImportError:
        return None
    return lambda directory: report.write_report(results, directory)


def _check_scheduler(executor: str, scheduler: str | None) -> None:
    """--scheduler only means something to the Dask executor: say so rather than ignore it."""
    if scheduler is not None and executor != "dask":
        raise click.BadParameter(f"{scheduler} is a Dask scheduler address; add --executor dask",
                                 param_hint="--scheduler")


def _safe_name(name: str) -> str:
    """The scenario's name as one safe directory name: ASCII letters, digits, - _ . only, no
    leading dot (so never `..`), and short enough for any file system (with the .work suffix)."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    safe = safe.strip("._")[:80].strip("._")
    return safe or "scenario"


def _check_replications(scen: Scenario, source: str, replications: int | None) -> None:
    """--replications is not checked with the file; apply the same bound to the number run."""
    if replications is None:
        return
    from sim.limits import workload_problems

    problems = [("--replications", msg) for path, msg in workload_problems(scen, replications) if path == "replications"]
    if problems:
        raise ScenarioError(source, problems)


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE")
def validate(scenario: str, sets: tuple[str, ...]) -> None:
    """Check SCENARIO and print what it describes."""
    s = load_scenario(scenario, parse_sets(sets))
    click.echo(f"{scenario}: valid scenario {s.name!r}")
    click.echo(f"  {len(s.cargo)} cargo ({', '.join(s.cargo)}), {len(s.checks)} checks, "
               f"{len(s.disruptions)} disruptions, {s.duration / 24:g} days from {s.start}, "
               f"{s.replications} replications, seed {s.seed}")


@cli.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
def report(results_dir: str) -> None:
    """Rebuild plots/ and report.html of RESULTS_DIR from its files (atomically)."""
    from sim.report import rebuild_report

    try:
        path = rebuild_report(results_dir)
    except FileNotFoundError as exc:
        _fail(f"{results_dir}: {exc}" if str(results_dir) not in str(exc) else str(exc))
        return
    click.echo(f"Report written to {path}")


@cli.command()
def schema() -> None:
    """Print the scenario format as JSON Schema."""
    from sim.scenario import Scenario

    click.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))


def _execution_options(fn: Any) -> Any:
    """Options shared by sweep and compare: executor, workers, scheduler, resume, force, quiet."""
    for option in reversed([
        click.option("--executor", type=click.Choice(["process", "serial", "dask"]), default="process",
                     show_default=True, help="Where tasks run: local processes, this process, or Dask."),
        click.option("--workers", type=click.IntRange(min=1), help="Processes/Dask workers (default: all cores)."),
        click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster)."),
        click.option("--force", is_flag=True, help="Replace an existing output directory (and discard unfinished work)."),
        click.option("--resume", is_flag=True, help="Complete interrupted work, reusing its finished tasks."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar or table (for scripts)."),
    ]):
        fn = option(fn)
    return fn


SWEEP_KPIS = ("throughput_t_per_day", "backlog_wagons_mean", "dwell_h_mean", "idle_cost_usd")


def _num(x: float, digits: int = 4) -> str:
    """`digits` significant figures, without exponents for large numbers (15,910 not 1.591e+04)."""
    import math

    if not math.isfinite(x):
        return "–"
    if abs(x) >= 10 ** (digits - 1):
        return f"{float(f'{x:.{digits}g}'):,.0f}"
    return f"{x:.{digits}g}"


def _cell(mean: float, low: float, high: float) -> str:
    import math

    if not math.isfinite(mean):
        return "–"
    half = (high - low) / 2
    return f"{_num(mean)} ± {_num(half, 2)}" if math.isfinite(half) else _num(mean)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


@cli.command()
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
@_execution_options
def sweep(scenario: str, vary: tuple[str, ...], replications: int | None, seed: int | None,
          sets: tuple[str, ...], out: str | None, kpis: tuple[str, ...], cargo: str, no_plots: bool,
          executor: str, workers: int | None, scheduler: str | None, force: bool, resume: bool,
          quiet: bool) -> None:
    """Run the full grid of --vary values over SCENARIO, each point replicated.

    Writes kpis.csv (one row per point, replication and cargo), summary.csv (mean and 95 % CI per
    point), sweep.json and plots/. Every point uses the same seed (common random numbers).
    """
    _check_scheduler(executor, scheduler)
    from sim.experiment import Interrupted
    from sim.sweep import parse_vary
    from sim.sweep import sweep as run_sweep

    base = load_scenario(scenario, parse_sets(sets))
    levers = parse_vary(vary)
    out_dir = Path(out) if out else Path("results") / f"{_safe_name(base.name)}-sweep"
    work = _prepare_work(out_dir, force, resume, executor)
    try:
        result = run_sweep(base, levers, replications, seed, executor=executor, workers=workers,
                           progress=not quiet, workdir=work, resume=True, scheduler=scheduler)
    except Interrupted as exc:
        _interrupted(exc, out_dir, "tasks")
    written = result.write(out_dir, force=force, plots=not no_plots)
    WorkDir(work).remove()
    if not quiet:
        summary = result.summary()
        names = list(result.levers)
        shown = [k for k in (kpis or SWEEP_KPIS) if k in set(summary["kpi"])]
        rows = []
        for point in result.points().to_dict("records"):
            sel = summary["cargo"] == cargo
            for lever, value in point.items():
                sel &= summary[lever] == value
            sub = summary[sel].set_index("kpi")
            rows.append([str(point[n]) for n in names]
                        + [_cell(*sub.loc[k, ["mean", "ci95_low", "ci95_high"]]) if k in sub.index else "–" for k in shown])
        click.echo("")
        click.echo(f"{cargo}: mean ± 95 % CI over {result.replications} replications")
        click.echo(_table(names + shown, rows))
        click.echo("")
    _say_reused(result.metadata.get("tasks_reused", 0), result.metadata["tasks"], "tasks")
    click.echo(f"Sweep written to {written}")


@cli.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--replications", "-n", type=click.IntRange(min=2, max=100_000), help="Replications per scenario.")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Seed for every scenario (default: the first's).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output directory (default results/compare-A-vs-B).")
@click.option("--kpi", "kpis", multiple=True, help="KPI to print (repeatable; default the headline KPIs).")
@click.option("--cargo", default="all", show_default=True, help="Cargo whose differences are printed.")
@_execution_options
def compare(scenarios: tuple[str, ...], replications: int | None, seed: int | None, out: str | None,
            kpis: tuple[str, ...], cargo: str, executor: str, workers: int | None, scheduler: str | None,
            force: bool, resume: bool, quiet: bool) -> None:
    """Paired comparison of SCENARIOS (the first is the baseline) with common random numbers.

    Every scenario runs the same replications with the same seed; differences are taken
    replication by replication, and their 95 % CI is shown next to the (wider) unpaired one.
    """
    _check_scheduler(executor, scheduler)
    from sim.compare import compare as run_compare
    from sim.compare import unique_names
    from sim.experiment import Interrupted

    if len(scenarios) < 2:
        raise click.UsageError("compare needs at least two scenario files")
    loaded = [load_scenario(p) for p in scenarios]
    names = unique_names([Path(p).stem for p in scenarios])
    out_dir = Path(out) if out else Path("results") / _safe_name("compare-" + "-vs-".join(names))
    work = _prepare_work(out_dir, force, resume, executor)
    try:
        result = run_compare(loaded, replications, seed, executor=executor, workers=workers, names=names,
                             progress=not quiet, workdir=work, resume=True, scheduler=scheduler)
    except Interrupted as exc:
        _interrupted(exc, out_dir, "tasks")
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
                rows.append([k, _num(r["mean_baseline"]), _num(r["mean_scenario"]),
                             _cell(r["difference"], r["ci95_low"], r["ci95_high"]),
                             f"± {_num(r['half_width_unpaired'], 2)}"])
            click.echo("")
            click.echo(f"{name} − {result.baseline} ({cargo}; {result.replications} paired replications, seed {result.seed})")
            click.echo(_table(["KPI", result.baseline, name, "difference ± 95 % CI (paired)", "unpaired CI"], rows))
        click.echo("")
    _say_reused(result.metadata.get("tasks_reused", 0), len(result.kpis["scenario"].unique()) * result.replications,
                "tasks")
    click.echo(f"Comparison written to {written}")


@cli.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Override the scenario's replications.")
@click.option("--seed", "-s", type=click.IntRange(min=0), help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one scenario value (repeatable).")
@click.option("--cargo", default="all", show_default=True, help="Cargo whose backlog series is used.")
@click.option("--series", default="backlog_end", show_default=True, help="Daily column to analyse.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Also save the series and truncation as PNG.")
@click.option("--executor", type=click.Choice(["process", "serial"]), default="process", show_default=True)
@click.option("--workers", type=click.IntRange(min=1), help="Processes to use (default: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def warmup(scenario: str, replications: int | None, seed: int | None, sets: tuple[str, ...], cargo: str,
           series: str, plot_path: str | None, executor: str, workers: int | None, quiet: bool) -> None:
    """Suggest a warm-up period for SCENARIO (MSER-5 on the daily backlog, run with warmup 0)."""
    from sim.warmup import suggest_warmup

    scen = load_scenario(scenario, parse_sets(sets))
    try:
        suggestion = suggest_warmup(scen, replications, seed, column=series, cargo=cargo, executor=executor,
                                    workers=workers, progress=not quiet)
    except ValueError as exc:
        _fail(f"dostyk warmup: {exc}")
    click.echo(suggestion.describe())
    if plot_path:
        fig = suggestion.plot()
        fig.savefig(plot_path, dpi=110)
        click.echo(f"Plot written to {plot_path}")


def _raise_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM behaves like Ctrl-C: stop promptly, keep finished work, say how to resume."""
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Entry point: turn known errors into clear messages and exit codes."""
    from sim.executors import TaskError

    with contextlib.suppress(ValueError):  # ValueError: not the main thread; leave SIGTERM alone
        signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        cli.main(args=argv, prog_name="dostyk", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("Interrupted.", 130)
    except TaskError as exc:
        if os.environ.get("DOSTYK_DEBUG") and exc.details:
            click.echo(exc.details, err=True)
        _fail(f"dostyk: {exc}", 1)
    except WorkExistsError as exc:
        _fail(str(exc))
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ScenarioError as exc:
        _fail(str(exc))
    except ResultsExistError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("Interrupted; nothing was written.", 130)
    except Exception as exc:  # an internal error: say so plainly
        if os.environ.get("DOSTYK_DEBUG"):
            raise
        _fail(f"dostyk: internal error: {type(exc).__name__}: {exc} (set DOSTYK_DEBUG=1 for details)", 1)


def _register_decision_commands() -> None:
    """calibrate, optimize and sensitivity live in sim/decision/commands.py (they import this module).

    When that module is the one importing this one, it registers its commands itself once defined.
    """
    pending = sys.modules.get("sim.decision.commands")
    if pending is not None and not hasattr(pending, "COMMANDS"):
        return
    from sim.decision.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_register_decision_commands()

if __name__ == "__main__":
    main()
