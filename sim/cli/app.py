"""The `dostyk` command group and its entry point: every known error is caught here, once.

Bad input ends with a message naming the file, the key and what was expected, and exit status 2;
never a traceback (set DOSTYK_DEBUG=1 to see one for an internal error).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import signal
import sys
import warnings
from collections.abc import Callable
from typing import Any, NoReturn

import click

from sim.cli.options import echo, fail, fail_usage
from sim.errors import SimError, cli_wording
from sim.scenario.effects import ScenarioWarning

#: Each command: the module that defines it, and its summary for `dostyk --help`. A command's module
#: (with pandas, scipy, optuna, matplotlib…) is imported only when that command runs or shows its
#: own help, so `dostyk --help` and `dostyk validate` answer at once (issue 17, item 4). A test
#: checks that each summary is the first paragraph of the command's own help.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("sim.cli.run", "Run SCENARIO's replications and write a results directory."),
    "validate": ("sim.cli.describe",
                 "Check SCENARIO and print what it describes (with --resolved: the whole scenario as YAML)."),
    "report": ("sim.cli.run", "Rebuild plots/ and report.html of RESULTS_DIR from its files (atomically)."),
    "kpis": ("sim.cli.windows", "KPIs of RESULTS_DIR over dated windows and at dates, without running again."),
    "schema": ("sim.cli.describe",
               "Print the scenario format as JSON Schema (durations: hours, or text with a unit)."),
    "sweep": ("sim.cli.experiments", "Run the full grid of --vary values over SCENARIO, each point replicated."),
    "compare": ("sim.cli.experiments",
                "Paired comparison of SCENARIOS (the first is the baseline) with common random numbers."),
    "experiment": ("sim.cli.named",
                   "Run the named experiment in FILE: its baseline and named variants, paired, with one report."),
    "warmup": ("sim.cli.experiments",
               "Suggest a warm-up period for SCENARIO (MSER-5 on the daily backlog, run with warmup 0)."),
    "calibrate": ("sim.cli.decision",
                  "Fit SCENARIO's free parameters to observed figures; write the calibrated scenario."),
    "optimize": ("sim.cli.decision",
                 "Search SCENARIO's levers for the best objective(s) under constraints judged by their 95 % CI."),
    "sensitivity": ("sim.cli.decision",
                    "Rank SCENARIO's levers by their effect on KPIs (Morris screening, or Sobol indices)."),
    "history": ("sim.cli.history",
                "Run every replay in DIRECTORY (default scenarios/history) against its declared figures."),
    "consignment": ("sim.cli.consignment",
                    "When would WAGONS wagons ordered ON a date be formed, at the border and unloaded?"),
    "fit": ("sim.cli.fit", "Fit scenario distributions to observed durations in TIMES (CSV) and print the one to paste."),
    "app": ("sim.cli.workbench",
            "Start the workbench: choose a scenario, change levers, run, compare and download in the browser."),
}


class LazyGroup(click.Group):
    """A command group that imports a command's module only when the command is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMANDS))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            command = getattr(importlib.import_module(COMMANDS[cmd_name][0]), cmd_name)
            self.add_command(command, cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The list of commands from their summaries, without importing a single command module."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, (self.commands.get(name) or summary_only(name)).get_short_help_str(limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def summary_only(name: str) -> click.Command:
    """A stand-in with the command's summary, which click shortens for the list as it would the real one."""
    return click.Command(name, help=COMMANDS[name][1])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dostyk-sim")
def cli() -> None:
    """Simulate the Dostyk–Alashankou rail border crossing."""
    # errors raised by a command name the CLI's options (--resume), not the API's (resume=True), however the
    # group is invoked (main, or click's test runner); the wording ends with the command's context
    click.get_current_context().with_resource(cli_wording())


def _raise_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM behaves like Ctrl-C: stop promptly, keep finished work, say how to resume."""
    raise KeyboardInterrupt


def _said_once() -> Callable[[Warning | str], None]:
    """A scenario warning is one plain line on stderr, not Python's file:line form, and once a command: `compare`
    of one file four times (variants by --set) printed its warning four times, word for word."""
    said: set[str] = set()

    def show(message: Warning | str) -> None:
        text = f"warning: {message}"
        if text not in said:
            said.add(text)
            echo(text, err=True)
    return show


def main(argv: list[str] | None = None) -> None:
    """Entry point: turn known errors into clear messages and exit codes."""
    with contextlib.suppress(ValueError):  # ValueError: not the main thread; leave SIGTERM alone
        signal.signal(signal.SIGTERM, _raise_interrupt)
    with warnings.catch_warnings():
        warnings.simplefilter("always", ScenarioWarning)
        shown, say = warnings.showwarning, _said_once()
        warnings.showwarning = lambda message, category, *rest: (  # type: ignore[assignment]
            say(message) if issubclass(category, ScenarioWarning) else shown(message, category, *rest))
        _main(argv)


def _main(argv: list[str] | None) -> None:
    try:
        try:
            cli.main(args=argv, prog_name="dostyk", standalone_mode=False)
        except click.exceptions.Abort as exc:
            # Click turns every KeyboardInterrupt into Abort; ours (Interrupted) says what was kept
            if isinstance(exc.__cause__, SimError):
                raise exc.__cause__ from None
            fail("Interrupted.", 130)
    except click.ClickException as exc:
        fail_usage(exc)
    except SimError as exc:  # ScenarioError, TaskError, results/work exist, Interrupted, …
        details = getattr(exc, "details", "")
        if os.environ.get("DOSTYK_DEBUG") and details:
            click.echo(details, err=True)  # raw: a traceback, for DOSTYK_DEBUG
        fail(f"{exc.prefix}{exc}", exc.exit_code)
    except KeyboardInterrupt:
        fail("Interrupted; nothing was written.", 130)
    except OSError as exc:
        if exc.filename is not None or exc.errno not in REFUSED_WRITES or os.environ.get("DOSTYK_DEBUG"):
            internal_error(exc)
        # a table or the schema printed to a full disk (`dostyk schema > /mnt/full/x`): said plainly
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python would flush the refused stdout again at exit
        fail(f"dostyk: could not write the output: {exc.strerror or exc}", 1)
    except Exception as exc:  # an internal error: say so plainly
        internal_error(exc)


#: errors with which an operating system refuses a write (full disk or quota, read-only, I/O error)
REFUSED_WRITES = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}


def internal_error(exc: Exception) -> NoReturn:
    """An error this package did not raise on purpose, in one line (the traceback with DOSTYK_DEBUG=1)."""
    if os.environ.get("DOSTYK_DEBUG"):
        raise exc
    fail(f"dostyk: internal error: {type(exc).__name__}: {exc} (set DOSTYK_DEBUG=1 for details)", 1)


if __name__ == "__main__":
    main()
