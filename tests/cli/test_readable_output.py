"""What an analyst reads from the command (issue 9, items 13, 16, 17, 18): the run table through the installed
`dostyk`, the rest through its entry point in this process (tests/cli/helpers.dostyk_here: the same output
without a new interpreter's imports for each command).

Tables of `run`, `compare` and `sweep`: units, thousands separators, no e-notation, intervals of
non-negative KPIs never below 0, n, and "not set" for a cost the scenario does not give; where
trains wait in daily.csv and the report; compare variants of one file with `--set N:…`; the
reports of compare and sweep; a sweep value that makes a disruption change nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from tests.cli.helpers import dostyk, dostyk_here

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


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def _rows(text: str) -> dict[str, str]:
    """Each row by its first word; a table split to fit the terminal has a row in each part: joined, in order,
    the repeated KPI and unit left out of the later parts."""
    rows: dict[str, str] = {}
    for ln in text.splitlines():
        words = ln.split()
        if words and not ln.startswith(" "):
            rows[words[0]] = rows[words[0]] + "  " + " ".join(words[2:]) if words[0] in rows else ln
    return rows


def _headers(text: str) -> list[str]:
    """Every table's column headers, each whole: its text over the column's rule, on one line or two."""
    lines = text.splitlines()
    heads = []
    for i, rule in enumerate(lines):
        if not re.fullmatch(r"-+( +-+)*", rule):
            continue
        above = [ln for ln in lines[max(0, i - 2):i] if ln.strip() and not ln.startswith(("all:", "grain:"))]
        for span in re.finditer(r"-+", rule):
            heads.append(" ".join(ln[span.start():span.end()].strip() for ln in above).strip())
    return heads


def _header_says(text: str, kpi: str, unit: str) -> bool:
    """Whether a column's header is the KPI with its unit (on one line, or on two when wrapped to fit)."""
    return f"{kpi} ({unit})" in _headers(text)


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
    proc = dostyk_here("run", str(small), "--executor", "serial", "--out", "zero", "--no-report", "-n", "2",
                  "--set", "costs={wagon_day_usd: 0}", cwd=small.parent)
    assert proc.returncode == 0, proc.stderr
    assert _rows(proc.stdout)["idle_cost_usd"].endswith("0 ± 0") and "not set" not in proc.stdout
    assert (pd.read_csv(small.parent / "zero" / "kpis.csv")["idle_cost_usd"] == 0).all()


def test_sweep_and_compare_tables_are_readable(small: Path) -> None:
    sweep = dostyk_here("sweep", str(small), "--vary", "unloading.grain.points=3,6", "--executor", "serial",
                   "--out", "sw", "--no-plots", "--set", "costs={wagon_day_usd: 25}", cwd=small.parent)
    assert sweep.returncode == 0, sweep.stderr
    assert _header_says(sweep.stdout, "throughput_t_per_day", "t/day") and _header_says(sweep.stdout, "idle_cost_usd", "USD")
    assert "over 3 replications per point" in sweep.stdout and not E_NOTATION.search(sweep.stdout)
    assert re.search(r"\d{1,3}(,\d{3})+ ± ", sweep.stdout), sweep.stdout
    other = small.parent / "other.yaml"
    other.write_text(SMALL.replace("grain: {points: 6,", "grain: {points: 4,"), encoding="utf-8")
    cmp = dostyk_here("compare", str(small), str(other), "--executor", "serial", "--out", "cmp", cwd=small.parent)
    assert cmp.returncode == 0, cmp.stderr
    rows = _rows(cmp.stdout)
    assert "3 paired replications" in cmp.stdout and not E_NOTATION.search(cmp.stdout)
    assert rows["dwell_h_mean"].split()[1] == "h"
    assert re.search(r"^tonnes_delivered\s+t\s+[\d,]+\s+[\d,]+\s+-?[\d,]+ ± [\d,]+", rows["tonnes_delivered"])
    assert rows["idle_cost_usd"].split()[2:5] == ["not", "set", "not"]


def _page(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html and "<script" not in html
    return html


def test_run_writes_where_trains_wait(small: Path) -> None:
    proc = dostyk_here("run", str(small), "--executor", "serial", "--out", "wait", "-n", "2", cwd=small.parent)
    assert proc.returncode == 0, proc.stderr
    daily = pd.read_csv(small.parent / "wait" / "daily.csv")
    for stage in ("line", "yard", "checks.customs", "checks.handover"):
        for series in ("queue_mean", "queue_max", "queue_end", "blocked_closed_h", "blocked_quota_h", "blocked_full_h"):
            assert f"{series}.{stage}" in daily.columns
    hold = daily[(daily["cargo"] == "all") & daily["date"].between("2024-01-06", "2024-01-08")]
    assert (hold["blocked_quota_h.checks.handover"] > 12).all()  # 3 trains a day while the hold lasts
    html = _page(small.parent / "wait" / "report.html")
    assert "Where trains wait" in html and "Trains were held back most in front of" in html
    assert (small.parent / "wait" / "plots" / "waiting.png").is_file()


def test_compare_variants_of_one_file_and_its_report(small: Path) -> None:
    proc = dostyk_here("compare", str(small), str(small), "--set", "2:unloading.grain.points=4", "--set", "duration=12d",
                  "-n", "2", "--executor", "serial", "--out", "variants", "--set", "description=<b>x</b>",
                  cwd=small.parent)  # a description is no lever, so not a variant's own change (2:…): both get it
    assert proc.returncode == 0, proc.stderr
    out = small.parent / "variants"
    diff = pd.read_csv(out / "differences.csv")
    assert set(diff["scenario"]) == {"small (unloading.grain.points=4)"}
    assert set(diff["baseline"]) == {"small"}
    both = [p.read_text(encoding="utf-8") for p in sorted((out / "scenarios").iterdir())]
    assert len(both) == 2 and all("duration: 288.0" in t for t in both)  # the common --set reached both
    html = _page(out / "report.html")
    assert "<code>unloading.grain.points</code>: 6 → <strong>4</strong>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    pngs = {p.stem for p in (out / "plots").glob("*.png")}
    assert pngs == {"differences", "backlog", "held_trains", "kpi_comparison"}
    assert html.count("data:image/png;base64,") == len(pngs)
    daily = pd.read_csv(out / "daily.csv")
    assert set(daily["scenario"]) == set(diff["scenario"]) | {"small"} and len(daily) == 2 * 2 * 12


def test_compare_set_names_the_scenario(small: Path) -> None:
    missing = dostyk_here("compare", str(small), str(small), "--set", "3:unloading.grain.points=4", cwd=small.parent)
    assert missing.returncode == 2 and "there is no scenario 3" in missing.stderr and "Traceback" not in missing.stderr
    bad = dostyk_here("compare", str(small), str(small), "--set", "2:unloading.wheat.points=4", cwd=small.parent)
    assert bad.returncode == 2 and "(scenario 2, with --set 2:…)" in bad.stderr and "unloading.wheat.points" in bad.stderr
    same = dostyk_here("compare", str(small), str(small), "-n", "2", "--set", "duration=3d", "--executor", "serial",
                  "--out", "same", "--no-report", "-q", cwd=small.parent)
    assert same.returncode == 0 and "identical to small; their differences will be exactly 0" in same.stderr
    assert not (small.parent / "same" / "report.html").exists()


def test_sweep_report_and_a_no_op_disruption_value(small: Path) -> None:
    proc = dostyk_here("sweep", str(small), "--vary", "disruptions.hold.capacity=0,1", "--executor", "serial",
                  "--out", "noop", "-n", "2", "--set", "duration=12d", cwd=small.parent)
    assert proc.returncode == 0, proc.stderr
    out = small.parent / "noop"
    kpis = pd.read_csv(out / "kpis.csv")
    assert set(kpis["disruptions.hold.capacity"]) == {0, 1}
    events = pd.read_csv(out / "events.csv")
    assert set(events.loc[events["name"] == "hold", "disruptions.hold.capacity"]) == {0}  # 1: no window at all
    html = _page(out / "report.html")
    assert "Sweep: small" in html and "disruptions.hold.capacity" in html
    assert html.count("data:image/png;base64,") == len(list((out / "plots").glob("*.png"))) >= 4
    assert re.search(r"throughput_t_per_day \(t/day\)", html)


def test_xlsx_of_run_sweep_and_compare(small: Path) -> None:
    from openpyxl import load_workbook

    run = dostyk_here("run", str(small), "-n", "2", "--set", "duration=5d", "--executor", "serial", "--out", "x-run",
                 "--no-report", "--xlsx", "-q", cwd=small.parent)
    assert run.returncode == 0, run.stderr
    wb = load_workbook(small.parent / "x-run" / "results.xlsx")
    assert wb.sheetnames == ["summary", "kpis", "daily", "about"]
    assert len(list(wb["daily"].iter_rows())) == 1 + 2 * 5 * 3
    sweep = dostyk_here("sweep", str(small), "--vary", "unloading.grain.points=4,6", "-n", "2", "--set", "duration=5d",
                   "--executor", "serial", "--out", "x-sweep", "--no-plots", "--xlsx", "-q", cwd=small.parent)
    assert sweep.returncode == 0, sweep.stderr
    assert load_workbook(small.parent / "x-sweep" / "results.xlsx").sheetnames == ["summary", "kpis", "about"]
    cmp = dostyk_here("compare", str(small), str(small), "--set", "2:unloading.grain.points=4", "-n", "2", "--set",
                 "duration=5d", "--executor", "serial", "--out", "x-cmp", "--no-report", "--xlsx", "-q",
                 cwd=small.parent)
    assert cmp.returncode == 0, cmp.stderr
    wb = load_workbook(small.parent / "x-cmp" / "results.xlsx")
    assert wb.sheetnames == ["differences", "summary", "kpis", "daily", "about"]
    header = [c.value for c in wb["differences"][1]]
    assert header[:5] == ["scenario", "baseline", "cargo", "kpi", "unit"]


def test_variant_labels_stay_on_one_short_line() -> None:
    from sim.cli.experiments import variant_name

    assert variant_name("base", {}) == "base"
    label = variant_name("base", {"description": "two\nlines\tand " + "x" * 100, "unloading.grain.points": 8})
    assert "\n" not in label and "\t" not in label and len(label) < 110
    assert label.endswith(", unloading.grain.points=8)") and "…" in label
