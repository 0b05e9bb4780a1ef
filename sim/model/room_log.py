"""What routing that sees capacity and re-routing report, beside the Recorder.

Per series (sim.model.observations): wagons kept at origin because no crossing could take their
train (`wagons_waited_for_room`, the origin's series), wagons re-routed from a crossing and their
detour's cost (`wagons_rerouted`, `detour_cost_usd`, the source crossing's series and the
corridor's), all in the statistics window; and per day the wagons at origin at the end of the day
while its next train can go nowhere (`waiting_for_room_end`). They are added to the observations
when the run ends, as the Recorder's own totals and daily series are.
"""

from __future__ import annotations

import math

import numpy as np

from sim.model.recorder import Observations, Recorder
from sim.units import DAY

TOTALS = ("wagons_waited_for_room", "wagons_rerouted", "detour_cost_usd")


class RoomLog:
    """Counts of one replication's routing by room, folded into its observations at the end."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.totals = {name: np.zeros(recorder.n_series) for name in TOTALS}
        self.waiting_end = np.zeros((recorder.n_series, recorder.n_days))

    def waited_for_room(self, ci: int, t: float, wagons: int) -> None:
        """A train's wagons kept at origin: no crossing open to its cargo could take it (once a train)."""
        if t >= self.recorder.warmup:
            for k in self.recorder.origin_series[ci]:
                self.totals["wagons_waited_for_room"][k] += wagons

    def rerouted(self, lane: int, t: float, wagons: int, cost_usd: float, at_border: bool) -> None:
        """Wagons of a train re-routed from the lane's crossing; held at its border, they leave its backlog."""
        rec = self.recorder
        for k in rec.lane_series[lane]:
            if at_border:
                rec.backlog[k].add(t, -wagons)
            if t >= rec.warmup:
                self.totals["wagons_rerouted"][k] += wagons
                self.totals["detour_cost_usd"][k] += cost_usd

    def day_end(self, t: float, waiting: list[int]) -> None:
        """Wagons per cargo at origin waiting for room at t, the end of a day (or of the run)."""
        day = math.ceil(t / DAY) - 1
        if 0 <= day < self.recorder.n_days:
            for ci, (own, _) in enumerate(self.recorder.origin_series):
                self.waiting_end[own, day] = waiting[ci]
            self.waiting_end[self.recorder.origin_series[0][1], day] = sum(waiting)

    def fill(self, obs: Observations) -> None:
        obs.totals.update(self.totals)
        daily = self.waiting_end
        if len(obs.crossings) > 1:  # the origin is the corridor's: no value on one crossing's rows
            daily[: len(obs.crossings) * (len(obs.cargo) + 1)] = np.nan
        obs.daily["waiting_for_room_end"] = daily
