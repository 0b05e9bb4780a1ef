"""Do the product and the reference model agree? Welch confidence intervals of KPI differences.

Both models are run on independent random numbers, so each KPI's replication means are compared
with a two-sample Welch t interval of (product − reference); they agree when the interval
contains 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from benchmarks.reference_model import KPIS, ReferenceResult
from sim.reporting.numbers import number

# KPIs both models compute, per cargo (the reference model's whole output)
COMPARED = KPIS


@dataclass(frozen=True)
class Difference:
    cargo: str
    kpi: str
    product_mean: float
    reference_mean: float
    low: float  # CI of product − reference
    high: float

    @property
    def agrees(self) -> bool:
        return self.low <= 0.0 <= self.high

    @property
    def relative(self) -> float:
        """(product − reference) / reference."""
        return (self.product_mean - self.reference_mean) / self.reference_mean if self.reference_mean else math.nan


def welch_interval(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Two-sided Welch t interval of mean(a) − mean(b)."""
    from scipy import stats

    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or len(y) < 2:
        raise ValueError("need at least two replications of each model")
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    diff = float(x.mean() - y.mean())
    se = math.sqrt(vx + vy)
    if se == 0.0:
        return diff, diff
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    half = float(stats.t.ppf(0.5 + level / 2, df)) * se
    return diff - half, diff + half


def product_table(kpis: pd.DataFrame) -> pd.DataFrame:
    """The product's KPI rows (replication, cargo, ...) restricted to the compared KPIs and cargos."""
    return kpis.loc[kpis["cargo"] != "all", ["replication", "cargo", *COMPARED]].reset_index(drop=True)


def reference_table(results: Iterable[ReferenceResult]) -> pd.DataFrame:
    rows = [
        {"replication": r, "cargo": cargo, **{k: values[k] for k in COMPARED}}
        for r, res in enumerate(results)
        for cargo, values in res.kpis.items()
    ]
    return pd.DataFrame(rows)


def compare(product: pd.DataFrame, reference: pd.DataFrame, level: float = 0.95) -> list[Difference]:
    """One Difference per cargo and compared KPI."""
    out = []
    for cargo in product["cargo"].unique():
        p = product[product["cargo"] == cargo]
        r = reference[reference["cargo"] == cargo]
        for kpi in COMPARED:
            low, high = welch_interval(p[kpi].to_numpy(), r[kpi].to_numpy(), level)
            out.append(Difference(cargo, kpi, float(p[kpi].mean()), float(r[kpi].mean()), low, high))
    return out


def _signed(x: float) -> str:
    return ("+" if x >= 0 else "") + number(x)


def format_table(diffs: Sequence[Difference], level: float = 0.95) -> str:
    lines = [
        (f"{'cargo':<11} {'kpi':<22} {'product':>11} {'reference':>11} {'diff':>8} "
        f"{f'{level:.0%} CI of product-reference':>30}  agree")
    ]
    for d in diffs:
        lines.append(
            f"{d.cargo:<11} {d.kpi:<22} {number(d.product_mean):>11} {number(d.reference_mean):>11} "
            f"{d.relative:>+8.2%} {f'[{_signed(d.low)}, {_signed(d.high)}]':>30}  {'yes' if d.agrees else 'NO'}"
        )
    return "\n".join(lines)
