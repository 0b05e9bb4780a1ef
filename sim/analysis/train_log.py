"""A replication's trains, one row each: when requested, formed, at the border and unloaded.

The KPIs say how the crossing as a whole fares; an exporter asks when *his* wagons get through
(sim.analysis.consignment). This table is read from the model's train log (`simulate(...,
train_log=True)`: a train's formation, border arrivals, refusals and unloading, or its loss at
origin; not a row per wagon). Trains under way at the start (the scenario's initial state) were
never formed in the run and are not listed. Times are hours since the scenario's start; NaN where a
train had not got that far by the horizon (an unloading scheduled to end after the horizon is listed
with its scheduled end).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

COLUMNS = ("train", "cargo", "crossing", "wagons", "requested_h", "formed_h", "border_h", "unloading_start_h",
           "unloaded_h", "wagons_unloaded", "refused", "order", "wagons_refused", "lost")


def train_table(diagnostics: dict[str, Any], crossings: Sequence[str]) -> pd.DataFrame:
    """One row per train formed in the run (see the module docstring), in the order they were formed,
    then one per train lost at origin (stop-loading or a ban with `lose`), in the order they were lost.

    `crossing` is where the train was unloaded, else the last border it reached (a re-routed train
    may reach two), else where it was sent when formed ("" if lost); `border_h` its first arrival at
    a border (a re-routed train's dwell also runs from there); `wagons` the wagons it was formed
    with; `wagons_unloaded` those scheduled on the unloading points; `wagons_refused` those a check
    refused (`refused`: any); `order` whether it carries the run's one-off order (sim.model.orders);
    `lost` whether it was lost at origin, never formed."""
    logs = {key: diagnostics.get(key) for key in ("formations", "unloadings", "arrivals", "refusals", "lost")}
    if any(log is None for log in logs.values()):
        raise ValueError("the replication was run without its train log (simulate(..., train_log=True))")
    border: dict[int, float] = {}
    last_border: dict[int, int] = {}
    for train, x, t in logs["arrivals"]:  # type: ignore[union-attr]
        border.setdefault(train, t)
        last_border[train] = x
    refused: dict[int, int] = {}
    for train, wagons in logs["refusals"]:  # type: ignore[union-attr]
        refused[train] = refused.get(train, 0) + wagons
    unloaded: dict[int, tuple[str, float, float, int]] = {}
    for train, stage, first, last, wagons in logs["unloadings"]:  # type: ignore[union-attr]
        if train in unloaded:  # (a train is unloaded at one crossing, in one go; kept general)
            _, f0, l0, w0 = unloaded[train]
            unloaded[train] = (stage, min(f0, first), max(l0, last), w0 + wagons)
        else:
            unloaded[train] = (stage, first, last, wagons)
    ordered = set(diagnostics.get("order_trains") or ())
    out = []
    for train, cargo, x, requested, formed, wagons in logs["formations"]:  # type: ignore[union-attr]
        stage, first, last, done = unloaded.get(train, ("", math.nan, math.nan, 0))
        out.append((train, cargo, _crossing_of(stage, crossings, last_border.get(train, x)), wagons, requested,
                    formed, border.get(train, math.nan), first, last, done, train in refused, train in ordered,
                    refused.get(train, 0), False))
    for train, cargo, requested, wagons in logs["lost"]:  # type: ignore[union-attr]
        out.append((train, cargo, "", wagons, requested, math.nan, math.nan, math.nan, math.nan, 0, False,
                     train in ordered, 0, True))
    return pd.DataFrame(out, columns=list(COLUMNS))


def _crossing_of(stage: str, crossings: Sequence[str], reached: int) -> str:
    """The crossing in an unloading stage's name (`crossings.<name>.unloading.<cargo>`; with one
    crossing just `unloading.<cargo>`), or else the one the train last reached or was sent to."""
    if stage.startswith("crossings."):
        return stage[len("crossings."):].split(".unloading.", 1)[0]
    return str(crossings[reached])
