"""Interrupting and resuming: Ctrl-C/SIGTERM keep finished tasks, write nothing final, and --resume completes.

The subprocess tests drive the real `dostyk` command: signal it once the first part file exists,
then check the directory (only the work directory, intact parts, no leftover workers), resume,
and compare the final table with an uninterrupted run.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.experiments.runner import Interrupted
from sim.experiments.workdir import WorkDir, WorkExistsError

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"
DOSTYK = [sys.executable, "-m", "sim.cli"]


def _start(args: list[str], cwd: Path, marker: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DOSTYK_TEST_MARKER": marker}
    return subprocess.Popen(DOSTYK + args, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_part(proc: subprocess.Popen[str], parts: Path, timeout: float = 180) -> None:
    """Until the first part file exists: three interpreters start and one replication ends first,
    which on a loaded 2-core machine can take far longer than on an idle one."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if parts.is_dir() and any(parts.glob("*.pkl")):
            return
        if proc.poll() is not None:
            pytest.fail(f"dostyk ended before the first part file: {proc.communicate()}")
        time.sleep(0.01)
    proc.kill()
    pytest.fail("no part file appeared")


def _interrupt(proc: subprocess.Popen[str], sig: int, parts: Path, total: int) -> None:
    """Send `sig` to the run while it is provably mid-run: stopped first (only the run's own process
    saves part files, so none appear while it is stopped), checked to have fewer than `total` parts,
    then signalled and continued. Without the stop, a test process kept off the CPU for a few seconds
    saw the run finish before its signal, and 'the signal should arrive mid-run' failed."""
    os.kill(proc.pid, signal.SIGSTOP)
    stat = Path(f"/proc/{proc.pid}/stat")
    end = time.monotonic() + 60
    while stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
        assert time.monotonic() < end, "the run did not stop"
        time.sleep(0.01)
    assert proc.poll() is None and len(list(parts.glob("*.pkl"))) < total, \
        "the run finished before this test could stop it: the test needs a longer run"
    proc.send_signal(sig)  # delivered when the run continues
    os.kill(proc.pid, signal.SIGCONT)


def _processes_with(marker: str) -> list[int]:
    """Live processes started by the test (they inherit the marker in their environment)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if f"DOSTYK_TEST_MARKER={marker}".encode() in env and "State:\tZ" not in status:
            found.append(int(entry.name))
    return found


def _check_interrupted(proc: subprocess.Popen[str], results: Path, out: str, marker: str, total: int) -> set[str]:
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert "--resume" in err
    # nothing under a final name: only the work directory, no results and no temporary directories
    assert sorted(p.name for p in results.iterdir()) == [f"{out}.work"]
    work = WorkDir(results / f"{out}.work")
    keys = work.finished_keys()
    assert 1 <= len(keys) < total, "the signal should arrive mid-run"
    assert not list(work.parts.glob(".*")), "no half-written part files"
    for key in keys:  # every kept part is complete and readable
        with open(work.part_path(key), "rb") as fh:
            assert pickle.load(fh).kpis.shape[0] > 0
    if sys.platform.startswith("linux"):
        assert _gone(marker, within=10.0) == [], "worker processes outlived the interrupted run"
    return keys


def _gone(marker: str, within: float) -> list[int]:
    """The test's processes still alive after up to `within` seconds (the stopped workers' exits
    are reaped asynchronously: on a loaded machine that can take longer than a fixed pause)."""
    end = time.monotonic() + within
    while (alive := _processes_with(marker)) and time.monotonic() < end:
        time.sleep(0.05)
    return alive


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_during_run_keeps_parts_and_resume_completes(tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    n = 16  # 2 workers: after the first parts, 7 rounds of replications left for the test to stop the run
    args = ["run", str(BASELINE), "-n", str(n), "--set", "duration=100d", "--seed", "4", "--out", "results/b",
            "--executor", "process", "--workers", "2", "-q", "--no-report"]
    proc = _start(args, tmp_path, marker)
    _wait_for_part(proc, tmp_path / "results" / "b.work" / "parts")
    _interrupt(proc, signal.SIGINT, tmp_path / "results" / "b.work" / "parts", n)
    started = time.monotonic()
    kept = _check_interrupted(proc, tmp_path / "results", "b", marker, n)
    assert time.monotonic() - started < 15, "should stop promptly"

    # without --resume the old work is not silently discarded
    again = subprocess.run(DOSTYK + args, cwd=tmp_path, capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr

    done = subprocess.run([*DOSTYK, *args, "--resume"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"reused {len(kept)} saved replications, computed {n - len(kept)}" in done.stdout
    assert not (tmp_path / "results" / "b.work").exists()
    got = pd.read_csv(tmp_path / "results" / "b" / "kpis.csv")
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "100d"})
    expected = sim.run(scenario, replications=n, seed=4, executor="serial")
    expected.write(tmp_path / "expected")
    pd.testing.assert_frame_equal(got, pd.read_csv(tmp_path / "expected" / "kpis.csv"))
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "results" / "b" / "daily.csv"),
                                  pd.read_csv(tmp_path / "expected" / "daily.csv"))


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_during_sweep_then_resume_gives_the_uninterrupted_table(tmp_path: Path) -> None:
    marker = uuid.uuid4().hex
    args = ["sweep", str(BASELINE), "--vary", "unloading.grain.points=5,7", "--vary", "checks[2].trains_per_day=12,16",
            "-n", "3", "--set", "duration=100d", "--seed", "8", "--out", "results/s", "--executor", "serial", "-q",
            "--no-plots"]
    proc = _start(args, tmp_path, marker)
    _wait_for_part(proc, tmp_path / "results" / "s.work" / "parts")
    _interrupt(proc, signal.SIGTERM, tmp_path / "results" / "s.work" / "parts", 12)
    kept = _check_interrupted(proc, tmp_path / "results", "s", marker, 12)

    done = subprocess.run([*DOSTYK, *args, "--resume"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"reused {len(kept)} saved tasks, computed {12 - len(kept)}" in done.stdout
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "100d"})
    expected = sim.sweep(scenario, {"unloading.grain.points": [5, 7], "checks[2].trains_per_day": [12, 16]},
                         replications=3, seed=8, executor="serial")
    expected.write(tmp_path / "expected")
    for name in ("kpis.csv", "summary.csv"):
        pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "results" / "s" / name),
                                      pd.read_csv(tmp_path / "expected" / name))


def test_resume_recomputes_only_missing_tasks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process: interrupt after 3 of 8 replications; resuming runs exactly the other 5."""
    import sim.experiments.executors as executors

    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "30d"})

    def stop_after_three(stream, n):  # type: ignore[no-untyped-def]
        for i, item in enumerate(stream):
            yield item
            if i == 2:
                raise KeyboardInterrupt

    with pytest.raises(Interrupted) as info:
        sim.run(scenario, replications=8, seed=2, executor="serial", workdir=tmp_path / "w", progress=stop_after_three)
    assert (info.value.done, info.value.total) == (3, 8)
    work = WorkDir(tmp_path / "w")
    mtimes = {k: work.part_path(k).stat().st_mtime_ns for k in work.finished_keys()}
    assert len(mtimes) == 3

    with pytest.raises(WorkExistsError, match="pass resume=True to complete it"):
        sim.run(scenario, replications=8, seed=2, executor="serial", workdir=tmp_path / "w")

    computed: list[int] = []
    real = executors.execute

    def counting(task):  # type: ignore[no-untyped-def]
        computed.append(task.replication)
        return real(task)

    monkeypatch.setattr(executors, "execute", counting)
    resumed = sim.run(scenario, replications=8, seed=2, executor="serial", workdir=tmp_path / "w", resume=True)
    assert len(computed) == 5 and resumed.metadata["replications_reused"] == 3
    assert {k: work.part_path(k).stat().st_mtime_ns for k in mtimes} == mtimes  # old parts untouched
    monkeypatch.setattr(executors, "execute", real)
    expected = sim.run(scenario, replications=8, seed=2, executor="serial")
    pd.testing.assert_frame_equal(resumed.kpis, expected.kpis)
    pd.testing.assert_frame_equal(resumed.daily, expected.daily)
    pd.testing.assert_frame_equal(resumed.events, expected.events)


def test_parts_of_a_different_experiment_are_not_reused(tmp_path: Path) -> None:
    """A part is keyed by a digest of scenario, replication and seed: a changed seed recomputes."""
    scenario = sim.load_scenario(BASELINE).with_changes({"duration": "20d"})
    sim.run(scenario, replications=2, seed=1, executor="serial", workdir=tmp_path / "w")
    other = sim.run(scenario, replications=2, seed=2, executor="serial", workdir=tmp_path / "w", resume=True)
    assert other.metadata["replications_reused"] == 0
    more = sim.run(scenario, replications=3, seed=1, executor="serial", workdir=tmp_path / "w", resume=True)
    assert more.metadata["replications_reused"] == 2
