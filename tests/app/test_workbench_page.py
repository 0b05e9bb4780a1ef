"""The workbench's page at the Python level, where the browser adds nothing: warnings, refusals,
runs started twice, what a download writes. (The browser tests are in test_workbench_browser.py.)"""

from __future__ import annotations

import os
import warnings

import pytest

pytest.importorskip("panel", reason="the app extra (panel) is not installed")

from sim.app.page import Workbench


def test_building_the_page_warns_nothing() -> None:
    """Panel 1.9 warns on widgets' `name` and `button_type` (its 2.0 names are `label` and `color`):
    a warning per widget would fill the console of whoever runs `dostyk app`."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Workbench().view()


@pytest.fixture(scope="module")
def short_results():  # type: ignore[no-untyped-def]
    """Two replications of 25 days of the 2023 baseline, named like a path (as an upload may be)."""
    from sim.app.page import shipped_scenarios
    from sim.experiments.runner import run
    from sim.scenario.loader import load_scenario

    scenario = load_scenario(shipped_scenarios()["baseline_2023.yaml"]).with_changes(
        {"duration": "25d", "warmup": "0d", "name": "../../escaped"})
    return run(scenario, replications=2, executor="serial")


def test_downloaded_results_stay_in_one_folder_whatever_the_scenario_name(short_results, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    from sim.experiments.results import Results

    bench = Workbench()
    bench.results = short_results
    archive = zipfile.ZipFile(bench._results_zip())
    folders = {name.split("/", 1)[0] for name in archive.namelist()}
    assert folders == {"escaped"} and bench.download_results.filename == "escaped.zip"
    archive.extractall(tmp_path)
    assert Results.read(tmp_path / "escaped").replications == 2
    assert not any(".." in name for name in archive.namelist()), archive.namelist()


def test_a_second_click_on_run_while_it_runs_starts_nothing_and_closing_cancels() -> None:
    """A double click on Run used to start two runs, the first one's poll never stopped; a tab closed
    mid-run left its workers computing for nobody."""
    import threading

    bench = Workbench()
    assert bench.base is not None
    bench._set_base(bench.base.with_changes({"duration": "25d", "warmup": "0d"}))
    bench.replications.value = 2
    bench._start()
    first = bench.job
    bench._start()
    assert first is not None and bench.job is first
    assert sum(t.name == f"run {first.scenario.name}" for t in threading.enumerate()) == 1
    first.wait(120)
    bench._tick()
    assert bench._poll is None and not bench.run_button.disabled and bench.results is first.results

    bench._start()
    bench.close()
    assert bench.job is not None and bench.job is not first
    bench.job.wait(120)
    assert bench.job.cancelled and bench._poll is None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_cancel_ends_a_long_run_now_not_after_its_replications() -> None:
    """Cancel used to take effect only when the next replication finished: minutes of "running" for a
    run of many years. It ends the workers now (they are gone when cancel() returns, whatever the
    machine's load) and says the run was cancelled."""
    import time

    from sim.app.jobs import Job

    bench = Workbench()
    assert bench.base is not None
    job = Job(bench.base.with_changes({"duration": "36500d", "replications": 2}), 2, workers=2).start()
    deadline = time.monotonic() + 240  # a generous bound on starting two workers, not a measure of speed
    pids: list[int] = []
    while len(pids) < 2 and job.running and time.monotonic() < deadline:
        pids = job._executor.worker_pids() if job._executor is not None else []  # type: ignore[attr-defined]
        time.sleep(0.05)
    assert len(pids) == 2, f"the two workers never started: {pids}"
    job.cancel()
    assert not [pid for pid in pids if _alive(pid)], "cancel() returned with a worker still computing"
    job.wait(120)
    assert not job.running and job.cancelled and job.error is None and job.results is None and job.done == 0


def test_cancel_before_the_workers_start_starts_none(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancel at once after Run (before the run's thread had made its executor, or before that
    executor had its pool) was lost: the workers started and the run went on until a replication
    of maybe many years finished. Now no pool is started at all."""
    import sim.experiments.executors as executors
    from sim.app.jobs import Job
    from sim.experiments.runner import replication_tasks

    pools: list[dict[str, object]] = []

    def pool(**options: object) -> None:
        pools.append(options)
        raise RuntimeError("a pool was started after Cancel")

    monkeypatch.setattr(executors, "ProcessPoolExecutor", pool)
    bench = Workbench()
    assert bench.base is not None
    scenario = bench.base.with_changes({"duration": "36500d", "replications": 2})
    early = Job(scenario, 2, workers=2)
    early.cancel()  # no executor yet: the run's thread stops the one it makes
    early.start().wait(120)
    assert not early.running and early.cancelled and early.results is None and pools == []

    stopped = executors.ProcessExecutor(2)  # asked to stop before its map started a pool
    stopped.stop()
    with pytest.raises(KeyboardInterrupt):
        next(stopped.map_unordered(replication_tasks(scenario, range(2), 1)))
    assert pools == []


def test_an_emptied_field_says_what_it_expects_open_bounds_included() -> None:
    """A payload must be above 0 (the schema's `gt`): "from 0" would invite the 0 it refuses."""
    bench = Workbench()
    bench.levers["cargo.grain.payload_t"][1].value = None
    assert "cargo.grain.payload_t: empty; expected a number above 0 and at most 1,000" in bench.message.object
    assert bench.run_button.disabled and bench.save_variant.disabled
    bench.levers["cargo.grain.payload_t"][1].value = 70.0
    assert "valid scenario with cargo.grain.payload_t=70.0" in bench.message.object and not bench.run_button.disabled


def test_the_page_loads_nothing_from_the_internet() -> None:
    """Panel's Fast design linked a Google Fonts stylesheet: without a network (an office, a CI machine)
    the browser held the page's scripts until that request failed. Every resource is the server's own."""
    resources = Workbench().view().resolve_resources()
    urls = [url for kind in ("js", "js_modules", "css") for url in resources[kind].values()]
    assert urls and not [url for url in urls if "//" in url], urls


def test_a_scenario_is_called_valid_only_once_its_form_is_on_the_page() -> None:
    """The page's patches go to the browser in the order the values change. Choosing a scenario
    said "valid scenario" (through the replications field's watcher) before the new form replaced
    the old one, and a lever left invalid in the old form kept Run disabled under that message."""
    bench = Workbench()
    bench.replications.value = 7  # the next scenario's own count replaces it
    bench.levers["unloading.grain.points"][1].value = -5
    assert bench.run_button.disabled
    said: list[tuple[str, object, bool]] = []
    bench.message.param.watch(lambda e: said.append((e.new, bench.form.objects[0], bench.run_button.disabled)),
                              "object")
    bench.choose.value = "jan2024_admin_hold.yaml"
    form = bench.form.objects[0]
    about_it = [(shown_form, disabled) for text, shown_form, disabled in said if "jan2024-admin-hold" in text]
    assert about_it and all(shown_form is form and not disabled for shown_form, disabled in about_it), said
    assert bench.message.object == "jan2024-admin-hold: valid scenario" and not bench.run_button.disabled
    # the same replications as the next scenario's (no watcher fires): Run still follows the new form
    from sim.scenario.loader import load_scenario

    bench.levers["unloading.grain.points"][1].value = -5
    bench.replications.value = min(load_scenario(bench.scenarios["baseline_2023.yaml"]).replications, 1000)
    assert bench.run_button.disabled
    bench.choose.value = "baseline_2023.yaml"
    assert not bench.run_button.disabled and bench.message.object.endswith(": valid scenario")
