"""`dostyk fit`: choose a scenario distribution for observed durations (input analysis)."""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import click

from sim.analysis.input_fit import BOOTSTRAP, Fit, FitError, fit_all
from sim.cli.options import SEED, echo
from sim.cli.outputs import check_output_file, write_output_file
from sim.reporting.terminal import table
from sim.scenario.distributions import MAX_HOURS
from sim.scenario.durations import UNIT_HOURS, parse_duration
from sim.scenario.errors import ScenarioError
from sim.scenario.user_file import read_text

#: units the observations may be given in (a cell with its own unit, "45min", is converted)
UNITS = ("s", "min", "h", "d")


def read_durations(path: Path, column: str | None, unit: str) -> tuple[list[float], str]:
    """The column's values in `unit`, and the column's name; errors name the file, row and column."""
    try:  # read as every file a user writes is (sim.scenario.user_file); observations may be many
        text = read_text(path, "a CSV file of durations", form="CSV", max_bytes=None).lstrip("\ufeff")
    except ScenarioError as exc:
        raise FitError(f"{path}: {exc.problems[0][1]}") from None
    delimiter = _delimiter(text)
    comma = delimiter != ","  # cells split by `;` or tabs: `1,5` is a decimal comma (a spreadsheet's locale)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    numbered = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not numbered:
        raise FitError(f"{path}: empty file; expected a column of durations")
    first = numbered[0][1]
    has_header = not _is_duration(first[0], comma)
    names = [h.strip() for h in first] if has_header else [f"column {i + 1}" for i in range(len(first))]
    body = numbered[1:] if has_header else numbered
    if column is None:
        if len(names) != 1:
            raise FitError(f"{path}: {len(names)} columns ({', '.join(names)}); say which with --column")
        index = 0
    elif column in names:
        index = names.index(column)
    else:
        raise FitError(f"{path}: no column {column!r}; the columns are: {', '.join(names)}")
    scale = UNIT_HOURS[unit]
    values: list[float] = []
    for number, row in body:
        if any(cell.strip() for cell in row[len(names):]):  # `1,5` read as 1 (and 5 dropped) gave wrong fits
            raise FitError(f"{path}: row {number}: {len(row)} cells ({', '.join(row)}) under {len(names)} "
                           f"column(s): a decimal comma? write 1.5 for 1,5, or quote the cell")
        cell = row[index].strip() if index < len(row) else ""
        if not cell:
            continue  # a missing observation
        try:
            values.append(_hours(cell, unit, comma) / scale)
        except ValueError as exc:
            raise FitError(f"{path}: row {number}, column {names[index]!r}: {exc}") from None
    return values, names[index]


def _delimiter(text: str) -> str:
    """`;` or a tab when the first line is split by one of them and has no comma (a CSV saved by a
    spreadsheet set to a decimal comma), a comma otherwise."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return next((d for d in (";", "\t") if d in first and "," not in first), ",")


def _hours(cell: str, unit: str, decimal_comma: bool = False) -> float:
    """A bare number is in `unit`; a cell with its own unit ("45min") is converted; `decimal_comma`: `1,5`
    is 1.5 (a file split by `;` or tabs, where a comma cannot part cells)."""
    if decimal_comma and re.fullmatch(r"[-+]?\d+,\d+", cell):
        cell = cell.replace(",", ".")
    try:
        number = float(cell)
    except ValueError:
        if re.fullmatch(r"[-+]?\d+,\d+", cell):
            raise ValueError(f"expected a duration, got {cell!r}: a decimal comma? write {cell.replace(',', '.')}") \
                from None
        return parse_duration(cell)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite duration, got {cell!r}")
    hours = number * UNIT_HOURS[unit]
    if abs(hours) > MAX_HOURS:  # a scenario takes no longer duration: a typo or the wrong --unit
        raise ValueError(f"expected at most {MAX_HOURS:,.0f} h (100 years; is --unit right?), got {cell!r}")
    return hours


def _is_duration(cell: str, decimal_comma: bool) -> bool:
    try:
        _hours(cell.strip(), "h", decimal_comma)
    except ValueError:
        return False
    return True


def fit_table(fits: list[Fit], unit: str) -> list[str]:
    """Candidates best first: parameters with their 95 % intervals, AIC, ΔAIC and the test (the shared printer
    wraps the parameters between items when they run past the terminal's width)."""
    best = fits[0].aic
    rows = []
    for rank, fit in enumerate(fits, start=1):
        params = []
        for name, value in fit.params.items():
            u = "" if name == "cv" else unit
            interval = fit.intervals[name]
            text = f"{name} {value:.4g}{u}"
            text += f" [{interval[0]:.4g}–{interval[1]:.4g}]" if interval else " [range end]"
            params.append(text)
        verdict = "; rejected at 5 %" if fit.rejected else ""
        rows.append([str(rank), fit.dist, f"{fit.aic:,.1f}", f"{fit.aic - best:.1f}", f"{fit.ks_statistic:.3f}",
                     f"{fit.p_value:.3f}", ", ".join(params) + verdict])
    header = ["rank", "dist", "AIC", "ΔAIC", "KS", "p", "parameters (95 % bootstrap interval)"]
    return table(header, rows, right_from=2, left_from=6).split("\n")


@click.command()
@click.argument("times", type=click.Path(dir_okay=True))
@click.option("--column", help="the column of durations (needed when the file has several)")
@click.option("--unit", type=click.Choice(UNITS), default="h", show_default=True,
              help="the unit of bare numbers in the file (a cell like '45min' carries its own)")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="write the histogram with the fits (PNG)")
@click.option("--force", is_flag=True, help="replace an existing --plot file")
@click.option("--seed", type=SEED, default=0, show_default=True,
              help="seed of the bootstrap (intervals and p-values)")
@click.option("--bootstrap", type=click.IntRange(min=19, max=9999), default=BOOTSTRAP, show_default=True,
              help="resamples for the intervals and the goodness-of-fit p-value")
def fit(times: str, column: str | None, unit: str, plot_path: str | None, force: bool, seed: int,
        bootstrap: int) -> None:
    """Fit scenario distributions to observed durations in TIMES (CSV) and print the one to paste.

    Candidates are ranked by AIC; p is a parametric-bootstrap Kolmogorov–Smirnov test (parameters
    re-estimated on every resample), so a small p says the data are unlikely under that fit.
    """
    path = Path(times)
    plot = check_output_file(plot_path, "--plot", [path], force) if plot_path is not None else None
    if plot is not None and plot.suffix.lower() != ".png":
        raise FitError(f"--plot {plot}: expected a file name ending in .png")
    values, name = read_durations(path, column, unit)
    fits, unfitted = fit_all(values, f"{path} ({name})", seed=seed, bootstrap=bootstrap)
    for dist, why in unfitted.items():
        echo(f"note: {dist} could not be fitted to these data ({why}); it is left out", err=True)
    echo(f"{path}: {len(values):,} observations of {name!r} ({unit}), "
         f"mean {sum(values) / len(values):.4g}{unit}, min {min(values):.4g}{unit}, max {max(values):.4g}{unit}")
    for line in fit_table(fits, unit):
        echo(line)
    best = fits[0]
    if best.rejected:
        echo("note: even the best candidate is rejected at 5 %; consider `dist: empirical` with the "
             "observed values", err=True)
    echo("\nscenario snippet (best by AIC):")
    echo(f"  time: {best.snippet(unit)}")
    if plot is not None:
        _write_plot(plot, values, fits, unit, name)
        echo(f"plot: {plot}")


def _write_plot(plot: Path, values: list[float], fits: list[Fit], unit: str, name: str) -> None:
    """The PNG, written whole or not at all."""
    from sim.reporting.figures import close  # matplotlib only when a plot is asked for
    from sim.reporting.fit_plots import fitted_densities
    from sim.reporting.report import png_bytes

    fig = fitted_densities(values, fits, unit, f"Observed {name} and fitted distributions")
    try:
        data = png_bytes(fig)
    finally:
        close(fig)
    write_output_file(plot, data, "--plot")
