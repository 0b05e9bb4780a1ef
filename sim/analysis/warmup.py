"""Choosing the warm-up period: MSER-5 on the daily backlog series.

A run starts with an empty crossing, which biases KPIs that should describe the crossing in its
working state. The scenario's `warmup` drops an initial period from the statistics. To choose it:

1. run the scenario with `warmup: 0` for a few replications (`dostyk warmup SCENARIO`);
2. average the end-of-day border backlog (wagons, cargo `all` by default) across replications;
3. group the series into batches of 5 days and compute, for each candidate truncation d (in
   batches, at most half of the run), MSER(d) = sum_{i>d} (Z_i - mean(Z_{>d}))^2 / (m - d)^2 over
   the m batch means Z_i (White 1997; Franklin & White 2008, "MSER-5");
4. the warm-up is the d (times 5 days) with the smallest MSER: removing it trades the bias of the
   initial transient against the variance lost with fewer observations.

If the minimum is at the largest allowed truncation, the run is too short to settle: the
suggestion says so (`at_limit`) and a longer `duration` is needed. For a strongly seasonal demand
(a harvest peak) the "transient" MSER finds may be seasonal; judge it against the demand profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.stats import corridor_rows

BATCH = 5
SERIES = "backlog_end"


def mser(series: Any, batch: int = BATCH, max_fraction: float = 0.5) -> tuple[int, np.ndarray]:
    """MSER-`batch`: the truncation (in observations) minimising MSER, and MSER per candidate batch.

    Candidates are d = 0 .. floor(max_fraction * m) batches of the m full batches; a trailing
    partial batch is ignored.
    """
    y = np.asarray(series, dtype=float)
    if np.isnan(y).any():
        raise ValueError("the series has missing values")
    m = len(y) // batch
    if m < 4:
        raise ValueError(f"MSER-{batch} needs at least {4 * batch} observations, got {len(y)}")
    z = y[: m * batch].reshape(m, batch).mean(axis=1)
    d_max = int(np.floor(max_fraction * m))
    stats = np.empty(d_max + 1)
    for d in range(d_max + 1):
        tail = z[d:]
        stats[d] = float(((tail - tail.mean()) ** 2).sum()) / len(tail) ** 2
    return int(np.argmin(stats)) * batch, stats


@dataclass
class WarmupSuggestion:
    """A suggested warm-up, with the series and MSER curve behind it."""

    days: int                     # suggested warm-up in days (a multiple of `batch`)
    batch: int
    at_limit: bool                # the minimum is at the largest candidate: run longer
    series: pd.Series             # mean daily series across replications, indexed by day
    mser: pd.Series               # MSER per candidate truncation, indexed by days truncated
    per_replication: list[int]    # MSER-5 applied to each replication alone (spread of the choice)
    column: str
    cargo: str
    replications: int

    @property
    def hours(self) -> float:
        return self.days * 24.0

    def describe(self) -> str:
        spread = ""
        if len(self.per_replication) > 1:
            lo, med, hi = np.percentile(self.per_replication, [0, 50, 100])
            spread = f"; single replications suggest {lo:g}–{hi:g} days (median {med:g})"
        text = (f"Suggested warm-up: {self.days} days (MSER-{self.batch} on the mean daily {self.column} "
                f"of cargo {self.cargo!r} over {self.replications} replications, {len(self.series)} days{spread}).")
        if self.at_limit:
            text += ("\nWarning: the minimum is at the largest truncation tried (half the run); the series "
                     "has not settled. Run a longer duration before trusting any warm-up.")
        else:
            text += f"\nSet `warmup: {self.days}d` in the scenario."
        return text


def suggest_from_daily(daily: pd.DataFrame, column: str = SERIES, cargo: str = "all",
                       batch: int = BATCH) -> WarmupSuggestion:
    """MSER on a daily table (columns replication, day, cargo, `column`), e.g. `Results.daily`; with
    several crossings, on the corridor's rows."""
    daily = corridor_rows(daily)
    rows = daily[daily["cargo"] == cargo]
    if rows.empty:
        raise ValueError(f"no daily rows for cargo {cargo!r}")
    if column not in rows.columns:
        raise ValueError(f"no daily column {column!r}; columns: {', '.join(map(str, rows.columns))}")
    wide = rows.pivot_table(index="day", columns="replication", values=column, aggfunc="mean").sort_index()
    wide = wide.dropna()
    mean = wide.mean(axis=1)
    days, stats = mser(mean.to_numpy(), batch)
    per_rep = [mser(wide[c].to_numpy(), batch)[0] for c in wide.columns]
    curve = pd.Series(stats, index=pd.Index(np.arange(len(stats)) * batch, name="warmup_days"), name="mser")
    return WarmupSuggestion(days, batch, days == curve.index[-1] and days > 0, mean.rename(column), curve,
                            per_rep, column, cargo, wide.shape[1])
