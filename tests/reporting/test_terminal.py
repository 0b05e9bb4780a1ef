"""The shared table printer and prose wrapping (sim.reporting.terminal): a table that fits prints as it did; a
wider one is fitted to 100 columns without losing a figure, its key columns repeated in each part."""

from __future__ import annotations

import re

from sim.reporting.terminal import WIDTH, fit_text, table

KPIS = ["tonnes_delivered", "backlog_incl_en_route_mean", "unloading_utilization", "recovery_days.admin-hold"]
UNITS = ["t", "wagons", "share of point-hours", "days"]


def _wide_rows() -> list[list[str]]:
    """A run's table with three wide cargo columns and a fourth: wider than the terminal in one piece."""
    return [[kpi, unit, f"{i + 1}80,000 [0 – 400,000]", f"{i + 1}93,000 ± 31,000", f"{i + 1}270,000 [0 – 560,000]",
             f"{i + 1}.5 (n = 8 of 10)"] for i, (kpi, unit) in enumerate(zip(KPIS, UNITS))]


def _parts(text: str) -> list[list[str]]:
    return [part.splitlines() for part in text.split("\n\n")]


def test_a_table_that_fits_is_printed_as_before() -> None:
    text = table(["KPI", "unit", "all"], [["tonnes_delivered", "t", "2,213,000 ± 66,000"], ["dwell_h_mean", "h", "38 ± 2"]],
                 right_from=2)
    assert text == ("KPI               unit                 all\n"
                    "----------------  ----  ------------------\n"
                    "tonnes_delivered  t     2,213,000 ± 66,000\n"
                    "dwell_h_mean      h                 38 ± 2")


def test_a_wide_table_is_split_with_its_keys_repeated_and_no_figure_lost() -> None:
    header = ["KPI", "unit", "grain", "containers", "all", "recovered"]
    rows = _wide_rows()
    assert max(map(len, table(header, rows, right_from=2, width=1000).splitlines())) > WIDTH
    text = table(header, rows, right_from=2)
    assert max(map(len, text.splitlines())) <= WIDTH
    parts = _parts(text)
    assert len(parts) == 2
    for part in parts:  # each part names every row by its KPI and unit, in order
        named = [line.split()[:2] for line in part[2:] if not line.startswith(" ")]
        assert [kpi for kpi, _ in named] == KPIS
    for row in rows:  # every figure is printed whole (number columns never wrap)
        for cell in row[2:]:
            assert sum(cell in line for line in text.splitlines()) == 1, cell
    heads = [re.split(r"\s{2,}", part[0].strip()) for part in parts]
    assert heads == [["KPI", "unit", "grain", "containers"], ["KPI", "unit", "all", "recovered"]]


def test_headers_wrap_on_two_lines_keeping_a_number_with_its_unit() -> None:
    header = ["lever", "throughput_t_per_day (t/day)", "difference ± 95 % CI (paired)", "backlog_wagons_mean (wagons)",
              "dwell_h_mean (h)", "idle_cost_usd (USD)"]
    rows = [["4", "9,860 ± 270", "-0.8 ± 6.9", "700 [0 – 1,900]", "25 ± 23", "350,000 ± 9,000"]]
    text = table(header, rows)
    lines = text.splitlines()
    assert len(text.split("\n\n")) == 1 and max(map(len, lines)) <= WIDTH
    assert lines[2].startswith("-----") and "(t/day)" in lines[1] and "throughput_t_per_day" in lines[0]
    assert "± 95 %" in text  # never "± 95" on one line and "%" on the next


def test_word_columns_wrap_before_the_table_is_split() -> None:
    header = ["KPI", "unit", "mean", "difference", "verdict (95 %)"]
    rows = [[kpi, unit, "12,345", "-6.0 ± 1.2", "no difference (equal in every pair)"] for kpi, unit in zip(KPIS, UNITS)]
    rows[0][1] = "t"
    text = table(header, [r for r in rows if r[1] != "share of point-hours"], right_from=2, left_from=4, width=80)
    assert len(text.split("\n\n")) == 1 and max(map(len, text.splitlines())) <= 80
    assert "no difference (equal in" in text and re.search(r"^\s+every pair\)$", text, flags=re.MULTILINE)


def test_a_split_prefers_its_breaks() -> None:
    """A comparison apart: both means, then the difference with its verdict (not the verdict alone)."""
    header = ["KPI", "unit", "baseline", "variant with a long name (unloading.grain.points=8)",
              "difference ± 95 % CI (paired)", "unpaired CI", "verdict (95 %)"]
    rows = [[kpi, unit, "274,000", "274,800", "1,000 ± 10,000", "± 140,000", "no clear difference"]
            for kpi, unit in zip(KPIS, UNITS)]
    parts = _parts(table(header, rows, right_from=2, left_from=6, breaks=[4]))
    assert len(parts) == 2
    assert "baseline" in "\n".join(parts[0][:2]) and "verdict" not in "\n".join(parts[0][:2])
    assert all(word in "\n".join(parts[1][:2]) for word in ("difference", "unpaired", "verdict"))


def test_a_table_not_split_wraps_its_key_column_instead() -> None:
    """A consignment's milestones: its three quantiles read side by side, the milestone's label wraps."""
    header = ["milestone", "10 % of runs by", "half by (median)", "90 % by"]
    rows = [[label] + [f"2024-01-27 00:38 (+{d}.0 d)" for d in (21, 22, 23)]
            for label in ("last train formed", "last train at the border", "all unloaded")]
    assert len(table(header, rows).split("\n\n")) == 2  # split, by default
    lines = table(header, rows, split=False).splitlines()
    assert max(map(len, lines)) <= WIDTH and "" not in lines
    assert lines[2].startswith("last train") and lines[3].strip() == "formed"
    assert all(line.count("(+2") == 3 for line in lines[2:] if "(+" in line)


def test_prose_wraps_with_a_hanging_indent_and_leaves_tables_and_paths_alone() -> None:
    sentence = "  note: " + " ".join(["the backlog recovered"] * 10)
    wrapped = fit_text(sentence).splitlines()
    assert len(wrapped) > 1 and max(map(len, wrapped)) <= WIDTH
    assert wrapped[0].startswith("  note:") and all(line.startswith("    ") for line in wrapped[1:])
    assert " ".join(" ".join(wrapped).split()) == " ".join(sentence.split())
    row = "tonnes_delivered  t  " + "  ".join(["2,213,000 ± 66,000"] * 6)
    path = "Results written to /" + "long/" * 30 + "results"
    assert fit_text(row) == row and fit_text(path).splitlines()[-1].endswith("/results")


def test_prose_with_a_quoted_blank_value_still_wraps_and_keeps_the_value_whole() -> None:
    """A refusal quoting `name: "   "`: its two spaces are the value's, not a table's gap."""
    line = ("  name: expected a name one can read (letters, digits or signs); got '   ', which has no visible "
            "character — it labels the results, their tables and their folder")
    wrapped = fit_text(line).splitlines()
    assert len(wrapped) == 2 and max(map(len, wrapped)) <= WIDTH and "got '   ', which" in wrapped[0]
