"""Refusals at a check: a share of wagons (or whole trains) goes back loaded.

September 2024: China stopped accepting grain into bonded zones and more than 360 wagons were
returned (observed.md). At the end of a check with `reject`, the first entry that applies to the
train's cargo and to the date draws how many of its wagons are refused — binomial(wagons, share)
per wagon, or all of them with probability `share` per train — from the check's own random
stream (`checks.<name>.reject`), so no other element's numbers move. Refused wagons leave the yard
and the backlog at once and travel back loaded (sim.model.journey.Crossing.refuse).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.model.origin import Train
from sim.model.views import CorridorView, CrossingView
from sim.scenario.distributions import Sampler
from sim.scenario.stages import Check


@dataclass(frozen=True, slots=True)
class RefusalRule:
    share: float
    per_train: bool
    cargo: frozenset[str] | None
    start: float
    end: float
    return_time: Sampler


class Refusals:
    """The refusal rules of one check at one crossing, and their random stream."""

    def __init__(self, crossing: CrossingView, label: str, rules: list[RefusalRule], rng: np.random.Generator) -> None:
        self.crossing = crossing
        self.label = label
        self.rules = rules
        self.rng = rng
        self.env = crossing.env

    @classmethod
    def build(cls, model: CorridorView, crossing: CrossingView, check: Check, label: str) -> Refusals:
        s = model.scenario
        assert check.reject is not None and crossing.spec.empties is not None
        rules = []
        for j, r in enumerate(check.reject):
            dist = r.return_time if r.return_time is not None else crossing.spec.empties.return_time
            rules.append(RefusalRule(
                r.share, r.per == "train", frozenset(r.cargo) if r.cargo is not None else None,
                s.hours_since_start(r.from_) if r.from_ is not None else -math.inf,
                s.hours_since_start(r.to) if r.to is not None else math.inf,
                Sampler(dist, model.streams.get(f"{label}.reject[{j}].return_time")),
            ))
        return cls(crossing, label, rules, model.streams.get(f"{label}.reject"))

    def apply(self, train: Train) -> bool:
        """Refuse some of the train's wagons now; False if none are left (refused whole)."""
        now = self.env.now
        for rule in self.rules:
            if (rule.cargo is None or train.cargo in rule.cargo) and rule.start <= now < rule.end:
                if rule.per_train:
                    refused = train.wagons if self.rng.random() < rule.share else 0
                else:
                    refused = int(self.rng.binomial(train.wagons, rule.share))
                if refused:
                    self.crossing.refuse(train, refused, rule.return_time, self.label)
                return train.wagons > 0
        return True
