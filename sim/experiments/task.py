"""A task: one replication of one scenario as plain data, and `execute`, which every executor's workers run.

It sits below the executors (sim.experiments.executors for this process and local processes,
sim.experiments.dask_executor for Dask), which all send the same Task and run the same `execute`.
A task's result depends only on its scenario, replication and seed (random streams are keyed by
them, see sim.model.rng), so every executor gives identical results for the same seed.

A task that fails in a worker raises `TaskError`, whose message names the scenario, the lever
values, the replication and the seed needed to reproduce it in a single process. What a task warns of
in a worker process is carried back with its result (`execute_recording`) and said in this process, once
(sim.experiments.worker_warnings).
"""

from __future__ import annotations

import hashlib
import json
import traceback
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sim.analysis.stats import corridor_rows
from sim.analysis.window import over_windows
from sim.errors import SimError
from sim.experiments.replication import ReplicationResult, run_replication
from sim.experiments.worker_warnings import WorkerWarning, recorded
from sim.model.orders import Order
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Task:
    """One replication of one scenario: plain data, cheap to send to any worker."""

    key: str                      # unique within an experiment; names the task's part file
    scenario: dict[str, Any]      # Scenario.to_dict(): validated again on the worker
    replication: int
    seed: int
    changes: dict[str, Any] = field(default_factory=dict)  # lever values that made this scenario
    keep_series: bool = True      # False: return KPIs and events only (sweeps; smaller parts)
    keep_daily: tuple[str, ...] = ()  # with keep_series False: these daily columns of cargo `all` (compare's plots)
    windows: tuple[tuple[str, str], ...] = ()  # (first, last) ISO days: their KPIs, the corridor's (compare --window)
    keep_trains: bool = False     # also the table of trains (sim.analysis.train_log; a consignment's answer)
    order: Order | None = None    # a one-off order added to the demand (sim.model.orders)

    def describe(self) -> str:
        """Everything needed to reproduce this task in one process."""
        name = self.scenario.get("name", "?")
        where = f"scenario {name!r}"
        if self.changes:
            where += " with " + ", ".join(f"{k}={v!r}" for k, v in self.changes.items())
        if self.order is not None:
            where += f" and the order sim.{self.order!r}"
        return f"{where}, replication {self.replication}, seed {self.seed}"

    def reproduce_hint(self) -> str:
        changes = f".with_changes({self.changes!r})" if self.changes else ""
        trains = ", trains=True" if self.keep_trains else ""
        order = f", order=sim.{self.order!r}" if self.order is not None else ""
        return (f"reproduce with: sim.run_replication(sim.load_scenario(PATH){changes}, "
                f"{self.replication}, seed={self.seed}{trains}{order})")


def task_key(prefix: str, scenario_data: dict[str, Any], replication: int, seed: int, extra: Any = None) -> str:
    """A part-file name: readable prefix plus a digest of exactly what the task computes.

    A part is reused on --resume only if scenario, replication and seed are all the same (and `extra`,
    what else the part holds, such as a comparison's windows or a consignment's order), so a changed experiment can never pick
    up a stale result. Without `extra` the digest is the one parts always had.
    """
    blob = json.dumps([scenario_data, replication, seed] + ([extra] if extra else []), sort_keys=True,
                      default=str).encode()
    return f"{prefix}-{hashlib.sha256(blob).hexdigest()[:12]}"


class TaskError(SimError):
    """A replication failed in a worker. `details` holds the worker's traceback; `warned`, what it warned of first."""

    exit_code = 1
    prefix = "dostyk: "

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details
        self.task: Task | None = None
        self.warned: list[WorkerWarning] = []

    def __reduce__(self) -> tuple[Any, ...]:  # keep `details` and `warned` across process boundaries
        return (type(self), (self.args[0], self.details), {"warned": self.warned})


def execute(task: Task) -> ReplicationResult:
    """Run one task (this is what workers call); failures become a TaskError naming the task."""
    try:
        result = run_replication(Scenario.model_validate(task.scenario), task.replication, task.seed,
                                 trains=task.keep_trains, order=task.order)
    except Exception as exc:
        raise TaskError(
            f"replication failed: {task.describe()}: {type(exc).__name__}: {exc}\n  {task.reproduce_hint()}",
            traceback.format_exc(),
        ) from None
    if task.windows:  # from the whole daily series, before it is cut down below
        result.windows = corridor_rows(over_windows(result.daily, task.windows)).drop(columns=["crossing"],
                                                                                        errors="ignore")
    if not task.keep_series:
        daily = result.daily
        daily = corridor_rows(daily)  # with several crossings: the corridor's rows
        result.daily = (daily.loc[daily["cargo"] == "all", ["replication", "date", "day", *task.keep_daily]]
                        .reset_index(drop=True) if task.keep_daily else pd.DataFrame())
        result.dwell = pd.DataFrame()
        result.diagnostics = {}
    return result


def execute_recording(task: Task, alone: bool = True) -> tuple[ReplicationResult, list[WorkerWarning]]:
    """execute(task) and the warnings it raised (filled in as the block ends), for a worker process to send
    back; a failure carries those too. `alone`: this process runs only this task (see worker_warnings.recorded)."""
    with recorded(alone) as said:
        try:
            return execute(task), said
        except TaskError as exc:
            exc.warned = said
            raise
