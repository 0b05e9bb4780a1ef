"""`dostyk fit`: choose a scenario distribution for observed durations (input analysis)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import click

from sim.analysis.input_fit import BOOTSTRAP, Fit, FitError, fit_all
from sim.cli.options import SEED
from sim.cli.outputs import check_output_file, write_output_file
from sim.scenario.distributions import MAX_HOURS
from sim.scenario.durations import UNIT_HOURS, parse_duration
from sim.scenario.input_file import unreadable

#: units the observations may be given in (a cell with its own unit, "45min", is converted)
UNITS = ("s", "min", "h", "d")


def read_durations(path: Path, column: str | None, unit: str) -> tuple[list[float], str]:
    """The column's values in `unit`, and the column's name; errors name the file, row and column."""
    why = unreadable(path, "a CSV file of durations", max_bytes=None)
    if why is not None:
        raise FitError(f"{path}: {why}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    except UnicodeDecodeError:
        raise FitError(f"{path}: not a text file (expected CSV in UTF-8)") from None
    if not rows:
        raise FitError(f"{path}: empty file; expected a column of durations")
    header = rows[0] if not _is_duration(rows[0][0]) else [f"column {i + 1}" for i in range(len(rows[0]))]
    body = rows[1:] if header is rows[0] else rows
    names = [h.strip() for h in header]
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
    first_row = 2 if header is rows[0] else 1
    for number, row in enumerate(body, start=first_row):
        cell = row[index].strip() if index < len(row) else ""
        if not cell:
            continue  # a missing observation
        try:
            values.append(_hours(cell, unit) / scale)
        except ValueError as exc:
            raise FitError(f"{path}: row {number}, column {names[index]!r}: {exc}") from None
    return values, names[index]


def _hours(cell: str, unit: str) -> float:
    """A bare number is in `unit`; a cell with its own unit ("45min") is converted."""
    try:
        number = float(cell)
    except ValueError:
        return parse_duration(cell)
    if not math.isfinite(number):
        raise ValueError(f"expected a finite duration, got {cell!r}")
    hours = number * UNIT_HOURS[unit]
    if abs(hours) > MAX_HOURS:  # a scenario takes no longer duration: a typo or the wrong --unit
        raise ValueError(f"expected at most {MAX_HOURS:,.0f} h (100 years; is --unit right?), got {cell!r}")
    return hours


def _is_duration(cell: str) -> bool:
    try:
        _hours(cell.strip(), "h")
    except ValueError:
        return False
    return True


def fit_table(fits: list[Fit], unit: str) -> list[str]:
    """Candidates best first: parameters with their 95 % intervals, AIC, ΔAIC and the test."""
    best = fits[0].aic
    lines = [f"{'rank':<5}{'dist':<13}{'AIC':>10}{'ΔAIC':>8}{'KS':>7}{'p':>7}  parameters (95 % bootstrap interval)"]
    for rank, fit in enumerate(fits, start=1):
        params = []
        for name, value in fit.params.items():
            u = "" if name == "cv" else unit
            interval = fit.intervals[name]
            text = f"{name} {value:.4g}{u}"
            text += f" [{interval[0]:.4g}–{interval[1]:.4g}]" if interval else " [range end]"
            params.append(text)
        verdict = "  rejected at 5 %" if fit.rejected else ""
        lines.append(f"{rank:<5}{fit.dist:<13}{fit.aic:>10,.1f}{fit.aic - best:>8.1f}"
                     f"{fit.ks_statistic:>7.3f}{fit.p_value:>7.3f}  {', '.join(params)}{verdict}")
    return lines


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
        click.echo(f"note: {dist} could not be fitted to these data ({why}); it is left out", err=True)
    click.echo(f"{path}: {len(values):,} observations of {name!r} ({unit}), "
               f"mean {sum(values) / len(values):.4g}{unit}, min {min(values):.4g}{unit}, max {max(values):.4g}{unit}")
    for line in fit_table(fits, unit):
        click.echo(line)
    best = fits[0]
    if best.rejected:
        click.echo("note: even the best candidate is rejected at 5 %; consider `dist: empirical` with the "
                   "observed values", err=True)
    click.echo("\nscenario snippet (best by AIC):")
    click.echo(f"  time: {best.snippet(unit)}")
    if plot is not None:
        _write_plot(plot, values, fits, unit, name)
        click.echo(f"plot: {plot}")


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
