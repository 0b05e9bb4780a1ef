"""Calibration at scale: 100 candidates × 5 replications of the 2023 baseline on the process executor.

    python -m benchmarks.bench_calibration [--candidates 100] [--replications 5] [--workers 2] [--batch 10]

The same path as `dostyk calibrate` (TPE sampler in fixed batches, common random numbers, every
finished replication stored in a work directory, daily series kept for the dated target), without
the final plots. Targets: grain delivered in 2023 = 2.23 Mt ± 5 % (observed, ../shared/data/observed.md)
over the dated window 2023-01-01..2023-12-31; free parameters: grain unloading points (4–10) and the
mean phytosanitary time (3–12 h). Prints wall time, candidates and replications per second, the
machine's load and the fitted values, and the overhead per replication against one replication run
alone in this process (the calibration's CPU-seconds available, wall x workers, per replication, less
that single run). `--json bench.json` (what `make bench-calibrate` passes) adds these figures to
bench.json as its `calibration` section.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
    parser.add_argument("--json", type=Path, help="add the figures to this JSON file (its `calibration` section)")
    args = parser.parse_args(argv)
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml")
    single = single_run_cpu(scenario)
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
    per_run = wall * args.workers / reps
    print(f"one replication alone: {single:.3f} s CPU; in the calibration {per_run:.3f} s of a worker's time per "
          f"replication: overhead {per_run - single:+.3f} s ({per_run / single:.2f}x; includes any other load)")
    if args.json:
        from benchmarks.record import write_json

        old = json.loads(args.json.read_text(encoding="utf-8")) if args.json.exists() else {}
        figures = {"candidates": args.candidates, "replications_each": args.replications, "workers": args.workers,
                   "replications_run": reps, "wall_s": wall, "parent_cpu_s": parent_cpu,
                   "single_run_cpu_s": single, "worker_s_per_replication": per_run,
                   "load_average_start": load, "target_wall_s": 120,
                   "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
        write_json(args.json, old | {"calibration": figures})
    return 0


def single_run_cpu(scenario: sim.Scenario, runs: int = 3) -> float:
    """Median CPU seconds of one replication of `scenario` in this process (after a warm-up run)."""
    from benchmarks.ab_times import median_cpu

    return median_cpu(scenario, runs)


if __name__ == "__main__":
    raise SystemExit(main())
