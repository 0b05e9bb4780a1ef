"""What an analyst needs to act on a search: each candidate against today, each constraint's verdict.

- **Against today** (paired, common random numbers): every candidate ran the same replications
  with the same seed as today's values, so replication r of both saw the same demand, transit
  times and breakdowns; the difference's CI is over the per-replication differences, much
  narrower than two separate CIs.
- **A constraint's verdict**: `yes` when its 95 % CI lies on the right side of the limit, `no`
  when it lies wholly on the wrong side, `not decided at this n` when it straddles the limit. The
  margin is the mean's distance to the limit in the KPI's unit (positive: on the right side). An
  undecided verdict says how many replications would decide it: the CI half-width shrinks as
  1/√n, so about n × (half-width / |margin|)² (a rule of thumb; a margin near 0 needs many).
- **Possible best** (sim.analysis.selection): for one objective, the candidates that may be the
  best at 95 % confidence; the others are rejected (beaten beyond noise by some candidate).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis.selection import select_subset
from sim.analysis.stats import t_halfwidth

if TYPE_CHECKING:
    from sim.decision.evaluate import Candidate
    from sim.decision.goals import Constraint, Objective

YES, NO, UNDECIDED = "yes", "no", "not decided"
CONFIDENCE = 0.95


def verdict(constraint: Constraint, mean: float, half: float) -> str:
    """yes / no / not decided: where the 95 % CI of the mean lies against the limit."""
    if not math.isfinite(mean):
        return NO
    if not math.isfinite(half):
        return UNDECIDED
    low, high = mean - half, mean + half
    if constraint.op == "<=":
        return YES if high <= constraint.limit else NO if low > constraint.limit else UNDECIDED
    return YES if low >= constraint.limit else NO if high < constraint.limit else UNDECIDED


def margin(constraint: Constraint, mean: float) -> float:
    """The mean's distance to the limit in the KPI's unit: positive on the side the constraint asks for."""
    return constraint.limit - mean if constraint.op == "<=" else mean - constraint.limit


#: the most replications replications_to_decide looks through
MAX_TO_DECIDE = 100_000


def replications_to_decide(n: int, half: float, gap: float, limit: int = MAX_TO_DECIDE) -> float:
    """The smallest n' > n whose CI half-width t(n'−1)·sd/√n' is below |gap|, with the sd that gave
    `half` at n and the same mean (a rule of thumb: both will move); inf when none up to `limit`."""
    if n < 2 or not math.isfinite(half) or not math.isfinite(gap) or gap == 0:
        return math.inf
    import numpy as np

    from sim.analysis.stats import t_quantile

    sd = half * math.sqrt(n) / t_quantile(0.975, n - 1)
    lo = n + 1
    while lo <= limit:
        hi = min(limit, lo * 2)
        ns = np.arange(lo, hi + 1)
        ok = np.flatnonzero(t_quantile(0.975, ns - 1) * sd / np.sqrt(ns) < abs(gap))
        if len(ok):
            return float(ns[ok[0]])
        lo = hi + 1
    return math.inf


def decide_note(undecided: bool, needed: float, n: int, edge: str = "an edge of the band") -> str:
    """Why an undecided figure has no number of replications to decide ('' when it has one, or needs none).
    The tables people open (history.csv, an optimisation's candidates.csv) leave that number empty rather
    than writing `inf`, and say why in the column beside it; `edge` names what the mean sits on."""
    if not undecided or math.isfinite(needed):
        return ""
    if n < 2:
        return "none can be told: fewer than 2 replications give no CI (run -n 2 or more)"
    return (f"none can be told: not decided within {MAX_TO_DECIDE:,} replications (the model's mean is at or "
            f"very near {edge})")


def paired(candidate: Candidate, today: Candidate, name: str) -> tuple[float, float, int]:
    """Mean and 95 % CI half-width of candidate − today over their common replications, and n."""
    if candidate.values.empty or today.values.empty or name not in candidate.values or name not in today.values:
        return math.nan, math.nan, 0
    a = candidate.values.set_index("replication")[name]
    b = today.values.set_index("replication")[name]
    d = (a - b).dropna()
    n = len(d)
    if n == 0:
        return math.nan, math.nan, 0
    sd = float(d.std(ddof=1)) if n > 1 else math.nan
    half = 0.0 if sd == 0 else t_halfwidth(sd, n)
    return float(d.mean()), half, n


def annotate(table: pd.DataFrame, tried: Sequence[Candidate], today: int, objectives: Sequence[Objective],
             constraints: Sequence[Constraint]) -> pd.DataFrame:
    """Add to the candidates table: `today`, each objective's paired difference against today, each
    constraint's verdict, margin and replications to decide, and `possible_best` (one objective)."""
    out = table.copy()
    out["today"] = out["candidate"] == today
    base = tried[today]
    for o in objectives:
        diffs = [paired(c, base, o.name) for c in tried]
        out[f"{o.label} vs today"] = [d[0] for d in diffs]
        out[f"{o.label} vs today ci95"] = [d[1] for d in diffs]
    for k in constraints:
        means, halves = out[f"{k.label} mean"], out[f"{k.label} ci95"]
        out[f"{k.label} verdict"] = [verdict(k, m, h) for m, h in zip(means, halves)]
        out[f"{k.label} margin"] = [margin(k, m) for m in means]
        verdicts = out[f"{k.label} verdict"]
        needed = [replications_to_decide(int(n), h, margin(k, m)) if v == UNDECIDED else math.nan
                  for n, m, h, v in zip(out["n"], means, halves, verdicts)]
        # empty where no number can be told (it was inf in candidates.csv), and why beside it
        out[f"{k.label} replications to decide"] = [x if math.isfinite(x) else math.nan for x in needed]
        out[f"{k.label} replications to decide note"] = [decide_note(v == UNDECIDED, x, int(n), "the limit")
                                                          for v, x, n in zip(verdicts, needed, out["n"])]
    out["possible_best"] = False
    if len(objectives) == 1:
        o = objectives[0]
        pool = [i for i in range(len(tried)) if bool(out.loc[out.index[i], "feasible"])]
        if pool:
            values = pd.DataFrame({i: tried[i].values.set_index("replication")[o.name] for i in pool})
            chosen = select_subset(values, o.direction, CONFIDENCE, o.name)
            out.loc[out.index[chosen.kept], "possible_best"] = True
    return out


def shortfall(row: Any, constraints: Sequence[Constraint]) -> float:
    """How far a candidate is from meeting every constraint: the largest gap between a constraint's
    95 % CI bound and its limit, relative to the limit (0 when every constraint holds)."""
    worst = 0.0
    for k in constraints:
        mean, half = float(row[f"{k.label} mean"]), float(row[f"{k.label} ci95"])
        gap = k.violation(mean, 0.0 if not math.isfinite(half) else half)
        worst = max(worst, gap / max(abs(k.limit), 1e-9))
    return worst


def closest(table: pd.DataFrame, constraints: Sequence[Constraint], k: int) -> pd.DataFrame:
    """The k candidates nearest to feasible (smallest shortfall; valid candidates only)."""
    valid = table[table["error"].fillna("") == ""]
    order = sorted(valid.index, key=lambda i: (shortfall(valid.loc[i], constraints), i))
    return valid.loc[order[:k]]
