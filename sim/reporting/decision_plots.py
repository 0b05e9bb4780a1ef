"""Figures of calibration, optimisation and sensitivity (Agg canvas, no pyplot; the caller closes them)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.reporting.analyst_units import axis_label, in_units, tick_text
from sim.reporting.decision_tables import unit_of
from sim.reporting.figures import WIDTH, close, figure, thousands
from sim.reporting.labels import kpi_bounds

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.decision.calibrate import Calibration
    from sim.decision.optimize import Optimisation
    from sim.decision.sensitivity import Sensitivity
    from sim.scenario.schema import Scenario

FEASIBLE = "#1f77b4"
INFEASIBLE = "#bbbbbb"
BEST = "#d62728"


def write_figures(directory: Path, figures: dict[str, Figure]) -> None:
    """Save each figure as plots/<name>.png and release it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, fig in figures.items():
        fig.savefig(directory / f"{name}.png", dpi=110)
        close(fig)


def calibration_targets(result: Calibration) -> Figure:
    """A calibration's targets against the model at the best fit (ratio to the observed value, with CIs)."""
    return targets_vs_model(result.targets, result.metadata.get("replications", 0))


def calibration_fit(result: Calibration) -> Figure:
    """Discrepancy of every candidate against each parameter; not-ruled-out candidates highlighted."""
    return calibration_parameters(result.candidates, result.fit, result.scenario)


def optimisation_front(result: Optimisation) -> Figure:
    """The objective against each lever with CIs (or the Pareto front with several), feasible ones highlighted."""
    return optimisation(result.candidates, [o.label for o in result.objectives], result.metadata.get("replications", 0),
                        [lv.path for lv in result.levers], result.scenario)


def sensitivity_chart(result: Sensitivity) -> Figure:
    """Ranked effects of the levers on each KPI, with their 95 % CIs (Morris mu* or Sobol ST)."""
    ranges = {lv.path: lever_range(result.scenario, lv.path, lv.low, lv.high) for lv in result.levers}
    if result.method == "morris":
        return sensitivity(result.indices, "mu_star", "mu_star_conf", ranges)
    return sensitivity(result.indices, "ST", "ST_conf", ranges)


def lever_range(scenario: Scenario, path: str, low: float, high: float) -> str:
    """A bar's label: the lever and the range it was moved over, in the analyst's units (an effect
    'over the full range' means nothing without the range)."""
    return f"{path}\n{in_units(scenario, path, low)} – {in_units(scenario, path, high)}"


def writer(result: Calibration | Optimisation | Sensitivity) -> Callable[[Path], None]:
    """plots/ of a calibrate, optimize or sensitivity directory (for their `write(..., extra=)`)."""
    from sim.decision.calibrate import Calibration
    from sim.decision.optimize import Optimisation

    def write(directory: Path) -> None:
        if isinstance(result, Calibration):
            figs = {"targets_vs_model": calibration_targets(result), "parameters": calibration_fit(result)}
        elif isinstance(result, Optimisation):
            figs = {"optimisation": optimisation_front(result)}
        else:
            figs = {"sensitivity": sensitivity_chart(result)}
        write_figures(directory / "plots", figs)

    return write


def targets_vs_model(targets: pd.DataFrame, replications: int) -> Figure:
    """Each target as model / observed: the tolerance band around 1 and the model's mean with its 95 % CI
    (clipped at the KPI's bound, as in the tables)."""
    n = len(targets)
    fig = figure(1.2 + 0.55 * n)
    ax = fig.add_subplot()
    y = np.arange(n)[::-1]
    for yi, (_, r) in zip(y, targets.iterrows()):
        obs = r["observed"]
        scale = abs(obs) if obs else 1.0
        tol = r["tolerance"] / scale
        ax.barh(yi, 2 * tol, left=1 - tol, height=0.5, color="#2ca02c", alpha=0.25,
                label="observed ± tolerance" if yi == y[0] else None)
        mean = r["model_mean"] / scale
        bottom, top = kpi_bounds(r["kpi"])  # a CI is drawn clipped at what the KPI can take (never below 0)
        low = min(max(r["model_ci95_low"], bottom), r["model_mean"]) / scale
        high = max(min(r["model_ci95_high"], top), r["model_mean"]) / scale
        err = [[mean - low], [high - mean]] if math.isfinite(low) else None
        ax.errorbar(mean, yi, xerr=err, fmt="o", color=BEST, capsize=4,
                    label=f"model at best fit (mean, 95 % CI, n={replications})" if yi == y[0] else None)
        unit = unit_of(r["kpi"])
        ax.annotate(f"observed {thousands(obs)} {unit}, model {thousands(r['model_mean'])} {unit}",
                    (1, yi + 0.3), ha="center", fontsize=8)
    ax.axvline(1, color="black", lw=0.8)
    ax.set_yticks(y, [str(t) for t in targets["target"]])
    ax.set_xlabel("model / observed (1 = exact; ratio of the KPI, unitless)")
    ax.set_title("Calibration targets against the model")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(True, axis="x", alpha=0.3)
    return fig


def lever_axis(ax: Axes, path: str, values: pd.Series, scenario: Scenario | None) -> None:
    """The x axis of a lever in the analyst's units: the key with its unit, whole ticks for a whole-number
    lever, and a capacity factor's ticks with what they leave of the capacity (sim.reporting.analyst_units)."""
    ax.set_xlabel(axis_label(path), fontsize=8)
    finite = pd.to_numeric(values, errors="coerce").dropna()
    if len(finite) and bool(np.all(finite == np.round(finite))):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    if scenario is not None:
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: tick_text(scenario, path, float(v))))
    ax.tick_params(axis="x", labelsize=8)


def calibration_parameters(candidates: pd.DataFrame, fit: pd.DataFrame, scenario: Scenario | None = None) -> Figure:
    """Discrepancy against each parameter: every candidate, not-ruled-out ones highlighted, best marked."""
    params = list(fit["parameter"])
    fig = figure(3.2, WIDTH)
    axes = fig.subplots(1, len(params), squeeze=False)[0]
    ok = ~candidates["ruled_out"].astype(bool)
    d = candidates["discrepancy"].replace(np.inf, np.nan)
    for ax, (_, f) in zip(axes, fit.iterrows()):
        p = f["parameter"]
        ax.scatter(candidates.loc[~ok, p], d[~ok], s=12, color=INFEASIBLE, label="ruled out")
        ax.scatter(candidates.loc[ok, p], d[ok], s=16, color=FEASIBLE, label="not ruled out")
        best = in_units(scenario, p, float(f["best"])) if scenario is not None else f"{f['best']:,.4g}"
        ax.axvline(f["best"], color=BEST, lw=1, label=f"best: {best}")
        if math.isfinite(f["low"]):
            ax.axvspan(f["low"], f["high"], color=FEASIBLE, alpha=0.1, label="range not ruled out")
        ax.set_yscale("symlog", linthresh=1)
        lever_axis(ax, p, candidates[p], scenario)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("discrepancy\n(mean squared error in tolerances)")
    fig.suptitle(f"Calibration: {len(candidates)} candidates, {int(ok.sum())} not ruled out")
    return fig


def optimisation(candidates: pd.DataFrame, objectives: list[str], replications: int,
                 levers: list[str] | None = None, scenario: Scenario | None = None) -> Figure:
    """One objective: its mean with 95 % CI against each lever's value (one panel per lever; feasible,
    infeasible, today and the best marked); two or more: the first two, Pareto front drawn."""
    feas = candidates["feasible"].astype(bool)
    if len(objectives) == 1:
        levers = levers or [c for c in candidates.columns if "." in c and not c.endswith((" mean", " ci95"))][:1]
        fig = figure(3.6, WIDTH)
        axes = fig.subplots(1, len(levers), squeeze=False)[0]
        col = f"{objectives[0]} mean"
        err = _clipped_errors(candidates, objectives[0])
        for ax, lever in zip(axes, levers):
            for mask, color, label in ((~feas, INFEASIBLE, "infeasible (a constraint's CI does not hold)"),
                                       (feas, FEASIBLE, "feasible")):
                ax.errorbar(candidates.loc[mask, lever], candidates.loc[mask, col], yerr=err[:, mask.to_numpy()],
                            fmt="o", ms=4, color=color, capsize=3, label=label if mask.any() else None, gid=f"ci:{label.split(' ')[0]}")
            if "today" in candidates.columns:
                now = candidates[candidates["today"].astype(bool)]
                ax.scatter(now[lever], now[col], s=90, facecolors="none", edgecolors="black", label="today's values")
            best = candidates[candidates["best"].astype(bool)]
            ax.scatter(best[lever], best[col], s=90, color=BEST, marker="*", zorder=3, label="best")
            lever_axis(ax, lever, candidates[lever], scenario)
            unit = unit_of(objectives[0].split(":", 1)[-1].split("@", 1)[0])
            ax.set_ylabel(f"{objectives[0]}{f' ({unit})' if unit else ''}")
            ax.yaxis.set_major_formatter(thousands)  # type: ignore[arg-type]
            ax.grid(True, alpha=0.3)
        axes[0].legend(fontsize=7)
        fig.suptitle(f"Optimisation: the objective against each lever (mean, 95 % CI over {replications} replications)")
        return fig
    fig = figure(4.2)
    ax = fig.add_subplot()
    x, y = (f"{o} mean" for o in objectives[:2])
    xerr, yerr = (_clipped_errors(candidates, o) for o in objectives[:2])
    bad, good = (~feas).to_numpy(), feas.to_numpy()
    ax.errorbar(candidates.loc[~feas, x], candidates.loc[~feas, y], xerr=xerr[:, bad], yerr=yerr[:, bad], fmt="o",
                ms=4, color=INFEASIBLE, capsize=2, label="infeasible" if bad.any() else None, gid="ci:infeasible")
    ax.errorbar(candidates.loc[feas, x], candidates.loc[feas, y], xerr=xerr[:, good], yerr=yerr[:, good], fmt="o",
                ms=4, color=FEASIBLE, capsize=2, label="feasible (bars: 95 % CI)", gid="ci:feasible")
    front = candidates[candidates["pareto"].astype(bool)].sort_values(x)
    ax.plot(front[x], front[y], "-o", color=BEST, label="Pareto front (feasible, non-dominated)")
    if "today" in candidates.columns:  # as the one-objective panels do: every answer is read against today
        now = candidates[candidates["today"].astype(bool)]
        ax.scatter(now[x], now[y], s=90, facecolors="none", edgecolors="black", label="today's values", gid="today")
    if scenario is not None and levers:  # which settings each point of the front is, in the levers' units
        for _, r in front.iterrows():
            text = ", ".join(in_units(scenario, lv, float(r[lv])) for lv in levers)
            ax.annotate(text, (r[x], r[y]), xytext=(4, 4), textcoords="offset points", fontsize=7, gid="setting")
    ax.set_xlabel(_axis(objectives[0], replications))
    ax.set_ylabel(_axis(objectives[1], replications))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(thousands)  # type: ignore[arg-type]
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Optimisation")
    return fig


def _clipped_errors(candidates: pd.DataFrame, objective: str) -> np.ndarray:
    """Below and above each candidate's mean, its 95 % CI as far as the KPI can go (never below 0 for an
    amount), as the tables show it; shape (2, candidates) for errorbar."""
    mean = candidates[f"{objective} mean"].to_numpy(dtype=float)
    half = candidates[f"{objective} ci95"].fillna(0).to_numpy(dtype=float)
    bottom, top = kpi_bounds(objective.split(":", 1)[-1].split("@", 1)[0])
    below = np.clip(mean - np.maximum(mean - half, bottom), 0, None)
    above = np.clip(np.minimum(mean + half, top) - mean, 0, None)
    return np.nan_to_num(np.vstack([below, above]))


def _axis(objective: str, replications: int) -> str:
    kpi = objective.split(":", 1)[-1].split("@", 1)[0]
    unit = unit_of(kpi)
    return f"{objective}{f' ({unit})' if unit else ''}, mean of {replications} replications"


def sensitivity(indices: pd.DataFrame, effect: str = "mu_star", conf: str = "mu_star_conf",
                ranges: dict[str, str] | None = None) -> Figure:
    """Ranked bars (tornado) of each lever's effect on each KPI, with 95 % CIs; `ranges` labels the
    bars (lever path -> label), by default the lever's path."""
    kpis = list(dict.fromkeys(indices["kpi"]))
    n_levers = indices["lever"].nunique()
    fig = figure(1.0 + (0.45 * n_levers + 0.8) * len(kpis))
    axes = fig.subplots(len(kpis), 1, squeeze=False)[:, 0]
    for ax, kpi in zip(axes, kpis):
        rows = indices[indices["kpi"] == kpi].sort_values(effect, ascending=True)
        err = rows[conf].fillna(0).to_numpy()
        if effect == "mu_star":  # a mean of absolute effects: the bar's interval stops at 0, as the table's
            err = np.vstack([np.minimum(err, rows[effect].to_numpy()), err])
        ax.barh([(ranges or {}).get(lv, lv) for lv in rows["lever"]], rows[effect], xerr=err, color=FEASIBLE,
                capsize=3)
        ax.tick_params(axis="y", labelsize=8)
        unit = unit_of(kpi.split("@", 1)[0])
        what = "mean |elementary effect| over each lever's full range" if effect == "mu_star" else effect
        ax.set_xlabel(f"{kpi}: {what}{f' ({unit})' if unit and effect == 'mu_star' else ''}, 95 % CI")
        ax.xaxis.set_major_formatter(thousands)  # type: ignore[arg-type]
        ax.grid(True, axis="x", alpha=0.3)
    fig.suptitle("Sensitivity: which levers matter (largest at the top)")
    return fig

