"""Results of a run: DataFrames for notebooks, and the results directory on disk.

A results directory is written into a temporary sibling and renamed into place in one step, so a
reader never sees a half-written one; an existing directory is only replaced with `force`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.analysis.choices import choose, choose_cargo, choose_kpi
from sim.analysis.monthly import monthly
from sim.analysis.stats import summarise
from sim.errors import SimError
from sim.experiments import arguments
from sim.experiments.arguments import as_run
from sim.experiments.atomic import ResultsExistError, atomic_directory, write_scenario_yaml
from sim.experiments.manifest import FILES, KIND_MARKER, damage, is_results_dir
from sim.experiments.workdir import unfinished_work
from sim.scenario.durations import format_hours
from sim.scenario.errors import ScenarioError, problem_lines
from sim.scenario.limits import rows_already_written
from sim.scenario.schema import Scenario

__all__ = ["RESULT_FILES", "DamagedResultsError", "RefusedScenarioError", "Results", "ResultsExistError",
           "package_version"]

RESULT_FILES = ("scenario.yaml", "metadata.json", "kpis.csv", "summary.csv", "daily.csv", "events.csv")


def package_version() -> str:
    try:
        from importlib.metadata import version

        return version("dostyk-sim")
    except Exception:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def stack(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The replications' tables one under the other. A replication with no rows (no wagon unloaded,
    no event) is left out: pandas gives its empty columns a say in the result's dtypes, and an empty
    untyped column turns a float column of the others into `object`, on which quantiles fail."""
    rows = [f for f in frames if not f.empty]
    if not rows:
        return frames[0].copy() if frames else pd.DataFrame()
    return pd.concat(rows, ignore_index=True)


@dataclass
class Results:
    """KPIs per replication and cargo, daily series and events, with the scenario that made them."""

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    daily: pd.DataFrame
    events: pd.DataFrame
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    dwell: pd.DataFrame = field(default_factory=pd.DataFrame)  # replication, cargo, quantile, dwell_h

    @classmethod
    def from_replications(cls, scenario: Scenario, seed: int, reps: list[Any]) -> Results:
        kpis = stack([r.kpis for r in reps])
        daily = stack([r.daily for r in reps])
        events = stack([r.events for r in reps])
        dwell = stack([r.dwell for r in reps])
        metadata = {
            "scenario": scenario.name,
            "seed": seed,
            "replications": len(reps),
            "version": package_version(),
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
        }
        return cls(as_run(scenario, seed, len(reps)), seed, kpis, daily, events, [r.diagnostics for r in reps],
                   metadata, dwell)

    def __repr__(self) -> str:
        """What a notebook shows for `results`: what ran and where to look (the dataclass's own repr was
        every field in full, some 12,000 characters of scenario and tables)."""
        s = self.scenario
        return (f"<Results {s.name}: {self.replications:,} replications (seed {self.seed}) of "
                f"{format_hours(s.duration)} from {s.start}; cargo {', '.join(s.cargo)}; "
                f"crossing {', '.join(self.crossings)} — .summary(), .kpi(name, cargo), .kpis, .daily, .events, "
                ".write(directory)>")

    @property
    def replications(self) -> int:
        return int(self.kpis["replication"].nunique())

    @property
    def crossings(self) -> list[str]:
        """The crossings' names, in the scenario's order."""
        return self.scenario.crossing_names

    @property
    def corridor(self) -> str:
        """The `crossing` value of the whole corridor's rows: `all` with several crossings, else the
        only crossing's name."""
        names = self.crossings
        return names[0] if len(names) == 1 else "all"

    @property
    def monthly(self) -> pd.DataFrame:
        """Wagons and tonnes unloaded per replication, crossing, cargo and calendar month (monthly.csv;
        see sim.analysis.monthly), derived from the daily series."""
        return monthly(self.daily)

    def summary(self) -> pd.DataFrame:
        """Mean, sd and 95 % CI of every KPI per cargo and crossing (long format)."""
        return summarise(self.kpis.drop(columns=["replication"]), by=["cargo"])

    def kpi(self, name: str, cargo: str = "all", crossing: str | None = None) -> pd.Series:
        """One KPI's values across replications for one cargo at one crossing (default: the corridor).

        A name the results do not hold (`Grain` for `grain`, a misspelt KPI) is a ChoiceError naming
        what exists, never an empty Series.
        """
        k = self.kpis
        name = choose_kpi(k, name)
        mask = k["cargo"] == choose_cargo(k, cargo)
        if "crossing" in k:
            where = self.corridor if crossing is None else crossing
            mask &= k["crossing"] == choose("crossing", where, k["crossing"].dropna().unique())
        return k[mask].set_index("replication")[name]

    # -- files ---------------------------------------------------------------------------------
    def write(self, out: str | os.PathLike[str], force: bool = False, extra: Any = None) -> Path:
        """Write the results directory atomically; `extra(tmpdir)` may add files (plots, report)."""
        with atomic_directory(out, force) as tmp:
            write_scenario_yaml(tmp / "scenario.yaml", self.scenario)
            (tmp / "metadata.json").write_text(json.dumps(self.metadata, indent=2) + "\n", encoding="utf-8")
            self.kpis.to_csv(tmp / "kpis.csv", index=False)
            self.summary().to_csv(tmp / "summary.csv", index=False)
            self.daily.to_csv(tmp / "daily.csv", index=False)
            self.events.to_csv(tmp / "events.csv", index=False)
            self.dwell.to_csv(tmp / "dwell.csv", index=False)
            self.monthly.to_csv(tmp / "monthly.csv", index=False)
            if extra is not None:
                extra(tmp)
        return Path(out)

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> Results:
        """Load a results directory written by `write`, refusing one whose files disagree.

        A truncated or edited kpis.csv used to report "1 replication" where metadata.json said 2;
        every file is now checked against metadata.json and the scenario (DamagedResultsError).
        """
        arguments.path("directory", directory, "a results directory (what sim.run(…).write or `dostyk run` wrote)")
        d = Path(directory)
        unfinished = unfinished_work(d)  # OUT.work, or OUT after Ctrl-C: say how to finish it
        if unfinished is not None:
            raise DamagedResultsError(unfinished)
        if not d.is_dir():
            raise DamagedResultsError(f"{d}: no such results directory")
        missing = [f for f in RESULT_FILES if not (d / f).is_file()]
        other = written_by(d)
        if missing and other is not None:
            raise DamagedResultsError(
                f"{d} holds what `dostyk {other}` wrote, not the results of `dostyk run`, "
                f"which this command reads (to rebuild its files, run `dostyk {other}` again with --force)")
        found = [p for p in sorted(d.iterdir()) if p.is_dir() and is_results_dir(p)] if missing else []
        inside = [str(p) for p in found if written_by(p) is None]  # `dostyk run`'s, which this reads
        if found:  # `dostyk report results`: the folder that holds them
            if not inside:
                raise DamagedResultsError(f"{d} is a folder of results directories, none of them of `dostyk run`, "
                                          f"which this reads; give a results directory of `dostyk run`")
            shown = ", ".join(inside[:3]) + (f" and {len(inside) - 3} more" if len(inside) > 3 else "")
            raise DamagedResultsError(f"{d} is a folder of results directories ({shown}), not one; give one of them")
        if missing:
            raise DamagedResultsError(f"{d} is not a complete results directory (missing: {', '.join(missing)})")
        metadata = _read(d, "metadata.json", json.loads)
        check_checksums(d, metadata)
        scenario = _scenario(d, metadata)
        kpis = _csv(d, "kpis.csv")
        daily = _csv(d, "daily.csv", parse_dates=["date"])
        events = _csv(d, "events.csv", parse_dates=["start", "end"])
        # dwell.csv is optional: directories written before it existed still load (no ECDF then)
        dwell = _csv(d, "dwell.csv") if (d / "dwell.csv").is_file() else pd.DataFrame()
        name = scenario.crossing_names[0]
        for frame in (kpis, daily, events, dwell):  # written before crossings existed: one crossing
            if len(frame.columns) and "crossing" not in frame.columns:
                frame.insert(frame.columns.get_loc("cargo") + 1 if "cargo" in frame.columns else len(frame.columns),
                             "crossing", name)
        check_consistent(d, scenario, metadata, kpis, daily, events, dwell)
        return cls(scenario, int(metadata.get("seed", scenario.seed)), kpis, daily, events, [], metadata, dwell)


class DamagedResultsError(SimError):
    """A results directory whose files are missing, unreadable or disagree with its metadata."""


class RefusedScenarioError(DamagedResultsError):
    """A results directory whose scenario.yaml is whole but refused by this version's rules: written by
    an older version that accepted it (or edited since). Not damage, and not read with another meaning."""


def written_by(directory: str | os.PathLike[str]) -> str | None:
    """The command that wrote `directory` when it holds another command's output, not `dostyk run`'s."""
    d = Path(directory)
    other = next((k for k, m in KIND_MARKER.items() if k != "run" and (d / m).is_file()), None)
    if other is None or (d / KIND_MARKER["run"]).is_file():
        return None
    return "experiment" if other == "compare" and (d / "experiment.yaml").is_file() else other


def _scenario(d: Path, metadata: Any) -> Scenario:
    """The scenario the results were made with. Refused by today's rules, it is said as such, with
    each key and why, instead of as an unreadable file: an older version accepted what this one may not."""
    data = _read(d, "scenario.yaml", yaml.safe_load)  # written by yaml.safe_dump: read back as dumped
    try:
        with rows_already_written():  # its rows were allowed when written, under a higher limit
            return Scenario.model_validate(data)
    except ScenarioError as exc:
        if not isinstance(data, dict):
            raise DamagedResultsError(f"{d}: damaged results: scenario.yaml cannot be read (not a scenario)") from None
        problems = "\n".join(problem_lines("scenario.yaml", exc.problems))
        info = metadata if isinstance(metadata, dict) else {}
        files = info.get(FILES)
        written = f"dostyk {info.get('version', '(version not recorded)')} wrote it on {info.get('created', '(date not recorded)')}"
        if isinstance(files, dict) and "scenario.yaml" in files:  # check_checksums found it as written
            origin = f"{written}, as it is now: that version accepted what this one refuses"
        else:
            origin = f"{written} (before checksums were recorded) with rules that accepted it, or it was edited since"
        raise RefusedScenarioError(
            f"{d}/scenario.yaml: this version of dostyk refuses the scenario these results were made with:\n"
            f"{problems}\n{origin}. Nothing was changed in {d}. To report them with this version, correct "
            f"the key(s) above in a copy of the scenario and run it again (dostyk run COPY.yaml --seed "
            f"{info.get('seed', 'SEED')} --replications {info.get('replications', 'N')} --out {d} --force); "
            f"its CSV files stay readable as they are") from None


def _read(d: Path, name: str, parse: Callable[[str], Any]) -> Any:
    try:
        return parse((d / name).read_text(encoding="utf-8"))
    except (ValueError, yaml.YAMLError) as exc:  # JSON, UTF-8 and pydantic's errors are ValueErrors
        raise DamagedResultsError(f"{d}: damaged results: {name} cannot be read ({type(exc).__name__})") from None


def _csv(d: Path, name: str, **kwargs: Any) -> pd.DataFrame:
    """A CSV as written: only empty fields are missing values (a cargo may be called `NA` or `null`)."""
    try:
        return pd.read_csv(d / name, keep_default_na=False, na_values=[""], **kwargs)
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:  # EmptyDataError is a ValueError
        raise DamagedResultsError(f"{d}: damaged results: {name} cannot be read ({exc})") from None


#: KPIs every replication has, for every cargo (a NaN there means a cut-off row).
ALWAYS = ("tonnes_delivered", "wagons_delivered", "trains_delivered", "wagon_idle_days")


def check_consistent(d: Path, scenario: Scenario, metadata: Any, kpis: pd.DataFrame, daily: pd.DataFrame,
                     events: pd.DataFrame, dwell: pd.DataFrame) -> None:
    """Every file holds every replication metadata.json counts, each cargo once per replication and day."""
    problems = []
    n = metadata.get("replications") if isinstance(metadata, dict) else None
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise DamagedResultsError(f"{d}: damaged results: metadata.json does not give the number of replications")
    reps = set(range(n))
    cargos = {*scenario.cargo, "all"}
    for name, frame, columns in (("kpis.csv", kpis, ("replication", "cargo", *ALWAYS)),
                                 ("daily.csv", daily, ("replication", "day", "cargo", "backlog_end"))):
        absent = [c for c in columns if c not in frame.columns]
        if absent:
            problems.append(f"{name} has no column {', '.join(absent)}")
            continue
        if frame[list(columns)].isna().any().any():
            problems.append(f"{name} has incomplete rows (cut off?)")
        found = set(frame["replication"].dropna())
        if found != reps:
            problems.append(f"{name} holds {len(found & reps)} of the {n} replications metadata.json counts"
                            + (f" (and unknown ones: {sorted(found - reps)[:5]})" if found - reps else ""))
        if set(frame["cargo"].dropna()) != cargos:
            problems.append(f"{name} has cargo {sorted(map(str, set(frame['cargo'].dropna())))}, expected "
                            f"{sorted(cargos)}")
    days = max(1, math.ceil(scenario.duration / 24 - 1e-9))
    crossings = len(scenario.crossing_names)
    rows = len(cargos) * (crossings + 1 if crossings > 1 else 1)  # each crossing's rows, and the corridor's
    if not problems and (len(kpis) != n * rows or len(daily) != n * rows * days):
        problems.append(f"kpis.csv has {len(kpis)} rows and daily.csv {len(daily)}; {n} replications of "
                        f"{rows} cargo rows (and {days} days) need {n * rows} and {n * rows * days}")
    for name, frame in (("events.csv", events), ("dwell.csv", dwell)):
        if "replication" in frame.columns and not set(frame["replication"].dropna()) <= reps:
            problems.append(f"{name} holds replications metadata.json does not count")
    if not dwell.empty and (not {"replication", "cargo", "quantile", "dwell_h"} <= set(dwell.columns)
                            or dwell[["replication", "cargo", "quantile", "dwell_h"]].isna().any().any()):
        problems.append("dwell.csv has incomplete rows (cut off?)")
    if problems:
        raise DamagedResultsError(f"{d}: damaged results, refusing to report them: " + "; ".join(problems)
                                  + ". " + rebuild_hint(d, metadata))


def check_checksums(d: Path, metadata: Any) -> None:
    """Refuse data files that differ from what metadata.json's manifest records: a file cut in the middle
    of a row, or another valid CSV in its place, is never read as data. (A directory older than the
    manifest has none: the consistency checks alone protect it.)"""
    files = metadata.get(FILES) if isinstance(metadata, dict) else None
    if files is None:
        return
    if not isinstance(files, dict):
        raise DamagedResultsError(f"{d}: damaged results: metadata.json's list of files ({FILES}) cannot be read. "
                                  + rebuild_hint(d, metadata))
    data = [name for name in files if name.endswith((".csv", ".yaml"))]  # the report and workbook are rebuilt, not read
    problems = damage(d, files, data)
    if problems:
        raise DamagedResultsError(f"{d}: damaged results, refusing to read them: " + "; ".join(problems) + ". "
                                  + rebuild_hint(d, metadata, scenario_ok=not any(
                                      p.startswith("scenario.yaml ") for p in problems)))


def rebuild_hint(d: Path, metadata: Any, scenario_ok: bool = True) -> str:
    """How to rebuild a damaged results directory: the same scenario, seed and replications, again."""
    info = metadata if isinstance(metadata, dict) else {}
    source = str(d / "scenario.yaml") if scenario_ok else "SCENARIO.yaml"
    command = (f"dostyk run {source} --seed {info.get('seed', 'SEED')} --replications "
               f"{info.get('replications', 'N')} --out {d} --force")
    if scenario_ok:
        return f"Run the scenario again to rebuild them: {command}"
    return (f"Run the scenario that made them again to rebuild them (scenario.yaml here is damaged too): {command}")
