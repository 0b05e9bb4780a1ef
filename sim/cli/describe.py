"""`dostyk validate` (check a scenario and say what it describes) and `dostyk schema`."""

from __future__ import annotations

import datetime as dt
import json

import click

from sim.cli.options import echo, parse_sets
from sim.reporting.analyst_units import shares_text
from sim.reporting.check_words import check_in_words
from sim.reporting.periods import period_text
from sim.scenario.effects import disruption_effects, warning_lines
from sim.scenario.loader import load_scenario
from sim.scenario.schema import CrossingSpec, Disruption, Scenario
from sim.scenario.workbook import apply_workbook


@click.command()
@click.argument("scenario", type=click.Path())  # a folder: the loader says what it is
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE")
@click.option("--changes", "workbook", type=click.Path(dir_okay=False), metavar="BOOK.xlsx",
              help="Scenario changes from a workbook sheet of key | value | unit rows (like --set).")
@click.option("--resolved", is_flag=True,
              help="Print the full scenario as YAML: the files it extends merged, every default filled in.")
def validate(scenario: str, sets: tuple[str, ...], workbook: str | None, resolved: bool) -> None:
    """Check SCENARIO and print what it describes (with --resolved: the whole scenario as YAML)."""
    changes = parse_sets(sets)
    s = load_scenario(scenario, changes)
    if workbook:
        s = apply_workbook(s, workbook, changes)
    if resolved:
        import yaml

        header = f"# {scenario}, resolved: the files it extends merged, defaults filled in (durations in hours)"
        click.echo(header)  # raw: YAML's comment (wrapped, its next line would lose the '#' and break the file)
        click.echo(yaml.safe_dump(s.to_dict(), sort_keys=False, allow_unicode=True), nl=False)  # raw: YAML
        for line in warning_lines(s, scenario):
            echo(f"warning: {line}", err=True)
        return
    echo(f"{scenario}: valid scenario {s.name!r}")
    specs = s.crossing_specs()
    checks = (f"{len(specs[0][1].checks)} checks" if len(specs) == 1 else
              f"{len(specs)} crossings ({', '.join(f'{x}: {len(c.checks)} checks' for x, c in specs)})")
    echo(f"  {len(s.cargo)} cargo ({', '.join(s.cargo)}), {checks}, "
         f"{len(s.disruptions)} disruption{'' if len(s.disruptions) == 1 else 's'}, {s.duration / 24:g} days from {s.start}, "
         f"{s.replications} replications, seed {s.seed}")
    for line in stage_lines(s):
        echo(f"  {line}")
    for d, effect in zip(s.disruptions, disruption_effects(s)):
        echo(f"  disruption {d.name} on {d.target}: {window_text(d)}")
        # the factor's effect in numbers: `capacity: 8` on a quota of 12 is 96 trains a day
        echo(f"    during it: {effect}")
    for line in warning_lines(s, scenario):
        echo(f"warning: {line}", err=True)


@click.command()
def schema() -> None:
    """Print the scenario format as JSON Schema (durations: hours, or text with a unit)."""
    click.echo(json.dumps(Scenario.model_json_schema(by_alias=True), indent=2))  # raw: JSON


OF_TRAINS = " of the trains"
MAX_CHECK_LINES = 12  # a file of a thousand checks is valid; its summary stays readable


def stage_lines(s: Scenario) -> list[str]:
    """Each check's hours, quota and cargo, and the starting state: what a `--set` on them changed.

    `--set checks.phytosanitary.hours=~` (around the clock) or 400 wagons en route at the start used to
    print the same summary as the file alone, so nobody could see the change had been taken.
    """
    lines: list[str] = []
    specs = s.crossing_specs()
    for crossing, spec in specs:
        at = f"{crossing} " if len(specs) > 1 else ""
        lines += [f"check {at}{ch.name}: {', '.join(check_in_words(ch))}" for ch in spec.checks[:MAX_CHECK_LINES]]
        if len(spec.checks) > MAX_CHECK_LINES:
            lines.append(f"… and {len(spec.checks) - MAX_CHECK_LINES:,} more checks (--resolved prints them all)")
        lines += [f"at the start, {at}{cargo}: {st.in_yard_wagons:,} wagons in the yard, {st.held_wagons:,} held "
                  f"at the border, {st.en_route_wagons:,} en route" for cargo, st in (spec.initial_state or {}).items()]
        lines.append(f"{at}line, yard and unloading: " + capacity_text(spec))
    for cargo, routing in (s.routing or {}).items():
        lines.append(f"routing {cargo}: {shares_text(routing.shares, OF_TRAINS)}")
        lines += [f"  from {change.from_:%Y-%m-%d %H:%M}: {shares_text(change.shares, OF_TRAINS)}"
                  for change in routing.changes]
    return lines


def capacity_text(spec: CrossingSpec) -> str:
    """A crossing's capacities that levers change (`--set unloading.grain.points=8`): its current values, so
    that an analyst changing one knows what it was (they were only in `--resolved`)."""
    line = spec.line.max_trains_per_day
    room = spec.yard.capacity_wagons
    points = ", ".join(f"{cargo} {g.points} point{'s' if g.points != 1 else ''}" for cargo, g in spec.unloading.groups.items())
    return (f"line {f'{line} trains a day' if line is not None else 'no daily cap'}, "
            f"yard {f'{room:,} wagons' if room is not None else 'no capacity limit'}, unloading {points or 'none'}")


def window_text(d: Disruption) -> str:
    """When a disruption applies, spelled out so that nobody misreads the excluded `to`."""
    closed = ["closed (capacity ×0)"] if d.capacity == 0 else []
    effect = ", ".join((closed or [f"capacity ×{d.capacity:g}"] if d.capacity != 1 else [])
                       + ([f"time ×{d.time_factor:g}"] if d.time_factor != 1 else [])) or "changes nothing (ignored)"
    if d.recurring:
        season = ""
        if d.from_ is not None or d.to is not None:
            season = (f" from {d.from_:%Y-%m-%d %H:%M}" if d.from_ is not None else "") + (
                f" until {d.to:%Y-%m-%d %H:%M} (excluded)" if d.to is not None else "")
        return f"random windows{season}; {effect}"
    assert d.from_ is not None and d.to is not None
    start, end = d.from_, d.to
    days = (end - start) / dt.timedelta(days=1)
    return (f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} (`to` excluded: {period_text(start, end)}, "
            f"{days:g} days); {effect}")
