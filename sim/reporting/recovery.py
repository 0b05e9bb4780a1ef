"""Recovery after each disruption, for the terminal (sim.reporting.tables) and the workbook (as report.html shows it).

`recovery_days` pools every disruption window of a replication: for January 2024 it read 11.6 days
while the administrative hold alone took 56.6 days (recovered in 9 of 10 replications) — a short
festival and many wind closures pulled the mean down. So each disruption gets its own line
(`recovery_days.<name>`, over the whole border backlog, cargo `all`) with the number of
replications in which the backlog recovered within the run; the pooled figure is not shown. A
scenario without disruption windows shows nothing.

A window that some replications never recovered from within the run is left out of its mean, so the
mean reads short exactly when the jam is worst (a 10-day ban in a 60-day run: 37 days over the 5 of
10 replications that recovered, 51 days with all 10 in a 150-day run); `unrecovered_note` says so
and what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

PREFIX = "recovery_days."
TITLE = ("Recovery after each disruption: days from the end of its window until the border backlog (all cargo) "
         "is back to its level at the window's start; mean ± 95 % CI over the replications that recovered")


def recovery_table(summary: pd.DataFrame, replications: int) -> pd.DataFrame:
    """One row per disruption (and crossing): replications, n recovered, mean, sd and CI in days (cargo `all`)."""
    rows = summary[summary["kpi"].astype(str).str.startswith(PREFIX) & (summary["cargo"] == "all")]
    keep = ["crossing"] if "crossing" in rows.columns else []
    out = pd.DataFrame({
        "disruption": rows["kpi"].str.slice(len(PREFIX)),
        **{k: rows[k] for k in keep},
        "replications": replications,
        "recovered": rows["n"].astype(int),
        "never_recovered": replications - rows["n"].astype(int),
        "mean_days": rows["mean"], "sd_days": rows["sd"],
        "ci95_low_days": rows["ci95_low"], "ci95_high_days": rows["ci95_high"],
    })
    return out.reset_index(drop=True)


def unrecovered_note(table: pd.DataFrame) -> str:
    """What to make of a disruption not recovered in every replication ('' when all recovered)."""
    short = table[table["recovered"] < table["replications"]]
    if short.empty:
        return ""
    names = ", ".join(f"{r['disruption']} ({int(r['never_recovered']):,} of {int(r['replications']):,})"
                      for r in short.to_dict("records"))
    return (f"Not recovered by the end of the run in some replications: {names}. Each mean is over the "
            "replications that recovered only and may understate the recovery: lengthen the run "
            "(--set duration=…) until every replication recovers.")


def unmeasured_note(s: Scenario) -> str:
    """Which dated disruptions get no recovery at all ('' when none): a window still open when the run ends, or
    ending inside the warm-up, had no line in the recovery table and no word anywhere (recovery counts from a
    window's end within the counted days, sim.model.recorder). A window missing the run is said by
    scenario_warnings; one kept in force to the run's end (a history replay's change) is no slip, so this is a
    note beside the recovery, not a warning."""
    late, early = [], []
    for d in s.disruptions:
        if d.recurring or d.from_ is None or d.to is None:
            continue
        first, last = s.hours_since_start(d.from_), s.hours_since_start(d.to)
        if first >= s.duration or last <= 0:
            continue
        if last >= s.duration:
            late.append(d.name)
        elif last < s.warmup:
            early.append(d.name)
    said = []
    for names, when in ((late, "at or after the end of the run"), (early, "during the warm-up, before the KPIs count")):
        if names:
            whose = "its window ends" if len(names) == 1 else "their windows end"
            said.append(f"No recovery is measured after {', '.join(names)}: {whose} {when} (recovery counts from a "
                        f"window's end).")
    return " ".join(said)
