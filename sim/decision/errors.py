"""Errors of decision support, both sim.SimError: the CLI says them and exits 2."""

from __future__ import annotations

from sim.errors import SimError, option
from sim.scenario.errors import ScenarioError, problem_lines

#: the API's argument for each CLI option an InputError may name (sim.optimize said "--lever: invalid option")
ARGUMENTS = {"--lever": "levers", "--objective": "objectives", "--constraint": "constraints", "--kpi": "kpis",
             "--replications": "replications", "--sampler": "sampler", "--method": "method",
             "--precision": "precision", "--precision-kpi": "kpis", "--max-replications": "max_replications"}


class InputError(ScenarioError):
    """A bad targets file or option: like ScenarioError (file, key path, what was expected), own heading.
    An option is named as the interface at hand spells it (sim.errors.option): `--lever` or `levers`."""

    def __init__(self, source: str, problems: list[tuple[str, str]], what: str = "invalid input") -> None:
        self.is_option = source.startswith("-") or source in ARGUMENTS.values()
        if source in ARGUMENTS:
            source = option(source, ARGUMENTS[source])
            what = option(what, what.replace("invalid option", "invalid argument"))
        self.what = what
        super().__init__(source, problems)

    def __str__(self) -> str:
        lines = [f"{self.source}: {getattr(self, 'what', 'invalid input')}"]
        shown = "-" if getattr(self, "is_option", False) else self.source  # an option's problems have no key path
        lines += problem_lines(shown, self.problems)
        return "\n".join(lines)


class DecisionError(SimError):
    """A search that cannot go on as asked (every candidate invalid, a sampler not installed, …)."""
