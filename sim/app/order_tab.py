"""The Order tab: an exporter's question asked of the scenario on the form (`dostyk consignment` in the page).

"If I order N wagons of cargo C on date D, when are they all unloaded, how sure?" It is asked of the
form's scenario with its levers, seed and replications, so a lever's effect on one order can be seen,
and runs behind the page as Run does (sim.app.jobs and sim.app.job_watch: progress, Cancel, one question
at a time). What it
refuses and what it answers are the command line's own words: the checks of sim.experiments.consignment
and the table and notes of sim.reporting.consignment.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import panel as pn

from sim.analysis.consignment import MILESTONES, Outcome
from sim.app.job_watch import JobWatch
from sim.app.jobs import OrderJob
from sim.app.text import as_text
from sim.experiments.arguments import ArgumentError
from sim.experiments.consignment import by_problem, order_hours, order_problem, ordered_trains
from sim.model.orders import Order
from sim.reporting.consignment import order_heading, order_notes, order_table, warmup_note
from sim.scenario.schema import Scenario

MIN_HEIGHT = 640  # px: room below the date fields for their calendars (the tabs clip what overflows them)
DEFAULT_WAGONS = 400  # the how-to's example: eight trains of grain
DEFAULT_BY_DAYS = 30  # "through by" first offered a month after the order
#: the answer's table, readable: its columns apart, dates aligned on the right as the command line prints them
ANSWER_CSS = """
table.order-table { border-collapse: collapse; margin: 0.5em 0; }
table.order-table th, table.order-table td { padding: 3px 12px; border-bottom: 1px solid #ddd; text-align: right; }
table.order-table tbody th { text-align: left; font-weight: normal; }
"""
FIELDS = {"cargo": "Cargo", "wagons": "Wagons", "at": "Ordered on"}  # order_problem's fields, as the tab names them


@dataclass(frozen=True)
class Settings:
    """What the form would run: its scenario (levers applied), replications, and how to name them."""

    scenario: Scenario
    replications: int
    label: str  # e.g. "jan2024-admin-hold with unloading.grain.points=8"


@dataclass(frozen=True)
class Question:
    """An order checked against the form's scenario: what a click on the tab's button runs."""

    settings: Settings
    order: Order
    by: float | None  # hours since the start ("through by": the end of that day), or None
    by_label: str | None
    warning: str | None  # the warm-up's note, when the order is placed in it

    @property
    def trains(self) -> int:
        return ordered_trains(self.settings.scenario, self.order)


def question(settings: Settings | str, cargo: str | None, wagons: int | None, on: dt.date | None,
             by: dt.date | None, by_wanted: bool) -> Question | str:
    """The question the inputs ask, or what is wrong with them in the command line's words (`settings`
    as a text: what is wrong with the form)."""
    if isinstance(settings, str):
        return f"Fix the form first: {settings}"
    scenario = settings.scenario
    if wagons is None:
        return "Wagons: empty; expected a whole number of at least 1"
    if on is None:
        return f"Ordered on: empty; expected a date from {scenario.start} to {last_day(scenario)}"
    try:
        at, _ = order_hours(scenario, on.isoformat())
    except ArgumentError as exc:
        return f"Ordered on: {exc}"
    order = Order(cargo or "", wagons, at)
    problem = order_problem(scenario, order)
    if problem is not None:
        return f"{FIELDS[problem[0]]}: {problem[1]}"
    until, label = None, None
    if by_wanted:
        if by is None:
            return f"Through by: empty; expected a date after the order, to {last_day(scenario)}"
        try:
            until, label = order_hours(scenario, by.isoformat(), end_of_day=True)
        except ArgumentError as exc:
            return f"Through by: {exc}"
        late = by_problem(at, until, on.isoformat(), by.isoformat())
        if late:
            return f"Through by: {late}"
    warning = warmup_note(scenario.start, at, float(scenario.warmup), float(scenario.duration))
    return Question(settings, order, until, label, warning)


def replications(n: int) -> str:
    return f"{n} replication{'s' if n != 1 else ''}"


def last_day(scenario: Scenario) -> dt.date:
    """The last day an order may be placed on: the day of the run's last hour."""
    return scenario.start + dt.timedelta(days=max(math.ceil(float(scenario.duration) / 24.0) - 1, 0))


def answer_html(asked: Question, outcomes: list[Outcome]) -> str:
    """The command line's answer (heading, milestones table, notes) as HTML, every text escaped."""
    scenario, order = asked.settings.scenario, asked.order
    start, at = scenario.start, order.at
    heading = order_heading(outcomes, order.cargo, order.wagons, asked.trains, at, start)
    header, *rows = order_table(outcomes, at, start)
    notes = order_notes(outcomes, at, start, float(scenario.duration), asked.by, by_label=asked.by_label,
                        warmup=float(scenario.warmup))
    quantiles = ("0.1", "0.5", "0.9")
    text = html.escape
    head = "".join(f"<th>{text(cell)}</th>" for cell in header)
    body = "".join(
        f"<tr data-milestone='{key}'><th>{text(label)}</th>"
        + "".join(f"<td data-q='{q}'>{text(cell)}</td>" for q, cell in zip(quantiles, cells)) + "</tr>"
        for key, (label, *cells) in zip(MILESTONES, rows))
    asked_of = f"Asked of {asked.settings.label} (seed {scenario.seed})."
    return (f"<div class='order-result'><p class='order-asked'>{text(asked_of)}</p>"
            f"<p class='order-heading'>{text(heading)}</p>"
            f"<table class='order-table'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
            + "".join(f"<p class='order-note'>{text(note)}</p>" for note in notes) + "</div>")


class OrderTab:
    """The tab's inputs, its question running behind the page, and its answer (none until one is asked)."""

    def __init__(self, settings: Callable[[], Settings | str]) -> None:
        self.settings = settings  # the form's, asked at each check (its levers change under the tab)
        self.asked: Question | None = None  # what the job running, or the answer shown, was asked
        self.cargo = pn.widgets.Select(label="Cargo", options=[], css_classes=["order-cargo"])
        # no start bound: the browser would clamp a typed 0 to it; the check says what is wrong instead
        self.wagons = pn.widgets.IntInput(label="Wagons", value=DEFAULT_WAGONS, css_classes=["order-wagons"],
                                          description="a whole number of at least 1, cut into trains of the "
                                                      "cargo's wagons_per_train")
        self.on = pn.widgets.DatePicker(label="Ordered on (its midnight)", css_classes=["order-on"])
        self.by_wanted = pn.widgets.Checkbox(label="Also the chance of all unloaded by:", css_classes=["order-by-wanted"])
        self.by = pn.widgets.DatePicker(label="Through by (the end of that day)", disabled=True,
                                        css_classes=["order-by"])
        self.ask = pn.widgets.Button(label="When is it through?", color="primary", css_classes=["order-ask"])
        self.cancel = pn.widgets.Button(label="Cancel", color="warning", disabled=True, css_classes=["order-cancel"])
        self.progress = pn.indicators.Progress(value=0, max=100, sizing_mode="stretch_width", visible=False)
        self.message = pn.pane.Alert("", alert_type="light", visible=False, css_classes=["order-message"])
        self.answer = pn.pane.HTML("", css_classes=["order-answer"], sizing_mode="stretch_width",
                                  stylesheets=[ANSWER_CSS])
        for widget in (self.cargo, self.wagons, self.on, self.by):
            widget.param.watch(lambda _: self.check(), "value")
        self.by_wanted.param.watch(lambda _: self._want_by(), "value")
        self.ask.on_click(lambda _: self.start())
        self.watch: JobWatch[OrderJob] = JobWatch(self.ask, self.cancel, self.progress, self._say, self.check,
                                                  self._done)

    @property
    def job(self) -> OrderJob | None:
        """The question running, or the last one asked (its watch holds it)."""
        return self.watch.job

    def use(self, scenario: Scenario) -> None:
        """Offer `scenario`'s cargo and days; what was chosen stays if it still fits."""
        names = list(scenario.cargo_names)
        first, last = scenario.start, last_day(scenario)

        def inside(day: dt.date | None) -> bool:
            return day is not None and first <= day <= last

        settled = min(first + dt.timedelta(days=math.ceil(float(scenario.warmup) / 24.0)), last)
        on = self.on.value if inside(self.on.value) else settled
        by = self.by.value if inside(self.by.value) and self.by.value > on else None
        self.cargo.param.update(options=names, value=self.cargo.value if self.cargo.value in names else names[0])
        self.on.param.update(start=first, end=last, value=on)
        self.by.param.update(start=first, end=last, value=by)
        self._want_by()

    def _want_by(self) -> None:
        self.by.disabled = not self.by_wanted.value
        if self.by_wanted.value and self.by.value is None and self.on.value is not None and self.on.end is not None:
            self.by.value = min(self.on.value + dt.timedelta(days=DEFAULT_BY_DAYS), self.on.end)  # (checks)
        else:
            self.check()

    def check(self) -> Question | str:
        """The question the tab would ask, or what is wrong; the button waits while something is."""
        asked = question(self.settings(), self.cargo.value, self.wagons.value, self.on.value, self.by.value,
                         self.by_wanted.value)
        running = self.job is not None and self.job.running
        self.ask.disabled = isinstance(asked, str) or running
        if isinstance(asked, str):
            self._say(asked)
        elif running:
            self._say(self._running_text(), "info")
        else:
            ready = (f"Asks {replications(asked.settings.replications)} of {asked.settings.label} "
                     f"(seed {asked.settings.scenario.seed}), with the order added.")
            self._say("\n\n".join(t for t in (ready, asked.warning) if t), "warning" if asked.warning else "light")
        return asked

    def _say(self, text: str, kind: Any = "danger") -> None:
        self.message.object, self.message.alert_type, self.message.visible = as_text(text), kind, bool(text)

    def _running_text(self) -> str:
        assert self.asked is not None
        return f"asking {self.asked.settings.label}: running {replications(self.asked.settings.replications)}…"

    def start(self) -> None:
        asked = self.check()
        if isinstance(asked, str):
            return
        if self.job is not None and self.job.running:
            return  # a second click before the first one disabled the button: one question at a time
        self.asked = asked
        self.watch.start(OrderJob(asked.settings.scenario, asked.settings.replications, order=asked.order),
                         self._running_text())

    def _done(self, job: OrderJob) -> str:
        """The answer on the tab (its watch says the rest)."""
        assert job.outcomes is not None and self.asked is not None, "a question neither cancelled nor failed is answered"
        self.answer.object = answer_html(self.asked, job.outcomes)
        return f"{self.asked.settings.label}: {replications(job.replications)} done"

    def close(self) -> None:
        """Stop polling and cancel a question still running (the session is over)."""
        self.watch.close()

    def view(self) -> pn.Column:
        intro = pn.pane.Markdown(
            "**When would my order be through?** The order is added to the scenario's demand, with the levers "
            "as set in the form and the same seed and replications as *Run* (`dostyk consignment`: "
            "change a lever and ask again to see its effect on this order).", sizing_mode="stretch_width")
        return pn.Column(intro, pn.Row(self.cargo, self.wagons, self.on), pn.Row(self.by_wanted, self.by),
                         pn.Row(self.ask, self.cancel), self.progress, self.message, self.answer,
                         sizing_mode="stretch_width", min_height=MIN_HEIGHT)
