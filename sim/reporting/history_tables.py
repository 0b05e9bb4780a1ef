"""The history validation table (sim.decision.history) as Markdown (docs/validation.md) and a self-contained page."""

from __future__ import annotations

import datetime as dt
import html
import math
from typing import Any

import pandas as pd

from sim.decision.agreement import AGREES, DISAGREES, UNDECIDED
from sim.decision.history import agreement_text
from sim.reporting.numbers import number
from sim.reporting.terminal import table as terminal_table

COLUMNS = ["episode", "figure", "observed", "tolerance", "model mean (95 % CI)", "verdict (CI against tolerance)",
           "used for"]


def _num(x: Any, digits: int = 4) -> str:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return str(x)
    return number(value, digits) if math.isfinite(value) else "–"


def band_text(low: float, high: float) -> str:
    """An observed band as a table shows it: '2,000 – 4,000', or '≥ 360' / '≤ 6' for a one-sided figure
    (its open side is NaN, or ±inf)."""
    lo, hi = float(low), float(high)
    if not math.isfinite(hi) and math.isfinite(lo):
        return f"≥ {_num(lo, 7)}"
    if not math.isfinite(lo) and math.isfinite(hi):
        return f"≤ {_num(hi, 7)}"
    return f"{_num(lo, 7)} – {_num(hi, 7)}"


def _used(row: pd.Series) -> str:
    fitted = row.get("fitted")   # "" when declared, NaN when read back from history.csv
    return f"{row['role']}: {fitted}" if isinstance(fitted, str) and fitted else str(row["role"])


def history_rows(table: pd.DataFrame) -> list[list[str]]:
    """One row of text per figure; without model columns (declarations only) the model cells say so."""
    rows = []
    for _, r in table.iterrows():
        tolerance = band_text(r["tolerance_low"], r["tolerance_high"])
        sided = r.get("sided", "two-sided")
        observed = f"{sided} {_num(r['observed'], 7)}" if sided in ("at least", "at most") else _num(r["observed"], 7)
        if "model_mean" in table.columns:
            model = f"{_num(r['model_mean'])} ({_num(r['model_ci95_low'])} – {_num(r['model_ci95_high'])})"
            said = agreement_text(r)
            verdict = f"**{said}**" if said != AGREES else said
        else:
            model, verdict = "not run", "–"
        rows.append([str(r["episode"]), str(r["figure"]), observed, tolerance, model, verdict, _used(r)])
    return rows


def history_text(table: pd.DataFrame) -> str:
    """The table for the terminal (the shared printer fits it to its width; the Markdown's rows ran to 110
    columns and more, and marked a verdict with asterisks)."""
    rows = [[cell.replace("**", "") for cell in row] for row in history_rows(table)]
    return terminal_table(COLUMNS, rows, right_from=2, left_from=5) + "\n"


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
        shown = row[5].replace("**", "")
        kind = "fail" if shown == DISAGREES else "open" if shown.startswith(UNDECIDED) else "ok"
        cells = "".join(f"<td>{html.escape(c.replace('**', ''))}</td>" for c in row)
        body.append(f'<tr class="{kind}">{cells}</tr>')
    run = html.escape(", ".join(f"{k}: {v}" for k, v in metadata.items() if not isinstance(v, (dict, list))))
    said = metadata.get("verdict")
    verdict = (f'<p class="verdict"><b>Verdict</b> (held-out figures only): {html.escape(said["text"])}</p>'
               if isinstance(said, dict) else "")
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>History replays: observed against the model</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:80em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}}
tr.fail td{{background:#fdd}}tr.open td{{background:#ffe9b3}}</style></head><body>
<h1>History replays: observed against the model</h1>
<p>Each row is an observed figure declared by a replay in <code>scenarios/history/</code>
(<code>evidence/NAME.yaml</code>), with its tolerance fixed before the run. <b>Used for</b>: a
<i>fitted</i> figure set a parameter (named) and so validates nothing; a <i>held out</i> figure is
predicted by a corridor fitted on other figures — only these decide whether the model passes; a
<i>check</i> holds by construction. The model's mean and 95 % confidence interval are over the
replications below. <b>Verdict</b>: the model <i>agrees</i> when that whole interval lies inside the
tolerance (for a one-sided figure, on its side of the bound), <i>disagrees</i> when it lies entirely
outside, and is <i>undecided — more replications</i> when it straddles an edge (with about how many
replications would decide): fewer replications widen the interval and can only make a figure
undecided, never make it agree.</p>
{verdict}
<table><thead><tr>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table>
<p>Run: {run}. Written {when}.</p>
</body></html>
"""
