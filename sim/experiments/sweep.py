"""Parameter sweeps: a full grid of lever values, each grid point replicated.

    res = sim.sweep(scenario, vary={"unloading.grain.points": [4, 6, 8]}, replications=10)
    res.kpis        # one row per point, replication and cargo: lever columns, replication, cargo, KPIs
    res.summary()   # mean, sd and 95 % CI per point, cargo and KPI

Every grid point uses the same seed, so replication r of every point sees the same random
streams (common random numbers): differences between points are due to the levers, not to luck.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import yaml

from sim.analysis.stats import summarise
from sim.experiments import arguments, held
from sim.experiments.atomic import atomic_directory, write_scenario_yaml
from sim.experiments.results import package_version
from sim.experiments.runner import Progress, replication_tasks, run_tasks, warn_about
from sim.experiments.workdir import WorkDir
from sim.scenario.effects import scenario_warnings
from sim.scenario.errors import ScenarioError
from sim.scenario.levers import SWEEP, lever_problems
from sim.scenario.limits import MAX_GRID_POINTS
from sim.scenario.loader import parse_yaml, validate_scenario
from sim.scenario.quoting import argument_in_words
from sim.scenario.schema import Scenario
from sim.scenario.spelling import GivenValues, given_texts

if TYPE_CHECKING:
    from sim.experiments.executors import Executor

def grid(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of lever values, the last lever varying fastest."""
    check_vary(vary)
    return _combinations(vary)


def _combinations(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """The grid of a `vary` already checked (check_vary): each lever's values once, not too many points.
    The grid's size is refused before any value is listed or compared (a range(10**9) was listed first,
    and each value compared with every earlier one: a lever of 100,000 values took hours to be refused)."""
    levers = list(vary)
    counts = [len(v) if isinstance(v, (list, tuple, range)) else 1 for v in vary.values()]
    empty = next((lever for lever, count in zip(levers, counts) if not count), None)
    if empty is not None:
        raise arguments.ArgumentError(f"lever {empty!r} has no values")
    size = math.prod(counts)
    if size > MAX_GRID_POINTS:
        shown = " × ".join(f"{count:,}" for count in counts)
        raise arguments.ArgumentError(
            f"the grid of lever values has {size:,} points ({shown}); the limit is {MAX_GRID_POINTS:,} (each point's "
            f"scenario is built before the first run) — give fewer values, or sweep in parts")
    values = []
    for lever in levers:
        vals = _values(vary[lever])
        seen: set[str] = set()
        for text in map(_text, vals):  # one pass (`~` given twice was missed: the repeat found was None)
            if text in seen:  # its points ran twice on the same random numbers: a CI of twins, too narrow
                raise arguments.ArgumentError(f"lever {lever!r} has the value {text} twice; give each value once")
            seen.add(text)
        values.append(vals)
    return [dict(zip(levers, combo)) for combo in itertools.product(*values)]


def check_vary(vary: Any) -> None:
    """`vary` is a mapping of key paths to values: a list of pairs was an AttributeError from inside."""
    example = "e.g. {'unloading.grain.points': [4, 6, 8]}"
    if not isinstance(vary, Mapping):
        raise arguments.ArgumentError(f"vary must be a mapping of key paths to lists of values, {example}; "
                                      f"got {argument_in_words(vary)}")
    if not vary:
        raise arguments.ArgumentError(f"vary needs at least one lever, {example}")
    key = next((k for k in vary if not isinstance(k, str)), None)
    if key is not None:
        raise arguments.ArgumentError(f"vary's keys are key paths as text, {example}; got "
                                      f"{argument_in_words(key)}")


def _values(value: Any) -> list[Any]:
    """A lever's values: a list or tuple as given; a single value (even a string) as one value."""
    return list(value) if isinstance(value, (list, tuple, range)) else [value]


def check_levers(base: Scenario, vary: Mapping[str, Sequence[Any]], source: str = "vary") -> list[Scenario]:
    """Each grid point's scenario, after refusing levers that would silently do nothing or be pooled
    (see check_grid)."""
    return check_grid(base, vary, source=source).scenarios


@dataclass(frozen=True)
class SweepGrid:
    """A sweep's checked grid, built once: each point's lever values and scenario, and the replications
    they were checked for. `dostyk sweep` checks it before claiming its output and runs these same
    scenarios (it built every one twice, a minute for a large grid)."""

    base: Scenario
    levers: dict[str, list[Any]]        # lever -> values, in grid order
    points: list[dict[str, Any]]
    scenarios: list[Scenario]
    replications: int


def check_grid(base: Scenario, vary: Mapping[str, Sequence[Any]], replications: int | None = None,
               source: str = "vary", what: str = "sweep") -> SweepGrid:
    """The grid's points and each one's scenario, after refusing, before any runs: levers that would
    silently do nothing or be pooled, a grid whose runs exceed limits.MAX_RUNS (counted before any
    scenario is built) and one whose results held together exceed what a run may hold (sim.experiments.held).

    Refused levers: keys that are no levers (seed, replications, names: sim.scenario.levers), two levers
    naming one value (by index and by name) or one inside the other (one overwrites the other), and
    values that give the same scenario (6 and 6.0), whose results would be pooled under one label.
    """
    check_vary(vary)
    n = arguments.replications(replications, base.replications)
    data = base.to_dict()
    problems = lever_problems(data, list(vary), SWEEP, twice=(", so one lever would overwrite the other at every "
                                                             "grid point; vary each value with one lever"))
    if problems:
        raise ScenarioError(source, problems)
    points = _combinations(vary)
    arguments.check_runs([("grid points", len(points)), arguments.runs_arg("replications", n)])
    scenarios = [point_scenario(base, changes, typed) for changes, typed in zip(points, _typed(vary, len(points)))]
    seen: dict[str, dict[str, Any]] = {}
    for changes, scen in zip(points, scenarios):
        same = seen.setdefault(json.dumps(scen.to_dict(), sort_keys=True), changes)
        for lever in (k for k in changes if same is not changes and _text(changes[k]) != _text(same[k])):
            problems.append((lever, (f"{_text(same[lever])} and {_text(changes[lever])} give the same scenario, so "
                                    "their results would be pooled under one label; give each value once")))
    if problems:
        raise ScenarioError(source, list(dict.fromkeys(problems)))
    held.check_sweep(base, scenarios, n, what)  # every task's results are held together: before any runs
    return SweepGrid(base, {k: _values(v) for k, v in vary.items()}, points, scenarios, n)


def _text(value: Any) -> str:
    return json.dumps(value, default=str)


def _typed(vary: Mapping[str, Sequence[Any]], count: int) -> list[dict[str, str]]:
    """Each grid point's values as typed (`--vary name=on,0x1F`: parse_vary keeps the text), in the grid's order;
    nothing for values given in Python."""
    texts = given_texts(vary)
    if set(texts) != set(vary):
        return [{} for _ in range(count)]
    tokens = [[token.strip() for token in _split_top_level(texts[lever])] for lever in vary]
    typed = [dict(zip(vary, combo)) for combo in itertools.product(*tokens)]
    return typed if len(typed) == count else [{} for _ in range(count)]


def point_scenario(base: Scenario, changes: dict[str, Any], typed: Mapping[str, str] | None = None) -> Scenario:
    """The base scenario with one grid point's lever values; a bad value names its lever, said as it was typed
    when `typed` has it (`hours=on`, not `hours=True`, and a hint to write hours: "on")."""
    typed = typed or {}
    label = ", ".join(f"{k}={typed.get(k, v)}" for k, v in changes.items())
    return validate_scenario(base.to_dict(), f"{base.name} with {label}", GivenValues(changes, typed))


@dataclass
class SweepResult:
    """KPIs of every grid point and replication, with the levers that made them."""

    scenario: Scenario                  # the base scenario
    levers: dict[str, list[Any]]        # lever -> values, in grid order
    seed: int
    replications: int
    kpis: pd.DataFrame
    events: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # not every field in full (the dataclass's repr): what ran and where to look
        grid_text = "; ".join(f"{k} = {', '.join(map(str, v))}" for k, v in self.levers.items())
        return (f"<SweepResult {self.scenario.name}: {grid_text}; {self.replications:,} replications each "
                f"(seed {self.seed}) — .summary(), .kpis, .points(), .write(directory)>")

    @property
    def lever_names(self) -> list[str]:
        return list(self.levers)

    def points(self) -> pd.DataFrame:
        """The grid: one row per point with its lever values as kpis and summary() hold them (a list or mapping
        as its YAML text: a mapping itself matched no row of the summary, and the table of a sweep over
        `routing.grain.shares={…},{…}` ended in an internal error)."""
        return pd.DataFrame([{k: _cell(v) for k, v in point.items()} for point in grid(self.levers)])

    def summary(self) -> pd.DataFrame:
        """Mean, sd and 95 % CI of every KPI per grid point and cargo (long format)."""
        return summarise(self.kpis.drop(columns=["replication"]), by=[*self.levers, "cargo"])

    # -- files ---------------------------------------------------------------------------------
    def write(self, out: str | os.PathLike[str], force: bool = False,
              extra: Callable[[Path], None] | None = None) -> Path:
        """Write the sweep directory atomically: kpis.csv, summary.csv, sweep.json, scenario.yaml, events.csv.

        `extra(directory)` adds more files before the directory is moved into place (the CLI's
        plots; see sim.reporting.sweep_plots.write_sweep_plots).
        """
        with atomic_directory(out, force) as tmp:
            write_scenario_yaml(tmp / "scenario.yaml", self.scenario)
            meta = {**self.metadata, "levers": self.levers}
            (tmp / "sweep.json").write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
            self.kpis.to_csv(tmp / "kpis.csv", index=False)
            self.summary().to_csv(tmp / "summary.csv", index=False)
            self.events.to_csv(tmp / "events.csv", index=False)
            if extra is not None:
                extra(tmp)
        return Path(out)


def sweep(
    scenario: Scenario,
    vary: Mapping[str, Sequence[Any]] | SweepGrid,
    replications: int | None = None,
    seed: int | None = None,
    executor: str | Executor = "process",
    workers: int | None = None,
    progress: Progress = False,
    workdir: str | os.PathLike[str] | None = None,
    resume: bool = False,
    scheduler: str | None = None,
) -> SweepResult:
    """Run every grid point of `vary` for `replications` replications (common random numbers).

    With `workdir`, each finished task is stored there as it completes; after an interruption the
    same call with `resume=True` computes only the missing tasks. `vary` may be the grid check_grid
    built for this scenario and these replications (its scenarios are then not built again).
    """
    scenario = arguments.scenario(scenario)
    n = arguments.replications(replications, scenario.replications)
    seed = arguments.seed(seed, scenario.seed)
    grid = vary if isinstance(vary, SweepGrid) else check_grid(scenario, vary, n)
    if grid.replications != n or grid.base.to_dict() != scenario.to_dict():
        raise arguments.ArgumentError("vary is a grid checked for another scenario or number of replications; "
                                      "check it again with check_grid(scenario, vary, replications)")
    points, scenarios = grid.points, grid.scenarios
    levers = grid.levers
    tasks = []
    warn_about(scenario)
    said = scenario_warnings(scenario)  # said once for the base, then only what a point adds
    for p, (changes, scen) in enumerate(zip(points, scenarios)):
        warn_about(scen, " with " + ", ".join(f"{k}={v}" for k, v in changes.items()), said)
        tasks += replication_tasks(scen, range(n), seed, prefix=f"p{p:04d}-r", changes=changes, keep_series=False)
    manifest = {"kind": "sweep", "scenario": scenario.name, "seed": seed, "replications": n, "levers": levers,
                "tasks": len(tasks)}
    with WorkDir.session(workdir, resume, manifest) as work:
        results, reused = run_tasks(tasks, executor, workers, work, progress,
                                    desc=f"sweep {scenario.name}", unit="task", scheduler=scheduler)
    kpi_frames, event_frames = [], []
    for p, changes in enumerate(points):  # grid order, then replication order: a deterministic table
        for task in tasks[p * n:(p + 1) * n]:
            res = results[task.key]
            kpi_frames.append(_with_levers(res.kpis, changes))
            if not res.events.empty:
                event_frames.append(_with_levers(res.events, changes))
    kpis = pd.concat(kpi_frames, ignore_index=True)
    events = pd.concat(event_frames, ignore_index=True) if event_frames else pd.DataFrame()
    metadata = {
        "scenario": scenario.name, "seed": seed, "replications": n, "points": len(points),
        "tasks": len(tasks), "tasks_reused": reused, "version": package_version(),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    return SweepResult(arguments.as_run(scenario, seed, n), levers, seed, n, kpis, events, metadata)


def _with_levers(frame: pd.DataFrame, changes: dict[str, Any]) -> pd.DataFrame:
    lever_cols = pd.DataFrame({k: [_cell(v)] * len(frame) for k, v in changes.items()}, index=frame.index)
    return pd.concat([lever_cols, frame], axis=1)


def _cell(value: Any) -> Any:
    """Lever values go in table cells: scalars as they are, anything else as compact YAML text."""
    if isinstance(value, (int, float, str, bool)) or value is None:
        return value
    return yaml.safe_dump(value, default_flow_style=True).strip()


def parse_vary(items: Sequence[str]) -> GivenValues:
    """`--vary key.path=v1,v2,…` options as {lever: [values]}; values are YAML scalars or [lists], each lever's
    text kept (`texts`) for refusals to say a value as it was typed.

    Commas inside brackets do not split, so `--vary x=[1,2],[3,4]` gives two list values.
    """
    out = GivenValues()
    for item in items:
        if "=" not in item:
            raise ScenarioError("--vary", [("", f"expected key.path=v1,v2,…, got {item!r}")])
        key, raw = (part.strip() for part in item.split("=", 1))
        if not key or not raw:
            raise ScenarioError("--vary", [(key, f"expected key.path=v1,v2,…, got {item!r}")])
        if key in out:
            raise ScenarioError("--vary", [(key, "this lever is given twice; list all its values once")])
        tokens = _split_top_level(raw)
        for token in tokens:
            _refuse_range(key, token)
        values = [parse_yaml(tok, f"--vary {key}", at=key) for tok in tokens]
        if len({json.dumps(v, sort_keys=True, default=str) for v in values}) != len(values):
            raise ScenarioError("--vary", [(key, f"repeated value in {raw!r}")])
        out[key] = values
        out.texts[key] = raw
    return out


_RANGE = re.compile(r"^(-?\d+)\s*\.\.\s*(-?\d+)$")


def _refuse_range(key: str, token: str) -> None:
    """`4..8` reads as a range, which --vary does not take (it was 'unable to parse string as an integer')."""
    found = _RANGE.match(token)
    if found:
        low, high = int(found[1]), int(found[2])
        listed = ",".join(map(str, range(low, high + 1))) if 0 < high - low < 30 else f"{low},…,{high}"
        said = f"{token!r} is a range; --vary takes each value, listed: {key}={listed}"
        raise ScenarioError("--vary", [(key, said)])


def vary_as_typed(levers: GivenValues) -> tuple[str, ...]:
    """Each `--vary` of parse_vary as `key=v1,v2`, in the order given, without the spaces around a key or a value
    (`--vary "x = 4, 6"` is `x=4,6`): what a default folder's name shows of it (sim.cli.folders)."""
    texts = given_texts(levers)
    return tuple(f"{key}={','.join(token.strip() for token in _split_top_level(texts[key]))}" if key in texts
                 else key for key in levers)


def _split_top_level(text: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    if any(p == "" for p in parts):
        raise ScenarioError("--vary", [("", f"empty value in {text!r}")])
    return parts
