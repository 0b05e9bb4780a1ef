"""The workbench page: pick a scenario, change levers, run, read charts and KPI cards, compare, download,
and ask when an order would be through (the Order tab, sim.app.order_tab).

Each browser session gets its own `Workbench` (Panel calls `page()` per session). A run happens in
worker processes (sim.app.jobs) and the page polls it on a timer (sim.app.job_watch), so it stays
responsive and a run can be cancelled; every message the command line would print (validation, refusals) is shown inline.
"""

from __future__ import annotations

import io
import weakref
from pathlib import Path
from typing import Any

import panel as pn

from sim.app.cards import kpi_cards
from sim.app.comparison import comparison_panes
from sim.app.corridor import Corridor
from sim.app.downloads import named, results_zip, variant_file
from sim.app.job_watch import JobWatch
from sim.app.jobs import Job
from sim.app.lever_form import Fields, lever_form
from sim.app.levers import scenario_levers
from sim.app.offline import SYSTEM_FONTS
from sim.app.order_tab import OrderTab, Settings
from sim.app.results_tab import chart_panes
from sim.app.text import as_text
from sim.app.upload_box import UploadBox
from sim.errors import SimError
from sim.experiments.held import HeldRowsError, check_runs
from sim.experiments.results import Results
from sim.scenario.effects import scenario_warnings
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parents[2]
SESSIONS: weakref.WeakSet[Workbench] = weakref.WeakSet()  # the tabs open (each one a Workbench)
MAX_FIELDS = 300  # lever fields on the form: a file of 1,000 checks made 3,000, and the page froze for 30 s
MAX_UPLOADS = 10  # uploaded scenarios a session keeps in its list (newest first)
MAX_REPLICATIONS = 1000  # the form's bound (the memory bound, check_runs, may allow fewer)


def shipped_scenarios(root: Path = ROOT) -> dict[str, Path]:
    """The scenario files shipped in `scenarios/` (history replays included), by relative name."""
    base = root / "scenarios"
    files = sorted(base.glob("*.yaml")) + sorted((base / "history").glob("*.yaml"))
    return {str(p.relative_to(base)): p for p in files}


class Workbench:
    """One session's page and state."""

    def __init__(self, scenarios: dict[str, Path] | None = None) -> None:
        self.scenarios = scenarios or shipped_scenarios()
        self.base: Scenario | None = None
        self.uploads: dict[str, Scenario] = {}  # by their label in the list of scenarios
        self.unshown = 0  # levers of the scenario beyond the form's MAX_FIELDS
        self.levers: Fields = {}
        self.results: Results | None = None
        self.baseline: Results | None = None
        self.choose = pn.widgets.Select(label="Scenario", options=list(self.scenarios), css_classes=["choose-scenario"])
        self.upload_box = UploadBox(loaded=self._add_upload, refused=self._say)
        self.upload = self.upload_box.widget
        self.replications = pn.widgets.IntInput(label="Replications", value=3, css_classes=["replications"],
                                                description=f"a whole number from 1 to {MAX_REPLICATIONS:,}")
        self.run_button = pn.widgets.Button(label="Run", color="primary", css_classes=["run"])
        self.cancel_button = pn.widgets.Button(label="Cancel", color="warning", disabled=True,
                                               css_classes=["cancel"])
        self.progress = pn.indicators.Progress(value=0, max=100, sizing_mode="stretch_width", visible=False)
        self.message = pn.pane.Alert("", alert_type="light", visible=False, css_classes=["message"])
        self.form = pn.Column(css_classes=["levers"])
        self.cards = pn.pane.HTML("", css_classes=["kpi-cards"], sizing_mode="stretch_width")
        self.charts = pn.Column(sizing_mode="stretch_width")
        self.compare = pn.Column(sizing_mode="stretch_width")
        self.baseline_button = pn.widgets.Button(label="Use as baseline", disabled=True, css_classes=["set-baseline"])
        self.variant_name = pn.widgets.TextInput(label="Variant name", placeholder="e.g. eight-points",
                                                 css_classes=["variant-name"])
        self.variant_message = pn.pane.Alert("", alert_type="danger", visible=False, css_classes=["variant-message"])
        # Neither button may send what the page refuses: Save sends the file _variant last checked (none
        # while the form or the name is wrong), Download gets its callback with the first results. A click
        # with no file and no callback sends nothing (Panel's FileDownload), e.g. one that raced `disabled`.
        self.save_variant = pn.widgets.FileDownload(filename="variant.yaml", label="Save variant (YAML)",
                                                    css_classes=["save-variant"])
        self.download_results = pn.widgets.FileDownload(filename="results.zip", label="Download results",
                                                        disabled=True, css_classes=["download-results"])
        self.corridor = Corridor()
        self.replication, self.schematic = self.corridor.replication, self.corridor.schematic
        self.choose.param.watch(lambda _: self._load_chosen(), "value")
        self.replications.param.watch(lambda _: self._check(), "value")
        self.variant_name.param.watch(lambda _: self._variant(), "value_input")
        self.run_button.on_click(lambda _: self._start())
        self.watch: JobWatch[Job] = JobWatch(self.run_button, self.cancel_button, self.progress, self._say,
                                             self._check, self._done)
        SESSIONS.add(self)  # (with its watch: another tab's Run asks what it holds)
        self.baseline_button.on_click(lambda _: self._set_baseline())
        self.order = OrderTab(self.order_settings)
        self._load_chosen()

    # -- scenario and levers ------------------------------------------------------------------
    def _say(self, text: str, kind: Any = "danger") -> None:
        # escaped: a message quotes the file (its name, a refused value), and an Alert renders HTML
        self.message.object, self.message.alert_type, self.message.visible = as_text(text), kind, bool(text)

    def _load_chosen(self) -> None:
        label = self.choose.value
        try:
            self._set_base(self.uploads[label] if label in self.uploads else load_scenario(self.scenarios[label]))
        except SimError as exc:
            self._say(str(exc))

    def _add_upload(self, filename: str, scenario: Scenario) -> None:
        # the list shows what the form holds (it showed a shipped scenario, which could not be chosen again)
        label = f"uploaded: {filename}"
        self.uploads.pop(label, None)
        self.uploads[label] = scenario
        while len(self.uploads) > MAX_UPLOADS:  # a session uploading file after file holds a few, not all
            self.uploads.pop(next(iter(self.uploads)))
        self.choose.options = [*reversed(self.uploads), *self.scenarios]
        if self.choose.value == label:
            self._set_base(scenario)  # the same file name again: a new content
        self.choose.value = label

    def _set_base(self, scenario: Scenario) -> None:
        self.base = scenario
        levers = scenario_levers(scenario)
        self.unshown = len(levers) - MAX_FIELDS if len(levers) > MAX_FIELDS else 0
        self.levers, form = lever_form(levers[:MAX_FIELDS], self._check)
        self.form.objects = [form]
        self.order.use(scenario)
        # after the new form: its watcher and _check say "valid scenario" of the form on the page (Run's
        # state too: a lever left invalid in the old form had disabled it), and what it warns of
        self.replications.value = min(scenario.replications, MAX_REPLICATIONS)
        self._check()

    def changes(self) -> dict[str, Any]:
        """The levers the user changed, as `--set` would give them (an emptied field as None)."""
        return {key: widget.value for key, (lever, widget) in self.levers.items()
                if widget.value is None or float(widget.value) != lever.value}

    def scenario(self) -> Scenario:
        """The chosen scenario with the form's changes; ScenarioError says what the schema refuses
        (or which fields are empty, and what they expect)."""
        assert self.base is not None
        changes = self.changes()
        empty = [(key, f"empty; expected {self.levers[key][0].expected}") for key, v in changes.items() if v is None]
        if empty:
            raise ScenarioError(f"{self.base.name} with changes", empty)
        return self.base.with_changes(changes) if changes else self.base

    def order_settings(self) -> Settings | str:
        """What the Order tab asks of: the form's scenario, its replications and seed; or what is wrong with them."""
        if self.base is None:
            return "no scenario is loaded"
        try:
            scenario = self.scenario()
        except ScenarioError as exc:
            return str(exc)
        problem, n = self._replications_problem(), self.replications.value
        if problem is not None or n is None:  # (an empty field is a problem)
            return problem or ""
        changed = ", ".join(f"{k}={v}" for k, v in self.changes().items())
        return Settings(scenario, n, scenario.name + (f" with {changed}" if changed else ""))

    def _replications_problem(self) -> str | None:
        n = self.replications.value
        if n is not None and 1 <= n <= MAX_REPLICATIONS:
            return None
        return (f"Replications: {'empty' if n is None else f'got {n}'}; expected a whole number "
                f"from 1 to {MAX_REPLICATIONS:,}")

    def _check(self) -> Scenario | None:
        """The form's scenario, or None with the message of what is wrong (Run and Save disabled)."""
        try:
            scenario = self.scenario()
            problem = self._replications_problem()
        except ScenarioError as exc:
            problem = str(exc)
        self._variant()  # Save waits for a valid form and name (replications are not saved)
        # Run's state goes out before the message: whoever sees the message sees Run as it says
        self.run_button.disabled = problem is not None or self.watch.running
        self.order.check()  # the Order tab asks of the form's scenario: it waits, or not, with Run
        if problem is not None:
            self._say(problem)
            return None
        changed = ", ".join(f"{k}={v}" for k, v in self.changes().items())
        said = f"{scenario.name}: valid scenario" + (f" with {changed}" if changed else "")
        # what `dostyk run` warns of on the terminal (only the server's console saw it)
        slips = [f"warning: {path}: {why}" for path, why in scenario_warnings(scenario)]
        if self.unshown:
            slips.append(f"the form shows the first {MAX_FIELDS:,} of the scenario's {MAX_FIELDS + self.unshown:,} "
                         "levers; change the others in the file, or with `--set` on the command line")
        self._say("\n\n".join([said, *slips]), "warning" if slips else "success")
        return scenario

    # -- running --------------------------------------------------------------------------------
    def _start(self) -> None:
        scenario = self._check()
        if scenario is None:
            return
        if self.job is not None and self.job.running:
            return  # a second click before the first one disabled Run (a double click): one run at a time
        n = self.replications.value
        assert n is not None  # _check refused an empty field
        # the baseline and the results shown are kept while the new run computes, and every other tab's
        # too (one process serves them all: two tabs each within the limit were twice its memory)
        kept = self.held() + [held for other in list(SESSIONS) if other is not self for held in other.held("another tab: ")]
        try:
            check_runs(kept, scenario, n)
        except HeldRowsError as exc:
            self._say(str(exc))
            return
        self.watch.start(Job(scenario, n), f"running {n} replications…")

    @property
    def job(self) -> Job | None:
        """The run computing, or the last one (its watch holds it)."""
        return self.watch.job

    def held(self, prefix: str = "") -> list[tuple[str, Scenario, int]]:
        """What this session holds in memory, as check_runs counts it: baseline, results shown, a run computing."""
        items: list[tuple[str, Scenario, int]] = []
        if self.baseline is not None:
            label = "the baseline" if self.baseline is not self.results else "the baseline (shown)"
            items.append((label, self.baseline.scenario, self.baseline.replications))
        if self.results is not None and self.results is not self.baseline:
            items.append(("the results shown", self.results.scenario, self.results.replications))
        if self.job is not None and self.job.running:
            items.append(("a run computing", self.job.scenario, self.job.replications))
        return [(prefix + label, scenario, n) for label, scenario, n in items]

    def close(self) -> None:
        """Stop polling and cancel a run still going (the session is over)."""
        SESSIONS.discard(self)
        self.order.close()
        self.watch.close()

    def _done(self, job: Job) -> str:
        """A run's results on the page (its watch says the rest)."""
        assert job.results is not None, "a run neither cancelled nor failed has its results"
        self._show(job.results)
        return f"{job.scenario.name}: {job.replications} replications done"

    # -- results --------------------------------------------------------------------------------
    def _show(self, results: Results) -> None:
        self.results = results
        self.cards.object = kpi_cards(results)
        self.charts.objects = chart_panes(results)
        self.baseline_button.disabled = False
        self.download_results.param.update(callback=self._results_zip, disabled=False)
        self._show_comparison()
        self.corridor.show(results)

    def _set_baseline(self) -> None:
        self.baseline = self.results
        self._show_comparison()

    def _show_comparison(self) -> None:
        self.compare.objects = comparison_panes(self.baseline, self.results)

    # -- downloads ------------------------------------------------------------------------------
    def _variant(self) -> Scenario | None:
        """The form's scenario under the variant name, or None with what is wrong said beside the name;
        Save holds its file (a few kB), or none."""
        try:
            variant = named(self.scenario(), self.variant_name.value_input or "")
            filename, data = variant_file(variant)
            problem = None
        except ScenarioError as exc:
            problem, variant = str(exc), None
        if variant is None:
            self.save_variant.param.update(file=None, disabled=True)
        else:
            self.save_variant.param.update(file=io.BytesIO(data), filename=filename, disabled=False)
        self.variant_message.object, self.variant_message.visible = as_text(problem or ""), problem is not None
        return variant

    def _results_zip(self) -> io.BytesIO:
        assert self.results is not None  # the button gets this callback with the first results (_show)
        self.download_results.filename, buffer = results_zip(self.results)
        return buffer

    # -- layout ---------------------------------------------------------------------------------
    def view(self) -> pn.template.BaseTemplate:
        sidebar = [self.choose, *self.upload_box.view(), self.replications,
                   pn.Row(self.run_button, self.cancel_button), self.progress, self.message, self.form]
        results = pn.Column(self.cards, self.charts, sizing_mode="stretch_width")
        compare = pn.Column(self.baseline_button, self.compare, self.variant_name, self.variant_message,
                            self.save_variant,
                            self.download_results, sizing_mode="stretch_width")
        self._show_comparison()
        main = pn.Tabs(("Results", results), ("Compare and save", compare), ("Corridor", self.corridor.view()),
                       ("Order", self.order.view()),
                       sizing_mode="stretch_width", css_classes=["tabs"])
        return pn.template.FastListTemplate(title="Dostyk crossing workbench", sidebar=sidebar, main=[main],
                                            sidebar_width=380, font=SYSTEM_FONTS, font_url="")


def page() -> pn.template.BaseTemplate:
    """A new session's page (Panel calls this once per browser tab). A tab closed or reloaded
    mid-run cancels its run: nobody could see its results, and its workers would hold the cores."""
    bench = Workbench()
    pn.state.on_session_destroyed(lambda _: bench.close())
    return bench.view()
