"""A run's report: `plots/*.png` and one self-contained `report.html` in a results directory.

The HTML embeds every figure as a base64 data URI and carries its own CSS, so it opens offline and
can be mailed as one file. It is rendered from the Jinja2 template `sim/templates/report.html.j2`
(autoescaped: scenario text never becomes markup).
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from sim.analysis.metrics import KPI_DEFINITIONS, ORIGIN_KPIS
from sim.analysis.stats import corridor_rows
from sim.experiments import arguments
from sim.experiments.arguments import ArgumentError
from sim.experiments.atomic import ResultsExistError
from sim.experiments.manifest import Ownership, record
from sim.experiments.results import Results
from sim.reporting import plots, stages
from sim.reporting.check_words import check_in_words, shares_text
from sim.reporting.labels import kpi_bounds
from sim.reporting.numbers import CLIPPED_NOTE, interval, number
from sim.reporting.recovery import recovery_table, unmeasured_note, unrecovered_note
from sim.reporting.tables import NOT_SET, not_set
from sim.scenario.effects import scenario_warnings
from sim.scenario.quoting import argument_in_words
from sim.scenario.yamltext import dump_yaml

TEMPLATE = "report.html.j2"
DPI = 110  # a 10-inch figure is 1100 px wide: sharp in a ~1000 px column, small enough to embed

#: KPIs shown as headline cards (cargo `all`).
HEADLINE = [
    "throughput_t_per_day", "backlog_wagons_max", "held_trains_max", "dwell_h_p90",
    "stop_loading_days", "idle_cost_usd",
]


def fmt(value: Any) -> str:
    """A number for people (sim.reporting.numbers): thousands separated, 4 significant figures, '–' if missing."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    return number(x)


def cell(row: Any, kpi: str, replications: int, notes: dict[str, str]) -> dict[str, Any]:
    """One KPI of one cargo for the page: mean and 95 % CI at the CI's precision, clipped at the KPI's
    bounds (flagged), n when only some replications have a value, 'not set' for a missing input."""
    if kpi in notes:
        return {"mean": NOT_SET, "ci": "", "n": 0, "partial": False, "clipped": False}
    if row is None:
        return {"mean": "–", "ci": "", "n": 0, "partial": False, "clipped": False}
    n = int(row["n"])
    mean, ci, clipped = interval(float(row["mean"]), float(row["ci95_low"]), float(row["ci95_high"]), n,
                                 kpi_bounds(kpi))
    return {"mean": mean, "ci": ci, "n": n, "partial": 0 < n < replications, "clipped": clipped}


def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    return env


def _hours(h: float) -> str:
    if h and h % 24 == 0:
        return f"{h / 24:g} d"
    return f"{h:g} h"


def _dist(d: Any) -> str:
    """A distribution in words, e.g. 'lognormal, mean 20 h'."""
    data = d.model_dump(by_alias=True)
    kind = data.pop("dist", "")
    if kind == "fixed":
        return _hours(float(data["value"]))
    if kind == "empirical":
        return f"empirical ({len(data.get('values', []))} values, mean {d.mean:.3g} h)"
    days = d.mean >= 72  # long times (wagon return, recurrence) read better in days
    scale, unit = (24.0, "days") if days else (1.0, "hours")
    parts = ", ".join(
        f"{k} {v if k == 'cv' else v / scale:.3g}" if isinstance(v, float | int) else f"{k} {v}"
        for k, v in data.items()
    )
    return f"{kind} ({parts}; {unit})"


def parameters(results: Results) -> list[tuple[str, str, str]]:
    """(section, item, value) rows describing the scenario's key parameters."""
    s = results.scenario
    start = pd.Timestamp(s.start)
    end = start + pd.Timedelta(hours=s.duration)
    rows: list[tuple[str, str, str]] = [
        ("Run", "period", f"{plots.period_text(start, end)} ({s.duration / 24:g} days)"),
        ("Run", "warm-up (not counted in KPIs)", _hours(s.warmup) if s.warmup else "none"),
        ("Run", "replications × seed", f"{results.replications} × seed {results.seed}"),
    ]
    for name, c in s.cargo.items():
        dem = s.demand.get(name)
        volume = ""
        if dem is not None:
            volume = (f"{dem.tonnes_per_year:,.0f} t/year" if dem.tonnes_per_year is not None
                      else f"{dem.trains_per_day:g} trains/day")
            volume += f", {dem.arrivals} arrivals"
        rows.append(("Cargo", name, (f"{c.wagons_per_train} wagons × {c.payload_t:g} t, priority {c.priority}; "
                                    f"demand {volume or 'none'}")))
        if s.fleet and name in s.fleet:
            rows.append(("Cargo", f"{name} fleet", f"{s.fleet[name]:,} wagons"))
    if s.loading:
        for name, rate in s.loading.items():
            burst = f", bursts of {rate.burst_wagons:,} wagons" if rate.burst_wagons else ""
            rows.append(("Loading", name, f"at most {rate.wagons_per_day:,.0f} wagons/day formed{burst}"))
    for name, r in (s.routing or {}).items():
        text = ", ".join(f"{x} {w:.0%}" for x, w in r.weights.items())
        for d in r.divert:
            text += (f"; {d.share:.0%} of {d.from_}'s trains to {d.to} while {d.from_}'s backlog is above "
                     f"{d.above_wagons:,} wagons (until below {d.resume_below:,})")
        for rr in r.reroute:
            text += (f"; formed trains waiting at {rr.from_} re-routed to {rr.to} (+{_hours(rr.extra_time)}, "
                     f"{rr.usd_per_wagon:,.0f} USD a wagon)")
        rows.append(("Routing", name, text))
    several = s.crossings is not None
    for crossing, spec in s.crossing_specs():
        at = f"{crossing}: " if several else ""
        rows.append(("Line", f"{at}transit time", _dist(spec.line.transit_time)))
        rows.append(("Line", f"{at}max trains per day", f"{spec.line.max_trains_per_day or 'no limit'}"
                     + (f"; shares {shares_text(spec.line.shares)}" if spec.line.shares else "")))
        rows.append(("Yard", f"{at}capacity",
                     (f"{spec.yard.capacity_wagons:,} wagons" if spec.yard.capacity_wagons else "no limit")
                     + (f"; reserved {shares_text(spec.yard.shares)}" if spec.yard.shares else "")))
        for ch in spec.checks:
            rows.append(("Checks", f"{at}{ch.name}", "; ".join([_dist(ch.time), *check_in_words(ch)])))
        for name, st in (spec.initial_state or {}).items():
            rows.append(("Start", f"{at}{name}", (f"{st.in_yard_wagons:,} wagons in the yard, {st.held_wagons:,} held, "
                                                 f"{st.en_route_wagons:,} en route")))
    for crossing, spec in s.crossing_specs():
        for name, g in spec.unloading.groups.items():
            cap = plots.unloading_capacity_t_per_day(s, name, crossing)
            bd = spec.unloading.breakdowns_of(name)
            text = f"{g.points} points, wagon time {_dist(g.wagon_time)}; nominal {cap:,.0f} t/day"
            if bd is not None:
                text += f"; breakdowns MTBF {_hours(bd.mtbf)}, MTTR {_dist(bd.mttr)}"
            rows.append(("Unloading", name if s.crossings is None else f"{crossing}: {name}", text))
    rows.append(("Empties", "return time", _dist(s.empties.return_time)))
    for dis in s.disruptions:
        if dis.recurring:
            when = f"random: every {_dist(dis.every)}, lasts {_dist(dis.lasts)}"
        else:
            when = plots.period_text(pd.Timestamp(dis.from_), pd.Timestamp(dis.to))
        effect = []
        if dis.capacity != 1.0:
            effect.append(f"capacity ×{dis.capacity:g}")
        if dis.time_factor != 1.0:
            effect.append(f"time ×{dis.time_factor:g}")
        if dis.ref.is_ban:
            effect.append(f"trains not loaded are {'lost' if dis.on_halt == 'lose' else 'deferred'}")
        rows.append(("Disruptions", dis.name, f"{dis.target}: {', '.join(effect) or 'no effect'}; {when}"))
    sl = s.policies.stop_loading
    if sl is not None:
        rows.append(("Policies", "stop loading",
                     (f"{', '.join(sl.cargo)}: halt above {sl.above_wagons:,} wagons, resume below "
                     f"{sl.resume_below:,}; halted tonnes {sl.on_halt}")))
    cost = s.costs.wagon_day_usd
    rows.append(("Costs", "wagon-day", f"{number(cost)} USD" if cost is not None else f"{NOT_SET} (costs.wagon_day_usd)"))
    return rows


def kpi_table(results: Results, summary: pd.DataFrame | None = None,
              crossing: str | None = None) -> tuple[list[str], list[dict[str, Any]]]:
    """Cargo columns and one row per KPI with each cargo's mean and 95 % CI (as in summary.csv), at
    one crossing (default: the whole corridor)."""
    summary = results.summary() if summary is None else summary
    if "crossing" in summary.columns:
        summary = summary[summary["crossing"] == (crossing or results.corridor)]
    if crossing is not None:  # the origin's KPIs have no value at one crossing among several
        summary = summary[~summary["kpi"].isin(ORIGIN_KPIS)]
    cargos = list(dict.fromkeys(summary["cargo"]))
    n_reps = results.replications
    notes = not_set(results.scenario)
    by = {(r["kpi"], r["cargo"]): r for r in summary.to_dict("records")}
    rows = []
    for kpi in dict.fromkeys(summary["kpi"]):
        cells = [cell(by.get((kpi, c)), kpi, n_reps, notes) for c in cargos]
        base = kpi.split(".")[0]
        definition = KPI_DEFINITIONS.get(kpi, KPI_DEFINITIONS.get(base, ""))
        if "." in kpi:
            definition = f"{definition} — window {kpi.split('.', 1)[1]!r} only"
        rows.append({"kpi": kpi, "unit": plots.kpi_unit(kpi), "definition": definition, "cells": cells})
    return cargos, rows


def png_bytes(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def render(results: Results, images: dict[str, bytes]) -> str:
    """The report's HTML, with `images` (file stem -> PNG bytes) embedded."""
    summary = results.summary()
    cargos, rows = kpi_table(results, summary)
    crossing_tables = []
    if len(results.crossings) > 1:
        for name in results.crossings:
            c, r = kpi_table(results, summary, name)
            crossing_tables.append({"name": name, "cargos": c, "rows": r})
    summary = corridor_rows(summary)
    meta = dict(results.metadata)
    figures = [
        {"name": name, "caption": plots.FIGURE_CAPTIONS.get(name, ""),
         "data": base64.b64encode(png).decode("ascii")}
        for name, png in images.items()
    ]
    notes = not_set(results.scenario)
    by = {(r["kpi"], r["cargo"]): r for r in summary.to_dict("records")}
    headline = [{"kpi": kpi, "unit": plots.kpi_unit(kpi), **cell(by[(kpi, "all")], kpi, results.replications, notes)}
                for kpi in HEADLINE if (kpi, "all") in by]
    s = results.scenario
    total = cargos.index("all") if "all" in cargos else len(cargos) - 1
    recovery = [{"window": row["kpi"].split(".", 1)[1], "cell": row["cells"][total]}
                for row in rows if row["kpi"].startswith("recovery_days.")]
    waiting_table = stages.where_trains_wait(results)
    command = f"dostyk run scenario.yaml --seed {results.seed} --replications {results.replications}"
    return template_environment().get_template(TEMPLATE).render(
        scenario=s,
        description=" ".join(s.description.split()),
        warnings=[f"{path}: {message}" for path, message in scenario_warnings(s)],
        parameters=parameters(results),
        cargos=cargos,
        rows=rows,
        crossing_tables=crossing_tables,
        headline=headline,
        recovery=recovery,
        unrecovered=unrecovered_note(recovery_table(summary, results.replications)),
        unmeasured=unmeasured_note(s),
        figures=figures,
        meta=meta,
        waiting=stages.table_rows(waiting_table, results),
        binding=stages.binding_text(waiting_table),
        clipped_note=CLIPPED_NOTE if any(c["clipped"] for row in rows for c in row["cells"]) else "",
        replications=results.replications,
        seed=results.seed,
        command=command,
        scenario_yaml=dump_yaml(s.to_dict()),
    )


def write_report(results: Results, directory: str | os.PathLike[str]) -> Path:
    """Write `plots/*.png` and `report.html` into `directory`; returns the report's path.

    Called by `Results.write` on its temporary directory, so a run's report appears atomically
    with the rest of its results.
    """
    if not isinstance(results, Results):  # write_report("out", results) wrote nothing useful before failing
        raise ArgumentError(f"write_report takes the Results of sim.run, then the directory; got "
                            f"{argument_in_words(results)} first")
    arguments.path("directory", directory, "the directory to write the report into")
    d = Path(directory)
    (d / "plots").mkdir(parents=True, exist_ok=True)
    images: dict[str, bytes] = {}
    for name, fig in plots.iter_report_figures(results):
        try:
            images[name] = png_bytes(fig)
        finally:
            plots.close(fig)
        (d / "plots" / f"{name}.png").write_bytes(images[name])
    html = render(results, images)
    (d / "report.html").write_text(html, encoding="utf-8")
    return d / "report.html"


def rebuild_report(directory: str | os.PathLike[str]) -> Path:
    """Re-make `plots/` and `report.html` of a results directory from its files (`dostyk report`).

    Everything is written into a temporary directory first; then each new plot and `report.html`
    is renamed into place. Only the report's own files are replaced (those in metadata.json's list,
    or for an older directory `report.html` and `plots/*.png`): a file of the user's in `plots/` is
    kept, and one with the name of a new plot is refused before anything is replaced. A plot this
    version no longer draws is deleted only when the list says it is dostyk's.
    """
    d = Path(directory)
    results = Results.read(d)
    _refuse_theirs(d, ["report.html", *(f"plots/{name}.png" for name in plots.FIGURE_CAPTIONS)])  # before drawing
    tmp = Path(tempfile.mkdtemp(prefix=".report.", suffix=".partial", dir=d))
    try:
        write_report(results, tmp)
        new = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        own = Ownership.of(d)
        _refuse_theirs(d, new)
        listed = own.manifest("metadata.json") is not None  # an older directory: no plot is surely ours to delete
        old = [rel for rel in ["report.html", *(f"plots/{p.name}" for p in (d / "plots").glob("*"))]
               if listed and (d / rel).is_file() and own.owns(rel) and rel not in new]
        (d / "plots").mkdir(exist_ok=True)
        for rel in new:
            os.replace(tmp / rel, d / rel)
        for rel in old:  # a plot this version no longer draws
            (d / rel).unlink(missing_ok=True)
        record(d, new, removed=old)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return d / "report.html"


def _refuse_theirs(d: Path, names: list[str]) -> None:
    """Refuse when a file of the user's (not in the list of files dostyk wrote) has one of these names."""
    own = Ownership.of(d)
    theirs = [rel for rel in [*names, "plots"] if (d / rel).is_symlink()
              or ((d / rel).exists() and rel != "plots" and not own.owns(rel))
              or (rel == "plots" and (d / rel).exists() and not (d / rel).is_dir())]
    if theirs:
        raise ResultsExistError(f"{d / theirs[0]} was not written by dostyk, and the report would replace it; "
                                f"`dostyk report` rewrites only its own plots and report.html: move it away "
                                f"and run again")
