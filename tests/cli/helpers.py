"""Running `dostyk`: the installed command in a subprocess, as a user would, or its entry point in this process."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

from sim.cli import main


def command() -> list[str]:
    """The installed entry point (or `python -m sim.cli` from a source tree)."""
    exe = Path(sys.executable).with_name("dostyk")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]


def dostyk(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `dostyk ARGS…` to completion; stdout and stderr as text."""
    return subprocess.run([*command(), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def run_main(args: list[str], directory: Path) -> tuple[int, str, str]:
    """`dostyk ARGS` in `directory`, in this process: exit status, stderr, stdout."""
    err, out = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(directory)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            try:
                main(args)
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os.chdir(old)
    return code, err.getvalue(), out.getvalue()


def dostyk_here(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """What `dostyk(*args)` gives (exit status, stdout, stderr), from the same entry point (sim.cli.main) run
    in this process: a new interpreter costs a second or two of imports, and most tests of what a command
    prints or writes need none. Keep dostyk() for what only a process shows: its start-up, signals, another
    process holding a lock, worker processes, the installed script."""
    code, err, out = run_main(list(args), cwd or Path.cwd())
    return subprocess.CompletedProcess(["dostyk", *args], code, out, err)


def said(text: str) -> str:
    """`text` with its lines joined and its spaces single: its sentences as they read, whatever the wrapping to the
    terminal's 100 columns (sim.reporting.terminal.fit_text) made of them."""
    return " ".join(text.split())
