"""Through the installed command (`run`; `compare` and `sweep` through its entry point in this process,
tests/cli/helpers.dostyk_here): `run` and `compare` say over how many replications (or pairs) a KPI
averaged over a subset is taken; `compare` printed `recovery_days 52.47 | 0` from one pair of ten."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.cli.helpers import dostyk, dostyk_here

# A crossing at ~80 % load closed for five days: the backlog recovers in some replications only.
SCENARIO = """\
name: {name}
start: 2024-01-01
duration: 40d
seed: 3
replications: 10
cargo:
  grain: {{payload_t: 68, wagons_per_train: 55}}
demand:
  grain: {{trains_per_day: 4}}
unloading:
  grain: {{points: {points}, wagon_time: {{dist: exponential, mean: 2.3h}}}}
disruptions:
  - {{name: hold, from: 2024-01-10, to: 2024-01-15, target: unloading.grain, capacity: 0}}
"""


def _write(tmp_path: Path, name: str, points: int) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(SCENARIO.format(name=name, points=points), encoding="utf-8")
    return path


def test_run_and_compare_show_n_beside_a_mean_over_some_replications(tmp_path: Path) -> None:
    a, b = _write(tmp_path, "a", 26), _write(tmp_path, "b", 25)
    run = dostyk("run", str(a), "--executor", "serial", "--no-report", "--out", str(tmp_path / "run"))
    assert run.returncode == 0, run.stderr
    summary = pd.read_csv(tmp_path / "run" / "summary.csv").set_index(["cargo", "kpi"])
    n = int(summary.loc[("all", "recovery_days"), "n"])
    assert 0 < n < 10, "the scenario must recover in some replications only"
    assert n == 10 - int((pd.read_csv(tmp_path / "run" / "kpis.csv").query("cargo == 'all'")
                          ["unrecovered_disruptions"] > 0).sum())
    assert summary.loc[("all", "tonnes_delivered"), "n"] == 10
    # run shows recovery per disruption (one here: `hold`, so the same n), never the pooled line
    (line,) = [ln for ln in run.stdout.splitlines() if ln.startswith("hold ")]
    assert line.rstrip().endswith(f"{n} of 10 replications")
    assert not any(ln.startswith(("recovery_days ", "unrecovered_disruptions ")) for ln in run.stdout.splitlines())

    cmp = dostyk_here("compare", str(a), str(b), "--executor", "serial", "--out", str(tmp_path / "cmp"))
    assert cmp.returncode == 0, cmp.stderr
    diff = pd.read_csv(tmp_path / "cmp" / "differences.csv").set_index(["cargo", "kpi"])
    pairs = int(diff.loc[("all", "recovery_days"), "n"])
    assert pairs < 10
    lines = [ln for ln in cmp.stdout.splitlines() if ln.startswith("recovery_days ")]  # a row in each part
    assert any(f"(n = {pairs} of 10 pairs recovered)" in line for line in lines)
    assert any(ln.startswith("unrecovered_disruptions ") for ln in cmp.stdout.splitlines())


def test_sweep_shows_n_beside_a_mean_over_some_replications(tmp_path: Path) -> None:
    a = _write(tmp_path, "a", 26)
    proc = dostyk_here("sweep", str(a), "--vary", "unloading.grain.points=25,26", "--kpi", "recovery_days", "--kpi",
                  "unrecovered_disruptions", "--executor", "serial", "--no-plots", "--out", str(tmp_path / "sw"))
    assert proc.returncode == 0, proc.stderr
    summary = pd.read_csv(tmp_path / "sw" / "summary.csv")
    rows = summary[(summary["cargo"] == "all") & (summary["kpi"] == "recovery_days")]
    for points, n in zip(rows["unloading.grain.points"], rows["n"]):
        (line,) = [ln for ln in proc.stdout.splitlines() if ln.startswith(f"{points} ")]
        assert (f"(n = {n} of 10 recovered)" in line) == (n < 10), line
    assert (rows["n"] < 10).any()
