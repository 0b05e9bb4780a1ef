"""Peak memory of `dostyk compare` and `dostyk sweep` per task: what sim.experiments.held counts.

    PYTHONPATH=. python -m benchmarks.bench_held [--kind compare sweep] [--tasks 10 70]

Like benchmarks/bench_rows.py (which sets MAX_DAILY_ROWS from a run's peak per daily row), runs each
command serially with its report on the 2023 baseline at a low demand, with two numbers of tasks,
and fits peak resident memory as fixed + bytes per task. A comparison's task (ten years; TASKS
tasks, at least 4) keeps one row per day, a sweep's (one day; 50 x TASKS tasks) its KPI and event
tables only. Prints the bytes per task measured and counted (sim.experiments.held, in daily rows of
1.22 KiB). About a minute and a half each with the default TASKS.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sim
from benchmarks.bench_rows import CHEAP, ROOT, SCENARIO
from sim.experiments import held

ROW_BYTES = 1.22 * 1024  # a run's daily row at the peak (benchmarks/bench_rows.py)
SHAPES = {  # kind: (duration, what one task is; tasks -> command arguments)
    "compare": ("3650d", lambda n: [str(SCENARIO), str(SCENARIO), "--set", "2:unloading.grain.points=8",
                                    "-n", str(n // 2)]),
    "sweep": ("1d", lambda n: [str(SCENARIO), "--vary", "unloading.grain.points=4,5,6,7,8", "-n", str(n // 5)]),
}


def peak_rss(kind: str, tasks: int, out: Path) -> tuple[float, float]:
    duration, args = SHAPES[kind]
    cmd = [sys.executable, "-m", "sim.cli", kind, *args(tasks), "--set", f"duration={duration}",
           *(a for s in CHEAP for a in ("--set", s)), "--executor", "serial", "-q", "--out", str(out), "--force"]
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(cmd)} failed")
    return usage.ru_maxrss * 1024.0, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", nargs="+", choices=list(SHAPES), default=list(SHAPES))
    ap.add_argument("--tasks", type=int, nargs=2, default=[10, 70], metavar="TASKS")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kind:
            duration = SHAPES[kind][0]
            tasks = [n * (50 if kind == "sweep" else 1) for n in args.tasks]
            peaks = [peak_rss(kind, n, Path(tmp) / f"{kind}{n}")[0] for n in tasks]
            per_task = (peaks[1] - peaks[0]) / (tasks[1] - tasks[0])
            s = sim.load_scenario(SCENARIO).with_changes({"duration": duration})
            counted = held.compare_rows(s) if kind == "compare" else held.task_rows(s)
            print(f"{kind} ({duration}): {tasks[0]} and {tasks[1]} tasks peak at {peaks[0] / 2**20:,.0f} and "
                  f"{peaks[1] / 2**20:,.0f} MiB: {per_task / 1024:,.0f} KiB per task; counted {counted:,} daily "
                  f"rows = {counted * ROW_BYTES / 1024:,.0f} KiB", flush=True)


if __name__ == "__main__":
    main()
