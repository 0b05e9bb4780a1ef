"""Running the installed `dostyk` command in a subprocess, as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def command() -> list[str]:
    """The installed entry point (or `python -m sim.cli` from a source tree)."""
    exe = Path(sys.executable).with_name("dostyk")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]


def dostyk(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `dostyk ARGS…` to completion; stdout and stderr as text."""
    return subprocess.run([*command(), *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)
