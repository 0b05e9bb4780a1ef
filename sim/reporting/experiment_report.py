"""report.html of a comparison (`dostyk compare`) and of a sweep (`dostyk sweep`).

Built like a run's report (sim.reporting.report): one self-contained page rendered from a Jinja2
template (autoescaped), every figure embedded as a PNG data URI and also saved in `plots/`, every
number through sim.reporting.numbers. A comparison shows what differs between the scenarios, the
paired differences with their CIs, and before/after charts (each scenario's backlog and held
trains over time, every KPI's difference in its unit, one panel each, the KPIs side by side); a sweep
shows its levers, each grid point's KPIs and each KPI against each lever.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from sim.reporting import compare_plots, plots, tables
from sim.reporting.labels import kpi_label
from sim.reporting.numbers import CLIPPED_NOTE
from sim.reporting.report import png_bytes, template_environment
from sim.reporting.sweep_plots import PLOT_KPIS, plot_name, write_sweep_plots
from sim.reporting.tables import SWEEP_KPIS, kpis_over, not_set

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from sim.experiments.compare import Comparison
    from sim.experiments.sweep import SweepResult

TEMPLATE = "experiment.html.j2"


def _flat(data: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Dotted key paths of nested mappings and lists (list items by index), with their values."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flat(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(data, list) and data and all(isinstance(x, (dict, list)) for x in data):
        for i, value in enumerate(data):
            yield from _flat(value, f"{prefix}[{i}]")
    else:
        yield prefix, data


def changes_from(base: dict[str, Any], other: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key path, baseline value, this scenario's value) wherever two resolved scenarios differ."""
    a, b = dict(_flat(base)), dict(_flat(other))
    out = []
    for key in [*a, *(k for k in b if k not in a)]:
        if a.get(key, NOT_GIVEN) != b.get(key, NOT_GIVEN) and key not in ("name", "description"):
            out.append((key, _short(a.get(key, NOT_GIVEN)), _short(b.get(key, NOT_GIVEN))))
    return out


#: A key one scenario does not give (`hours=~` removed): '08:00-20:00 → —' read as a typesetting dash
NOT_GIVEN = "not set"


def _short(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True).strip()
    text = text.removesuffix("...").strip()
    return text if len(text) <= 80 else text[:77] + "…"


def _embed(images: dict[str, bytes], captions: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "caption": captions.get(name, ""), "data": base64.b64encode(png).decode("ascii")}
            for name, png in images.items()]


def _save(figures: dict[str, Figure | None], directory: Path) -> dict[str, bytes]:
    """Each figure as plots/<name>.png (closing it); returns the PNG bytes by name."""
    (directory / "plots").mkdir(parents=True, exist_ok=True)
    images: dict[str, bytes] = {}
    for name, fig in figures.items():
        if fig is None:
            continue
        try:
            images[name] = png_bytes(fig)
        finally:
            plots.close(fig)
        (directory / "plots" / f"{name}.png").write_bytes(images[name])
    return images


def _write(directory: Path, html: str) -> Path:
    path = directory / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


# -- comparison ---------------------------------------------------------------------------------------

COMPARE_CAPTIONS = {
    "differences": "Every KPI (all cargo) of each scenario minus the baseline, one panel per KPI on its own scale in "
                   "its unit, with the paired 95 % CI (common random numbers: the noise both runs share cancels) and "
                   "the % of the baseline's mean where it has one; coloured where the CI excludes 0.",
    "backlog": "Before/after: wagons at the border not yet unloaded, daily mean, each scenario (mean of the "
               "replications; band 5–95 %).",
    "held_trains": "Before/after: trains waiting to enter the yard, daily mean, each scenario.",
    "kpi_comparison": "KPIs side by side: each scenario's mean with its 95 % CI (unpaired: each scenario alone).",
}


def difference_rows(result: Comparison, name: str, cargo: str = "all") -> list[list[str]]:
    """The terminal's differences table as cells: KPI, unit, both means, paired difference, unpaired CI."""
    notes: dict[str, str] = {}
    for scen in result.scenarios:
        notes |= not_set(scen)
    diff = result.differences()
    return tables.difference_rows(diff, name, cargo, tables.compare_kpis(diff), result.replications, notes)


def window_plot(first: str, last: str) -> str:
    """The name of a window's differences figure (plots/differences_2024-01-02_2024-01-20.png)."""
    return f"differences_{first}_{last}"


def _window_rows(diff: pd.DataFrame, first: str, last: str) -> pd.DataFrame:
    return diff[(diff["from"] == first) & (diff["to"] == last)]


def write_compare_report(result: Comparison, directory: str | os.PathLike[str]) -> Path:
    """plots/ and report.html of a comparison, into `directory`."""
    d = Path(directory)
    summaries = {name: result.summary().query("scenario == @name") for name in result.names}
    windowed = result.window_differences()
    spans = result.window_spans()
    images = _save({
        "differences": compare_plots.differences(result, period=tables.comparison_period(result.scenarios,
                                                                                          result.names)),
        **{window_plot(lo, hi): compare_plots.differences(
            result, tables.WINDOW_SHOWN, diff=_window_rows(windowed, lo, hi),
            period=tables.window_over(lo, hi).removeprefix("; ")) for lo, hi in spans},
        "backlog": compare_plots.daily_overlay(result, "backlog_mean"),
        "held_trains": compare_plots.daily_overlay(result, "held_trains_mean"),
        "kpi_comparison": plots.kpi_comparison(summaries),
    }, d)
    captions = {**COMPARE_CAPTIONS, **{window_plot(lo, hi): f"As the first figure, over the window {lo} to {hi} "
                                       "(both included): KPIs from the daily series, as `dostyk run --window` "
                                       "gives them." for lo, hi in spans}}
    base = result.scenarios[0].to_dict()
    scenarios = [{"label": name, "name": scen.name, "description": " ".join(scen.description.split()),
                  "changes": changes_from(base, scen.to_dict()) if i else []}
                 for i, (name, scen) in enumerate(zip(result.names, result.scenarios))]
    out_tables = [{"title": f"{name} − {result.baseline} (all cargo"
                        f"{kpis_over(result.scenarios[0], scen, result.baseline, name)})",
               "header": tables.difference_header(result.baseline, name),
               "rows": difference_rows(result, name)} for name, scen in zip(result.names[1:], result.scenarios[1:])]
    out_tables += [{"title": f"{name} − {result.baseline} (all cargo{tables.window_over(lo, hi)})",
                    "header": tables.difference_header(result.baseline, name),
                    "rows": tables.difference_rows(_window_rows(windowed, lo, hi), name, "all", tables.WINDOW_SHOWN,
                                                   result.replications)}
                   for lo, hi in spans for name in result.names[1:]]
    meta = result.metadata
    html = template_environment().get_template(TEMPLATE).render(
        title=f"Comparison: {' vs '.join(result.names)}", kind="compare", scenarios=scenarios, levers=[],
        tables=out_tables, notes=[tables.VERDICT_NOTE], figures=_embed(images, captions), meta=meta,
        facts=[("baseline", result.baseline), ("replications per scenario (paired)", f"{result.replications:,}"),
               ("seed (every scenario)", str(result.seed)), ("dostyk-sim version", meta.get("version", "")),
               ("created (UTC)", meta.get("created", ""))],
        intro=("Every scenario ran the same replications with the same seed, so replication r of each saw the same "
               "demand, transit times, breakdowns and wind (common random numbers). Differences are taken replication "
               "by replication; their paired 95 % CI is shown next to the wider unpaired one."),
    )
    return _write(d, html)


# -- sweep ----------------------------------------------------------------------------------------------

def sweep_rows(result: SweepResult, cargo: str = "all") -> tuple[list[str], list[list[str]], bool]:
    """Header and one row per grid point: its lever values, then each sweep KPI 'mean ± CI' with its unit."""
    summary = result.summary()
    kpis = [k for k in SWEEP_KPIS if k in set(summary["kpi"])]
    return tables.sweep_rows(summary, result.points(), kpis, cargo, result.replications, not_set(result.scenario),
                             result.scenario)


def write_sweep_report(result: SweepResult, directory: str | os.PathLike[str]) -> Path:
    """plots/ (each KPI against each lever; heat maps for two levers) and report.html of a sweep."""
    d = Path(directory)
    write_sweep_plots(result, d)
    captions: dict[str, str] = {}
    for kpi in PLOT_KPIS:  # in the order write_sweep_plots draws them, named as it names their files
        for lever in result.lever_names:
            captions[plot_name(kpi, lever)] = (f"{kpi_label(kpi)} against {lever} (all cargo): mean over "
                                               f"{result.replications:,} replications with its 95 % CI band")
        captions[f"{kpi}_heatmap"] = f"{kpi_label(kpi)} (all cargo) over the grid of both levers: mean"
    images = {name: (d / "plots" / f"{name}.png").read_bytes() for name in captions
              if (d / "plots" / f"{name}.png").is_file()}
    header, rows, clipped = sweep_rows(result)
    s = result.scenario
    meta = result.metadata
    html = template_environment().get_template(TEMPLATE).render(
        title=f"Sweep: {s.name}", kind="sweep", scenarios=[],
        levers=[(name, ", ".join(str(v) for v in values)) for name, values in result.levers.items()],
        tables=[{"title": f"KPIs of each grid point (all cargo): mean ± 95 % CI over {result.replications:,} "
                          "replications", "header": header, "rows": rows}],
        notes=[CLIPPED_NOTE] if clipped else [], figures=_embed(images, captions), meta=meta,
        facts=[("base scenario", s.name), ("grid points", f"{meta.get('points', len(rows)):,}"),
               ("replications per point", f"{result.replications:,}"), ("seed (every point)", str(result.seed)),
               ("dostyk-sim version", meta.get("version", "")), ("created (UTC)", meta.get("created", ""))],
        intro=(" ".join(s.description.split()) + " — " if s.description else "") + (
            "every grid point ran with the same seed, so differences between points come from the levers, not "
            "from luck (common random numbers)."),
    )
    return _write(d, html)
