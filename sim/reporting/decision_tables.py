"""Numbers in the decision-support tables: units, thousands separators, never e-notation."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis.window import window_unit
from sim.decision.ranking import UNDECIDED, closest
from sim.reporting.labels import kpi_bounds, kpi_unit
from sim.reporting.numbers import CLIPPED_NOTE, estimate, number
from sim.reporting.terminal import table

CLIPPED = re.compile(r"\d \[-?[\d,.]+ – [\d,.]+\]")

if TYPE_CHECKING:
    from sim.decision.calibrate import Calibration
    from sim.decision.goals import Constraint
    from sim.decision.optimize import Optimisation
    from sim.decision.precision import PrecisionReport
    from sim.decision.sensitivity import Sensitivity


def num(x: Any, digits: int = 4) -> str:
    """`digits` significant figures with thousands separators and no exponent ('–' when missing)."""
    try:
        return number(float(x), digits)
    except (TypeError, ValueError):
        return str(x)


def pm(mean: float, half: float, kpi: str = "") -> str:
    """'mean ± half' at the precision of the interval (just the mean when there is none); with a KPI
    that cannot be negative (or exceed 1), an interval crossing that bound is clipped: 'mean [low – high]'."""
    if not math.isfinite(mean):
        return "–"
    if not math.isfinite(half):
        return number(mean)
    return estimate(mean, mean - half, mean + half, bounds=kpi_bounds(kpi) if kpi else (-math.inf, math.inf)).text


def with_clip_note(text: str, cells: list[str]) -> str:
    """The text, and the note on clipped intervals when a cell shows one."""
    return text + ("\n" + CLIPPED_NOTE if any(CLIPPED.search(c) for c in cells) else "")


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


def fit_table(fit: Any, n: int, shown: Callable[[str, float], str] | None = None,
              ranged: Callable[[str, float, float], str] | None = None) -> str:
    """Each parameter's best value and not-ruled-out range; a flat fit shows its range, not a best value.

    `shown` and `ranged` write a value and a range in the analyst's units (trains a day with the factor
    beside it); without them, plain numbers.
    """
    rows = []
    for f in fit.itertuples():
        ident = getattr(f, "identified", "identified")
        value = shown or (lambda _path, v: num(v))
        span = (ranged or (lambda _path, lo, hi: f"{num(lo)} to {num(hi)}"))(f.parameter, f.low, f.high) \
            if math.isfinite(f.low) else "none"
        best = f"not identified: {span}" if ident == "not identified" else value(f.parameter, f.best)
        before_value = getattr(f, "before", math.nan)  # a joint fit has no single value before
        before = value(f.parameter, before_value) if math.isfinite(before_value) else num(before_value)
        rows.append([f.parameter, before, best, span, ident, f"{f.n_not_ruled_out:,} of {n:,}"])
    return table(["parameter", "before", "best", "not ruled out (range)", "identified", "candidates"], rows)


def calibration_text(result: Calibration, replications: int) -> str:
    """The fitted parameters in the analyst's units (trains a day, points, hours) with the factor beside
    them, and the range not ruled out; then the targets against the model (CIs clipped at a KPI's bound)."""
    from sim.reporting.analyst_units import in_units, range_in_units

    n = result.metadata["candidates"]
    scen = result.scenario

    def shown(path: str, value: float) -> str:
        return in_units(scen, path, float(value))

    def span(path: str, low: float, high: float) -> str:
        return range_in_units(scen, path, float(low), float(high))

    fitted = (f"Fitted parameters ({replications} replications per candidate, seed {result.metadata['seed']})\n"
              + fit_table(result.fit, n, shown, span))
    bound = {"at least": "≥ ", "at most": "≤ "}
    rows = [[t.target, unit_of(t.kpi), (f"{bound[t.sided]}{num(t.observed)}" if t.sided in bound
                                        else f"{num(t.observed)} ± {num(t.tolerance, 3)}"),
             pm(t.model_mean, (t.model_ci95_high - t.model_ci95_low) / 2, t.kpi), f"{t.n:,}",
             "yes" if t.within_tolerance else "no"] for t in result.targets.itertuples()]
    targets = table(["target", "unit", "observed ± tolerance", "model at best (mean ± 95 % CI)", "n", "within"], rows)
    return fitted + "\n\n" + with_clip_note(targets, [r[3] for r in rows])


def optimisation_text(result: Optimisation, replications: int, top: int = 5) -> str:
    """The best `top` feasible candidates (or the Pareto front) beside today's values — each objective
    with its paired difference against today, each constraint's verdict and margin, and whether the
    candidate may be the best — or, when none is feasible, the candidates closest to feasible."""
    c = result.candidates
    m = result.metadata
    single = len(result.objectives) == 1
    if result.feasible:
        pool = c[c["feasible"]]
        if single:
            shown = pool.sort_values(f"{result.objectives[0].label} mean",
                                     ascending=result.objectives[0].direction == "minimize", kind="stable").head(top)
            title = f"Best {len(shown)} of {len(pool):,} feasible candidates by {result.objectives[0].label}"
            if len(shown) < top and len(pool) < len(c):  # fewer feasible than asked: the closest others next
                near = closest(c[~c["feasible"]], result.constraints, top - len(shown))
                shown = pd.concat([shown, near])
                title += f", then the {len(near)} closest to feasible"
        else:
            shown = c[c["pareto"]].sort_values(f"{result.objectives[0].label} mean", kind="stable")
            title = f"Pareto front ({len(shown)} candidates; feasible, none better on every objective)"
    else:
        shown = closest(c, result.constraints, top)
        title = f"No feasible candidate; the {len(shown)} closest (smallest gap between a constraint's CI and its limit)"
    rows = [_candidate_row(result, r, rank) for rank, (_, r) in enumerate(shown.iterrows(), 1)]
    if not shown["today"].any():
        rows.append(_candidate_row(result, c[c["today"]].iloc[0], "today"))
    head = (["rank", *(lv.path for lv in result.levers)]
            + [f"{o.label} ({unit_of(o.kpi)})" for o in result.objectives]
            + [f"{o.label} − today (paired)" for o in result.objectives]
            + [f"{said(k)}: holds? (margin)" for k in result.constraints]
            + (["possible best"] if single and result.feasible else []))
    lines = [_search_line(result, replications), f"{title}; mean ± 95 % CI:",
             with_clip_note(table(head, rows, right_from=1, breaks=[1 + len(result.levers)]),
                             [cell for row in rows for cell in row])]
    if single and result.feasible:
        kept = int(c["possible_best"].sum())
        lines.append(f"possible best: {kept:,} of {len(c[c['feasible']]):,} feasible candidates may be the best on "
                     f"{result.objectives[0].label} at {100 * m.get('confidence', 0.95):g} % confidence (subset selection on "
                     "paired differences); the others are beaten beyond noise by some candidate")
    if result.constraints:
        lines.append("holds? yes: the 95 % CI meets the limit; no: the whole CI misses it; not decided: the CI "
                     "straddles the limit at this n (≈ n: replications that would decide it). margin: the mean's "
                     "distance to the limit (+: on the side asked for)")
    lines += advice(result, replications)
    return "\n".join(lines)


def said(k: Constraint) -> str:
    """A constraint as the tables say it: its limit with thousands separators ('<=3,000,000', not the
    files' column name '<=3e+06'); beyond 15 digits, which a float does not hold, with an exponent (a limit
    of 1e300 was printed as 301 digits, most of them not the user's)."""
    return f"{k.name}{k.op}{k.limit:,.15g}"


def _search_line(result: Optimisation, replications: int) -> str:
    m = result.metadata
    n = len(result.candidates)
    size = m.get("distinct_points")
    how = ("every point of the lever grid" if m.get("search") == "every point"
           else f"{n:,} distinct points{f' of {size:,}' if size else ''}, sampler {m.get('sampler')}")
    reused = m.get("repeats_reused", 0)
    return (f"Searched {how} ({n:,} candidates, today's values included; {replications} replications each, "
            f"common random numbers{f'; {reused:,} repeated proposals answered from results already measured' if reused else ''}); "
            f"{m.get('feasible_candidates', 0):,} feasible")


def _signed(x: float, sig: int = 3) -> str:
    if not math.isfinite(x):
        return "–"
    text = number(x, sig)
    return text if text.startswith("-") or text == "0" else f"+{text}"


def lever_cell(result: Optimisation, path: str, value: float) -> str:
    """A lever's value; a disruption's factor with what it leaves (0.1076 and 0.1044 both leave 10 trains a day)."""
    from sim.reporting.analyst_units import in_units, is_factor

    if not is_factor(path):
        return num(value)
    return f"{num(value)} = {in_units(result.scenario, path, float(value)).split(' (×')[0]}"


def _candidate_row(result: Optimisation, r: Any, rank: Any) -> list[str]:
    row = [str(rank) + (" (today)" if r["today"] and rank != "today" else "")]
    row += [lever_cell(result, lv.path, r[lv.path]) for lv in result.levers]
    row += [pm(r[f"{o.label} mean"], r[f"{o.label} ci95"], o.kpi) for o in result.objectives]
    row += ["0 (today)" if r["today"] else pm(r[f"{o.label} vs today"], r[f"{o.label} vs today ci95"])
            for o in result.objectives]
    for k in result.constraints:
        verdict = r[f"{k.label} verdict"]
        cell = f"{verdict} ({_signed(r[f'{k.label} margin'])})"
        need = r[f"{k.label} replications to decide"]
        if verdict == UNDECIDED and math.isfinite(need):
            cell += f" ≈ n {int(need):,}"
        row.append(cell)
    if len(result.objectives) == 1 and result.feasible:
        row.append("yes" if r["possible_best"] else ("–" if not r["feasible"] else "rejected"))
    return row


def _needed(rows: pd.DataFrame, label: str) -> pd.Series:
    """Replications to decide one constraint: the table's number; none (NaN) when it is decided; inf where
    it is undecided and no number can be told (the table leaves that cell empty, with a note)."""
    need = rows[f"{label} replications to decide"].astype(float)
    untold = (rows[f"{label} verdict"] == UNDECIDED) & need.isna()
    return need.mask(untold, math.inf)


def advice(result: Optimisation, replications: int) -> list[str]:
    """What would decide more: replications for candidates whose mean meets every constraint but whose
    CI does not yet; when none is feasible, also a constraint no mean meets, or points not yet tried."""
    c = result.candidates
    valid = c[(c["error"].fillna("") == "") & ~c["feasible"]]
    out = []
    on_side = valid[pd.Series([all(r[f"{k.label} margin"] > 0 for k in result.constraints)
                               for _, r in valid.iterrows()], index=valid.index, dtype=bool)]
    if result.constraints and len(on_side):
        need = pd.concat([_needed(on_side, k.label) for k in result.constraints], axis=1).max(axis=1, skipna=True)
        best = on_side.loc[need.idxmin()]
        levers = ", ".join(f"{lv.path}={num(best[lv.path])}" for lv in result.levers)
        if math.isfinite(need.min()):
            out.append(f"Not decided at n = {replications}: {len(on_side):,} candidate(s) meet every constraint on "
                       f"their mean but not yet with 95 % confidence; about -n {int(need.min()):,} replications "
                       f"would decide the nearest ({levers}).")
    if result.feasible:
        return out
    if not len(on_side):
        for k in result.constraints:
            if not (valid[f"{k.label} margin"] > 0).any():
                out.append(f"No candidate's mean meets {said(k)}: relax it, or widen the levers' bounds.")
    size = result.metadata.get("distinct_points")
    if size and len(c) < size:
        out.append(f"The search tried {len(c):,} of the {size:,} possible points: -N {size:,} would try them all.")
    elif not size:
        out.append(f"The search tried {len(c):,} points: a larger -N searches more of the levers' range.")
    return out


def _mu_star(mean: float, half: float) -> str:
    """Morris's mu* ± its CI, clipped at 0 ('mean [0 – high]'): a mean of absolute effects is never negative."""
    if not (math.isfinite(mean) and math.isfinite(half)):
        return pm(mean, half)
    return estimate(mean, mean - half, mean + half, bounds=(0.0, math.inf)).text


def sensitivity_text(result: Sensitivity, replications: int) -> str:
    """Per KPI, the levers ranked by their effect, with its 95 % CI."""
    morris = result.method == "morris"
    effect, conf = ("mu_star", "mu_star_conf") if morris else ("ST", "ST_conf")
    parts, cells = [], []
    for kpi in result.metadata["kpis"]:
        rows = [[f"{r['rank']}", r["lever"], _mu_star(r[effect], r[conf]) if morris else pm(r[effect], r[conf])]
                + ([num(r["sigma"])] if morris else [num(r["S1"])])
                for _, r in result.indices[result.indices["kpi"] == kpi].iterrows()]
        cells += [row[2] for row in rows]
        unit = unit_of(kpi.split("@", 1)[0])
        head = (["rank", "lever", f"mu* ± 95 % CI ({unit} per full range)", "sigma"] if morris
                else ["rank", "lever", "ST ± 95 % CI (share of variance)", "S1"])
        parts.append(f"{kpi}: {result.metadata['points']:,} design points × {replications} replications\n"
                     + table(head, rows))
    return with_clip_note("\n\n".join(parts), cells)
