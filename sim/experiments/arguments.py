"""Arguments of the Python API, checked rather than coerced.

`int(2.9)` is 2, so `sim.run(scenario, replications=2.9)` ran two replications without a word, and
`workers=-4` ran serially; a counting argument must now be a whole number in range, or the call
raises ArgumentError (a ValueError too, as Python code expects) saying what was given.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any

from sim.errors import SimError, option
from sim.scenario.quoting import argument_in_words
from sim.units import count_text, one_or_many

if TYPE_CHECKING:  # `dostyk --help` imports this module (EXECUTORS): no pydantic here
    from sim.scenario.schema import Scenario

MAX_SEED = 2**63 - 1
EXECUTORS = ("process", "serial", "dask")  # how runs are spread; the first is the default


class ArgumentError(SimError, ValueError):
    """A bad argument to the Python API (sim.run, sim.sweep, sim.compare, …)."""


def whole(name: str, value: Any, minimum: int, maximum: int | None = None, why: str = "") -> int:
    """`value` as an int if it is a whole number (not a float, text or yes/no) in range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ArgumentError(f"{name} must be a whole number, got {argument_in_words(value)}")
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"at least {minimum:,}" if maximum is None else f"between {minimum:,} and {maximum:,}"
        shown = repr(value) if abs(number) < 10**40 else count_text(number)
        raise ArgumentError(f"{name} must be {bounds}{why}, got {shown}")
    return number


def runs_arg(name: str, value: int) -> tuple[str, int]:
    """A factor of a command's runs named as its caller gave it: `--candidates` in dostyk, `candidates` in Python."""
    return option(f"--{name.replace('_', '-')}", name), value


def check_runs(*terms: Sequence[tuple[str, int]], lower: Sequence[str] | None = None) -> None:
    """Refuse (ArgumentError) a command whose runs in all, the sum of `terms` (each a product of named
    factors: sim.scenario.limits.runs_problem), exceed limits.MAX_RUNS: called once per command with
    everything it will run, before anything is built, run or written."""
    from sim.scenario.limits import runs_problem  # (not at import: `dostyk --help` imports this module)

    problem = runs_problem(*terms, lower=lower)
    if problem is not None:
        raise ArgumentError(problem)


def scenario(value: Any, name: str = "scenario", validate: bool = True) -> Scenario:
    """`value` if it is a Scenario (validated again, see `valid`, unless `validate` is False); a path (the
    likeliest slip in a notebook) is refused saying how to load it."""
    from sim.scenario.schema import Scenario  # pydantic: only when the API is called

    if isinstance(value, Scenario):
        return valid(value) if validate else value
    hint = f" (load the file first: sim.load_scenario({str(value)!r}))" if isinstance(value, (str, PathLike)) else ""
    raise ArgumentError(f"{name} must be a Scenario{hint}, got {argument_in_words(value)}")


def path(name: str, value: Any, expected: str) -> None:
    """A path argument, checked: None, a mapping or a Scenario was a TypeError from pathlib, and empty
    text is `Path("")`, the current directory (which a write with `force` would replace)."""
    from sim.scenario.input_file import not_a_path  # (not at import: `dostyk --help` imports this module)

    why = not_a_path(value, expected)
    if why is not None:
        raise ArgumentError(f"{name}: {why}")


def level(value: Any) -> float:
    """A confidence level: a share strictly between 0 and 1 (0.95), not a percentage (95 gave NaN intervals,
    0 intervals of width 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < float(value) < 1:
        raise ArgumentError(f"level must be a share between 0 and 1 such as 0.95 (for 95 %), got {value!r}")
    return float(value)


def texts(name: str, value: Any, example: str) -> list[Any]:
    """A list argument of texts (levers, objectives, KPIs): one text is a list of one, not of its letters
    (`optimize(s, "unloading.grain.points=4:10", …)` was "expected key.path=LOW:HIGH, got 'u'")."""
    if value is None:
        return []
    if not isinstance(value, (str, list, tuple)):
        raise ArgumentError(f"{name} must be a list such as [{example!r}], got {argument_in_words(value)}")
    return one_or_many(value)


def valid(scenario: Scenario) -> Scenario:
    """The scenario validated again: `model_copy(update=…)` (pydantic's, which validates nothing) made
    scenarios with -3 unloading points or a duration of the text '2d', which failed in a worker as a
    pydantic traceback, or ran. A scenario made by load_scenario or with_changes passes unchanged."""
    import warnings

    from sim.scenario.limits import rows_already_written
    from sim.scenario.schema import Scenario

    with warnings.catch_warnings():  # pydantic warns when it dumps a value of the wrong type: the check says it
        warnings.simplefilter("ignore")
        data = scenario.to_dict()
    with rows_already_written():  # the run bounds the rows of what it is asked to run (sim.run's replications=)
        return Scenario.from_data(data, f"{scenario.name} (made with model_copy, which does not validate; "
                                        "scenario.with_changes does)")


def replications(value: Any, default: int, minimum: int = 1, why: str = "") -> int:
    """The replications to run: the scenario's `default` when None."""
    return default if value is None else whole("replications", value, minimum, 100_000, why)


def seed(value: Any, default: int) -> int:
    """The seed: the scenario's `default` when None; seeds are non-negative 64-bit integers."""
    return default if value is None else whole("seed", value, 0, MAX_SEED)


#: worker processes per CPU core at most: the runs are CPU-bound, so more only add memory (~100 MB each);
#: `--workers 100000` on a 1,000-task sweep started 1,000 processes on a 2-core machine
MAX_WORKERS_PER_CORE = 8


def workers(value: Any) -> int | None:
    """Worker processes: None means all cores."""
    if value is None:
        return None
    number = whole("workers", value, 1)
    limit = MAX_WORKERS_PER_CORE * (os.cpu_count() or 1)
    if number > limit:
        raise ArgumentError(f"workers must be at most {limit:,} ({MAX_WORKERS_PER_CORE} per CPU core of this machine: "
                            f"the runs are CPU-bound, so more processes only add memory), got {value!r}")
    return number


def scheduler(value: Any) -> str | None:
    """A Dask scheduler address (tcp://host:8786, host:8786, tls://…), checked before any work:
    "not an address" was an internal error once the tasks were ready to go."""
    if value is None:
        return None
    example = "an address such as tcp://host:8786"
    if not isinstance(value, str) or not value.strip():
        raise ArgumentError(f"scheduler must be {example}, got {value!r}")
    try:
        from distributed.comm.addressing import parse_address, parse_host_port
    except ImportError:  # the executor says that the dask extra is missing
        return value
    try:
        kind, location = parse_address(value)
        if kind in ("tcp", "tls", "ws", "wss") and not parse_host_port(location)[0]:
            raise ValueError("no host")
    except ValueError as exc:
        raise ArgumentError(f"scheduler {value!r} is not {example} ({exc})") from None
    return value


def as_run(scenario: Scenario, seed: int, replications: int) -> Scenario:
    """The scenario with the seed and replications it was run with, so that its saved file
    (`dostyk run RESULTS/scenario.yaml`) reproduces the run without the command line's options."""
    if scenario.seed == seed and scenario.replications == replications:
        return scenario
    return scenario.model_copy(update={"seed": seed, "replications": replications})
