"""A disk that fills up or cannot be written: a plain message (exit status 1, no traceback, never
"internal error"), nothing half-written, finished replications kept, and --resume completes.

The failures are injected in-process (a full disk cannot be made on demand, and root writes
through read-only permissions); the CLI runs through `main`, as a user's command would.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import lock
from sim.experiments.workdir import WorkDir
from tests.cli.helpers import said
from tests.cli.test_bad_inputs import MINI, run_main

RUN = ["run", "mini.yaml", "--set", "duration=3d", "-n", "3", "--executor", "serial", "--quiet", "--no-report",
       "--out", "out"]


@pytest.fixture
def here(tmp_path: Path) -> Path:
    (tmp_path / "mini.yaml").write_text(MINI, encoding="utf-8")
    return tmp_path


def _full(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _plain(code: int, err: str) -> None:
    assert code == 1, err
    assert err.startswith("dostyk: could not ") and "No space left on device" in err
    assert "internal error" not in err and "Traceback" not in err


def test_a_full_disk_while_saving_a_replication_keeps_the_others_and_resume_completes(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = WorkDir.save
    saved: list[str] = []

    def fill_up(self: WorkDir, key: str, result: object) -> None:
        if saved:
            _full()
        saved.append(key)
        real(self, key, result)

    monkeypatch.setattr(WorkDir, "save", fill_up)
    code, err, _ = run_main(RUN, here)
    _plain(code, err)
    err = said(err)
    assert "could not save a finished task in out.work/parts" in err and "1 finished task(s) are kept there" in err
    assert "run the same command with --resume" in err and err.count("--resume") == 1
    assert not (here / "out").exists() and WorkDir(here / "out.work").count() == 1
    monkeypatch.setattr(WorkDir, "save", real)
    code, err, stdout = run_main([*RUN, "--resume"], here)
    assert code == 0, err
    assert "Resumed: reused 1 saved replications, computed 2." in stdout
    code, err, _ = run_main([*RUN[:-1], "fresh"], here)
    assert code == 0, err
    pd.testing.assert_frame_equal(pd.read_csv(here / "out" / "kpis.csv"), pd.read_csv(here / "fresh" / "kpis.csv"))


def test_a_full_disk_while_writing_results_writes_nothing_and_resume_completes(
        here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pd.DataFrame.to_csv
    monkeypatch.setattr(pd.DataFrame, "to_csv", _full)
    code, err, _ = run_main(RUN, here)
    _plain(code, err)
    err = said(err)
    assert "could not write out: No space left on device" in err
    assert "3 finished task(s) are kept in out.work" in err and "run the same command with --resume" in err
    assert sorted(p.name for p in here.iterdir()) == ["mini.yaml", "out.work"]  # no half-written directory
    monkeypatch.setattr(pd.DataFrame, "to_csv", real)
    code, err, stdout = run_main([*RUN, "--resume"], here)
    assert code == 0, err
    assert "Resumed: reused 3 saved replications, computed 0." in stdout and (here / "out" / "kpis.csv").is_file()


def test_a_read_only_directory_is_said_plainly(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = here / "shared"
    parent.mkdir()
    if os.geteuid() == 0:  # root writes through permissions: refuse the first write there instead
        real = lock.os.open

        def read_only(path: str, *args: object, **kwargs: object) -> int:
            if os.path.abspath(path).startswith(str(parent)):
                raise OSError(errno.EROFS, "Read-only file system", str(path))
            return real(path, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(lock.os, "open", read_only)
        expected = "Read-only file system"
    else:
        parent.chmod(0o555)
        expected = "Permission denied"
    try:
        code, err, _ = run_main([*RUN[:-1], "shared/out"], here)
    finally:
        parent.chmod(0o755)
    assert code == 1, err
    assert f"dostyk: could not write into shared: {expected}" in err and "Traceback" not in err
    assert list(parent.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_output_printed_to_a_full_disk_is_said_plainly() -> None:
    """`dostyk schema > FILE` on a full disk was "internal error: OSError: [Errno 28] …"."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("dostyk")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([*cmd, "schema"], stdout=full, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "dostyk: could not write the output: No space left on device", proc.stderr
