"""Run and the Order tab follow their background jobs with one watch (sim.app.job_watch), and what a job
warns of on its thread is said on the page, once, not written to the server's console
(sim.app.jobs, sim.app.thread_warnings)."""

from __future__ import annotations

import copy
import threading
import warnings
from pathlib import Path

import pytest
import yaml

pytest.importorskip("panel", reason="the app extra (panel) is not installed")

from sim.app.job_watch import JobWatch
from sim.app.jobs import Job, OrderJob
from sim.app.order_tab import OrderTab
from sim.app.page import Workbench
from sim.app.thread_warnings import kept_warnings
from sim.experiments.consignment import warmup_warning
from sim.model.orders import Order
from sim.scenario.effects import ScenarioWarning, scenario_warnings
from sim.scenario.schema import Scenario
from tests.model.test_orders import STORY


def slipped(name: str) -> Scenario:
    """The orders' story with a window that changes nothing (1.2 × one point is still one): valid, warned of."""
    data = copy.deepcopy(STORY)
    data.update(name=name, warmup="1d", yard={"capacity_wagons": 600}, disruptions=[  # (a yard: the corridor view draws it)
        {"name": "no-op", "target": "unloading.grain", "capacity": 1.2, "from": "2023-01-02", "to": "2023-01-03"}])
    return Scenario.model_validate(data)


def expected_warning(scenario: Scenario) -> str:
    ((path, why),) = scenario_warnings(scenario)
    return f"{scenario.name}: {path}: {why}"  # as sim.experiments.runner.warn_about issues it


def test_run_and_the_order_tab_follow_their_jobs_with_the_same_watch() -> None:
    """The Order tab's poll repeated Run's, line for line: one watch serves both now."""
    bench = Workbench()
    assert isinstance(bench.watch, JobWatch) and isinstance(bench.order.watch, JobWatch)
    assert (bench.watch.button, bench.watch.cancel) == (bench.run_button, bench.cancel_button)
    assert (bench.order.watch.button, bench.order.watch.cancel) == (bench.order.ask, bench.order.cancel)
    assert not hasattr(Workbench, "_tick") and not hasattr(OrderTab, "_tick")


def test_what_a_run_warns_of_is_said_on_the_page_once_and_not_on_the_console(tmp_path: Path) -> None:
    """The run's ScenarioWarning went to the server's stderr (the user saw only "replications done"); the
    form's message that said it is replaced by the run's own."""
    scenario = slipped("slipped-run")
    path = tmp_path / "slipped.yaml"
    path.write_text(yaml.safe_dump(scenario.to_dict()), encoding="utf-8")
    bench = Workbench({path.name: path})
    bench.replications.value = 2
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")  # whatever was shown before in this process is shown again
        bench._start()
        assert bench.job is not None
        bench.job.wait(240)
        bench.watch.tick()
    assert not [w for w in leaked if issubclass(w.category, ScenarioWarning)], [str(w.message) for w in leaked]
    text = expected_warning(scenario)
    assert bench.job.warnings == [text]
    message = bench.message.object
    assert message.startswith("slipped-run: 2 replications done") and message.count(text) == 1, message
    assert bench.message.alert_type == "warning" and bench.results is bench.job.results


def test_an_order_job_keeps_what_it_warns_of_but_the_warmup_the_tab_says_itself() -> None:
    """OrderJob let sim.order_outcomes' warm-up warning reach the console while the tab said its own note;
    the scenario's other warnings are kept for the tab, the warm-up's is the tab's note alone."""
    scenario = slipped("slipped-order")
    order = Order("grain", 5, 13.0)  # in the one-day warm-up
    early = warmup_warning(scenario, order)
    assert early is not None
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        job = OrderJob(scenario, 1, executor="serial", order=order).start()
        job.wait(120)
    assert job.outcomes is not None and job.error is None
    assert not [w for w in leaked if issubclass(w.category, ScenarioWarning)], [str(w.message) for w in leaked]
    assert job.warnings == [expected_warning(scenario)]


def test_a_failed_job_says_what_it_warned_of_before_it_failed() -> None:
    """The warnings are the job's whatever its end: a run that fails keeps them beside its error."""
    class Failing(Job):
        def _compute(self, executor: object) -> None:
            warnings.warn("about to fail", UserWarning, stacklevel=1)
            raise ValueError("boom")

    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        job = Failing(slipped("failing"), 1, executor="serial").start()
        job.wait(60)
    assert job.error == "internal error: ValueError: boom" and job.warnings == ["about to fail"]
    assert not [w for w in leaked if "about to fail" in str(w.message)]


def test_only_the_keeping_thread_s_warnings_are_kept() -> None:
    """Another thread's warning, issued while a job keeps its own, is shown as before, not taken by the job."""
    inside, outside = threading.Event(), threading.Event()
    kept: list[str] = []

    def job() -> None:
        with kept_warnings() as mine:
            inside.set()
            outside.wait(10)
            warnings.warn("the job's", UserWarning, stacklevel=1)
            kept.extend(mine)

    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        thread = threading.Thread(target=job)
        thread.start()
        inside.wait(10)
        warnings.warn("the server's", UserWarning, stacklevel=1)
        outside.set()
        thread.join(10)
    assert kept == ["the job's"] and [str(w.message) for w in shown] == ["the server's"]
