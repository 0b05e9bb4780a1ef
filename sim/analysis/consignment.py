"""When is a consignment through? An exporter's question: "if I order 400 wagons of grain on
1 October, when are they all unloaded?"

The run adds the order to the scenario's demand (sim.model.orders: its trains are requested
together at its date, queue at origin behind what is waiting there, then share the line, the yard,
the checks and the points with all other traffic), and the train log follows its trains. Per
replication that gives when its last train was formed, reached the border and was unloaded; across
replications, their spread and the chance of being through by a date. A replication in which it is
not through by the horizon counts as later than every day in it, never dropped (dropping it would
make a jam look quicker).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.paired import PairedDifference, paired_difference
from sim.analysis.stats import t_halfwidth

MILESTONES = {"formed_h": "last train formed", "border_h": "last train at the border",
              "unloaded_h": "all unloaded"}


@dataclass(frozen=True)
class Outcome:
    """One replication's answer; times in hours since the start, NaN when not by the horizon."""

    trains: int  # trains of the order formed in the run (fewer than ordered: some were never formed)
    formed_h: float  # its last train formed
    border_h: float  # its last train at the border (its first border, for a train re-routed; refused or not)
    unloaded_h: float  # its last wagon unloaded (trains refused whole at a check are not waited for)
    refused_wagons: int  # wagons of its trains refused at a check (they went back loaded)
    crossings: tuple[str, ...] = ()  # where each of its trains formed in the run went
    lost_wagons: int = 0  # wagons of its trains lost at origin (stop-loading or a ban with `lose`)
    never: bool = False  # it cannot be all unloaded in any run, however long: lost, or all refused


def outcome(trains: pd.DataFrame, ordered_trains: int, horizon: float) -> Outcome:
    """The order's outcome in one replication's train table (sim.analysis.train_log.train_table),
    of which `ordered_trains` trains were requested. A train lost at origin leaves the order never
    through (its wagons were never loaded); a train refused whole at a check is not waited for."""
    ours = trains[trains["order"].to_numpy(dtype=bool)]
    lost = ours["lost"].to_numpy(dtype=bool)
    mine = ours[~lost]
    lost_wagons = int(ours["wagons"].to_numpy()[lost].sum())
    refused = mine["wagons_refused"].to_numpy(dtype=int)
    if lost_wagons or len(mine) < ordered_trains:  # lost, or some still queued at origin
        return Outcome(len(mine), math.nan, math.nan, math.nan, int(refused.sum()), tuple(mine["crossing"]),
                       lost_wagons, never=lost_wagons > 0)
    unloaded = mine["unloaded_h"].to_numpy(dtype=float)
    whole_refused = refused >= mine["wagons"].to_numpy(dtype=int)
    through = whole_refused | (unloaded <= horizon)  # (NaN: never scheduled, not through)
    return Outcome(
        trains=len(mine),
        formed_h=_last(mine["formed_h"].to_numpy(dtype=float), horizon),
        border_h=_last(mine["border_h"].to_numpy(dtype=float), horizon),  # (refused or not: it got there)
        unloaded_h=float(np.nanmax(unloaded)) if through.all() and not whole_refused.all() else math.nan,
        refused_wagons=int(refused.sum()),
        crossings=tuple(mine["crossing"]),
        never=bool(whole_refused.all()),
    )


def _last(times: np.ndarray, horizon: float) -> float:
    """The latest of times, NaN when one of them is missing or after the horizon."""
    if not len(times) or np.isnan(times).any() or times.max() > horizon:
        return math.nan
    return float(times.max())


def settled_start(start: dt.date, at: float, warmup: float, horizon: float) -> tuple[int, dt.date, float]:
    """For an order at `at` hours, inside a warm-up of `warmup` hours: the whole days to start the run
    earlier for the warm-up to be over at the order, that start, and the duration (days) that keeps the run's
    end where it was (dated disruptions keep their dates)."""
    days = math.ceil((warmup - at) / 24.0)
    return days, start - dt.timedelta(days=days), (horizon + 24.0 * days) / 24.0


@dataclass(frozen=True)
class Spread:
    """Days from the order to one milestone over replications; a replication without it by the
    horizon counts as later than any day (`inf`)."""

    days: np.ndarray  # per replication, inf when not by the horizon
    level: float

    def quantile(self, q: float) -> float:
        """The q-quantile, a replication's own value (inf when it falls among those not through)."""
        return float(np.quantile(self.days, q, method="inverted_cdf"))

    @property
    def not_by_horizon(self) -> int:
        return int(np.isinf(self.days).sum())

    def mean_interval(self) -> tuple[float, float, float] | None:
        """Mean and its t-interval over replications; None when one of them is not through (no mean
        exists) or there are fewer than two."""
        if self.not_by_horizon or len(self.days) < 2:
            return None
        return _mean_interval(self.days, self.level)

    def share_by(self, day: float) -> tuple[int, float, float]:
        """Replications through within `day` days, and the exact (Clopper–Pearson) CI of that share."""
        from scipy import stats  # (imported when asked, as sim.analysis.stats does)

        hits = int((self.days <= day).sum())
        ci = stats.binomtest(hits, len(self.days)).proportion_ci(self.level, method="exact")
        return hits, float(ci.low), float(ci.high)


def _mean_interval(values: np.ndarray, level: float) -> tuple[float, float, float]:
    """The mean of two or more values and its Student-t interval, as (mean, low, high)."""
    mean = float(values.mean())
    half = t_halfwidth(float(values.std(ddof=1)), len(values), level)
    return mean, mean - half, mean + half


def spread(outcomes: list[Outcome], ordered_at: float, milestone: str, level: float = 0.95) -> Spread:
    """`milestone` (a key of MILESTONES) over the replications, in days since the order."""
    hours = np.array([getattr(o, milestone) for o in outcomes], dtype=float)
    days = (hours - ordered_at) / 24.0
    return Spread(np.where(np.isnan(days), np.inf, days), level)


@dataclass(frozen=True)
class Paired:
    """Days to all unloaded with a change minus without, replication by replication (the same seed:
    the same trains until the change acts). `difference` is `dostyk compare`'s paired difference
    (sim.analysis.paired) over the replications through by the horizon in both answers; those not
    through in one answer or both (`unpaired`) have no difference of days, and are left out of it."""

    sooner: int  # replications through sooner with the change (one not through counts as later than any day)
    later: int
    unpaired: int  # replications not through by the horizon in one answer or both
    difference: PairedDifference  # mean difference (days), its CI and verdict, over the others

    @property
    def interval(self) -> tuple[float, float, float] | None:
        """Mean difference and its t-interval (days) over the replications through in both; None below two."""
        d = self.difference
        return (d.difference, d.low, d.high) if d.n >= 2 else None


def paired_days(without: list[Outcome], with_change: list[Outcome], ordered_at: float,
                level: float = 0.95) -> Paired:
    """The change's effect on days to all unloaded, paired over replications 0, 1, …"""
    if len(without) != len(with_change):
        raise ValueError(f"paired answers need as many replications: {len(without)} and {len(with_change)}")
    a = spread(without, ordered_at, "unloaded_h", level).days
    b = spread(with_change, ordered_at, "unloaded_h", level).days
    both = np.isfinite(a) & np.isfinite(b)
    difference = paired_difference(np.where(both, a, np.nan), np.where(both, b, np.nan), level)
    return Paired(int((b < a).sum()), int((b > a).sum()), int((~both).sum()), difference)
