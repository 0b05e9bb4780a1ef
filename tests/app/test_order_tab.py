"""The workbench's Order tab (sim.app.order_tab) at the Python level: its refusals are the command line's
words, its answer is `dostyk consignment`'s, it asks of the form's levers, and it runs, refuses a second
click and cancels as Run does. (The browser test is in test_workbench_browser.py.)"""

from __future__ import annotations

import copy
import datetime as dt
import html
import re
import threading
import warnings
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

pytest.importorskip("panel", reason="the app extra (panel) is not installed")

from sim.analysis.consignment import Outcome
from sim.app.order_tab import OrderTab, Question, Settings, answer_html
from sim.app.page import Workbench
from sim.cli.consignment import consignment
from sim.model.orders import Order
from sim.scenario.schema import Scenario
from tests.cli.helpers import said as unwrapped  # (`said` here reads the tab)
from tests.model.test_orders import STORY

LABELS = {"--wagons": "Wagons", "--on": "Ordered on", "--by": "Through by"}


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-worked story of tests/model/test_orders.py (fixed times), with a one-day warm-up."""
    data = copy.deepcopy(STORY)
    data["warmup"] = "1d"
    path = tmp_path_factory.mktemp("order-tab") / "story.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def bench_of(path: Path, replications: int = 2) -> Workbench:
    bench = Workbench({path.name: path})
    bench.replications.value = replications
    return bench


def said(tab: OrderTab) -> str:
    return html.unescape(tab.message.object)


def fill(tab: OrderTab, wagons: int | None = 5, on: dt.date | None = dt.date(2023, 1, 2),
         by: dt.date | None = None) -> None:
    tab.wagons.value, tab.on.value = wagons, on
    tab.by_wanted.value = by is not None
    if by is not None:
        tab.by.value = by


def test_a_new_tab_offers_the_scenarios_cargo_and_days_from_the_end_of_its_warmup(story: Path) -> None:
    tab = bench_of(story).order
    assert tab.cargo.options == ["grain"] and tab.cargo.value == "grain"
    assert (tab.on.start, tab.on.end) == (dt.date(2023, 1, 1), dt.date(2023, 1, 3))  # the run is 3 days
    assert tab.on.value == dt.date(2023, 1, 2)  # the first day after the warm-up
    assert tab.by.disabled and not tab.ask.disabled
    assert said(tab) == "Asks 2 replications of order-story (seed 1), with the order added."
    tab.by_wanted.value = True
    assert not tab.by.disabled and tab.by.value == dt.date(2023, 1, 3)  # a month on, within the run


@pytest.mark.parametrize(("inputs", "args"), [
    ({"wagons": 0}, ("--wagons", "0", "--on", "2023-01-02")),
    ({"wagons": -3}, ("--wagons", "-3", "--on", "2023-01-02")),
    ({"wagons": 100_000}, ("--wagons", "100000", "--on", "2023-01-02")),
    # a date the picker no longer offers (its bounds are the browser's; the value is checked here too)
    ({"on": dt.date(2023, 2, 1)}, ("--wagons", "5", "--on", "2023-02-01")),
    ({"on": dt.date(2022, 12, 31)}, ("--wagons", "5", "--on", "2022-12-31")),
    ({"by": dt.date(2023, 1, 1)}, ("--wagons", "5", "--on", "2023-01-02", "--by", "2023-01-01")),
    ({"by": dt.date(2023, 1, 4)}, ("--wagons", "5", "--on", "2023-01-02", "--by", "2023-01-04")),
], ids=["no-wagons", "negative", "too-many-trains", "after-the-run", "before-the-run", "by-before",
        "by-after-the-run"])
def test_bad_input_is_refused_in_the_command_lines_words(story: Path, inputs: dict[str, Any],
                                                          args: tuple[str, ...]) -> None:
    tab = bench_of(story).order
    fill(tab, **{"wagons": 5, "on": dt.date(2023, 1, 2), **inputs})
    with pytest.raises(click.BadParameter) as raised:
        consignment.main([str(story), *args, "--executor", "serial", "-q"], standalone_mode=False)
    assert said(tab) == f"{LABELS[str(raised.value.param_hint)]}: {raised.value.message}" and tab.ask.disabled
    assert tab.message.alert_type == "danger"
    tab.start()  # a click that raced the disabled button starts nothing
    assert tab.job is None


def test_empty_fields_say_what_they_expect(story: Path) -> None:
    tab = bench_of(story).order
    fill(tab, wagons=None)
    assert said(tab) == "Wagons: empty; expected a whole number of at least 1" and tab.ask.disabled
    fill(tab, on=None)
    assert said(tab) == "Ordered on: empty; expected a date from 2023-01-01 to 2023-01-03"
    fill(tab)
    tab.by_wanted.value = True
    tab.by.value = None
    assert said(tab) == "Through by: empty; expected a date after the order, to 2023-01-03" and tab.ask.disabled


def test_an_order_in_the_warmup_is_warned_of_as_the_command_line_answers_it(story: Path) -> None:
    """Not a refusal: the command line answers it with a warning, and the tab says that warning first."""
    tab = bench_of(story).order
    fill(tab, on=dt.date(2023, 1, 1))
    out = CliRunner().invoke(consignment, [str(story), "--wagons", "5", "--on", "2023-01-01", "-n", "1",
                                           "--executor", "serial", "-q"]).output
    # the command line's note as a sentence (the terminal's 100 columns wrap it)
    found = re.search(r"Ordered in the scenario's warm-up.*?\(or order after the warm-up\)\.", unwrapped(out))
    assert found, out
    note = found.group(0)
    assert note in said(tab) and "--set start=2022-12-31" in note
    assert tab.message.alert_type == "warning" and not tab.ask.disabled


def test_an_order_in_the_warmup_is_answered_with_the_tabs_note_once_and_nothing_on_the_console(story: Path) -> None:
    """sim.order_outcomes' own warning of the warm-up went to the server's console while the tab said its note:
    the answer says it once, in the command line's words, and the console nothing."""
    from sim.scenario.effects import ScenarioWarning

    tab = bench_of(story).order
    fill(tab, on=dt.date(2023, 1, 1))
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")  # (shown again though this process may have shown it before)
        answer = ask(tab)
    assert not [w for w in leaked if issubclass(w.category, ScenarioWarning)], [str(w.message) for w in leaked]
    notes = answer_parts(answer)[2]
    assert sum("warm-up" in note for note in notes) == 1, notes
    assert tab.message.alert_type == "success" and "warm-up" not in said(tab)


def test_a_wrong_form_holds_the_order_with_the_forms_own_message(story: Path) -> None:
    bench = bench_of(story)
    tab = bench.order
    bench.levers["unloading.grain.points"][1].value = -5
    assert said(tab).startswith("Fix the form first: order-story with changes: invalid scenario")
    assert "unloading.grain.points: Input should be greater than or equal to 1; got -5" in said(tab) and tab.ask.disabled
    bench.levers["unloading.grain.points"][1].value = 2
    bench.replications.value = 0
    assert said(tab) == "Fix the form first: Replications: got 0; expected a whole number from 1 to 1,000"
    bench.replications.value = 3
    assert not tab.ask.disabled
    assert said(tab) == "Asks 3 replications of order-story with unloading.grain.points=2 (seed 1), with the order added."


def answer_parts(answer: str) -> tuple[str, list[list[str]], list[str]]:
    """The heading, the table's rows (header first) and the notes the tab shows, as text."""
    def texts(pattern: str, text: str) -> list[str]:
        return [html.unescape(t) for t in re.findall(pattern, text, re.S)]

    heading = texts(r"<p class='order-heading'>(.*?)</p>", answer)[0]
    rows = [texts(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", answer, re.S)]
    return heading, rows, texts(r"<p class='order-note'>(.*?)</p>", answer)


def cli_parts(out: str) -> tuple[str, list[list[str]], list[str]]:
    """The same of `dostyk consignment`'s printed answer: its heading and notes as sentences (the terminal's 100
    columns wrap them), its table's rows (columns two spaces or more apart; a label wrapped in its cell joined
    again) under the header, whose first column the tab leaves blank."""
    heading, table, notes = out.rstrip("\n").split("\n\n", 2)
    header, _rule, *lines = table.split("\n")
    rows: list[list[str]] = []
    for line in lines:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) == 1 and rows:  # the rest of the row above's label
            rows[-1][0] += " " + cells[0]
        else:
            rows.append(cells)
    sentences = re.sub(r"\n  ", " ", notes).split("\n")
    return unwrapped(heading), [["", *re.split(r"\s{2,}", header.strip())[1:]], *rows], sentences


def ask(tab: OrderTab) -> str:
    tab.start()
    job = tab.job
    assert job is not None
    tab.start()  # a second click while it runs: the same question, no second job
    assert tab.job is job and sum(t.name == "order order-story" for t in threading.enumerate()) <= 1
    assert tab.ask.disabled and not tab.cancel.disabled and "running 2 replications" in said(tab)
    job.wait(240)
    tab.watch.tick()
    assert not tab.watch.polling and not tab.ask.disabled and tab.cancel.disabled
    assert said(tab).endswith(": 2 replications done"), said(tab)
    return str(tab.answer.object)


def test_the_answer_is_the_command_lines_and_follows_the_levers_on_the_form(story: Path) -> None:
    """The same order asked with the story's one grain point, then with two set on the form: each answer is
    `dostyk consignment`'s for the same scenario (with --set for the lever), seed and replications."""
    bench = bench_of(story)
    tab = bench.order
    fill(tab, wagons=5, on=dt.date(2023, 1, 2), by=dt.date(2023, 1, 3))
    answers = []
    for sets in ((), ("--set", "unloading.grain.points=2")):
        if sets:
            bench.levers["unloading.grain.points"][1].value = 2
        answer = ask(tab)
        out = CliRunner().invoke(consignment, [str(story), "--wagons", "5", "--on", "2023-01-02", "--by", "2023-01-03",
                                               "-n", "2", *sets, "--executor", "serial", "-q"]).output
        assert answer_parts(answer) == cli_parts(out), (answer, out)
        label = "order-story" + (" with unloading.grain.points=2" if sets else "")
        assert f"Asked of {label} (seed 1)." in answer
        answers.append(answer_parts(answer))
    one_point, two_points = answers
    assert one_point[1][3] != two_points[1][3], "a second point must change when the order is all unloaded"
    assert "All unloaded by the end of 2023-01-03" in " ".join(two_points[2])


def test_cancel_ends_the_question_and_keeps_the_answer_shown_and_closing_cancels() -> None:
    bench = Workbench()
    assert bench.base is not None
    bench._set_base(bench.base.with_changes({"duration": "36500d", "warmup": "0d", "replications": 1}))
    bench.replications.value = 1
    tab = bench.order
    tab.answer.object = shown = "<p>an earlier answer</p>"
    tab.start()
    job = tab.job
    assert job is not None and job.running
    tab.cancel.clicks += 1  # the tab's Cancel button
    job.wait(20)
    assert not job.running and job.cancelled and job.outcomes is None
    tab.watch.tick()
    assert said(tab) == "order cancelled; nothing was kept" and tab.answer.object == shown
    assert not tab.ask.disabled and tab.cancel.disabled and bench.run_button.disabled is False

    tab.start()
    bench.close()  # the browser tab closed mid-question
    assert tab.job is not None and tab.job is not job
    tab.job.wait(20)
    assert tab.job.cancelled and not tab.watch.polling


def test_choosing_another_scenario_offers_its_cargo_and_days_keeping_what_still_fits() -> None:
    bench = Workbench()
    tab = bench.order
    bench.choose.value = "baseline_2023.yaml"
    tab.cargo.value, tab.on.value = "containers", dt.date(2023, 3, 1)
    bench.choose.value = "jan2024_admin_hold.yaml"  # October 2023 to March 2024: 1 March 2023 is not in it
    assert tab.cargo.options == ["grain", "containers"] and tab.cargo.value == "containers"
    assert (tab.on.start, tab.on.end) == (dt.date(2023, 10, 1), dt.date(2024, 3, 31))
    assert tab.on.value == dt.date(2023, 10, 31)  # the end of its warm-up
    tab.on.value = dt.date(2024, 1, 5)
    bench._set_base(bench.base.with_changes({"name": "same-days"}))  # type: ignore[union-attr]  (another file, same days)
    assert tab.on.value == dt.date(2024, 1, 5)


def test_the_answer_shows_names_as_text_not_html() -> None:
    """A scenario's name (or a cargo's) is the file's text: shown escaped, never run as HTML."""
    story = Scenario.model_validate({**STORY, "name": "<img src=x onerror=alert(1)>"})
    asked = Question(Settings(story, 1, story.name), Order("grain", 5, 24.0), None, None, None)
    outcome = Outcome(trains=2, formed_h=24.0, border_h=34.0, unloaded_h=70.0, refused_wagons=0)
    answer = answer_html(asked, [outcome])
    assert "<img" not in answer and "&lt;img src=x onerror=alert(1)&gt;" in answer
    assert "2023-01-03 22:00 (+1.9 d)" in answer  # the table's cell, from sim.reporting.consignment


def test_the_tabs_mean_days_ci_is_never_below_zero_as_the_command_line_says_it() -> None:
    """The tab's notes are the command line's (sim.reporting.consignment.order_notes): a CI of the mean days
    reaching below 0 is clipped at 0 there too, and the note says so."""
    story = Scenario.model_validate(STORY)
    asked = Question(Settings(story, 3, story.name), Order("grain", 5, 24.0), None, None, None)
    outcomes = [Outcome(2, 24.0, 25.0, 24.0 + 24.0 * d, 0) for d in (0.1, 0.1, 2.0)]
    notes = answer_parts(answer_html(asked, outcomes))[2]
    assert notes[0].startswith("Days from the order to all unloaded: mean 0.7 (95 % CI of the mean 0.0 to 3.5; "
                               "lower bound clipped at 0: days cannot be negative); "), notes
