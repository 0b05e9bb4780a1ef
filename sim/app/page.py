"""The workbench page: pick a scenario, change levers, run, read charts and KPI cards, compare, download.

Each browser session gets its own `Workbench` (Panel calls `page()` per session). A run happens in
worker processes (sim.app.jobs) and the page polls it on a timer, so it stays responsive and a run
can be cancelled; every message the command line would print (validation, refusals) is shown inline.
"""

from __future__ import annotations

import html
import io
import weakref
from pathlib import Path
from typing import Any

import panel as pn

from sim.app import charts
from sim.app.cards import differences_html, kpi_cards, paired_differences
from sim.app.downloads import named, results_zip, variant_file
from sim.app.jobs import Job
from sim.app.levers import LeverField, scenario_levers
from sim.app.offline import SYSTEM_FONTS
from sim.app.schematic import schematic_html
from sim.app.uploads import MAX_UPLOAD_BYTES, browser_size, read_upload
from sim.errors import SimError
from sim.experiments.held import HeldRowsError, check_runs
from sim.experiments.results import Results
from sim.scenario.effects import scenario_warnings
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from sim.scenario.yamltext import readable_size

ROOT = Path(__file__).resolve().parents[2]
POLL_MS = 400
SESSIONS: weakref.WeakSet[Workbench] = weakref.WeakSet()  # the tabs open (each one a Workbench)
MAX_FIELDS = 300  # lever fields on the form: a file of 1,000 checks made 3,000, and the page froze for 30 s
MAX_UPLOADS = 10  # uploaded scenarios a session keeps in its list (newest first)
MAX_REPLICATIONS = 1000  # the form's bound (the memory bound, check_runs, may allow fewer)


def as_text(text: str) -> str:
    """`text` shown as written in a Markdown pane: a scenario's name `<img onerror=…>` ran as script."""
    return html.escape(text, quote=False)


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
        SESSIONS.add(self)
        self.levers: dict[str, tuple[LeverField, Any]] = {}
        self.job: Job | None = None
        self.results: Results | None = None
        self.baseline: Results | None = None
        self.choose = pn.widgets.Select(label="Scenario", options=list(self.scenarios), css_classes=["choose-scenario"])
        # FileDropper, not FileInput: it refuses a file over the limit in the browser, with its size, before
        # sending it (an 80 MB file cut the page's connection), and it sends a file chosen again (FileInput
        # did not: its value had not changed). No file types: it checks a file's type, not its name, and
        # browsers name YAML's type differently (Chromium on Linux application/x-yaml, where Panel expects
        # text/yaml; some none at all), so a right file would be refused; read_upload checks the name.
        self.upload = pn.widgets.FileDropper(multiple=False, max_file_size=browser_size(MAX_UPLOAD_BYTES),
                                             previews=[], css_classes=["upload-scenario"], sizing_mode="stretch_width")
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
        self.replication = pn.widgets.IntInput(label="Replication", value=1, start=1, end=1, css_classes=["anim-rep"])
        self.player = pn.widgets.Player(label="Day", start=0, end=1, value=0, interval=300, loop_policy="once",
                                        css_classes=["anim-player"], sizing_mode="stretch_width")
        self.go_to = pn.widgets.Select(label="Go to day", options=[], css_classes=["anim-date"])
        self.schematic = pn.pane.HTML("", css_classes=["schematic"], sizing_mode="stretch_width")
        self.choose.param.watch(lambda _: self._load_chosen(), "value")
        self.upload.param.watch(lambda _: self._load_upload(), "value")  # every file sent, the same one again too
        self.replications.param.watch(lambda _: self._check(), "value")
        self.variant_name.param.watch(lambda _: self._variant(), "value_input")
        self.run_button.on_click(lambda _: self._start())
        self.cancel_button.on_click(lambda _: self.job.cancel() if self.job else None)
        self.baseline_button.on_click(lambda _: self._set_baseline())
        self.player.param.watch(lambda _: self._draw_schematic(), "value")
        self.go_to.param.watch(lambda e: setattr(self.player, "value", self.dates.index(e.new))
                               if e.new in self.dates else None, "value")
        self.replication.param.watch(lambda _: self._draw_schematic(), "value")
        self._poll: Any = None
        self.dates: list[str] = []
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

    def _load_upload(self) -> None:
        files = dict(self.upload.value)
        if not files:
            return  # a file removed from the widget (or the emptying below): nothing to load
        self.upload.param.update(value={}, mime_type={})  # read once: the next file (the same one again too) arrives alone
        for filename, content in files.items():
            self._read_upload(filename, content)

    def _read_upload(self, filename: str, content: bytes | str) -> None:
        try:
            scenario = read_upload(filename, content)
        except SimError as exc:
            self._say(str(exc))
            return
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
        self.levers = {}
        sections: dict[str, list[Any]] = {}
        levers = scenario_levers(scenario)
        self.unshown = len(levers) - MAX_FIELDS if len(levers) > MAX_FIELDS else 0
        for lever in levers[:MAX_FIELDS]:
            kind = pn.widgets.IntInput if lever.integer else pn.widgets.FloatInput
            # no start/end: the browser would clamp a typed -5 to the bound, or keep the old value while
            # showing -5; the schema's own message says what is wrong instead (self._check)
            widget = kind(label=f"{lever.label} ({lever.unit})" if lever.unit else lever.label,
                          value=int(lever.value) if lever.integer else lever.value,
                          description=f"{lever.help} ({lever.expected})" if lever.help else lever.expected,
                          css_classes=["lever", "lever-" + lever.key.replace(".", "-").replace("[", "-").replace("]", "")])
            widget.param.watch(lambda _: self._check(), "value")
            self.levers[lever.key] = (lever, widget)
            sections.setdefault(lever.section, []).append(widget)
        self.form.objects = [pn.Accordion(*[(name, pn.Column(*ws)) for name, ws in sections.items()],
                                          active=list(range(len(sections))), sizing_mode="stretch_width")]
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
        self.run_button.disabled = problem is not None or (self.job is not None and self.job.running)
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
        self.job = Job(scenario, n).start()
        self.run_button.disabled, self.cancel_button.disabled = True, False
        self.progress.value, self.progress.visible = 0, True
        self._say(f"running {self.job.replications} replications…", "info")
        self._poll = pn.state.add_periodic_callback(self._tick, period=POLL_MS)

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
        if self._poll is not None:
            self._poll.stop()
            self._poll = None
        if self.job is not None:
            self.job.cancel()

    def _tick(self) -> None:
        job = self.job
        if job is None:
            return
        self.progress.value = int(100 * job.progress)
        if job.running:
            return
        if self._poll is not None:
            self._poll.stop()
            self._poll = None
        self.cancel_button.disabled, self.progress.visible = True, False
        self._check()  # Run again, unless the form went wrong meanwhile (its message is then replaced below)
        if job.cancelled:
            self._say("run cancelled; nothing was kept", "warning")
        elif job.error:
            self._say(job.error)
        elif job.results is not None:
            self._show(job.results)
            self._say(f"{job.scenario.name}: {job.replications} replications done", "success")

    # -- results --------------------------------------------------------------------------------
    def _show(self, results: Results) -> None:
        self.results = results
        self.cards.object = kpi_cards(results)
        self.charts.objects = [
            pn.Column(pn.pane.Bokeh(charts.band_chart(results, "backlog_end", "Border backlog by crossing (end of day)",
                                                      "wagons"), sizing_mode="stretch_width"),
                      css_classes=["chart-backlog"], sizing_mode="stretch_width"),
            pn.pane.Bokeh(charts.band_chart(results, "backlog_end", "Border backlog by cargo", "wagons", by="cargo"),
                          sizing_mode="stretch_width"),
            pn.pane.Bokeh(charts.band_chart(results, "held_trains_end", "Held trains (end of day)", "trains"),
                          sizing_mode="stretch_width"),
            pn.pane.Bokeh(charts.band_chart(results, "tonnes_delivered", "Deliveries", "t a day"),
                          sizing_mode="stretch_width"),
            pn.pane.Bokeh(charts.waiting_chart(results), sizing_mode="stretch_width"),
        ]
        self.baseline_button.disabled = False
        self.download_results.param.update(callback=self._results_zip, disabled=False)
        self._show_comparison()
        self.dates = sorted(results.daily["date"].astype(str).unique())
        # the replication shown first comes within the new run's (replication 3 of the last run, then a run
        # of one, drew a row that does not exist, and the run's results never showed); each change redraws
        self.replication.value = min(int(self.replication.value or 1), results.replications)
        self.replication.end = results.replications
        self.player.end = max(len(self.dates) - 1, 1)
        self.player.value = 0
        self.go_to.options = self.dates
        self._draw_schematic()

    def _set_baseline(self) -> None:
        self.baseline = self.results
        self._show_comparison()

    def _show_comparison(self) -> None:
        if self.baseline is None or self.results is None:
            self.compare.objects = [pn.pane.Markdown("Run, then *Use as baseline*; the next run is compared with it.")]
            return
        if self.baseline is self.results:
            self.compare.objects = [pn.pane.Markdown("These results are the baseline; change a lever and run.")]
            return
        if (self.baseline.seed != self.results.seed or self.baseline.replications != self.results.replications
                or self.baseline.scenario.start != self.results.scenario.start
                or self.baseline.scenario.duration != self.results.scenario.duration):
            self.compare.objects = [pn.pane.Alert("Not paired: the baseline differs in seed, replications or "
                                                  "period, so replications cannot be matched.", alert_type="warning")]
            return
        table = paired_differences(self.results, self.baseline)
        names = f"{self.results.scenario.name} − {self.baseline.scenario.name}"  # the baseline may be another scenario
        self.compare.objects = [pn.pane.Markdown(f"**Variant − baseline** ({as_text(names)}; paired by replication, "
                                                 "same seed)", css_classes=["compare-heading"]),
                                pn.pane.HTML(differences_html(table), sizing_mode="stretch_width")]

    def _draw_schematic(self) -> None:
        if self.results is None:
            return
        date = self.dates[min(int(self.player.value), len(self.dates) - 1)]
        self.schematic.object = schematic_html(self.results, int(self.replication.value or 1) - 1, date)

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
        sidebar = [self.choose, pn.pane.Markdown(f"or upload a scenario file (.yaml, at most "
                                                 f"{readable_size(MAX_UPLOAD_BYTES)}):"), self.upload, self.replications,
                   pn.Row(self.run_button, self.cancel_button), self.progress, self.message, self.form]
        results = pn.Column(self.cards, self.charts, sizing_mode="stretch_width")
        compare = pn.Column(self.baseline_button, self.compare, self.variant_name, self.variant_message,
                            self.save_variant,
                            self.download_results, sizing_mode="stretch_width")
        animation = pn.Column(pn.Row(self.replication, self.go_to), self.player, self.schematic,
                              sizing_mode="stretch_width")
        self._show_comparison()
        main = pn.Tabs(("Results", results), ("Compare and save", compare), ("Corridor", animation),
                       sizing_mode="stretch_width", css_classes=["tabs"])
        return pn.template.FastListTemplate(title="Dostyk crossing workbench", sidebar=sidebar, main=[main],
                                            sidebar_width=380, font=SYSTEM_FONTS, font_url="")


def page() -> pn.template.BaseTemplate:
    """A new session's page (Panel calls this once per browser tab). A tab closed or reloaded
    mid-run cancels its run: nobody could see its results, and its workers would hold the cores."""
    bench = Workbench()
    pn.state.on_session_destroyed(lambda _: bench.close())
    return bench.view()
