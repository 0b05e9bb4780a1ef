"""LevelSeries and max_of_sum against a brute-force reading of the same changes (sim.model.levels).

The fold merges single changes reported in any order with sorted runs of -1 (a lane's wagons
unloaded, sorted once per fold) and keeps what is dated after the period's end for the next fold;
max_of_sum reads the sum of two levels without building the merged list of every start. Both are
checked here against the plain definition: every change sorted, the level between them.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.levels import LevelSeries, max_of_sum
from sim.model.periods import Period
from sim.units import DAY


def _level_at(changes: list[tuple[float, int]], t: float) -> int:
    """The level just after every change dated at or before t."""
    return sum(d for s, d in changes if s <= t)


def _pieces_reference(changes: list[tuple[float, int]], period: Period) -> tuple[list[int], list[int], list[float]]:
    """Per piece: the level at its end, the largest level held for a positive time, and the integral."""
    ends, tops, integrals = [], [], []
    for lo, hi in zip(period.edges[:-1], period.edges[1:]):
        cuts = sorted({float(lo), *(s for s, _ in changes if lo < s < hi)})
        spans = list(zip(cuts, [*cuts[1:], float(hi)]))
        levels = [_level_at(changes, s) for s, _ in spans]
        ends.append(_level_at(changes, np.nextafter(hi, -np.inf)))
        tops.append(max(levels))
        integrals.append(sum(level * (e - s) for level, (s, e) in zip(levels, spans)))
    return ends, tops, integrals


def _fed(rng: np.random.Generator, a: float, b: float, singles: int, runs: int) -> tuple[LevelSeries, list[tuple[float, int]]]:
    """A series fed with single changes in random order and sorted runs of -1 that reach past b."""
    series = LevelSeries(n_days=10, histogram=True)
    changes: list[tuple[float, int]] = []
    for t in rng.uniform(a, b, singles).round(0):  # (rounded: some changes share an instant)
        delta = int(rng.choice([-1, 1])) * int(rng.integers(1, 60))
        series.add(float(t), delta)
        changes.append((float(t), delta))
    for _ in range(runs):
        run = np.sort(rng.uniform(a, b + DAY, int(rng.integers(0, 80))).round(0))
        series.add_decrements(run)
        changes += [(float(t), -1) for t in run]
    return series, changes


@pytest.mark.parametrize("seed", range(6))
def test_a_fold_gives_the_levels_of_every_change_sorted(seed: int) -> None:
    rng = np.random.default_rng(seed)
    first, second = Period.between(30.0, 3 * DAY, in_stats=True), Period.between(3 * DAY, 5 * DAY, in_stats=True)
    series, changes = _fed(rng, 30.0, 3 * DAY, singles=int(rng.integers(0, 12)), runs=int(rng.integers(0, 4)))
    series.level = 900  # (as if earlier periods had left it: the levels stay positive)
    changes.append((0.0, 900))
    series.fold(first)
    later = [(t, d) for t, d in changes if t >= 3 * DAY]  # the runs' tails: folded with the next period
    series.fold(second)
    for period, days in ((first, slice(1, 3)), (second, slice(3, 5))):
        ends, tops, integrals = _pieces_reference([c for c in changes if c not in later or period is second], period)
        assert series.day_end[days].tolist() == ends
        assert series.day_max[days].tolist() == tops
        np.testing.assert_allclose(series.day_integral[days], integrals, rtol=1e-12)
    assert series.level == sum(d for _, d in changes if _ < 5 * DAY)


def _brute_max_of_sum(x: LevelSeries, y: LevelSeries, period: Period) -> list[int]:
    assert x.last_segments is not None and y.last_segments is not None
    (sx, lx), (sy, ly) = x.last_segments, y.last_segments
    starts = np.unique(np.concatenate((sx, sy, period.edges[:-1])))
    sums = lx[np.searchsorted(sx, starts, side="right") - 1] + ly[np.searchsorted(sy, starts, side="right") - 1]
    piece = period.piece_of(starts)
    return [int(sums[piece == i].max()) for i in range(period.pieces)]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("x_quiet", "y_quiet"), [(False, False), (True, False), (False, True), (True, True)])
def test_max_of_sum_is_the_largest_sum_held_in_each_piece(seed: int, x_quiet: bool, y_quiet: bool) -> None:
    """Also when one series had no change in the period (its segments: the period's start only)."""
    rng = np.random.default_rng(seed)
    for a, b in ((30.0, 3 * DAY), (DAY, 1.5 * DAY)):  # several pieces, then one
        period = Period.between(a, b, in_stats=True)
        x, _ = _fed(rng, a, b, singles=0 if x_quiet else 40, runs=0 if x_quiet else 3)
        y, _ = _fed(rng, a, b, singles=0 if y_quiet else 5, runs=0)
        x.level, y.level = 200, 7  # (as if earlier periods had left these)
        x.fold(period)
        y.fold(period)
        tops = max_of_sum(x, y, period)
        assert tops.tolist() == _brute_max_of_sum(x, y, period)
        assert max_of_sum(y, x, period).tolist() == tops.tolist()


def test_sorted_times_fall_in_the_pieces_piece_of_gives() -> None:
    period = Period.between(36.0, 5 * DAY, in_stats=True)
    times = np.sort(np.random.default_rng(1).uniform(0.0, 6 * DAY, 300))
    times = np.sort(np.concatenate((times, period.edges)))  # (times at the edges open the next piece)
    first = period.firsts(times)
    assert period.pieces_of_sorted(first, len(times)).tolist() == period.piece_of(times).tolist()
    assert period.count_sorted(times).tolist() == period.per_piece(times).tolist()
    one = Period.between(48.0, 60.0, in_stats=True)
    assert one.count_sorted(times).tolist() == one.per_piece(times).tolist() == [float(len(times))]
