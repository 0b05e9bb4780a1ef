"""What a disruption window acts on, as one typed value: crossing, stage and check or cargo.

A target is written as text in a scenario (`unloading.grain`, `checks.handover`,
`crossings.altynkol.line`, `crossings.dostyk.demand.grain`). It is parsed here once, by the schema
(`Disruption.ref`), and every layer — the model's schedules and bans, validate's effects, the
metrics' event rows, the plots' shading — reads its fields instead of taking the text apart again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, cast

Stage = Literal["line", "yard", "checks", "unloading", "demand"]
#: stages followed by a name: a check's or a cargo's
NAMED: tuple[Stage, ...] = ("checks", "unloading", "demand")
UNNAMED: tuple[Stage, ...] = ("line", "yard")


@dataclass(frozen=True, slots=True)
class TargetRef:
    """One target. `crossing` is None for the only crossing of a file without `crossings:`, and for
    a corridor-wide loading ban (`demand.<cargo>` among several crossings)."""

    stage: Stage
    name: str | None = None  # the check (checks) or the cargo (unloading, demand)
    crossing: str | None = None

    @classmethod
    def parse(cls, text: str) -> TargetRef | None:
        """The target a text names, or None if it is not shaped like one (which names are known is
        the scenario's business: sim.scenario.rules refuses an unknown target)."""
        parts = text.split(".")
        crossing = None
        if len(parts) > 2 and parts[0] == "crossings":
            crossing, parts = parts[1], parts[2:]
            if not crossing:
                return None
        if len(parts) == 1 and parts[0] in UNNAMED:
            return cls(cast(Stage, parts[0]), None, crossing)
        if len(parts) == 2 and parts[0] in NAMED and parts[1]:
            return cls(cast(Stage, parts[0]), parts[1], crossing)
        return None

    @property
    def text(self) -> str:
        """The target as a scenario writes it (what `parse` reads back)."""
        own = f"{self.stage}.{self.name}" if self.name is not None else self.stage
        return f"crossings.{self.crossing}.{own}" if self.crossing is not None else own

    def __str__(self) -> str:
        return self.text

    @property
    def stage_key(self) -> str:
        """The stage without its crossing: `line`, `yard`, `checks.<name>`, `unloading.<cargo>`."""
        return f"{self.stage}.{self.name}" if self.name is not None else self.stage

    @property
    def is_ban(self) -> bool:
        """A loading ban (`demand.<cargo>`): it acts on the origin, not on a border stage."""
        return self.stage == "demand"

    @property
    def cargo(self) -> str | None:
        """The one cargo the target concerns (unloading and bans); None for a stage all cargo share."""
        return self.name if self.stage in ("unloading", "demand") else None

    @property
    def check(self) -> str | None:
        return self.name if self.stage == "checks" else None

    def at(self, crossing: str | None) -> bool:
        """Whether the target acts at `crossing` (None: the only crossing): its own, or every one."""
        return self.crossing is None or self.crossing == crossing
