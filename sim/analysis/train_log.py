"""A replication's trains, one row each: when requested, formed, at the border and unloaded.

The KPIs say how the crossing as a whole fares; an exporter asks when *his* wagons get through
(sim.analysis.consignment). This table is read from the model's train log (`simulate(...,
train_log=True)`: a row per train and stage, and one per train's unloading, not per wagon).
Trains under way at the start (the scenario's initial state) were never formed in the run and are
not listed. Times are hours since the scenario's start; NaN where a train had not got that far by
the horizon (an unloading scheduled to end after the horizon is listed with its scheduled end).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

COLUMNS = ("train", "cargo", "crossing", "wagons", "requested_h", "formed_h", "border_h", "unloading_start_h",
           "unloaded_h", "wagons_unloaded", "refused", "order")


def train_table(diagnostics: dict[str, Any], crossings: Sequence[str]) -> pd.DataFrame:
    """One row per train formed in the run (see the module docstring), in the order they were formed.

    `crossing` is where the train was unloaded, or else where it was sent when formed; `wagons` the
    wagons it was formed with; `wagons_unloaded` those scheduled on the unloading points (fewer when a
    check refused some); `refused` whether a check refused any of its wagons; `order` whether it
    carries the run's one-off order (sim.model.orders)."""
    formations = diagnostics.get("formations")
    rows, unloadings = diagnostics.get("trace"), diagnostics.get("unloadings")
    if formations is None or rows is None or unloadings is None:
        raise ValueError("the replication was run without its train log (simulate(..., train_log=True))")
    border: dict[int, float] = {}
    refused: set[int] = set()
    for train, _cargo, stage, what, t in rows:
        if what == "exit" and stage.endswith("line") and train not in border:
            border[train] = t
        elif what == "reject":
            refused.add(train)
    unloaded: dict[int, tuple[str, float, float, int]] = {}
    for train, stage, first, last, wagons in unloadings:
        if train in unloaded:  # (a train is unloaded at one crossing, in one go; kept general)
            _, f0, l0, w0 = unloaded[train]
            unloaded[train] = (stage, min(f0, first), max(l0, last), w0 + wagons)
        else:
            unloaded[train] = (stage, first, last, wagons)
    ordered = set(diagnostics.get("order_trains") or ())
    out = []
    for train, cargo, x, requested, formed, wagons in formations:
        stage, first, last, done = unloaded.get(train, ("", math.nan, math.nan, 0))
        out.append((train, cargo, _crossing_of(stage, crossings, x), wagons, requested, formed,
                    border.get(train, math.nan), first, last, done, train in refused, train in ordered))
    return pd.DataFrame(out, columns=list(COLUMNS))


def _crossing_of(stage: str, crossings: Sequence[str], sent_to: int) -> str:
    """The crossing in an unloading stage's name (`crossings.<name>.unloading.<cargo>`; with one
    crossing just `unloading.<cargo>`), or the one the train was sent to."""
    if stage.startswith("crossings."):
        return stage[len("crossings."):].split(".unloading.", 1)[0]
    return str(crossings[sent_to])
