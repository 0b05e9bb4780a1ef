"""What the corridor's reviews decided, logged with the backlog that made them decide: the
stop-loading dispatcher (halt or resume loading) and a diversion rule (switched on or off)."""

from __future__ import annotations

from typing import NamedTuple


class StopLoadingDecision(NamedTuple):
    """One decision of the stop-loading dispatcher, with the border backlog that triggered it."""

    cargo: str
    action: str  # "halt" | "resume"
    time: float
    backlog: int


class DivertDecision(NamedTuple):
    """Diversion of a cargo switched on or off, with the backlog at `source` that triggered it."""

    cargo: str
    source: str
    target: str
    action: str  # "on" | "off"
    time: float
    backlog: int
