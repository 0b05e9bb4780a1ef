"""The Corridor tab: one replication's day drawn stage by stage, played day after day or chosen by date."""

from __future__ import annotations

import panel as pn

from sim.app.schematic import schematic_html
from sim.experiments.results import Results


class Corridor:
    """The animation's widgets and the results they draw (none until a run is shown)."""

    def __init__(self) -> None:
        self.results: Results | None = None
        self.dates: list[str] = []
        self.replication = pn.widgets.IntInput(label="Replication", value=1, start=1, end=1, css_classes=["anim-rep"])
        self.player = pn.widgets.Player(label="Day", start=0, end=1, value=0, interval=300, loop_policy="once",
                                        css_classes=["anim-player"], sizing_mode="stretch_width")
        self.go_to = pn.widgets.Select(label="Go to day", options=[], css_classes=["anim-date"])
        self.schematic = pn.pane.HTML("", css_classes=["schematic"], sizing_mode="stretch_width")
        self.player.param.watch(lambda _: self.draw(), "value")
        self.go_to.param.watch(lambda e: setattr(self.player, "value", self.dates.index(e.new))
                               if e.new in self.dates else None, "value")
        self.replication.param.watch(lambda _: self.draw(), "value")

    def show(self, results: Results) -> None:
        """Draw `results` from their first day, in the replication shown if they have it."""
        self.results = results
        self.dates = sorted(results.daily["date"].astype(str).unique())
        # the replication shown first comes within the new run's (replication 3 of the last run, then a run
        # of one, drew a row that does not exist, and the run's results never showed); each change redraws
        self.replication.value = min(int(self.replication.value or 1), results.replications)
        self.replication.end = results.replications
        self.player.end = max(len(self.dates) - 1, 1)
        self.player.value = 0
        self.go_to.options = self.dates
        self.draw()

    def draw(self) -> None:
        if self.results is None:
            return
        date = self.dates[min(int(self.player.value), len(self.dates) - 1)]
        self.schematic.object = schematic_html(self.results, int(self.replication.value or 1) - 1, date)

    def view(self) -> pn.Column:
        return pn.Column(pn.Row(self.replication, self.go_to), self.player, self.schematic,
                         sizing_mode="stretch_width")
