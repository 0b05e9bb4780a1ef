"""Where results go, through the command: no lost work, no deleted files, clear refusals.

Two runs on one --out (one replaced the other, or crashed and lost finished replications), --force
on a directory that is not a results directory, --resume on another command's work directory,
and paths that cannot hold results. Two runs on one --out are two real processes; the rest run the
command's entry point in this process (tests/cli/helpers.dostyk_here).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from tests.cli.helpers import command, dostyk, dostyk_here, said
from tests.cli.test_bad_inputs import MINI

FAST = ["--set", "duration=5d", "--executor", "serial", "--quiet", "--no-report"]


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    return path


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _wait_stopped(pid: int, timeout: float = 60) -> None:
    """Until the kernel has stopped `pid` (SIGSTOP is delivered asynchronously)."""
    stat = Path(f"/proc/{pid}/stat")
    deadline = time.monotonic() + timeout
    while stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] not in ("T", "t"):
        assert time.monotonic() < deadline, f"process {pid} did not stop"
        time.sleep(0.01)


def test_a_second_run_on_the_same_out_is_refused_and_the_first_completes(tmp_path: Path, mini: Path) -> None:
    """Two real processes: the first holds the output (stopped while the second tries), the second
    (another replication count, which used to share OUT.work and crash) is refused at once."""
    out = tmp_path / "out"
    # 60 days, not 5: the first run then holds its lock ~3 s, not ~1 s, for this process to see it and
    # stop it (on a busy machine this process may wait that long to run again)
    first = subprocess.Popen([*command(), "run", str(mini), "-n", "4", "--out", str(out), "--set", "duration=60d",
                              *FAST[2:]], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(tmp_path / ".out.lock", first)
        os.kill(first.pid, signal.SIGSTOP)  # hold it mid-run, deterministically
        _wait_stopped(first.pid)
        assert first.poll() is None and (tmp_path / ".out.lock").exists(), \
            "the first run finished before this test could hold it: the test needs a longer first run"
        for args in (["run", str(mini), "-n", "2"], ["run", str(mini), "-n", "2", "--force"],
                     ["sweep", str(mini), "--vary", "unloading.grain.points=4,5", "-n", "1"]):
            second = dostyk(*args, "--out", str(out), *[a for a in FAST if a != "--no-report"])
            assert second.returncode == 2, second.stderr
            assert f"{out} is being written by process {first.pid} on " in said(second.stderr)
            assert "wait until it has finished, or use another --out" in said(second.stderr)
            assert "Traceback" not in second.stderr
        os.kill(first.pid, signal.SIGCONT)
        _, stderr = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGCONT)
            first.kill()
    assert first.returncode == 0, stderr
    assert json.loads((out / "metadata.json").read_text())["replications"] == 4
    assert sorted(pd.read_csv(out / "kpis.csv")["replication"].unique()) == [0, 1, 2, 3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mini.yaml", "out"]  # no work dir, no lock left


def test_force_never_deletes_a_directory_this_tool_did_not_write(tmp_path: Path, mini: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("three weeks of notes")
    proc = dostyk_here("run", str(mini), "-n", "1", "--out", str(notes), "--force", *FAST)
    assert proc.returncode == 2 and "is not a results directory written by dostyk" in said(proc.stderr), proc.stderr
    assert "it holds notes.txt" in said(proc.stderr) and "--force will not delete it" in said(proc.stderr)
    assert [p.name for p in notes.iterdir()] == ["notes.txt"]
    # a work directory's name is no licence either
    (tmp_path / "mine.work").mkdir()
    (tmp_path / "mine.work" / "todo.txt").write_text("x")
    proc = dostyk_here("run", str(mini), "-n", "1", "--out", str(tmp_path / "mine"), "--force", *FAST)
    assert proc.returncode == 2 and "is not a dostyk work directory" in said(proc.stderr), proc.stderr
    assert (tmp_path / "mine.work" / "todo.txt").is_file() and not (tmp_path / "mine").exists()
    # a results directory is replaced
    out = tmp_path / "out"
    assert dostyk_here("run", str(mini), "-n", "1", "--out", str(out), *FAST).returncode == 0
    proc = dostyk_here("run", str(mini), "-n", "2", "--out", str(out), "--force", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((out / "metadata.json").read_text())["replications"] == 2


def test_run_resume_on_a_sweeps_work_directory_is_refused_and_keeps_its_tasks(tmp_path: Path, mini: Path) -> None:
    """`run --resume` used to delete a sweep's finished tasks; now it refuses, and the sweep resumes."""
    out = tmp_path / "out"
    base = sim.load_scenario(mini).with_changes({"duration": "5d"})
    sim.sweep(base, {"unloading.grain.points": [4, 5]}, replications=1, executor="serial",
              workdir=tmp_path / "out.work")  # an unfinished sweep's parts, as an interruption leaves them
    parts = sorted(p.name for p in (tmp_path / "out.work" / "parts").iterdir())
    assert len(parts) == 2
    short = tmp_path / "short.yaml"
    short.write_text(MINI.replace("duration: 365d", "duration: 5d"), encoding="utf-8")
    for cmd in (["run", str(mini), "-n", "1", *FAST], ["compare", str(mini), str(short), "-n", "2", *FAST[2:-1]]):
        proc = dostyk_here(*cmd, "--out", str(out), "--resume")
        assert proc.returncode == 2, proc.stderr
        assert "holds 2 finished task(s) of an interrupted sweep, not of a " in said(proc.stderr)
        assert "finish it with `dostyk sweep … --resume`" in said(proc.stderr)
        assert sorted(p.name for p in (tmp_path / "out.work" / "parts").iterdir()) == parts
    proc = dostyk_here("sweep", str(mini), "--vary", "unloading.grain.points=4,5", "-n", "1", "--out", str(out),
                  "--resume", "--no-plots", *[a for a in FAST if a != "--no-report"][:-1])
    assert proc.returncode == 0, proc.stderr
    assert "reused 2 saved tasks, computed 0" in proc.stdout and not (tmp_path / "out.work").exists()


def test_resume_keeps_finished_tasks_of_other_work(tmp_path: Path, mini: Path) -> None:
    """Parts of another run (here another seed) are neither reused nor deleted with this run's."""
    out = tmp_path / "out"
    base = sim.load_scenario(mini).with_changes({"duration": "5d"})
    sim.run(base, replications=1, seed=99, executor="serial", workdir=tmp_path / "out.work")
    proc = dostyk_here("run", str(mini), "-n", "1", "--out", str(out), "--resume", *FAST)
    assert proc.returncode == 0, proc.stderr
    assert "keeps 1 finished task(s) of other work that this command did not use" in said(proc.stderr)
    assert len(list((tmp_path / "out.work" / "parts").iterdir())) == 2


@pytest.mark.parametrize(("out", "says"), [
    ("", "--out is empty"),
    (".", "the current directory or one above it"),
    ("..", "the current directory or one above it"),
    ("/", "the current directory or one above it"),
    ("results.work", "names ending in .work are kept for unfinished work"),
])
def test_outs_that_cannot_hold_results_are_refused(tmp_path: Path, mini: Path, out: str, says: str) -> None:
    before = sorted(os.listdir(tmp_path))
    proc = dostyk_here("run", str(mini), "-n", "1", "--out", out, "--force", *FAST, cwd=tmp_path)
    assert proc.returncode == 2 and says in proc.stderr, proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert sorted(os.listdir(tmp_path)) == before


def test_an_out_under_a_file_is_said_plainly(tmp_path: Path, mini: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    proc = dostyk_here("run", str(mini), "-n", "1", "--out", str(tmp_path / "notes.txt" / "a" / "out"), *FAST)
    assert proc.returncode == 2, proc.stderr
    assert f"{tmp_path / 'notes.txt'} is a file, not a directory" in said(proc.stderr)
    assert "internal error" not in proc.stderr and (tmp_path / "notes.txt").read_text() == "x"
