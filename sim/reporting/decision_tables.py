"""Numbers in the decision-support tables: units, thousands separators, never e-notation."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sim.analysis.window import window_unit
from sim.reporting.labels import kpi_unit

if TYPE_CHECKING:
    from sim.decision.precision import PrecisionReport


def num(x: Any, digits: int = 4) -> str:
    """`digits` significant figures with thousands separators and no exponent ('–' when missing)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{round(x, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals else text


def pm(mean: float, half: float) -> str:
    """'mean ± half' (just the mean when the half-width is unknown)."""
    if not math.isfinite(mean):
        return "–"
    return f"{num(mean)} ± {num(half, 2)}" if math.isfinite(half) else num(mean)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with columns padded to their widest cell."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *cells)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(x.ljust(w) for x, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


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
