"""The answer to "when is my consignment through?" in words and a small table (sim.analysis.consignment)."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from sim.analysis.consignment import MILESTONES, Outcome, Paired, settled_start, spread
from sim.analysis.verdict import UNCLEAR
from sim.reporting.numbers import clip, number
from sim.reporting.tables import difference_cell
from sim.reporting.terminal import table

#: days from the order to a milestone: none is before the order
DAYS_BOUNDS = (0.0, math.inf)
CLIPPED_AT_ZERO = "lower bound clipped at 0: days cannot be negative"


def when(start: dt.date, hours: float) -> str:
    """A time as a date and hour (`inf`: after the horizon)."""
    if math.isinf(hours):
        return "after the run"
    moment = dt.datetime(start.year, start.month, start.day) + dt.timedelta(hours=hours)
    return moment.strftime("%Y-%m-%d %H:%M")


def order_text(outcomes: list[Outcome], cargo: str, wagons: int, trains: int, at: float, start: dt.date,
               horizon: float, by: float | None = None, level: float = 0.95, by_label: str | None = None,
               warmup: float = 0.0) -> str:
    """Milestones of the order (10 %, median and 90 % over replications, as dates and days after the
    order), the mean days to all unloaded with its CI, and the chance of being through by `by` (hours;
    `by_label` says it as the user gave it, e.g. "the end of 2024-01-25"). An order placed in the
    scenario's `warmup` (hours) is answered with a warning: the crossing is still filling then.
    (The workbench shows the same heading, table and notes: order_heading, order_table, order_notes.)"""
    header, *rows = order_table(outcomes, at, start, level)
    # the shared printer: wider than the terminal (a 20-day answer's cells), the milestones wrap in their column
    # rather than the quantiles being split apart
    printed = table(["milestone", *header[1:]], rows, split=False)
    notes = order_notes(outcomes, at, start, horizon, by, level, by_label, warmup)
    return "\n".join([order_heading(outcomes, cargo, wagons, trains, at, start), "", printed, "", *notes])


def order_heading(outcomes: list[Outcome], cargo: str, wagons: int, trains: int, at: float, start: dt.date) -> str:
    """What was ordered, when, cut into how many trains, over how many replications."""
    n = len(outcomes)
    return (f"{number(wagons)} wagons of {cargo} ordered at {when(start, at)} ({number(trains)} train"
            f"{'s' if trains != 1 else ''}, on top of the scenario's demand); {n} replication{'s' if n != 1 else ''}:")


def order_table(outcomes: list[Outcome], at: float, start: dt.date, level: float = 0.95) -> list[tuple[str, ...]]:
    """The header and one row per milestone (MILESTONES' order): its 10 %, median and 90 % over replications."""
    late = "not in the run" if any(o.never for o in outcomes) else "after the run"
    rows: list[tuple[str, ...]] = [("", "10 % of runs by", "half by (median)", "90 % by")]
    for key, label in MILESTONES.items():
        days = spread(outcomes, at, key, level)
        rows.append((label, *(_cell(start, at, days.quantile(q), late) for q in (0.1, 0.5, 0.9))))
    return rows


def order_notes(outcomes: list[Outcome], at: float, start: dt.date, horizon: float, by: float | None = None,
                level: float = 0.95, by_label: str | None = None, warmup: float = 0.0) -> list[str]:
    """The sentences under the table: days to all unloaded (mean, CI and spread, or why there is no
    mean), the chance of being through by `by`, where its trains went, and what was lost, refused or
    answered in the warm-up."""
    n = len(outcomes)
    never = sum(o.never for o in outcomes)
    lines: list[str] = []
    unloaded = spread(outcomes, at, "unloaded_h", level)
    interval = unloaded.mean_interval()
    if interval is not None:
        mean, low, high = interval
        # a t-interval over a few replications may reach below 0 days, which no order takes: cut at that bound
        ci = clip(mean, low, high, DAYS_BOUNDS)
        cut = f"; {CLIPPED_AT_ZERO}" if ci.at_low else ""
        # the mean's CI narrows with replications, one order's days do not: an exporter quoting the CI as his
        # own range ("6.4 to 8.1 days") would promise what only 10 %-90 % of runs (5.7 to 8.4) say
        lines.append(f"Days from the order to all unloaded: mean {mean:.1f} ({_percent(level)} CI of the mean "
                     f"{ci.low:.1f} to {ci.high:.1f}{cut}); one order's own: {unloaded.quantile(0.1):.1f} to "
                     f"{unloaded.quantile(0.9):.1f} days in 80 % of runs (the 10 % and 90 % points).")
    elif unloaded.not_by_horizon:
        lost_runs = sum(o.lost_wagons > 0 for o in outcomes)
        causes = [f"lost at origin in {lost_runs}"] if lost_runs else []
        causes += [f"every wagon refused at a check in {never - lost_runs}"] if never > lost_runs else []
        why = f" (never will be in {never}: {', '.join(causes)})" if never else ""
        advice = "; lengthen the run or order earlier" if unloaded.not_by_horizon > never else ""
        lines.append(f"Not all unloaded by the end of the run ({when(start, horizon)}) in {unloaded.not_by_horizon} "
                     f"of {n} replications{why}: no mean is given (it would leave out the slowest runs){advice}.")
    elif n == 1:
        lines.append(f"Days from the order to all unloaded: {unloaded.days[0]:.1f} (one replication: no "
                     "confidence interval).")
    if by is not None:
        hits, low, high = unloaded.share_by((by - at) / 24.0)
        lines.append(f"All unloaded by {by_label or when(start, by)}: in {hits} of {n} replications "
                     f"({_percent(hits / n)}; {_percent(level)} CI {_percent(low)} to {_percent(high)}).")
    routes = Counter(x for o in outcomes for x in o.crossings)
    if len(routes) > 1:
        total = sum(routes.values())
        lines.append("Its trains went through " + ", ".join(f"{name} ({_percent(count / total)})"
                                                            for name, count in routes.most_common()) + ".")
    lost = [o.lost_wagons for o in outcomes if o.lost_wagons]
    if lost:
        lines.append(f"Some of the order's trains were lost at origin (loading halted or banned with `lose`): in "
                     f"{len(lost)} of {n} replications ({number(sum(lost) / len(lost))} wagons on average when it "
                     "happened); those runs never have it all unloaded.")
    note = warmup_note(start, at, warmup, horizon)
    if note:
        lines.append(note)
    refused = [o.refused_wagons for o in outcomes if o.refused_wagons]
    if refused:
        lines.append(f"Some wagons were refused at a check and went back loaded: in {len(refused)} of {n} "
                     f"replications ({number(sum(refused) / len(refused))} wagons on average when it "
                     "happened); \"all unloaded\" counts the wagons that were unloaded.")
    return lines


def paired_text(paired: Paired, change: str, n: int) -> str:
    """The change's effect on days to all unloaded, paired: the mean difference with its CI and what it
    says, as `dostyk compare` says it (sim.analysis.verdict: its interval, its numbers, its words for no spread
    or one pair) with "sooner" and "later" for lower and higher; and in how many replications it was
    sooner or later. The CI's level is the difference's own."""
    d = paired.difference
    counts = f"sooner in {paired.sooner} of {n} replications, later in {paired.later}"
    head = f"With {change} − without (paired, the same seed and replications): days to all unloaded"
    if d.n >= 2:
        head += f", mean ± {_percent(d.level)} CI"
    value = difference_cell(d.difference, d.low, d.high, d.n, d.pairs) if d.n else "no mean difference"
    said = d.said(higher="later", lower="sooner")
    if d.reading == UNCLEAR:
        said += " (more replications may tell)"
    left_out = (f"; not through by the end of the run in one answer or both in {paired.unpaired} (no difference "
                "of days for those)" if paired.unpaired else "")
    return f"{head}: {value}: {said}{left_out}; {counts}."


def warmup_note(start: dt.date, at: float, warmup: float, horizon: float) -> str | None:
    """The warning for an order placed in the scenario's `warmup` (hours), with what to do; None after it."""
    if at >= warmup:
        return None
    return (f"Ordered in the scenario's warm-up (until {when(start, warmup)}), while the crossing is still "
            f"filling from the run's start: the answer may be too quick. {_earlier_start(start, at, warmup, horizon)}")


def _earlier_start(start: dt.date, at: float, warmup: float, horizon: float) -> str:
    """What to do about an order in the warm-up: the `--set` that starts the run early enough for the
    warm-up to be over at the order, still ending where it did (sim.analysis.consignment.settled_start)."""
    days, earlier, duration = settled_start(start, at, warmup, horizon)
    return (f"For a settled crossing, start the run {days} day{'s' if days != 1 else ''} earlier: --set "
            f"start={earlier:%Y-%m-%d} --set duration={duration:g}d (or order after the warm-up).")


def _cell(start: dt.date, at: float, days: float, late: str) -> str:
    if math.isinf(days):
        return late
    return f"{when(start, at + days * 24.0)} (+{days:.1f} d)"


def _percent(share: float) -> str:
    return f"{100 * share:.0f} %"
