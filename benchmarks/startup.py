"""How long the command line takes to answer (issue 17, item 4): each command in a fresh process.

    PYTHONPATH=. python -m benchmarks.startup [--runs 5]

Median wall and CPU (user + sys of the child, from the OS's accounting) of `import sim`,
`import sim.cli`, `dostyk --help` and `dostyk validate scenarios/baseline_2023.yaml`; targets 0.3 s
for the imports and 0.5 s for the commands. On a shared machine read CPU rather than wall.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "import sim": ([sys.executable, "-c", "import sim"], 0.3),
    "import sim.cli": ([sys.executable, "-c", "import sim.cli"], 0.3),
    "dostyk --help": ([sys.executable, "-m", "sim.cli", "--help"], 0.5),
    "dostyk validate": ([sys.executable, "-m", "sim.cli", "validate", "scenarios/baseline_2023.yaml"], 0.5),
}


def time_command(cmd: list[str], runs: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    walls, cpus = [], []
    for i in range(runs + 1):  # the first run warms the file cache and is not counted
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if i:
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus)}


def measure(runs: int = 5) -> dict[str, dict[str, float]]:
    return {name: {**time_command(cmd, runs), "target_s": target} for name, (cmd, target) in COMMANDS.items()}


def format_rows(figures: dict[str, dict[str, float]]) -> list[str]:
    return [f"  {name:<16} {f['wall_s']:6.3f} s wall, {f['cpu_s']:6.3f} s CPU (target < {f['target_s']:g} s) "
            f"{'met' if f['cpu_s'] < f['target_s'] else 'NOT met'} on CPU" for name, f in figures.items()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    figures = measure(args.runs)
    print("\n".join(format_rows(figures)))
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
