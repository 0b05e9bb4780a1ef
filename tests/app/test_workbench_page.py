"""The workbench's page at the Python level, where the browser adds nothing: warnings, refusals,
runs started twice, what a download writes. (The browser tests are in test_workbench_browser.py.)"""

from __future__ import annotations

import base64
import os
import re
import warnings
from pathlib import Path

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
    bench.watch.tick()
    assert not bench.watch.polling and not bench.run_button.disabled and bench.results is first.results

    bench._start()
    bench.close()
    assert bench.job is not None and bench.job is not first
    bench.job.wait(120)
    assert bench.job.cancelled and not bench.watch.polling


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
    from sim.app.offline import serve_resources_locally

    serve_resources_locally()  # what `dostyk app` does before it serves a page
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


@pytest.mark.parametrize("after", [0.0, 2.0], ids=["at-once", "while-computing"])
def test_cancel_ends_a_run_of_one_replication_within_seconds(after: float) -> None:
    """One replication ran on the job's own thread, which nothing can stop: Cancel waited for it (half
    a minute here). It runs in a worker now, ended at once, even by a Cancel before the worker started."""
    import time

    from sim.app.jobs import Job

    bench = Workbench()
    assert bench.base is not None
    job = Job(bench.base.with_changes({"duration": "36500d", "replications": 1}), 1).start()
    time.sleep(after)
    assert job.running
    started = time.monotonic()
    job.cancel()
    job.wait(20)
    assert not job.running and job.cancelled and job.error is None and job.results is None
    assert time.monotonic() - started < 10, "Cancel must stop a run within seconds (it waited for the replication)"


def test_a_run_cancelled_after_its_last_replication_is_not_shown_as_done() -> None:
    """A Cancel that arrives while the finished replications are being collected must not leave
    results that the page would show as if the run had been let finish."""
    from sim.app.jobs import Job

    bench = Workbench()
    assert bench.base is not None
    job = Job(bench.base.with_changes({"duration": "25d", "warmup": "0d"}), 1)

    def cancel_at_the_end(stream, total):  # type: ignore[no-untyped-def]
        yield from Job._count(job, stream, total)
        job._cancel.set()  # the user's click, between the last replication and the results

    job._count = cancel_at_the_end  # type: ignore[method-assign]
    job.start().wait(60)
    assert job.done == 1 and job.cancelled and job.results is None
    bench.watch.job = job
    bench.watch.tick()
    assert "run cancelled" in bench.message.object and bench.results is None


def click(button: object) -> None:
    """A click on a download button as the browser reports it (its `clicks` count goes up)."""
    button.param.update(_clicks=button._clicks + 1)  # type: ignore[attr-defined]


def test_nothing_to_download_before_a_run_and_save_sends_only_a_checked_variant(tmp_path: Path) -> None:
    """A click on Download that raced its disabled state failed with an AssertionError in the server's
    console (a traceback for the user); Save's click re-checked the name, which a private Panel method
    (FileDownload._sync_data) had to let refuse. Now neither button has anything to send until the page
    has checked it: Download has no callback before the first results, Save holds the variant's file
    (read back by the loader) or none, and a click with nothing to send sends nothing, silently."""
    from sim.scenario.loader import load_scenario

    bench = Workbench()
    assert bench.download_results.disabled and bench.results is None
    assert bench.download_results.callback is None and bench.download_results.file is None
    click(bench.download_results)
    assert bench.download_results.data is None

    bench.variant_name.value_input = "x" * 201  # the schema's limit is 200 characters
    assert bench.save_variant.disabled and bench.save_variant.file is None
    click(bench.save_variant)
    assert bench.save_variant.data is None
    bench.variant_name.value_input = "eight points"
    assert not bench.save_variant.disabled and bench.save_variant.filename == "eight_points.yaml"
    click(bench.save_variant)
    header, _, encoded = bench.save_variant.data.partition(",")
    assert header.endswith(";base64")
    saved = tmp_path / bench.save_variant.filename
    saved.write_bytes(base64.b64decode(encoded))
    assert load_scenario(saved).name == "eight points"


def test_switching_scenarios_while_a_run_computes_keeps_run_waiting_and_labels_what_ran() -> None:
    """The form may show another scenario while a run computes: Run stays disabled until it ends, and
    a comparison names the two scenarios it pairs (the baseline may be another scenario)."""
    from sim.app.jobs import Job
    from sim.experiments.runner import run

    bench = Workbench()
    assert bench.base is not None
    bench.watch.job = Job(bench.base.with_changes({"duration": "36500d", "replications": 1}), 1).start()
    for name in ("jan2024_admin_hold.yaml", "history/2020_dostyk_jam_altynkol.yaml", "baseline_2023.yaml"):
        bench.choose.value = name
        assert bench.job.running and bench.run_button.disabled, f"Run enabled mid-run (after choosing {name})"
    bench.job.cancel()
    bench.job.wait(20)
    bench.watch.tick()
    assert "run cancelled" in bench.message.object and not bench.run_button.disabled and bench.results is None

    short = bench.base.with_changes({"duration": "25d", "warmup": "0d", "name": "short"})
    bench._show(run(short, replications=2, executor="serial"))
    bench._set_baseline()
    bench._show(run(short.with_changes({"name": "eight-points", "unloading.grain.points": 8}), replications=2,
                    executor="serial"))
    heading = bench.compare.objects[0].object
    assert "eight-points − short" in heading, heading


def test_a_run_of_fewer_replications_than_the_one_shown_in_the_corridor_is_shown() -> None:
    """Replication 3 in the corridor view, then a run of one: the schematic asked for a replication the
    new results do not have, and the run's results never showed (a traceback on the console)."""
    from sim.experiments.runner import run

    bench = Workbench()
    assert bench.base is not None
    short = bench.base.with_changes({"duration": "25d", "warmup": "0d"})
    bench._show(run(short, replications=3, executor="serial"))
    bench.replication.value = 3
    assert "data-replication='2'" in bench.schematic.object
    one = run(short, replications=1, executor="serial")
    bench._show(one)
    assert bench.results is one and bench.replication.value == 1 and "data-replication='0'" in bench.schematic.object


def test_the_list_of_scenarios_shows_what_the_form_holds_after_an_upload() -> None:
    """After an upload the list still showed the shipped scenario, which could then not be chosen again
    (choosing what is already chosen changes nothing): the upload now has its entry, newest first."""
    from sim.scenario.yamltext import dump_yaml

    bench = Workbench()
    assert bench.base is not None
    shipped = bench.choose.value
    for i in range(12):
        text = dump_yaml(bench.base.with_changes({"name": f"mine-{i}"}).to_dict()).encode("utf-8")
        bench.upload.value = {f"mine-{i}.yaml": text}  # what the upload widget holds once a file has arrived
        assert bench.choose.value == f"uploaded: mine-{i}.yaml" and bench.base.name == f"mine-{i}"
    assert bench.choose.options[:2] == ["uploaded: mine-11.yaml", "uploaded: mine-10.yaml"]
    assert sum(o.startswith("uploaded: ") for o in bench.choose.options) == 10
    bench.choose.value = shipped
    assert bench.base.name == "baseline-2023"
    bench.choose.value = "uploaded: mine-5.yaml"
    assert bench.base.name == "mine-5" and "mine-5: valid scenario" in bench.message.object
    bench.upload.value = {"broken.yaml": b"name: ["}
    assert "broken.yaml" in bench.message.object and bench.choose.value == "uploaded: mine-5.yaml"


def test_a_file_sent_again_is_read_again() -> None:
    """FileInput sent nothing when the same file was chosen again (its value had not changed): a user
    who edited the file on disk, or reset the form by uploading it again, saw nothing happen. Every file
    the browser sends is read (the widget is emptied once read), the same one again too: the form
    returns to the file's values, its message comes back, and an edited file's new content is loaded."""
    from sim.scenario.yamltext import dump_yaml

    bench = Workbench()
    assert bench.base is not None
    text = dump_yaml(bench.base.with_changes({"name": "mine"}).to_dict()).encode("utf-8")
    bench.upload.value = {"mine.yaml": text}
    assert bench.upload.value == {} and bench.base.name == "mine"
    points = bench.levers["unloading.grain.points"][1]
    file_points = points.value
    points.value = file_points + 2
    assert "with unloading.grain.points=" in bench.message.object
    bench.upload.value = {"mine.yaml": text}  # the identical file again
    assert points is not bench.levers["unloading.grain.points"][1]  # a new form, with the file's values
    assert bench.levers["unloading.grain.points"][1].value == file_points
    assert bench.message.object == "mine: valid scenario"
    bench.upload.value = {"mine.yaml": text.replace(b"name: mine", b"name: mine-edited")}  # edited on disk
    assert bench.base.name == "mine-edited" and bench.choose.value == "uploaded: mine.yaml"
    assert bench.message.object == "mine-edited: valid scenario"
    bench.replications.value = 0
    bench.upload.value = {"broken.yaml": "name: ["}  # a text/* file arrives as text
    said = bench.message.object
    assert "broken.yaml: invalid scenario" in said
    bench.replications.value = 3
    bench.upload.value = {"broken.yaml": "name: ["}  # fixed nothing, sent it again: told again
    assert bench.message.object == said


def test_what_the_browser_reports_of_a_refused_file_is_said_whatever_it_holds() -> None:
    """The browser's report of a file it refused (sim.app.pond) is what a page sends: it may hold anything.
    A file over the limit is refused in the loader's words; a report without a name, with a size that is
    not one, or with pages of text is said as a refusal of its length, never a traceback; the page tells
    the box to drop a file it refused, and only such a file."""
    import html

    from sim.app.pond import MAX_REPORTED
    from sim.scenario.yamltext import dump_yaml

    bench = Workbench()
    events = bench.upload_box.events
    events.refused = {"name": "big.yaml", "size": 2_500_000, "why": "File is too large", "n": 1}
    assert bench.message.object.startswith("big.yaml: invalid scenario")
    assert "file is larger than 1 MB; refusing to read it" in bench.message.object
    for n, report in enumerate([{}, {"name": None, "size": "huge"}, {"name": ["x"], "size": float("nan")},
                                {"name": "<b>n</b>" * 1000, "size": -5, "why": "w" * 100_000},
                                {"name": "inf.yaml", "size": float("inf"), "why": 7}], start=2):
        events.refused = {**report, "n": n}
        said = bench.message.object
        assert "invalid scenario" in said and "the browser did not send it" in said and "<b>" not in said, said
        assert len(html.unescape(said)) < 2 * MAX_REPORTED + 100, len(said)  # the name and the why, cut
    assert events.unloaded == {}
    bench.upload.value = {"broken.yaml": b"name: ["}
    assert events.unloaded == {"name": "broken.yaml", "n": 1}
    assert bench.base is not None
    bench.upload.value = {"fine.yaml": dump_yaml(bench.base.with_changes({"name": "fine"}).to_dict())}
    assert bench.message.object == "fine: valid scenario" and events.unloaded == {"name": "broken.yaml", "n": 1}
    bench.upload.value = {"broken.yaml": b"name: ["}  # the same file refused again: news for the box too
    assert events.unloaded == {"name": "broken.yaml", "n": 2}


def test_the_upload_limit_is_one_number_the_browser_and_the_server_share() -> None:
    """The browser refuses a file over MAX_UPLOAD_BYTES before sending it (an 80 MB file cut the page's
    connection, with no message); read_upload refuses the same sizes should one arrive."""
    from sim.app.uploads import MAX_UPLOAD_BYTES, browser_size

    widget = Workbench().upload
    assert widget.max_file_size == browser_size(MAX_UPLOAD_BYTES) and widget.multiple is False
    number, unit = re.fullmatch(r"(\d+)(KB|MB)", widget.max_file_size).groups()  # type: ignore[union-attr]
    in_bytes = int(number) * {"KB": 1000, "MB": 1000 ** 2}[unit]  # FilePond's units are decimal
    assert MAX_UPLOAD_BYTES - 1000 < in_bytes <= MAX_UPLOAD_BYTES


def test_the_fast_design_still_has_the_font_the_page_drops() -> None:
    """sim.app.offline drops the Fast design's Google font through a private Panel attribute
    (`Fast._resources["font"]`; Panel has no public setting for it). If a Panel release renames it, the
    page may ask Google Fonts again (offline: a page that hangs): this says so, rather than pass silently."""
    from panel.theme.fast import Fast

    resources = getattr(Fast, "_resources", None)
    assert isinstance(resources, dict) and "font" in resources, (
        "panel.theme.fast.Fast._resources['font'] is gone in this Panel version: sim.app.offline."
        "serve_resources_locally relies on it to drop the Fast design's Google font; find Panel's new "
        "way (or a public setting) and change it there")


def test_a_run_is_bounded_with_what_other_tabs_hold() -> None:
    """Each tab checked only its own runs against the memory bound; one process serves every tab, so two
    tabs each within it held twice its memory. A run computing in another tab now counts."""
    from sim.scenario import limits

    first, second = Workbench(), Workbench()
    assert first.base is not None and second.base is not None
    century = first.base.with_changes({"duration": "36500d", "replications": 1})
    more_than_half = limits.MAX_DAILY_ROWS // limits.run_rows(century, 1) // 2 + 1  # replications of a century
    first._set_base(century)
    first.replications.value = more_than_half
    first._start()
    try:
        assert first.job is not None and first.job.running
        second._set_base(century)
        second.replications.value = more_than_half
        second._start()
        assert second.job is None
        assert "another tab: a run computing" in second.message.object and "the limit is" in second.message.object
    finally:
        first.close()
        assert first.job is not None
        first.job.wait(20)


def test_a_scenario_of_thousands_of_levers_shows_a_form_a_browser_can_draw() -> None:
    """A valid 90 KB file of 1,000 checks made 3,000 fields and froze the page for half a minute."""
    import copy

    from sim.app.page import MAX_FIELDS
    from sim.app.uploads import read_upload
    from sim.scenario.yamltext import dump_yaml

    bench = Workbench()
    assert bench.base is not None
    data = bench.base.to_dict()
    data["checks"] = [dict(copy.deepcopy(data["checks"][0]), name=f"check{i}") for i in range(400)]
    data["disruptions"] = [d for d in data.get("disruptions", []) if not str(d.get("target")).startswith("checks.")]
    bench._set_base(read_upload("thousand.yaml", dump_yaml(data).encode("utf-8")))
    assert len(bench.levers) == MAX_FIELDS and bench.unshown > 800
    assert f"the form shows the first {MAX_FIELDS} of the scenario's" in bench.message.object
    assert bench.scenario() == bench.base  # the levers not shown keep the file's values
