"""`dostyk compare --window FROM:TO`: the KPIs of a dated period, compared paired in every scenario. The baseline's
window KPIs are those `dostyk run --window` gives for the same scenario and seed, replication by replication; a
bad window is refused with run's words, before anything runs or is written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sim.analysis.window import WINDOW_KPIS
from tests.decision.conftest import HOLD, SMALL

WINDOW = ":".join(HOLD)  # the handover hold, 15 January to 4 February 2024: a backlog to tell apart
VARIANT = ["--set", "2:unloading.grain.points=12"]
#: floats from the same daily values summed in the same order: equal up to rounding
REL = 1e-9


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    from sim.cli import cli

    tmp = tmp_path_factory.mktemp("compare-window")
    path = tmp / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    compared = CliRunner().invoke(cli, ["compare", str(path), str(path), *VARIANT, "--name", "2:twelve", "-n", "3",
                                        "--executor", "serial", "--window", WINDOW, "--xlsx", "--out", str(tmp / "c")])
    assert compared.exit_code == 0, compared.output
    ran = CliRunner().invoke(cli, ["run", str(path), "-n", "3", "--executor", "serial", "--no-report", "--quiet",
                                   "--window", WINDOW, "--out", str(tmp / "r")])
    assert ran.exit_code == 0, ran.output
    return tmp / "c", tmp / "r", compared.output


def test_the_baselines_window_kpis_are_runs(both: tuple[Path, Path, str]) -> None:
    compared, ran, _ = both
    mine = pd.read_csv(compared / "windows.csv")
    assert set(mine["scenario"]) == {"small", "twelve"} and set(mine["from"]) == {HOLD[0]}
    base = mine[mine["scenario"] == "small"].drop(columns=["scenario"]).set_index(["replication", "cargo"]).sort_index()
    run = pd.read_csv(ran / "windows.csv").set_index(["replication", "cargo"]).sort_index()
    assert list(base.index) == list(run.index) and len(base) == 6  # 3 replications x (grain, all)
    for kpi in WINDOW_KPIS:
        if kpi.endswith(("_delivered", "_wagons", "_max")):  # counts: exactly
            assert base[kpi].tolist() == run[kpi].tolist(), kpi
        else:
            assert base[kpi].tolist() == pytest.approx(run[kpi].tolist(), rel=REL, nan_ok=True), kpi
    assert (run["backlog_wagons_mean"] > 50).all()  # a real backlog in the window, not an empty one
    diff = pd.read_csv(compared / "window_differences.csv").set_index(["cargo", "kpi"])
    means = run[list(WINDOW_KPIS)].groupby(level="cargo").mean()
    for cargo in ("grain", "all"):
        for kpi in ("tonnes_delivered", "backlog_wagons_mean", "held_trains_max"):
            assert diff.loc[(cargo, kpi), "mean_baseline"] == pytest.approx(means.loc[cargo, kpi], rel=REL)
    assert set(diff["verdict"]) <= {"higher", "lower", "no clear difference", "no difference (equal in every pair)"}


def test_tables_and_plots_say_the_window(both: tuple[Path, Path, str]) -> None:
    compared, _, printed = both
    over = f"KPIs over the window {HOLD[0]} to {HOLD[1]} (both included, 21 days)"
    title = f"twelve − small (all; 3 paired replications, seed 7; {over})"
    assert title in " ".join(printed.split())  # (wrapped to the terminal's width)
    lines = printed.split("(both included, 21 days))", 1)[1].splitlines()
    rows = {ln.split()[0] for ln in lines if ln.strip() and not ln.startswith((" ", "-", "KPI", "verdict"))}
    assert {"backlog_wagons_mean", "arrivals_wagons", "tonnes_delivered"} <= rows and "dwell_h_mean" not in rows
    page = (compared / "report.html").read_text(encoding="utf-8")
    assert f"twelve − small (all cargo; {over})" in page and "verdict (95 %)" in page
    assert (compared / "plots" / f"differences_{HOLD[0]}_{HOLD[1]}.png").is_file()
    # the whole run's table keeps its own title
    assert "twelve − small (all; 3 paired replications, seed 7)\n" in printed
    import openpyxl

    book = openpyxl.load_workbook(compared / "results.xlsx", read_only=True)
    assert {"window differences", "windows"} <= set(book.sheetnames)
    book.close()


@pytest.mark.parametrize("window", ["2024-01-01", "2024-02-01:2024-01-01", "2025-01-01:2025-01-31",
                                    "2024-1-32:2024-02-01"])
def test_a_bad_window_is_refused_as_run_refuses_it(tmp_path: Path, window: str) -> None:
    from sim.cli import cli

    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    said = {}
    for command in (["run", str(path)], ["compare", str(path), str(path), *VARIANT]):
        res = CliRunner().invoke(cli, [*command, "-n", "2", "--executor", "serial", "--window", window,
                                       "--out", str(tmp_path / command[0])])
        assert res.exit_code == 2 and "Traceback" not in res.output, res.output
        assert not (tmp_path / command[0]).exists()
        said[command[0]] = [ln for ln in res.output.splitlines() if ln.startswith("Error")]
    assert said["compare"] == said["run"] and said["run"], said


def test_a_variant_over_other_days_is_named(tmp_path: Path) -> None:
    from sim.cli import cli

    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    res = CliRunner().invoke(cli, ["compare", str(path), str(path), "--set", "2:duration=20d", "-n", "2",
                                   "--window", WINDOW, "--out", str(tmp_path / "c")])
    assert res.exit_code == 2 and not (tmp_path / "c").exists()
    assert ("the window 2024-01-15 to 2024-02-04 is not inside the simulated days 2024-01-01 to 2024-01-20, "
            "those of scenario 2 (small (duration=20d))") in " ".join(res.output.split())


def test_the_api_checks_windows_and_keeps_their_parts_apart(tmp_path: Path) -> None:
    import sim
    from sim.experiments.arguments import ArgumentError
    from sim.experiments.executors import task_key
    from sim.experiments.runner import replication_tasks

    path = tmp_path / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    base = sim.load_scenario(path)
    for windows, says in (([("2024-02-01", "2024-01-01")], "ends (2024-01-01) before it starts (2024-02-01)"),
                          ([HOLD, HOLD], "is given twice"), ("2024-01-01", "must be a list of (first, last) days"),
                          ([("2023-12-31", "2024-01-02")], "not inside the simulated days 2024-01-01 to 2024-02-29")):
        with pytest.raises(ArgumentError) as refused:
            sim.compare([base, base], replications=2, executor="serial", windows=windows)
        assert says in str(refused.value)
    # a part holds its windows' KPIs: another window set is another task (never reused on --resume), none the old key
    plain, = replication_tasks(base, [0], 7)
    dated, = replication_tasks(base, [0], 7, windows=(HOLD,))
    assert plain.key == task_key("r00000", base.to_dict(), 0, 7) and dated.key != plain.key
