"""Recovery per disruption in `dostyk run`'s table and the workbook, checked against kpis.csv and daily.csv;
nothing about recovery for a scenario without disruption windows."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from tests.decision.conftest import SMALL

# two named windows: the small crossing's handover hold, and a short unloading stop after it
SCENARIO = SMALL.replace(
    "  - {name: hold, from: 2024-01-15, to: 2024-02-05, target: checks.handover, capacity: 0.075}\n",
    "  - {name: hold, from: 2024-01-15, to: 2024-02-05, target: checks.handover, capacity: 0.075}\n"
    "  - {name: stop, from: 2024-02-15, to: 2024-02-16, target: unloading.grain, capacity: 0}\n")
REPS = 6
UNRECOVERED = "Not recovered by the end of the run in some replications"


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from sim.cli import cli

    tmp = tmp_path_factory.mktemp("recovery")
    (tmp / "s.yaml").write_text(SCENARIO, encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(tmp / "s.yaml"), "-n", str(REPS), "--executor", "serial",
                                      "--no-report", "--xlsx", "--out", str(tmp / "r")])
    assert result.exit_code == 0, result.output
    return tmp / "r", result.output


def _lines(text: str) -> dict[str, str]:
    start = text.index("Recovery after each disruption")
    block = text[start:].split("\n\n")[0].splitlines()
    block = block[next(i for i, ln in enumerate(block) if ln.startswith("---")) + 1:]  # after its (wrapped) header
    return {ln.split()[0]: ln for ln in block
            if ln.strip() and not ln.startswith(("[", " ")) and not ln.startswith(UNRECOVERED)}


def test_terminal_shows_each_disruption_with_n_recovered_and_no_pooled_line(ran: tuple[Path, str]) -> None:
    out_dir, text = ran
    kpis = pd.read_csv(out_dir / "kpis.csv").query("cargo == 'all'")
    lines = _lines(text)
    assert set(lines) == {"hold", "stop"}
    for name, line in lines.items():
        values = kpis[f"recovery_days.{name}"].dropna()
        assert line.rstrip().endswith(f"{len(values)} of {REPS} replications" + ("" if len(values) else
                                                                                  " (never within the run)"))
        if len(values) > 1:
            shown = float(re.split(r" ± | \[", line.split(None, 1)[1].strip())[0].replace(",", ""))
            assert shown == pytest.approx(values.mean(), rel=0.05, abs=0.05)  # as printed, to its CI's precision
    # the pooled recovery_days (and its count of unrecovered windows) is not in the run's table
    assert not re.search(r"^recovery_days\s", text, re.M) and not re.search(r"^unrecovered_disruptions\s", text, re.M)


def test_the_note_on_unrecovered_windows_appears_exactly_when_some_replication_never_recovered(
        ran: tuple[Path, str]) -> None:
    out_dir, text = ran
    kpis = pd.read_csv(out_dir / "kpis.csv").query("cargo == 'all'")
    short = {name: int(kpis[f"recovery_days.{name}"].isna().sum()) for name in ("hold", "stop")}
    named = [f"{name} ({n} of {REPS})" for name, n in short.items() if n]
    assert (UNRECOVERED in text) == bool(named)
    for part in named:
        assert part in text


def test_a_window_never_recovered_within_the_run_is_said_in_the_terminal_and_the_report(tmp_path: Path) -> None:
    """A 10-day ban in a 60-day run read "37.1 ± 6.6 days, 5 of 10 replications": the mean of the
    replications that recovered, half the story (51 days when the run was long enough for all)."""
    from sim.cli import cli

    path = tmp_path / "late.yaml"
    # two days without unloading two days before the end: 400 wagons cleared at ~40 a day cannot recover
    path.write_text(SCENARIO.replace("  - {name: stop, from: 2024-02-15",
                                     "  - {name: late, from: 2024-02-27, to: 2024-02-29, target: unloading.grain, "
                                     "capacity: 0}\n  - {name: stop, from: 2024-02-15"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "-n", "3", "--executor", "serial", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    kpis = pd.read_csv(tmp_path / "r" / "kpis.csv").query("cargo == 'all'")
    assert kpis["recovery_days.late"].isna().all()
    assert "late (3 of 3)" in result.output and "lengthen the run" in result.output
    assert _lines(result.output)["late"].rstrip().endswith("0 of 3 replications (never within the run)")
    report = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert UNRECOVERED in report and "late (3 of 3)" in report


def test_recovery_agrees_with_the_daily_backlog(ran: tuple[Path, str]) -> None:
    """At day resolution: a replication that never recovered ends every day after the hold above the
    backlog it had when the hold began; one that recovered did so no later than the first day-end at or
    below that level."""
    out_dir, _ = ran
    daily = pd.read_csv(out_dir / "daily.csv").query("cargo == 'all'")
    daily["date"] = pd.to_datetime(daily["date"]).dt.date
    kpis = pd.read_csv(out_dir / "kpis.csv").query("cargo == 'all'").set_index("replication")
    start, end = dt.date(2024, 1, 15), dt.date(2024, 2, 5)  # the hold begins and ends at midnight
    for rep, days in daily.groupby("replication"):
        by_day = days.set_index("date")["backlog_end"]
        level = by_day[start - dt.timedelta(days=1)]
        after = by_day[by_day.index >= end - dt.timedelta(days=1)]
        recovery = kpis.loc[rep, "recovery_days.hold"]
        at_or_below = after[after <= level]
        if math.isnan(recovery):
            assert at_or_below.empty
        else:
            assert not at_or_below.empty
            first = at_or_below.index[0]
            assert recovery <= (first - (end - dt.timedelta(days=1))).days + 1e-9


def test_workbook_has_a_recovery_sheet_and_labels_the_pooled_figure(ran: tuple[Path, str]) -> None:
    from openpyxl import load_workbook

    out_dir, _ = ran
    wb = load_workbook(out_dir / "results.xlsx", read_only=True)
    rows = list(wb["recovery"].iter_rows(values_only=True))
    head, body = rows[0], rows[1:]
    sheet = pd.DataFrame(body, columns=head).set_index("disruption")
    kpis = pd.read_csv(out_dir / "kpis.csv").query("cargo == 'all'")
    for name in ("hold", "stop"):
        values = kpis[f"recovery_days.{name}"]
        assert sheet.loc[name, "recovered"] == values.notna().sum()
        assert sheet.loc[name, "never_recovered"] == values.isna().sum()
        if values.notna().any():
            assert sheet.loc[name, "mean_days"] == pytest.approx(values.mean(), rel=1e-9)
    summary = pd.DataFrame(list(wb["summary"].iter_rows(values_only=True))[1:],
                           columns=next(wb["summary"].iter_rows(values_only=True)))
    pooled = summary[(summary["kpi"] == "recovery_days") & (summary["cargo"] == "all")]
    assert "sheet recovery" in pooled["note"].iloc[0]


def test_no_disruption_windows_no_recovery_text(tmp_path: Path) -> None:
    from sim.cli import cli

    path = tmp_path / "calm.yaml"
    path.write_text(SCENARIO[:SCENARIO.index("disruptions:")] + SCENARIO[SCENARIO.index("costs:"):], encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "-n", "2", "--executor", "serial", "--no-report", "--xlsx",
                                      "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert "recover" not in result.output.lower()
    from openpyxl import load_workbook

    assert "recovery" not in load_workbook(tmp_path / "r" / "results.xlsx", read_only=True).sheetnames


def test_a_window_whose_recovery_is_never_measured_is_said(tmp_path: Path) -> None:
    """A window still open when the run ends (or ending inside the warm-up) had no line in the recovery table and
    no word anywhere: recovery counts from a window's end within the counted days. Said beside the table and in
    report.html, even when it is the only window; a window ending inside the run is not in the note."""
    import sim
    from sim.cli import cli
    from sim.reporting.recovery import unmeasured_note

    path = tmp_path / "open.yaml"  # SMALL runs 60 days from 1 January 2024: to 2024-03-01
    path.write_text(SCENARIO.replace("  - {name: stop, from: 2024-02-15, to: 2024-02-16",
                                     "  - {name: stop, from: 2024-02-20, to: 2024-03-10"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(path), "-n", "2", "--executor", "serial", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    said = ("No recovery is measured after stop: its window ends at or after the end of the run (recovery counts "
            "from a window's end).")
    assert said in " ".join(result.output.split()) and "stop" not in _lines(result.output)  # wrapped at 100 columns
    assert said.replace("'", "&#39;") in (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    s = sim.load_scenario(path)
    assert unmeasured_note(s.with_changes({"duration": "70d"})) == ""  # it ends 10 March: inside
    assert unmeasured_note(s.with_changes({"duration": "69d"})) == said  # ends as the run ends: not watched
    warm = unmeasured_note(s.with_changes({"duration": "90d", "warmup": "40d"}))  # the hold ends 5 February
    assert warm == ("No recovery is measured after hold: its window ends during the warm-up, before the KPIs count "
                    "(recovery counts from a window's end).")
