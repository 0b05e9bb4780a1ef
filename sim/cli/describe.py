"""`dostyk validate` (check a scenario and say what it describes) and `dostyk schema`."""

from __future__ import annotations

import json

import click

from sim.cli.options import parse_sets
from sim.scenario.effects import describe_disruptions, warning_lines
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE")
def validate(scenario: str, sets: tuple[str, ...]) -> None:
    """Check SCENARIO and print what it describes."""
    s = load_scenario(scenario, parse_sets(sets))
    click.echo(f"{scenario}: valid scenario {s.name!r}")
    click.echo(f"  {len(s.cargo)} cargo ({', '.join(s.cargo)}), {len(s.checks)} checks, "
               f"{len(s.disruptions)} disruptions, {s.duration / 24:g} days from {s.start}, "
               f"{s.replications} replications, seed {s.seed}")
    for line in describe_disruptions(s):  # a factor's effect in numbers: `capacity: 8` is 96 trains a day
        click.echo(f"  disruption {line}")
    for line in warning_lines(s, scenario):
        click.echo(f"warning: {line}", err=True)


@click.command()
def schema() -> None:
    """Print the scenario format as JSON Schema."""
    click.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))
