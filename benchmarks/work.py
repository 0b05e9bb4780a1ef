"""Deterministic measures of the model's work per scenario, and the stored baseline they are held to.

Timings move with the machine's load; these do not. For one replication (replication 0, the
scenario's own seed) of every shipped scenario and the 300k benchmark scenario over a short horizon:

- `simpy_events`: the SimPy events the run scheduled (exact for a seed and a model version);
- `calls`: the function calls made by the code of `sim` and of SimPy during the replication, model
  and result tables (counted by cProfile, by caller). It tracks time in Python code: per-wagon or
  per-event work added anywhere in the product shows as a rise, and each call into numpy or pandas
  counts once. What those libraries do inside a call is not counted: it changes with their version,
  and a fresh CI machine installs the newest ones (counting every call once failed for that reason
  alone, never for ours).

`tests/validation/test_work_budget.py` fails when either rises more than 10 % above the baseline in
benchmarks/work_baseline.json. A change that legitimately adds work (a new feature, a new event)
refreshes the baseline in the same commit, saying why in its message:

    PYTHONPATH=. python -m benchmarks.work --write        # or: make bench-baseline

`python -m benchmarks.work` alone prints the current figures beside the baseline.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import platform
import pstats
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "benchmarks" / "work_baseline.json"
HORIZON = "30d"  # long enough for the daily folding, queues and most windows to do their work
TOLERANCE = 0.10  # a rise beyond this fails


def scenario_paths() -> list[Path]:
    """Every shipped scenario and the 300k benchmark scenario (targets files are not scenarios)."""
    shipped = sorted((ROOT / "scenarios").glob("*.yaml")) + sorted((ROOT / "scenarios" / "history").glob("*.yaml"))
    return [*shipped, ROOT / "benchmarks" / "scenarios" / "crossing_300k.yaml"]


def key(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


_WARM: list[bool] = []


def _warm() -> None:
    """One short run first: lazy imports and first-use caches are not the model's work."""
    if not _WARM:
        import sim
        from sim.experiments.replication import run_replication

        warm = sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").with_changes({"duration": "2d"})
        run_replication(warm, 0)
        _WARM.append(True)


def measure(path: Path, horizon: str = HORIZON) -> dict[str, int]:
    """Events, function calls and wagons of replication 0 of `path` over `horizon` (warmup 0)."""
    import sim
    from sim.experiments.replication import run_replication

    scenario = sim.load_scenario(path).with_changes({"duration": horizon, "warmup": 0})
    _warm()
    profiler = cProfile.Profile()
    profiler.enable()
    result = run_replication(scenario, 0)
    profiler.disable()
    d = result.diagnostics
    return {"simpy_events": int(d["simpy_events"]), "calls": calls_by(profiler, OURS),
            "wagons": int(sum(d["generated_wagons"]))}


#: the code whose calls are counted: the product and its engine (not the libraries they call into)
OURS = tuple(str(Path(m.__file__).resolve().parent) for m in (__import__("sim"), __import__("simpy")))


def calls_by(profiler: cProfile.Profile, folders: tuple[str, ...]) -> int:
    """Calls whose caller is a function defined under one of `folders`."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    return sum(counts[0] for _, _, _, _, callers in stats.values()
               for (filename, _, _), counts in callers.items() if filename.startswith(folders))


def measure_all(horizon: str = HORIZON) -> dict[str, dict[str, int]]:
    return {key(p): measure(p, horizon) for p in scenario_paths()}


def load_baseline(path: Path = BASELINE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def rises(current: dict[str, dict[str, int]], baseline: dict[str, Any]) -> list[str]:
    """Each measure that rose more than TOLERANCE above the baseline, and each scenario it lacks."""
    out = []
    for name, now in current.items():
        then = baseline["scenarios"].get(name)
        if then is None:
            out.append(f"{name}: not in {BASELINE.name}; refresh it (python -m benchmarks.work --write)")
            continue
        for measure_name in ("simpy_events", "calls"):
            if now[measure_name] > then[measure_name] * (1 + TOLERANCE):
                out.append(f"{name}: {measure_name} {now[measure_name]:,} against {then[measure_name]:,} "
                           f"in the baseline (×{now[measure_name] / then[measure_name]:.3f}, limit ×{1 + TOLERANCE:.2f})")
    return out


def write_baseline(current: dict[str, dict[str, int]], path: Path = BASELINE) -> None:
    import numpy as np
    import pandas as pd
    import simpy

    data = {"horizon": HORIZON, "replication": 0,
            "measured_with": {"python": platform.python_version(), "simpy": simpy.__version__,
                              "numpy": np.__version__, "pandas": pd.__version__},
            "refresh": "PYTHONPATH=. python -m benchmarks.work --write",
            "scenarios": current}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"store the current figures as {BASELINE.name}")
    args = parser.parse_args(argv)
    current = measure_all()
    baseline = load_baseline() if BASELINE.exists() else {"scenarios": {}}
    for name, now in current.items():
        then = baseline["scenarios"].get(name, {})
        print(f"{name}: " + ", ".join(
            f"{m} {now[m]:,}" + (f" (baseline {then[m]:,}, ×{now[m] / then[m]:.3f})" if m in then else "")
            for m in ("simpy_events", "calls", "wagons")))
    if args.write:
        write_baseline(current)
        print(f"wrote {BASELINE.relative_to(ROOT)}")
        return 0
    problems = rises(current, baseline)
    for p in problems:
        print("RISE: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
