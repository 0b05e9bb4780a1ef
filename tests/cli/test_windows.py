"""`dostyk run --window/--at` and `dostyk kpis`: KPIs over dated windows and at a date, without pandas.

The printed means are checked against the daily series they come from (daily.csv), and `dostyk kpis`
on the results directory must print exactly what `run` printed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import dostyk_here, said
from tests.conftest import SCENARIOS

EXE = Path(sys.executable).with_name("dostyk")
CMD = [str(EXE)] if EXE.exists() else [sys.executable, "-m", "sim.cli"]
WINDOW = ("2024-01-02", "2024-01-20")
AT = "2024-01-31"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("windows")
    proc = subprocess.run([*CMD, "run", str(SCENARIOS / "jan2024_admin_hold.yaml"), "--set", "duration=130d",
                           "-n", "3", "--executor", "serial", "--no-report", "--out", "r",
                           "--window", f"{WINDOW[0]}:{WINDOW[1]}", "--at", AT],
                          cwd=tmp, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return tmp / "r", proc.stdout


def _section(text: str, head: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(head))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_run_prints_window_and_date_tables_with_units(run: tuple[Path, str]) -> None:
    _, out = run
    window = _section(out, f"Window {WINDOW[0]} to {WINDOW[1]} (both included, 19 days)")
    assert "over 3 replications" in window[0]
    rows = {line.split()[0]: line.split() for line in window[3:] if line.split()}
    assert rows["tonnes_delivered"][1] == "t" and rows["backlog_wagons_max"][1] == "wagons"
    at = _section(out, f"At the end of {AT}")
    assert any(line.startswith("backlog_wagons_end  wagons") for line in at)
    assert "e+" not in out


def test_windows_csv_holds_what_the_daily_series_gives(run: tuple[Path, str]) -> None:
    directory, _ = run
    daily = pd.read_csv(directory / "daily.csv")
    w = pd.read_csv(directory / "windows.csv")
    days = daily[(daily["date"] >= WINDOW[0]) & (daily["date"] <= WINDOW[1])]
    for (rep, cargo), group in days.groupby(["replication", "cargo"]):
        row = w[(w["from"] == WINDOW[0]) & (w["replication"] == rep) & (w["cargo"] == cargo)].iloc[0]
        assert row["tonnes_delivered"] == pytest.approx(group["tonnes_delivered"].sum())
        assert row["backlog_wagons_max"] == pytest.approx(group["backlog_max"].max())
        assert row["backlog_wagons_mean"] == pytest.approx(group["backlog_mean"].mean())
        assert row["stop_loading_days"] == pytest.approx(group["stop_loading_h"].sum() / 24)
    end = daily[daily["date"] == AT].set_index(["replication", "cargo"])["backlog_end"]
    at = w[w["from"] == AT].set_index(["replication", "cargo"])["backlog_wagons_end"]
    pd.testing.assert_series_equal(at.sort_index(), end.sort_index(), check_names=False)


def test_kpis_reads_a_results_directory_and_prints_what_run_printed(run: tuple[Path, str], tmp_path: Path) -> None:
    directory, printed = run
    proc = subprocess.run([*CMD, "kpis", str(directory), "--window", f"{WINDOW[0]}..{WINDOW[1]}", "--at", AT,
                           "--csv", str(tmp_path / "again.csv")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for head in (f"Window {WINDOW[0]} to {WINDOW[1]}", f"At the end of {AT}"):
        assert _section(proc.stdout, head) == _section(printed, head)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "again.csv"), pd.read_csv(directory / "windows.csv"))


@pytest.mark.parametrize(("args", "says"), [
    (["--window", "2024-01-01"], "expected FROM:TO"),
    (["--window", "2024-01-01:2024-01-05", "--window", "2024-01-01:2024-01-05"], "is given twice"),
    (["--at", "2030-01-01"], "is not inside the simulated days 2023-10-01 to 2024-02-07"),
    ([], "give at least one --window FROM:TO or --at DAY"),
])
def test_kpis_refuses_what_it_cannot_answer(run: tuple[Path, str], args: list[str], says: str) -> None:
    directory, _ = run
    proc = dostyk_here("kpis", str(directory), *args)
    assert proc.returncode == 2 and says in said(proc.stderr) and "Traceback" not in proc.stderr, proc.stderr
