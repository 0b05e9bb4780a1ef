"""A warning raised in a worker process is said once by the process that takes the results, where its filters
and hooks apply (the CLI's, the workbench job's thread), and never on the workers' stderr
(sim.experiments.worker_warnings)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

import sim
from sim.app.thread_warnings import kept_warnings
from sim.experiments.executors import DaskExecutor, ProcessExecutor, SerialExecutor, Task, TaskError
from sim.model.orders import Order

ROOT = Path(__file__).resolve().parents[2]
SAID = "the order's trains leave in the middle of the night"


@dataclass(frozen=True)
class WarningOrder(Order):
    """An order that warns while the model cuts it into trains, inside the replication: no code of the package
    warns in a worker today, where a library it calls may (a pandas or numpy deprecation, say)."""

    def train_sizes(self, wagons_per_train: int) -> list[int]:
        warnings.warn(SAID, UserWarning, stacklevel=1)
        return super().train_sizes(wagons_per_train)


@dataclass(frozen=True)
class FailingOrder(WarningOrder):
    def train_sizes(self, wagons_per_train: int) -> list[int]:
        super().train_sizes(wagons_per_train)
        raise ValueError("no locomotive tonight")


def warning_tasks(count: int = 3) -> list[Task]:
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").with_changes({"duration": "2d"})
    return [Task(f"t{r}", scenario.to_dict(), r, 7, order=WarningOrder("grain", 55, 3.0)) for r in range(count)]


def _ours(caught: list[warnings.WarningMessage]) -> list[warnings.WarningMessage]:
    return [w for w in caught if str(w.message) == SAID]


def test_the_serial_executor_raises_it_in_this_process_as_before() -> None:
    with pytest.warns(UserWarning, match=SAID) as caught:
        list(SerialExecutor().map_unordered(warning_tasks(2)))
    assert len(_ours(list(caught))) == 2  # pytest.warns shows every one: each task's, from its own call


def test_process_workers_warning_is_said_once_here_at_its_own_line() -> None:
    with pytest.warns(UserWarning, match=SAID) as caught:
        done = list(ProcessExecutor(2).map_unordered(warning_tasks()))
    assert len(done) == 3
    (once,) = _ours(list(caught))  # three tasks, one warning (it was none here, and printed by the workers)
    assert once.category is UserWarning
    assert once.filename == __file__ and once.lineno == WarningOrder.train_sizes.__code__.co_firstlineno + 1  # its warnings.warn


def test_the_default_filter_says_it_once_over_a_search_s_batches() -> None:
    """Python's own rule for a warning at one line (`default`), kept across the maps of one pool."""
    executor = ProcessExecutor(2, keep_pool=True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            for _ in range(2):
                list(executor.map_unordered(warning_tasks()))
    finally:
        executor.close()
    assert len(_ours(caught)) == 1


def test_what_a_failed_task_warned_of_first_is_said_beside_its_error() -> None:
    tasks = [replace(t, order=FailingOrder("grain", 55, 3.0)) for t in warning_tasks(2)]
    with pytest.warns(UserWarning, match=SAID) as caught, pytest.raises(TaskError, match="no locomotive tonight"):
        list(ProcessExecutor(2).map_unordered(tasks))
    assert len(_ours(list(caught))) == 1


def test_a_jobs_thread_keeps_a_process_workers_warning() -> None:
    """The workbench runs a job on a thread of its own (sim.app.jobs): the page says what it keeps."""
    kept: list[str] = []

    def job() -> None:
        with kept_warnings() as texts:
            list(ProcessExecutor(2).map_unordered(warning_tasks()))
        kept.extend(texts)

    with warnings.catch_warnings(record=True) as elsewhere:
        warnings.simplefilter("always")
        thread = threading.Thread(target=job)
        thread.start()
        thread.join(timeout=120)
    assert kept == [SAID]
    assert _ours(elsewhere) == []  # not shown past the job's thread (the server's console)


SCRIPT = """\
import warnings
from sim.experiments.executors import ProcessExecutor
from tests.experiments.test_worker_warnings import SAID, warning_tasks

if __name__ == "__main__":
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(ProcessExecutor(2).map_unordered(warning_tasks()))
    print(sum(str(w.message) == SAID for w in caught))
"""


def test_process_workers_write_nothing_of_it_to_their_stderr(tmp_path: Path) -> None:
    """In a process of its own, whose workers' stderr is the pipe read here (a fork server started by an earlier
    test in this process writes to another)."""
    script = tmp_path / "three_tasks.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1"]  # said once here
    assert SAID not in proc.stderr  # and by no worker


def test_a_local_dask_worker_warning_is_said_once_here_and_not_on_its_stderr(
        capfd: pytest.CaptureFixture[str]) -> None:
    distributed = pytest.importorskip("distributed")
    from sim.experiments.dask_executor import local_cluster

    with local_cluster(1) as cluster, distributed.Client(cluster) as client, \
            pytest.warns(UserWarning, match=SAID) as caught:
        done = list(DaskExecutor(client=client).map_unordered(warning_tasks()))
    assert len(done) == 3
    assert len(_ours(list(caught))) == 1
    assert SAID not in capfd.readouterr().err  # the worker (spawned by this process's nanny) writes here
