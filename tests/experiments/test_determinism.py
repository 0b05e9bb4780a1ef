"""Same scenario and seed give the same results, on any executor; another seed gives others.

DESIGN.md promises reproducibility across executors: replication r draws from streams keyed by
(seed, r, element), never from shared state, so running replications in worker processes and in
any order must not change one byte of the results files.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.experiments.replication import run_replication
from tests.cli.helpers import dostyk_here
from tests.conftest import SCENARIOS

SCENARIO = SCENARIOS / "baseline_2023.yaml"
# 40 days reach the Spring Festival window; wind closures and breakdowns are random all along
SHORT = ["--set", "duration=40d", "-n", "3"]
DATA_FILES = ("kpis.csv", "summary.csv", "daily.csv", "events.csv")


def dostyk() -> str:
    """The CLI installed next to the running interpreter (the project's venv), else on PATH."""
    beside = Path(sys.executable).with_name("dostyk")
    if beside.exists():
        return str(beside)
    found = shutil.which("dostyk")
    if found is None:
        pytest.fail("the dostyk command is not installed")
    return found


def run_cli(out: Path, *args: str) -> Path:
    done = subprocess.run(
        [dostyk(), "run", str(SCENARIO), *SHORT, "--out", str(out), "-q", *args],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def serial_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The serial run through the command's entry point in this process; the process executor's below is a
    real `dostyk` with its worker processes."""
    out = tmp_path_factory.mktemp("serial") / "out"
    done = dostyk_here("run", str(SCENARIO), *SHORT, "--out", str(out), "-q", "--executor", "serial")
    assert done.returncode == 0, done.stderr
    return out


def test_serial_and_process_executors_write_identical_files(serial_dir: Path, tmp_path: Path) -> None:
    process_dir = run_cli(tmp_path / "out", "--executor", "process", "--workers", "2")
    for name in DATA_FILES:
        assert (serial_dir / name).read_bytes() == (process_dir / name).read_bytes(), f"{name} differs"
    kpis = pd.read_csv(serial_dir / "kpis.csv")
    assert sorted(kpis["replication"].unique()) == [0, 1, 2]


def test_another_seed_gives_other_results(serial_dir: Path) -> None:
    scenario = sim.load_scenario(SCENARIO).with_changes({"duration": "40d"})
    a = pd.read_csv(serial_dir / "kpis.csv")
    same = sim.run(scenario, replications=3, executor="serial").kpis  # the scenario's own seed
    b = sim.run(scenario, replications=3, seed=scenario.seed + 1, executor="serial").kpis
    pd.testing.assert_series_equal(a["wagons_delivered"], same["wagons_delivered"], check_dtype=False)
    assert a.shape == b.shape
    for kpi in ("wagons_delivered", "backlog_wagons_mean", "dwell_h_mean", "unload_wait_h_mean"):
        assert not a[kpi].equals(b[kpi]), f"{kpi} did not change with the seed"
    # replications of one run differ from each other too
    grain = a[a["cargo"] == "grain"]
    assert grain["dwell_h_mean"].nunique() == len(grain)


def test_a_replication_does_not_depend_on_its_neighbours() -> None:
    # Replication 2 alone, in this process, equals replication 2 of a run of three (any order).
    scenario = sim.load_scenario(SCENARIO).with_changes({"duration": "30d"})
    whole = sim.run(scenario, replications=3, seed=3, executor="serial")
    alone = run_replication(scenario, 2, seed=3)
    mine = whole.kpis[whole.kpis["replication"] == 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, alone.kpis.reset_index(drop=True))
    again = sim.run(scenario, replications=3, seed=3, executor="serial")
    pd.testing.assert_frame_equal(whole.kpis, again.kpis)
    pd.testing.assert_frame_equal(whole.daily, again.daily)
