"""Scenario changes from a workbook: each row is one `--set`, and a bad row names sheet, cell and key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.workbook import apply_workbook, read_workbook
from tests.cli.test_bad_inputs import run_main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline_2023.yaml"


def book(path: Path, rows: list[list[Any]], title: str = "levers", header: list[str] | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(header or ["key", "value", "unit"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_rows_change_the_scenario_exactly_as_the_same_set_would(tmp_path: Path) -> None:
    rows = [["unloading.grain.points", 8, "points"], ["checks.customs.time.mean", 150, "min"],
            ["demand.grain.tonnes_per_year", 2_500_000, "t"], ["# a comment", None, None], [None, None, None],
            ["disruptions[0].from", dt.datetime(2023, 1, 22), None], ["line.max_trains_per_day", "18", ""]]
    from_book = apply_workbook(load_scenario(BASELINE), book(tmp_path / "b.xlsx", rows))
    from_sets = load_scenario(BASELINE, {"unloading.grain.points": 8, "checks.customs.time.mean": "150min",
                                         "demand.grain.tonnes_per_year": 2_500_000,
                                         "disruptions[0].from": dt.date(2023, 1, 22), "line.max_trains_per_day": 18})
    assert from_book.model_dump() == from_sets.model_dump()
    assert from_book.model_dump() != load_scenario(BASELINE).model_dump()


@pytest.mark.parametrize(("rows", "where", "message"), [
    ([["unloading.grain.points", 8, "Mt"]], "cell B2", "unit 'Mt' is not one the model reads"),
    ([["unloading.grain.points", 0.5, "%"]], "cell B2", "unit '%'"),
    ([["line.max_trains_per_day", 18, ""], ["unloading.grain.pints", 8, ""]], "cell B3", "unloading.grain.pints"),
    ([["unloading.grain.points", -2, ""]], "cell B2", "unloading.grain.points"),
    ([["unloading.grain.points", None, ""]], "cell B2", "the value cell is empty"),
    ([["unloading.grain.points", "many", "h"]], "cell B2", "needs a number"),
    ([["unloading.grain.points", 7, ""], ["unloading.grain.points", 8, ""]], "cell A3", "given twice (first in A2)"),
    # a value whose key cell was cleared was skipped as a blank row: the change it meant was lost without a word
    ([[None, 8, "points"], ["line.max_trains_per_day", 18, ""]], "cell A2", "the key is empty but the row holds '8 | points'"),
])
def test_a_bad_row_names_the_workbook_sheet_cell_and_key(tmp_path: Path, rows: list[list[Any]], where: str,
                                                         message: str) -> None:
    path = book(tmp_path / "b.xlsx", rows)
    with pytest.raises(ScenarioError) as caught:
        apply_workbook(load_scenario(BASELINE), path)
    text = str(caught.value)
    assert f"{path}, sheet 'levers'" in text and where in text and message in text


def test_the_sheet_named_levers_is_read_and_otherwise_the_first(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", [["seed", 5, ""]], title="inputs")
    where, rows = read_workbook(path)
    assert where.endswith("sheet 'inputs'") and rows[0].key == "seed" and rows[0].cell == "B2"


@pytest.mark.parametrize("header", [["name", "value"], ["key"], ["key", "value", "units", "x"]])
def test_a_sheet_without_the_header_is_refused(tmp_path: Path, header: list[str]) -> None:
    with pytest.raises(ScenarioError, match="expected the header key \\| value \\| unit"):
        read_workbook(book(tmp_path / "b.xlsx", [["seed", 5]], header=header))


def test_not_a_workbook_and_no_file_are_said_plainly(tmp_path: Path) -> None:
    text = tmp_path / "b.xlsx"
    text.write_text("key,value\nseed,5\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="not a readable Excel workbook"):
        read_workbook(text)
    with pytest.raises(ScenarioError, match="no such file"):
        read_workbook(tmp_path / "absent.xlsx")
    with pytest.raises(ScenarioError, match="no changes"):
        read_workbook(book(tmp_path / "empty.xlsx", []))


def test_the_cli_refuses_a_key_given_by_both_set_and_the_workbook(tmp_path: Path) -> None:
    path = book(tmp_path / "b.xlsx", [["unloading.grain.points", 8, "points"]])
    code, err, _ = run_main(["validate", str(BASELINE), "--changes", str(path), "--set", "unloading.grain.points=9"],
                            tmp_path)
    assert code == 2 and "also given by --set" in err and "cell B2" in err
    code, err, _out = run_main(["validate", str(BASELINE), "--changes", str(path)], tmp_path)
    assert code == 0, err
