"""Time-axis pieces of the run plots: daily rows, mean-and-band lines, shaded disruption windows,
stop-loading halts and the warm-up, and one legend under the plot."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.analysis.choices import ID_COLUMNS, choose, choose_cargo
from sim.analysis.stats import corridor_rows
from sim.experiments.arguments import ArgumentError
from sim.reporting.figures import date_axis, thousands
from sim.reporting.periods import period_text as period_text  # re-exported: plots and report use it
from sim.scenario.effects import changes_something
from sim.scenario.quoting import argument_in_words
from sim.scenario.target_ref import TargetRef

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from sim.experiments.results import Results

BAND_COLOR = "#1f77b4"
HALT_COLOR = "#d62728"
WARMUP_COLOR = "#7f7f7f"
WINDOW_COLORS = ["#ff7f0e", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f"]


def daily_rows(results: Results, cargo: str, crossing: str | None = None,
               columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The daily rows of one cargo (or `all`) at one crossing (default: the whole corridor), with
    `replication`, `date` and `columns` only when given: a plot that copied every column (about 50)
    of its rows held a third of the daily table again, the report's peak memory."""
    daily = getattr(results, "daily", None)
    if not isinstance(daily, pd.DataFrame):  # a summary, a Scenario, None: say what a plot takes
        raise ArgumentError(f"a plot of the daily series takes the Results of sim.run (or sim.Results.read), "
                            f"got {argument_in_words(results)}")
    if "crossing" in daily.columns:
        daily = corridor_rows(daily) if crossing is None else \
            daily[daily["crossing"] == choose("crossing", crossing, daily["crossing"].dropna().unique())]
    mask = daily["cargo"] == choose_cargo(daily, cargo)
    known = [c for c in daily.columns if c not in (*ID_COLUMNS, "date", "day")]
    for column in columns or ():
        choose("daily column", column, known)
    rows = daily.loc[mask] if columns is None else daily.loc[mask, ["replication", "date", *columns]]
    return rows.assign(date=pd.to_datetime(rows["date"]))


def cargo_text(cargo: str) -> str:
    """A title's cargo part: nothing for every cargo (`all`), ', grain only' for one."""
    return "" if cargo == "all" else f", {cargo} only"


def band(ax: Axes, rows: pd.DataFrame, column: str, label: str, color: str = BAND_COLOR,
          linewidth: float = 1.6) -> pd.Series:
    """Mean line and 5–95 % band across replications of one daily column; returns the mean."""
    wide = rows.pivot_table(index="date", columns="replication", values=column, aggfunc="first").sort_index()
    mean = wide.mean(axis=1)
    lo, hi = wide.quantile(0.05, axis=1), wide.quantile(0.95, axis=1)
    n = wide.shape[1]
    if n > 1:
        ax.fill_between(wide.index, lo, hi, color=color, alpha=0.25, linewidth=0,
                        label=f"5–95 % of {n} replications", gid="band")
    ax.plot(wide.index, mean, color=color, linewidth=linewidth, label=f"{label}, mean of {n} replication{'s' * (n > 1)}",
            gid="mean")
    return mean


def _concerns(target: str, cargo: str) -> bool:
    """Whether a window or halt on `target` acts on `cargo` (`all`: every one does)."""
    ref = TargetRef.parse(target)
    return cargo == "all" or ref is None or ref.cargo is None or ref.cargo == cargo


def windows(results: Results, cargo: str) -> tuple[list[dict[str, Any]], pd.DataFrame, pd.DataFrame]:
    """What a plot of `cargo` shades: dated disruption windows (the same in every replication),
    random ones, and stop-loading halts. Left out: windows that change nothing (validate warns of
    them) and windows and halts on another cargo (its unloading, its loading)."""
    ev = results.events
    if ev is None or ev.empty:
        empty = pd.DataFrame(columns=["replication", "name", "target", "start", "end"])
        return [], empty, empty
    ev = ev.copy()
    ev["start"] = pd.to_datetime(ev["start"])
    ev["end"] = pd.to_datetime(ev["end"])
    scen = results.scenario
    recurring = {d.name for d in scen.disruptions if d.recurring}
    idle = {d.name for d in scen.disruptions if not changes_something(scen, d)}
    ev = ev[[_concerns(str(t), cargo) for t in ev["target"]]]
    dis = ev[(ev["kind"] == "disruption") & ~ev["name"].isin(idle)]
    fixed: list[dict[str, Any]] = []
    random_rows = []
    for name, group in dis.groupby("name", sort=False):
        if name in recurring:
            random_rows.append(group)
            continue
        spans = group[["start", "end", "target", "capacity", "time_factor"]].drop_duplicates(subset=["start", "end"])
        for row in spans.itertuples(index=False):
            fixed.append({"name": str(name), "target": row.target, "start": row.start, "end": row.end,
                          "capacity": float(row.capacity), "time_factor": float(row.time_factor)})
    random = pd.concat(random_rows) if random_rows else dis.iloc[0:0]
    halts = ev[ev["kind"] == "stop_loading"]
    if cargo == "all":  # one shaded span per replication and halt, whichever cargo it stopped
        halts = halts.drop_duplicates(subset=["replication", "start", "end"])
    return fixed, random, halts


def effect_text(w: dict[str, Any]) -> str:
    parts = []
    if w["capacity"] != 1.0:
        parts.append("closed" if w["capacity"] == 0 else f"capacity ×{w['capacity']:g}")
    if w["time_factor"] != 1.0:
        parts.append(f"time ×{w['time_factor']:g}")
    return ", ".join(parts) or "no effect"


def legend_swatch(ax: Axes, color: str, alpha: float, label: str) -> None:
    """A legend entry for spans drawn faint (one per replication): an empty area at full strength."""
    ax.fill_between([], [], color=color, alpha=alpha, linewidth=0, label=label)


def shade_events(ax: Axes, results: Results, cargo: str, text: bool = True) -> None:
    """Shade warm-up, disruption windows and stop-loading halts on a date axis, with labels."""
    n = max(results.replications, 1)
    scen = results.scenario
    origin = pd.Timestamp(scen.start)
    if scen.warmup > 0:
        ax.axvspan(origin, origin + pd.Timedelta(hours=scen.warmup), color=WARMUP_COLOR, alpha=0.12, linewidth=0,
                   label="warm-up (not in KPIs)", gid="window:warm-up")
    fixed, random, halts = windows(results, cargo)
    colors: dict[str, str] = {}
    for w in fixed:
        first = w["name"] not in colors
        color = colors.setdefault(w["name"], WINDOW_COLORS[len(colors) % len(WINDOW_COLORS)])
        label = f"{w['name']}: {w['target']} {effect_text(w)}, {period_text(w['start'], w['end'])}" if first else None
        ax.axvspan(w["start"], w["end"], color=color, alpha=0.22, linewidth=0, label=label,
                   gid=f"window:{w['name']}")
        if text:
            ax.text(w["start"], 0.98, f" {w['name']}", transform=ax.get_xaxis_transform(), rotation=90,
                    va="top", ha="left", fontsize=8, color="#333333", clip_on=True)
    for name, group in random.groupby("name", sort=False):
        color = colors.setdefault(str(name), WINDOW_COLORS[len(colors) % len(WINDOW_COLORS)])
        target = group["target"].iloc[0]
        for row in group.itertuples(index=False):
            ax.axvspan(row.start, row.end, ymin=0.0, ymax=0.04, color=color, alpha=min(0.9, 2.0 / n), linewidth=0,
                       gid=f"window:{name}")
        legend_swatch(ax, color, 0.6, f"{name} (random, {target}; ticks: each replication's windows)")
    alpha = 1 - 0.75 ** (1 / n)  # where every replication halts, the shading adds up to 25 % opacity
    for row in halts.itertuples(index=False):
        ax.axvspan(row.start, row.end, color=HALT_COLOR, alpha=alpha, linewidth=0, gid="window:stop-loading")
    if len(halts):
        legend_swatch(ax, HALT_COLOR, 0.25, "stop-loading halt (darker = more replications)")


def finish_time_axes(ax: Axes, results: Results) -> None:
    scen = results.scenario
    origin = pd.Timestamp(scen.start)
    ax.set_xlim(origin, origin + pd.Timedelta(hours=scen.duration))
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(FuncFormatter(thousands))
    date_axis(ax)


def legend_below(fig: Figure, axes: Sequence[Axes]) -> None:
    """One legend under the plot (labels of every axes, each once) so the plot keeps the full width."""
    seen: dict[str, Any] = {}
    for ax in axes:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside lower center", ncols=2, fontsize=8,
                   frameon=False)
