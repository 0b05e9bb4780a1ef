"""`dostyk fit` as a user runs it: a CSV of durations in, a ranked table and a snippet out."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from tests.cli.helpers import dostyk, dostyk_here, said
from tests.cli.test_bad_inputs import run_main


def write_sample(path: Path, header: str, values: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(values) + "\n", encoding="utf-8")
    return path


def test_fit_prints_the_best_fit_and_a_snippet_and_writes_the_plot(tmp_path: Path) -> None:
    sigma2 = math.log1p(0.25)
    x = np.random.default_rng(2).lognormal(math.log(3.0) - sigma2 / 2, math.sqrt(sigma2), 300) * 60
    csv = write_sample(tmp_path / "customs.csv", "id,minutes", [f"{i},{v:.3f}" for i, v in enumerate(x)])
    plot = tmp_path / "fit.png"
    result = dostyk("fit", str(csv), "--column", "minutes", "--unit", "min", "--plot", str(plot), "--bootstrap", "49")
    assert result.returncode == 0, result.stderr
    ranked = re.findall(r"^(\d)\s+(\w+)", result.stdout, flags=re.MULTILINE)
    assert ranked[0] == ("1", "lognormal")
    snippet = re.search(r"time: \{dist: lognormal, mean: ([\d.]+)min, sd: ([\d.]+)min\}", result.stdout)
    assert snippet, result.stdout
    assert float(snippet.group(1)) == pytest.approx(180, rel=0.1)
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = dostyk_here("fit", str(csv), "--column", "minutes", "--plot", str(plot), "--bootstrap", "19")
    assert again.returncode == 2 and "--force" in again.stderr


def test_cells_with_units_are_converted(tmp_path: Path) -> None:
    values = [f"{v:.1f}h" if i % 2 else f"{v * 60:.0f}min" for i, v in
              enumerate(np.random.default_rng(1).gamma(4, 0.5, 40))]
    code, err, out = run_main(["fit", str(write_sample(tmp_path / "t.csv", "hours", values)), "--bootstrap", "19"],
                              tmp_path)
    assert code == 0, err
    mean = float(re.search(r"mean ([\d.]+)h, min", out).group(1))
    assert mean == pytest.approx(2.0, rel=0.2)


@pytest.mark.parametrize(("header", "values", "args", "message"), [
    ("a,b", ["1,2"] * 12, [], "2 columns (a, b); say which with --column"),
    ("a", ["1"] * 12, ["--column", "b"], "no column 'b'; the columns are: a"),
    ("hours", [*["1.5"] * 11, "soon"], [], "row 13, column 'hours'"),
    ("hours", ["1.5", "2"], [], "at least 10"),
    ("hours", ["30m"] * 12, [], "ambiguous"),
])
def test_bad_input_is_refused_with_file_row_and_column(tmp_path: Path, header: str, values: list[str],
                                                        args: list[str], message: str) -> None:
    csv = write_sample(tmp_path / "t.csv", header, values)
    code, err, _ = run_main(["fit", str(csv), *args], tmp_path)
    assert code == 2
    assert message in said(err) and "Traceback" not in err
    assert str(csv) in said(err)


def test_missing_file_and_directory_are_said_plainly(tmp_path: Path) -> None:
    assert "no such file" in said(run_main(["fit", str(tmp_path / "absent.csv")], tmp_path)[1])
    assert "is a directory" in run_main(["fit", str(tmp_path)], tmp_path)[1]


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_spreadsheets_decimal_commas_are_read_where_cells_are_split_by_semicolons_or_tabs(
        tmp_path: Path, separator: str) -> None:
    """A spreadsheet set to a decimal comma (Russian, Kazakh, German locales) saves `1,5;2`: the `;` parts the
    cells, so `1,5` can only be one and a half, and the fit is the one of the same file written with points."""
    values = np.random.default_rng(4).gamma(4, 0.5, 60)
    comma = write_sample(tmp_path / "comma.csv", f"hours{separator}count",
                         [f"{v:.3f}".replace(".", ",") + f"{separator}2" for v in values])
    point = write_sample(tmp_path / "point.csv", "hours,count", [f"{v:.3f},2" for v in values])
    outs = []
    for path in (comma, point):
        code, err, out = run_main(["fit", str(path), "--column", "hours", "--bootstrap", "19"], tmp_path)
        assert code == 0, err
        outs.append(out.replace(path.name, "FILE"))
    assert outs[0] == outs[1]
    assert "mean 2" in outs[0] or "mean 1.9" in outs[0], outs[0]
