"""Dated loading bans: `demand.<cargo>` (every crossing) and `crossings.<name>.demand.<cargo>` windows.

A ban is an administrative act on loading, not on the border: with capacity 0 no train of the
cargo is formed for the crossing in the window; with 0 < f < 1, of the trains picked for the
crossing while the factor holds, exactly floor(f × picks) are formed (the m-th is formed iff
floor((m+1)f) > floor(mf)); the others are deferred (loaded after the window) or lost, as the
window's `on_halt` says. Like every window, bans are laid out before the run (sim.model.disruptions),
so this module only turns them into a timetable of (factor, lose) per cargo and crossing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.model.disruptions import Window


@dataclass(frozen=True, slots=True)
class BanState:
    factor: float  # share of the trains picked that are formed (1: no ban)
    lose: bool  # trains not formed are lost (else deferred)


OPEN = BanState(1.0, False)


class LoadingBans:
    """The ban in force at any time for each (cargo index, crossing index)."""

    def __init__(self, windows: list[Window], on_halt: dict[str, str], cargo: list[str], crossings: list[str]) -> None:
        self._by_key: dict[tuple[int, int], list[Window]] = {}
        for ci, c in enumerate(cargo):
            for x, name in enumerate(crossings):
                mine = [w for w in windows if w.ref.is_ban and w.ref.cargo == c and w.ref.at(name)]
                if mine:
                    self._by_key[(ci, x)] = mine
        self.on_halt = on_halt
        times = {t for ws in self._by_key.values() for w in ws for t in (w.start, w.end)}
        self.changes = sorted(t for t in times if math.isfinite(t))
        self.cargo = cargo
        self.crossings = crossings

    @property
    def empty(self) -> bool:
        return not self._by_key

    def pairs(self) -> list[tuple[int, int]]:
        return list(self._by_key)

    def state(self, ci: int, x: int, t: float) -> BanState:
        """The ban on cargo ci at crossing x in force from t (windows are half-open [start, end))."""
        factor = 1.0
        modes = []
        for w in self._by_key.get((ci, x), ()):
            if w.start <= t < w.end:
                factor *= w.capacity
                modes.append(self.on_halt.get(w.name, "defer"))
        if factor >= 1.0:
            return OPEN
        return BanState(factor, all(m == "lose" for m in modes))
