"""What the commands share: reading `--set`, execution options, output and work directories,
and how interruptions and failures are reported."""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from sim.experiments import arguments
from sim.experiments.arguments import EXECUTORS, MAX_SEED
from sim.reporting.terminal import fit_text
from sim.scenario.limits import rows_problem

if TYPE_CHECKING:  # this module stays light: every command imports it, `dostyk validate` too
    from sim.experiments.results import Results
    from sim.scenario.schema import Scenario
    from sim.scenario.spelling import GivenValues

#: the type of every --seed option: a seed the runs accept (a 100-digit --seed was refused by the
#: runner without naming the option)
SEED = click.IntRange(min=0, max=MAX_SEED)
#: the type of every --workers option: a few processes per core at most (arguments.workers says why)
WORKERS = click.IntRange(min=1, max=arguments.MAX_WORKERS_PER_CORE * (os.cpu_count() or 1))


def parse_sets(values: tuple[str, ...]) -> GivenValues:
    """`key.path=value` pairs; values are read as YAML 1.2 scalars (10, 2h, [a, b]), a value YAML 1.1
    reads as another number (010, 20:00) refused naming the key (sim.scenario.yamltext); each value keeps the
    text it was typed as, for a hint to quote it back (`name: "0x1F"`, not `name: "31"`)."""
    from sim.scenario.errors import ScenarioError  # pydantic and numpy: not for `dostyk --help`
    from sim.scenario.loader import parse_yaml
    from sim.scenario.spelling import GivenValues

    out = GivenValues()  # each value with the text it was typed as, for a hint to quote it back
    given = out.texts
    for item in values:
        if "=" not in item:
            raise click.BadParameter(f"expected key.path=value, got {item!r}", param_hint="--set")
        key, raw = item.split("=", 1)
        key = key.strip()
        if not key:
            raise click.BadParameter(f"expected key.path=value, got {item!r}", param_hint="--set")
        if key in out:  # a dict would keep the last silently
            raise click.BadParameter(f"{key} is given twice ({key}={given[key]}, then {key}={raw}); give it once",
                                     param_hint="--set")
        given[key] = raw
        try:
            out[key] = parse_yaml(raw, f"--set {key}", at=key)
        except ScenarioError as exc:
            raise click.BadParameter(str(exc), param_hint="--set") from None
    return out


def check_given_once(sets: Mapping[str, Any], seed: int | None = None, replications: int | None = None,
                     per_candidate: int | None = None, label: str = "") -> None:
    """--seed with --set seed=…, or --replications with --set replications=…: one value set two ways
    (one of the two would be dropped without a word). `per_candidate`: a search's --replications,
    which always has a value, so that `--set replications` would change nothing."""
    for option, value, key in (("--seed", seed, "seed"), ("--replications", replications, "replications")):
        if value is not None and key in sets:
            raise click.BadParameter(f"{option} {value} and --set {label}{key}={sets[key]} both set the {key}; "
                                     "give it once", param_hint=f"{option} / --set")
    if per_candidate is not None and "replications" in sets:
        raise click.BadParameter(f"--set {label}replications={sets['replications']} would change nothing: each "
                                 f"candidate runs --replications replications (now {per_candidate}); give them there",
                                 param_hint="--set")


_PER_SCENARIO = re.compile(r"^\s*(\d+)\s*:(.*)$", re.S)


def parse_scenario_sets(values: tuple[str, ...], count: int) -> tuple[GivenValues, list[GivenValues]]:
    """`--set` of `compare`: `KEY=VALUE` changes every scenario, `N:KEY=VALUE` only the N-th (from 1).

    Returns the common changes and one mapping of changes per scenario.
    """
    common: list[str] = []
    own: list[list[str]] = [[] for _ in range(count)]
    for item in values:
        key = item.split("=", 1)[0]
        match = _PER_SCENARIO.match(key)
        if match is None:
            common.append(item)
            continue
        n = int(match.group(1))
        if not 1 <= n <= count:
            raise click.BadParameter(f"{item!r}: there is no scenario {n}; scenarios are numbered 1 to {count} "
                                     "in the order given", param_hint="--set")
        own[n - 1].append(item[item.index(":") + 1:])
    return parse_sets(tuple(common)), [parse_sets(tuple(x)) for x in own]


def echo(message: str = "", err: bool = False, nl: bool = True) -> None:
    """Print `message` with each line fitted to the terminal (sim.reporting.terminal.fit_text): the commands print
    through it, so that no sentence they say runs past 100 columns. (`click.echo` is left for what is printed
    for another program to read: `schema`'s JSON, Markdown and YAML.)"""
    click.echo(fit_text(message), err=err, nl=nl)  # raw: already fitted


def fail(message: str, code: int = 2) -> NoReturn:
    """Refuse: `message` on stderr, fitted to the terminal as everything else (docs/bad-input.md quotes its
    lines whole), and exit with `code`."""
    echo(message, err=True)
    sys.exit(code)


def fail_usage(exc: click.ClickException) -> NoReturn:
    """Click's own refusal (a usage error: its usage line, hint and message), fitted to the terminal."""
    shown = io.StringIO()
    exc.show(file=shown)
    echo(shown.getvalue(), err=True, nl=False)
    sys.exit(exc.exit_code)


def execution_options(fn: Any) -> Any:
    """Options shared by sweep and compare: executor, workers, scheduler, resume, force, quiet."""
    for option in reversed([
        click.option("--executor", type=click.Choice(EXECUTORS), default="process",
                     show_default=True, help="Where tasks run: local processes, this process, or Dask."),
        click.option("--workers", type=WORKERS, help="Processes/Dask workers (default: all cores)."),
        click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster)."),
        click.option("--force", is_flag=True, help="Replace an existing output directory (and discard unfinished work)."),
        click.option("--resume", is_flag=True, help="Complete interrupted work, reusing its finished tasks."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar or table (for scripts)."),
    ]):
        fn = option(fn)
    return fn


def check_executor(executor: str) -> None:
    """The Dask executor needs its optional dependency: say so before anything is written."""
    if executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            fail("the dask executor needs Dask distributed: pip install 'dostyk-sim[dask]'")


@contextmanager
def interrupt_note(out_dir: Path, unit: str) -> Iterator[None]:
    """Let an interruption say what was kept, where results would have gone and how to resume."""
    from sim.experiments.runner import Interrupted  # the runner (pandas) only for commands that run

    try:
        yield
    except Interrupted as exc:
        exc.out_dir = out_dir
        exc.unit = unit
        raise


def say_reused(reused: int, total: int, unit: str) -> None:
    if reused:
        echo(f"Resumed: reused {reused} saved {unit}, computed {total - reused}.")


def report_writer(results: Results) -> Callable[[Path], Any]:
    """Plots and report.html, written into the results directory before it is moved into place."""
    from sim.reporting.report import write_report  # matplotlib and jinja2 only when a report is written

    return lambda directory: write_report(results, directory)


def both(*writers: Callable[[Path], Any] | None) -> Callable[[Path], None] | None:
    """One `extra` writer that runs each given one in turn (None when there is none)."""
    given = [w for w in writers if w is not None]
    if not given:
        return None

    def write(directory: Path) -> None:
        for writer in given:
            writer(directory)

    return write


def check_xlsx(xlsx: bool, rows: dict[str, int]) -> None:
    """With --xlsx, refuse before any work a table (name -> rows) that one Excel sheet cannot hold."""
    if xlsx:
        from sim.reporting.excel import check_rows

        for what, n in rows.items():
            check_rows(n, what)


def xlsx_writer(xlsx: bool, kind: str, result: Any) -> Callable[[Path], Any] | None:
    """results.xlsx of a run, sweep or comparison (None without --xlsx)."""
    if not xlsx:
        return None
    from sim.reporting import excel  # openpyxl only when a workbook is asked for

    if kind == "sweep":
        return lambda directory: excel.write_sweep_workbook(result, directory)
    if kind == "compare":
        return lambda directory: excel.write_compare_workbook(result, directory)
    return lambda directory: excel.write_results_workbook(result, directory)


def check_scheduler(executor: str, scheduler: str | None) -> None:
    """--scheduler only means something to the Dask executor: say so rather than ignore it."""
    if scheduler is not None and executor != "dask":
        raise click.BadParameter(f"{scheduler} is a Dask scheduler address; add --executor dask",
                                 param_hint="--scheduler")
    try:
        arguments.scheduler(scheduler)
    except arguments.ArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint="--scheduler") from None


def check_replications(scen: Scenario, source: str, replications: int | None) -> None:
    """--replications is not checked with the file; apply the same bound to the number run."""
    if replications is None:
        return
    too_many = rows_problem(scen, replications)
    if too_many is not None:
        from sim.scenario.errors import ScenarioError

        raise ScenarioError(source, [("--replications", too_many)])
