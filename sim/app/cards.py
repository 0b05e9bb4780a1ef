"""The page's figures of one set of results, as HTML: KPI cards (mean ± 95 % CI) and the paired
differences of a variant against its baseline (common random numbers: same seed, same replication)."""

from __future__ import annotations

import math

import pandas as pd

from sim.analysis.stats import t_halfwidth
from sim.experiments.results import Results

#: KPIs on the cards, with their units
CARDS = (("backlog_wagons_mean", "wagons"), ("backlog_wagons_max", "wagons"), ("held_trains_mean", "trains"),
         ("dwell_h_mean", "h"), ("tonnes_delivered", "t"), ("stop_loading_days", "days"))


def kpi_cards(results: Results) -> str:
    """The corridor's KPIs for all cargo: mean ± 95 % CI half-width, as HTML cards."""
    cells = []
    for kpi, unit in CARDS:
        if kpi not in results.kpis:
            continue
        values = results.kpi(kpi).dropna()
        if values.empty:
            text, ci = "–", ""
        else:
            half = t_halfwidth(float(values.std(ddof=1)), len(values)) if len(values) > 1 else math.nan
            text = f"{values.mean():,.1f}" if abs(values.mean()) < 100 else f"{values.mean():,.0f}"
            ci = f"± {half:,.1f}" if math.isfinite(half) else "n too small for a CI"
        cells.append(f"<div class='card' data-kpi='{kpi}'><div class='kpi'>{kpi}</div>"
                     f"<div class='mean'>{text}</div><div class='ci'>{ci} {unit}</div></div>")
    style = ("<style>.cards{display:flex;gap:8px;flex-wrap:wrap}.card{border:1px solid #b8c4d3;border-radius:6px;"
             "padding:8px 12px;min-width:150px}.card .kpi{font-size:.8em;color:#555}.card .mean{font-size:1.6em;"
             "font-weight:600}.card .ci{font-size:.8em}</style>")
    return style + "<div class='cards'>" + "".join(cells) + "</div>"


def paired_differences(results: Results, baseline: Results) -> pd.DataFrame:
    """Variant minus baseline per replication (same seed: common random numbers), mean ± 95 % CI."""
    rows = []
    for kpi, unit in CARDS:
        if kpi not in results.kpis or kpi not in baseline.kpis:
            continue
        diff = (results.kpi(kpi) - baseline.kpi(kpi)).dropna()
        if diff.empty:
            continue
        half = t_halfwidth(float(diff.std(ddof=1)), len(diff)) if len(diff) > 1 else math.nan
        rows.append({"kpi": kpi, "unit": unit, "difference": diff.mean(), "ci95": half, "pairs": len(diff)})
    return pd.DataFrame(rows)


def differences_html(table: pd.DataFrame) -> str:
    """The paired differences as an HTML table: mean ± 95 % CI half-width, with the unit and n."""
    rows = "".join(
        f"<tr data-kpi='{r.kpi}'><td>{r.kpi}</td><td style='text-align:right'>{r.difference:+,.1f}</td>"
        f"<td>{'± ' + format(r.ci95, ',.1f') if math.isfinite(r.ci95) else 'n too small'}</td>"
        f"<td>{r.unit}</td><td>{r.pairs}</td></tr>" for r in table.itertuples())
    return ("<table class='paired-differences'><tr><th>KPI</th><th>variant − baseline</th><th>95 % CI</th>"
            f"<th>unit</th><th>pairs</th></tr>{rows}</table>")
