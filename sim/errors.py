"""The root of every error this package raises on purpose.

The CLI catches `SimError` once and prints its message with its exit status; anything else is an
internal error. Each subclass lives with the code that raises it (ScenarioError in
sim.scenario.errors, TaskError and Interrupted in sim.experiments, …).
"""

from __future__ import annotations


class SimError(Exception):
    """An error with a message meant for the user; `exit_code` is the CLI's exit status."""

    exit_code = 2
    prefix = ""  # put before the message by the CLI (e.g. "dostyk: " for a failed replication)
