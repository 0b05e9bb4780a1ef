"""A fold period: the days between two folds of the recorder, cut at every midnight.

The recorder folds its observations into per-day series with numpy. Folding every day costs a few
dozen numpy calls per series whatever the traffic, which made the daily folding about half of a
replication's time; folding every few days in one go, with the period cut at each midnight inside
it, gives the same per-day figures for a fraction of the calls. A period never straddles the end of
the warm-up (the model folds there), so it is either wholly inside the statistics window or not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.units import DAY

FOLD_DAYS = 30  # about a month: a few numpy calls per day, and a month's wagon times in memory


@dataclass(frozen=True)
class Period:
    """[edges[0], edges[-1]) cut into pieces [edges[i], edges[i+1]), piece i on day `days[i]`."""

    edges: np.ndarray  # float, strictly increasing
    days: np.ndarray  # int, the day of each piece
    in_stats: bool
    final: bool  # the last fold, at the horizon: what is dated at or after it belongs to the last piece

    @classmethod
    def between(cls, a: float, b: float, in_stats: bool, final: bool = False) -> Period:
        first = math.floor(a / DAY) + 1
        inner = [k * DAY for k in range(first, math.ceil(b / DAY))]
        edges = np.array([a, *(t for t in inner if a < t < b), b])
        return cls(edges, (edges[:-1] // DAY).astype(np.int64), in_stats, final)

    @property
    def start(self) -> float:
        return float(self.edges[0])

    @property
    def end(self) -> float:
        return float(self.edges[-1])

    @property
    def pieces(self) -> int:
        return len(self.edges) - 1

    def piece_of(self, times: np.ndarray) -> np.ndarray:
        """The piece each time falls in (a time dated at a midnight opens the next day's piece);
        times outside the period are put in the first or last piece."""
        piece = np.searchsorted(self.edges, times, side="right") - 1
        np.maximum(piece, 0, out=piece)  # (np.clip costs several times more on small arrays)
        return np.minimum(piece, self.pieces - 1, out=piece)

    def firsts(self, sorted_times: np.ndarray) -> np.ndarray:
        """For times in order, the index of the first in each piece (piece_of's pieces, found with
        one binary search per piece instead of one per time)."""
        first = np.searchsorted(sorted_times, self.edges[:-1], side="left")
        first[0] = 0
        return first

    def pieces_of_sorted(self, first: np.ndarray, n: int) -> np.ndarray:
        """piece_of of n times in order, from their `firsts`."""
        return np.repeat(np.arange(self.pieces), np.diff(first, append=n))

    def count_sorted(self, sorted_times: np.ndarray) -> np.ndarray:
        """per_piece(times) (counts) of times in order."""
        if self.pieces == 1:
            return np.array([float(len(sorted_times))])
        return np.diff(self.firsts(sorted_times), append=len(sorted_times)).astype(float)

    def per_piece(self, times: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Counts (or sums of `weights`) of `times` per piece."""
        if self.pieces == 1:
            return np.array([float(len(times)) if weights is None else float(np.sum(weights))])
        return np.bincount(self.piece_of(times), weights=weights, minlength=self.pieces).astype(float)

    def add_to_days(self, row: np.ndarray, values: np.ndarray) -> None:
        """row[day] += value for each piece whose day is inside the row (days are distinct)."""
        days = self.days
        inside = days < len(row)
        if inside.all():
            row[days] += values
        else:
            row[days[inside]] += values[inside]

    def max_into_days(self, row: np.ndarray, values: np.ndarray) -> None:
        """row[day] = max(row[day], value) for each piece whose day is inside the row."""
        inside = self.days < len(row)
        d = self.days[inside]
        row[d] = np.maximum(row[d], values[inside])

    def set_days(self, row: np.ndarray, values: np.ndarray) -> None:
        """row[day] = value for each piece whose day is inside the row."""
        inside = self.days < len(row)
        row[self.days[inside]] = values[inside]
