"""The figures of README.md's Performance section and of docs/performance.md, generated from bench.json.

    python -m benchmarks.performance_page            # rewrite both blocks from bench.json (make bench ends so)
    python -m benchmarks.performance_page --check    # exit 1, naming the file, when a block is out of date

Each page holds one block between `<!-- bench:start ... -->` and `<!-- bench:end -->`; only that block
is rewritten, the prose around it is written by hand. bench.json is the record: `make bench` writes
it (benchmarks/bench_model.py, bench_calibration.py and bench_executors.py each add their sections)
and it is committed, so tests/validation/test_performance_page.py can check that the committed text
is what this module renders from it. A section bench.json lacks (a bench not run, or run without its
memory or reference measurements) is rendered as "not measured": no figure is ever filled in.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_JSON = ROOT / "bench.json"
PAGES = (ROOT / "README.md", ROOT / "docs" / "performance.md")
START = "<!-- bench:start (generated from bench.json by `python -m benchmarks.performance_page`; do not edit) -->"
END = "<!-- bench:end -->"
START_PREFIX = "<!-- bench:start"
NOT_MEASURED = "not measured"
RATIO_TARGET = 30.0        # per wagon against the reference (issue 17, item 1)
CALIBRATION_RUNS = 500     # the calibration target's size (item 3)
MEMORY_RATIO, MEMORY_MB = 1.5, 300.0  # 10 years against one, and absolute (item 5)
WORK_TOLERANCE = 0.10      # rise over the stored work baseline that fails (item 7)


class PageError(Exception):
    """bench.json or a page cannot be used; the message names the file and what was expected."""


# --- reading bench.json without trusting its shape ---------------------------------------------

def _sub(d: Any, *keys: str) -> dict[str, Any]:
    """The dict at d[k1][k2]..., or {} when any level is missing or not a dict."""
    for k in keys:
        d = d.get(k) if isinstance(d, dict) else None
    return d if isinstance(d, dict) else {}


def _num(d: Any, *keys: str) -> float | None:
    """The finite number at d[k1]...[kn], or None (missing, null, not a number, NaN or infinite)."""
    *path, last = keys
    v = _sub(d, *path).get(last)
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None


def _fmt(v: float | None, spec: str, unit: str = "") -> str:
    return NOT_MEASURED if v is None else f"{v:{spec}}{unit}"


def _verdict(met: bool | None) -> str:
    return NOT_MEASURED if met is None else "met" if met else "**NOT met**"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _scenarios(bench: dict[str, Any]) -> list[dict[str, Any]]:
    """The scenario entries that name their file (anything else in the list is skipped)."""
    items = bench.get("scenarios")
    return [s for s in items if isinstance(s, dict) and isinstance(s.get("path"), str)] if isinstance(items, list) else []


# --- the per-scenario table ----------------------------------------------------------------------

def _name(path: str) -> str:
    stem = path.removeprefix("scenarios/").removesuffix(".yaml")
    return stem.rsplit("/", 1)[-1] + " (benchmark)" if stem.startswith("benchmarks/") else stem


def scenario_ratio(s: dict[str, Any]) -> tuple[float | None, bool]:
    """Reference µs per wagon over the product's, and whether it was measured on the reduced subset."""
    ref = _num(s, "reference", "us_per_wagon")
    if _sub(s, "subset_product"):
        sub = _num(s, "subset_product", "us_per_wagon")
        return (ref / sub if ref and sub else None), True
    if s.get("reference_dropped"):  # outside the subset, yet the subset was not timed
        return None, True
    prod = _num(s, "product", "us_per_wagon")
    return (ref / prod if ref and prod else None), False


def _scenario_rows(bench: dict[str, Any]) -> list[str]:
    scenarios = _scenarios(bench)
    if not scenarios:
        return [f"Per scenario: {NOT_MEASURED} (bench.json has no `scenarios`; run `make bench`)."]
    rows = ["| scenario | µs CPU / wagon | ratio to the reference | s CPU / simulated year | peak RSS (the run's own) |",
            "|---|---:|---:|---:|---:|"]
    for s in scenarios:
        ratio, subset = scenario_ratio(s)
        cpu, years = _num(s, "product", "cpu_s"), _num(s, "years")
        per_year = cpu / years if cpu is not None and years else None
        rss, run = _num(s, "memory", "maxrss_mb"), _num(s, "memory", "tracemalloc_peak_mb")
        memory = NOT_MEASURED if rss is None else f"{rss:.0f} MB" + (f" ({run:.1f} MB)" if run is not None else "")
        rows.append(f"| {_cell(_name(s['path']))} | {_fmt(_num(s, 'product', 'us_per_wagon'), '.2f')} | "
                    f"{_fmt(ratio, '.1f', '×')}{chr(39) if subset and ratio is not None else ''} | "
                    f"{_fmt(per_year, '.3f')} | {memory} |")
    runs = {len(s["product"]["cpu_s_runs"]) for s in scenarios if isinstance(_sub(s, "product").get("cpu_s_runs"), list)}
    note = (f"One replication of each scenario's horizon, CPU time, median of {_runs(runs)}. "
            "Ratio: the per-wagon SimPy reference's CPU µs per wagon over the product's, side by side in one "
            "loop; marked ' where the reference cannot mirror some of the scenario's features (bench.json's "
            "`reference_dropped` names them) and both models ran on the scenario reduced to its subset. "
            "Peak RSS includes the interpreter and libraries; in brackets the run's own tracemalloc peak.")
    rows += ["", note]
    return rows


def _runs(runs: set[int]) -> str:
    if not runs:
        return "? replications"
    return "/".join(str(n) for n in sorted(runs)) + (" replication" if runs == {1} else " replications")


# --- the targets of issue 17 ---------------------------------------------------------------------

def _per_run(bench: dict[str, Any]) -> tuple[str, str]:
    """Every scenario the same bench counted work for (all shipped ones and the 300k) needs its ratio:
    one timed alone (--only-300k) does not meet a target set for all."""
    ratios: dict[str, float | None] = dict.fromkeys(_sub(bench, "work"))
    ratios |= {s["path"]: scenario_ratio(s)[0] for s in _scenarios(bench)}
    measured = {_name(k): v for k, v in ratios.items() if v is not None}
    if not measured:
        return NOT_MEASURED, _verdict(None)
    low = min(measured, key=measured.__getitem__)
    figure = f"lowest {measured[low]:.1f}× ({low}), highest {max(measured.values()):.1f}×"
    missing = len(ratios) - len(measured)
    if missing:
        figure += f"; {missing} scenario(s) {NOT_MEASURED}"
    met = False if measured[low] < RATIO_TARGET else None if missing else True
    return figure, _verdict(met)


def _calibration(bench: dict[str, Any]) -> tuple[str, str]:
    c = _sub(bench, "calibration")
    wall, cand, each = _num(c, "wall_s"), _num(c, "candidates"), _num(c, "replications_each")
    if wall is None or cand is None or each is None:
        return NOT_MEASURED, _verdict(None)
    runs = int(cand * each)
    figure = f"{wall:,.1f} s wall, {int(cand)} candidates × {int(each)} replications"
    workers, load = _num(c, "workers"), _num(c, "load_average_start")
    if workers is not None:
        figure += f", {int(workers)} workers"
    if load is not None:
        figure += f", load average {load:.1f} at start"
    per, single = _num(c, "worker_s_per_replication"), _num(c, "single_run_cpu_s")
    if per is not None and single is not None:
        figure += f"; {per:.3f} s of a worker per replication against {single:.3f} s CPU alone"
    if runs != CALIBRATION_RUNS:
        return figure, f"{NOT_MEASURED} at {CALIBRATION_RUNS} runs ({runs} runs)"
    return figure, _verdict(wall < (_num(c, "target_wall_s") or 120.0))


def _executor(bench: dict[str, Any], name: str) -> tuple[str, str]:
    e = _sub(bench, "executors")
    speedup, target = _num(e, name, "speedup"), _num(e, "targets", f"{name}_speedup")
    tasks, serial_tasks, workers = _num(e, name, "tasks"), _num(e, "serial", "tasks"), _num(e, "workers")
    if speedup is None or target is None or tasks is None:
        return NOT_MEASURED, _verdict(None)
    figure = (f"{speedup:.2f}× serial's runs/s, {int(tasks):,} tasks"
              + (f" on {int(workers)} workers" if workers is not None else "")
              + (f" (serial on {int(serial_tasks):,})" if serial_tasks is not None else ""))
    if name == "dask":
        start = _num(e, "dask", "speedup_with_start")
        if start is not None:
            figure += f"; {start:.2f}× with the cluster's start-up"
        needed = _num(e, "targets", "dask_tasks")
        if needed is not None and tasks < needed:
            return figure, f"{NOT_MEASURED} at {int(needed):,} runs"
    if e.get("identical_kpis") is False:
        figure += "; KPIs differed from serial's"
    return figure, _verdict(speedup >= target)


def _memory(bench: dict[str, Any]) -> tuple[str, str]:
    big = next((s for s in _scenarios(bench) if s["path"].endswith("crossing_300k.yaml")), {})
    one, ten = _num(big, "memory", "maxrss_mb"), _num(bench, "ten_year_memory", "maxrss_mb")
    if not one or ten is None:
        return NOT_MEASURED, _verdict(None)
    return (f"peak RSS {ten:.0f} MB for 10 years against {one:.0f} MB for one (×{ten / one:.2f}), 300k scenario",
            _verdict(ten / one <= MEMORY_RATIO and ten < MEMORY_MB))


def _startup(bench: dict[str, Any]) -> list[tuple[str, str, str]]:
    from benchmarks.startup import COMMANDS

    startup = _sub(bench, "startup")
    rows = []
    for command, (_, default_target) in COMMANDS.items():
        cpu, wall, target = (_num(startup, command, k) for k in ("cpu_s", "wall_s", "target_s"))
        target = default_target if target is None else target
        label = f"`{command}` < {target:g} s (CPU, fresh process)"
        if cpu is None:
            rows.append((label, NOT_MEASURED, _verdict(None)))
        else:
            rows.append((label, f"{cpu:.3f} s CPU ({_fmt(wall, '.3f', ' s')} wall)", _verdict(cpu < target)))
    return rows


def _work(bench: dict[str, Any]) -> tuple[str, str]:
    now, then = _sub(bench, "work"), _sub(bench, "work_baseline")
    if not now:
        return NOT_MEASURED, _verdict(None)
    if not then:
        return f"{NOT_MEASURED} (bench.json has no `work_baseline` to compare with)", _verdict(None)
    highest: dict[str, float] = {}
    unmatched = 0
    for name in now:
        for measure in ("simpy_events", "calls"):
            a, b = _num(now, name, measure), _num(then, name, measure)
            if a is None or not b:
                unmatched += 1
                continue
            highest[measure] = max(highest.get(measure, 0.0), a / b)
    if not highest:
        return NOT_MEASURED, _verdict(None)
    figure = (f"highest ×{_fmt(highest.get('simpy_events'), '.3f')} SimPy events, "
              f"×{_fmt(highest.get('calls'), '.3f')} function calls of the baseline, {len(now)} scenarios")
    if unmatched:
        figure += f"; {unmatched} count(s) without a baseline"
    over = any(r > 1 + WORK_TOLERANCE for r in highest.values())
    return figure, _verdict(False if over else None if unmatched else True)


def _target_rows(bench: dict[str, Any]) -> list[str]:
    e = _sub(bench, "executors")
    dask_target = _num(e, "targets", "dask_speedup")
    dask = f"{dask_target:.1f}×" if dask_target is not None else "1.6×"
    rows: list[tuple[str, Callable[[dict[str, Any]], tuple[str, str]]]] = [
        (f"every shipped scenario and the 300k scenario ≥ {RATIO_TARGET:.0f}× the reference per wagon", _per_run),
        (f"calibration of {CALIBRATION_RUNS} one-year replications < 120 s on 2 idle cores", _calibration),
        ("process executor ≥ 1.8× serial on 2 cores", lambda b: _executor(b, "process")),
        (f"sweep of 1,000 runs on a Dask LocalCluster of 2 workers ≥ 0.8 × 2 = {dask} serial",
         lambda b: _executor(b, "dask")),
        (f"10-year run ≤ {MEMORY_RATIO}× the memory of one year and < {MEMORY_MB:.0f} MB", _memory),
    ]
    out = ["| target (issue 17) | measured | |", "|---|---|---|"]
    out += [f"| {_cell(label)} | {_cell(figure)} | {verdict} |" for label, fn in rows for figure, verdict in [fn(bench)]]
    out += [f"| {_cell(label)} | {_cell(figure)} | {verdict} |" for label, figure, verdict in _startup(bench)]
    figure, verdict = _work(bench)
    out.append(f"| SimPy events and function calls within {WORK_TOLERANCE:.0%} of benchmarks/work_baseline.json "
               f"| {_cell(figure)} | {verdict} |")
    return out


def _machine(bench: dict[str, Any]) -> list[str]:
    m, c, e = _sub(bench, "machine"), _sub(bench, "calibration"), _sub(bench, "executors")
    parts = []
    if m:
        cpus, py, cpu = _num(m, "cpus"), m.get("python"), m.get("processor")
        parts.append(f"model bench{_date(m)}, {int(cpus) if cpus is not None else '?'} CPUs"
                     f"{f' ({cpu})' if isinstance(cpu, str) else ''}, Python {py or '?'}, load average "
                     f"{_fmt(_num(m, 'load_average_start'), '.1f')} at start and {_fmt(_num(m, 'load_average_end'), '.1f')} at end")
    if c:
        parts.append(f"calibration{_date(c)}, load average {_fmt(_num(c, 'load_average_start'), '.1f')} at start")
    if e:
        parts.append(f"executors{_date(e)}, load average {_fmt(_num(e, 'load_average_start'), '.1f')} "
                     f"at start and {_fmt(_num(e, 'load_average_end'), '.1f')} at end")
    lines = ["Machine: " + ("; ".join(parts) if parts else NOT_MEASURED) + "."]
    if isinstance(e.get("task"), str):
        lines.append(f"Executors: a task is {e['task']}.")
    return lines


def _date(section: dict[str, Any]) -> str:
    date = section.get("date")
    return f" {date}" if isinstance(date, str) else ""


def _time_share_rows(bench: dict[str, Any]) -> list[str]:
    """Where one replication's time goes, per scenario timed so (benchmarks/time_shares.py)."""
    parts = ("SimPy's event loop", "model generators", "unloading", "daily folding", "set-up and results")
    shares = {k: v for k, v in _sub(bench, "time_shares").items()
              if isinstance(v, dict) and (_num(v, "total") or 0) > 0 and all(_num(v, p) is not None for p in parts)}
    if not shares:
        return [f"Where a replication's time goes: {NOT_MEASURED}."]
    rows = ["| where one replication's time goes | " + " | ".join(parts) + " |", "|---|" + "---:|" * len(parts)]
    for path, s in shares.items():
        total = s["total"]
        rows.append(f"| {_cell(_name(path))} ({total:.2f} s) | "
                    + " | ".join(f"{100 * s[p] / total:.0f} %" for p in parts) + " |")
    rows += ["", ("Wall time of the parts of one replication, median of 3 (benchmarks/time_shares.py): SimPy's "
             "event loop is the same number of events as bare timeouts; model generators are the rest of the "
             "simulation (journeys, gates, checks, origin, policies); unloading is scheduling each train's wagons "
             "on the points and recording their times; set-up and results is building the model and the "
             "result tables, KPIs and dwell quantiles.")]
    return rows


def _floor_rows(bench: dict[str, Any]) -> list[str]:
    """The floor under the per-run ratio (benchmarks/floor.py): SimPy's events and the wagon queue alone."""
    keys = ("reference", "product", "simpy", "queue")
    floors = {k: v for k, v in _sub(bench, "floor").items()
              if isinstance(v, dict) and all((_num(v, "us_per_wagon", key) or 0) > 0 for key in keys)}
    if not floors:
        return [f"The floor under the per-run ratio: {NOT_MEASURED}."]
    rows = [("| the floor under the ratio (CPU µs per wagon) | reference | product | SimPy's events alone "
             f"| the wagon queue alone | floor ratio | the floor's share of what {RATIO_TARGET:.0f}× allows |"),
            "|---|" + "---:|" * 6]
    for path, f in floors.items():
        us = f["us_per_wagon"]
        floor = us["simpy"] + us["queue"]
        mark = "'" if f.get("dropped") else ""
        rows.append(f"| {_cell(_name(path))}{mark} | {us['reference']:.2f} | {us['product']:.2f} "
                    f"({us['reference'] / us['product']:.1f}×) | {us['simpy']:.2f} | {us['queue']:.2f} "
                    f"| {us['reference'] / floor:.1f}× | {100 * floor / (us['reference'] / RATIO_TARGET):.0f} % |")
    rows += ["", ("What no model with this event structure and this queue can go below, timed beside the reference "
             "in interleaved rounds (benchmarks/floor.py, median of 3): SimPy's events alone are the run's number of "
             "SimPy events as bare timeouts; the wagon queue alone is the run's own unloading calls replayed on "
             "fresh unloading groups (the same draws and schedules, a heap step per wagon, nothing recorded). The "
             "floor ratio is what the product would reach if everything else it does took no time; ' marks a "
             "scenario reduced to the reference's subset.")]
    return rows


def render(bench: dict[str, Any]) -> str:
    """The block between the markers (markers included) for this bench.json content."""
    body = [START, "", *_scenario_rows(bench), "", *_time_share_rows(bench), "", *_floor_rows(bench), "",
            *_target_rows(bench), "",
            *_machine(bench), "", END]
    return "\n".join(body)


# --- the pages ---------------------------------------------------------------------------------

def load(path: Path = BENCH_JSON) -> dict[str, Any]:
    """bench.json's content; {} when there is none yet (everything renders as not measured)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PageError(f"{path}: not readable JSON ({exc}); regenerate it with `make bench`") from None
    if not isinstance(data, dict):
        raise PageError(f"{path}: expected a JSON object of sections (scenarios, calibration, executors, ...)")
    return data


def replace_block(text: str, block: str, path: Path) -> str:
    """`text` with its one generated block replaced by `block`."""
    start, end = text.find(START_PREFIX), text.find(END)
    if start < 0 or end < start or text.find(START_PREFIX, start + 1) >= 0 or text.find(END, end + 1) >= 0:
        raise PageError(f"{path}: expected exactly one block from a line starting `{START_PREFIX}` "
                        f"to a line `{END}`")
    return text[:start] + block + text[end + len(END):]


def updated_pages(bench: dict[str, Any], pages: tuple[Path, ...] = PAGES) -> dict[Path, tuple[str, str]]:
    """Each page's current text and its text with the block rendered from `bench`."""
    block = render(bench)
    out = {}
    for page in pages:
        old = page.read_text(encoding="utf-8")
        out[page] = (old, replace_block(old, block, page))
    return out


def write_pages(bench: dict[str, Any], pages: tuple[Path, ...] = PAGES) -> list[Path]:
    """Rewrite the pages whose block changed, each atomically, after every page rendered; the changed ones."""
    changed = [(p, new) for p, (old, new) in updated_pages(bench, pages).items() if old != new]
    for page, new in changed:
        tmp = page.with_name(page.name + ".tmp")
        tmp.write_text(new, encoding="utf-8")
        tmp.replace(page)
    return [p for p, _ in changed]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, default=BENCH_JSON, help="the figures (default: bench.json)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page's block is out of date")
    args = parser.parse_args(argv)
    try:
        bench = load(args.json)
        if args.check:
            stale = [p for p, (old, new) in updated_pages(bench).items() if old != new]
            for page in stale:
                print(f"{page.relative_to(ROOT)}: the bench block differs from {args.json.name}; "
                      "run `python -m benchmarks.performance_page`", file=sys.stderr)
            return 1 if stale else 0
        changed = write_pages(bench)
    except PageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("rewrote " + (", ".join(str(p.relative_to(ROOT)) for p in changed) if changed else "nothing (up to date)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
