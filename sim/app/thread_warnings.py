"""Warnings issued on one thread kept for it, not written to the process's stderr.

A job (sim.app.jobs) runs on a thread of the server: a warning it issues (a scenario's ScenarioWarning,
a library's) went to the server's console, where the user at the page never sees it. `kept_warnings()`
keeps the texts of what the filters let through on the calling thread, for the page to show. Other
threads' warnings are shown as before.

Python's `warnings.catch_warnings()` cannot do it: it swaps module-wide state (the filters,
`showwarning`), so it would catch the other threads' warnings too, and two jobs' blocks, entered and
left out of order, would restore each other's state. Here the module's own hook, `_showwarnmsg`
("replace if you like", and left alone by catch_warnings), is wrapped once: it sends a warning on a
thread that keeps them to that thread's list, any other to the hook that was there.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_kept: dict[int, list[str]] = {}  # thread id -> the texts kept on it, in order, each once
_lock = threading.Lock()
_shown_before: Callable[[Any], None] | None = None  # warnings._showwarnmsg before ours


def _show(message: warnings.WarningMessage) -> None:
    kept = _kept.get(threading.get_ident())
    if kept is None:
        assert _shown_before is not None, "installed with the hook it wraps"
        _shown_before(message)
        return
    text = str(message.message)
    if text not in kept:
        kept.append(text)


def _install() -> None:
    """Wrap the hook once (wrapping again, after another wrapper of ours, would call itself)."""
    global _shown_before
    if _shown_before is None:
        _shown_before = warnings._showwarnmsg  # type: ignore[attr-defined]
        warnings._showwarnmsg = _show  # type: ignore[attr-defined]


@contextmanager
def kept_warnings() -> Iterator[list[str]]:
    """The texts of the warnings this thread issues inside the block (each once), none shown elsewhere."""
    ident, kept = threading.get_ident(), list[str]()
    with _lock:
        _install()
        _kept[ident] = kept
    try:
        yield kept
    finally:
        with _lock:
            del _kept[ident]
