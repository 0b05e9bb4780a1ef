"""`dostyk validate` (check a scenario and say what it describes) and `dostyk schema`."""

from __future__ import annotations

import json

import click

from sim.cli.options import parse_sets
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE")
def validate(scenario: str, sets: tuple[str, ...]) -> None:
    """Check SCENARIO and print what it describes."""
    s = load_scenario(scenario, parse_sets(sets))
    click.echo(f"{scenario}: valid scenario {s.name!r}")
    specs = s.crossing_specs()
    checks = (f"{len(specs[0][1].checks)} checks" if len(specs) == 1 else
              f"{len(specs)} crossings ({', '.join(f'{x}: {len(c.checks)} checks' for x, c in specs)})")
    click.echo(f"  {len(s.cargo)} cargo ({', '.join(s.cargo)}), {checks}, "
               f"{len(s.disruptions)} disruptions, {s.duration / 24:g} days from {s.start}, "
               f"{s.replications} replications, seed {s.seed}")


@click.command()
def schema() -> None:
    """Print the scenario format as JSON Schema."""
    click.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))
