"""Executors: identical results on serial, process and Dask; failures name the task to reproduce."""

from __future__ import annotations

import logging
import os
import signal
import warnings
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest

import sim
from sim.experiments.executors import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    Task,
    TaskError,
    make_executor,
)
from sim.experiments.runner import replication_tasks
from sim.experiments.workdir import WorkDir
from tests.cli.helpers import said

ROOT = Path(__file__).resolve().parents[2]
VARY = {"unloading.grain.points": [5, 7], "checks[1].trains_at_once": [1, 2]}


@pytest.fixture(scope="module")
def short() -> sim.Scenario:
    return sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").with_changes({"duration": "40d"})


@pytest.fixture(scope="module")
def serial_sweep(short: sim.Scenario) -> sim.SweepResult:
    return sim.sweep(short, VARY, replications=3, seed=7, executor="serial")


def test_process_executor_gives_the_serial_results(short: sim.Scenario, serial_sweep: sim.SweepResult) -> None:
    got = sim.sweep(short, VARY, replications=3, seed=7, executor="process", workers=2)
    pd.testing.assert_frame_equal(got.kpis, serial_sweep.kpis)
    pd.testing.assert_frame_equal(got.events, serial_sweep.events)


def test_dask_executor_gives_the_serial_results(short: sim.Scenario, serial_sweep: sim.SweepResult) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, host="127.0.0.1", protocol="tcp",
                                  dashboard_address=None) as cluster:
        # through the scheduler address, as `--executor dask --scheduler ADDRESS` does
        got = sim.sweep(short, VARY, replications=3, seed=7, executor="dask", scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(got.kpis, serial_sweep.kpis)
    pd.testing.assert_frame_equal(got.events, serial_sweep.events)


def test_dask_executor_with_a_client_that_is_not_the_default(short: sim.Scenario,
                                                              serial_sweep: sim.SweepResult) -> None:
    """A notebook may hold several clients (`set_as_default=False`): results are gathered on the
    executor's own client, not on whichever Dask calls the default (there may be none)."""
    distributed = pytest.importorskip("distributed")
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, host="127.0.0.1",
                                   protocol="tcp", dashboard_address=None) as cluster,
          distributed.Client(cluster, set_as_default=False) as client):
        got = sim.sweep(short, VARY, replications=3, seed=7, executor=DaskExecutor(client=client))
    pd.testing.assert_frame_equal(got.kpis, serial_sweep.kpis)


def test_cli_dask_executor_with_its_own_local_cluster(short: sim.Scenario, tmp_path: Path) -> None:
    """`--executor dask` without --scheduler starts (and stops) a local cluster on loopback."""
    pytest.importorskip("distributed")
    from click.testing import CliRunner

    from sim.cli import cli

    out = tmp_path / "d"
    res = CliRunner().invoke(cli, ["run", str(ROOT / "scenarios" / "baseline_2023.yaml"), "--set", "duration=40d",
                                   "-n", "3", "--seed", "3", "--executor", "dask", "--workers", "1", "-q",
                                   "--no-report", "--out", str(out)])
    assert res.exit_code == 0, res.output
    expected = sim.run(short, replications=3, seed=3, executor="serial")
    pd.testing.assert_frame_equal(pd.read_csv(out / "kpis.csv"), pd.read_csv(_written(expected, tmp_path / "e")))


def _written(results: sim.Results, directory: Path) -> Path:
    results.write(directory)
    return directory / "kpis.csv"


def test_run_is_the_same_on_every_executor_and_per_task(short: sim.Scenario) -> None:
    """Per-task KPIs do not depend on the executor or on the other tasks in the batch."""
    serial = sim.run(short, replications=4, seed=3, executor="serial")
    alone = sim.run_replication(short, 2, seed=3)
    pd.testing.assert_frame_equal(serial.kpis[serial.kpis["replication"] == 2].reset_index(drop=True), alone.kpis)
    process = sim.run(short, replications=4, seed=3, executor="process", workers=2)
    pd.testing.assert_frame_equal(process.kpis, serial.kpis)
    pd.testing.assert_frame_equal(process.daily, serial.daily)


def _broken_task() -> Task:
    return Task("broken-key", {"name": "broken-scenario", "duration": "not a duration"}, replication=5, seed=99,
                changes={"unloading.grain.points": 3})


@pytest.mark.parametrize("executor", [SerialExecutor(), ProcessExecutor(2)], ids=["serial", "process"])
def test_worker_errors_name_scenario_replication_and_seed(short: sim.Scenario, executor: object) -> None:
    tasks = [*replication_tasks(short, [0], 1), _broken_task()]
    with pytest.raises(TaskError) as info:
        list(executor.map_unordered(tasks))  # type: ignore[attr-defined]
    message = str(info.value)
    assert "'broken-scenario'" in message
    assert "replication 5" in message and "seed 99" in message


def test_dask_worker_errors_name_the_task(short: sim.Scenario) -> None:
    """On Dask too (results are gathered in the background as tasks finish) a failing task raises
    the TaskError naming its scenario, replication and seed, carrying the task."""
    distributed = pytest.importorskip("distributed")
    tasks = [*replication_tasks(short, [0], 1), _broken_task()]
    with (distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, host="127.0.0.1", protocol="tcp",
                                   dashboard_address=None) as cluster,
          distributed.Client(cluster) as client, pytest.raises(TaskError) as info):
        list(DaskExecutor(client=client).map_unordered(tasks))
    message = str(info.value)
    assert "'broken-scenario'" in message and "replication 5" in message and "seed 99" in message
    assert info.value.task is not None and info.value.task.key == "broken-key"
    assert "unloading.grain.points=3" in message
    assert "sim.run_replication(" in message  # says how to reproduce in one process


def test_failing_task_scenario_is_saved_in_the_work_directory(short: sim.Scenario, tmp_path: Path) -> None:
    from sim.experiments.runner import run_tasks

    work = WorkDir.open(tmp_path / "w")
    with pytest.raises(TaskError) as info:
        run_tasks([*replication_tasks(short, [0], 1), _broken_task()], "serial", workdir=work)
    saved = tmp_path / "w" / "failed" / "broken-key.yaml"
    assert saved.is_file() and str(saved) in str(info.value)
    assert work.count() == 1  # the replication that finished is kept


def test_a_killed_worker_is_reported_and_finished_tasks_are_kept(short: sim.Scenario, tmp_path: Path) -> None:
    """SIGKILL one worker after the first result: a TaskError says so, and resuming completes the run."""
    scenario = short.with_changes({"duration": "120d"})
    executor = ProcessExecutor(2)

    def kill_a_worker(stream, n):  # type: ignore[no-untyped-def]
        for i, item in enumerate(stream):
            if i == 0:
                os.kill(executor.worker_pids()[0], signal.SIGKILL)
            yield item

    with pytest.raises(TaskError, match="worker process died"):
        sim.run(scenario, replications=8, seed=5, executor=executor, workdir=tmp_path / "w",
                progress=kill_a_worker)
    kept = WorkDir(tmp_path / "w").count()
    assert 1 <= kept < 8
    resumed = sim.run(scenario, replications=8, seed=5, executor="serial", workdir=tmp_path / "w", resume=True)
    assert resumed.metadata["replications_reused"] == kept
    expected = sim.run(scenario, replications=8, seed=5, executor="serial")
    pd.testing.assert_frame_equal(resumed.kpis, expected.kpis)


def test_unknown_executor_is_refused() -> None:
    with pytest.raises(ValueError, match="process, serial, dask"):
        make_executor("threads")


def test_a_scheduler_without_the_dask_executor_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli import main
    from tests.conftest import SCENARIOS

    with pytest.raises(ValueError, match="dask"):
        make_executor("process", scheduler="tcp://127.0.0.1:1")
    for command in (["run", str(SCENARIOS / "baseline_2023.yaml")],
                    ["sweep", str(SCENARIOS / "baseline_2023.yaml"), "--vary", "unloading.grain.points=4,6"]):
        with pytest.raises(SystemExit) as exit_info:
            main([*command, "--scheduler", "tcp://127.0.0.1:1", "--out", str(tmp_path / "out"), "-q"])
        assert exit_info.value.code == 2
        assert "--executor dask" in said(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []  # refused before anything was written


def test_a_kept_pool_serves_every_batch_and_stops_on_close_or_failure(short: sim.Scenario) -> None:
    """Workers that live for a whole search (issue 17, item 3): the same processes run each batch,
    give the serial results, and are stopped by close(), or at once by a failing task."""
    tasks = replication_tasks(short.with_changes({"duration": "10d"}), [0, 1, 2], 5)
    serial = {t.key: r.kpis for t, r in SerialExecutor().map_unordered(tasks)}
    executor = ProcessExecutor(2, keep_pool=True)
    try:
        first = list(executor.map_unordered(tasks[:2]))
        pool = executor._kept
        assert pool is not None
        pids = {p.pid for p in pool._processes.values()}  # type: ignore[attr-defined]
        second = list(executor.map_unordered(tasks[1:]))
        assert executor._kept is pool and {p.pid for p in pool._processes.values()} == pids  # type: ignore[attr-defined]
        assert len(first) == 2 and len(second) == 2
        for t, r in [*first, *second]:
            pd.testing.assert_frame_equal(r.kpis, serial[t.key])
        with pytest.raises(TaskError):
            list(executor.map_unordered([tasks[0], _broken_task()]))
        assert executor._kept is None  # a failure stopped the workers; the next batch starts new ones
        assert len(list(executor.map_unordered(tasks[:2]))) == 2
        assert executor._kept is not None
    finally:
        executor.close()
    assert executor._kept is None


@pytest.mark.parametrize(("address", "says"), [
    ("not an address", "missing port number"), ("tcp://:8786", "no host"), ("", "must be an address"),
])
def test_a_scheduler_address_dask_cannot_read_is_refused_before_any_work(address: str, says: str) -> None:
    """"not an address" was an internal error (ValueError) once the tasks were ready to go."""
    from sim.experiments.arguments import ArgumentError

    with pytest.raises(ArgumentError, match=says):
        make_executor("dask", scheduler=address)


def test_an_unreachable_scheduler_is_said_as_such_and_leaves_no_work_directory(
        short: sim.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It was "could not write the work directory OUT.work: Timed out trying to connect…", and the
    empty OUT.work stayed behind."""
    import distributed

    from sim.experiments.executors import SchedulerError

    def unreachable(*args: object, **kwargs: object) -> None:
        raise TimeoutError("Timed out trying to connect to tcp://127.0.0.1:1 after 30 s")

    monkeypatch.setattr(distributed, "Client", unreachable)
    work = tmp_path / "out.work"
    with pytest.raises(SchedulerError, match=r"cannot reach the Dask scheduler at tcp://127\.0\.0\.1:1: Timed out"):
        sim.run(short, replications=2, executor=DaskExecutor("tcp://127.0.0.1:1"), workdir=work)
    assert not work.exists()


def test_a_stoppable_executor_runs_one_task_in_a_worker_and_a_stop_before_its_map_is_kept(short: sim.Scenario) -> None:
    """The workbench's Cancel: one task ran in the caller's process, where stop() could not end it; and a
    stop() before the map's pool existed was lost, so the run went on to its end."""
    task = replication_tasks(short.with_changes({"duration": "10d"}), [0], 5)
    stoppable = ProcessExecutor(1, stoppable=True)
    stream = stoppable.map_unordered(task)
    _, result = next(stream)
    assert result.replication == 0 and stoppable.worker_pids() and os.getpid() not in stoppable.worker_pids()
    stream.close()
    stoppable.stop()
    with pytest.raises(KeyboardInterrupt):
        list(stoppable.map_unordered(task))


def test_local_cluster_workers_keep_glibcs_own_memory_trimming() -> None:
    """Dask's nanny would start workers with MALLOC_TRIM_THRESHOLD_=65536, which fixes glibc's mmap
    threshold: each replication there took about 30 % more CPU (8x the page faults) than in this process."""
    pytest.importorskip("distributed")
    from distributed import Client

    from sim.experiments.executors import local_cluster

    with local_cluster(1) as cluster, Client(cluster) as client, mock.patch.dict(os.environ):
        os.environ["MALLOC_TRIM_THRESHOLD_"] = "65536"  # here, not in the worker: the worker must be the one asked
        os.environ.pop("OMP_NUM_THREADS", None)  # (os.environ.get, sent by value, read this process's copy)
        settings = client.run(os.getenv, "MALLOC_TRIM_THRESHOLD_")
        threads = client.run(os.getenv, "OMP_NUM_THREADS")
    assert list(settings.values()) == [None]
    assert list(threads.values()) == ["1"]  # the nanny's other settings still apply


def _trim_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "MALLOC_TRIM_THRESHOLD_" in str(w.message)]


def test_a_users_cluster_whose_workers_trim_memory_is_warned_about_once(short: sim.Scenario) -> None:
    """--scheduler on workers started with Dask's defaults (the nanny's MALLOC_TRIM_THRESHOLD_=65536: about
    30 % more CPU per replication) ran silently; the how-to's export line was the only defence."""
    distributed = pytest.importorskip("distributed")
    import dask.config

    from sim.experiments.dask_executor import EXPORT_UNTRIMMED

    tasks = replication_tasks(short.with_changes({"duration": "5d"}), [0, 1], 5)
    with (mock.patch.dict(os.environ),  # the nanny sets the variable in this process too ("poisons" it): undone
          dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": 65536}),  # the default
          distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                                   silence_logs=logging.ERROR) as cluster,
          warnings.catch_warnings(record=True) as caught):
        warnings.simplefilter("always")  # as the command line: every warning issued is shown
        os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)  # in the workers only: they must be the ones asked
        done = list(DaskExecutor(cluster.scheduler_address).map_unordered(tasks))
    said = _trim_warnings(caught)
    assert sorted(task.replication for task, _ in done) == [0, 1]
    assert len(said) == 1, said
    assert said[0].startswith(f"1 of 1 Dask worker at {cluster.scheduler_address} runs with MALLOC_TRIM_THRESHOLD_ "
                              "set"), said
    assert EXPORT_UNTRIMMED in said[0] and "docs/howto/compare-levers.md" in said[0]


def test_our_local_cluster_and_workers_that_cannot_be_asked_are_not_warned_about(
        short: sim.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """local_cluster's workers keep glibc's trimming, even reached by address; a failing question says nothing."""
    distributed = pytest.importorskip("distributed")

    from sim.experiments.executors import local_cluster

    tasks = replication_tasks(short.with_changes({"duration": "5d"}), [0, 1], 5)
    with local_cluster(1) as cluster, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with mock.patch.dict(os.environ, {"MALLOC_TRIM_THRESHOLD_": "65536"}):  # here, not in its workers
            done = list(DaskExecutor(cluster.scheduler_address).map_unordered(tasks))
        done += DaskExecutor(workers=1).map_unordered(tasks[:1])  # the cluster it starts itself
        asked: list[object] = []

        def refuse(*args: object, **kwargs: object) -> None:
            asked.append(args[1])
            raise OSError("not allowed")  # old workers, no permission

        monkeypatch.setattr(distributed.Client, "run", refuse)
        done += DaskExecutor(cluster.scheduler_address).map_unordered(tasks[:1])
    assert len(done) == 4 and asked, asked  # the question was asked, failed, and the run went on
    assert _trim_warnings(caught) == []
