"""Fair shares of a shared daily quota (`shares:` on a check or the line).

An independent reference deals the quota: cargo k's allotment on a day with quota Q is its count
among the next Q picks of the rule "pick the cargo furthest behind its share", i.e. maximise
(N+1)·w_k − c_k over the whole run so far (N picks, c_k of them k's; ties to the first cargo).
Each test reads the handover's admissions from the stage trace (a check starts when its train is
admitted) and compares them with the reference day by day.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from sim.model.routing import SmoothRoundRobin
from sim.scenario.schema import Scenario
from tests.model.corridor_stories import DAY, traced

HOLD = ("2023-01-06", "2023-01-16")  # days 5 to 14, whole days
HOLD_DAYS = range(5, 15)
QUOTA = 12


def story(shares: dict[str, float] | None, demand: tuple[float, float] = (8, 8), factor: float = 0.2,
          window: tuple[str, str] | None = HOLD, share_unused: bool | None = None, duration: str = "25d") -> Scenario:
    handover: dict = {"name": "handover", "time": 1.0, "trains_per_day": QUOTA}
    if shares is not None:
        handover["shares"] = shares
    if share_unused is not None:
        handover["share_unused"] = share_unused
    return Scenario.model_validate({
        "name": "shares", "start": "2023-01-01", "duration": duration, "seed": 3,
        "cargo": {"grain": {"payload_t": 68, "wagons_per_train": 10, "priority": 2},
                  "containers": {"payload_t": 30, "wagons_per_train": 10, "priority": 1}},
        "demand": {"grain": {"trains_per_day": demand[0]}, "containers": {"trains_per_day": demand[1]}},
        "line": {"transit_time": 3.0},
        "checks": [{"name": "customs", "time": 2.0}, handover],
        "unloading": {"grain": {"points": 20, "wagon_time": 0.1}, "containers": {"points": 20, "wagon_time": 0.1}},
        "disruptions": [] if window is None else [
            {"name": "hold", "target": "checks.handover", "from": window[0], "to": window[1], "capacity": factor}],
    })


def reference(weights: list[float], quotas: list[int]) -> list[list[int]]:
    """Allotments per day: the deficit rule over the whole run (see the module docstring)."""
    w = [Fraction(x).limit_denominator(1_000_000) for x in weights]
    total = sum(w)
    w = [x / total for x in w]
    counts = [0] * len(w)
    n = 0
    out = []
    for q in quotas:
        today = [0] * len(w)
        for _ in range(q):
            k = max(range(len(w)), key=lambda i: ((n + 1) * w[i] - counts[i], -i))
            counts[k] += 1
            today[k] += 1
            n += 1
        out.append(today)
    return out


def admissions(trace: pd.DataFrame) -> pd.DataFrame:
    """Trains admitted to the handover per day (rows) and cargo (columns)."""
    t = trace[(trace["stage"] == "checks.handover") & (trace["what"] == "start")]
    per_day = t.groupby([(t["t"] // DAY).astype(int), "cargo"]).size().unstack(fill_value=0)
    return per_day.reindex(columns=["grain", "containers"], fill_value=0)


def day_quotas(s: Scenario, factor: float, days: range) -> list[int]:
    n = math.ceil(s.duration / DAY)
    return [math.floor(QUOTA * factor + 1e-9) if d in days else QUOTA for d in range(n)]


def test_swrr_stays_within_one_pick_of_each_share() -> None:
    rr = SmoothRoundRobin([0.96, 0.04])
    counts = [0, 0]
    for n in range(1, 2001):
        counts[rr.pick()] += 1
        assert abs(counts[1] - 0.04 * n) < 1 and abs(counts[0] - 0.96 * n) < 1


def test_saturated_shares_follow_the_reference_every_day() -> None:
    """Both cargo always have trains waiting, so each gets exactly its allotment, every day,
    including the hold's 2 trains a day at 1:2 (grain 2 trains every 3 days)."""
    s = story({"grain": 1, "containers": 2}, demand=(14, 14))
    _, trace = traced(s)
    got = admissions(trace)
    quotas = day_quotas(s, 0.2, HOLD_DAYS)
    expected = reference([1, 2], quotas)
    for d in range(3, len(quotas) - 1):  # queues form within the first days
        assert got.loc[d, "grain"] == expected[d][0] and got.loc[d, "containers"] == expected[d][1], d
    hold_grain = int(got.loc[list(HOLD_DAYS), "grain"].sum())
    assert abs(hold_grain - 2 * len(HOLD_DAYS) / 3) <= 1
    assert got.loc[list(HOLD_DAYS), "grain"].tolist() == [expected[d][0] for d in HOLD_DAYS]


def test_strict_priority_is_kept_without_shares() -> None:
    """The January behaviour, still the default: during the hold every slot goes to containers."""
    s = story(None, demand=(14, 14))
    _, trace = traced(s)
    got = admissions(trace)
    assert got.loc[list(HOLD_DAYS), "grain"].sum() == 0
    assert (got.loc[list(HOLD_DAYS), "containers"] == 2).all()


@pytest.mark.parametrize("share_unused", [True, False])
def test_unused_share_is_borrowed_only_when_allowed(share_unused: bool) -> None:
    """Grain asks for 2 trains a day, its share is 6 of 12: containers (16 a day) take the rest
    only with share_unused; every day's total stays within the quota."""
    s = story({"grain": 1, "containers": 1}, demand=(2, 16), window=None, share_unused=share_unused)
    _, trace = traced(s)
    got = admissions(trace).iloc[2:-1]
    assert (got.sum(axis=1) <= QUOTA).all()
    containers = got["containers"]
    if share_unused:
        assert (containers > 6).sum() >= 15  # the quota does not go to waste
        # each slot beyond containers' own share was taken when no grain train was waiting
        t = trace[trace["stage"] == "checks.handover"]
        starts = t[t["what"] == "start"].set_index("train")["t"]
        ready = trace[(trace["stage"] == "checks.customs") & (trace["what"] == "end")].set_index("train")["t"]
        grain = trace[trace["cargo"] == "grain"]["train"].unique()
        waits = [(ready[i], starts.get(i, np.inf)) for i in grain if i in ready.index]
        c_starts = t[(t["what"] == "start") & (t["cargo"] == "containers")]["t"]
        for _day, group in c_starts.groupby((c_starts // DAY).astype(int)):
            for x in sorted(group)[6:]:  # beyond the 6 of containers' own allotment that day
                assert not any(a < x < b for a, b in waits), f"borrowed at {x} while grain waited"
    else:
        assert (containers <= 6).all() and (containers == 6).sum() >= 15
        assert (got["grain"] <= 6).all()


def test_a_quota_cut_during_the_day_uses_the_first_picks_of_the_same_sequence() -> None:
    """A hold from 06:00 halves the quota mid-day: at each admission, a cargo's admissions so far
    that day never exceed its count among the first Q(t) picks of the day's sequence."""
    window = ("2023-01-06T06:00", "2023-01-12T18:00")
    s = story({"grain": 1, "containers": 2}, demand=(14, 14), factor=0.5, window=window, share_unused=False)
    _, trace = traced(s)
    start, end = 5 * DAY + 6, 11 * DAY + 18
    n_days = math.ceil(s.duration / DAY)
    # the sequence moves on each day by the quota in force when the day begins
    begins = [math.floor(QUOTA * (0.5 if start <= d * DAY < end else 1.0) + 1e-9) for d in range(n_days)]
    rr = SmoothRoundRobin([Fraction(1, 3), Fraction(2, 3)])
    t = trace[(trace["stage"] == "checks.handover") & (trace["what"] == "start")].sort_values("t")
    by_day = {int(d): g for d, g in t.groupby((t["t"] // DAY).astype(int))}
    for d in range(n_days):
        prefix = [[0, 0]]
        day_rr = rr.copy()
        for _ in range(QUOTA):
            k = day_rr.pick()
            prefix.append([prefix[-1][0] + (k == 0), prefix[-1][1] + (k == 1)])
        seen = [0, 0]
        for _, row in (by_day[d].iterrows() if d in by_day else []):
            k = 0 if row["cargo"] == "grain" else 1
            seen[k] += 1
            q = math.floor(QUOTA * (0.5 if start <= row["t"] < end else 1.0) + 1e-9)
            assert seen[k] <= prefix[q][k], (d, row["t"], seen, prefix[q])
        for _ in range(begins[d]):
            rr.pick()


def test_a_shared_quota_logs_where_trains_wait() -> None:
    """The shared-quota gate reports its queue and why its head waits, as the plain gate does: while
    the hold cuts the quota to 2 trains a day, trains wait at the handover for the day's quota
    longer than before it, when 16 trains a day met a quota of 12."""
    rep, _ = traced(story({"grain": 1, "containers": 2}))
    daily = rep.daily[rep.daily["cargo"] == "all"].set_index("day")
    held = daily["blocked_quota_h.checks.handover"]
    assert held.loc[5:14].min() > 0           # the hold (days 5-14 of the story): the quota binds
    assert daily["queue_max.checks.handover"].loc[5:14].max() > 0
    assert held.loc[5:14].mean() > held.loc[:3].mean()  # 16 trains a day ask for 12 before it, 2 during it
