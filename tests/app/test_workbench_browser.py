"""The workbench as a user clicks it, in real Chromium (Playwright): choose, change, run, compare, download.

Skipped with its reason when Chromium or the `app` extra is missing (`make test` installs both).
"""

from __future__ import annotations

import io
import re
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import command, dostyk_here

pytest.importorskip("panel", reason="the app extra (panel) is not installed")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = playwright.expect  # retries until the page's state arrives (it comes over a websocket)
# The page's state comes when a busy machine lets the server answer: expect's own 5 s failed a re-read file's
# message at load 12. Every assertion waits as long as the page's actions do (tab.set_default_timeout).
expect.set_options(timeout=120_000)
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
    # whatever the tests clicked, the user's console shows no traceback and no warning (a ScenarioWarning is
    # printed as the command line prints it: "warning: …")
    problems = [line for line in log if re.search(r"Traceback|Error|Warning|^warning: ", line)]
    assert not problems, "".join(log)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


def open_tab(browser: object, url: str, route: object = None) -> object:
    """A new tab showing the workbench; `route(route)` sees every request the tab makes, if given."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
    tab.set_default_timeout(240_000)
    if route is not None:
        tab.route("**/*", route)
    tab.goto(url)
    tab.locator(".lever").first.wait_for()
    return tab


@pytest.fixture(scope="module")
def page(browser: object, app_url: str) -> Iterator[object]:
    tab = open_tab(browser, app_url)
    yield tab
    tab.close()  # type: ignore[attr-defined]


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
    shown = {}  # KPI: its difference and verdict cells, as the user reads them
    rows = tab.locator(".paired-differences tr[data-kpi]")  # type: ignore[attr-defined]
    for i in range(rows.count()):
        row = rows.nth(i)
        shown[row.get_attribute("data-kpi")] = (row.locator(".difference").inner_text().strip(),
                                                row.locator(".verdict").inner_text().strip())
    assert "backlog_wagons_mean" in shown, shown
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
    # the same comparison on the command line (same seed): the variant's KPIs, replication by replication, and
    # for each KPI of the Compare tab the difference and verdict `dostyk compare` gives, in its words and numbers
    scenario = Path(__file__).resolve().parents[2] / "scenarios" / "jan2024_admin_hold.yaml"
    cli = dostyk_here("compare", str(scenario), str(scenario), "-n", "3", "--set", "2:unloading.grain.points=8", "--name",
                      "2:eight", "-o", str(tmp_path / "cli"), "--no-report", "-q")
    assert cli.returncode == 0, cli.stderr
    kpis = pd.read_csv(tmp_path / "cli" / "kpis.csv")
    eight = kpis[(kpis["scenario"] == "eight") & (kpis["cargo"] == "all")].sort_values("replication")
    for kpi in ("backlog_wagons_mean", "held_trains_mean", "tonnes_delivered"):
        assert eight[kpi].tolist() == pytest.approx(results.kpi(kpi).tolist(), rel=1e-9)
    from sim.reporting.tables import difference_cell

    differences = pd.read_csv(tmp_path / "cli" / "differences.csv")
    said = differences[differences["cargo"] == "all"].set_index("kpi")
    for kpi, (difference, verdict) in shown.items():
        r = said.loc[kpi]
        assert verdict == r["verdict"], kpi
        assert difference == difference_cell(r["difference"], r["ci95_low"], r["ci95_high"], int(r["n"]), 3, kpi), kpi
        assert "-0.0" not in difference, kpi
    from sim.app.cards import CARDS

    assert list(shown) == [kpi for kpi, _ in CARDS]  # each card's KPI, in the cards' order

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


def pick_day(tab: object, field: str, day: str) -> None:
    """A day of the Order tab's date `field` (its CSS class) picked in its calendar, e.g. "January 3, 2023"."""
    tab.locator(f".{field} input:visible").click()  # type: ignore[attr-defined]  (the calendar opens)
    tab.locator(f".{field} .flatpickr-day[aria-label='{day}']").click()  # type: ignore[attr-defined]


def ask_order(tab: object, ready: str, done: str) -> object:
    """Once the Order tab's message says `ready`, its question asked, until it says `done`; the message."""
    message = tab.locator(".order-message")  # type: ignore[attr-defined]
    expect(message).to_contain_text(ready)
    tab.locator(".order-ask button").click()  # type: ignore[attr-defined]
    message.filter(has_text=done).wait_for()
    return message


def test_an_exporter_asks_when_his_order_is_through_and_reads_sim_order_outcomes(page: object,
                                                                                  tmp_path: Path) -> None:
    """The Order tab as a user fills it: a lever set on the form, a cargo, wagons typed, two dates picked in
    the calendars; the answer shown is sim.order_outcomes's for the form's scenario, seed and replications."""
    import datetime as dt

    import numpy as np

    import sim

    tab = page
    path = long_scenario(tmp_path, 30, "order-month")  # a month of 2023, no warm-up: seconds a replication
    upload(tab, path, "order-month: valid scenario")
    replications = tab.locator(".replications input")  # type: ignore[attr-defined]
    replications.fill("2")
    replications.press("Enter")
    points = tab.locator(".lever-unloading-grain-points input")  # type: ignore[attr-defined]
    points.fill("3")
    points.press("Enter")
    tab.locator(".message").filter(has_text="order-month: valid scenario with unloading.grain.points=3").wait_for()  # type: ignore[attr-defined]

    tab.locator(".tabs .bk-tab").get_by_text("Order", exact=True).click()  # type: ignore[attr-defined]
    tab.locator(".order-cargo select").select_option("grain")  # type: ignore[attr-defined]
    wagons = tab.locator(".order-wagons input")  # type: ignore[attr-defined]
    wagons.fill("300")
    wagons.press("Enter")
    pick_day(tab, "order-on", "January 10, 2023")
    tab.locator(".order-by-wanted input").check()  # type: ignore[attr-defined]
    pick_day(tab, "order-by", "January 20, 2023")
    ask_order(tab, "Asks 2 replications of order-month with unloading.grain.points=3",
              "order-month with unloading.grain.points=3: 2 replications done")

    scenario = sim.load_scenario(path).with_changes({"unloading.grain.points": 3})
    at = scenario.hours_since_start(dt.datetime(2023, 1, 10))
    outcomes = sim.order_outcomes(scenario, sim.Order("grain", 300, at), replications=2, executor="serial")
    days = np.array([(o.unloaded_h - at) / 24 for o in outcomes])
    assert np.isfinite(days).all(), "the order must be through within the month for this test to read its days"
    answer = tab.locator(".order-answer .order-result")  # type: ignore[attr-defined]
    shown = answer.inner_text()
    assert ("300 wagons of grain ordered at 2023-01-10 00:00 (6 trains, on top of the scenario's demand); "
            "2 replications:") in shown
    for q in (0.1, 0.5, 0.9):  # a replication's own days (the inverted empirical distribution)
        day = float(np.quantile(days, q, method="inverted_cdf"))
        when = dt.datetime(2023, 1, 10) + dt.timedelta(days=day)
        cell = answer.locator(f"tr[data-milestone='unloaded_h'] td[data-q='{q}']").inner_text()
        assert cell == f"{when:%Y-%m-%d %H:%M} (+{day:.1f} d)", (q, cell)
    assert f"Days from the order to all unloaded: mean {days.mean():.1f} (95 % CI of the mean" in shown
    hits = int((days <= 11.0).sum())  # by the end of 20 January: eleven days after the order
    assert f"All unloaded by the end of 2023-01-20: in {hits} of 2 replications ({100 * hits / 2:.0f} %;" in shown


def test_what_a_run_and_an_order_warn_of_is_said_on_the_page_not_on_the_console(page: object,
                                                                              tmp_path: Path) -> None:
    """A run's scenario warning and sim.order_outcomes' warning of an order in the warm-up went to the server's
    console, where the user never looks (the module's server log is checked for them at its end): the run says
    its warning under "done", and the order's answer says the warm-up once, in its own note."""
    from sim.app.page import shipped_scenarios
    from sim.scenario.loader import load_scenario
    from sim.scenario.yamltext import dump_yaml

    tab = page
    scenario = load_scenario(shipped_scenarios()["baseline_2023.yaml"]).with_changes(
        {"duration": "20d", "warmup": "5d", "replications": 1, "name": "warned-month"})  # spring festival: after it
    path = tmp_path / "warned-month.yaml"
    path.write_text(dump_yaml(scenario.to_dict()), encoding="utf-8")
    upload(tab, path, "warned-month: valid scenario")
    tab.locator(".run button").click()  # type: ignore[attr-defined]
    message = tab.locator(".message")  # type: ignore[attr-defined]
    message.filter(has_text="warned-month: 1 replications done").wait_for()
    expect(message).to_contain_text("warning: warned-month: disruptions.spring-festival: the window starts 2023-01-21")

    tab.locator(".tabs .bk-tab").get_by_text("Order", exact=True).click()  # type: ignore[attr-defined]
    tab.locator(".order-cargo select").select_option("grain")  # type: ignore[attr-defined]
    pick_day(tab, "order-on", "January 3, 2023")
    said = ask_order(tab, "Ordered in the scenario's warm-up", "warned-month: 1 replication done")
    expect(said).to_contain_text("warning: warned-month: disruptions.spring-festival")
    expect(said).not_to_contain_text("warm-up")
    answer = tab.locator(".order-answer .order-result").inner_text()  # type: ignore[attr-defined]
    assert answer.count("Ordered in the scenario's warm-up") == 1, answer


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
            ("empty.yaml", "", "the file is empty (nothing but blank lines or comments); expected a mapping of keys"),
            ("mine.yaml", "extends: corridor/dostyk.yaml\nname: mine\n",
             "extends: an uploaded file cannot build on other files")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        page.locator(".upload-scenario input[type=file]").set_input_files(str(path))  # type: ignore[attr-defined]
        page.locator(".message").filter(has_text=said).wait_for()  # type: ignore[attr-defined]


def test_a_saved_variant_loads_with_validate_and_a_name_no_file_may_carry_is_refused(page: object,
                                                                                      tmp_path: Path) -> None:
    """A name of 201 characters was saved, and the loader refused the file: the page now refuses it with
    the schema's own rule; what it saves (a 200-character name, one with `/` and `:`) validates."""
    tab = page
    choose_scenario(tab, "baseline_2023.yaml", "baseline-2023: valid scenario")
    tab.locator(".tabs").get_by_text("Compare and save").click()  # type: ignore[attr-defined]
    name = tab.locator(".variant-name input")  # type: ignore[attr-defined]
    save = tab.locator(".save-variant button")  # type: ignore[attr-defined]
    name.fill("x" * 201)
    expect(save).to_be_disabled()
    expect(tab.locator(".variant-message")).to_contain_text(  # type: ignore[attr-defined]
        "name: String should have at most 200 characters")
    for typed in ("x" * 200, "Grain / 8 points: January"):
        name.fill(typed)
        expect(save).to_be_enabled()
        expect(tab.locator(".variant-message")).to_be_hidden()  # type: ignore[attr-defined]
        with tab.expect_download() as download:  # type: ignore[attr-defined]
            save.click()
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        checked = dostyk_here("validate", str(saved))
        assert checked.returncode == 0, checked.stderr
        from sim.scenario.loader import load_scenario

        assert load_scenario(saved).name == typed
    name.fill("")


def choose_scenario(tab: object, file: str, said: str) -> None:
    """Choose a shipped scenario and wait for the page to say `said` of it, whatever the shared tab showed
    before: choosing the one already chosen sends no event (under -n, a worker's tab may start from any
    earlier test's state), so another is chosen first."""
    select = tab.locator(".choose-scenario select")  # type: ignore[attr-defined]
    message = tab.locator(".message")  # type: ignore[attr-defined]
    if select.input_value() == file:
        values = select.locator("option").evaluate_all("options => options.map(o => o.value)")
        select.select_option(next(v for v in values if v and v != file))
        # the other one's answer first (choices sent a few ms apart can cross the server's replies)
        expect(message).to_contain_text(": valid scenario")
        expect(message).not_to_contain_text(said)
    select.select_option(file)
    message.filter(has_text=said).wait_for()


def upload(tab: object, path: Path, said: str) -> None:
    tab.locator(".upload-scenario input[type=file]").set_input_files(str(path))  # type: ignore[attr-defined]
    tab.locator(".message").filter(has_text=said).wait_for()  # type: ignore[attr-defined]


def long_scenario(tmp_path: Path, days: int = 36500, name: str = "") -> Path:
    """The 2023 baseline over `days` days, one replication (a hundred years take half a minute)."""
    from sim.app.page import shipped_scenarios
    from sim.scenario.loader import load_scenario
    from sim.scenario.yamltext import dump_yaml

    scenario = load_scenario(shipped_scenarios()["baseline_2023.yaml"]).with_changes(
        {"duration": f"{days}d", "warmup": "0d", "replications": 1, "name": name or f"baseline-{days}-days"})
    path = tmp_path / f"long-{days}.yaml"
    path.write_text(dump_yaml(scenario.to_dict()), encoding="utf-8")
    return path


def test_the_page_runs_with_nothing_but_the_apps_own_host_and_shows_a_file_as_text(browser: object, app_url: str,
                                                                                     tmp_path: Path) -> None:
    """On a closed network every request beyond the app fails: the page asked Google Fonts for Open Sans.
    A scenario named `<img onerror=…>` ran its script in the page (the message pane renders HTML); the
    warnings `dostyk run` prints (here a window after the run's end) reached only the server's console."""
    host = urllib.parse.urlsplit(app_url).netloc
    outside: list[str] = []

    def only_the_app(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if urllib.parse.urlsplit(url).netloc == host or url.startswith(("data:", "blob:")):
            route.continue_()  # type: ignore[attr-defined]
        else:
            outside.append(url)
            route.abort()  # type: ignore[attr-defined]

    tab = open_tab(browser, app_url, only_the_app)
    try:
        title = tab.title()  # type: ignore[attr-defined]
        name = "<img src=x onerror=\"document.title='pwned'\">"
        # (not "valid scenario" alone: the new tab says it of its first scenario, and expect gives the upload 5 s)
        upload(tab, long_scenario(tmp_path, 20, name), f"{name}: valid scenario")
        message = tab.locator(".message")  # type: ignore[attr-defined]
        expect(message).to_contain_text(f"{name}: valid scenario")
        expect(message).to_contain_text("warning: disruptions.spring-festival: the window starts 2023-01-21, when the run is over")
        tab.locator(".run button").click()  # type: ignore[attr-defined]
        expect(message).to_contain_text(f"{name}: 1 replications done", timeout=120_000)
        tab.locator(".chart-backlog canvas").first.wait_for()  # type: ignore[attr-defined]
        tab.locator(".tabs").get_by_text("Corridor").click()  # type: ignore[attr-defined]
        tab.locator(".corridor .stage").first.wait_for()  # type: ignore[attr-defined]
        assert tab.title() == title  # type: ignore[attr-defined]
    finally:
        tab.close()  # type: ignore[attr-defined]
    assert outside == []


def test_a_file_over_the_limit_is_refused_in_the_browser_with_the_limit(page: object, tmp_path: Path) -> None:
    """A file over ~75 MB closed the page's websocket (the message limit, base64 a third larger): a dead
    page, no word. The browser now refuses a file over the limit before sending a byte, saying so with
    the limit in MB, and the page goes on; a file of the limit itself is sent, and read."""
    from sim.app.uploads import MAX_UPLOAD_BYTES
    from sim.scenario.yamltext import readable_size

    tab = page
    over = tmp_path / "over.yaml"
    over.write_bytes(b"#" * (MAX_UPLOAD_BYTES + 1))
    tab.locator(".upload-scenario input[type=file]").set_input_files(str(over))  # type: ignore[attr-defined]
    item = tab.locator(".upload-scenario .filepond--item").filter(has_text="over.yaml")  # type: ignore[attr-defined]
    expect(item).to_contain_text("File is too large")
    expect(item).to_contain_text(f"Maximum file size is {readable_size(MAX_UPLOAD_BYTES)}")
    replications = tab.locator(".replications input")  # type: ignore[attr-defined]
    replications.fill("0")
    replications.press("Enter")  # answered after anything sent before it: the page is connected
    expect(tab.locator(".message")).to_contain_text("Replications: got 0")  # type: ignore[attr-defined]
    assert "uploaded: over.yaml" not in tab.locator(".choose-scenario select").inner_text()  # type: ignore[attr-defined]
    replications.fill("3")
    replications.press("Enter")
    at_limit = tmp_path / "at-limit.yaml"
    at_limit.write_bytes(b"#" * MAX_UPLOAD_BYTES)  # all comment: sent, read, and called empty
    upload(tab, at_limit, "at-limit.yaml: invalid scenario")
    expect(tab.locator(".message")).to_contain_text("the file is empty")  # type: ignore[attr-defined]


def test_the_message_and_the_box_speak_of_the_file_chosen_last(page: object, tmp_path: Path) -> None:
    """A file the browser refused for its size left the page's message on the file chosen before ("valid
    scenario", or an older file's refusal) beside the box's "File is too large"; a file the page refused
    showed the box's green "Upload complete" beside the refusal. Now the message names the file chosen
    last, and the box holds a file only while the page holds it."""
    from sim.app.uploads import MAX_UPLOAD_BYTES

    tab = page
    errors: list[str] = []

    def error_logged(note: object) -> None:
        if note.type == "error":  # type: ignore[attr-defined]
            errors.append(note.text)  # type: ignore[attr-defined]

    def error_thrown(error: object) -> None:
        errors.append(str(error))

    tab.on("console", error_logged)  # type: ignore[attr-defined]
    tab.on("pageerror", error_thrown)  # type: ignore[attr-defined]
    message = tab.locator(".message")  # type: ignore[attr-defined]
    items = tab.locator(".upload-scenario .filepond--item")  # type: ignore[attr-defined]
    over = tmp_path / "over-the-limit.yaml"
    over.write_bytes(b"#" * (MAX_UPLOAD_BYTES + 1))
    files = tab.locator(".upload-scenario input[type=file]")  # type: ignore[attr-defined]

    choose_scenario(tab, "baseline_2023.yaml", "baseline-2023: valid scenario")
    wrong = tmp_path / "wrong-key.yaml"
    wrong.write_text(long_scenario(tmp_path, 20).read_text(encoding="utf-8") + "unloading_points: 8\n", encoding="utf-8")
    upload(tab, wrong, "wrong-key.yaml: invalid scenario")
    expect(message).to_contain_text("unloading_points")
    expect(items).to_have_count(0, timeout=60_000)  # it showed "Upload complete"; the box is ready for the next file

    files.set_input_files(str(over))  # after a refusal: the message spoke of wrong-key.yaml
    refused = message.filter(has_text="over-the-limit.yaml: invalid scenario")
    refused.wait_for(timeout=60_000)  # (not expect's 5 s: the server answers when a busy machine lets it)
    expect(message).to_contain_text("file is larger than 1 MB")
    expect(message).not_to_contain_text("wrong-key.yaml")
    expect(items.filter(has_text="over-the-limit.yaml")).to_contain_text("File is too large")

    upload(tab, long_scenario(tmp_path, 20, "chosen-last"), "chosen-last: valid scenario")
    expect(items.filter(has_text="long-20.yaml")).to_contain_text("Upload complete")  # a file read stays
    files.set_input_files(str(over))  # after a file read: the message said "chosen-last: valid scenario"
    refused.wait_for(timeout=60_000)
    expect(message).not_to_contain_text("chosen-last")
    expect(tab.locator(".choose-scenario select")).to_have_value("uploaded: long-20.yaml")  # type: ignore[attr-defined]
    tab.remove_listener("console", error_logged)  # type: ignore[attr-defined]
    tab.remove_listener("pageerror", error_thrown)  # type: ignore[attr-defined]
    assert errors == []  # the browser's side of the box (sim.app.pond) ran without an error


def test_the_same_file_chosen_again_is_read_again(page: object, tmp_path: Path) -> None:
    """Choosing the same file again sent nothing (FileInput's value had not changed): a user who had
    changed levers, or edited the file on disk, saw nothing happen. Now the file is read each time it
    is chosen: the form returns to the file's values; an edited file's new content is loaded."""
    tab = page
    mine = long_scenario(tmp_path, 20, "again")
    upload(tab, mine, "again: valid scenario")
    points = tab.locator(".lever-unloading-grain-points input")  # type: ignore[attr-defined]
    in_file = points.input_value()
    points.fill(str(int(in_file) + 3))
    points.press("Enter")
    message = tab.locator(".message")  # type: ignore[attr-defined]
    expect(message).to_contain_text("again: valid scenario with unloading.grain.points=")
    tab.locator(".upload-scenario .filepond--action-revert-item-processing").click()  # type: ignore[attr-defined]
    with tab.expect_file_chooser() as chooser:  # type: ignore[attr-defined]
        tab.locator(".upload-scenario .filepond--label-action").click()  # type: ignore[attr-defined]  ("Browse")
    chooser.value.set_files(str(mine))
    expect(message).not_to_contain_text("with unloading.grain.points")
    expect(message).to_contain_text("again: valid scenario")
    expect(points).to_have_value(in_file)
    mine.write_text(mine.read_text(encoding="utf-8").replace("name: again", "name: again-edited"), encoding="utf-8")
    upload(tab, mine, "again-edited: valid scenario")  # dropped on the last one: it replaces it
    expect(tab.locator(".choose-scenario select")).to_have_value("uploaded: long-20.yaml")  # type: ignore[attr-defined]


def test_hostile_uploads_are_refused_on_the_page_and_leave_it_usable(page: object, tmp_path: Path) -> None:
    """What a user may throw at the upload: a binary file named .yaml, a picture, two files one right
    after the other, a file dialog cancelled. Each is refused with why, or changes nothing, and the page
    goes on (the server's console stays clean: the app_url fixture checks it)."""
    tab = page
    message = tab.locator(".message")  # type: ignore[attr-defined]
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(bytes(range(256)) * 4)
    upload(tab, binary, "binary.yaml: invalid scenario")
    expect(message).to_contain_text("file is not UTF-8 text (expected YAML saved as UTF-8)")
    picture = tmp_path / "picture.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    upload(tab, picture, "picture.png: invalid scenario")
    expect(message).to_contain_text("expected a scenario file ending in .yaml or .yml")
    title = tab.title()  # type: ignore[attr-defined]
    tagged = tmp_path / "<img src=x onerror=\"document.title='pwned'\">.yaml"  # a file name is text too
    tagged.write_text("name: [\n", encoding="utf-8")
    upload(tab, tagged, "<img src=x onerror=\"document.title='pwned'\">.yaml: invalid scenario")
    assert tab.title() == title  # type: ignore[attr-defined]

    first, second = long_scenario(tmp_path, 21, "first-quick"), long_scenario(tmp_path, 22, "second-quick")
    files = tab.locator(".upload-scenario input[type=file]")  # type: ignore[attr-defined]
    files.set_input_files(str(first))
    files.set_input_files(str(second))  # before the first one is read: the last one chosen wins
    message.filter(has_text="second-quick: valid scenario").wait_for()  # two files read: more than expect's 5 s when busy
    choose = tab.locator(".choose-scenario select")  # type: ignore[attr-defined]
    expect(choose).to_have_value("uploaded: long-22.yaml")

    tab.locator(".upload-scenario .filepond--action-revert-item-processing").click()  # type: ignore[attr-defined]
    with tab.expect_file_chooser() as chooser:  # type: ignore[attr-defined]
        tab.locator(".upload-scenario .filepond--label-action").click()  # type: ignore[attr-defined]
    chooser.value.set_files([])  # the dialog cancelled
    replications = tab.locator(".replications input")  # type: ignore[attr-defined]
    replications.fill("2")
    replications.press("Enter")
    expect(message).to_contain_text("second-quick: valid scenario")
    expect(choose).to_have_value("uploaded: long-22.yaml")
    expect(tab.locator(".run button")).to_be_enabled()  # type: ignore[attr-defined]


def test_cancel_stops_a_run_of_one_replication_within_seconds_and_two_tabs_run_apart(
        page: object, browser: object, app_url: str, tmp_path: Path) -> None:
    """Cancel used to wait for a lone replication to finish (half a minute here); nothing of it is shown.
    Two tabs are two sessions: a run, its results and its Cancel belong to the tab that started them."""
    first = page
    upload(first, long_scenario(tmp_path), "baseline-36500-days: valid scenario")
    cards_before = first.locator(".kpi-cards").inner_text()  # type: ignore[attr-defined]
    first.locator(".run button").click()  # type: ignore[attr-defined]
    first.locator(".message").filter(has_text="running 1 replications").wait_for()  # type: ignore[attr-defined]
    second = open_tab(browser, app_url)
    try:
        upload(second, long_scenario(tmp_path, 25, "second-tab"), "second-tab: valid scenario")
        expect(second.locator(".run button")).to_be_enabled()  # type: ignore[attr-defined]
        second.locator(".run button").click()  # type: ignore[attr-defined]
        second.locator(".message").filter(has_text="second-tab: 1 replications done").wait_for()  # type: ignore[attr-defined]
        expect(first.locator(".message")).to_contain_text("running 1 replications")  # type: ignore[attr-defined]
        cancel = first.locator(".cancel button")  # type: ignore[attr-defined]
        expect(cancel).to_be_enabled()
        started = time.monotonic()
        cancel.click()
        first.locator(".message").filter(has_text="run cancelled").wait_for(timeout=10_000)  # type: ignore[attr-defined]
        assert time.monotonic() - started < 10  # it waited for the replication: half a minute or more
        expect(first.locator(".run button")).to_be_enabled()  # type: ignore[attr-defined]
        expect(cancel).to_be_disabled()
        assert first.locator(".kpi-cards").inner_text() == cards_before  # type: ignore[attr-defined]
        expect(second.locator(".message")).to_contain_text("second-tab: 1 replications done")  # type: ignore[attr-defined]
        assert second.locator(".card[data-kpi='backlog_wagons_mean']").count() == 1  # type: ignore[attr-defined]
    finally:
        second.close()  # type: ignore[attr-defined]


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for child in subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True,
                                check=False).stdout.split():
        found |= {int(child)} | descendants(int(child))
    return found


def test_stopping_the_app_mid_run_ends_its_workers_at_once(browser: object, tmp_path: Path) -> None:
    """SIGTERM (or Ctrl-C) while a run computed left `dostyk app` waiting for the replication in flight
    (over a minute here, hours for a long run); it now ends its workers and exits."""
    import os
    import signal

    server = subprocess.Popen([*command(), "app", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    workers: set[int] = set()
    try:
        assert server.stdout is not None
        url = ""
        while not url:
            line = server.stdout.readline()
            assert line, "dostyk app exited"
            found = re.search(r"running at (http://\S+)", line)
            url = found.group(1) if found else ""
        tab = open_tab(browser, url)
        upload(tab, long_scenario(tmp_path), "baseline-36500-days: valid scenario")
        tab.locator(".run button").click()  # type: ignore[attr-defined]
        tab.locator(".message").filter(has_text="running 1 replications").wait_for()  # type: ignore[attr-defined]
        deadline = time.monotonic() + 120  # the worker starts when the machine lets it (a busy CI)
        while not (workers := descendants(server.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert workers, "the run has a worker process"
        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=60)
        assert time.monotonic() - started < 15, output
        assert "Traceback" not in output, output
        tab.close()  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
            time.sleep(0.2)
        assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "a worker outlived the app"
    finally:
        for pid in [server.pid, *workers] if server.poll() is None else workers:  # this test's processes only
            if Path(f"/proc/{pid}").exists():
                os.kill(pid, signal.SIGKILL)
        server.wait()
