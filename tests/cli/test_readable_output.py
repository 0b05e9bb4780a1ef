"""What an analyst reads in the terminal (issue 9, item 13), through the installed command.

Tables of `run`, `compare` and `sweep`: units, thousands separators, no e-notation, intervals of
non-negative KPIs never below 0, n, and "not set" for a cost the scenario does not give.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

E_NOTATION = re.compile(r"\d[eE][+-]?\d")

SMALL = """\
name: small
start: 2024-01-01
duration: 20d
seed: 3
replications: 3
cargo:
  grain: {payload_t: 68, wagons_per_train: 55, priority: 2}
  containers: {payload_t: 30, wagons_per_train: 57, priority: 1}
demand:
  grain: {tonnes_per_year: 3000000}
  containers: {trains_per_day: 6, arrivals: regular}
line: {transit_time: {dist: lognormal, mean: 20h, sd: 6h}, max_trains_per_day: 15}
yard: {capacity_wagons: 1200}
checks:
  - {name: customs, time: {dist: lognormal, mean: 4h, sd: 1.5h}, trains_at_once: 3}
  - {name: handover, time: 2h, trains_per_day: 12}
unloading:
  grain: {points: 6, wagon_time: {dist: gamma, mean: 1h, cv: 0.3}}
  containers: {points: 6, wagon_time: 15min}
disruptions:
  - {name: hold, from: 2024-01-05, to: 2024-01-09, target: checks.handover, capacity: 0.25}
"""


def dostyk(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("dostyk")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "sim.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _rows(text: str) -> dict[str, str]:
    return {ln.split()[0]: ln for ln in text.splitlines() if ln.split()}


def test_run_table_is_readable(small: Path) -> None:
    proc = dostyk("run", str(small), "--executor", "serial", "--out", "out", "--no-report", cwd=small.parent)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert not E_NOTATION.search(out), out
    rows = _rows(out)
    assert "mean ± 95 % CI over 3 replications" in out
    summary = pd.read_csv(small.parent / "out" / "summary.csv")
    tonnes = summary[(summary["kpi"] == "tonnes_delivered") & (summary["cargo"] == "all")].iloc[0]
    assert tonnes["mean"] > 100_000
    assert rows["tonnes_delivered"].split()[1] == "t" and re.search(r"\d{1,3}(,\d{3})+ ± [\d,]+$", rows["tonnes_delivered"])
    assert rows["dwell_h_mean"].split()[1] == "h" and rows["backlog_wagons_max"].split()[1] == "wagons"
    for kpi in ("held_trains_mean", "stop_loading_days", "recovery_days", "dwell_h_p90"):
        for low in re.findall(r"\[(-?[\d,.]+) – ", rows.get(kpi, "")):
            assert float(low.replace(",", "")) >= 0
    assert " -" not in rows["held_trains_mean"]  # summary.csv may hold a negative bound; the table never
    # the scenario gives no wagon-day cost: "not set" in the table, empty (not 0) in the files
    assert rows["idle_cost_usd"].split()[-1] == "set" and "not set (costs.wagon_day_usd)" in out
    kpis = pd.read_csv(small.parent / "out" / "kpis.csv")
    assert kpis["idle_cost_usd"].isna().all()


def test_explicit_zero_cost_means_zero(small: Path) -> None:
    proc = dostyk("run", str(small), "--executor", "serial", "--out", "zero", "--no-report", "-n", "2",
                  "--set", "costs={wagon_day_usd: 0}", cwd=small.parent)
    assert proc.returncode == 0, proc.stderr
    assert _rows(proc.stdout)["idle_cost_usd"].endswith("0 ± 0") and "not set" not in proc.stdout
    assert (pd.read_csv(small.parent / "zero" / "kpis.csv")["idle_cost_usd"] == 0).all()


def test_sweep_and_compare_tables_are_readable(small: Path) -> None:
    sweep = dostyk("sweep", str(small), "--vary", "unloading.grain.points=3,6", "--executor", "serial",
                   "--out", "sw", "--no-plots", "--set", "costs={wagon_day_usd: 25}", cwd=small.parent)
    assert sweep.returncode == 0, sweep.stderr
    assert "throughput_t_per_day (t/day)" in sweep.stdout and "idle_cost_usd (USD)" in sweep.stdout
    assert "over 3 replications per point" in sweep.stdout and not E_NOTATION.search(sweep.stdout)
    assert re.search(r"\d{1,3}(,\d{3})+ ± ", sweep.stdout), sweep.stdout
    other = small.parent / "other.yaml"
    other.write_text(SMALL.replace("grain: {points: 6,", "grain: {points: 4,"), encoding="utf-8")
    cmp = dostyk("compare", str(small), str(other), "--executor", "serial", "--out", "cmp", cwd=small.parent)
    assert cmp.returncode == 0, cmp.stderr
    rows = _rows(cmp.stdout)
    assert "3 paired replications" in cmp.stdout and not E_NOTATION.search(cmp.stdout)
    assert rows["dwell_h_mean"].split()[1] == "h"
    assert re.search(r"^tonnes_delivered\s+t\s+[\d,]+\s+[\d,]+\s+-?[\d,]+ ± [\d,]+", rows["tonnes_delivered"])
    assert rows["idle_cost_usd"].split()[2:5] == ["not", "set", "not"]
