"""Executors side by side: process speed-up over serial, and the per-task overhead of Dask.

    python benchmarks/bench_executors.py [--tasks 40] [--workers N] [--duration 365d] [--repeat R]

Runs the same sweep (grain unloading points x replications = --tasks tasks of the baseline
scenario) on the serial, process and Dask executors in one go, checks that the three give
identical KPIs, and prints:

- wall time per executor, and the process executor's speed-up over serial (pool start-up
  included: it is part of every `dostyk sweep`);
- CPU seconds per task in the process executor's workers against the serial run (Linux): the
  executor's own cost, which unlike wall time does not depend on other work on the machine;
- the Dask executor's overhead per task on an already running local cluster, in two ways:
  extra worker-seconds per task in the sweep, (workers x wall - serial wall) / tasks, and the
  round-trip of a trivial task (submit, run, gather) measured on 200 no-op tasks;
- how long starting the local Dask cluster took (paid once per command without --scheduler).

The machine may be shared: the load average and the serial run's share of a core are printed,
and --repeat R keeps the fastest of R interleaved rounds per executor. With the kernel's
per-session scheduling (autogroup), all processes of one session share that session's CPU share,
so on a machine busy with other sessions no parallel executor can show its speed-up. The figures
are what was measured.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sim  # noqa: E402
from sim.experiments.executors import DaskExecutor, ProcessExecutor  # noqa: E402


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=40, help="tasks in the sweep (multiple of 4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--duration", default="365d", help="simulated period per task")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds (serial, process, dask in turn); the fastest of each is kept, which damps "
                             "the noise of other work on the machine")
    args = parser.parse_args(argv)
    points = [5, 6, 7, 8]
    reps = max(1, args.tasks // len(points))
    n_tasks = reps * len(points)
    scenario = sim.load_scenario(ROOT / "scenarios" / "baseline_2023.yaml").with_changes({"duration": args.duration})
    vary = {"unloading.grain.points": points}

    cpu_share: list[float] = []     # fraction of a core the serial run got
    cpu_serial: list[float] = []    # CPU seconds of the serial run
    cpu_workers: list[float] = []   # CPU seconds used by the process executor's workers

    def timed(executor: object) -> tuple[float, pd.DataFrame]:
        progress = False
        seen: dict[int, float] = {}
        if executor == "process":  # watch the workers' CPU time (Linux /proc) as results arrive
            executor = ProcessExecutor(args.workers)

            def progress(stream, n):  # type: ignore[no-untyped-def]
                for item in stream:
                    seen.update({pid: _cpu_seconds(pid) for pid in executor.worker_pids()})
                    yield item
        t0, c0 = time.perf_counter(), time.process_time()
        res = sim.sweep(scenario, vary, replications=reps, seed=1, executor=executor, workers=args.workers,  # type: ignore[arg-type]
                        progress=progress)
        wall = time.perf_counter() - t0
        if executor == "serial":
            cpu_serial.append(time.process_time() - c0)
            cpu_share.append(cpu_serial[-1] / wall)
        if seen:
            cpu_workers.append(sum(seen.values()))
        return wall, res.kpis

    load_before = os.getloadavg()[0]
    print(f"{n_tasks}-task sweep of {scenario.name} ({args.duration} per task), {args.workers} workers, "
          f"{os.cpu_count()} cores, best of {args.repeat}; load average {load_before:.2f}", flush=True)

    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        t_start = time.perf_counter() - t0
        client.run(lambda: __import__("sim.experiments.executors"))  # workers import the model before timing
        walls: dict[str, list[float]] = {"serial": [], "process": [], "dask": []}
        for _ in range(args.repeat):
            for name, executor in (("serial", "serial"), ("process", "process"),
                                   ("dask", DaskExecutor(client=client))):
                wall, kpis = timed(executor)
                walls[name].append(wall)
                print(f"  {name:8} {wall:7.2f} s", flush=True)
                if name == "serial":
                    k_serial = kpis
                elif name == "process":
                    k_process = kpis
                else:
                    k_dask = kpis
        t1 = time.perf_counter()
        client.gather(client.map(_noop, range(200), pure=False))
        t_noop = (time.perf_counter() - t1) / 200
    t_serial, t_process, t_dask = (min(walls[k]) for k in ("serial", "process", "dask"))
    w = args.workers
    print(f"serial   {t_serial:7.2f} s   {t_serial / n_tasks * 1000:.0f} ms per task; the serial run got "
          f"{max(cpu_share):.0%} of a core")
    print(f"process  {t_process:7.2f} s   speed-up {t_serial / t_process:.2f}x over serial (pool start-up included)")
    if cpu_workers:
        serial_cpu, worker_cpu = min(cpu_serial) / n_tasks, min(cpu_workers) / n_tasks
        print(f"         CPU per task: {worker_cpu * 1000:.0f} ms in process workers vs {serial_cpu * 1000:.0f} ms "
              f"serial ({worker_cpu / serial_cpu - 1:+.0%}: the executor's own CPU cost, independent of load)")
    print(f"dask     {t_dask:7.2f} s   speed-up {t_serial / t_dask:.2f}x over serial "
          f"(cluster already running; starting it took {t_start:.2f} s)")
    print(f"dask overhead per task: {t_noop * 1000:.1f} ms round-trip for a no-op task; in the sweep, "
          f"{(w * t_dask - t_serial) / n_tasks * 1000:.0f} ms of worker time over serial and "
          f"{w * (t_dask - t_process) / n_tasks * 1000:+.0f} ms over the process executor")
    same = k_serial.equals(k_process) and k_serial.equals(k_dask)
    print(f"  identical KPIs on serial, process and dask: {same}")
    print(f"  load average now {os.getloadavg()[0]:.2f} (other work on the machine slows the parallel runs)")
    if _autogroup() and max(os.getloadavg()[0], load_before) > (os.cpu_count() or 1):
        print("  note: the kernel schedules by session (sched_autogroup_enabled=1) and other sessions are busy: "
              "this benchmark's processes share one session's CPU share, so parallel executors cannot reach "
              "their speed-up until the machine is otherwise idle")
    target = 1.7
    verdict = "meets" if t_serial / t_process >= target else "misses"
    print(f"process speed-up {t_serial / t_process:.2f}x {verdict} the {target}x target for {n_tasks} tasks "
          f"on {args.workers} workers")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
