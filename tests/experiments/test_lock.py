"""The output lock: one writer per results or work directory, never stale, re-entrant in a process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sim.experiments import lock
from sim.experiments.atomic import ResultsExistError, WriteError, atomic_directory
from sim.experiments.lock import OutputBusyError, lock_path, output_lock

HOLD = """
import sys, time
from sim.experiments.lock import output_lock
with output_lock(sys.argv[1]):
    print("locked", flush=True)
    time.sleep(600)
"""


def _holder(target: Path) -> subprocess.Popen[str]:
    """Another process holding `target`'s lock (until killed)."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(target)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_the_lock_file_sits_beside_the_target_and_is_removed_after(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with output_lock(target):
        assert lock_path(target) == tmp_path / ".out.lock" and lock_path(target).is_file()
        with output_lock(target):  # re-entrant: the CLI holds it while Results.write takes it again
            pass
        assert lock_path(target).is_file()
    assert not lock_path(target).exists() and not target.exists()


def test_another_process_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    target = tmp_path / "out"
    proc = _holder(target)
    try:
        with pytest.raises(OutputBusyError, match=rf"{target} is being written by process {proc.pid} on "), \
                output_lock(target):
            pass
        with pytest.raises(OutputBusyError), atomic_directory(target) as tmp:  # nor results renamed into place
            (tmp / "x").write_text("x")
        assert not target.exists()
    finally:
        proc.kill()
        proc.wait()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    target = tmp_path / "out"
    proc = _holder(target)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert lock_path(target).exists()  # the file is left behind, but the kernel dropped the lock
    with output_lock(target):
        pass


def test_a_file_removed_by_its_holder_is_not_taken_for_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that opened the lock file just before its holder removed it must lock the new one."""
    target = tmp_path / "out"
    real_flock = lock.fcntl.flock
    calls = []

    def flock_after_the_holder_left(fd: int, op: int) -> None:
        if not calls:  # the first time: the holder releases (removes the file) between open and flock
            lock_path(target).unlink()
        calls.append(fd)
        real_flock(fd, op)

    monkeypatch.setattr(lock.fcntl, "flock", flock_after_the_holder_left)
    with output_lock(target):
        assert len(calls) == 2 and lock_path(target).is_file()
        assert os.path.samestat(os.stat(lock_path(target)), os.fstat(calls[-1]))


def test_without_fcntl_the_exclusive_file_is_the_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock, "fcntl", None)
    target = tmp_path / "out"
    with output_lock(target):
        assert f'"pid": {os.getpid()}' in lock_path(target).read_text()
        lock._HELD.clear()  # as another process would see it
        with pytest.raises(OutputBusyError, match="if that process no longer runs, delete the lock"), \
                output_lock(target):
            pass
        lock._HELD[os.path.abspath(lock_path(target))] = 1
    assert not lock_path(target).exists()


def test_a_symlink_planted_as_the_lock_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me")
    lock_path(tmp_path / "out").symlink_to(victim)
    with pytest.raises(WriteError, match="could not write"), atomic_directory(tmp_path / "out") as tmp:
        (tmp / "x").write_text("x")
    assert victim.read_text() == "keep me" and not (tmp_path / "out").exists()


def test_force_replaces_only_a_directory_this_tool_wrote(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine")
    with pytest.raises(ResultsExistError, match="is not a results directory written by dostyk"), \
            atomic_directory(notes, force=True):
        pass
    (notes / "metadata.json").write_text('{"author": "me"}')  # a file of that name is not enough
    with pytest.raises(ResultsExistError), atomic_directory(notes, force=True):
        pass
    assert (notes / "notes.txt").read_text() == "mine"
    (tmp_path / "empty").mkdir()
    with atomic_directory(tmp_path / "empty", force=True) as tmp:  # nothing to lose
        (tmp / "metadata.json").write_text('{"version": "1", "created": "now"}')
    with atomic_directory(tmp_path / "empty", force=True) as tmp:  # ours now
        (tmp / "metadata.json").write_text('{"version": "2", "created": "later"}')
    assert '"2"' in (tmp_path / "empty" / "metadata.json").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "notes"]


def test_force_does_not_follow_a_symlink_to_replace_what_it_points_to(tmp_path: Path) -> None:
    real = tmp_path / "real"
    with atomic_directory(real) as tmp:
        (tmp / "metadata.json").write_text('{"version": "1", "created": "now"}')
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(ResultsExistError, match="is a symbolic link"), atomic_directory(tmp_path / "link", force=True):
        pass
    assert (tmp_path / "link").is_symlink() and (real / "metadata.json").is_file()
