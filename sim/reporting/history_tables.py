"""The history validation table (sim.decision.history) as Markdown (docs/validation.md) and a self-contained page."""

from __future__ import annotations

import datetime as dt
import html
import math
from typing import Any

import pandas as pd

from sim.reporting.numbers import number

COLUMNS = ["episode", "figure", "observed", "tolerance", "model mean (95 % CI)", "inside", "used for"]


def _num(x: Any, digits: int = 4) -> str:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return str(x)
    return number(value, digits) if math.isfinite(value) else "–"


def _used(row: pd.Series) -> str:
    fitted = row.get("fitted")   # "" when declared, NaN when read back from history.csv
    return f"{row['role']}: {fitted}" if isinstance(fitted, str) and fitted else str(row["role"])


def history_rows(table: pd.DataFrame) -> list[list[str]]:
    """One row of text per figure; without model columns (declarations only) the model cells say so."""
    rows = []
    for _, r in table.iterrows():
        tolerance = f"{_num(r['tolerance_low'], 7)} – {_num(r['tolerance_high'], 7)}"
        if "model_mean" in table.columns:
            model = f"{_num(r['model_mean'])} ({_num(r['model_ci95_low'])} – {_num(r['model_ci95_high'])})"
            inside = "yes" if bool(r["inside_tolerance"]) else "**no**"
        else:
            model, inside = "not run", "–"
        rows.append([str(r["episode"]), str(r["figure"]), _num(r["observed"], 7), tolerance, model, inside, _used(r)])
    return rows


def history_markdown(table: pd.DataFrame) -> str:
    """The table in Markdown (docs/validation.md's "History replays" table is this text)."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in history_rows(table)]
    return "\n".join(lines) + "\n"


def history_html(table: pd.DataFrame, metadata: dict[str, Any]) -> str:
    """A self-contained page: the table, what each column means, and how it was run."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = []
    for row in history_rows(table):
        bad = row[5] != "yes" and row[5] != "–"
        cells = "".join(f"<td>{html.escape(c.replace('**', ''))}</td>" for c in row)
        body.append(f'<tr class="{"fail" if bad else "ok"}">{cells}</tr>')
    run = html.escape(", ".join(f"{k}: {v}" for k, v in metadata.items() if not isinstance(v, (dict, list))))
    said = metadata.get("verdict")
    verdict = (f'<p class="verdict"><b>Verdict</b> (held-out figures only): {html.escape(said["text"])}</p>'
               if isinstance(said, dict) else "")
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>History replays: observed against the model</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:80em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}}
tr.fail td{{background:#fdd}}</style></head><body>
<h1>History replays: observed against the model</h1>
<p>Each row is an observed figure declared by a replay in <code>scenarios/history/</code>
(<code>evidence/NAME.yaml</code>), with its tolerance fixed before the run. <b>Used for</b>: a
<i>fitted</i> figure set a parameter (named) and so validates nothing; a <i>held out</i> figure is
predicted by a corridor fitted on other figures — only these decide whether the model passes; a
<i>check</i> holds by construction. The model's mean and 95 % confidence interval are over the
replications below; <b>inside</b> says whether the mean lies within the tolerance.</p>
{verdict}
<table><thead><tr>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table>
<p>Run: {run}. Written {when}.</p>
</body></html>
"""
