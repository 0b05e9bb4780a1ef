"""Where one replication's time goes: the daily folding, unloading, SimPy's loop, the rest, the results.

    python -m benchmarks.time_shares [SCENARIO ...] [--runs 3]

Times the parts of `run_replication` by wrapping them with a clock (no profiler, whose cost per call
would inflate the parts made of many small calls):

- *daily folding*: Recorder.flush and day_boundary (sim.model.recorder, sim.model.periods);
- *unloading*: scheduling each train's wagons on the points and recording their times
  (UnloadingGroup.schedule_train, Recorder.unloading_scheduled);
- *SimPy's event loop*: the same number of events, as bare timeouts of processes that do nothing
  else, run in a fresh environment (the floor of any model with this event structure);
- *model generators*: the rest of the simulation (journeys, gates, checks, origin, policies);
- *set-up and results*: what `run_replication` does after the simulation (tables, KPIs, dwell
  quantiles).

Median of --runs replications per scenario (default: the 2023 baseline and the 300k scenario).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ("scenarios/baseline_2023.yaml", "benchmarks/scenarios/crossing_300k.yaml")
PARTS = ("SimPy's event loop", "model generators", "unloading", "daily folding", "set-up and results")


def _clocked(owner: type, name: str, bucket: str, spent: dict[str, float]) -> Callable[[], None]:
    """Wrap owner.name so that its time adds to spent[bucket]; returns the undo."""
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[bucket] += time.perf_counter() - t0

    setattr(owner, name, wrapper)
    return lambda: setattr(owner, name, original)


def simpy_floor(events: int, processes: int, clock: Callable[[], float] = time.perf_counter) -> float:
    """Seconds SimPy takes for `events` events as bare timeouts spread over `processes` processes
    (by `clock`: wall time by default, time.process_time for CPU time)."""
    import simpy

    env = simpy.Environment()
    per = max(1, events // max(processes, 1) - 1)

    def idle(n: int):  # type: ignore[no-untyped-def]
        for _ in range(n):
            yield env.timeout(1.0)

    for _ in range(max(processes, 1)):
        env.process(idle(per))
    t0 = clock()
    env.run()
    return clock() - t0


def shares(path: Path, runs: int) -> dict[str, float]:
    """Median seconds per part of one replication of the scenario."""
    import sim
    from sim.experiments import replication
    from sim.model import crossing, recorder, unloading

    scenario = sim.load_scenario(path)
    replication.run_replication(scenario.with_changes({"duration": "2d", "warmup": 0}), 0)  # warm up
    rows: dict[str, list[float]] = defaultdict(list)
    for r in range(runs):
        spent: dict[str, float] = defaultdict(float)
        undo = [
            _clocked(recorder.Recorder, "flush", "daily folding", spent),
            _clocked(recorder.Recorder, "day_boundary", "daily folding", spent),
            _clocked(unloading.UnloadingGroup, "schedule_train", "unloading", spent),
            _clocked(recorder.Recorder, "unloading_scheduled", "unloading", spent),
            _clocked(crossing.CrossingModel, "run", "simulation", spent),
        ]
        t0 = time.perf_counter()
        result = replication.run_replication(scenario, r)
        total = time.perf_counter() - t0
        for u in undo:
            u()
        d = result.diagnostics
        events = int(d["simpy_events"])  # type: ignore[call-overload]
        loop = simpy_floor(events, events // 8)  # (a train makes about 8 events)
        rows["total"].append(total)
        rows["daily folding"].append(spent["daily folding"])
        rows["unloading"].append(spent["unloading"])
        rows["SimPy's event loop"].append(loop)
        rows["model generators"].append(spent["simulation"] - spent["daily folding"] - spent["unloading"] - loop)
        rows["set-up and results"].append(total - spent["simulation"])
        rows["wagons"].append(float(sum(d["generated_wagons"])))  # type: ignore[call-overload]
    return {k: statistics.median(v) for k, v in rows.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=list(DEFAULT))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    for name in args.scenarios:
        print(format_shares(name, shares(ROOT / name, args.runs)))
    return 0


def format_shares(name: str, s: dict[str, float]) -> str:
    lines = [f"{name}: {s['total']:.3f} s wall per replication, {s['wagons']:,.0f} wagons"]
    lines += [f"  {part:22} {s[part]:6.3f} s  {100 * s[part] / s['total']:5.1f} %" for part in PARTS]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
