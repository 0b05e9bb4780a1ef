"""Folding every few days gives the figures of folding every day (sim.model.periods).

The recorder folds its observations every `CrossingModel.fold_days` days, cut at each midnight
inside the period. Whatever that number, every daily series, total, histogram, recovery and stage
log of a replication is the same (reals to 1e-12 relative: only the order of float sums differs),
and the SimPy events are the same exactly, on scenarios that use breakdowns and closures (the
calendar path), a stop-loading policy, two crossings and a warm-up that ends mid-day.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario
from sim.model import crossing
from sim.model.periods import FOLD_DAYS, Period
from sim.units import DAY

ROOT = Path(__file__).resolve().parents[2]
CASES = {
    "baseline_2023": ("scenarios/baseline_2023.yaml", "75d", "36h"),
    "jan2024_admin_hold": ("scenarios/jan2024_admin_hold.yaml", "50d", "0h"),
    "two_crossings_2020": ("scenarios/history/2020_dostyk_jam_altynkol.yaml", "60d", "30h"),
    "300k": ("benchmarks/scenarios/crossing_300k.yaml", "40d", "0h"),
}


def _observations(path: str, duration: str, warmup: str, fold_days: int, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    scenario = load_scenario(ROOT / path).with_changes({"duration": duration, "warmup": warmup})
    monkeypatch.setattr(crossing.CrossingModel, "fold_days", fold_days)
    return crossing.simulate(scenario, 1)


def _same(a: object, b: object, what: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), what
        for k in a:
            _same(a[k], b[k], f"{what}.{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), what
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{what}[{i}]")
    elif isinstance(a, np.ndarray):
        np.testing.assert_allclose(np.asarray(b, dtype=float), a.astype(float), rtol=1e-12, atol=1e-9,
                                   equal_nan=True, err_msg=what)
    elif isinstance(a, float):
        assert b == pytest.approx(a, rel=1e-12, abs=1e-9, nan_ok=True), what
    elif hasattr(a, "__dict__"):
        _same(vars(a), vars(b), what)
    else:
        assert a == b, what


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_fold_period_gives_the_daily_figures(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path, duration, warmup = CASES[case]
    daily = _observations(path, duration, warmup, 1, monkeypatch)
    assert daily.diagnostics["simpy_events"] > 0
    for fold_days in sorted({7, FOLD_DAYS, 91}):
        other = _observations(path, duration, warmup, fold_days, monkeypatch)
        _same(vars(daily), vars(other), f"{case}, folded every {fold_days} days")


def test_a_period_is_cut_at_each_midnight_inside_it() -> None:
    p = Period.between(36.0, 5 * DAY, in_stats=True)
    assert p.edges.tolist() == [36.0, 48.0, 72.0, 96.0, 120.0]
    assert p.days.tolist() == [1, 2, 3, 4]
    assert p.piece_of(np.array([36.0, 47.9, 48.0, 119.0, 120.0, 130.0])).tolist() == [0, 0, 1, 3, 3, 3]
    assert Period.between(48.0, 60.0, in_stats=False).edges.tolist() == [48.0, 60.0]


EDGES = [
    ("scenarios/baseline_2023.yaml", "36.5h", "0h"),  # a partial last day
    ("scenarios/baseline_2023.yaml", "1s", "0h"),  # less than a day
    ("scenarios/baseline_2023.yaml", "47.99h", "23.999h"),  # warm-up ends just before midnight
    ("scenarios/history/sept2024_bonded_returns.yaml", "33d", "7.5h"),  # refusals at the handover
    ("scenarios/history/feb2025_altynkol_ban.yaml", "20d", "1h"),  # trains under way at the start
]


@pytest.mark.parametrize(("path", "duration", "warmup"), EDGES, ids=[f"{Path(p).stem}-{d}" for p, d, _ in EDGES])
def test_odd_horizons_and_warmups_fold_the_same(path: str, duration: str, warmup: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by attacking the fold: horizons and warm-ups off the midnights, folded every 2 days or
    once at the end, give the daily fold's figures."""
    daily = _observations(path, duration, warmup, 1, monkeypatch)
    for fold_days in (2, 1000):
        _same(vars(daily), vars(_observations(path, duration, warmup, fold_days, monkeypatch)),
              f"{path} {duration} warm-up {warmup}, folded every {fold_days} days")
