"""The page's figures of one set of results, as HTML: KPI cards (mean ± 95 % CI) and the paired
differences of a variant against its baseline (common random numbers: same seed, same replication)."""

from __future__ import annotations

import html
import math

import pandas as pd

from sim.analysis.stats import t_halfwidth
from sim.experiments import compare
from sim.experiments.results import Results
from sim.reporting.labels import kpi_bounds
from sim.reporting.numbers import interval
from sim.reporting.tables import difference_cell

#: KPIs on the cards, with their units
CARDS = (("backlog_wagons_mean", "wagons"), ("backlog_wagons_max", "wagons"), ("held_trains_mean", "trains"),
         ("dwell_h_mean", "h"), ("tonnes_delivered", "t"), ("stop_loading_days", "days"))
UNITS = dict(CARDS)
#: the two runs' names in the comparison's table (the page's heading names their scenarios)
BASELINE, VARIANT = "baseline", "variant"


def kpi_cards(results: Results) -> str:
    """The corridor's KPIs for all cargo as HTML cards: mean ± 95 % CI half-width, or the CI's ends where it
    is clipped at the KPI's bounds as the tables clip it (a few days of stop-loading is never '0.3 ± 0.5')."""
    cells = []
    for kpi, unit in CARDS:
        if kpi not in results.kpis:
            continue
        values = results.kpi(kpi).dropna()
        if values.empty:
            text, ci = "–", ""
        else:
            mean = float(values.mean())
            half = t_halfwidth(float(values.std(ddof=1)), len(values)) if len(values) > 1 else math.nan
            text = f"{mean:,.1f}" if abs(mean) < 100 else f"{mean:,.0f}"
            _, ends, clipped = interval(mean, mean - half, mean + half, len(values), kpi_bounds(kpi))
            ci = (f"95 % CI {ends}" if clipped else f"± {half:,.1f}") if math.isfinite(half) else "n too small for a CI"
        cells.append(f"<div class='card' data-kpi='{kpi}'><div class='kpi'>{kpi}</div>"
                     f"<div class='mean'>{text}</div><div class='ci'>{ci} {unit}</div></div>")
    style = ("<style>.cards{display:flex;gap:8px;flex-wrap:wrap}.card{border:1px solid #b8c4d3;border-radius:6px;"
             "padding:8px 12px;min-width:150px}.card .kpi{font-size:.8em;color:#555}.card .mean{font-size:1.6em;"
             "font-weight:600}.card .ci{font-size:.8em}</style>")
    return style + "<div class='cards'>" + "".join(cells) + "</div>"


def paired_differences(results: Results, baseline: Results) -> pd.DataFrame:
    """Variant minus baseline per replication (same seed: common random numbers) for the cards' KPIs in
    both: `dostyk compare`'s paired differences (sim.experiments.compare), its CI and verdict included."""
    shown = [kpi for kpi, _ in CARDS if kpi in results.kpis and kpi in baseline.kpis]
    if not shown:
        return pd.DataFrame()
    kpis = pd.concat([r.kpis[r.kpis["cargo"] == "all"].assign(scenario=name)
                      for r, name in ((baseline, BASELINE), (results, VARIANT))], ignore_index=True)
    diff = compare.paired_differences(kpis, BASELINE, [BASELINE, VARIANT], shown)
    return diff.sort_values("kpi", key=lambda k: k.map(shown.index), kind="stable").reset_index(drop=True)


def differences_html(table: pd.DataFrame, replications: int) -> str:
    """The paired differences as an HTML table: mean ± 95 % CI half-width, the unit, the pairs and the
    verdict, in `dostyk compare`'s numbers and words (sim.reporting.tables.difference_cell)."""
    rows = "".join(
        f"<tr data-kpi='{r['kpi']}'><td>{r['kpi']}</td><td class='difference' style='text-align:right'>"
        f"{html.escape(difference_cell(r['difference'], r['ci95_low'], r['ci95_high'], int(r['n']), replications, r['kpi']))}"
        f"</td><td>{UNITS[r['kpi']]}</td><td style='text-align:right'>{int(r['n'])}</td>"
        f"<td class='verdict'>{html.escape(r['verdict'])}</td></tr>" for r in table.to_dict("records"))
    return ("<table class='paired-differences'><tr><th>KPI</th><th>variant − baseline ± 95 % CI (paired)</th>"
            f"<th>unit</th><th>pairs</th><th>verdict (95 %)</th></tr>{rows}</table>")
