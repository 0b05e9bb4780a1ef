"""Executors side by side: throughput of serial, local processes and a Dask LocalCluster on one sweep.

    python -m benchmarks.bench_executors [--tasks 1000] [--serial-tasks 100] [--workers 2] [--duration 90d]
                                         [--repeat R] [--json bench.json]

A task is one replication of the 2023 baseline scenario over --duration (default 90 days, so that
1,000 tasks stay within minutes), in a sweep over 4 grain unloading point counts x replications.
The process and Dask executors run all --tasks; the serial executor, whose throughput per task does
not depend on the number of tasks, runs the first --serial-tasks of the same sweep (the same points,
the first replications), which keeps the wall time sane. It checks that the three give identical KPIs
on the tasks they share, and prints:

- runs per second per executor and each parallel executor's throughput over serial's, against the
  targets of issue 17: the process executor >= 1.8x serial on 2 cores (pool start-up included: it is
  part of every `dostyk sweep`), and a sweep of 1,000 runs on a Dask LocalCluster of 2 worker
  processes >= 0.8 x 2 of serial throughput (cluster already running, as an existing cluster reached
  by its scheduler address is; the figure with the cluster's start-up is printed beside it);
- CPU seconds per task in the process executor's workers against serial (Linux): the executor's own
  cost, which unlike wall time does not depend on other work on the machine;
- the Dask round-trip of a trivial task (submit, run, gather), measured on 200 no-op tasks.

`--json bench.json` (what `make bench-executors` passes) adds these figures to bench.json as its
`executors` section, keeping the other sections. The machine may be shared: the load average is
printed and stored, and --repeat R keeps the fastest of R interleaved rounds per executor. With the
kernel's per-session scheduling (autogroup), all processes of one session share that session's CPU
share, so on a machine busy with other sessions no parallel executor can show its speed-up.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.experiments.executors import DaskExecutor, ProcessExecutor, local_cluster  # noqa: E402
from sim.scenario.effects import ScenarioWarning  # noqa: E402

SCENARIO = "scenarios/baseline_2023.yaml"
POINTS = [5, 6, 7, 8]           # grain unloading points: the sweep's lever
TARGET_PROCESS = 1.8            # process executor's throughput over serial on 2 cores (issue 17, item 3)
TARGET_DASK_PER_WORKER = 0.8    # Dask throughput over serial, per worker (issue 17, item 6)
TARGET_TASKS = 1000             # the Dask target's sweep size


def _noop(x: int) -> int:
    return x


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (0 where /proc is not available)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _autogroup() -> bool:
    try:
        return Path("/proc/sys/kernel/sched_autogroup_enabled").read_text().strip() == "1"
    except OSError:
        return False


def _sizes(tasks: int, serial_tasks: int | None) -> tuple[int, int]:
    """Replications per point of the full sweep and of serial's subset (at least 1 each, subset <= full)."""
    reps = max(1, tasks // len(POINTS))
    reps_serial = reps if serial_tasks is None else max(1, min(reps, serial_tasks // len(POINTS)))
    return reps, reps_serial


def _same_on_shared(serial: pd.DataFrame, full: pd.DataFrame, reps_serial: int) -> bool:
    """The full sweep's rows for serial's replications equal serial's (row order aside)."""
    def tidy(df: pd.DataFrame) -> pd.DataFrame:
        keys = ["unloading.grain.points", "replication", "cargo"]
        return df.sort_values(keys).reset_index(drop=True)

    return tidy(serial).equals(tidy(full[full["replication"] < reps_serial]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=TARGET_TASKS,
                        help=f"tasks of the process and Dask sweeps (a multiple of {len(POINTS)}; default %(default)s)")
    parser.add_argument("--serial-tasks", type=int, default=None,
                        help="tasks of the serial run, the first ones of the same sweep (default: all --tasks)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each parallel executor")
    parser.add_argument("--duration", default="90d", help="simulated period per task (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds (serial, process, dask in turn); the fastest of each is kept, which damps "
                             "the noise of other work on the machine")
    parser.add_argument("--json", type=Path, help="add the figures to this JSON file (its `executors` section)")
    args = parser.parse_args(argv)
    # a short --duration ends before some of the scenario's disruptions: said once here, not per task
    warnings.filterwarnings("ignore", category=ScenarioWarning)
    if args.tasks < 1 or args.workers < 1 or args.repeat < 1 or (args.serial_tasks is not None and args.serial_tasks < 1):
        parser.error("--tasks, --serial-tasks, --workers and --repeat must be at least 1")
    reps, reps_serial = _sizes(args.tasks, args.serial_tasks)
    n_tasks, n_serial = reps * len(POINTS), reps_serial * len(POINTS)
    scenario = sim.load_scenario(ROOT / SCENARIO).with_changes({"duration": args.duration})
    vary = {"unloading.grain.points": POINTS}
    task = (f"one replication of {scenario.name} ({SCENARIO}) over {args.duration}; the sweep varies "
            f"unloading.grain.points over {POINTS}, {reps} replications each")

    cpu_share: list[float] = []     # fraction of a core the serial run got
    cpu_serial: list[float] = []    # CPU seconds of the serial run
    cpu_workers: list[float] = []   # CPU seconds used by the process executor's workers
    cpu_dask: list[float] = []      # CPU seconds used by the Dask cluster's workers

    def timed(executor: object, replications: int) -> tuple[float, pd.DataFrame]:
        progress = False
        seen: dict[int, float] = {}
        if executor == "process":  # watch the workers' CPU time (Linux /proc) as results arrive
            executor = ProcessExecutor(args.workers)

            def progress(stream, n):  # type: ignore[no-untyped-def]
                for item in stream:
                    seen.update({pid: _cpu_seconds(pid) for pid in executor.worker_pids()})
                    yield item
        dask_pids = list(executor.client.run(os.getpid).values()) if isinstance(executor, DaskExecutor) else []
        dask_cpu = sum(_cpu_seconds(pid) for pid in dask_pids)
        t0, c0 = time.perf_counter(), time.process_time()
        res = sim.sweep(scenario, vary, replications=replications, seed=1, executor=executor,  # type: ignore[arg-type]
                        workers=args.workers, progress=progress)
        wall = time.perf_counter() - t0
        if executor == "serial":
            cpu_serial.append(time.process_time() - c0)
            cpu_share.append(cpu_serial[-1] / wall)
        if seen:
            cpu_workers.append(sum(seen.values()))
        if dask_pids:
            cpu_dask.append(sum(_cpu_seconds(pid) for pid in dask_pids) - dask_cpu)
        return wall, res.kpis

    load_start = os.getloadavg()[0]
    print(f"A task is {task}.\n{n_tasks} tasks on the process and Dask executors ({args.workers} workers), the first "
          f"{n_serial} of them serially (disruptions after the horizon are ignored without a warning); "
          f"{os.cpu_count()} cores, best of {args.repeat}; load average {load_start:.2f}",
          flush=True)
    from sim.experiments.replication import run_replication

    run_replication(scenario.with_changes({"duration": "2d"}), 0)  # the serial run's imports are not its work

    from distributed import Client

    t0 = time.perf_counter()
    with local_cluster(args.workers) as cluster, Client(cluster) as client:
        t_start = time.perf_counter() - t0
        client.run(lambda: __import__("sim.experiments.executors"))  # workers import the model before timing
        walls: dict[str, list[float]] = {"serial": [], "process": [], "dask": []}
        kpis: dict[str, pd.DataFrame] = {}
        for _ in range(args.repeat):
            for name, executor, n in (("serial", "serial", reps_serial), ("process", "process", reps),
                                      ("dask", DaskExecutor(client=client), reps)):
                wall, kpis[name] = timed(executor, n)
                walls[name].append(wall)
                print(f"  {name:8} {wall:8.2f} s", flush=True)
        t1 = time.perf_counter()
        client.gather(client.map(_noop, range(200), pure=False))
        t_noop = (time.perf_counter() - t1) / 200
    load_end = os.getloadavg()[0]
    t_serial, t_process, t_dask = (min(walls[k]) for k in ("serial", "process", "dask"))
    thr_serial, thr_process, thr_dask = n_serial / t_serial, n_tasks / t_process, n_tasks / t_dask
    same = (kpis["process"].equals(kpis["dask"]) and _same_on_shared(kpis["serial"], kpis["process"], reps_serial))
    figures: dict[str, Any] = {
        "task": task, "scenario": SCENARIO, "duration": args.duration, "workers": args.workers,
        "cpus": os.cpu_count(), "repeat": args.repeat,
        "serial": {"tasks": n_serial, "wall_s": t_serial, "runs_per_s": thr_serial, "cpu_share": max(cpu_share)},
        "process": {"tasks": n_tasks, "wall_s": t_process, "runs_per_s": thr_process,
                    "speedup": thr_process / thr_serial},
        "dask": {"tasks": n_tasks, "wall_s": t_dask, "runs_per_s": thr_dask, "speedup": thr_dask / thr_serial,
                 "cluster_start_s": t_start, "speedup_with_start": n_tasks / (t_dask + t_start) / thr_serial,
                 "noop_roundtrip_ms": t_noop * 1000},
        "identical_kpis": same,
        "targets": {"process_speedup": TARGET_PROCESS, "dask_speedup": TARGET_DASK_PER_WORKER * args.workers,
                    "dask_tasks": TARGET_TASKS},
        "load_average_start": load_start, "load_average_end": load_end,
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    for name, cpu in (("process", cpu_workers), ("dask", cpu_dask)):
        if cpu and cpu_serial:
            figures[name] |= {"cpu_per_task_s": min(cpu) / n_tasks, "serial_cpu_per_task_s": min(cpu_serial) / n_serial}
    _print(figures)
    if args.json:
        from benchmarks.bench_model import MODEL_SECTIONS
        from benchmarks.record import write_json

        write_json(args.json, {"executors": figures}, keep=(*MODEL_SECTIONS, "calibration"))
        print(f"figures added to {args.json} (section `executors`)")
    return 0 if same else 1


def _print(f: dict[str, Any]) -> None:
    s, p, d, w = f["serial"], f["process"], f["dask"], f["workers"]
    print(f"serial   {s['tasks']:5,} tasks {s['wall_s']:8.2f} s  {s['runs_per_s']:6.2f} runs/s "
          f"({1000 / s['runs_per_s']:.0f} ms per task); the serial run got {s['cpu_share']:.0%} of a core")
    print(f"process  {p['tasks']:5,} tasks {p['wall_s']:8.2f} s  {p['runs_per_s']:6.2f} runs/s  "
          f"{p['speedup']:.2f}x serial's throughput (pool start-up included)")
    _print_cpu(p, "process")
    print(f"dask     {d['tasks']:5,} tasks {d['wall_s']:8.2f} s  {d['runs_per_s']:6.2f} runs/s  "
          f"{d['speedup']:.2f}x serial's throughput on the running cluster; starting it took "
          f"{d['cluster_start_s']:.2f} s ({d['speedup_with_start']:.2f}x with the start); "
          f"{d['noop_roundtrip_ms']:.1f} ms round-trip for a no-op task")
    _print_cpu(d, "Dask")
    print(f"identical KPIs on the tasks the executors share: {f['identical_kpis']}")
    print(f"load average {f['load_average_start']:.2f} at start, {f['load_average_end']:.2f} at end "
          "(other work on the machine slows the parallel runs most)")
    if _autogroup() and max(f["load_average_start"], f["load_average_end"]) > (f["cpus"] or 1):
        print("note: the kernel schedules by session (sched_autogroup_enabled=1) and other sessions are busy: "
              "this benchmark's processes share one session's CPU share, so parallel executors cannot reach "
              "their speed-up until the machine is otherwise idle")
    t = f["targets"]
    met = p["speedup"] >= t["process_speedup"]
    print(f"target: process executor >= {t['process_speedup']}x serial on 2 cores: {p['speedup']:.2f}x on {w} "
          f"workers, {p['tasks']:,} tasks: {'met' if met else 'NOT met'}")
    met = d["speedup"] >= t["dask_speedup"]
    verdict = ("met" if met else "NOT met") if d["tasks"] >= t["dask_tasks"] else \
        f"not measured at {t['dask_tasks']:,} runs (this sweep had {d['tasks']:,})"
    print(f"target: {t['dask_tasks']:,}-run sweep on a Dask LocalCluster of {w} workers >= {TARGET_DASK_PER_WORKER} x "
          f"{w} = {t['dask_speedup']:.2f}x serial: {d['speedup']:.2f}x: {verdict}")


def _print_cpu(section: dict[str, Any], workers: str) -> None:
    """The CPU an executor's workers used per task against serial's (Linux /proc): its own cost per task."""
    if "cpu_per_task_s" in section:
        cpu, serial = section["cpu_per_task_s"], section["serial_cpu_per_task_s"]
        print(f"         CPU per task: {cpu * 1000:.0f} ms in {workers} workers vs {serial * 1000:.0f} ms serial "
              f"({cpu / serial - 1:+.0%}: the executor's own CPU cost)")


if __name__ == "__main__":
    sys.exit(main())
