"""Speed and memory of the model, and its ratio to an idiomatic per-wagon SimPy model.

    make bench                      # or: .venv/bin/python -m benchmarks.bench_model [--runs 5]

For every shipped scenario (scenarios/*.yaml, scenarios/history/*.yaml) and the 300k-wagon benchmark scenario
(benchmarks/scenarios/crossing_300k.yaml) it prints, per replication of one simulated horizon:
wall and CPU seconds (median of --runs), wagons simulated per CPU second, µs per wagon, SimPy
events per wagon and peak memory. Where a scenario stays inside the reference model's subset
(benchmarks/reference_model.py: one process per wagon, a simpy.Resource per unloading group) the
reference runs the same scenario in the same loop, interleaved replication by replication, so
both see the same machine load; the ratio is of median CPU µs per wagon. A shipped scenario that
uses features the reference lacks (fleet, quotas, hours, breakdowns, disruptions, stop-loading)
is also reduced to the subset (`reference_model.within_subset`: with several crossings, the first
alone with every train) and both models are timed on that (marked with '); the features removed
are printed. KPI agreement on the 300k scenario is printed as Welch confidence intervals of
the difference.

"Wagons simulated" counts the wagons whose trains were formed during the horizon. Peak memory
is measured in fresh subprocesses, two ways: the process's peak resident set size (VmHWM from
/proc/self/status, which includes the interpreter and imported libraries; ru_maxrss where there
is no /proc) and the tracemalloc peak of the replication alone (Python and numpy allocations
made by the run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.record import processor, write_json

ROOT = Path(__file__).resolve().parents[1]
BENCH_300K = ROOT / "benchmarks" / "scenarios" / "crossing_300k.yaml"
MODEL_SECTIONS = ("scenarios", "ten_year_memory", "machine", "startup", "work", "work_baseline", "time_shares",
                  "floor")  # written here
OTHER_SECTIONS = ("calibration", "executors")  # written by bench_calibration and bench_executors: kept


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    wagons: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)

    def add(self, wall: float, cpu: float, wagons: int, events: int) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        self.wagons.append(wagons)
        self.events.append(events)

    @property
    def cpu_s(self) -> float:
        return statistics.median(self.cpu)

    @property
    def wall_s(self) -> float:
        return statistics.median(self.wall)

    @property
    def us_per_wagon(self) -> float:
        return statistics.median(c / w * 1e6 for c, w in zip(self.cpu, self.wagons))

    @property
    def events_per_wagon(self) -> float:
        return sum(self.events) / sum(self.wagons)

    @property
    def wagons_per_year(self) -> float:
        return statistics.mean(self.wagons)


def _timed(fn):  # type: ignore[no-untyped-def]
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def peak_rss_mb() -> float:
    """This process's peak resident set size.

    Linux's VmHWM belongs to the process image, whereas ru_maxrss survives exec: a child started
    by a big parent (vfork + exec) would report the parent's peak, not its own.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def memory_probe(path: str, duration: str | None, how: str) -> dict[str, float]:
    """Run one replication in this (fresh) process and report its peak memory."""
    import sim
    from sim.experiments.replication import run_replication

    scenario = sim.load_scenario(path)
    if duration:
        scenario = scenario.with_changes({"duration": duration})
    out = {"rss_after_import_mb": peak_rss_mb()}
    if how == "tracemalloc":
        import tracemalloc

        tracemalloc.start()
        run_replication(scenario, 0)
        out["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    else:
        run_replication(scenario, 0)
    out["maxrss_mb"] = peak_rss_mb()
    return out


def measure_memory(path: Path, duration: str | None = None) -> dict[str, float]:
    """Peak memory of one replication, each measure in its own fresh interpreter."""
    result: dict[str, float] = {}
    for how in ("rss", "tracemalloc"):  # tracemalloc inflates RSS, so RSS is measured without it
        cmd = [sys.executable, "-m", "benchmarks.bench_model", "--memory-probe", str(path), how]
        if duration:
            cmd += ["--duration", duration]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        probe = json.loads(proc.stdout.strip().splitlines()[-1])
        if how == "rss":
            result["maxrss_mb"] = probe["maxrss_mb"]
            result["rss_after_import_mb"] = probe["rss_after_import_mb"]
        else:
            result["tracemalloc_peak_mb"] = probe["tracemalloc_peak_mb"]
    return result


def _time_pair(scenario, runs: int, ref_runs: int, product: Timing, reference: Timing | None):  # type: ignore[no-untyped-def]
    """Time product and (if given) reference replications, interleaved so both see the same load."""
    from benchmarks import reference_model as ref
    from sim.experiments.replication import run_replication

    product_kpis, reference_results = [], []
    for r in range(max(runs, ref_runs if reference is not None else 0)):
        if r < runs:
            res, wall, cpu = _timed(lambda r=r: run_replication(scenario, r))
            d = res.diagnostics
            product.add(wall, cpu, sum(d["generated_wagons"]), d["simpy_events"])
            product_kpis.append(res.kpis)
        if reference is not None and r < ref_runs:
            rres, wall, cpu = _timed(lambda r=r: ref.simulate(scenario, 1000 + r))  # own seeds
            d = rres.diagnostics
            reference.add(wall, cpu, sum(d["generated_wagons"]), d["simpy_events"])  # type: ignore[arg-type]
            reference_results.append(rres)
    return product_kpis, reference_results


def bench_scenario(path: Path, runs: int, ref_runs: int) -> dict[str, object]:
    """Time the product on the scenario; time the reference beside it on the scenario itself, or,
    when that uses features outside the reference's subset, both on the scenario reduced to it."""
    import pandas as pd

    import sim
    from benchmarks import agreement
    from benchmarks import reference_model as ref
    from sim.experiments.replication import run_replication

    scenario = sim.load_scenario(path)
    missing = ref.unsupported_features(scenario)
    run_replication(scenario.with_changes({"duration": "2d", "warmup": 0, "disruptions": []}), 0)  # warm imports, caches
    product, reference = Timing(), Timing()
    out: dict[str, object] = {"name": path.stem, "path": str(path.relative_to(ROOT)), "product": product,
                              "reference": reference, "missing": missing, "years": scenario.duration / 8760}
    if not missing:
        product_kpis, reference_results = _time_pair(scenario, runs, ref_runs, product, reference)
        if runs >= 2 and ref_runs >= 2:
            p = agreement.product_table(pd.concat(product_kpis, ignore_index=True))
            out["agreement"] = agreement.compare(p, agreement.reference_table(reference_results))
    else:
        _time_pair(scenario, runs, 0, product, None)
        reduced, _ = ref.within_subset(scenario)
        out["subset_product"] = Timing()
        _time_pair(reduced, runs, ref_runs, out["subset_product"], reference)  # type: ignore[arg-type]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="replications timed per scenario (median)")
    parser.add_argument("--ref-runs", type=int, default=5, help="reference replications on the 300k scenario (at most 3 on the others)")
    parser.add_argument("--no-memory", action="store_true", help="skip the subprocess memory measurements")
    parser.add_argument("--only-300k", action="store_true", help="skip the shipped scenarios")
    parser.add_argument("--json", type=Path, default=ROOT / "bench.json",
                        help="write every figure to this JSON file (default: bench.json; bench-calibrate adds its own)")
    parser.add_argument("--memory-probe", nargs=2, metavar=("SCENARIO", "HOW"), help=argparse.SUPPRESS)
    parser.add_argument("--duration", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe[0], args.duration, args.memory_probe[1])))
        return 0

    import numpy as np
    import simpy

    from benchmarks import agreement, floor, startup, time_shares, work

    load_start = os.getloadavg()[0]
    print(f"python {platform.python_version()}, simpy {simpy.__version__}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs, load average {load_start:.1f} at start")
    print("times: median of the runs, per replication of the scenario's horizon; ratio = reference CPU / product CPU per wagon")
    paths = [] if args.only_300k else (sorted((ROOT / "scenarios").glob("*.yaml"))
                                       + sorted((ROOT / "scenarios" / "history").glob("*.yaml")))
    paths.append(BENCH_300K)
    rows = []
    for path in paths:
        row = bench_scenario(path, args.runs, args.ref_runs if path == BENCH_300K else min(args.ref_runs, 3))
        if not args.no_memory:
            row["memory"] = measure_memory(path)
        rows.append(row)
        _print_row(row)
    big = rows[-1]
    ten_year = measure_memory(BENCH_300K, "3650d") if not args.no_memory else None
    print()
    _print_targets(big, ten_year)
    if "agreement" in big:
        print("\nKPI agreement on the 300k scenario, product vs reference "
              f"({len(big['product'].cpu)} vs {len(big['reference'].cpu)} replications):")  # type: ignore[union-attr]
        print(agreement.format_table(big["agreement"]))  # type: ignore[arg-type]
    print("\nCommand line, each in a fresh process (median of 5):")
    answers = startup.measure()
    print("\n".join(startup.format_rows(answers)))
    print(f"\nDeterministic work of one {work.HORIZON} replication, against {work.BASELINE.name} "
          f"(tests/validation/test_work_budget.py fails on a rise over {work.TOLERANCE:.0%}):")
    counts = work.measure_all()
    baseline = work.load_baseline()["scenarios"]
    for name, now in counts.items():
        then = baseline.get(name)
        vs = (f" (×{now['simpy_events'] / then['simpy_events']:.3f}, ×{now['calls'] / then['calls']:.3f} the baseline)"
              if then else " (not in the baseline)")
        print(f"  {name}: {now['simpy_events']:,} SimPy events, {now['calls']:,} calls{vs}")
    print("\nWhere one replication's time goes (benchmarks/time_shares.py, median of 3):")
    shares = {}
    for name in time_shares.DEFAULT:
        shares[name] = time_shares.shares(ROOT / name, runs=3)
        print(time_shares.format_shares(name, shares[name]))
    print("\nThe floor: SimPy's events and the wagon queue alone, beside the reference (benchmarks/floor.py, "
          "median of 3 rounds):")
    floors = {}
    for name in floor.DEFAULT:
        floors[name] = floor.measure(ROOT / name, rounds=3)
        print(floor.format_floor(floors[name]))
    print(f"\nload average {os.getloadavg()[0]:.1f} at end (other processes share the CPUs; CPU times are "
          "less sensitive to that than wall times, ratios measured side by side least)")
    if args.json:
        figures = _jsonable(rows, ten_year, load_start) | {"startup": answers, "work": counts,
                                                            "work_baseline": baseline, "time_shares": shares,
                                                            "floor": floors}
        write_json(args.json, figures, keep=OTHER_SECTIONS)
        print(f"figures written to {args.json}")
    return 0


def _print_timing(label: str, t: Timing) -> None:
    print(f"{label}: {t.wall_s:6.3f} s wall, {t.cpu_s:6.3f} s CPU, {t.wagons_per_year / t.cpu_s:>11,.0f} wagons/s, "
          f"{t.us_per_wagon:6.2f} µs/wagon, {t.events_per_wagon:5.3f} SimPy events/wagon")


def _print_row(row: dict[str, object]) -> None:
    p: Timing = row["product"]  # type: ignore[assignment]
    rf: Timing | None = row["reference"]  # type: ignore[assignment]
    mem = row.get("memory") or {}
    print(f"\n{row['path']}: {p.wagons_per_year:,.0f} wagons per replication, "
          f"{p.cpu_s / row['years']:.3f} s CPU per simulated year")  # type: ignore[operator]
    _print_timing("  product   ", p)
    sub: Timing | None = row.get("subset_product")  # type: ignore[assignment]
    if sub is not None:
        print(f"  reference : cannot run this scenario (outside its subset: {', '.join(row['missing'])});")  # type: ignore[arg-type]
        print("              both models on the scenario reduced to the subset (those features removed):")
        _print_timing("  product'  ", sub)
        _print_timing("  reference'", rf)  # type: ignore[arg-type]
        print(f"  ratio'    : {rf.us_per_wagon / sub.us_per_wagon:.1f}x fewer µs per wagon than the reference")  # type: ignore[union-attr]
    elif rf is not None and rf.cpu:
        _print_timing("  reference ", rf)
        print(f"  ratio     : {rf.us_per_wagon / p.us_per_wagon:.1f}x fewer µs per wagon than the reference")
    if mem:
        print(f"  memory    : peak RSS {mem['maxrss_mb']:.0f} MB (of which {mem['rss_after_import_mb']:.0f} MB "
              f"interpreter + imports), tracemalloc peak of the run {mem['tracemalloc_peak_mb']:.1f} MB")


def _print_targets(big: dict[str, object], ten_year: dict[str, float] | None) -> None:
    p: Timing = big["product"]  # type: ignore[assignment]
    rf: Timing | None = big["reference"]  # type: ignore[assignment]
    print("Targets on the 300k scenario:")
    if rf is not None and rf.cpu:
        ratio = rf.us_per_wagon / p.us_per_wagon
        diffs = big.get("agreement") or []
        agree = all(d.agrees for d in diffs) if diffs else None  # type: ignore[attr-defined]
        print(f"  1. µs per wagon vs reference: {ratio:.1f}x (target >= 30x, issue 17) "
              f"{'met' if ratio >= 30 else 'NOT met'}; KPIs agree: "
              f"{'yes' if agree else 'no' if agree is not None else 'not compared'}")
    print(f"  2. one simulated year: median {p.wall_s:.3f} s wall / {p.cpu_s:.3f} s CPU per replication "
          f"(target < 1 s) {'met' if p.wall_s < 1.0 else 'NOT met'}")
    one = big.get("memory")
    if one and ten_year:
        r_rss = ten_year["maxrss_mb"] / one["maxrss_mb"]
        r_tm = ten_year["tracemalloc_peak_mb"] / one["tracemalloc_peak_mb"]
        met = r_rss <= 1.5 and ten_year["maxrss_mb"] < 300
        print(f"  3. memory, 10 years vs 1 year: peak RSS {ten_year['maxrss_mb']:.0f} vs {one['maxrss_mb']:.0f} MB "
              f"(x{r_rss:.2f}; target <= 1.5x and < 300 MB) {'met' if met else 'NOT met'}; "
              f"tracemalloc peak {ten_year['tracemalloc_peak_mb']:.1f} vs {one['tracemalloc_peak_mb']:.1f} MB "
              f"(x{r_tm:.2f}: the daily series grow with the days, not with the wagons)")


def _jsonable(rows: list[dict[str, object]], ten_year: dict[str, float] | None, load_start: float) -> dict[str, object]:
    def timing(t: Timing | None) -> dict[str, float] | None:
        if t is None or not t.cpu:
            return None
        return {"wall_s": t.wall_s, "cpu_s": t.cpu_s, "cpu_s_runs": t.cpu, "us_per_wagon": t.us_per_wagon,
                "events_per_wagon": t.events_per_wagon, "wagons": t.wagons_per_year}

    return {
        "scenarios": [
            {"path": r["path"], "years": r["years"], "product": timing(r["product"]), "reference": timing(r["reference"]),  # type: ignore[arg-type]
             "subset_product": timing(r.get("subset_product")), "reference_dropped": r["missing"],  # type: ignore[arg-type]
             "memory": r.get("memory"),
             "agreement": [d.__dict__ | {"agrees": d.agrees} for d in r.get("agreement", [])]}  # type: ignore[attr-defined]
            for r in rows
        ],
        "ten_year_memory": ten_year,
        "machine": {"python": platform.python_version(), "processor": processor(), "cpus": os.cpu_count(), "load_average_start": load_start,
                    "load_average_end": os.getloadavg()[0],
                    "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")},
    }


if __name__ == "__main__":
    raise SystemExit(main())
