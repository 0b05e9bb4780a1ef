"""Across-replication statistics: mean, standard deviation and Student-t confidence intervals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def ci_columns(level: float) -> tuple[str, str]:
    """The columns of a CI's bounds, named after its level: ("ci95_low", "ci95_high") at 0.95 (the names
    users' code and saved files read), ("ci90_low", "ci90_high") at 0.9, ("ci97.5_low", …) at 0.975.
    A table at 0.9 said `ci95_*` before, whatever level it was computed at."""
    percent = 100 * float(level)
    name = f"{percent:.12g}"  # 12 digits hide float noise (0.07 is 7.000000000000001 %) and keep 99.99999
    if float(name) in (0.0, 100.0):  # a level of 1e-300 or 1 - 1e-14: named ci0_* / ci100_*, a CI it is not
        name = repr(percent)
    return f"ci{name}_low", f"ci{name}_high"


def t_quantile(p: Any, df: Any) -> Any:
    """Student's t quantile (float, or an array for arrays): scipy.stats.t.ppf's own function, from
    scipy.special, since scipy.stats costs ~0.8 s more to import (its docstrings are parsed on import),
    paid by every command that prints a CI and at the end of every search; worker processes that only
    simulate never import either."""
    from scipy.special import stdtrit

    out = stdtrit(df, p)
    return float(out) if np.ndim(out) == 0 else out


def t_halfwidth(sd: float, n: int, level: float = 0.95) -> float:
    """Half-width of the two-sided Student-t confidence interval of a mean."""
    if n < 2 or not np.isfinite(sd):
        return float("nan")
    return float(t_quantile(0.5 + level / 2, n - 1) * sd / np.sqrt(n))


def summarise(kpis: pd.DataFrame, by: list[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """Long table: one row per group (default cargo) and KPI with n, mean, sd and CI bounds.

    A `crossing` column, when there is one, always groups too (after `cargo`; rows come crossing by
    crossing). NaN replications (e.g. no disruption recovered) are left out of that KPI's n. The CI's
    columns say its `level` (ci_columns: ci95_low, ci95_high at 0.95).
    """
    by = list(by or ["cargo"])
    if "crossing" in kpis.columns and "crossing" not in by:
        by.insert(by.index("cargo") + 1 if "cargo" in by else len(by), "crossing")
    value_cols = [c for c in kpis.columns if c not in by and c != "replication"]
    long = kpis.melt(id_vars=by, value_vars=value_cols, var_name="kpi", value_name="value")
    order = {name: i for i, name in enumerate(value_cols)}
    low, high = ci_columns(level)
    rows = []
    for keys, group in long.groupby([*by, "kpi"], sort=False):
        values = group["value"].astype(float).dropna().to_numpy()
        n = len(values)
        mean = float(values.mean()) if n else float("nan")
        sd = float(values.std(ddof=1)) if n > 1 else float("nan")
        half = t_halfwidth(sd, n, level)
        keys = keys if isinstance(keys, tuple) else (keys,)
        rows.append({**dict(zip([*by, "kpi"], keys)), "n": n, "mean": mean, "sd": sd,
                     low: mean - half, high: mean + half})
    out = pd.DataFrame(rows)
    out["_order"] = out["kpi"].map(order)
    for col in by:  # keep groups in their order of first appearance (cargo as in the scenario)
        first = {v: i for i, v in enumerate(dict.fromkeys(kpis[col]))}
        out[f"_{col}"] = out[col].map(first)
    keys = [f"_{col}" for col in by] + ["_order"]
    if "_crossing" in keys and "_cargo" in keys:  # crossing by crossing, cargo within
        keys.remove("_crossing")
        keys.insert(keys.index("_cargo"), "_crossing")
    out = out.sort_values(by=keys, kind="stable").drop(columns=keys)
    return out.reset_index(drop=True)


def corridor_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the whole corridor: `crossing == 'all'` with several crossings, every row with one
    (or without a `crossing` column, as in results written before crossings existed)."""
    if "crossing" not in frame.columns:
        return frame
    names = frame["crossing"].unique()
    if len(names) <= 1:
        return frame
    return frame[frame["crossing"] == "all"]
