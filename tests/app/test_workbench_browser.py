"""The workbench as a user clicks it, in real Chromium (Playwright): choose, change, run, compare, download.

Skipped with its reason when Chromium or the `app` extra is missing (`make test` installs both).
"""

from __future__ import annotations

import io
import re
import subprocess
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import command, dostyk

pytest.importorskip("panel", reason="the app extra (panel) is not installed")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright.expect  # retries until the page's state arrives (it comes over a websocket)
CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium (make test installs it)"),
              pytest.mark.slow,
              # the first test also starts the server and Chromium, runs twice and downloads: minutes on a busy
              # machine, where the suite's 5-minute hang limit is too close
              pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """`dostyk app --port 0` started as a user would; its printed address once it answers."""
    server = subprocess.Popen([*command(), "app", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    log: list[str] = []
    reader: threading.Thread | None = None
    try:
        url = ""
        deadline = time.monotonic() + 120
        assert server.stdout is not None
        while time.monotonic() < deadline and not url:
            line = server.stdout.readline()
            found = re.search(r"running at (http://\S+)", line)
            url = found.group(1) if found else ""
            assert line or server.poll() is None, "dostyk app exited"
        assert url, "dostyk app printed no address"
        while True:  # the first page is built on request (a scenario loaded): slow on a busy machine
            try:
                with urllib.request.urlopen(url, timeout=60):
                    break
            except OSError as exc:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{url} never answered: {exc}")
                time.sleep(0.5)
        # the server logs on; a pipe nobody reads would block it once its buffer is full
        reader = threading.Thread(target=lambda: log.extend(server.stdout), daemon=True)  # type: ignore[arg-type]
        reader.start()
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)
        if reader is not None:
            reader.join(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
    # whatever the tests clicked, the user's console shows no traceback and no warning
    problems = [line for line in log if re.search(r"Traceback|Error|Warning", line)]
    assert not problems, "".join(log)


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator[object]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        requested: list[str] = []
        tab.on("request", lambda request: requested.append(request.url))
        tab.set_default_timeout(240_000)
        tab.goto(app_url)
        tab.locator(".lever").first.wait_for()
        yield tab
        browser.close()
    # nothing from the internet (a machine without a network would wait on it)
    assert not [url for url in requested if not url.startswith((app_url, "data:", "blob:"))], requested


def drawn_problem(png: bytes) -> str | None:
    """What is wrong with a screenshot of a chart: None when it shows a chart (lines, band, axes),
    not one flat colour."""
    import matplotlib.image as mpimg
    import numpy as np

    pixels = mpimg.imread(io.BytesIO(png), format="png")
    colours = np.unique(pixels.reshape(-1, pixels.shape[-1])[::7], axis=0)
    if pixels.shape[0] > 150 and len(colours) > 30:
        return None
    return f"{len(colours)} colours in a {pixels.shape} screenshot"


def assert_drawn(locator: object, path: Path | None = None, timeout: float = 240) -> None:
    """The element shows a chart, once it has been painted: the canvas is in the page before Bokeh
    paints it (a frame or more later; more on a busy machine), so the screenshot is retaken until
    it shows one or `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while (problem := drawn_problem(locator.screenshot(path=path))) is not None:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, problem
        time.sleep(0.5)


def card(page: object, kpi: str) -> object:
    """A KPI card's mean (its text, e.g. "1,234" or "56.7")."""
    return page.locator(f".card[data-kpi='{kpi}'] .mean")  # type: ignore[attr-defined]


def number(text: str) -> float:
    return float(text.replace(",", ""))


def test_choose_change_run_compare_download_and_animate(page: object, tmp_path: Path) -> None:
    tab = page
    tab.locator(".choose-scenario select").select_option("jan2024_admin_hold.yaml")  # type: ignore[attr-defined]
    tab.locator(".message").filter(has_text="jan2024-admin-hold: valid scenario").wait_for()  # type: ignore[attr-defined]
    tab.locator(".replications input").fill("3")  # type: ignore[attr-defined]
    tab.locator(".replications input").press("Enter")  # type: ignore[attr-defined]
    tab.locator(".run button").click()  # type: ignore[attr-defined]
    tab.locator(".message").filter(has_text="jan2024-admin-hold: 3 replications done").wait_for()  # type: ignore[attr-defined]
    tab.locator(".chart-backlog canvas").first.wait_for()  # type: ignore[attr-defined]  (the chart is drawn)
    assert_drawn(tab.locator(".chart-backlog"), tmp_path / "backlog.png")  # type: ignore[attr-defined]
    six_shown = card(tab, "backlog_wagons_mean").inner_text()  # type: ignore[attr-defined]
    six_points = number(six_shown)
    tab.locator(".tabs").get_by_text("Compare and save").click()  # type: ignore[attr-defined]
    tab.locator(".set-baseline button").click()  # type: ignore[attr-defined]

    points = tab.locator(".lever-unloading-grain-points input")  # type: ignore[attr-defined]
    points.fill("8")
    points.press("Enter")
    tab.locator(".message").filter(has_text="unloading.grain.points=8").wait_for()  # type: ignore[attr-defined]
    tab.locator(".run button").click()  # type: ignore[attr-defined]
    tab.locator(".paired-differences").wait_for()  # type: ignore[attr-defined]
    assert "backlog_wagons_mean" in tab.locator(".paired-differences").inner_text()  # type: ignore[attr-defined]
    tab.locator(".tabs").get_by_text("Results").first.click()  # type: ignore[attr-defined]
    # the new run's cards come in their own websocket patch: wait for them rather than read the old ones
    expect(card(tab, "backlog_wagons_mean")).not_to_have_text(six_shown)
    eight_points = number(card(tab, "backlog_wagons_mean").inner_text())  # type: ignore[attr-defined]
    assert eight_points < six_points, "two more grain points must lower the January backlog"

    tab.locator(".tabs").get_by_text("Compare and save").click()  # type: ignore[attr-defined]
    with tab.expect_download() as download:  # type: ignore[attr-defined]
        tab.locator(".download-results button").click()  # type: ignore[attr-defined]
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    archive.extractall(tmp_path / "download")
    (folder,) = list((tmp_path / "download").iterdir())
    from sim.experiments.results import Results

    results = Results.read(folder)  # a valid results directory: its checks pass
    assert results.replications == 3
    assert (folder / "report.html").exists() and (folder / "results.xlsx").exists()
    assert results.kpi("backlog_wagons_mean").mean() == pytest.approx(eight_points, abs=1)
    # the same run on the command line (same seed): the same KPIs, replication by replication
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "jan2024_admin_hold.yaml"
    cli = dostyk("run", str(scenario), "-n", "3", "--set", "unloading.grain.points=8", "-o", str(tmp_path / "cli"),
                 "--no-report", "-q")
    assert cli.returncode == 0, cli.stderr
    for kpi in ("backlog_wagons_mean", "held_trains_mean", "tonnes_delivered"):
        assert Results.read(tmp_path / "cli").kpi(kpi).tolist() == pytest.approx(results.kpi(kpi).tolist(), rel=1e-9)

    # the animation's counts on a chosen day are daily.csv's for that replication
    tab.locator(".tabs").get_by_text("Corridor").click()  # type: ignore[attr-defined]
    tab.locator(".anim-rep input").fill("2")  # type: ignore[attr-defined]
    tab.locator(".anim-rep input").press("Enter")  # type: ignore[attr-defined]
    tab.locator(".anim-date select").select_option("2024-01-15")  # type: ignore[attr-defined]
    tab.locator(".when[data-date='2024-01-15'][data-replication='1']").wait_for()  # type: ignore[attr-defined]
    daily = pd.read_csv(folder / "daily.csv")
    day = daily[(daily["replication"] == 1) & (daily["date"] == "2024-01-15") & (daily["cargo"] == "all")].iloc[0]
    stages = tab.locator(".corridor .stage")  # type: ignore[attr-defined]
    checked = 0
    for i in range(stages.count()):
        stage = stages.nth(i)
        column = stage.get_attribute("data-column")
        shown = float(stage.locator(".value").get_attribute("data-value"))
        expected = day[column] if column in day and not pd.isna(day[column]) else 0.0
        assert shown == pytest.approx(float(expected)), column
        checked += 1
    assert checked >= 6
    assert tab.locator(".corridor .stage", has_text="capacity × 0.2").count() == 1  # the hold on handover
    assert_drawn(tab.locator(".corridor").first)  # type: ignore[attr-defined]


def test_bad_yaml_shows_its_message_inline(page: object, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nduration: 30d\nunloading: {grain: {points: -1}}\nfoo: [\n", encoding="utf-8")
    page.locator(".upload-scenario input[type=file]").set_input_files(str(bad))  # type: ignore[attr-defined]
    # the loader's own message, with the file and the line, shown on the page
    page.locator(".message").filter(has_text=re.compile(r"bad\.yaml.*line 5", re.S)).wait_for()  # type: ignore[attr-defined]
    expect(page.locator(".lever")).not_to_have_count(0)  # type: ignore[attr-defined]  (the page is still usable)


def test_a_value_out_of_bounds_or_emptied_is_refused_with_what_was_expected(page: object) -> None:
    """What the field shows is what would run: a typed -5 or 0 replications is neither clamped nor
    silently replaced by the old value; the message names the field and what it expects, and Run waits."""
    tab = page
    run = tab.locator(".run button")  # type: ignore[attr-defined]
    points = tab.locator(".lever-unloading-grain-points input")  # type: ignore[attr-defined]
    for typed, said in (("-5", "unloading.grain.points: Input should be greater than or equal to 1; got -5"),
                        ("", "unloading.grain.points: empty; expected a whole number from 1 to 10,000")):
        points.fill(typed)
        points.press("Enter")
        tab.locator(".message").filter(has_text=said).wait_for()  # type: ignore[attr-defined]
        expect(run).to_be_disabled()
        assert points.input_value() == typed
    points.fill("7")
    points.press("Enter")
    tab.locator(".message").filter(has_text="unloading.grain.points=7").wait_for()  # type: ignore[attr-defined]
    expect(run).to_be_enabled()
    replications = tab.locator(".replications input")  # type: ignore[attr-defined]
    replications.fill("0")
    replications.press("Enter")
    tab.locator(".message").filter(  # type: ignore[attr-defined]
        has_text="Replications: got 0; expected a whole number from 1 to 1,000").wait_for()
    expect(run).to_be_disabled()
    replications.fill("2")
    replications.press("Enter")
    tab.locator(".message").filter(has_text="valid scenario").wait_for()  # type: ignore[attr-defined]
    expect(run).to_be_enabled()


def test_an_empty_upload_or_one_built_on_other_files_says_why(page: object, tmp_path: Path) -> None:
    """An empty file used to change nothing, silently; `extends:` (as every shipped scenario has) was
    called an unknown key although the loader knows it: the upload has no files beside it."""
    for name, text, said in (
            ("empty.yaml", "", "expected a mapping of keys (name, duration, cargo, …), got an empty file"),
            ("mine.yaml", "extends: corridor/dostyk.yaml\nname: mine\n",
             "extends: an uploaded file cannot build on other files")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        page.locator(".upload-scenario input[type=file]").set_input_files(str(path))  # type: ignore[attr-defined]
        page.locator(".message").filter(has_text=said).wait_for()  # type: ignore[attr-defined]
