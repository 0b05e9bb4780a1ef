"""The Results tab's charts of one run, each stretched to the tab's width."""

from __future__ import annotations

from typing import Any

import panel as pn

from sim.app import charts
from sim.experiments.results import Results


def chart_panes(results: Results) -> list[Any]:
    """Backlog by crossing and by cargo, held trains, deliveries, and waiting times of `results`."""
    def wide(chart: Any) -> pn.pane.Bokeh:
        return pn.pane.Bokeh(chart, sizing_mode="stretch_width")

    return [
        pn.Column(wide(charts.band_chart(results, "backlog_end", "Border backlog by crossing (end of day)", "wagons")),
                  css_classes=["chart-backlog"], sizing_mode="stretch_width"),
        wide(charts.band_chart(results, "backlog_end", "Border backlog by cargo", "wagons", by="cargo")),
        wide(charts.band_chart(results, "held_trains_end", "Held trains (end of day)", "trains")),
        wide(charts.band_chart(results, "tonnes_delivered", "Deliveries", "t a day")),
        wide(charts.waiting_chart(results)),
    ]
