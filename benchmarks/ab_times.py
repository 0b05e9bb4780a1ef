"""Median CPU seconds of one replication of each scenario, with whichever `sim` this Python imports.

Run it from two checkouts in turn (each with its own virtual environment), a few rounds interleaved,
to compare two versions side by side on the same machine:

    for i in 1 2 3 4 5; do
        (cd ../old && .venv/bin/python benchmarks/ab_times.py 5 scenarios/baseline_2023.yaml)
        (cd ../new && .venv/bin/python benchmarks/ab_times.py 5 scenarios/baseline_2023.yaml)
    done

Prints one JSON line: scenario file name -> median CPU s per replication (replications 1..N, after
replication 0 as a warm-up). Works with versions before and after the package was split into layers.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

import sim

try:
    from sim.experiments.replication import run_replication
except ImportError:  # versions before the layered package
    from sim.experiment import run_replication  # type: ignore[no-redef]


def median_cpu(scenario: sim.Scenario, runs: int) -> float:
    """Median CPU seconds of replications 1..runs of `scenario` in this process, after replication 0."""
    run_replication(scenario, 0)
    times = []
    for r in range(runs):
        t = time.process_time()
        run_replication(scenario, r + 1)
        times.append(time.process_time() - t)
    return statistics.median(times)


def main(argv: list[str]) -> None:
    runs, paths = int(argv[0]), argv[1:]
    print(json.dumps({path.rsplit("/", 1)[-1]: median_cpu(sim.load_scenario(path), runs) for path in paths}))


if __name__ == "__main__":
    main(sys.argv[1:])
