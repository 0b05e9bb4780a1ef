"""Comparisons and sweeps hold every task's results at once: their sum is bounded like one run's daily rows."""

from __future__ import annotations

import gc
import pickle
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

import sim
from sim.decision.evaluate import Evaluator, kpi_measure
from sim.experiments import executors, held
from sim.experiments.compare import DAILY_KEPT
from sim.experiments.replication import ReplicationResult
from sim.experiments.runner import replication_tasks, run_tasks
from sim.experiments.workdir import WorkDir
from sim.scenario import limits
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"
pytestmark = pytest.mark.filterwarnings("ignore:.*changes nothing in this run")
CHEAP = {"demand.grain.tonnes_per_year": 100_000, "demand.containers.trains_per_day": 0.2}


@pytest.fixture(scope="module")
def short() -> Scenario:
    return sim.load_scenario(BASELINE).with_changes({**CHEAP, "duration": "3d"})


@pytest.fixture(autouse=True)
def runs_own_tables_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests lower MAX_DAILY_ROWS to a few hundred rows to reach the bound on results held
    together; each scenario's own bound, which counts a replication's tables as REPLICATION_ROWS
    (sim.scenario.limits), would refuse them first. A test that needs it sets it again."""
    monkeypatch.setattr(limits, "REPLICATION_ROWS", 0)


@pytest.fixture
def no_task_may_start(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(task: Any) -> Any:
        raise AssertionError(f"a task started: {task.describe()}")

    monkeypatch.setattr(executors, "execute", refuse)


def _pair(s: Scenario) -> list[Scenario]:
    return [s, s.with_changes({"unloading.grain.points": 9})]


def test_a_comparison_just_over_the_limit_is_refused_before_any_task(
        short: Scenario, monkeypatch: pytest.MonkeyPatch, no_task_may_start: None) -> None:
    per = held.compare_rows(short)  # 3 days at 1/4 (rounded up), 57 for its frames, 3 KPI rows, 1 for its events
    assert per == 1 + 57 + 3 + 1
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 2 * 3 * per - 1)
    with pytest.raises(held.HeldRowsError) as caught:
        sim.compare(_pair(short), replications=3, names=["base", "nine"], executor="serial")
    message = str(caught.value)
    assert message.startswith("compare: 2 scenarios x 3 replications")
    assert f"base {3 * per} + nine {3 * per} = {6 * per} daily rows' worth" in message
    assert f"the limit is {6 * per - 1}" in message
    assert "use at most 2 replications" in message and "a shorter `duration`" in message
    assert isinstance(caught.value, ValueError) and caught.value.exit_code == 2


def test_a_comparison_at_the_limit_runs(short: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 2 * 2 * held.compare_rows(short))
    result = sim.compare(_pair(short), replications=2, seed=3, executor="serial")
    assert len(result.daily) == 2 * 2 * 3  # scenarios x replications x days, cargo `all` only


def test_a_comparison_of_unequal_parts_names_each(short: Scenario, monkeypatch: pytest.MonkeyPatch,
                                                  no_task_may_start: None) -> None:
    """Parts with their own duration count their own rows; the total, not any one part, is refused."""
    year = short.with_changes({"duration": "365d"})
    rows = [held.compare_rows(s) for s in (short, year, short)]
    assert rows[1] == 92 + 57 + 3 + 4
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 2 * sum(rows) - 1)  # each part alone is far below
    with pytest.raises(held.HeldRowsError) as caught:
        sim.compare([short, year, short], replications=2, names=["a", "b", "c"], executor="serial")
    message = str(caught.value)
    assert f"a {2 * rows[0]} + b {2 * rows[1]} + c {2 * rows[0]} = {2 * sum(rows)}" in message
    assert f"{rows[0]} for 3 days, {rows[1]} for 365 days" in message
    assert "at most 2 scenarios" in message


def test_a_sweep_just_over_the_limit_is_refused_before_any_task(
        short: Scenario, monkeypatch: pytest.MonkeyPatch, no_task_may_start: None) -> None:
    per = held.task_rows(short)
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 3 * 4 * per - 1)
    with pytest.raises(held.HeldRowsError) as caught:
        sim.sweep(short, {"unloading.grain.points": [4, 6, 8]}, replications=4, executor="serial")
    message = str(caught.value)
    assert message.startswith(f"sweep: 3 points of {short.name} x 4 replications are 12 tasks")
    assert f"worth {per} of a run's daily rows each; a sweep keeps no daily series): {12 * per} daily rows'" in message
    assert f"the limit is {12 * per - 1}" in message
    assert "use at most 3 replications per point" in message and "at most 2 points at 4 replications" in message


def test_a_sweep_at_the_limit_runs(short: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 2 * 2 * held.task_rows(short))
    result = sim.sweep(short, {"unloading.grain.points": [4, 6]}, replications=2, executor="serial")
    assert len(result.kpis) == 2 * 2 * 3


def test_a_sweep_varying_duration_counts_each_point(short: Scenario, monkeypatch: pytest.MonkeyPatch,
                                                    no_task_may_start: None) -> None:
    one = short.with_changes({"replications": 1})
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 365 * 3)  # each point alone is a valid run
    with pytest.raises(held.HeldRowsError, match=r"worth 61 to 64, by the point's `duration`, of a run's daily rows"
                                                 r" each; a sweep keeps no daily series\): 1,375 daily rows"):
        sim.sweep(one, {"duration": ["1d", "365d"]}, replications=11, executor="serial")


def _held_bytes(result: ReplicationResult) -> float:
    """Bytes one finished replication's result holds once loaded in this process (as from a worker)."""
    blob = pickle.dumps(result)
    gc.collect()
    tracemalloc.start()
    copies = [pickle.loads(blob) for _ in range(10)]
    held_now = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(copies) == 10
    return held_now / 10


def test_the_counted_shares_cover_what_a_task_holds() -> None:
    """Against a run's task (every daily row, what MAX_DAILY_ROWS counts), a comparison's and a sweep's
    tasks hold at most the share counted for them (held: 0.094 and 0.043 of it; counted 0.142, 0.058, from
    the peak memory of benchmarks/bench_held.py, where their parts weigh more against a run's rows)."""
    s = sim.load_scenario(BASELINE).with_changes({**CHEAP, "duration": "365d"})
    held_by: dict[str, float] = {}
    for kind, keep_series, keep_daily in (("run", True, ()), ("compare", False, DAILY_KEPT), ("sweep", False, ())):
        (task,) = replication_tasks(s, [0], 1, keep_series=keep_series, keep_daily=keep_daily)
        held_by[kind] = _held_bytes(executors.execute(task))
    run_rows = 365 * limits.series_count(s)
    assert held_by["compare"] / held_by["run"] <= held.compare_rows(s) / run_rows
    assert held_by["sweep"] / held_by["run"] <= held.task_rows(s) / run_rows


def test_run_tasks_keeps_what_keep_returns_also_of_saved_parts(short: Scenario, tmp_path: Path) -> None:
    """A search's batch holds each task's measures, never its tables, whether computed or reused."""
    tasks = replication_tasks(short, range(3), 5)
    work = WorkDir.open(tmp_path / "w", resume=False, manifest={"kind": "test"})
    first, reused = run_tasks(tasks[:2], "serial", workdir=work, keep=lambda r: r.replication)
    assert (first, reused) == ({t.key: t.replication for t in tasks[:2]}, 0)
    again, reused = run_tasks(tasks, "serial", workdir=work, keep=lambda r: r.replication)
    assert (again, reused) == ({t.key: t.replication for t in tasks}, 2)


def test_a_search_with_dated_targets_holds_only_measures(short: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """Searches (calibrate, optimise, sensitivity, history, joint) run their tasks through Evaluator,
    which keeps a few measured values per task: they need no bound on rows held."""
    from sim.decision import evaluate

    kept: list[Any] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        out = run_tasks(*args, **kwargs)
        kept.extend(out[0].values())
        return out

    monkeypatch.setattr(evaluate, "run_tasks", spy)
    ev = Evaluator(short, kpi_measure([("backlog_wagons_mean", "all")]), 2, 1, "serial", keep_series=True)
    (cand,) = ev.evaluate([{"unloading.grain.points": 7}])
    assert len(kept) == 2 and all(set(v) == {"backlog_wagons_mean@all"} for v in kept)
    assert cand.n("backlog_wagons_mean@all") == 2


def test_replicate_until_precise_bounds_the_run_it_may_grow_to(short: Scenario, monkeypatch: pytest.MonkeyPatch,
                                                               no_task_may_start: None) -> None:
    """One run, but it may grow to `max_replications`: the API refuses what `run --precision` refuses."""
    from sim.decision.errors import InputError
    from sim.decision.precision import replicate_until_precise

    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 10 * 3 * 3)  # the scenario's own 10 replications fit
    with pytest.raises(InputError, match=r"max_replications: invalid argument\n.*11 replications x 3 days x 3 series"):
        replicate_until_precise(short, "5%", initial=2, max_replications=11, executor="serial")


def test_the_workbench_refuses_a_run_that_with_the_kept_runs_is_too_many(
        short: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workbench keeps its baseline and the results shown (every daily row) while a new run computes."""
    pytest.importorskip("panel")
    from sim.app import page

    bench = page.Workbench()
    monkeypatch.setattr(limits, "REPLICATION_ROWS", 80)
    per = 3 * 3 + 80  # a replication: 3 days x 3 series, and its own tables counted as 80 rows
    done = sim.run(short, replications=2, seed=1, executor="serial")  # 2 x 89 = 178 rows
    other = sim.run(short, replications=1, seed=1, executor="serial")  # 89 rows
    bench.results = bench.baseline = done
    bench.scenario = lambda: short  # type: ignore[method-assign]
    bench.replications.value = 4  # 356 rows
    started: list[Any] = []
    monkeypatch.setattr(page.Job, "start", lambda job: started.append(job) or job)
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 6 * per - 1)
    bench._start()
    assert not started and bench.message.visible
    assert bench.message.object == (
        f"{short.name}: 4 replications are worth 356 daily rows (each replication's own tables counted as 80 "
        "more), and the baseline (shown) 178 are kept while it runs: 534 daily rows together; the limit is 533, "
        "as for one run (what a run and its report hold in 1 GB of memory) — use at most 3 replications")
    bench.results = other  # shown, no longer the baseline: both are kept
    monkeypatch.setattr(limits, "MAX_DAILY_ROWS", 7 * per)
    bench._start()
    assert len(started) == 1 and started[0].replications == 4
    bench.watch.close()  # (its timer; the job, never started, has nothing to cancel)


def test_a_task_of_a_corridor_counts_each_kpi_row() -> None:
    """KPI rows are each cargo and all, per crossing and for the corridor: as wide as a daily row each."""
    corridor = sim.load_scenario(ROOT / "scenarios" / "corridor" / "corridor.yaml")
    assert limits.series_count(corridor) == 9  # (2 cargo + all) x (2 crossings + the corridor)
    assert held.task_rows(corridor) == 57 + 9 + 4  # frames, KPI rows, a year's events
