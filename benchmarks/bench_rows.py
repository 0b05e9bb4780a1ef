"""Peak memory of `dostyk run` per daily row (issue 17, item 5): what sets MAX_DAILY_ROWS.

    PYTHONPATH=. python -m benchmarks.bench_rows [--replications 10 20 30] [--days 7300]

Runs the 2023 baseline at a low demand (so simulating is cheap and the daily rows dominate) for
`--days` days with each number of replications, serially (one process, so its peak is the whole
run's), report included, into a temporary directory. Each run's peak resident memory (VmHWM, from
the OS's accounting of the child) is fitted as fixed + bytes per row x rows; prints the fit, the
predicted peak at sim.scenario.limits.MAX_DAILY_ROWS and the rows that fit in 1 GB. Rows are
replications x days x 3 series (grain, containers, all). About 1.5 min per 10 replications.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from sim.scenario.limits import MAX_DAILY_ROWS

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline_2023.yaml"
CHEAP = ("demand.grain.tonnes_per_year=100000", "demand.containers.trains_per_day=0.2")
SERIES = 3  # grain, containers, all
GB = 1e9
MIB = 2**20


def peak_rss(replications: int, days: int, out: Path) -> tuple[float, float]:
    """Peak resident bytes and wall seconds of one serial `dostyk run` with its report."""
    cmd = [sys.executable, "-m", "sim.cli", "run", str(SCENARIO), "--set", f"duration={days}d",
           *(a for s in CHEAP for a in ("--set", s)), "-n", str(replications), "--executor", "serial", "-q",
           "--out", str(out), "--force"]
    t0 = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with exit status {child.returncode}")
    return usage.ru_maxrss * 1024.0, time.perf_counter() - t0  # ru_maxrss is in KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--replications", type=int, nargs="+", default=[10, 20, 30])
    ap.add_argument("--days", type=int, default=7300)
    args = ap.parse_args()
    rows, peaks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.replications:
            peak, wall = peak_rss(n, args.days, Path(tmp) / f"r{n}")
            rows.append(n * args.days * SERIES)
            peaks.append(peak)
            print(f"{rows[-1]:>10,} rows ({n} replications x {args.days:,} days x {SERIES}): "
                  f"peak {peak / MIB:,.0f} MiB, {wall:.0f} s", flush=True)
    if len(set(rows)) < 2:
        return
    per_row, fixed = np.polyfit(rows, peaks, 1)
    print(f"fit: {fixed / MIB:,.0f} MiB + {per_row / 1024:.2f} KiB per row")
    print(f"predicted peak at MAX_DAILY_ROWS = {MAX_DAILY_ROWS:,}: {(fixed + per_row * MAX_DAILY_ROWS) / MIB:,.0f} MiB")
    print(f"rows that fit in 1 GB: {(GB - fixed) / per_row:,.0f}")


if __name__ == "__main__":
    main()
