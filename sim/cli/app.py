"""The `dostyk` command group and its entry point: every known error is caught here, once.

Bad input ends with a message naming the file, the key and what was expected, and exit status 2;
never a traceback (set DOSTYK_DEBUG=1 to see one for an internal error).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import warnings
from typing import Any

import click

from sim.cli.decision import calibrate, optimize, sensitivity
from sim.cli.describe import schema, validate
from sim.cli.experiments import compare, sweep, warmup
from sim.cli.history import history
from sim.cli.options import fail
from sim.cli.run import report, run
from sim.cli.windows import kpis
from sim.errors import SimError
from sim.scenario.effects import ScenarioWarning


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dostyk-sim")
def cli() -> None:
    """Simulate the Dostyk–Alashankou rail border crossing."""


for command in (run, validate, report, kpis, schema, sweep, compare, warmup, calibrate, optimize, sensitivity,
                history):
    cli.add_command(command)


def _raise_interrupt(signum: int, frame: Any) -> None:
    """SIGTERM behaves like Ctrl-C: stop promptly, keep finished work, say how to resume."""
    raise KeyboardInterrupt


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: Any = None, line: str | None = None) -> None:
    """A scenario warning is one plain line on stderr, not Python's file:line form."""
    click.echo(f"warning: {message}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point: turn known errors into clear messages and exit codes."""
    with contextlib.suppress(ValueError):  # ValueError: not the main thread; leave SIGTERM alone
        signal.signal(signal.SIGTERM, _raise_interrupt)
    with warnings.catch_warnings():
        warnings.simplefilter("always", ScenarioWarning)
        shown = warnings.showwarning
        warnings.showwarning = lambda message, category, *rest: (  # type: ignore[assignment]
            _show_warning(message, category, *rest) if issubclass(category, ScenarioWarning)
            else shown(message, category, *rest))
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
        exc.show()
        sys.exit(exc.exit_code)
    except SimError as exc:  # ScenarioError, TaskError, results/work exist, Interrupted, …
        details = getattr(exc, "details", "")
        if os.environ.get("DOSTYK_DEBUG") and details:
            click.echo(details, err=True)
        fail(f"{exc.prefix}{exc}", exc.exit_code)
    except KeyboardInterrupt:
        fail("Interrupted; nothing was written.", 130)
    except Exception as exc:  # an internal error: say so plainly
        if os.environ.get("DOSTYK_DEBUG"):
            raise
        fail(f"dostyk: internal error: {type(exc).__name__}: {exc} (set DOSTYK_DEBUG=1 for details)", 1)


if __name__ == "__main__":
    main()
