"""Which crossing a train goes to: fixed shares dealt out exactly, and diversion on backlog.

Routing is decided when a train is formed at origin, never when it is requested: a train is then
never formed for a crossing that is closed to its cargo while another is open, and nothing queued
at origin ever needs re-routing. Shares are dealt by smooth weighted round-robin (SWRR), which is
deterministic, draws no random number and keeps every crossing's count within one train of its
share at every point (for two crossings; see SmoothRoundRobin). Diversion is counted too (a
Bresenham accumulator), so the same scenario routes the same trains whatever else changes.
A train already formed changes crossing only by a re-routing rule (RerouteRule, applied by
sim.model.rerouting).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction


def as_fraction(weight: float) -> Fraction:
    """An exact rational weight (SWRR compares sums of weights; floats could tie differently)."""
    return Fraction(weight).limit_denominator(1_000_000)


class SmoothRoundRobin:
    """Deals picks among items in proportion to weights, deterministically.

    Each pick adds every eligible item's weight to its credit and takes the eligible total from
    the item with the most credit (ties: the first). After N picks among a fixed set, item i has
    been picked c_i times with credit N·w_i − c_i (weights normalised), and the pick maximises
    (N+1)·w_i − c_i: no item is ever a whole pick ahead of its share, so with two items neither is
    a whole pick behind either. Items of weight 0, or not eligible, keep their credit frozen.
    """

    __slots__ = ("credit", "weights")

    def __init__(self, weights: Sequence[float | Fraction]) -> None:
        self.weights = [w if isinstance(w, Fraction) else as_fraction(w) for w in weights]
        self.credit = [Fraction(0)] * len(self.weights)

    def pick(self, eligible: Sequence[bool] | None = None) -> int:
        """The next item (index), or -1 if no eligible item has a weight above 0."""
        best = -1
        total = Fraction(0)
        credit = self.credit
        for i, w in enumerate(self.weights):
            if w <= 0 or (eligible is not None and not eligible[i]):
                continue
            credit[i] += w
            total += w
            if best < 0 or credit[i] > credit[best]:
                best = i
        if best >= 0:
            credit[best] -= total
        return best

    def copy(self) -> SmoothRoundRobin:
        other = SmoothRoundRobin(self.weights)
        other.credit = list(self.credit)
        return other


class DivertRule:
    """While on, `share` of the trains picked for crossing `source` go to `target` instead."""

    __slots__ = ("above", "acc", "below", "check_every", "forgone", "on", "share", "source", "target")

    def __init__(self, source: int, target: int, share: float, above: int, below: int, check_every: float) -> None:
        self.source = source
        self.target = target
        self.share = as_fraction(share)
        self.above = above
        self.below = below
        self.check_every = check_every
        self.on = False
        self.acc = Fraction(0)
        self.forgone = 0  # diversions not made: the target could not take the train


@dataclass(frozen=True, slots=True)
class RerouteRule:
    """`routing.<cargo>.reroute`: trains of cargo ci waiting at crossing `source` may go to `target`."""

    ci: int
    source: int
    target: int
    extra_time: float
    usd_per_wagon: float
    check_every: float


class Router:
    """The crossing of each train of one cargo: shares among open crossings, then diversion."""

    def __init__(self, weights: Sequence[float], rules: Sequence[DivertRule] = ()) -> None:
        self.rr = SmoothRoundRobin(weights)
        self.rules = list(rules)

    def routable(self, open_: Sequence[bool]) -> bool:
        """Whether a train could be sent anywhere (an open crossing with a share above 0)."""
        return any(o and w > 0 for o, w in zip(open_, self.rr.weights))

    def pick(self, open_: Sequence[bool], can_take: Callable[[int], bool] | None = None) -> int:
        """The crossing of the next train formed (-1: none open, or none that can take it).

        With `can_take` (what a crossing can take, sim.model.room), trains sent beyond a crossing's
        own share are limited: while a crossing with a share is closed, the train is dealt only among
        the open crossings that can take it; a diversion goes ahead only if its target can take the
        train (else the train stays with its source and that diversion is forgone).
        """
        if can_take is None or all(o for o, w in zip(open_, self.rr.weights) if w > 0):
            x = self.rr.pick(open_)
        else:
            x = self.rr.pick([o and w > 0 and can_take(i) for i, (o, w) in enumerate(zip(open_, self.rr.weights))])
        if x < 0:
            return x
        for rule in self.rules:
            if rule.on and rule.source == x and open_[rule.target]:
                rule.acc += rule.share
                if rule.acc >= 1:
                    rule.acc -= 1
                    if can_take is None or can_take(rule.target):
                        return rule.target
                    rule.forgone += 1
        return x
