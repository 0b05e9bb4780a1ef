"""Results of a run: DataFrames for notebooks, and the results directory on disk.

A results directory is written into a temporary sibling and renamed into place in one step, so a
reader never sees a half-written one; an existing directory is only replaced with `force`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.analysis.stats import summarise
from sim.experiments.atomic import ResultsExistError, atomic_directory, write_scenario_yaml
from sim.scenario.schema import Scenario

__all__ = ["RESULT_FILES", "Results", "ResultsExistError", "package_version"]

RESULT_FILES = ("scenario.yaml", "metadata.json", "kpis.csv", "summary.csv", "daily.csv", "events.csv")


def package_version() -> str:
    try:
        from importlib.metadata import version

        return version("dostyk-sim")
    except Exception:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


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
        kpis = pd.concat([r.kpis for r in reps], ignore_index=True)
        daily = pd.concat([r.daily for r in reps], ignore_index=True)
        events = pd.concat([r.events for r in reps], ignore_index=True)
        dwell = pd.concat([r.dwell for r in reps], ignore_index=True)
        metadata = {
            "scenario": scenario.name,
            "seed": seed,
            "replications": len(reps),
            "version": package_version(),
            "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(),
        }
        return cls(scenario, seed, kpis, daily, events, [r.diagnostics for r in reps], metadata, dwell)

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

    def summary(self) -> pd.DataFrame:
        """Mean, sd and 95 % CI of every KPI per cargo and crossing (long format)."""
        return summarise(self.kpis.drop(columns=["replication"]), by=["cargo"])

    def kpi(self, name: str, cargo: str = "all", crossing: str | None = None) -> pd.Series:
        """One KPI's values across replications for one cargo at one crossing (default: the corridor)."""
        k = self.kpis
        rows = k[(k["cargo"] == cargo) & (k["crossing"] == (crossing or self.corridor))] if "crossing" in k else \
            k[k["cargo"] == cargo]
        return rows.set_index("replication")[name]

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
            if extra is not None:
                extra(tmp)
        return Path(out)

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> Results:
        """Load a results directory written by `write`."""
        d = Path(directory)
        missing = [f for f in RESULT_FILES if not (d / f).is_file()]
        if missing:
            raise FileNotFoundError(f"{d} is not a complete results directory (missing: {', '.join(missing)})")
        scenario = Scenario.model_validate(yaml.safe_load((d / "scenario.yaml").read_text(encoding="utf-8")))
        metadata = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
        daily = pd.read_csv(d / "daily.csv", parse_dates=["date"])
        events = pd.read_csv(d / "events.csv", parse_dates=["start", "end"])
        # dwell.csv is optional: directories written before it existed still load (no ECDF then)
        dwell = pd.read_csv(d / "dwell.csv") if (d / "dwell.csv").is_file() else pd.DataFrame()
        kpis = pd.read_csv(d / "kpis.csv")
        name = scenario.crossing_names[0]
        for frame in (kpis, daily, events, dwell):  # written before crossings existed: one crossing
            if len(frame.columns) and "crossing" not in frame.columns:
                frame.insert(frame.columns.get_loc("cargo") + 1 if "cargo" in frame.columns else len(frame.columns),
                             "crossing", name)
        return cls(scenario, int(metadata.get("seed", scenario.seed)), kpis, daily, events, [], metadata, dwell)
