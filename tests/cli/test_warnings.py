"""`dostyk validate` says what each disruption does to each capacity; runs print scenario warnings
(sim.scenario.effects) on stderr and the report shows them. `validate` through the installed command,
`run` and `compare` through its entry point in this process (tests/cli/helpers.dostyk_here)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.helpers import dostyk, dostyk_here
from tests.cli.test_bad_inputs import MINI


def test_validate_command_prints_quotas_and_warnings(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    proc = dostyk("validate", str(path), "--set", "checks[0].trains_per_day=3", "--set",
                   "disruptions=[{name: hold, from: 2024-01-02, to: 2024-01-20, target: checks.customs, capacity: 0.3},"
                   " {name: boost, from: 2024-02-02, to: 2024-02-20, target: checks.customs, capacity: 8}]")
    assert proc.returncode == 0, proc.stderr
    said, warned = " ".join(proc.stdout.split()), " ".join(proc.stderr.split())  # (wrapped to the terminal)
    assert ("disruption hold on checks.customs: 2024-01-02 00:00 to 2024-01-20 00:00 (`to` excluded: 2–19 Jan 2024, "
            "18 days); capacity ×0.3 during it: trains_per_day 3 → 0 trains a day (× 0.3), closed") in said
    assert "\n    during it: trains_per_day 3 → 0 trains a day (× 0.3), closed" in proc.stdout
    assert "trains_per_day 3 → 24 trains a day (× 8)" in said
    assert f"warning: {path}: disruptions.hold.capacity: 0.3 × checks.customs trains_per_day 3 rounds down to 0" \
        in warned


def test_run_prints_the_warning_and_the_report_shows_it(tmp_path: Path) -> None:
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    proc = dostyk_here("run", str(path), "--set", "duration=2d", "--set",
                   "disruptions=[{name: hold, from: 2024-01-01, to: 2024-01-20, target: unloading.grain, capacity: 0.1}]",
                   "-n", "1", "--executor", "serial", "--quiet", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "warning: mini: disruptions.hold.capacity: 0.1 × unloading.grain points 6 rounds down to 0 points" \
        in " ".join(proc.stderr.split())
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert 'id="warnings"' in html and "0.1 × unloading.grain points 6 rounds down to 0 points" in html


def test_compare_warns_when_the_scenarios_cover_different_periods(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(MINI.replace("duration: 365d", "duration: 4d"), encoding="utf-8")
    b.write_text(MINI.replace("duration: 365d", "duration: 3d").replace("start: 2024-01-01", "start: 2024-01-02"),
                 encoding="utf-8")
    proc = dostyk_here("compare", str(a), str(b), "-n", "2", "--executor", "serial", "--quiet", "--out", str(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr
    warned = " ".join(proc.stderr.split())  # each warning whole, as wrapped to the terminal
    assert "warning: b has start 2024-01-02, the baseline a 2024-01-01: its KPIs cover another period" in warned
    assert "warning: b has duration 3d, the baseline a 4d" in warned


def test_compare_of_one_file_says_its_warning_once(tmp_path: Path) -> None:
    """`compare F F F --set 2:… --set 3:…` loads F three times: its warning was printed three times, word for word."""
    path = tmp_path / "mini.yaml"
    path.write_text(MINI, encoding="utf-8")
    proc = dostyk_here("compare", str(path), str(path), str(path), "--set", "2:unloading.containers.points=8",
                       "--set", "3:unloading.grain.points=4", "--set", "duration=2d", "--set",
                       "disruptions=[{name: hold, from: 2024-01-01, to: 2024-01-20, target: unloading.grain, capacity: 0.1}]",
                       "-n", "2", "--executor", "serial", "--quiet", "--no-report", "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    lines = [" ".join(w.split()) for w in proc.stderr.split("warning:")[1:]]  # each whole, as wrapped to 100 columns
    assert len(lines) == len(set(lines)) == 2, proc.stderr
    assert any("0.1 × unloading.grain points 6 rounds down to 0 points" in line for line in lines)  # the first two's
    assert any("0.1 × unloading.grain points 4 rounds down to 0 points" in line for line in lines)  # another text: kept
