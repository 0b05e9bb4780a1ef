"""Calibration at scale: 100 candidates × 5 replications of the 2023 baseline on the process executor.

    python -m benchmarks.bench_calibration [--candidates 100] [--replications 5] [--workers 2] [--batch 10]

The same path as `dostyk calibrate` (TPE sampler in fixed batches, common random numbers, every
finished replication stored in a work directory, daily series kept for the dated target), without
the final plots. Targets: grain delivered in 2023 = 2.23 Mt ± 5 % (observed, ../shared/data/observed.md)
over the dated window 2023-01-01..2023-12-31; free parameters: grain unloading points (4–10) and the
mean phytosanitary time (3–12 h). Prints wall time, candidates and replications per second, the
machine's load and the fitted values.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim import calibrate  # noqa: E402
from sim.decision.targets import targets_from_data  # noqa: E402

TARGETS = {
    "targets": [{"kpi": "tonnes_delivered", "cargo": "grain", "window": {"from": "2023-01-01", "to": "2023-12-31"},
                 "value": 2_230_000, "tolerance": "5%", "source": "Eurasianet citing ElDala.kz (observed.md)"}],
    "parameters": [{"path": "unloading.grain.points", "low": 4, "high": 10},
                   {"path": "checks.phytosanitary.time.mean", "low": 3, "high": 12}],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=10)
    args = parser.parse_args(argv)
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"calibration of {scenario.name}: {args.candidates} candidates x {args.replications} replications "
          f"(365 days each), process executor, {args.workers} workers, batch {args.batch}; "
          f"{os.cpu_count()} CPUs, load average {load:.2f} at start")
    with tempfile.TemporaryDirectory(prefix="bench-calibration-") as tmp:
        t0 = time.perf_counter()
        cpu0 = time.process_time()
        result = calibrate(scenario, targets_from_data(TARGETS, "bench targets"), candidates=args.candidates,
                           replications=args.replications, batch=args.batch, executor="process",
                           workers=args.workers, workdir=Path(tmp) / "work")
        wall = time.perf_counter() - t0
        parent_cpu = time.process_time() - cpu0
    reps = result.metadata["tasks_run"]
    print(f"wall time {wall:,.1f} s: {args.candidates / wall:.2f} candidates/s, {reps / wall:.1f} replications/s "
          f"({reps:,} replications run; identical candidates share theirs); parent process CPU {parent_cpu:,.1f} s")
    for row in result.fit.itertuples():
        print(f"  {row.parameter}: best {row.best:,.4g}, not ruled out {row.low:,.4g} to {row.high:,.4g} "
              f"({row.n_not_ruled_out} of {row.n_candidates} candidates)")
    t = result.targets.iloc[0]
    print(f"  grain tonnes 2023 at best fit: {t.model_mean:,.0f} t (observed {t.observed:,.0f} t ± {t.tolerance:,.0f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
