"""Point-hours of unloading points added by windows that raise a capacity (`capacity: 1.34`).

Utilisation is busy point-hours over available ones; points a dated window adds are available only
in the window, so they are counted apart, per day and over the statistics window, once the run ends.
"""

from __future__ import annotations

import numpy as np

from sim.model.observations import Observations
from sim.model.views import CorridorView
from sim.units import DAY


def record_added_point_hours(model: CorridorView, obs: Observations) -> None:
    """Point-hours of unloading points added by raising windows, per series: per day and in the
    statistics window (utilisation is busy point-hours over nominal + added ones)."""
    days = np.zeros((obs.n_series, obs.n_days))
    total = np.zeros(obs.n_series)
    for crossing in model.crossings:
        for cargo, group in crossing.spec.unloading.groups.items():
            sched = crossing.schedule("unloading", cargo)
            if sched is None or sched.most_units(group.points) <= group.points:
                continue
            per_day = [sched.added_unit_hours(group.points, d * DAY, min((d + 1) * DAY, model.horizon))
                       for d in range(obs.n_days)]
            stats = sched.added_unit_hours(group.points, obs.warmup, model.horizon)
            for k in model.recorder.lane_series[crossing.index * len(model.cargo) + model.ci[cargo]]:
                days[k] += per_day
                total[k] += stats
    obs.daily["added_point_h"] = days
    obs.totals["added_point_h"] = total
