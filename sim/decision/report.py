"""Output directories of calibrate, optimize and sensitivity, and the tables printed for analysts.

Directories are written atomically (sim/atomic.py): a reader sees the old directory or the new
complete one; an existing one is replaced only with force. Printed numbers carry units and
thousands separators and never use e-notation.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.atomic import atomic_directory, write_scenario_yaml
from sim.results import package_version
from sim.scenario import Scenario


def write_tables(out: str | os.PathLike[str], force: bool, tables: dict[str, pd.DataFrame], metadata: dict[str, Any],
                 meta_name: str, scenario: tuple[str, Scenario] | None = None,
                 figures: Callable[[Path], None] | None = None) -> Path:
    """One results directory: CSV tables, a JSON of metadata, an optional scenario YAML and plots/."""
    with atomic_directory(out, force) as tmp:
        for name, frame in tables.items():
            frame.to_csv(tmp / name, index=False)
        meta = {**metadata, "version": package_version()}
        (tmp / meta_name).write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
        if scenario is not None:
            write_scenario_yaml(tmp / scenario[0], scenario[1])
        if figures is not None:
            figures(tmp / "plots")
    return Path(out)


def num(x: Any, digits: int = 4) -> str:
    """`digits` significant figures with thousands separators and no exponent ('–' when missing)."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(x):
        return "–"
    if x == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(x)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{round(x, decimals):,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if decimals else text


def pm(mean: float, half: float) -> str:
    """'mean ± half' (just the mean when the half-width is unknown)."""
    if not math.isfinite(mean):
        return "–"
    return f"{num(mean)} ± {num(half, 2)}" if math.isfinite(half) else num(mean)


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with columns padded to their widest cell."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *cells)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(header, widths)), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(x.ljust(w) for x, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def unit_of(kpi: str) -> str:
    """The unit of a whole-run, window or at-date KPI (or the lever cost)."""
    from sim.plots import kpi_unit
    from sim.window import window_unit

    if kpi in ("lever_cost_usd", "total_cost_usd"):
        return "USD"
    return kpi_unit(kpi) or window_unit(kpi)
