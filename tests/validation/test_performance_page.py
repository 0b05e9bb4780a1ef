"""The README's Performance section and docs/performance.md are generated from bench.json (issue 17,
acceptance): the committed text is what benchmarks/performance_page.py renders from the committed
bench.json, so figures and text cannot drift apart; a section bench.json lacks renders as "not
measured", never as an invented figure; and the benches that share bench.json keep each other's sections.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import bench_model, performance_page, record
from benchmarks.performance_page import NOT_MEASURED, PageError, render


def _target_rows(block: str) -> dict[str, tuple[str, str]]:
    """The targets table: label -> (figure, verdict)."""
    rows = [line.split(" | ") for line in block.splitlines() if line.startswith("| ") and line.count(" | ") == 2]
    return {r[0].removeprefix("| "): (r[1], r[2].removesuffix(" |")) for r in rows if r[0] != "| target (issue 17)"}


def _row(block: str, start: str) -> tuple[str, str]:
    matches = [v for k, v in _target_rows(block).items() if k.startswith(start)]
    assert len(matches) == 1, f"one target row starting {start!r} in:\n{block}"
    return matches[0]


def _scenario(path: str, us: float, ref: float | None, subset_us: float | None = None) -> dict[str, Any]:
    timing = {"wall_s": 0.5, "cpu_s": 0.4, "cpu_s_runs": [0.4, 0.41, 0.39], "us_per_wagon": us,
              "events_per_wagon": 0.2, "wagons": 100_000}
    return {"path": path, "years": 0.5, "product": timing,
            "reference": None if ref is None else {**timing, "us_per_wagon": ref},
            "subset_product": None if subset_us is None else {**timing, "us_per_wagon": subset_us},
            "reference_dropped": [] if subset_us is None else ["fleet"],
            "memory": {"maxrss_mb": 120.0, "rss_after_import_mb": 110.0, "tracemalloc_peak_mb": 2.5},
            "agreement": []}


COMPLETE: dict[str, Any] = {
    "scenarios": [_scenario("scenarios/baseline_2023.yaml", 3.0, 100.0, subset_us=2.5),
                  _scenario("benchmarks/scenarios/crossing_300k.yaml", 1.0, 35.0)],
    "ten_year_memory": {"maxrss_mb": 150.0, "rss_after_import_mb": 110.0, "tracemalloc_peak_mb": 14.0},
    "machine": {"python": "3.11.7", "cpus": 2, "load_average_start": 0.4, "load_average_end": 0.9,
                "date": "2026-12-03 17:00 UTC"},
    "startup": {"import sim": {"wall_s": 0.03, "cpu_s": 0.03, "target_s": 0.3},
                "import sim.cli": {"wall_s": 0.08, "cpu_s": 0.08, "target_s": 0.3},
                "dostyk --help": {"wall_s": 0.09, "cpu_s": 0.09, "target_s": 0.5},
                "dostyk validate": {"wall_s": 0.6, "cpu_s": 0.55, "target_s": 0.5}},
    "work": {"scenarios/baseline_2023.yaml": {"simpy_events": 2824, "calls": 267_571, "wagons": 10_000}},
    "work_baseline": {"scenarios/baseline_2023.yaml": {"simpy_events": 2824, "calls": 250_000, "wagons": 10_000}},
    "time_shares": {"scenarios/baseline_2023.yaml": {"total": 0.4, "SimPy's event loop": 0.05, "model generators": 0.15,
                                                     "unloading": 0.1, "daily folding": 0.08, "set-up and results": 0.02,
                                                     "wagons": 150_000.0}},
    "floor": {"benchmarks/scenarios/crossing_300k.yaml": {"us_per_wagon": {"reference": 14.0, "product": 1.2,
                                                                           "simpy": 0.2, "queue": 0.2},
                                                          "dropped": []}},
    "calibration": {"candidates": 100, "replications_each": 5, "workers": 2, "replications_run": 480,
                    "wall_s": 110.0, "parent_cpu_s": 4.0, "single_run_cpu_s": 0.4, "worker_s_per_replication": 0.45,
                    "load_average_start": 0.5, "target_wall_s": 120},
    "executors": {"task": "one replication of baseline-2023 over 90d", "workers": 2, "cpus": 2,
                  "serial": {"tasks": 100, "wall_s": 25.0, "runs_per_s": 4.0, "cpu_share": 0.99},
                  "process": {"tasks": 1000, "wall_s": 135.0, "runs_per_s": 7.4, "speedup": 1.85},
                  "dask": {"tasks": 1000, "wall_s": 160.0, "runs_per_s": 6.25, "speedup": 1.5625,
                           "cluster_start_s": 2.0, "speedup_with_start": 1.54, "noop_roundtrip_ms": 3.0},
                  "identical_kpis": True,
                  "targets": {"process_speedup": 1.8, "dask_speedup": 1.6, "dask_tasks": 1000},
                  "load_average_start": 0.3, "load_average_end": 1.9},
}


def test_committed_pages_are_rendered_from_the_committed_bench_json() -> None:
    assert performance_page.BENCH_JSON.exists(), "bench.json, the figures of record, is committed at the root"
    bench = performance_page.load()
    for page, (old, new) in performance_page.updated_pages(bench).items():
        assert old == new, (f"{page.name}: its bench block is not what bench.json gives; "
                            "run `python -m benchmarks.performance_page` (make bench does) and commit both")


def test_a_complete_bench_json_gives_each_target_its_figure_and_verdict() -> None:
    block = render(COMPLETE)
    assert "| baseline_2023 | 3.00 | 40.0×' | 0.800 | 120 MB (2.5 MB) |" in block  # subset ratio, marked '
    assert "| crossing_300k (benchmark) | 1.00 | 35.0× | 0.800 | 120 MB (2.5 MB) |" in block
    assert _row(block, "every shipped scenario") == ("lowest 35.0× (crossing_300k (benchmark)), highest 40.0×", "met")
    figure, verdict = _row(block, "calibration of 500")
    assert "110.0 s wall, 100 candidates × 5 replications" in figure and verdict == "met"
    assert _row(block, "process executor")[1] == "met" and "1.85×" in _row(block, "process executor")[0]
    assert _row(block, "sweep of 1,000 runs")[1] == "**NOT met**"  # 1.56 < 0.8 x 2
    assert _row(block, "10-year run")[1] == "met" and "×1.25" in _row(block, "10-year run")[0]
    assert _row(block, "`dostyk validate`") == ("0.550 s CPU (0.600 s wall)", "**NOT met**")
    assert _row(block, "`import sim` ")[1] == "met"
    assert _row(block, "SimPy events and function calls")[1] == "met"  # calls ×1.070: within 10 %
    assert "load average 0.4 at start and 0.9 at end" in block and "a task is one replication" in block
    assert NOT_MEASURED not in block


@pytest.mark.parametrize(("change", "row", "verdict"), [
    (lambda b: b["calibration"].update(candidates=40), "calibration of 500", f"{NOT_MEASURED} at 500 runs (200 runs)"),
    (lambda b: b["executors"]["dask"].update(tasks=20), "sweep of 1,000 runs", f"{NOT_MEASURED} at 1,000 runs"),
    (lambda b: b["executors"]["process"].update(speedup=1.2), "process executor", "**NOT met**"),
    (lambda b: b["ten_year_memory"].update(maxrss_mb=320.0), "10-year run", "**NOT met**"),
    (lambda b: b["work"]["scenarios/baseline_2023.yaml"].update(calls=280_000), "SimPy events", "**NOT met**"),
    (lambda b: b["scenarios"][1]["reference"].update(us_per_wagon=20.0), "every shipped scenario", "**NOT met**"),
    (lambda b: b["scenarios"][1].update(reference=None), "every shipped scenario", NOT_MEASURED),
    (lambda b: b["work"].update({"scenarios/jan2024_admin_hold.yaml": {}}), "every shipped scenario", NOT_MEASURED),
])
def test_each_verdict_follows_its_figure(change: Any, row: str, verdict: str) -> None:
    bench = copy.deepcopy(COMPLETE)
    change(bench)
    assert _row(render(bench), row)[1] == verdict


@pytest.mark.parametrize("bench", [
    {},
    {"scenarios": "not a list", "executors": [1, 2], "machine": 5, "calibration": None, "startup": "x"},
    {"scenarios": 5, "executors": {"targets": 3}, "work": [], "work_baseline": 1},
    {"scenarios": [{"path": "scenarios/x.yaml"}, {"no": "path"}], "executors": {"process": {"speedup": 2.0}},
     "calibration": {"wall_s": 100.0}, "startup": {"import sim": {}}, "work": {"a": {"simpy_events": 5}},
     "ten_year_memory": {"maxrss_mb": "many"}},
    {"scenarios": [{"path": "benchmarks/scenarios/crossing_300k.yaml", "years": 0, "memory": {"maxrss_mb": 0},
                    "product": {"us_per_wagon": 0, "cpu_s": 1}, "reference": {"us_per_wagon": 5}}],
     "ten_year_memory": {"maxrss_mb": 10}, "executors": {"process": {"speedup": float("nan"), "tasks": 4},
                                                         "targets": {"process_speedup": 1.8}}},
])
def test_missing_or_partial_sections_render_as_not_measured(bench: dict[str, Any]) -> None:
    block = render(bench)
    rows = _target_rows(block)
    assert len(rows) == 10
    for label, (figure, verdict) in rows.items():
        assert verdict == NOT_MEASURED, f"{label}: {figure} -> {verdict}"
        assert not any(ch.isdigit() for ch in figure), f"{label}: a figure from nowhere: {figure}"


def test_one_missing_section_leaves_the_others_measured() -> None:
    bench = {k: v for k, v in COMPLETE.items() if k not in ("executors", "ten_year_memory")}
    block = render(bench)
    assert _row(block, "process executor") == (NOT_MEASURED, NOT_MEASURED)
    assert _row(block, "10-year run") == (NOT_MEASURED, NOT_MEASURED)
    assert _row(block, "calibration of 500")[1] == "met"


def test_pages_are_rewritten_only_between_the_markers_and_all_or_nothing(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("before\n<!-- bench:start -->\nold figures\n<!-- bench:end -->\nafter\n", encoding="utf-8")
    bad = tmp_path / "bad.md"
    bad.write_text("no markers here\n", encoding="utf-8")
    with pytest.raises(PageError, match=r"bad\.md: expected exactly one block"):
        performance_page.write_pages(COMPLETE, (good, bad))
    assert "old figures" in good.read_text(encoding="utf-8")  # nothing written when one page fails
    assert performance_page.write_pages(COMPLETE, (good,)) == [good]
    text = good.read_text(encoding="utf-8")
    assert text.startswith("before\n<!-- bench:start") and text.endswith("<!-- bench:end -->\nafter\n")
    assert "old figures" not in text and "40.0×'" in text
    assert performance_page.write_pages(COMPLETE, (good,)) == []  # up to date: not touched
    twice = tmp_path / "twice.md"
    twice.write_text(good.read_text(encoding="utf-8") * 2, encoding="utf-8")
    with pytest.raises(PageError, match=r"twice\.md"):
        performance_page.write_pages(COMPLETE, (twice,))


def test_unreadable_bench_json_is_refused_with_its_name(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(PageError, match=r"bench\.json: not readable JSON"):
        performance_page.load(path)
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(PageError, match="expected a JSON object"):
        performance_page.load(path)
    assert performance_page.load(tmp_path / "absent.json") == {}


def test_each_bench_keeps_the_sections_the_others_wrote(tmp_path: Path) -> None:
    path = tmp_path / "bench.json"
    path.write_text(json.dumps({"scenarios": ["old"], "calibration": {"wall_s": 1}, "executors": {"workers": 2}}))
    record.write_json(path, {"scenarios": ["new"]}, keep=bench_model.OTHER_SECTIONS)
    assert json.loads(path.read_text()) == {"scenarios": ["new"], "calibration": {"wall_s": 1}, "executors": {"workers": 2}}
    record.write_json(path, {"executors": {"workers": 3}}, keep=(*bench_model.MODEL_SECTIONS, "calibration"))
    assert json.loads(path.read_text()) == {"scenarios": ["new"], "calibration": {"wall_s": 1}, "executors": {"workers": 3}}
    assert record.other_sections(path, "executors") == ("scenarios", "calibration")  # the floor bench keeps them
    assert record.other_sections(tmp_path / "none.json", "floor") == ()
    written = set(bench_model._jsonable([], None, 0.0)) | {"startup", "work", "work_baseline", "time_shares",
                                                                  "floor"}
    assert written == set(bench_model.MODEL_SECTIONS)  # a new section of the model bench is kept by the others


def test_the_command_checks_and_refuses_with_the_file_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert performance_page.main(["--check"]) == 0  # the committed pages are up to date
    bad = tmp_path / "bench.json"
    bad.write_text("{", encoding="utf-8")
    assert performance_page.main(["--check", "--json", str(bad)]) == 2
    assert f"error: {bad}: not readable JSON" in capsys.readouterr().err


def test_the_executor_bench_sizes_its_sweeps_and_compares_the_tasks_they_share() -> None:
    import pandas as pd

    from benchmarks import bench_executors as be

    assert be._sizes(1000, 100) == (250, 25)     # 1,000 tasks; serial on the first 100
    assert be._sizes(10, 1000) == (2, 2)         # serial never runs more than the sweep
    assert be._sizes(3, None) == (1, 1)          # at least one replication per point
    full = pd.DataFrame({"unloading.grain.points": [5, 5, 6, 6], "replication": [0, 1, 0, 1],
                         "cargo": ["all"] * 4, "wagons": [10, 11, 12, 13]})
    serial = full[full["replication"] < 1].iloc[::-1]  # same rows, another order
    assert be._same_on_shared(serial, full, 1)
    assert not be._same_on_shared(serial.assign(wagons=[12, 99]), full, 1)


def test_where_the_time_goes_is_rendered_from_its_section() -> None:
    """bench.json's `time_shares` (benchmarks/time_shares.py) becomes a table of percentages of each
    scenario's replication; a section with a part missing or a zero total is not measured."""
    parts = {"SimPy's event loop": 0.1, "model generators": 0.2, "unloading": 0.05, "daily folding": 0.1,
             "set-up and results": 0.05}
    block = render({"time_shares": {"benchmarks/scenarios/crossing_300k.yaml": {"total": 0.5, **parts}}})
    row = next(line for line in block.splitlines() if line.startswith("| crossing_300k"))
    assert row == "| crossing_300k (benchmark) (0.50 s) | 20 % | 40 % | 10 % | 20 % | 10 % |"
    broken = {"a.yaml": {"total": 0.5, **{k: v for k, v in parts.items() if k != "unloading"}},
              "b.yaml": {"total": 0.0, **parts}}
    assert f"Where a replication's time goes: {NOT_MEASURED}." in render({"time_shares": broken})


def test_the_floor_is_rendered_from_its_section() -> None:
    """bench.json's `floor` (benchmarks/floor.py) becomes a row of µs per wagon, the floor ratio and the
    floor's share of the time 30× allows; a row with a figure missing or zero is not measured."""
    us = {"reference": 15.0, "product": 1.5, "simpy": 0.2, "queue": 0.3}
    block = render({"floor": {"benchmarks/scenarios/crossing_300k.yaml": {"us_per_wagon": us, "dropped": []},
                              "scenarios/baseline_2023.yaml": {"us_per_wagon": us, "dropped": ["fleet"]}}})
    rows = [line for line in block.splitlines() if line.startswith(("| crossing_300k", "| baseline_2023"))]
    assert "| crossing_300k (benchmark) | 15.00 | 1.50 (10.0×) | 0.20 | 0.30 | 30.0× | 100 % |" in rows
    assert "| baseline_2023' | 15.00 | 1.50 (10.0×) | 0.20 | 0.30 | 30.0× | 100 % |" in rows
    broken = {"a.yaml": {"us_per_wagon": {**us, "queue": 0.0}}, "b.yaml": {"us_per_wagon": "x"}, "c.yaml": 3}
    assert f"The floor under the per-run ratio: {NOT_MEASURED}." in render({"floor": broken})
