"""results.xlsx (`--xlsx`): the numbers of the CSV files, readable: units, separators, frozen headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

import sim
from sim.reporting.excel import (
    MAX_ROWS,
    WorkbookTooLargeError,
    check_rows,
    number_format,
    write_results_workbook,
)
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[sim.Results, Path]:
    """A short run whose scenario name would be a formula, with no wagon-day cost (a bell character in the name is
    refused by the scenario since; test_illegal_characters_are_dropped checks the workbook's own defence)."""
    scen = sim.load_scenario(SCENARIOS / "jan2024_admin_hold.yaml").with_changes(
        {"duration": "100d", "warmup": "5d", "name": '=HYPERLINK("http://evil","x")', "costs": {}})
    results = sim.run(scen, replications=2, executor="serial")
    out = tmp_path_factory.mktemp("xlsx")
    return results, write_results_workbook(results, out)


def test_sheets_headers_and_units(book) -> None:  # type: ignore[no-untyped-def]
    _results, path = book
    wb = load_workbook(path)
    assert wb.sheetnames == ["summary", "recovery", "kpis", "daily", "about"]  # the scenario has disruption windows
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    kpis = [c.value for c in wb["kpis"][1]]
    assert kpis[:4] == ["replication", "cargo", "crossing", "tonnes_delivered (t)"] and "dwell_h_mean (h)" in kpis
    daily = [c.value for c in wb["daily"][1]]
    assert "backlog_mean (wagons)" in daily and "queue_mean.checks.handover (trains)" in daily
    assert "blocked_quota_h.checks.handover (h)" in daily
    summary = [c.value for c in wb["summary"][1]]
    assert summary[:5] == ["cargo", "crossing", "kpi", "unit", "n"] and summary[-1] == "note"


def test_values_are_the_csv_values_with_readable_formats(book) -> None:  # type: ignore[no-untyped-def]
    results, path = book
    ws = load_workbook(path)["kpis"]
    header = [c.value.split(" (")[0] for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=False))
    assert len(rows) == len(results.kpis)
    col = header.index("tonnes_delivered")
    for cell, expected in zip((r[col] for r in rows), results.kpis["tonnes_delivered"]):
        assert cell.value == pytest.approx(expected, rel=1e-15) and cell.number_format == "#,##0"
    util = header.index("unloading_utilization")
    assert rows[0][util].number_format == "0.000##" and 0 < rows[0][util].value < 1
    cost = header.index("idle_cost_usd")
    assert all(r[cost].value is None for r in rows)  # not set: empty, never 0
    note = {r[2].value: r[-1].value for r in load_workbook(path)["summary"].iter_rows(min_row=2)}
    assert note["idle_cost_usd"] == "not set (costs.wagon_day_usd)"
    d = load_workbook(path)["daily"]
    assert d["B2"].is_date and d["B2"].number_format == "yyyy-mm-dd"


def test_text_is_never_a_formula(book) -> None:  # type: ignore[no-untyped-def]
    _, path = book
    about = {r[0].value: r[1] for r in load_workbook(path)["about"].iter_rows(min_row=2)}
    cell = about["scenario"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil","x")'


def test_illegal_characters_are_dropped() -> None:
    from sim.reporting.excel import _clean

    assert _clean('=HYPERLINK("http://evil","x")\x07') == '=HYPERLINK("http://evil","x")'  # the bell is dropped


@pytest.mark.parametrize(("value", "fmt"), [(2_213_456.7, "#,##0"), (12.0, "#,##0"), (3.25, "#,##0.00"),
                                            (0.000012, "0.000##"), (-1500.5, "#,##0")])
def test_number_formats(value: float, fmt: str) -> None:
    assert number_format(value) == fmt


def test_a_sheet_larger_than_excel_is_refused() -> None:
    check_rows(MAX_ROWS - 1, "x")
    with pytest.raises(WorkbookTooLargeError, match=r"1,048,576 rows; an Excel sheet holds 1,048,575"):
        check_rows(MAX_ROWS, "daily series")
    assert issubclass(WorkbookTooLargeError, sim.SimError)  # the CLI says it plainly, exit status 2
