"""`dostyk sweep` (a grid of lever values), `dostyk compare` (paired, common random numbers) and
`dostyk warmup` (MSER-5)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from sim.analysis.choices import near_miss
from sim.analysis.metrics import KPI_NAMES
from sim.analysis.stats import corridor_rows
from sim.analysis.window import WINDOW_KPIS
from sim.cli import windows as windows_cli
from sim.cli.folders import choose_out, default_out, identify, legacy_out, naming, stem
from sim.cli.options import (
    SEED,
    WORKERS,
    both,
    check_executor,
    check_given_once,
    check_scheduler,
    check_xlsx,
    echo,
    execution_options,
    fail,
    interrupt_note,
    parse_scenario_sets,
    parse_sets,
    say_reused,
    xlsx_writer,
)
from sim.cli.outputs import check_output_file, claim_output, write_output_file
from sim.decision.errors import InputError
from sim.experiments.compare import Comparison, check_comparison, unique_names
from sim.experiments.compare import compare as run_compare
from sim.experiments.executors import EXECUTORS
from sim.experiments.sweep import SweepResult, check_grid, parse_vary, vary_as_typed
from sim.experiments.sweep import sweep as run_sweep
from sim.experiments.warmup import suggest_warmup
from sim.reporting.tables import (
    SWEEP_KPIS,
    WINDOW_SHOWN,
    compare_kpis,
    format_differences,
    format_sweep,
    kpis_over,
    not_set,
    window_over,
)
from sim.scenario.errors import ScenarioError
from sim.scenario.keypaths import overlaps
from sim.scenario.levers import COMPARE, lever_problems
from sim.scenario.limits import run_days, series_count
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.spelling import GivenValues


def sweep_plots_writer(result: SweepResult) -> Callable[[Path], Any]:
    """plots/ and report.html of a sweep directory, written before the directory is moved into place."""
    from sim.reporting.experiment_report import write_sweep_report  # matplotlib only when plots are written

    return lambda directory: write_sweep_report(result, directory)


@click.command()
@click.argument("scenario", type=click.Path())  # a folder: the loader says what it is
@click.option("--vary", "vary", multiple=True, required=True, metavar="KEY.PATH=V1,V2,...",
              help="A lever and its values (repeatable; the full grid of all levers is run).")
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Replications per grid point.")
@click.option("--seed", "-s", type=SEED, help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one base value (repeatable).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output directory (default results/<file name>-sweep+vary=…-HASH, with --set, --seed, -n among them).")
@click.option("--kpi", "kpis", multiple=True, help=f"KPI to print (repeatable; default {', '.join(SWEEP_KPIS)}).")
@click.option("--cargo", default="all", show_default=True, help="Cargo whose KPIs are printed.")
@click.option("--no-plots", "--no-report", "no_plots", is_flag=True,
              help="Write data files only (no plots/ or report.html; faster).")
@click.option("--xlsx", is_flag=True, help="Also write results.xlsx (sheets summary, kpis).")
@execution_options
def sweep(scenario: str, vary: tuple[str, ...], replications: int | None, seed: int | None,
          sets: tuple[str, ...], out: str | None, kpis: tuple[str, ...], cargo: str, no_plots: bool, xlsx: bool,
          executor: str, workers: int | None, scheduler: str | None, force: bool, resume: bool,
          quiet: bool) -> None:
    """Run the full grid of --vary values over SCENARIO, each point replicated.

    Writes kpis.csv (one row per point, replication and cargo), summary.csv (mean and 95 % CI per
    point), sweep.json, plots/ and report.html. Every point uses the same seed (common random numbers).
    """
    check_scheduler(executor, scheduler)
    changes = parse_sets(sets)
    check_given_once(changes, seed, replications)
    base = load_scenario(scenario, changes)
    levers = parse_vary(vary)
    clashes = [(later, f"{why}, given with --set: the lever's values would replace it at every grid point")
               for first, later, why in overlaps(base.to_dict(), [*changes, *levers]) if first in changes
               and later in levers]
    if clashes:
        raise ScenarioError("--vary", clashes)
    grid = check_grid(base, levers, replications, "--vary", "dostyk sweep")  # before any directory is touched
    check_shown([base], kpis, cargo)
    # each point counted with its own series: a lever may change what a point reports
    check_xlsx(xlsx, {"KPI table": grid.replications * sum(map(series_count, grid.scenarios))})
    check_executor(executor)
    named, options = naming(changes, "vary", scenario={"seed": base.seed, "replications": base.replications},
                              path=scenario)
    options["vary"] = vary_as_typed(levers)  # `x = 4, 6` is `x=4,6`: the same grid, the same folder
    identity = identify("sweep", scenario, base.name, named, options=options)
    out_dir = choose_out(out, default_out(stem(scenario), "-sweep", named, options=options),
                         legacy_out(base.name, "-sweep", changes), identity, resume,
                         {"seed": base.seed if seed is None else seed, "replications": replications or base.replications})
    with claim_output(out_dir, force, resume, identity) as claim:
        with interrupt_note(out_dir, "tasks"):
            result = run_sweep(base, grid, replications, seed, executor=executor, workers=workers,
                               progress=not quiet, workdir=claim.workdir, resume=True, scheduler=scheduler)
        claim.mark(result.metadata)  # whose folder this is (choose_out)
        written = result.write(out_dir, force=force, extra=both(None if no_plots else sweep_plots_writer(result),
                                                                xlsx_writer(xlsx, "sweep", result)))
        claim.finish(result.metadata["tasks"])
    if not quiet:
        summary = corridor_rows(result.summary())  # with several crossings: the whole corridor's
        shown = [k for k in (kpis or SWEEP_KPIS) if k in set(summary["kpi"])]
        echo("")
        echo(format_sweep(summary, result.points(), shown, cargo, result.replications, not_set(base), base))
        echo("")
    say_reused(result.metadata.get("tasks_reused", 0), result.metadata["tasks"], "tasks")
    echo(f"Sweep written to {written}")


@click.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path())  # a folder: the loader says what it is
@click.option("--replications", "-n", type=click.IntRange(min=2, max=100_000), help="Replications per scenario.")
@click.option("--seed", "-s", type=SEED, help="Seed for every scenario (default: the first's).")
@click.option("--set", "sets", multiple=True, metavar="[N:]KEY.PATH=VALUE",
              help="Change a value in every scenario, or with N: only in the N-th (from 1) (repeatable).")
@click.option("--name", "labels", multiple=True, metavar="N:NAME",
              help="Name of the N-th scenario (from 1) in every table, plot and file (repeatable).")
@click.option("--out", "-o", type=click.Path(file_okay=False), help="Output directory (default results/compare-A-vs-B, with --set, --seed, -n: …+KEY=VALUE-HASH).")
@click.option("--kpi", "kpis", multiple=True, help="KPI to print (repeatable; default the headline KPIs).")
@click.option("--cargo", default="all", show_default=True, help="Cargo whose differences are printed.")
@click.option("--no-report", is_flag=True, help="Write data files only (no plots/ or report.html; faster).")
@click.option("--xlsx", is_flag=True, help="Also write results.xlsx (sheets differences, summary, kpis, daily; "
              "with --window, window differences and windows).")
@click.option("--window", "windows", multiple=True, metavar="FROM:TO",
              help=windows_cli.WINDOW_HELP + "; compared, paired, in every scenario")
@execution_options
def compare(scenarios: tuple[str, ...], replications: int | None, seed: int | None, sets: tuple[str, ...],
            labels: tuple[str, ...], out: str | None, kpis: tuple[str, ...], cargo: str, no_report: bool, xlsx: bool,
            windows: tuple[str, ...], executor: str,
            workers: int | None, scheduler: str | None, force: bool, resume: bool, quiet: bool) -> None:
    """Paired comparison of SCENARIOS (the first is the baseline) with common random numbers.

    Every scenario runs the same replications with the same seed; differences are taken
    replication by replication, and their 95 % CI is shown next to the (wider) unpaired one.
    A file may be given twice with its own changes, so variants need no copies:

      dostyk compare base.yaml base.yaml --set 2:unloading.grain.points=8 --name 2:eight-points
    """
    check_scheduler(executor, scheduler)
    if len(scenarios) < 2:
        raise click.UsageError("compare needs at least two scenarios: give two files, or one file twice with "
                               "--set 2:KEY=VALUE for the variant")
    common, own = parse_scenario_sets(sets, len(scenarios))
    check_given_once(common, seed, replications)
    for i, changes in enumerate(own):
        check_given_once(changes, seed, replications, label=f"{i + 1}:")
    loaded = [load_scenario(p, common.merged(own[i])) if not own[i] else
              _load_variant(p, i + 1, common, own[i]) for i, p in enumerate(scenarios)]
    not_levers = [(f"{i + 1}:{path}", why) for i, changes in enumerate(own)
                  for path, why in lever_problems(loaded[i].to_dict(), list(changes), COMPARE)]
    if not_levers:  # a variant's own change must change what is simulated
        raise InputError("--set", not_levers, "invalid option")
    given = parse_names(labels, len(scenarios))
    names = unique_names([given.get(i + 1) or variant_name(Path(p).stem, own[i]) for i, p in enumerate(scenarios)])
    _say_identical(loaded, names)
    chosen = windows_cli.parse_windows(windows)  # `run --window`'s syntax and refusals
    check_windows(loaded, names, chosen)
    windows_cli.say_warmup(list(zip(names, loaded)), chosen)
    check_shown(loaded, kpis, cargo, WINDOW_KPIS if chosen else ())
    n = replications or loaded[0].replications
    check_comparison(loaded, names, n, "dostyk compare")  # runs, and results held together
    # kpis: every series (each cargo and all, per crossing); daily: the corridor's `all` row per day
    check_xlsx(xlsx, {"KPI table": sum(n * series_count(s) for s in loaded),
                      "daily series": sum(n * run_days(s) for s in loaded)})
    check_executor(executor)
    shared, _ = naming(common, scenario={"seed": loaded[0].seed, "replications": loaded[0].replications},
                       path=scenarios[0])
    title, hidden = "compare-" + "-vs-".join(names), own if any(own) else None
    identity = identify("compare", scenarios, changes=shared, hidden=hidden)
    out_dir = choose_out(out, default_out(title, changes=shared, hidden=hidden),
                         legacy_out(title, changes=common, hidden=hidden), identity, resume,
                         expect={"seed": loaded[0].seed if seed is None else seed, "replications": n})
    with claim_output(out_dir, force, resume, identity) as claim:
        with interrupt_note(out_dir, "tasks"):
            result = run_compare(loaded, replications, seed, executor=executor, workers=workers, names=names,
                                 progress=not quiet, workdir=claim.workdir, resume=True, scheduler=scheduler,
                                 windows=chosen)
        claim.mark(result.metadata)  # whose folder this is (choose_out)
        written = result.write(out_dir, force=force, extra=both(
            None if no_report else compare_report_writer(result), xlsx_writer(xlsx, "compare", result)))
        claim.finish(len(result.names) * result.replications)
    if not quiet:
        diff = result.differences()
        notes: dict[str, str] = {}
        for scen in loaded:
            notes |= not_set(scen)
        for name, scen in zip(result.names[1:], result.scenarios[1:]):
            echo("")
            echo(format_differences(diff, result.baseline, name, cargo, list(kpis) or compare_kpis(diff),
                                    result.replications, result.seed, notes,
                                    kpis_over(result.scenarios[0], scen, result.baseline, name)))
        _echo_windows(result, kpis, cargo)
        echo("")
    say_reused(result.metadata.get("tasks_reused", 0), len(result.kpis["scenario"].unique()) * result.replications,
                "tasks")
    echo(f"Comparison written to {written}")


def _echo_windows(result: Comparison, kpis: tuple[str, ...], cargo: str) -> None:
    """Each window's differences, each variant against the baseline (the --kpi that are window KPIs, else
    WINDOW_SHOWN)."""
    if result.windows.empty:
        return
    diff = result.window_differences()
    shown = [k for k in kpis if k in WINDOW_KPIS] or list(WINDOW_SHOWN)
    for lo, hi in result.window_spans():
        mine = diff[(diff["from"] == lo) & (diff["to"] == hi)]
        for name in result.names[1:]:
            echo("")
            echo(format_differences(mine, result.baseline, name, cargo, shown, result.replications, result.seed,
                                    {}, window_over(lo, hi)))


def check_windows(loaded: list[Scenario], names: list[str], chosen: list[windows_cli.Window]) -> None:
    """Every --window inside every scenario's simulated days, refused as `run --window` refuses it (a
    variant over other days is named)."""
    for i, (scen, name) in enumerate(zip(loaded, names)):
        try:
            windows_cli.check_inside(scen, chosen, [])
        except click.BadParameter as exc:
            if i == 0:
                raise
            raise click.BadParameter(f"{exc.message}, those of scenario {i + 1} ({name})", param_hint="--window") from None


def parse_names(values: tuple[str, ...], count: int) -> dict[int, str]:
    """`--name N:NAME` of `compare`: the N-th scenario's label (a short name, as in an experiment file)."""
    from sim.experiments.named import NAME

    out: dict[int, str] = {}
    for item in values:
        number, sep, name = item.partition(":")
        if not sep or not number.strip().isdigit():
            raise click.BadParameter(f"expected N:NAME (e.g. 2:eight-points), got {item!r}", param_hint="--name")
        n = int(number)
        if not 1 <= n <= count:
            raise click.BadParameter(f"{item!r}: there is no scenario {n}; scenarios are numbered 1 to {count} "
                                     "in the order given", param_hint="--name")
        if not NAME.match(name):
            raise click.BadParameter(f"{item!r}: a name must be 1-40 letters, digits, '-', '_', '.' or '+'",
                                     param_hint="--name")
        if n in out or name.lower() in {v.lower() for v in out.values()}:
            raise click.BadParameter(f"{item!r}: each scenario takes one name, and each name one scenario",
                                     param_hint="--name")
        out[n] = name
    return out


def check_shown(scenarios: list[Scenario], kpis: tuple[str, ...], cargo: str, more: Iterable[str] = ()) -> None:
    """--kpi and --cargo choose what is printed: refuse, before anything runs, one that would print nothing
    (`more`: other KPIs shown, a --window's)."""
    cargos = list(dict.fromkeys(c for s in scenarios for c in [*s.cargo, "all"]))
    disruptions = {f"recovery_days.{d.name}" for s in scenarios for d in s.disruptions}
    known = list(dict.fromkeys([*KPI_NAMES, *more]))
    problems = [(k, _unknown_kpi(k, [*known, *disruptions], cargos)) for k in kpis if k not in known and k not in disruptions]
    if cargo not in cargos:
        problems.append((cargo, f"unknown cargo; expected one of: {', '.join(cargos)}"))
    if problems:
        raise InputError("--kpi" if problems[0][0] in kpis else "--cargo", problems, "invalid option")


def _unknown_kpi(kpi: str, known: list[str], cargos: list[str]) -> str:
    """Why --kpi is refused, with the near miss (`backlog_wagon_mean`) or, for `KPI@cargo` (as an experiment
    file and optimize write it), that --cargo chooses the cargo here."""
    name, at, cargo = kpi.partition("@")
    if at and name in known:
        return (f"--kpi takes a KPI alone here; choose the cargo with --cargo {cargo}" if cargo in cargos
                else f"--kpi takes a KPI alone here, and {cargo!r} is no cargo of these scenarios (--cargo chooses one "
                     f"of: {', '.join(cargos)})")
    near = near_miss(kpi, known)
    hint = f" (did you mean {near!r}?)" if near is not None else ""
    return f"unknown KPI{hint}; expected one of: {', '.join(k for k in known if '.' not in k)} (or recovery_days.DISRUPTION)"


def _load_variant(path: str, n: int, common: GivenValues, own: GivenValues) -> Scenario:
    """Scenario N of a comparison with its own changes; a bad change names the scenario's number."""
    try:
        return load_scenario(path, common.merged(own))
    except ScenarioError as exc:
        exc.source = f"{exc.source} (scenario {n}, with --set {n}:…)"
        raise


def variant_name(stem: str, changes: dict[str, Any]) -> str:
    """A scenario's label in tables and files: its file's name, and its own changes if any."""
    if not changes:
        return stem

    def short(value: Any) -> str:
        if value is None or isinstance(value, bool):  # as typed in YAML (`hours=~` read 'hours=None')
            return {None: "~", True: "true", False: "false"}[value]
        text = " ".join(str(value).split())  # no newline or tab in a label
        return text if len(text) <= 40 else text[:39] + "…"

    return f"{stem} ({', '.join(f'{k}={short(v)}' for k, v in changes.items())})"


def _say_identical(loaded: list[Scenario], names: list[str]) -> None:
    """Comparing a scenario with itself gives differences of exactly 0: say so, rather than let it puzzle."""
    seen: dict[str, str] = {}
    for scen, name in zip(loaded, names):
        key = json.dumps(scen.to_dict(), sort_keys=True, default=str)
        if key in seen:
            echo(f"Note: {name} is identical to {seen[key]}; their differences will be exactly 0.", err=True)
        seen.setdefault(key, name)


def compare_report_writer(result: Comparison) -> Callable[[Path], Any]:
    """plots/ and report.html of a comparison, written before its directory is moved into place."""
    from sim.reporting.experiment_report import write_compare_report

    return lambda directory: write_compare_report(result, directory)


@click.command()
@click.argument("scenario", type=click.Path())  # a folder: the loader says what it is
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Override the scenario's replications.")
@click.option("--seed", "-s", type=SEED, help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one scenario value (repeatable).")
@click.option("--cargo", default="all", show_default=True, help="Cargo whose backlog series is used.")
@click.option("--series", default="backlog_end", show_default=True, help="Daily column to analyse.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="Also save the series and truncation as PNG.")
@click.option("--force", is_flag=True, help="Replace an existing --plot file.")
@click.option("--executor", type=click.Choice(EXECUTORS[:2]), default="process", show_default=True)
@click.option("--workers", type=WORKERS, help="Processes to use (default: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def warmup(scenario: str, replications: int | None, seed: int | None, sets: tuple[str, ...], cargo: str,
           series: str, plot_path: str | None, force: bool, executor: str, workers: int | None, quiet: bool) -> None:
    """Suggest a warm-up period for SCENARIO (MSER-5 on the daily backlog, run with warmup 0)."""
    if plot_path is not None:
        check_output_file(plot_path, "--plot", [Path(scenario)], force)
    changes = parse_sets(sets)
    check_given_once(changes, seed, replications)
    scen = load_scenario(scenario, changes)
    try:
        suggestion = suggest_warmup(scen, replications, seed, column=series, cargo=cargo, executor=executor,
                                    workers=workers, progress=not quiet)
    except ValueError as exc:
        fail(f"dostyk warmup: {exc}")
    echo(suggestion.describe())
    if plot_path is not None:
        from sim.reporting import plots

        fig = plots.warmup(suggestion)
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=110)
        plots.close(fig)
        write_output_file(plot_path, png.getvalue(), "--plot")  # whole or not at all
        echo(f"Plot written to {plot_path}")
