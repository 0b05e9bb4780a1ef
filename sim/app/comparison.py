"""The Compare tab's verdict on the results shown against the baseline: paired differences, or why there are none."""

from __future__ import annotations

from typing import Any

import panel as pn

from sim.app.cards import differences_html, paired_differences
from sim.app.text import as_text
from sim.experiments.results import Results


def comparison_panes(baseline: Results | None, results: Results | None) -> list[Any]:
    """What the Compare tab shows: how to get a comparison, that there is nothing to compare, that the
    two runs cannot be paired (replication i of both must share its random streams), or the differences."""
    if baseline is None or results is None:
        return [pn.pane.Markdown("Run, then *Use as baseline*; the next run is compared with it.")]
    if baseline is results:
        return [pn.pane.Markdown("These results are the baseline; change a lever and run.")]
    if (baseline.seed != results.seed or baseline.replications != results.replications
            or baseline.scenario.start != results.scenario.start
            or baseline.scenario.duration != results.scenario.duration):
        return [pn.pane.Alert("Not paired: the baseline differs in seed, replications or "
                              "period, so replications cannot be matched.", alert_type="warning")]
    table = paired_differences(results, baseline)
    names = f"{results.scenario.name} − {baseline.scenario.name}"  # the baseline may be another scenario
    return [pn.pane.Markdown(f"**Variant − baseline** ({as_text(names)}; paired by replication, same seed)",
                             css_classes=["compare-heading"]),
            pn.pane.HTML(differences_html(table, results.replications), sizing_mode="stretch_width")]
