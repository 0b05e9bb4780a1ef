"""`dostyk consignment`: when would an order of wagons be through? (sim.analysis.consignment)"""

from __future__ import annotations

import re
import warnings

import click

from sim.analysis.consignment import Outcome, paired_days
from sim.cli.options import (
    SEED,
    WORKERS,
    check_executor,
    check_given_once,
    check_scheduler,
    echo,
    parse_sets,
)
from sim.experiments.arguments import ArgumentError
from sim.experiments.consignment import (
    by_problem,
    order_hours,
    order_outcomes,
    order_problem,
    ordered_trains,
    run_span,
    warmup_warning,
)
from sim.experiments.executors import EXECUTORS
from sim.model.orders import Order
from sim.reporting.consignment import order_text, paired_text
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.spelling import GivenValues


@click.command()
@click.argument("scenario", type=click.Path())  # a folder: the loader says what it is
# (a plain int: order_problem says what is wrong with it, as sim.order_outcomes and the workbench do; its
# bound is the order's trains, counted without making them)
@click.option("--wagons", type=int, required=True,
              help="Wagons ordered (cut into trains of the cargo's wagons_per_train).")
@click.option("--on", "on", metavar="DATE[THH:MM]", required=True,
              help="When they are requested at origin, e.g. 2023-10-01 (midnight) or 2023-10-01T08:00.")
@click.option("--cargo", metavar="NAME", help="Their cargo (default: the scenario's only cargo).")
@click.option("--by", "by", metavar="DATE[THH:MM]",
              help="Also the chance that all are unloaded by then (a date alone: by the end of that day).")
@click.option("--replications", "-n", type=click.IntRange(min=1, max=100_000), help="Override the scenario's replications.")
@click.option("--seed", "-s", type=SEED, help="Override the scenario's seed.")
@click.option("--set", "sets", multiple=True, metavar="KEY.PATH=VALUE", help="Change one scenario value (repeatable).")
@click.option("--executor", type=click.Choice(EXECUTORS), default="process", show_default=True)
@click.option("--workers", type=WORKERS, help="Processes to use (default: all cores).")
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address (default: a local cluster).")
@click.option("--versus", "versus", multiple=True, metavar="KEY.PATH=VALUE",
              help="Also answer with this change (repeatable: all together), paired with the answer without it: "
                   "e.g. --versus unloading.grain.points=8.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def consignment(scenario: str, wagons: int, on: str, cargo: str | None, by: str | None, replications: int | None,
                seed: int | None, sets: tuple[str, ...], executor: str, workers: int | None, scheduler: str | None,
                versus: tuple[str, ...], quiet: bool) -> None:
    """When would WAGONS wagons ordered ON a date be formed, at the border and unloaded?

    The order is added to SCENARIO's demand: its trains are requested together, queue at origin
    behind what waits there, and share the line, yard, checks and unloading points with all other
    traffic. Prints when its last train is formed, reaches the border and is unloaded (10 %, median
    and 90 % of replications), the mean days to all unloaded with its 95 % CI and, with --by, the
    chance of being through by then. With --versus, the same order with a change too, and the change's
    effect on the days to all unloaded, paired replication by replication. Nothing is written.
    """
    check_scheduler(executor, scheduler)
    changes = parse_sets(sets)
    check_given_once(changes, seed, replications)
    scen = load_scenario(scenario, changes)
    # (no daily-rows bound, as `run` has: only each replication's Outcome is kept, nothing written)
    name = _cargo(scen, cargo)
    at, _ = _hours(scen, on, "--on", end_of_day=False)
    order = Order(name, wagons, at)
    problem = order_problem(scen, order)
    if problem:
        raise click.BadParameter(problem[1], param_hint={"cargo": "--cargo", "wagons": "--wagons"}.get(problem[0], "--on"))
    until, label = (None, None) if by is None else _hours(scen, by, "--by", end_of_day=True)
    late = None if until is None or by is None else by_problem(at, until, on, by)
    if late:
        raise click.BadParameter(late, param_hint="--by")
    other = _changed(scenario, changes, versus, order) if versus else None
    check_executor(executor)
    outcomes = _outcomes(scen, order, replications, seed, executor, workers, not quiet, scheduler)
    trains = ordered_trains(scen, order)
    echo(order_text(outcomes, name, wagons, trains, at, scen.start, float(scen.duration), until,
                    by_label=label, warmup=float(scen.warmup)))
    if other is not None:
        changed = _outcomes(other, order, replications, seed, executor, workers, not quiet, scheduler)
        change = " ".join(v.strip() for v in versus)
        echo(f"\nWith {change}:")
        cut = ordered_trains(other, order)  # (a change may cut other trains)
        echo(order_text(changed, name, wagons, cut, at, other.start, float(other.duration), until,
                        by_label=label, warmup=float(other.warmup)))
        echo("")
        echo(paired_text(paired_days(outcomes, changed, at), change, len(outcomes)))


def _outcomes(scen: Scenario, order: Order, replications: int | None, seed: int | None, executor: str,
              workers: int | None, progress: bool, scheduler: str | None) -> list[Outcome]:
    """sim.order_outcomes without its warning of an order in the warm-up: the answer says it, with the --set
    that mends it (order_text), rather than twice."""
    with warnings.catch_warnings():
        early = warmup_warning(scen, order)
        if early:
            warnings.filterwarnings("ignore", message=re.escape(early))
        return order_outcomes(scen, order, replications, seed, executor, workers, progress=progress,
                              scheduler=scheduler)


#: keys a --versus may not change: the pairing needs the same replications, seed and calendar
UNPAIRABLE = ("seed", "replications", "start")


def _changed(path: str, changes: GivenValues, versus: tuple[str, ...], order: Order) -> Scenario:
    """The scenario with --set and then --versus; refused when the change breaks the pairing or the order."""
    try:
        extra = parse_sets(versus)
    except click.BadParameter as exc:
        exc.param_hint = "--versus"
        raise
    for key in extra:
        if key in UNPAIRABLE:
            raise click.BadParameter(f"{key}={extra.texts.get(key, extra[key])} would not be paired with the answer "
                                     f"without it (both need the same seed, replications and start); give {key} "
                                     "with --set, for both", param_hint="--versus")
    other = load_scenario(path, changes.merged(extra))
    problem = order_problem(other, order)
    if problem:
        words = problem[1]
        if problem[0] == "at":  # (in dates, as the order was given, not in hours since the start)
            words = f"the order is not inside the run ({run_span(other)})"
        raise click.BadParameter(f"with {' '.join(versus)}: {words}", param_hint="--versus")
    return other


def _cargo(scen: Scenario, cargo: str | None) -> str:
    names = list(scen.cargo_names)
    if cargo is None:
        if len(names) == 1:
            return names[0]
        raise click.BadParameter(f"the scenario has several cargo; name one of: {', '.join(names)}",
                                 param_hint="--cargo")
    if cargo not in names:
        raise click.BadParameter(f"unknown cargo {cargo!r}; expected one of: {', '.join(names)}", param_hint="--cargo")
    return cargo


def _hours(scen: Scenario, text: str, option: str, end_of_day: bool) -> tuple[float, str | None]:
    """Hours since the scenario's start of `text` (sim.experiments.consignment.order_hours), refused as `option`."""
    try:
        return order_hours(scen, text, end_of_day)
    except ArgumentError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None
