"""Results and their files with crossings: old directories (before `crossing`) still read."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

import sim
from sim.experiments.results import Results
from tests.conftest import SCENARIOS


def test_a_results_directory_without_crossing_columns_reads_as_one_crossing(tmp_path: Path) -> None:
    s = sim.load_scenario(SCENARIOS / "baseline_2023.yaml").with_changes({"duration": "10d"})
    results = sim.run(s, replications=2, executor="serial")
    out = results.write(tmp_path / "r")
    for name in ("kpis", "daily", "events", "dwell"):  # as written before crossings existed
        frame = pd.read_csv(out / f"{name}.csv")
        frame.drop(columns=["crossing"]).to_csv(out / f"{name}.csv", index=False)
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    del meta["files"]  # ... and so before files had checksums
    (out / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    again = Results.read(out)
    assert set(again.kpis["crossing"]) == {"dostyk"}
    assert list(again.kpis.columns[:3]) == ["replication", "cargo", "crossing"]
    pd.testing.assert_series_equal(again.kpi("tonnes_delivered"), results.kpi("tonnes_delivered"))
    assert again.summary()["crossing"].unique().tolist() == ["dostyk"]
