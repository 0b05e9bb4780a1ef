"""One reading of "variant minus baseline, paired by replication", wherever it is shown.

`dostyk compare`, the workbench's Compare tab and `dostyk consignment --versus` each computed the paired
difference and read it their own way: the workbench showed no verdict and could print "-0.0 ± 0.0", and
consignment said "sooner" where compare said "lower by the same amount in every pair (no spread, so no CI)".
Here the same paired values go through all three, and each must give compare's verdict (consignment in
its own words for days: later, sooner) and compare's numbers.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd
import pytest

from sim.analysis import verdict as v
from sim.analysis.consignment import Outcome, paired_days
from sim.experiments.compare import paired_differences
from sim.experiments.results import Results
from sim.reporting.consignment import paired_text
from sim.reporting.tables import difference_cell, format_differences
from sim.scenario.schema import Scenario
from tests.model.test_orders import STORY

NAN = math.nan
KPI = "stop_loading_days"  # on the workbench's cards, in days as a consignment's answer is
SOME = "in the 3 of 4 pairs where both have a value"

#: case: (baseline's values, variant's values, compare's verdict, consignment's)
CASES = {
    "clearly higher": ((2.0, 3.0, 4.0, 5.0), (2.5, 3.75, 4.5, 5.75), v.HIGHER, "later"),
    "clearly lower": ((2.0, 3.0, 4.0, 5.0), (1.5, 2.25, 3.5, 4.25), v.LOWER, "sooner"),
    "holds 0": ((2.0, 3.0, 4.0, 5.0), (2.5, 2.5, 4.5, 4.5), v.UNCLEAR, v.UNCLEAR),
    "the same amount more in every pair": ((2.0, 3.0, 4.0), (2.5, 3.5, 4.5), v.HIGHER_EVERY, v.every("later")),
    "the same amount less in every pair": ((2.0, 3.0, 4.0), (1.75, 2.75, 3.75), v.LOWER_EVERY, v.every("sooner")),
    "all equal": ((2.0, 3.0, 4.0), (2.0, 3.0, 4.0), v.EQUAL, v.EQUAL),
    "one pair (one replication)": ((2.0,), (1.5,), v.ONE_PAIR, v.ONE_PAIR),
    "one pair with a value": ((2.0, NAN, 4.0), (1.5, 3.0, NAN), v.ONE_PAIR, v.ONE_PAIR),
    "some pairs missing": ((2.0, 3.0, NAN, 5.0), (1.5, 2.25, 3.0, 4.25), f"{v.LOWER}, {SOME}", f"sooner, {SOME}"),
    "no pair": ((NAN, 3.0), (2.0, NAN), v.NO_PAIRS, v.NO_PAIRS),
}


def _compare_row(base: tuple[float, ...], alt: tuple[float, ...]) -> tuple[str, str, str]:
    """Compare's verdict (differences.csv), and its table row's difference cell and verdict, as printed."""
    n = len(base)
    kpis = pd.DataFrame({"scenario": ["A"] * n + ["B"] * n, "replication": [*range(n)] * 2, "cargo": "all",
                         KPI: [*base, *alt]})
    diff = paired_differences(kpis, "A", ["A", "B"])
    (said,) = diff["verdict"]
    rows: list[str] = []  # the KPI's rows with their wrapped verdicts' lines (the verdict's part, when split)
    for line in format_differences(diff, "A", "B", "all", [KPI], n, 1).splitlines():
        if line.startswith(KPI):
            rows.append(line.rstrip())
        elif rows and line.startswith(" ") and rows[-1].startswith(KPI) and line.strip():
            rows[-1] += " " + line.strip()
        elif rows:
            rows.append("")
    row = [r for r in rows if r][-1]
    r = diff.iloc[0]
    cell = difference_cell(r["difference"], r["ci95_low"], r["ci95_high"], int(r["n"]), n, KPI)
    assert cell in row, row
    return said, cell, row


def _workbench(base: tuple[float, ...], alt: tuple[float, ...]) -> tuple[str, str]:
    """The Compare tab's difference and verdict cells, as its HTML shows them."""
    pytest.importorskip("panel", reason="the app extra (panel) is not installed")
    from sim.app.comparison import comparison_panes

    scenario = Scenario.model_validate(STORY)

    def results(values: tuple[float, ...]) -> Results:
        kpis = pd.DataFrame({"replication": range(len(values)), "cargo": "all", "crossing": "dostyk", KPI: values})
        return Results(scenario.with_changes({"replications": len(values)}), 1, kpis, pd.DataFrame(), pd.DataFrame())

    panes = comparison_panes(results(base), results(alt))
    page = panes[-1].object
    row = re.search(rf"<tr data-kpi='{KPI}'>(.*?)</tr>", page)
    assert row, page
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))]
    return cells[1], cells[-1]


def _consignment(base: tuple[float, ...], alt: tuple[float, ...]) -> str:
    """`consignment --versus`'s paired line for orders all unloaded after these days (NaN: not by the end)."""
    def outcomes(days: tuple[float, ...]) -> list[Outcome]:
        return [Outcome(1, 0.0, 1.0, 24.0 * d, 0) for d in days]

    return paired_text(paired_days(outcomes(base), outcomes(alt), 0.0), "points=8", len(base))


@pytest.mark.parametrize("case", CASES)
def test_compare_the_workbench_and_consignment_read_the_same_pairs_alike(case: str) -> None:
    base, alt, said, days_said = CASES[case]
    verdict, cell, row = _compare_row(base, alt)
    assert verdict == said and row.rstrip().endswith(said), row
    shown, verdict_shown = _workbench(base, alt)
    assert (shown, verdict_shown) == (cell, said)
    assert "-0.0" not in shown and "nan" not in shown.lower()
    line = _consignment(base, alt)
    if said != v.NO_PAIRS:
        assert f": {cell}: {days_said}" in line, line  # compare's numbers, the verdict in days' words
    else:
        assert f": no mean difference: {days_said}" in line, line


def test_the_words_for_days_are_the_verdicts_own() -> None:
    """Consignment's words map one to one onto compare's: only higher and lower are said otherwise."""
    for n, low, high in ((3, 0.1, 0.5), (3, -0.5, -0.1), (3, 0.5, 0.5), (3, -0.5, -0.5), (3, -1.0, 1.0),
                         (3, 0.0, 0.0), (1, NAN, NAN), (0, NAN, NAN)):
        said = v.verdict(n, low, high, 4)
        days = v.verdict(n, low, high, 4, higher="later", lower="sooner")
        assert days == said.replace("higher", "later").replace("lower", "sooner")

