"""Disruption windows, laid out for one replication before the model starts.

Dated windows come straight from the scenario; recurring ones are drawn on their own named random
stream. Because no window depends on the model's state, the whole timetable is known in advance,
which lets stages schedule work in closed form across closures.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass

from sim.model.availability import merge_windows
from sim.model.rng import Streams
from sim.scenario.distributions import Sampler
from sim.scenario.effects import scaled
from sim.scenario.schema import Scenario
from sim.scenario.target_ref import TargetRef


@dataclass(frozen=True)
class Window:
    name: str
    ref: TargetRef  # what it acts on
    start: float  # hours since scenario start
    end: float
    capacity: float
    time_factor: float

    @property
    def target(self) -> str:
        """The target as the scenario writes it."""
        return self.ref.text


def lay_out_windows(scenario: Scenario, streams: Streams, horizon: float) -> list[Window]:
    """Every disruption window that overlaps [0, horizon), sorted by start."""
    windows: list[Window] = []
    for d in scenario.disruptions:
        if d.inert:  # capacity 1 and time factor 1 (a sweep's "no disruption" value): no windows at all
            continue
        if not d.recurring:
            assert d.from_ is not None and d.to is not None
            start = scenario.hours_since_start(d.from_)
            end = scenario.hours_since_start(d.to)
            if end > 0 and start < horizon:
                windows.append(Window(d.name, d.ref, start, end, d.capacity, d.time_factor))
            continue
        assert d.every is not None and d.lasts is not None
        rng = streams.get(f"disruptions.{d.name}")
        gap, length = Sampler(d.every, rng), Sampler(d.lasts, rng)
        first = scenario.hours_since_start(d.from_) if d.from_ is not None else 0.0
        last = min(horizon, scenario.hours_since_start(d.to)) if d.to is not None else horizon
        t = first + gap()
        while t < last:
            lasting = length()
            if t + lasting > 0:  # a season from before the start: only windows reaching into the run
                windows.append(Window(d.name, d.ref, t, min(t + lasting, last), d.capacity, d.time_factor))
            t += lasting + gap()
    windows.sort(key=lambda w: (w.start, w.name))
    return windows


class TargetSchedule:
    """Piecewise-constant capacity and time factors of one target (overlapping windows multiply)."""

    def __init__(self, windows: list[Window]) -> None:
        points = sorted({w.start for w in windows} | {w.end for w in windows})
        self._times = points
        caps: list[float] = []
        tfs: list[float] = []
        for a, b in zip(points, [*points[1:], math.inf]):
            mid = a + (b - a) / 2 if math.isfinite(b) else a + 1.0
            cap = tf = 1.0
            for w in windows:
                if w.start <= mid < w.end:
                    cap *= w.capacity
                    tf *= w.time_factor
            caps.append(cap)
            tfs.append(tf)
        self._caps = caps
        self._tfs = tfs
        self.windows = windows

    def _index(self, t: float) -> int:
        return bisect_right(self._times, t) - 1

    def capacity_at(self, t: float) -> float:
        i = self._index(t)
        return self._caps[i] if i >= 0 else 1.0

    def time_factor_at(self, t: float) -> float:
        i = self._index(t)
        return self._tfs[i] if i >= 0 else 1.0

    def next_change(self, t: float) -> float:
        """The next time after t at which a factor may change (inf if none)."""
        i = bisect_right(self._times, t)
        return self._times[i] if i < len(self._times) else math.inf

    def closed_windows(self) -> list[tuple[float, float]]:
        """Intervals during which the capacity factor is 0."""
        out = []
        for i, cap in enumerate(self._caps):
            if cap == 0.0:
                end = self._times[i + 1] if i + 1 < len(self._times) else math.inf
                out.append((self._times[i], end))
        return merge_windows(out)

    def reduced_windows(self, base: int) -> list[tuple[float, float, int]]:
        """(start, end, units available) wherever floor(base * factor) is below base."""
        return [(a, b, units) for a, b, units in self.unit_segments(base) if units < base]

    def unit_segments(self, base: int) -> list[tuple[float, float, int]]:
        """(start, end, units available) of every piece of time, from -inf to inf: `base` outside
        the windows, floor(base × factor) inside (more than `base` where a window raises it)."""
        times = self._times
        out = [(-math.inf, times[0], base)] if times else [(-math.inf, math.inf, base)]
        for i, cap in enumerate(self._caps):
            end = times[i + 1] if i + 1 < len(times) else math.inf
            out.append((times[i], end, scaled(base, cap)))
        return out

    def added_unit_hours(self, base: int, a: float, b: float) -> float:
        """Unit-hours within [a, b) above `base`, added by windows that raise the capacity."""
        return sum(max(0, units - base) * max(0.0, min(end, b) - max(start, a))
                   for start, end, units in self.unit_segments(base) if units > base)

    def most_units(self, base: int) -> int:
        """The most units available at any time: `base`, or more where a window raises it."""
        return max(units for _, _, units in self.unit_segments(base))

    @property
    def empty(self) -> bool:
        return not self.windows
