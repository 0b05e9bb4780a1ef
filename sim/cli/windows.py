"""KPIs over dated windows and at dates, from the command line: `dostyk run … --window A:B --at D`
and `dostyk kpis RESULTS_DIR --window A:B --at D` (from a results directory, without running again).

"What was the backlog on 31 October?" and "how many tonnes in September–October?" are read from
the daily series (sim.analysis.window): whole calendar days, both ends of a window included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click
import pandas as pd

from sim.analysis.stats import corridor_rows, summarise
from sim.analysis.window import (
    AT_DATE_KPIS,
    WINDOW_KPIS,
    at_date,
    check_window,
    over_windows,
    simulated_days,
    window_kpis,
)
from sim.cli.options import echo
from sim.cli.outputs import check_output_file, say_unchecked, write_output_file
from sim.experiments.results import DamagedResultsError, Results, written_by
from sim.reporting.tables import format_summary
from sim.scenario.schema import Scenario

Window = tuple[dt.date, dt.date]

WINDOW_HELP = ("KPIs over the calendar days FROM to TO, both included (repeatable), e.g. "
               "--window 2024-01-01:2024-01-31; read from the daily series")
AT_HELP = "backlog and held trains at the end of DAY (repeatable), e.g. --at 2024-01-31"
CROSSING_HELP = ("the --window and --at KPIs of this crossing only (`all`: the whole corridor); "
                 "default: each crossing, then the corridor")


def _date(text: str, option: str, whole: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise click.BadParameter(f"{whole!r}: {text.strip()!r} is not an ISO date such as 2024-01-31",
                                 param_hint=option) from None


def parse_windows(values: Sequence[str]) -> list[Window]:
    """`FROM:TO` (or `FROM..TO`) pairs of ISO dates; refused when reversed or given twice."""
    out: list[Window] = []
    for item in values:
        sep = ".." if ".." in item else ":"
        parts = item.split(sep)
        if len(parts) != 2:
            raise click.BadParameter(f"expected FROM:TO, two ISO dates such as 2024-01-01:2024-01-31; got {item!r}",
                                     param_hint="--window")
        first, last = (_date(p, "--window", item) for p in parts)
        if last < first:
            raise click.BadParameter(f"{item!r} ends ({last}) before it starts ({first})", param_hint="--window")
        if (first, last) in out:
            raise click.BadParameter(f"{item!r} is given twice", param_hint="--window")
        out.append((first, last))
    return out


def parse_dates(values: Sequence[str]) -> list[dt.date]:
    out: list[dt.date] = []
    for item in values:
        day = _date(item, "--at", item)
        if day in out:
            raise click.BadParameter(f"{item!r} is given twice", param_hint="--at")
        out.append(day)
    return out


def check_inside(scenario: Scenario, windows: Sequence[Window], dates: Sequence[dt.date]) -> None:
    """Refuse a window or date outside the simulated days before anything runs."""
    first, last = simulated_days(scenario)
    for lo, hi in windows:
        problem = check_window(lo, hi, first, last)
        if problem:
            raise click.BadParameter(problem, param_hint="--window")
    for day in dates:
        if not first <= day <= last:
            raise click.BadParameter(f"the date {day} is not inside the simulated days {first} to {last}",
                                     param_hint="--at")


def say_warmup(scenarios: Sequence[tuple[str, Scenario]], windows: Sequence[Window],
               dates: Sequence[dt.date] = ()) -> None:
    """A note (stderr) for each window that begins, and each --at date that ends, in a scenario's warm-up: its
    KPIs are read from the daily series, warm-up days included, so they describe the model settling from its
    starting state, which the run's own KPIs leave out; nothing said so (`scenarios`: (label, scenario), the
    label '' for a run's one). `--at` in the warm-up was read without the note a window had."""
    asked = [(f"--window {lo}:{hi} begins", lo, 0) for lo, hi in windows] + [
        (f"--at {day} is", day, 1) for day in dates]  # a date's value is at the end of its day
    for what, first, days_on in asked:
        begins = dt.datetime(first.year, first.month, first.day) + dt.timedelta(days=days_on)
        within = []
        for label, scenario in scenarios:
            start = scenario.start if isinstance(scenario.start, dt.datetime) else dt.datetime(
                scenario.start.year, scenario.start.month, scenario.start.day)
            end = start + dt.timedelta(hours=float(scenario.warmup))
            if scenario.warmup > 0 and begins < end:
                within.append(f"{label + ': ' if label else ''}until {end:%Y-%m-%d %H:%M}")
        if within:
            echo(f"Note: {what} in the warm-up ({'; '.join(within)}), which the run's KPIs "
                 "leave out: those days show the model settling from its starting state (empty, or its initial:), "
                 "not the corridor as it runs.", err=True)


def tables(daily: pd.DataFrame, windows: Sequence[Window], dates: Sequence[dt.date]) -> pd.DataFrame:
    """One row per window (or date), replication, cargo and crossing: `from`, `to`, then the KPIs."""
    frames = [over_windows(daily, windows)] if windows else []
    for day in dates:
        frame = at_date(daily, day)
        frames.append(frame.assign(**{"from": day.isoformat(), "to": day.isoformat()}))
    if not frames:
        return pd.DataFrame()
    out = pd.concat(frames, ignore_index=True)
    first = ["from", "to", "replication", "cargo", *(["crossing"] if "crossing" in out.columns else [])]
    return out[[*first, *[c for c in out.columns if c not in first]]]


def crossing_names(daily: pd.DataFrame) -> list[str]:
    """The crossings of a daily series, without the corridor's `all` ([] for results without crossings)."""
    if "crossing" not in daily.columns:
        return []
    return [str(c) for c in dict.fromkeys(daily["crossing"]) if c != "all"]


def check_crossing(crossing: str | None, names: Sequence[str]) -> None:
    """--crossing must name one of the run's crossings (or `all`, the whole corridor, with several)."""
    if crossing is None:
        return
    if not names:
        raise click.BadParameter("these results have no crossing column (written before crossings existed); "
                                 "leave out --crossing", param_hint="--crossing")
    allowed = [*names, "all"] if len(names) > 1 else list(names)
    if crossing not in allowed:
        raise click.BadParameter(f"unknown crossing {crossing!r}; expected one of: {', '.join(allowed)}",
                                 param_hint="--crossing")


def _blocks(daily: pd.DataFrame, crossing: str | None) -> list[tuple[str, pd.DataFrame]]:
    """(title, rows) per block: the chosen crossing; else each crossing, then the corridor; one block with one."""
    names = crossing_names(daily)
    if crossing is not None and "crossing" in daily.columns:
        chosen = [crossing]
    elif len(names) > 1:
        chosen = [*names, "all"]
    else:
        return [("", corridor_rows(daily))]
    return [(f"Crossing {n}" if n != "all" else "Whole corridor (every crossing)", daily[daily["crossing"] == n])
            for n in chosen]


def describe(daily: pd.DataFrame, windows: Sequence[Window], dates: Sequence[dt.date],
             crossing: str | None = None) -> str:
    """Each window's (and date's) KPIs: mean ± 95 % CI over the replications, with units and n — one
    block per crossing (then the whole corridor) when there are several, or only `crossing`'s."""
    replications = int(daily["replication"].nunique())
    blocks = []
    for title, rows in _blocks(daily, crossing):
        parts = []
        for lo, hi in windows:
            frame = window_kpis(rows, lo, hi).drop(columns=["crossing"], errors="ignore")
            days = (hi - lo).days + 1
            parts.append(f"Window {lo} to {hi} (both included, {days:,} day{'s' * (days != 1)}): "
                         + format_summary(summarise(frame), list(WINDOW_KPIS), replications=replications))
        for day in dates:
            frame = at_date(rows, day).drop(columns=["crossing"], errors="ignore")
            parts.append(f"At the end of {day}: "
                         + format_summary(summarise(frame), list(AT_DATE_KPIS), replications=replications))
        blocks.append((f"{title}\n" if title else "") + "\n\n".join(parts))
    return "\n\n".join(blocks)


def only(frame: pd.DataFrame, crossing: str | None) -> pd.DataFrame:
    """The rows of one crossing (all rows when none is chosen or the frame has no crossings)."""
    if crossing is None or "crossing" not in frame.columns:
        return frame
    return frame[frame["crossing"] == crossing].reset_index(drop=True)


def writer(results: Results, windows: Sequence[Window], dates: Sequence[dt.date]) -> Callable[[Path], Any] | None:
    """windows.csv in a results directory: every window's and date's KPIs per replication."""
    if not windows and not dates:
        return None
    return lambda directory: tables(results.daily, windows, dates).to_csv(directory / "windows.csv", index=False)


@click.command()
@click.argument("results_dir", type=click.Path(file_okay=False))
@click.option("--window", "windows", multiple=True, metavar="FROM:TO", help=WINDOW_HELP)
@click.option("--at", "dates", multiple=True, metavar="DAY", help=AT_HELP)
@click.option("--crossing", metavar="NAME", help=CROSSING_HELP)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the values per replication to this CSV.")
@click.option("--force", is_flag=True, help="Replace an existing --csv file.")
def kpis(results_dir: str, windows: tuple[str, ...], dates: tuple[str, ...], crossing: str | None,
         csv_path: str | None, force: bool) -> None:
    """KPIs of RESULTS_DIR over dated windows and at dates, without running again.

    Means with 95 % CIs over the replications, from the daily series: whole calendar days, both
    ends of a window included (e.g. the backlog at the end of 31 October: --at 2024-10-31). With
    several crossings, one block per crossing and one for the whole corridor (or --crossing NAME).
    """
    chosen, days = parse_windows(windows), parse_dates(dates)
    if not chosen and not days:
        raise click.UsageError("give at least one --window FROM:TO or --at DAY")
    if csv_path is not None:
        given = Path(results_dir)
        check_output_file(csv_path, "--csv", [p for p in given.rglob("*") if p.is_file()] if given.is_dir() else [],
                          force)
    refuse_other_output(results_dir)
    results = Results.read(results_dir)
    say_unchecked(results_dir)
    check_inside(results.scenario, chosen, days)
    say_warmup([("", results.scenario)], chosen, days)
    check_crossing(crossing, crossing_names(results.daily))
    echo(describe(results.daily, chosen, days, crossing))
    if csv_path is not None:
        data = only(tables(results.daily, chosen, days), crossing).to_csv(index=False).encode("utf-8")
        write_output_file(csv_path, data, "--csv")  # whole or not at all
        echo(f"\nValues per replication written to {csv_path}")


def refuse_other_output(results_dir: str) -> None:
    """`kpis` of a comparison's (or a sweep's…) directory: say how to get dated KPIs, not how to rebuild it."""
    other = written_by(results_dir)
    if other is None:
        return
    paired = other in ("compare", "experiment")
    scenario = f"{Path(results_dir) / 'scenarios' / 'NAME.yaml'}" if paired else "SCENARIO"
    raise DamagedResultsError(
        f"{results_dir} holds what `dostyk {other}` wrote; `dostyk kpis` reads the daily series of `dostyk run`'s "
        f"results. For KPIs over dates, run the scenario with them: `dostyk run {scenario} --window FROM:TO` "
        "(the same --seed and -n give the same replications)"
        + ("; to compare over those dates, paired, run the comparison again with `--window FROM:TO`"
           if other == "compare" else  # `dostyk experiment` takes no --window nor --set: compare its scenarios
           f"; to compare over those dates, paired, compare its scenarios: `dostyk compare "
           f"{Path(results_dir) / 'scenarios' / 'BASELINE.yaml'} {Path(results_dir) / 'scenarios' / 'VARIANT.yaml'} … "
           "--window FROM:TO` (each file holds the experiment's seed and replications)" if paired else ""))
