"""An order's outcome in each replication of a scenario (sim.analysis.consignment says how it is
read): the replications run as any run's do, on any executor, each with the order added and its
table of trains, of which only the order's outcome is kept."""

from __future__ import annotations

import datetime as dt
import numbers

from sim.analysis.consignment import Outcome, outcome, settled_start
from sim.experiments import arguments
from sim.experiments.executors import Executor
from sim.experiments.runner import Progress, replication_tasks, run_tasks, warn_about
from sim.model.orders import Order
from sim.scenario.schema import Scenario
from sim.scenario.warn import warn

#: the most trains one order may be cut into (each is a process of the model, requested at one instant)
MAX_ORDER_TRAINS = 10_000


def order_outcomes(
    scenario: Scenario,
    order: Order,
    replications: int | None = None,
    seed: int | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    progress: Progress = False,
    scheduler: str | None = None,
) -> list[Outcome]:
    """The order's outcome in replications 0, 1, … of `scenario` (same seed, same outcomes)."""
    scenario = arguments.scenario(scenario)
    n = arguments.replications(replications, scenario.replications)
    seed = arguments.seed(seed, scenario.seed)
    if not isinstance(order, Order):
        raise arguments.ArgumentError(f"order must be a sim.Order(cargo, wagons, at), got {order!r}")
    problem = order_problem(scenario, order)
    if problem:
        raise arguments.ArgumentError(f"order.{problem[0]}: {problem[1]}")
    order = Order(order.cargo, int(order.wagons), float(order.at))  # (numpy numbers as Python's)
    warn_about(scenario)
    early = warmup_warning(scenario, order)
    if early:
        warn(early)
    tasks = replication_tasks(scenario, range(n), seed, prefix="o", keep_series=False, keep_trains=True,
                             order=order)
    horizon = float(scenario.duration)
    ordered = ordered_trains(scenario, order)
    done, _ = run_tasks(tasks, executor, workers, None, progress, desc=scenario.name, scheduler=scheduler,
                        keep=lambda result: outcome(result.trains, ordered, horizon))
    return [done[task.key] for task in tasks]


def order_problem(scenario: Scenario, order: Order) -> tuple[str, str] | None:
    """The field of an order that is wrong for this scenario and what is wrong, in words (None: nothing)."""
    if order.cargo not in scenario.cargo_names:
        return "cargo", f"cargo {order.cargo!r} is not in the scenario; expected one of: {', '.join(scenario.cargo_names)}"
    if not isinstance(order.wagons, numbers.Integral) or isinstance(order.wagons, bool) or order.wagons < 1:
        return "wagons", f"wagons must be a whole number of at least 1, got {_shown(order.wagons)}"
    if not isinstance(order.at, numbers.Real) or isinstance(order.at, bool):
        return "at", f"the order's time must be a number of hours since the start, got {_shown(order.at)}"
    trains = ordered_trains(scenario, order)
    if trains > MAX_ORDER_TRAINS:
        return "wagons", (f"{order.wagons:,} wagons are {trains:,} trains of {order.cargo}; an order may be at most "
                f"{MAX_ORDER_TRAINS:,} trains (a year of the whole crossing is about 5,000)")
    if not 0 <= order.at < scenario.duration:
        return "at", (f"the order's time ({float(order.at):g} h since the start) is not inside the run "
                f"(0 to {float(scenario.duration):g} h)")
    return None


def warmup_warning(scenario: Scenario, order: Order) -> str | None:
    """The warning for an order placed in the scenario's warm-up, when the crossing is still filling from
    the run's start (its answer may be too quick), with the changes that start the run early enough; None
    after the warm-up. The CLI says it in its answer instead, in --set words (sim.reporting.consignment)."""
    warmup, at = float(scenario.warmup), float(order.at)
    if at >= warmup:
        return None
    days, earlier, duration = settled_start(scenario.start, at, warmup, float(scenario.duration))
    midnight = dt.datetime(scenario.start.year, scenario.start.month, scenario.start.day)
    return (f"{scenario.name}: the order at {midnight + dt.timedelta(hours=at):%Y-%m-%d %H:%M} is in the scenario's "
            f"warm-up (until {midnight + dt.timedelta(hours=warmup):%Y-%m-%d %H:%M}), while the crossing is still "
            f"filling from the run's start: the answer may be too quick. For a settled crossing, start the run "
            f"{days} day{'s' if days != 1 else ''} earlier, keeping its end: scenario.with_changes({{'start': "
            f"'{earlier:%Y-%m-%d}', 'duration': '{duration:g}d'}}) and the order's `at` from that start "
            "(scenario.hours_since_start); or order after the warm-up")


def order_hours(scenario: Scenario, text: str, end_of_day: bool = False) -> tuple[float, str | None]:
    """Hours since the scenario's start of an ISO date (its midnight, or with `end_of_day` the next
    one; in any ISO form: 2023-10-01, 20231001, 2023-W40-7) or date and time, and, for a date alone
    with `end_of_day`, "the end of <the date>". ArgumentError, in words the command line and the
    workbench both show, when it is no date or not inside the simulated days."""
    value = text.strip()
    label, later = None, 0.0
    try:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            moment = dt.datetime.fromisoformat(value)
        else:
            moment = dt.datetime(day.year, day.month, day.day)
            if end_of_day:  # (in hours: the day after 9999-12-31 is no datetime)
                label, later = f"the end of {day:%Y-%m-%d}", 24.0
    except ValueError:
        raise arguments.ArgumentError(f"{text!r} is not an ISO date such as 2023-10-01 or a date and time such as "
                                      "2023-10-01T08:00") from None
    if moment.tzinfo is not None:
        raise arguments.ArgumentError(f"{text!r}: give the time without a time zone (the scenario's calendar has none)")
    hours = scenario.hours_since_start(moment) + later
    if not 0 <= hours <= float(scenario.duration) or (hours == float(scenario.duration) and not end_of_day):
        raise arguments.ArgumentError(f"{text!r} is not inside the run ({run_span(scenario)})")
    return hours, label


def by_problem(at: float, until: float, on: str, by: str) -> str | None:
    """What is wrong with a "through by" time `until` for an order at `at` (both as the user gave them: `on`, `by`)."""
    return f"{by!r} is not after the order ({on!r})" if until <= at else None


def run_span(scenario: Scenario) -> str:
    """The simulated time, from the start's midnight to the horizon: '2024-01-01 00:00 to 2024-12-31 00:00'."""
    first = dt.datetime(scenario.start.year, scenario.start.month, scenario.start.day)
    last = first + dt.timedelta(hours=float(scenario.duration))
    return f"{first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"


def ordered_trains(scenario: Scenario, order: Order) -> int:
    """The trains the order is cut into, at the scenario's wagons_per_train of its cargo."""
    return order.train_count(scenario.cargo[order.cargo].wagons_per_train)


def _shown(value: object) -> str:
    """A number as written (400, not np.int64(400)); anything else as its repr."""
    return str(value) if isinstance(value, numbers.Number) and not isinstance(value, bool) else repr(value)
