"""Verification against queueing theory: Erlang C, Little's law and an independent batch queue.

The crossing reduces to a textbook queue when trains are single wagons, the line takes no time
and nothing stands between the border and the unloading points: then the unloading group is an
M/M/c queue whose mean wait is known in closed form (Erlang C). With trains of several wagons
there is no simple formula, so a plain event-driven c-server FIFO queue written here (sharing no
code with `sim`) is the reference. Little's law ties the backlog, the throughput and the dwell
together and must hold in any scenario.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import sim
from sim.scenario.schema import Scenario
from tests.conftest import SCENARIOS

DAY = 24.0


def erlang_c_wait(c: int, arrivals_per_h: float, mean_service_h: float) -> float:
    """Mean wait in queue of M/M/c (Erlang C), via the stable Erlang B recursion."""
    a = arrivals_per_h * mean_service_h  # offered load in erlangs
    assert a < c, "unstable queue"
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    p_wait = b / (1.0 - (a / c) * (1.0 - b))
    return p_wait * mean_service_h / (c - a)


def queue_scenario(
    *, points: int, wagons_per_train: int, trains_per_day: float, wagon_time: dict[str, Any],
    days: int, warmup_days: int, name: str = "queue",
) -> Scenario:
    """One cargo, Poisson trains, no line time, no yard limit, no checks: a pure c-server queue."""
    return Scenario.model_validate({
        "name": name,
        "duration": f"{days}d",
        "warmup": f"{warmup_days}d",
        "cargo": {"x": {"payload_t": 1, "wagons_per_train": wagons_per_train}},
        "demand": {"x": {"trains_per_day": trains_per_day, "arrivals": "poisson"}},
        "line": {"transit_time": 0},
        "unloading": {"x": {"points": points, "wagon_time": wagon_time}},
    })


def welch_ci(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """CI of mean(a) - mean(b) for independent samples with unequal variances."""
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = stats.t.ppf(0.5 + level / 2, df) * math.sqrt(va + vb)
    diff = a.mean() - b.mean()
    return diff - half, diff + half


# -- M/M/c ----------------------------------------------------------------------------------------

C, RHO, MEAN_H = 4, 0.8, 1.0
LAMBDA_H = C * RHO / MEAN_H  # wagons (= trains) per hour
MMC_DAYS, MMC_WARMUP_DAYS, MMC_REPS = 800, 20, 10


@pytest.fixture(scope="module")
def mmc() -> sim.Results:
    # ~60 000 wagons per replication; at rho = 0.8 the waits are correlated over ~100 h, so this
    # gives a CI of about ±3 % on the mean wait. 20 days of warm-up >> that relaxation time.
    scenario = queue_scenario(
        points=C, wagons_per_train=1, trains_per_day=LAMBDA_H * DAY,
        wagon_time={"dist": "exponential", "mean": MEAN_H}, days=MMC_DAYS, warmup_days=MMC_WARMUP_DAYS,
        name="mmc",
    )
    return sim.run(scenario, replications=MMC_REPS, seed=12345, executor="serial")


@pytest.mark.slow
def test_mmc_wait_matches_erlang_c(mmc: sim.Results) -> None:
    expected = erlang_c_wait(C, LAMBDA_H, MEAN_H)
    assert expected == pytest.approx(0.7455, abs=1e-4)  # the formula itself, c=4, a=3.2
    row = mmc.summary().set_index(["cargo", "kpi"]).loc[("x", "unload_wait_h_mean")]
    assert row["n"] == MMC_REPS
    # the CI is narrow enough to mean something...
    assert (row["ci95_high"] - row["ci95_low"]) / 2 < 0.07 * expected
    # ...and holds the theoretical value
    assert row["ci95_low"] <= expected <= row["ci95_high"]


@pytest.mark.slow
def test_mmc_utilization_is_rho(mmc: sim.Results) -> None:
    u = mmc.kpi("unloading_utilization", "x")
    assert abs(u.mean() - RHO) <= 0.01 * RHO


@pytest.mark.slow
def test_mmc_dwell_is_wait_plus_service(mmc: sim.Results) -> None:
    # no checks and no line time: border arrival == ready, so dwell = wait + one wagon time
    k = mmc.kpis[mmc.kpis["cargo"] == "x"]
    np.testing.assert_allclose(k["dwell_h_mean"] - k["unload_wait_h_mean"], MEAN_H, rtol=0.02)


def _edge_tolerance(results: sim.Results, cargo: str, replication: int) -> float:
    """Relative tolerance of Little's law over a finite window [warmup, horizon).

    backlog_mean * T counts each wagon's time at the border inside the window; delivered * dwell
    counts the whole dwell of wagons unloaded inside it. They differ only by wagons present at the
    window's two edges: those present at warm-up (their time before it) and those still there at
    the end (their time in it). Each contributes its age at that edge, at most its whole dwell and
    typically about half of it; we allow the p99 dwell for each, plus one wagon for rounding.
    """
    s = results.scenario
    window = s.duration - s.warmup
    daily = results.daily[(results.daily["cargo"] == cargo) & (results.daily["replication"] == replication)]
    n_end = float(daily["backlog_end"].iloc[-1])
    warm_day = int(s.warmup // DAY) - 1
    n_start = float(daily["backlog_end"].iloc[warm_day]) if warm_day >= 0 else 0.0
    row = results.kpis[(results.kpis["cargo"] == cargo) & (results.kpis["replication"] == replication)].iloc[0]
    return (n_start + n_end + 1) * row["dwell_h_p99"] / (row["backlog_wagons_mean"] * window)


@pytest.mark.slow
def test_mmc_littles_law(mmc: sim.Results) -> None:
    window = mmc.scenario.duration - mmc.scenario.warmup
    for _, row in mmc.kpis[mmc.kpis["cargo"] == "x"].iterrows():
        little = row["wagons_delivered"] / window * row["dwell_h_mean"]
        tol = _edge_tolerance(mmc, "x", int(row["replication"]))
        assert tol < 0.01  # a sharp check: the edges are small against 780 days
        assert abs(row["backlog_wagons_mean"] / little - 1) <= tol
    # and L itself is what M/M/c theory says: L = lambda (Wq + 1/mu)
    expected_l = LAMBDA_H * (erlang_c_wait(C, LAMBDA_H, MEAN_H) + MEAN_H)
    row = mmc.summary().set_index(["cargo", "kpi"]).loc[("x", "backlog_wagons_mean")]
    assert row["ci95_low"] <= expected_l <= row["ci95_high"]


def _drained_baseline(warmup_days: int) -> Scenario:
    """The baseline (checks, hours, quotas, yard, breakdowns, wind) with no demand in Nov-Dec."""
    base = sim.load_scenario(SCENARIOS / "baseline_2023.yaml")
    profile = [1.0] * 10 + [0.0, 0.0]
    containers_t = 6 * 57 * 30 * 365  # the baseline's 6 trains/day, as tonnes a year
    return base.with_changes({
        "warmup": f"{warmup_days}d",
        "demand.grain.monthly_profile": profile,
        "demand.containers": {"tonnes_per_year": containers_t, "monthly_profile": profile, "arrivals": "regular"},
    })


@pytest.mark.slow
def test_littles_law_is_exact_when_the_crossing_starts_and_ends_empty() -> None:
    # With no warm-up and every wagon unloaded before the horizon there are no edge terms:
    # integral of the backlog == sum of the dwells, to rounding, per cargo and in total.
    scenario = _drained_baseline(warmup_days=0)
    results = sim.run(scenario, replications=2, seed=7, executor="serial")
    last = results.daily[results.daily["day"] == results.daily["day"].max()]
    assert (last["backlog_end"] == 0).all(), "the scenario must drain for the identity to be exact"
    hours = scenario.duration
    for _, row in results.kpis.iterrows():
        assert row["wagons_delivered"] > 10_000
        little = row["wagons_delivered"] / hours * row["dwell_h_mean"]
        assert row["backlog_wagons_mean"] == pytest.approx(little, rel=1e-9)
        assert row["wagon_idle_days"] == pytest.approx(row["wagons_delivered"] * row["dwell_h_mean"] / DAY, rel=1e-9)


@pytest.mark.slow
def test_littles_law_with_checks_and_warmup() -> None:
    scenario = sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"warmup": "30d"})
    results = sim.run(scenario, replications=2, seed=11, executor="serial")
    window = scenario.duration - scenario.warmup
    for _, row in results.kpis.iterrows():
        little = row["wagons_delivered"] / window * row["dwell_h_mean"]
        tol = _edge_tolerance(results, row["cargo"], int(row["replication"]))
        assert tol < 0.1
        assert abs(row["backlog_wagons_mean"] / little - 1) <= tol


# -- batch arrivals against an independent reference ---------------------------------------------

BATCH_K, BATCH_C, BATCH_RHO = 5, 3, 0.6
BATCH_MEAN_H, BATCH_CV = 1.0, 0.5
BATCH_TRAINS_H = BATCH_C * BATCH_RHO / (BATCH_K * BATCH_MEAN_H)
# the reference is ~10x faster than the model, so it gets more replications: the CI of the
# difference is then mostly the model's own (about ±4 % of the mean wait)
BATCH_DAYS, BATCH_WARMUP_DAYS, BATCH_REPS, REFERENCE_REPS = 500, 20, 12, 40


def reference_batch_queue(
    rng: np.random.Generator, trains_per_h: float, k: int, c: int, mean_h: float, cv: float,
    horizon: float, warmup: float,
) -> tuple[float, float]:
    """Event-driven FIFO queue: Poisson trains of k wagons, c servers, gamma wagon times.

    Returns the mean wait (train arrival -> wagon service start) and mean dwell (arrival -> end)
    of wagons whose service ends in [warmup, horizon).
    """
    shape, scale = 1.0 / cv**2, mean_h * cv**2
    arrive, depart = 0, 1
    events: list[tuple[float, int, int, float, float]] = []  # time, seq, kind, arrival, start
    seq = 0
    heapq.heappush(events, (rng.exponential(1.0 / trains_per_h), seq, arrive, 0.0, 0.0))
    waiting: deque[float] = deque()
    idle = c
    waits = dwells = 0.0
    count = 0
    while events:
        t, _, kind, arrived, started = heapq.heappop(events)
        if t >= horizon:
            break
        if kind == arrive:
            waiting.extend([t] * k)
            seq += 1
            heapq.heappush(events, (t + rng.exponential(1.0 / trains_per_h), seq, arrive, 0.0, 0.0))
        else:
            idle += 1
            if t >= warmup:
                waits += started - arrived
                dwells += t - arrived
                count += 1
        while idle and waiting:
            a = waiting.popleft()
            idle -= 1
            seq += 1
            heapq.heappush(events, (t + rng.gamma(shape, scale), seq, depart, a, t))
    return waits / count, dwells / count


@pytest.mark.slow
def test_batch_arrivals_match_reference_queue() -> None:
    scenario = queue_scenario(
        points=BATCH_C, wagons_per_train=BATCH_K, trains_per_day=BATCH_TRAINS_H * DAY,
        wagon_time={"dist": "gamma", "mean": BATCH_MEAN_H, "cv": BATCH_CV},
        days=BATCH_DAYS, warmup_days=BATCH_WARMUP_DAYS, name="batch",
    )
    results = sim.run(scenario, replications=BATCH_REPS, seed=99, executor="serial")
    k = results.kpis[results.kpis["cargo"] == "x"]
    rng = np.random.default_rng(2024)
    ref = pd.DataFrame(
        [
            reference_batch_queue(rng, BATCH_TRAINS_H, BATCH_K, BATCH_C, BATCH_MEAN_H, BATCH_CV,
                                  BATCH_DAYS * DAY, BATCH_WARMUP_DAYS * DAY)
            for _ in range(REFERENCE_REPS)
        ],
        columns=["wait", "dwell"],
    )
    # batches wait for their own wagons too: far above the single-wagon M/M/3 wait at that load
    assert ref["wait"].mean() > 2 * erlang_c_wait(BATCH_C, BATCH_TRAINS_H * BATCH_K, BATCH_MEAN_H)
    for kpi, col in (("unload_wait_h_mean", "wait"), ("dwell_h_mean", "dwell")):
        low, high = welch_ci(k[kpi].to_numpy(), ref[col].to_numpy())
        assert (high - low) / 2 < 0.05 * ref[col].mean(), f"{kpi}: CI too wide to compare"
        assert low <= 0.0 <= high, f"{kpi}: model - reference CI [{low:.4f}, {high:.4f}] excludes 0"
    np.testing.assert_allclose(k["unloading_utilization"].mean(), BATCH_RHO, rtol=0.01)
