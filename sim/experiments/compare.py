"""Paired comparison of scenarios with common random numbers.

Every scenario runs replications 0..n-1 with the same seed. A random stream is keyed by (seed,
replication, element name) (sim.model.rng), so replication r of scenario A and of scenario B see the
same demand, transit times, breakdowns and wind closures wherever the two scenarios share those
elements. The difference B - A is then computed replication by replication, and its confidence
interval is a paired-t interval: the noise common to both runs cancels, so the interval is far
narrower than the unpaired (Welch) interval of two independent samples, which is reported too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.choices import choose
from sim.analysis.paired import paired_difference
from sim.analysis.paired import welch_halfwidth as welch_halfwidth  # importable from here, as it was
from sim.analysis.stats import ci_columns, corridor_rows, summarise
from sim.analysis.window import as_date, check_window, simulated_days
from sim.errors import option
from sim.experiments import arguments, held
from sim.experiments.atomic import atomic_directory, write_scenario_yaml
from sim.experiments.results import package_version
from sim.experiments.runner import Progress, replication_tasks, run_tasks, warn_about
from sim.experiments.workdir import WorkDir
from sim.scenario.durations import format_hours
from sim.scenario.effects import ScenarioWarning  # noqa: F401 - importable from here, as it was
from sim.scenario.schema import Scenario
from sim.scenario.warn import warn
from sim.units import safe_name

if TYPE_CHECKING:
    from sim.experiments.executors import Executor


#: Daily columns (cargo `all`) a comparison keeps, for its before/after plots.
DAILY_KEPT = ("backlog_mean", "held_trains_mean")


def paired_differences(kpis: pd.DataFrame, baseline: str, names: Sequence[str],
                       kpi_names: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Per scenario (other than `baseline`), cargo and KPI: mean difference with paired and unpaired CIs.

    `kpis` has columns scenario, replication, cargo and KPIs. Replications where either value is
    missing (NaN) are left out of that KPI's pairs. With a `crossing` column, each scenario's whole
    corridor is compared (scenarios may have different crossings). The CI's columns say its `level`:
    `ci95_low`, `ci95_high` at 0.95, `ci90_low`, `ci90_high` at 0.9 (sim.analysis.stats.ci_columns);
    `verdict` says in words what that CI tells: higher, lower, no clear difference (sim.analysis.verdict).
    Each KPI's pairs are sim.analysis.paired's, as the workbench's and `consignment --versus`'s are.
    """
    if "crossing" in kpis.columns:
        kpis = pd.concat([corridor_rows(g) for _, g in kpis.groupby("scenario", sort=False)]).drop(columns=["crossing"])
    value_cols = [c for c in kpis.columns if c not in ("scenario", "replication", "cargo")]
    # a name it does not hold was an empty table, a level of 95 a table of NaN intervals
    choose("baseline scenario", baseline, names)  # one it does not hold: which there are, and the near miss
    level = arguments.level(level)
    if kpi_names is not None:
        wanted = {choose("KPI", k, value_cols) for k in arguments.texts("kpis", kpi_names, "dwell_h_mean")}
        value_cols = [c for c in value_cols if c in wanted]
    base = kpis[kpis["scenario"] == baseline].set_index(["cargo", "replication"])
    low, high = ci_columns(level)
    rows = []
    for name in names:
        if name == baseline:
            continue
        alt = kpis[kpis["scenario"] == name].set_index(["cargo", "replication"])
        for cargo in dict.fromkeys(base.index.get_level_values("cargo")):
            if cargo not in alt.index.get_level_values("cargo"):
                continue
            a_all, b_all = base.loc[cargo], alt.loc[cargo]
            common = a_all.index.intersection(b_all.index)
            for kpi in value_cols:
                paired = paired_difference(a_all.loc[common, kpi].astype(float), b_all.loc[common, kpi].astype(float),
                                           level)
                unpaired = paired.half_width_unpaired
                rows.append({
                    "scenario": name, "baseline": baseline, "cargo": cargo, "kpi": kpi, "n": paired.n,
                    "mean_baseline": paired.mean_baseline, "mean_scenario": paired.mean_scenario,
                    "difference": paired.difference, low: paired.low, high: paired.high,
                    "half_width": paired.half_width, "half_width_unpaired": unpaired,
                    "ratio_to_unpaired": (paired.half_width / unpaired if unpaired and np.isfinite(unpaired)
                                          else float("nan")),
                    "verdict": paired.verdict,
                })
    return pd.DataFrame(rows)


@dataclass
class Comparison:
    """KPIs of several scenarios run with common random numbers, and their paired differences."""

    names: list[str]
    scenarios: list[Scenario]
    seed: int
    replications: int
    kpis: pd.DataFrame                 # scenario, replication, cargo, KPIs
    metadata: dict[str, Any] = field(default_factory=dict)
    daily: pd.DataFrame = field(default_factory=pd.DataFrame)  # scenario, replication, date, day, DAILY_KEPT (all)
    windows: pd.DataFrame = field(default_factory=pd.DataFrame)  # scenario, from, to, replication, cargo, window KPIs

    def __repr__(self) -> str:  # not every field in full (the dataclass's repr): what ran and where to look
        return (f"<Comparison {', '.join(map(str, self.names))} (baseline {self.baseline}): {self.replications:,} "
                f"paired replications (seed {self.seed}) — .differences(), .summary(), .kpis, .write(directory)>")

    @property
    def baseline(self) -> str:
        return self.names[0]

    def summary(self) -> pd.DataFrame:
        """Mean, sd and 95 % CI of every KPI per scenario and cargo (long format)."""
        return summarise(self.kpis.drop(columns=["replication"]), by=["scenario", "cargo"])

    def differences(self, baseline: str | None = None, kpis: Sequence[str] | None = None,
                    level: float = 0.95) -> pd.DataFrame:
        """Each scenario minus the baseline (default the first), with paired and unpaired CIs."""
        return paired_differences(self.kpis, baseline or self.baseline, self.names, kpis, level)

    def window_spans(self) -> list[tuple[str, str]]:
        """The dated windows compared (first and last day, ISO), in the order given."""
        if self.windows.empty:
            return []
        return list(dict.fromkeys(zip(self.windows["from"].astype(str), self.windows["to"].astype(str))))

    def window_differences(self, level: float = 0.95) -> pd.DataFrame:
        """Each scenario minus the baseline over each dated window (`from`, `to` first), paired as differences()."""
        frames = []
        for lo, hi in self.window_spans():
            rows = self.windows[(self.windows["from"].astype(str) == lo) & (self.windows["to"].astype(str) == hi)]
            diff = paired_differences(rows.drop(columns=["from", "to"]), self.baseline, self.names, level=level)
            frames.append(diff.assign(**{"from": lo, "to": hi})[["from", "to", *diff.columns]])
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def write(self, out: str | os.PathLike[str], force: bool = False, extra: Any = None) -> Path:
        """Write kpis.csv, summary.csv, differences.csv, daily.csv, comparison.json and scenarios/ atomically;
        with dated windows, windows.csv (their KPIs per replication) and window_differences.csv.

        `extra(directory)` adds more files before the directory is moved into place (the CLI's
        report, see sim.reporting.experiment_report).
        """
        with atomic_directory(out, force) as tmp:
            (tmp / "scenarios").mkdir()
            # `a b` and `a_b` are one safe name: keep both files (one used to overwrite the other)
            for name, scen in zip(unique_names([safe_name(n) for n in self.names]), self.scenarios):
                write_scenario_yaml(tmp / "scenarios" / f"{name}.yaml", scen)
            (tmp / "comparison.json").write_text(
                json.dumps({**self.metadata, "scenarios": self.names}, indent=2, default=str) + "\n", encoding="utf-8")
            self.kpis.to_csv(tmp / "kpis.csv", index=False)
            self.summary().to_csv(tmp / "summary.csv", index=False)
            self.differences().to_csv(tmp / "differences.csv", index=False)
            if not self.daily.empty:
                self.daily.to_csv(tmp / "daily.csv", index=False)
            if not self.windows.empty:
                self.windows.to_csv(tmp / "windows.csv", index=False)
                self.window_differences().to_csv(tmp / "window_differences.csv", index=False)
            if extra is not None:
                extra(tmp)
        return Path(out)


def incomparable(scenarios: Sequence[Scenario], labels: Sequence[str]) -> list[str]:
    """How each scenario's period or cargo differs from the baseline's (the first), which makes KPIs
    such as tonnes delivered or recovery differ for reasons other than the levers compared."""
    base, out = scenarios[0], []
    for label, s in zip(labels[1:], scenarios[1:]):
        for what, mine, theirs in (("start", str(s.start), str(base.start)),
                                   ("duration", format_hours(s.duration), format_hours(base.duration)),
                                   ("warmup", format_hours(s.warmup), format_hours(base.warmup))):
            if mine != theirs:
                out.append(f"{label} has {what} {mine}, the baseline {labels[0]} {theirs}: "
                           f"its KPIs cover another period (totals, recovery and seasonal demand differ for "
                           f"that reason alone)")
        if set(s.cargo) != set(base.cargo):
            out.append(f"{label} has cargo {', '.join(s.cargo)}, the baseline {labels[0]} {', '.join(base.cargo)}: "
                       f"a cargo missing from either is left out of the differences, and `all` totals differ")
    return out


def unique_names(names: Sequence[str]) -> list[str]:
    """Names made unique by a suffix (two files may hold scenarios with the same name)."""
    out: list[str] = []
    for name in names:
        candidate, k = name, 2
        while candidate in out:
            candidate, k = f"{name}-{k}", k + 1
        out.append(candidate)
    return out


def check_comparison(scenarios: Sequence[Scenario], names: Sequence[str], replications: int,
                     what: str = "compare", given_as: str | None = None) -> None:
    """Refuse, before any task runs or any output is claimed, a comparison (`compare`, a named
    `experiment`) whose runs exceed limits.MAX_RUNS or whose results held together exceed what one run
    may hold (sim.experiments.held). `given_as` names where the replications were given (an experiment's file)."""
    if replications < 2:  # before any output is claimed (the CLI was told "pass replications=", after claiming it)
        where = f"{given_as} gives" if given_as else f"{scenarios[0].name} has" if scenarios else "there are"
        raise arguments.ArgumentError(
            f"a paired comparison needs at least 2 replications; {where} {replications}: " + (
                "set replications: 2 or more in the experiment file" if given_as else
                option("give -n 2 or more", "pass replications=2 or more")))
    reps = (given_as, replications) if given_as else arguments.runs_arg("replications", replications)
    arguments.check_runs([("scenarios", len(scenarios)), reps])
    held.check_compare(scenarios, names, replications, what)


def compare(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    names: Sequence[str] | None = None,
    progress: Progress = False,
    workdir: str | os.PathLike[str] | None = None,
    resume: bool = False,
    scheduler: str | None = None,
    windows: Sequence[tuple[Any, Any]] = (),
) -> Comparison:
    """Run every scenario with the same seed and replications, for paired differences.

    Replications and seed default to the first scenario's; all scenarios use the same seed, which
    is what makes the comparison paired. `windows`: dated (first, last) days, both included, whose KPIs
    (sim.analysis.window, the corridor's) are compared too (`Comparison.window_differences()`); each must
    lie inside every scenario's simulated days.
    """
    scenarios = [arguments.scenario(s, f"scenarios[{i}]") for i, s in enumerate(scenarios)]
    if len(scenarios) < 2:
        raise arguments.ArgumentError("compare needs at least two scenarios")
    first = scenarios[0]
    n = arguments.replications(replications, first.replications, 2, " (a paired comparison needs two)")
    seed = arguments.seed(seed, first.seed)
    labels = unique_names(list(names) if names is not None else [s.name for s in scenarios])
    if len(labels) != len(scenarios):
        raise arguments.ArgumentError("give one name per scenario")
    check_comparison(scenarios, labels, n)  # before any task runs
    spans = window_spans(scenarios, labels, windows)
    for message in incomparable(scenarios, labels):
        warn(message)
    tasks = []
    for i, scen in enumerate(scenarios):
        warn_about(scen)
        tasks += replication_tasks(scen, range(n), seed, prefix=f"s{i:02d}-r", keep_series=False,
                                   keep_daily=DAILY_KEPT, windows=spans)
    manifest = {"kind": "compare", "scenarios": labels, "seed": seed, "replications": n,
                **({"windows": [list(w) for w in spans]} if spans else {})}
    with WorkDir.session(workdir, resume, manifest) as work:
        results, reused = run_tasks(tasks, executor, workers, work, progress, desc="compare", unit="task",
                                    scheduler=scheduler)
    frames, daily, dated = [], [], []
    for i, label in enumerate(labels):
        for task in tasks[i * n:(i + 1) * n]:
            k = results[task.key].kpis
            frames.append(pd.concat([pd.DataFrame({"scenario": [label] * len(k)}, index=k.index), k], axis=1))
            d = results[task.key].daily  # empty for a part saved by a version that kept no series
            if not d.empty:
                daily.append(d.assign(scenario=label)[["scenario", *d.columns]])
            w = getattr(results[task.key], "windows", None)
            if spans and w is not None and not w.empty:
                dated.append(w.assign(scenario=label)[["scenario", *w.columns]])
    kpis = pd.concat(frames, ignore_index=True)
    metadata = {"seed": seed, "replications": n, "tasks_reused": reused, "version": package_version(),
                "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    return Comparison(labels, [arguments.as_run(s, seed, n) for s in scenarios], seed, n, kpis, metadata,
                      pd.concat(daily, ignore_index=True) if daily else pd.DataFrame(),
                      pd.concat(dated, ignore_index=True) if dated else pd.DataFrame())


def window_spans(scenarios: Sequence[Scenario], labels: Sequence[str],
                 windows: Sequence[tuple[Any, Any]]) -> tuple[tuple[str, str], ...]:
    """The windows as (first, last) ISO days; refused (ArgumentError) when reversed, given twice or not inside
    every scenario's simulated days (the same check as a run's, sim.analysis.window.check_window)."""
    if isinstance(windows, (str, bytes)) or not isinstance(windows, Sequence):
        raise arguments.ArgumentError(f"windows must be a list of (first, last) days, e.g. [('2024-01-02', "
                                      f"'2024-01-20')], got {windows!r}")
    out: list[tuple[str, str]] = []
    for item in windows:
        try:
            lo, hi = (as_date(x) for x in item)
        except (TypeError, ValueError) as exc:
            raise arguments.ArgumentError(f"windows: {item!r}: expected (first, last), two dates such as "
                                          f"('2024-01-02', '2024-01-20'){f' ({exc})' if str(exc) else ''}") from None
        if hi < lo:
            raise arguments.ArgumentError(f"windows: {check_window(lo, hi, lo, lo)}")
        for scen, label in zip(scenarios, labels):
            problem = check_window(lo, hi, *simulated_days(scen))
            if problem:
                raise arguments.ArgumentError(f"windows: {problem} (of {label})")
        if (lo.isoformat(), hi.isoformat()) in out:
            raise arguments.ArgumentError(f"windows: {lo} to {hi} is given twice")
        out.append((lo.isoformat(), hi.isoformat()))
    return tuple(out)

