"""The floor under the per-run ratio: what SimPy's events and the wagon queue alone cost.

    python -m benchmarks.floor [SCENARIO ...] [--rounds 3]

Issue 17 asks for 30× the per-wagon reference per run. Whatever else a model with this event
structure and this queue does, it cannot take less time than

- *SimPy's events*: the same number of events as the product's run, as bare timeouts of processes
  that do nothing else (benchmarks/time_shares.simpy_floor), and
- *the wagon queue*: the product's own unloading recursion (sim.model.unloading), replayed alone on
  freshly built unloading groups with the very calls the run made (ready time, wagons), so the
  same draws and the same schedules — a heap operation per wagon, no recording, no events.

Timed side by side with the reference and the product, round by round (CPU time, median of the
rounds), the *floor ratio* is the reference's CPU per wagon over the floor's: the ratio a product
would reach if everything else it does (journeys, gates, checks, recording, folding, KPIs) took no
time at all. A floor ratio near 30 is the measured statement that 30× cannot be met with this event
structure and this queue. Scenarios outside the reference's subset are reduced to it, as in
benchmarks/bench_model.py.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ("benchmarks/scenarios/crossing_300k.yaml", "scenarios/baseline_2023.yaml")
TARGET = 30.0
#: a recorded call of UnloadingGroup.schedule_train: (crossing index, cargo, ready time, wagons)
Call = tuple[int, str, float, int]


def _groups(model: Any) -> dict[tuple[int, str], Any]:
    return {(x, cargo): group for x, crossing in enumerate(model.crossings)
            for cargo, group in crossing.unloading.items()}


def recorded_run(scenario: Any, replication: int) -> tuple[Any, list[Call], list[Any]]:
    """Run the model once with its unloading calls recorded: (observations, the calls, their schedules)."""
    from sim.model import unloading
    from sim.model.crossing import CrossingModel

    model = CrossingModel(scenario, replication)
    names = {id(g): key for key, g in _groups(model).items()}
    calls: list[Call] = []
    plans: list[Any] = []
    original = unloading.UnloadingGroup.schedule_train

    def recording(self: Any, ready: float, wagons: int) -> Any:
        plan = original(self, ready, wagons)
        calls.append((*names[id(self)], ready, wagons))
        plans.append(plan)
        return plan

    unloading.UnloadingGroup.schedule_train = recording  # type: ignore[method-assign]
    try:
        observations = model.run()
    finally:
        unloading.UnloadingGroup.schedule_train = original  # type: ignore[method-assign]
    return observations, calls, plans


def replay_queue(scenario: Any, replication: int, calls: list[Call]) -> tuple[float, list[Any]]:
    """CPU seconds of the recorded unloading calls alone, on freshly built groups; their schedules."""
    from sim.model.crossing import CrossingModel

    groups = _groups(CrossingModel(scenario, replication))
    bound = [(groups[(x, cargo)].schedule_train, ready, wagons) for x, cargo, ready, wagons in calls]
    t0 = time.process_time()
    plans = [schedule(ready, wagons) for schedule, ready, wagons in bound]
    return time.process_time() - t0, plans


def _cpu(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.process_time()
    out = fn()
    return out, time.process_time() - t0


def measure(path: Path, rounds: int = 3) -> dict[str, Any]:
    """Reference, product and floor, CPU µs per wagon (median of `rounds` interleaved rounds)."""
    import sim
    from benchmarks import reference_model as ref
    from benchmarks.time_shares import simpy_floor
    from sim.experiments.replication import run_replication

    scenario = sim.load_scenario(path)
    dropped = ref.unsupported_features(scenario)
    if dropped:
        scenario, dropped = ref.within_subset(scenario)
    run_replication(scenario.with_changes({"duration": "2d", "warmup": 0}), 0)  # warm imports, caches
    per_wagon: dict[str, list[float]] = {k: [] for k in ("reference", "product", "simpy", "queue")}
    for r in range(rounds):
        result, product_s = _cpu(lambda r=r: run_replication(scenario, r))
        wagons = sum(result.diagnostics["generated_wagons"])
        events = int(result.diagnostics["simpy_events"])
        reference, reference_s = _cpu(lambda r=r: ref.simulate(scenario, 1000 + r))
        _, calls, _ = recorded_run(scenario, r)
        queue_s, _ = replay_queue(scenario, r, calls)
        simpy_s = simpy_floor(events, max(1, events // 8), clock=time.process_time)
        per_wagon["product"].append(1e6 * product_s / wagons)
        per_wagon["reference"].append(1e6 * reference_s / sum(reference.diagnostics["generated_wagons"]))
        per_wagon["simpy"].append(1e6 * simpy_s / wagons)
        per_wagon["queue"].append(1e6 * queue_s / wagons)
    us = {k: statistics.median(v) for k, v in per_wagon.items()}
    floor = us["simpy"] + us["queue"]
    return {
        "path": str(path.relative_to(ROOT)) if path.is_absolute() else str(path),
        "rounds": rounds,
        "dropped": dropped,
        "us_per_wagon": us,
        "ratio": us["reference"] / us["product"],
        "floor_ratio": us["reference"] / floor,
        # the share of the time a 30× product may take that the floor already takes
        "floor_share_of_target": floor / (us["reference"] / TARGET),
    }


def format_floor(row: dict[str, Any]) -> str:
    us = row["us_per_wagon"]
    mark = "'" if row["dropped"] else ""
    return (f"{row['path']}{mark}: reference {us['reference']:.2f} µs/wagon, product {us['product']:.2f} "
            f"({row['ratio']:.1f}×); floor {us['simpy'] + us['queue']:.2f} (SimPy's events {us['simpy']:.2f} + "
            f"the wagon queue {us['queue']:.2f}) = {row['floor_ratio']:.1f}× the reference, "
            f"{100 * row['floor_share_of_target']:.0f} % of what {TARGET:.0f}× allows")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenarios", nargs="*", default=list(DEFAULT))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the figures as this JSON file's `floor` section "
                        "(e.g. bench.json: its other sections are kept)")
    args = parser.parse_args(argv)
    floors = {}
    for name in args.scenarios:
        floors[name] = measure(ROOT / name, args.rounds)
        print(format_floor(floors[name]))
    if args.json:
        from benchmarks.record import other_sections, write_json

        write_json(args.json, {"floor": floors}, keep=other_sections(args.json, "floor"))
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
