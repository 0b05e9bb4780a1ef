"""One writer per output: a lock file beside a results or work directory while a process uses it.

Two runs given the same `--out` used to both compute, share `OUT.work/` (one removed the other's
part files under it) and both rename their results into place, the second silently replacing the
first. Now the first takes `.OUT.lock` beside OUT and the second is refused at once, told who holds it.

The lock is `fcntl.flock` on POSIX: the kernel drops it when its process ends, however it ends, so
a killed run never leaves a stale lock. The holder removes the file while still holding the lock,
and a new holder checks after locking that the file it locked is still the one at the path, so a
process that opened the file just before it was removed cannot believe it holds the lock. Without
`fcntl` (Windows) the lock is the file's exclusive creation (`O_CREAT | O_EXCL`); a run killed there
leaves it behind, and the refusal says to delete it once its process is gone. Locks are re-entrant
within a process (the CLI holds OUT's lock while `Results.write` takes it again).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sim.errors import SimError, option

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_HELD: dict[str, int] = {}  # lock path -> how many times this process holds it


class OutputBusyError(SimError):
    """Another process is writing the same results or work directory."""


def lock_path(target: str | os.PathLike[str]) -> Path:
    """`.NAME.lock` beside `target` (a directory that may not exist yet)."""
    t = Path(target)
    return t.with_name(f".{t.name}.lock")


@contextmanager
def output_lock(target: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the lock of `target` for the block, or raise OutputBusyError naming its holder."""
    path = lock_path(target)
    key = os.path.abspath(path)
    if key in _HELD:
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    fd = _acquire(path, Path(target))
    _HELD[key] = 1
    try:
        yield
    finally:
        del _HELD[key]
        _release(path, fd)


def _owner() -> bytes:
    info = {"pid": os.getpid(), "host": socket.gethostname(), "command": " ".join(sys.argv)[:300],
            "since": dt.datetime.now().isoformat(sep=" ", timespec="seconds")}
    return (json.dumps(info) + "\n").encode()


def _busy(path: Path, target: Path, stale_hint: bool = False) -> OutputBusyError:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        who = f"process {info['pid']} on {info['host']} ({info['command']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        who = "another process"
    hint = "; if that process no longer runs, delete the lock" if stale_hint else ""
    return OutputBusyError(f"{target} is being written by {who}; wait until it has finished, or "
                           f"{option('use another --out', 'give another directory')} (the lock is {path}{hint})")


def _acquire(path: Path, target: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)  # never through a planted symlink
    for _ in range(100):  # each retry follows a holder that just finished; never many in a row
        if fcntl is None:  # the exclusive creation is the lock
            try:
                fd = os.open(path, flags | os.O_EXCL, 0o644)
            except FileExistsError:
                raise _busy(path, target, stale_hint=True) from None
            os.write(fd, _owner())
            return fd
        fd = os.open(path, flags, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _busy(path, target) from None
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, _owner())
            return fd
        os.close(fd)  # the holder removed this file after we opened it: lock the new one
    raise _busy(path, target)  # pragma: no cover - only under a storm of competing processes


def _release(path: Path, fd: int) -> None:
    try:
        path.unlink(missing_ok=True)  # while still locked: see the module docstring
    finally:
        os.close(fd)
