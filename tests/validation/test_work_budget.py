"""Speed cannot be lost quietly (issue 17, item 7): the SimPy events and the function calls of one
short replication of every shipped scenario and the 300k scenario stay within 10 % of the stored
baseline (benchmarks/work_baseline.json). Both are deterministic, unlike timings on a shared machine.

A change that adds work on purpose refreshes the baseline in the same commit:
`PYTHONPATH=. python -m benchmarks.work --write` (or `make bench-baseline`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import work


@pytest.fixture(scope="module")
def current() -> dict[str, dict[str, int]]:
    return work.measure_all()


def test_no_scenario_does_more_work_than_the_baseline_allows(current: dict[str, dict[str, int]]) -> None:
    problems = work.rises(current, work.load_baseline())
    assert not problems, ("more work than benchmarks/work_baseline.json allows:\n" + "\n".join(problems)
                          + "\nif intended, refresh it: PYTHONPATH=. python -m benchmarks.work --write")


def test_every_shipped_scenario_is_measured(current: dict[str, dict[str, int]]) -> None:
    assert set(work.load_baseline()["scenarios"]) == set(current)
    assert all(m["simpy_events"] > 0 and m["calls"] > 0 and m["wagons"] > 0 for m in current.values())


def test_the_check_fails_on_a_rise_over_ten_percent() -> None:
    baseline = {"scenarios": {"s.yaml": {"simpy_events": 1000, "calls": 10_000, "wagons": 5}}}
    assert not work.rises({"s.yaml": {"simpy_events": 1100, "calls": 11_000, "wagons": 5}}, baseline)
    slower = work.rises({"s.yaml": {"simpy_events": 1000, "calls": 11_001, "wagons": 5}}, baseline)
    assert len(slower) == 1 and "calls 11,001" in slower[0]
    more_events = work.rises({"s.yaml": {"simpy_events": 1101, "calls": 10_000, "wagons": 5}}, baseline)
    assert len(more_events) == 1 and "simpy_events" in more_events[0]
    assert "not in" in work.rises({"new.yaml": {"simpy_events": 1, "calls": 1, "wagons": 1}}, baseline)[0]


def test_calls_are_counted_by_their_caller_so_a_librarys_version_cannot_move_them(tmp_path: Path) -> None:
    """Only calls made by code in the given folders count: what a library does inside the one call
    made into it (which its next version may change) is not ours."""
    import cProfile
    import importlib.util
    import json as library  # stands for numpy or pandas: code outside the counted folders

    ours = tmp_path / "ours"
    ours.mkdir()
    (ours / "model.py").write_text("import json\n\ndef step(n):\n    for _ in range(n):\n        json.dumps([1])\n",
                                   encoding="utf-8")
    spec = importlib.util.spec_from_file_location("ours_model", ours / "model.py")
    assert spec is not None and spec.loader is not None
    model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(model)
    profiler = cProfile.Profile()
    profiler.enable()
    model.step(7)
    library.dumps({"a": [1, 2, 3]})  # a library's own calls, made from outside our folders
    profiler.disable()
    assert work.calls_by(profiler, (str(ours),)) == 7  # seven json.dumps; none of what dumps calls inside
