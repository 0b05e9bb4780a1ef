"""Errors of decision support, both sim.SimError: the CLI says them and exits 2."""

from __future__ import annotations

from sim.errors import SimError
from sim.scenario.errors import ScenarioError, problem_line


class InputError(ScenarioError):
    """A bad targets file or option: like ScenarioError (file, key path, what was expected), own heading."""

    def __init__(self, source: str, problems: list[tuple[str, str]], what: str = "invalid input") -> None:
        self.what = what
        super().__init__(source, problems)

    def __str__(self) -> str:
        lines = [f"{self.source}: {getattr(self, 'what', 'invalid input')}"]
        lines += [problem_line(self.source, path, message) for path, message in self.problems]
        return "\n".join(lines)


class DecisionError(SimError):
    """A search that cannot go on as asked (every candidate invalid, a sampler not installed, …)."""
