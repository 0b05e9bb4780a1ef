"""Replications of a scenario: seeds, executors and the collection of their results.

Replication r of a run with seed S draws every random number from streams keyed (S, r, name), so
a replication's result does not depend on which process ran it or in what order. Replications are
tasks (sim.experiments.executors) run by an executor; with a work directory (sim.experiments.workdir) each finished
task is stored at once, so an interrupted run keeps its finished replications and can be resumed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

from sim.errors import SimError, option
from sim.experiments import arguments
from sim.experiments.atomic import WriteError
from sim.experiments.executors import Executor, Task, TaskError, make_executor, task_key
from sim.experiments.replication import ReplicationResult
from sim.experiments.results import Results
from sim.experiments.workdir import WorkDir
from sim.model.orders import Order
from sim.scenario.effects import scenario_warnings
from sim.scenario.limits import rows_problem
from sim.scenario.schema import Scenario
from sim.scenario.warn import warn
from sim.scenario.yamltext import dump_yaml


class Interrupted(SimError, KeyboardInterrupt):  # noqa: N818 - public name, reads as what happened
    """Ctrl-C or SIGTERM stopped the work; finished tasks are kept in `workdir` (if any).

    Also a KeyboardInterrupt, so code that only knows Ctrl-C still stops; exit status 130, as
    shells expect after Ctrl-C.
    """

    exit_code = 130

    def __init__(self, done: int, total: int, workdir: Path | None) -> None:
        super().__init__(done, total, workdir)
        self.done = done
        self.total: int | None = total  # None: unknown in advance (a search asks as it goes)
        self.workdir = workdir
        self.unit = "tasks"
        self.out_dir: Path | None = None  # set by the CLI: where results would have gone

    def __str__(self) -> str:
        if self.out_dir is None:
            kept = (f"; they are kept in {self.workdir}: the same call with resume=True computes only the rest"
                    if self.workdir is not None and self.done else "")
            return f"interrupted after {self.done} of {self.total} {self.unit}{kept}"
        if self.done and self.workdir is not None:
            of = f" of {self.total}" if self.total is not None else ""
            return (f"Interrupted: {self.done:,}{of} {self.unit} are saved in {self.workdir}; "
                    f"nothing was written to {self.out_dir}.\n"
                    f"Run the same command with --resume to finish; saved {self.unit} are not recomputed.")
        if self.total is None:
            return f"Interrupted before any {self.unit} finished; nothing was written."
        return f"Interrupted before any of the {self.total} {self.unit} finished; nothing was written."


Progress = bool | Callable[[Iterator[Any], int], Iterator[Any]]


def run_tasks(
    tasks: Sequence[Task],
    executor: str | Executor = "process",
    workers: int | None = None,
    workdir: WorkDir | None = None,
    progress: Progress = False,
    desc: str = "",
    unit: str = "rep",
    scheduler: str | None = None,
    keep: Callable[[ReplicationResult], Any] | None = None,
) -> tuple[dict[str, Any], int]:
    """Run tasks not already in `workdir`, storing each as it finishes.

    Returns the results by task key (each as `keep(result)` when given: what is held of every task
    until the last one finishes, so a search keeps a few measured values rather than whole tables)
    and how many of them were reused from the work directory.
    Raises Interrupted on Ctrl-C/SIGTERM and TaskError (naming the task) when a replication fails.
    """
    if not isinstance(progress, bool) and not callable(progress):  # progress="yes" showed nothing, silently
        raise arguments.ArgumentError(f"progress must be True or False (or a callable that wraps the stream of "
                                      f"results), got {progress!r}")
    if isinstance(executor, str):
        ex = make_executor(executor, workers, scheduler)
    elif callable(getattr(executor, "map_unordered", None)):
        ex = executor
    else:  # executor=None was "'NoneType' object has no attribute 'map_unordered'"
        raise arguments.ArgumentError(f"executor must be one of: {', '.join(arguments.EXECUTORS)} (or an Executor), "
                                      f"got {executor!r}")
    keys = {t.key for t in tasks}
    if len(keys) != len(tasks):
        raise ValueError("task keys must be unique")
    done: dict[str, Any] = workdir.load(keys, keep) if workdir is not None else {}
    reused = len(done)

    todo = [t for t in tasks if t.key not in done]
    inner = ex.map_unordered(todo)
    stream: Iterator[tuple[Task, ReplicationResult]] = inner
    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(tasks), initial=reused, desc=desc or None, unit=unit, dynamic_ncols=True)
    elif callable(progress):
        stream = progress(stream, len(todo))
    try:
        with ExitStack() as stack:  # on any exit, close the wrapper, then the executor (stops workers)
            for it in (inner, stream):
                if hasattr(it, "close"):
                    stack.callback(it.close)
            for task, result in stream:
                if workdir is not None:
                    _save(workdir, task.key, result, len(done))
                done[task.key] = result if keep is None else keep(result)
                if bar is not None:
                    bar.update()
    except KeyboardInterrupt:
        raise Interrupted(len(done), len(tasks), workdir.path if workdir is not None else None) from None
    except TaskError as exc:
        if workdir is not None and exc.task is not None:
            exc.args = ((f"{exc.args[0]}\n  the failing scenario is saved as {_save_failed(workdir, exc.task)}"
                        f"\n  {len(done)} finished task(s) are kept in {workdir.path}; "
                        f"{option('--resume', 'the same call with resume=True')} reuses them"),)
        raise
    finally:
        if bar is not None:
            bar.close()
    return done, reused


def _save(workdir: WorkDir, key: str, result: ReplicationResult, done: int) -> None:
    """Store a finished task; a full or read-only disk stops the work with what to do."""
    try:
        workdir.save(key, result)
    except OSError as exc:
        raise WriteError(f"could not save a finished task in {workdir.parts}: {exc.strerror or exc}; "
                         f"{done} finished task(s) are kept there — free some space (or make it writable), then "
                         f"{option('run the same command with --resume', 'call again with resume=True')} to compute only the rest"
                         ) from exc


def _save_failed(workdir: WorkDir, task: Task) -> Path:
    path = workdir.failed / f"{task.key}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_yaml(task.scenario), encoding="utf-8")
    return path


def warn_about(scenario: Scenario, label: str = "", known: Iterable[tuple[str, str]] = ()) -> None:
    """Emit each scenario warning (sim.scenario.effects) not in `known` as a ScenarioWarning, before
    any work: a valid scenario that probably says something else than meant must not pass silently."""
    for path, message in scenario_warnings(scenario):
        if (path, message) not in set(known):
            warn(f"{scenario.name}{label}: {path}: {message}")


def replication_tasks(scenario: Scenario, replications: Iterable[int], seed: int, prefix: str = "r",
                      changes: dict[str, Any] | None = None, keep_series: bool = True,
                      keep_daily: tuple[str, ...] = (), windows: tuple[tuple[str, str], ...] = (),
                      keep_trains: bool = False, order: Order | None = None) -> list[Task]:
    """One task per replication of `scenario` (see Task for what `keep_series`, `keep_daily`, `windows` and
    `keep_trains` keep, and `order`)."""
    data = scenario.to_dict()
    extra = {**({"windows": windows} if windows else {}), **({"order": repr(order)} if order is not None else {})}
    return [Task(task_key(f"{prefix}{r:05d}", data, r, seed, extra or None), data, r, seed, dict(changes or {}),
                 keep_series, keep_daily, windows, keep_trains, order) for r in replications]


def iter_replications(
    scenario: Scenario,
    replications: Iterable[int],
    seed: int,
    executor: str = "process",
    workers: int | None = None,
) -> Iterator[ReplicationResult]:
    """Yield replication results as they finish (in any order)."""
    ex = make_executor(executor, workers)
    with closing(ex.map_unordered(replication_tasks(scenario, replications, seed))) as stream:  # type: ignore[type-var]
        for _, result in stream:
            yield result


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    progress: Progress = False,
    workdir: str | os.PathLike[str] | None = None,
    resume: bool = False,
    scheduler: str | None = None,
) -> Results:
    """Run a scenario's replications and collect them into Results (pandas DataFrames).

    With `workdir`, each finished replication is stored there; after an interruption, the same
    call with `resume=True` computes only the missing replications.
    """
    scenario = arguments.scenario(scenario)
    n = arguments.replications(replications, scenario.replications)
    if replications is not None:  # the file's own replications were bounded when it was validated
        too_many = rows_problem(scenario, n)
        if too_many is not None:
            raise arguments.ArgumentError(f"replications={n}: {too_many}")
    seed = arguments.seed(seed, scenario.seed)
    warn_about(scenario)
    tasks = replication_tasks(scenario, range(n), seed)
    manifest = {"kind": "run", "scenario": scenario.name, "seed": seed, "replications": n}
    with WorkDir.session(workdir, resume, manifest) as work:
        results, reused = run_tasks(tasks, executor, workers, work, progress, desc=scenario.name,
                                    scheduler=scheduler)
    done = sorted(results.values(), key=lambda r: r.replication)
    out = Results.from_replications(scenario, seed, done)
    out.metadata["replications_reused"] = reused
    return out
