"""Where trains wait: per gated stage, the queue in front of it and which limit holds it back.

Read from the daily series of a run (`queue_*.<stage>`, `blocked_*_h.<stage>`, see
sim.analysis.metrics.STAGE_SERIES), over the days after the warm-up, so a results directory's
`daily.csv` is enough to rebuild it. The binding constraint is the stage whose first waiting train
was held back the largest share of the time, and the limit that held it (closed, daily quota, full).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.metrics import stage_names
from sim.analysis.stats import corridor_rows
from sim.model.waiting import REASONS
from sim.reporting.check_words import check_limits
from sim.reporting.figures import figure
from sim.reporting.numbers import estimate, number
from sim.reporting.timeline import finish_time_axes, legend_below, shade_events
from sim.units import DAY

if TYPE_CHECKING:
    from sim.experiments.results import Results
    from sim.scenario.schema import Scenario

REASON_TEXT = {"closed": "closed", "quota": "daily quota used up", "full": "full"}
# One colour per meaning in the waiting chart: the reasons' colours are used by no stage, and neither
# set is used by the shaded windows, halts and warm-up behind the lines (sim.reporting.timeline).
REASON_COLORS = {"closed": "#252525", "quota": "#ffd92f", "full": "#66c2a5"}
STAGE_COLORS = ("#1f77b4", "#2ca02c", "#393b79", "#637939", "#7b4173", "#8c6d31", "#e7298a")
STAGE_STYLES = ("-", "--", ":", "-.")


def stage_styles(stages: list[str]) -> dict[str, tuple[str, str]]:
    """Colour and line style of each stage, by its place in the scenario's stage order (not by how much
    it held trains back), so a stage looks the same in every figure of the scenario and its variants.
    With several crossings (`crossings.<name>.<stage>`) the colour is the stage (the yard is the yard
    at every crossing) and the line style the crossing."""
    def split(stage: str) -> tuple[str, str]:
        if stage.startswith("crossings."):
            crossing, _, rest = stage[len("crossings."):].partition(".")
            return crossing, rest
        return "", stage

    kinds = list(dict.fromkeys(split(s)[1] for s in stages))
    crossings = list(dict.fromkeys(split(s)[0] for s in stages))
    n, m = len(STAGE_COLORS), len(STAGE_STYLES)
    out = {}
    for s in stages:
        crossing, kind = split(s)
        i, j = kinds.index(kind), crossings.index(crossing)
        out[s] = (STAGE_COLORS[i % n], STAGE_STYLES[(j + i // n) % m])
    return out


def stage_limits(scenario: Scenario) -> dict[str, str]:
    """What limits entry to each gated stage, in words (stage names prefixed with several crossings)."""
    out = {}
    for name, spec in scenario.crossing_specs():
        p = scenario.prefix(name)
        line = spec.line
        out[f"{p}line"] = f"{line.max_trains_per_day:,} trains/day" if line.max_trains_per_day else "no daily cap"
        cap = spec.yard.capacity_wagons
        out[f"{p}yard"] = f"{cap:,} wagons" if cap else "no limit"
        for check in spec.checks:
            out[f"{p}checks.{check.name}"] = ", ".join(check_limits(check)) or "no limit"
    for d in scenario.disruptions:
        if d.ref.stage in ("line", "yard", "checks") and d.capacity != 1:
            out[d.target] += f"; {d.name}: {'closed' if d.capacity == 0 else f'capacity ×{d.capacity:g}'}"
    return out


def _window_rows(results: Results) -> pd.DataFrame:
    """The `all` rows of the days after the warm-up, with the hours each day holds."""
    daily = corridor_rows(results.daily)  # stage columns are on the corridor's (or one crossing's) rows
    s = results.scenario
    keep = ["replication", "day", *(c for c in daily.columns if "." in c)]  # the stage columns
    rows = daily.loc[(daily["cargo"] == "all") & (daily["day"] * DAY >= s.warmup), keep]
    return rows.assign(hours=np.minimum(s.duration - rows["day"] * DAY, DAY))


def where_trains_wait(results: Results) -> pd.DataFrame:
    """One row per gated stage: trains waiting (mean and 95 % CI over replications, most in a day)
    and the share of time its first waiting train was held back, by reason; sorted, binding first."""
    stages = stage_names(results.daily.columns)
    if not stages:
        return pd.DataFrame()
    rows = _window_rows(results)
    limits = stage_limits(results.scenario)
    out = []
    for stage in stages:
        sums = rows.assign(_train_h=rows[f"queue_mean.{stage}"] * rows["hours"]).groupby("replication").agg(
            train_h=("_train_h", "sum"), hours=("hours", "sum"), queue_max=(f"queue_max.{stage}", "max"),
            **{r: (f"blocked_{r}_h.{stage}", "sum") for r in REASONS})
        per_rep = pd.DataFrame({"queue_mean": sums["train_h"] / sums["hours"], "queue_max": sums["queue_max"],
                                **{r: sums[r] / sums["hours"] for r in REASONS}})
        n = len(per_rep)
        mean = float(per_rep["queue_mean"].mean())
        sd = float(per_rep["queue_mean"].std(ddof=1)) if n > 1 else math.nan
        half = _t_half(sd, n)
        shares = {r: float(per_rep[r].mean()) for r in REASONS}
        out.append({"stage": stage, "limit": limits.get(stage, ""), "n": n, "queue_mean": mean,
                    "queue_ci_low": mean - half, "queue_ci_high": mean + half,
                    "queue_max": float(per_rep["queue_max"].mean()),
                    **{f"share_{r}": v for r, v in shares.items()}, "share_held": sum(shares.values())})
    table = pd.DataFrame(out)
    return table.sort_values(["share_held", "queue_mean"], ascending=False, kind="stable").reset_index(drop=True)


def _t_half(sd: float, n: int) -> float:
    from sim.analysis.stats import t_halfwidth

    return t_halfwidth(sd, n)


def binding_text(table: pd.DataFrame) -> str:
    """One sentence naming the binding constraint (or saying that no stage held trains back)."""
    if table.empty:
        return "This results directory has no per-stage series (written before they existed)."
    top = table.iloc[0]
    if top["share_held"] <= 0:
        return "No gated stage held trains back: every train entered the line, the yard and each check at once."
    reason = max(REASONS, key=lambda r: top[f"share_{r}"])
    return (f"Trains were held back most in front of {top['stage']} ({top['limit']}): its first waiting train "
            f"could not enter {percent(top['share_held'])} of the time, mostly because it was "
            f"{REASON_TEXT[reason]} ({percent(top[f'share_{reason}'])}); on average "
            f"{number(top['queue_mean'], 3)} trains waited there (most in one day: {number(top['queue_max'], 3)})."
            + (" A full yard means the checks and unloading downstream do not clear it fast enough."
               if top["stage"] == "yard" and reason == "full" else ""))


def percent(share: float) -> str:
    """A share as a percentage for people: '23 %', '0.4 %', '0 %'."""
    if not math.isfinite(share):
        return "–"
    value = 100 * share
    return f"{number(value, 2 if value < 10 else 3)} %" if value else "0 %"


def table_rows(table: pd.DataFrame, results: Results | None = None) -> list[dict[str, Any]]:
    """The table as text cells for the report: queue with its CI, shares in %, and each stage's colour
    in the `waiting` plot (given the results), so the table and the plot read alike."""
    styles = stage_styles(stage_names(results.daily.columns)) if results is not None else {}
    out = []
    for r in table.to_dict("records"):
        out.append({"stage": r["stage"], "color": styles.get(r["stage"], ("", ""))[0], "limit": r["limit"],
                    "queue": estimate(r["queue_mean"], r["queue_ci_low"], r["queue_ci_high"], r["n"],
                                      (0.0, math.inf)).text,
                    "queue_max": number(r["queue_max"], 3),
                    **{r_: percent(r[f"share_{r_}"]) for r_ in REASONS}, "held": percent(r["share_held"])})
    return out


def waiting(results: Results) -> Figure | None:
    """Trains waiting in front of each gated stage per day (mean of replications), and the share of
    time each stage held its first waiting train back, by reason. None without per-stage series."""
    table = where_trains_wait(results)
    if table.empty:
        return None
    fig = figure(7.0)
    top, bottom = fig.subplots(2, 1, height_ratios=[3, 2])
    daily = corridor_rows(results.daily)
    styles = stage_styles(stage_names(results.daily.columns))
    rows = daily.loc[daily["cargo"] == "all", ["date", *(f"queue_mean.{stage}" for stage in table["stage"])]]
    rows = rows.assign(date=pd.to_datetime(rows["date"]))
    shade_events(top, results, "all", text=False)
    for stage in table["stage"]:
        mean = rows.groupby("date")[f"queue_mean.{stage}"].mean()
        color, style = styles[stage]
        top.plot(mean.index, mean.to_numpy(), linewidth=1.4, color=color, linestyle=style, label=f"waiting at {stage}",
                 gid=f"queue:{stage}")
    top.set_ylabel("Trains waiting to enter (trains, daily mean)")
    top.set_title(f"Where trains wait (mean of {results.replications} replications)")
    finish_time_axes(top, results)
    y = np.arange(len(table))
    left = np.zeros(len(table))
    for reason in REASONS:
        share = 100 * table[f"share_{reason}"].to_numpy()
        bottom.barh(y, share, left=left, color=REASON_COLORS[reason], label=f"held back: {REASON_TEXT[reason]}",
                    gid=f"share:{reason}")
        left += share
    for yi, total in zip(y, left):
        bottom.text(total, yi, f" {number(total, 3)} %", va="center", fontsize=8)
    bottom.set_yticks(y, list(table["stage"]), fontsize=8)
    for tick in bottom.get_yticklabels():  # each stage's name in its line's colour
        tick.set_color(styles[tick.get_text()][0])
    bottom.invert_yaxis()
    bottom.set_xlim(0, max(100.0, float(left.max()) * 1.1) if len(left) else 100.0)
    bottom.set_xlabel("Share of the time after warm-up with the first waiting train held back (%)")
    bottom.grid(True, axis="x", alpha=0.3)
    legend_below(fig, [top, bottom])
    return fig
