"""Numbers in the decision-support tables: units, thousands separators, never e-notation."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from sim.analysis.window import window_unit
from sim.reporting.labels import kpi_unit
from sim.reporting.numbers import estimate, number
from sim.reporting.tables import table

if TYPE_CHECKING:
    from sim.decision.calibrate import Calibration
    from sim.decision.optimize import Optimisation
    from sim.decision.precision import PrecisionReport
    from sim.decision.sensitivity import Sensitivity


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


def fit_table(fit: Any, n: int) -> str:
    """Each parameter's best value and not-ruled-out range; a flat fit shows its range, not a best value."""
    rows = []
    for f in fit.itertuples():
        ident = getattr(f, "identified", "identified")
        span = f"{num(f.low)} to {num(f.high)}" if math.isfinite(f.low) else "none"
        best = f"not identified: {span}" if ident == "not identified" else num(f.best)
        before = num(getattr(f, "before", math.nan))  # a joint fit has no single value before
        rows.append([f.parameter, before, best, span, ident, f"{f.n_not_ruled_out:,} of {n:,}"])
    return table(["parameter", "before", "best", "not ruled out (range)", "identified", "candidates"], rows)


def calibration_text(result: Calibration, replications: int) -> str:
    """The fitted parameters with the range not ruled out, then the targets against the model."""
    n = result.metadata["candidates"]
    fitted = (f"Fitted parameters ({replications} replications per candidate, seed {result.metadata['seed']})\n"
              + fit_table(result.fit, n))
    rows = [[t.target, unit_of(t.kpi), f"{num(t.observed)} ± {num(t.tolerance, 3)}",
             pm(t.model_mean, (t.model_ci95_high - t.model_ci95_low) / 2), f"{t.n:,}",
             "yes" if t.within_tolerance else "no"] for t in result.targets.itertuples()]
    targets = table(["target", "unit", "observed ± tolerance", "model at best (mean ± 95 % CI)", "n", "within"], rows)
    return fitted + "\n\n" + targets


def optimisation_text(result: Optimisation, replications: int) -> str:
    """The best candidate (or the Pareto front) with each objective and constraint, mean ± 95 % CI."""
    best = result.best()
    cols = [lv.path for lv in result.levers]
    head = (cols + [f"{o.label} ({unit_of(o.kpi)})" for o in result.objectives]
            + [c.label for c in result.constraints])
    rows = [[num(r[c]) for c in cols] + [pm(r[f"{o.label} mean"], r[f"{o.label} ci95"]) for o in result.objectives]
            + [f"{pm(r[f'{c.label} mean'], r[f'{c.label} ci95'])} ✓" for c in result.constraints]
            for _, r in best.iterrows()]
    title = "Best candidate" if len(result.objectives) == 1 else f"Pareto front ({len(best)} candidates)"
    return (f"{title}: mean ± 95 % CI over {replications} replications, "
            f"{result.metadata['feasible_candidates']:,} of {len(result.candidates):,} candidates feasible\n"
            + table(head, rows))


def sensitivity_text(result: Sensitivity, replications: int) -> str:
    """Per KPI, the levers ranked by their effect, with its 95 % CI."""
    morris = result.method == "morris"
    effect, conf = ("mu_star", "mu_star_conf") if morris else ("ST", "ST_conf")
    parts = []
    for kpi in result.metadata["kpis"]:
        rows = [[f"{r['rank']}", r["lever"], pm(r[effect], r[conf])]
                + ([num(r["sigma"])] if morris else [num(r["S1"])])
                for _, r in result.indices[result.indices["kpi"] == kpi].iterrows()]
        unit = unit_of(kpi.split("@", 1)[0])
        head = (["rank", "lever", f"mu* ± 95 % CI ({unit} per full range)", "sigma"] if morris
                else ["rank", "lever", "ST ± 95 % CI (share of variance)", "S1"])
        parts.append(f"{kpi}: {result.metadata['points']:,} design points × {replications} replications\n"
                     + table(head, rows))
    return "\n\n".join(parts)
