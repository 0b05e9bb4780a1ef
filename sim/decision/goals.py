"""What a search aims at: objectives (min or max of a KPI) and constraints (a KPI's mean against a limit).

    min:total_cost_usd                 an objective (min or max) on a KPI, cargo `all` unless @cargo
    backlog_wagons_max@grain<=3000     a constraint on a KPI's mean, which must hold with 95 % confidence

Their own module because both the search (sim.decision.optimize) and the verdicts on its candidates
(sim.decision.ranking) read them. Besides the KPIs, `lever_cost_usd` and `total_cost_usd` (DERIVED)
can be used: the search computes them from each candidate's lever values and KPIs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from sim.analysis.metrics import KPI_NAMES
from sim.decision.errors import InputError

DERIVED = ("lever_cost_usd", "total_cost_usd")
_CONSTRAINT = re.compile(r"^\s*([A-Za-z0-9_.\-]+)(?:@([A-Za-z0-9_\-]+))?\s*(<=|>=)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Objective:
    kpi: str
    cargo: str = "all"
    direction: str = "minimize"

    @property
    def name(self) -> str:
        return f"{self.kpi}@{self.cargo}"

    @property
    def label(self) -> str:
        return f"{'min' if self.direction == 'minimize' else 'max'}:{self.name}"


@dataclass(frozen=True)
class Constraint:
    kpi: str
    cargo: str
    op: str
    limit: float

    @property
    def name(self) -> str:
        return f"{self.kpi}@{self.cargo}"

    @property
    def label(self) -> str:
        return f"{self.name}{self.op}{self.limit:g}"

    def violation(self, mean: float, half: float) -> float:
        """≤ 0 when the constraint holds with 95 % confidence; else by how much (in the KPI's unit) it does not."""
        if not math.isfinite(mean) or not math.isfinite(half):
            return math.inf
        return mean + half - self.limit if self.op == "<=" else self.limit - (mean - half)


def _check_kpi(kpi: str, cargo: str, option: str, text: str, cargos: list[str]) -> None:
    problems = []
    if kpi not in KPI_NAMES and kpi not in DERIVED and not kpi.startswith("recovery_days."):
        problems.append((text, f"unknown KPI {kpi!r}; expected one of: {', '.join([*KPI_NAMES, *DERIVED])}"))
    if cargo not in cargos:
        problems.append((text, f"unknown cargo {cargo!r}; expected one of: {', '.join(cargos)}"))
    if kpi in DERIVED and cargo != "all":
        problems.append((text, f"{kpi} is for the whole crossing; use it without @cargo"))
    if problems:
        raise InputError(option, problems, "invalid option")


def parse_objective(text: str, cargos: list[str]) -> Objective:
    """`min:KPI[@cargo]` or `max:KPI[@cargo]`."""
    m = re.match(r"^\s*(min|max)\s*:\s*([A-Za-z0-9_.\-]+)(?:@([A-Za-z0-9_\-]+))?\s*$", text)
    if not m:
        raise InputError("--objective", [(text, ("expected min:KPI or max:KPI (optionally KPI@cargo), "
                                                "e.g. min:total_cost_usd"))], "invalid option")
    _check_kpi(m.group(2), m.group(3) or "all", "--objective", text, cargos)
    return Objective(m.group(2), m.group(3) or "all", "minimize" if m.group(1) == "min" else "maximize")


def parse_constraint(text: str, cargos: list[str]) -> Constraint:
    """`KPI[@cargo]<=LIMIT` or `KPI[@cargo]>=LIMIT`."""
    m = _CONSTRAINT.match(text)
    limit = None
    if m:
        try:
            limit = float(m.group(4).replace(",", "").replace("_", ""))
        except ValueError:
            limit = None
    if not m or limit is None or not math.isfinite(limit):
        raise InputError("--constraint", [(text, ("expected KPI<=LIMIT or KPI>=LIMIT (optionally KPI@cargo), "
                                                 "e.g. backlog_wagons_max<=3000"))], "invalid option")
    _check_kpi(m.group(1), m.group(2) or "all", "--constraint", text, cargos)
    return Constraint(m.group(1), m.group(2) or "all", m.group(3), limit)
