"""Distinct points for a search: no budget spent on a point already tried, today's values tried first.

A sampler over integer levers proposes the same point again and again (7, 7, 8, 8, …) once it
believes it has found a good one; each repeat would spend a candidate of the budget on results
already known. Here, as in OptQuest, a repeated proposal is answered from the results already
measured (the sampler is told them, so it learns) and the budget goes to a new point:

- when every lever is an integer and the whole grid fits in the budget, every grid point is
  tried (today's first): the answer is then exact up to Monte Carlo noise, not a sample;
- otherwise the sampler is asked until it proposes an unseen point; after `patience` repeats
  in a row, an unseen point drawn at random (seeded) is enqueued instead (optuna's
  `study.enqueue_trial`), so the sampler still hears of it;
- today's values (the scenario as given) are enqueued as the first trial when inside the
  bounds, and otherwise tried as an extra point, so every answer can be compared with today.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.decision.levers import Lever

#: Largest integer grid enumerated to draw unseen points from (beyond it, random draws are retried).
GRID_LIMIT = 100_000

Key = tuple[Any, ...]


@dataclass
class Outcome:
    """What the sampler is told about a point (the same for every trial that proposed it)."""

    values: list[float] | None                 # None: the point failed (invalid scenario, no value)
    constraints: list[float]                   # ≤ 0 when a constraint holds


def grid_size(levers: Sequence[Lever]) -> int | None:
    """Number of distinct points when every lever is an integer (None when one is continuous)."""
    if not all(lv.integer for lv in levers):
        return None
    return math.prod(int(lv.high) - int(lv.low) + 1 for lv in levers)


class Proposals:
    """Batches of distinct points: a grid when it fits the budget, else the sampler's proposals de-duplicated."""

    def __init__(self, study: Any, levers: Sequence[Lever], today: dict[str, Any], budget: int, seed: int,
                 patience: int = 20) -> None:
        self.study = study
        self.levers = list(levers)
        self.dists = {lv.path: lv.distribution() for lv in self.levers}
        self.today = {lv.path: lv.cast(today[lv.path]) for lv in self.levers}
        self.today_inside = all(lv.low <= float(today[lv.path]) <= lv.high for lv in self.levers)
        if not self.today_inside:   # the scenario's own value, even if outside the bounds searched
            self.today = {lv.path: _native(today[lv.path], lv) for lv in self.levers}
        self.size = grid_size(self.levers)
        self.enumerate = self.size is not None and self.size + (not self.today_inside) <= budget
        self.rng = np.random.default_rng(seed)
        self.patience = patience
        self.seen: dict[Key, Outcome | None] = {}        # None: proposed in this batch, not measured yet
        self.waiting: list[tuple[Any, Key]] = []        # repeats of a point of this batch
        self.repeats = 0                                # proposals answered from results already measured
        self._grid: list[Key] | None = None
        self._today_done = False

    def key(self, point: dict[str, Any]) -> Key:
        return tuple(point[lv.path] for lv in self.levers)

    def point(self, key: Key) -> dict[str, Any]:
        return {lv.path: v for lv, v in zip(self.levers, key)}

    def planned(self, budget: int) -> int:
        """Points a search of `budget` will try: the budget, or the whole grid (and today's) when smaller."""
        if self.size is None:
            return budget
        return min(budget, self.size + (not self.today_inside))

    @property
    def exhausted(self) -> bool:
        """Every point of an integer grid (and today's) has been tried."""
        return self.size is not None and len(self.seen) >= self.size + (not self.today_inside)

    def ask(self, size: int) -> list[tuple[dict[str, Any], Any]]:
        """Up to `size` unseen points, each with its trial (None for a point the sampler does not model)."""
        out: list[tuple[dict[str, Any], Any]] = []
        if not self._today_done:
            self._today_done = True
            if self.enumerate or not self.today_inside:
                out.append((dict(self.today), None))
            else:
                self.study.enqueue_trial(dict(self.today))
        if self.enumerate:
            for key in self._all():
                if len(out) >= size:
                    break
                if key not in self.seen and key != self.key(self.today):
                    out.append((self.point(key), None))
                    self.seen[key] = None
            self.seen[self.key(self.today)] = self.seen.get(self.key(self.today))
            return out
        for point, _ in out:
            self.seen[self.key(point)] = None
        misses = 0
        while len(out) < size and not self.exhausted:
            if misses >= self.patience:
                fresh = self._unseen()
                if fresh is None:
                    break
                self.study.enqueue_trial(self.point(fresh))
                misses = 0
            trial = self._ask()
            point = {lv.path: lv.cast(trial.params[lv.path]) for lv in self.levers}
            key = self.key(point)
            if key in self.seen:
                misses += 1
                self.repeats += 1
                known = self.seen[key]
                if known is None:
                    self.waiting.append((trial, key))
                else:
                    self._tell(trial, known)
                continue
            self.seen[key] = None
            out.append((point, trial))
        return out

    def tell(self, point: dict[str, Any], trial: Any, outcome: Outcome) -> None:
        """Record a measured point; tell its trial and every repeat of it waiting in this batch."""
        key = self.key(point)
        self.seen[key] = outcome
        if trial is not None:
            self._tell(trial, outcome)
        still = []
        for other, other_key in self.waiting:
            if other_key == key:
                self._tell(other, outcome)
            else:
                still.append((other, other_key))
        self.waiting = still

    def _all(self) -> list[Key]:
        if self._grid is None:
            ranges = [range(int(lv.low), int(lv.high) + 1) for lv in self.levers]
            self._grid = list(itertools.product(*ranges))
        return self._grid

    def _unseen(self) -> Key | None:
        """A point not tried yet, drawn at random (seeded); None when an integer grid is exhausted."""
        if self.size is not None and self.size <= GRID_LIMIT:
            left = [k for k in self._all() if k not in self.seen]
            return left[int(self.rng.integers(len(left)))] if left else None
        for _ in range(1000):
            key = tuple(lv.cast(self.rng.uniform(lv.low, lv.high)) for lv in self.levers)
            if key not in self.seen:
                return key
        return None

    def _ask(self) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constant_liar and enqueued trials are flagged experimental
            return self.study.ask(self.dists)

    def _tell(self, trial: Any, outcome: Outcome) -> None:
        import optuna

        if outcome.values is None:
            self.study.tell(trial, None, state=optuna.trial.TrialState.FAIL)
            return
        for i, c in enumerate(outcome.constraints):
            trial.set_constraint(f"c{i}", min(c, 1e300))
        values = outcome.values
        self.study.tell(trial, values if len(values) > 1 else values[0])


def _native(value: Any, lever: Lever) -> int | float:
    return round(float(value)) if lever.integer else float(value)
