"""Numbers in the decision-support tables: units, thousands separators, never e-notation."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.analysis.window import window_unit
from sim.reporting.labels import kpi_unit
from sim.reporting.numbers import estimate, number
from sim.reporting.tables import table

if TYPE_CHECKING:
    from sim.decision.precision import PrecisionReport


def num(x: Any, digits: int = 4) -> str:
    """`digits` significant figures with thousands separators and no exponent ('–' when missing)."""
    try:
        return number(float(x), digits)
    except (TypeError, ValueError):
        return str(x)


def pm(mean: float, half: float) -> str:
    """'mean ± half' at the precision of the interval (just the mean when there is none)."""
    if not math.isfinite(mean):
        return "–"
    if not math.isfinite(half):
        return number(mean)
    return estimate(mean, mean - half, mean + half).text


def unit_of(kpi: str) -> str:
    """The unit of a whole-run, window or at-date KPI (or the lever cost)."""
    if kpi in ("lever_cost_usd", "total_cost_usd"):
        return "USD"
    return kpi_unit(kpi) or window_unit(kpi)


def precision_text(report: PrecisionReport) -> str:
    """Whether the precision target was reached, and each KPI's CI against its target."""
    rows = [[f"{r.kpi}@{r.cargo}", unit_of(r.kpi), f"{r.n:,}", num(r.mean), num(r.half_width, 3),
             num(r.target, 3), "yes" if r.ok else "no"] for r in report.kpis.itertuples()]
    head = (f"Precision {report.precision}: reached with {report.replications:,} replications"
            if report.reached else
            f"Precision {report.precision}: NOT reached — stopped at the maximum of {report.max_replications:,} "
            f"replications (--max-replications); the KPIs marked 'no' are still wider")
    rounds = " → ".join(f"{n:,}" for n in report.rounds)
    return "\n".join([head, f"replications per round: {rounds}",
                      table(["KPI", "unit", "n", "mean", "95 % CI ±", "target ±", "met"], rows)])
