"""The root of every error this package raises on purpose.

The CLI catches `SimError` once and prints its message with its exit status; anything else is an
internal error. Each subclass lives with the code that raises it (ScenarioError in
sim.scenario.errors, TaskError and Interrupted in sim.experiments, …).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class SimError(Exception):
    """An error with a message meant for the user; `exit_code` is the CLI's exit status."""

    exit_code = 2
    prefix = ""  # put before the message by the CLI (e.g. "dostyk: " for a failed replication)


# -- which interface the user is at: an error names its options, not the other interface's ------------
# The same refusal reaches a notebook (`sim.run(…, workdir=…)`) and the command line (`dostyk run …`),
# and said `--resume`/`--force` to both. A message that names an option gives both spellings to `option`;
# the CLI's entry point says, with `cli_wording()`, that its messages are read at a shell.

_AT_SHELL: ContextVar[bool] = ContextVar("dostyk_cli_wording", default=False)


def option(cli: str, python: str) -> str:
    """`cli` (e.g. "--resume") inside `dostyk`'s commands, else `python` (e.g. "resume=True")."""
    return cli if _AT_SHELL.get() else python


@contextmanager
def cli_wording() -> Iterator[None]:
    """Messages raised in this block name the CLI's options (the `dostyk` entry point's block)."""
    token = _AT_SHELL.set(True)
    try:
        yield
    finally:
        _AT_SHELL.reset(token)
