"""Capture the golden outputs that tests/validation/test_goldens.py compares against.

Run once at the commit whose outputs are the reference (here: before issue 10), from the repo root.
The scenarios are frozen copies (goldens/scenarios/, issue 16) so that the shipped ones may change:
    .venv/bin/python -m tests.validation.goldens.capture
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from sim.experiments.replication import run_replication
from sim.model.crossing import CrossingModel
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
#: (scenario file, horizon) whose old columns must stay byte-identical
CASES = {
    "baseline_2023": ("tests/validation/goldens/scenarios/baseline_2023.yaml", "60d"),
    # through the hold and its halts
    "jan2024_admin_hold": ("tests/validation/goldens/scenarios/jan2024_admin_hold.yaml", "130d"),
}
REPLICATIONS = (0, 1)
FRAMES = ("kpis", "daily", "events", "dwell")
#: scenarios whose SimPy event count (replication 0, full horizon) must not change
FROZEN = "tests/validation/goldens/scenarios"
EVENT_CASES = [f"{FROZEN}/baseline_2023.yaml", f"{FROZEN}/jan2024_admin_hold.yaml",
               f"{FROZEN}/whatif_fast_paperwork.yaml", f"{FROZEN}/whatif_more_unloading_points.yaml",
               "benchmarks/scenarios/crossing_300k.yaml"]


def frames(case: str) -> dict[str, pd.DataFrame]:
    path, horizon = CASES[case]
    scenario = load_scenario(ROOT / path).with_changes({"duration": horizon})
    reps = [run_replication(scenario, r) for r in REPLICATIONS]
    return {name: pd.concat([getattr(r, name) for r in reps], ignore_index=True) for name in FRAMES}


def event_counts() -> dict[str, int]:
    return {p: CrossingModel(load_scenario(ROOT / p), 0).run().diagnostics["simpy_events"] for p in EVENT_CASES}


def main() -> None:
    for case in CASES:
        for name, frame in frames(case).items():
            frame.to_csv(HERE / f"{case}.{name}.csv", index=False)
    (HERE / "simpy_events.json").write_text(json.dumps(event_counts(), indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
