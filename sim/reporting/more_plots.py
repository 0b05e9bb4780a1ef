"""Nelson's MORE plot ("Measure of Risk and Error") of a named experiment.

For each scenario, on one axis: the spread of its per-replication outcomes (a box from the 5th to
the 95th percentile, the median, and every replication as a dot) and the 95 % confidence interval
of its mean. The spread is the risk a single future period carries; the CI is the error of our
estimate of the mean. Reading both at once stops a decision resting on a mean whose outcomes
overlap widely (Nelson 2008, "The MORE plot").

Functions return matplotlib Figures (Agg, no pyplot); the caller closes them.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.stats import t_halfwidth
from sim.reporting.figures import compact, figure
from sim.reporting.labels import kpi_label


def more_plot(values: pd.DataFrame, names: Sequence[str], kpis: Sequence[str], title: str) -> Figure | None:
    """One panel per KPI: each scenario's outcomes (5–95 % box, median, dots) and its mean's 95 % CI.

    `values` has columns scenario, replication and the KPIs (one cargo, one crossing). None when no
    KPI has a value.
    """
    shown = [k for k in kpis if k in values.columns and values[k].notna().any()]
    if not shown:
        return None
    fig = figure(1.2 + len(shown) * (0.45 * len(names) + 0.9))
    axes = fig.subplots(len(shown), 1, squeeze=False).ravel()
    y = np.arange(len(names))
    rng = np.random.default_rng(0)  # jitter only: the same picture every time
    for ax, kpi in zip(axes, shown):
        for i, name in enumerate(names):
            v = values.loc[values["scenario"] == name, kpi].astype(float).dropna().to_numpy()
            if not len(v):
                continue
            low, med, high = np.percentile(v, [5, 50, 95])
            ax.barh(i, high - low, left=low, height=0.5, color="#c6dbef", edgecolor="#6baed6",
                    label="5–95 % of replications" if i == 0 else None, gid=f"spread:{name}")
            ax.plot([med, med], [i - 0.25, i + 0.25], color="#3182bd", linewidth=1.2,
                    label="median" if i == 0 else None)
            ax.scatter(v, i + rng.uniform(-0.18, 0.18, len(v)), s=9, color="#555555", alpha=0.6, zorder=3,
                       label="one replication" if i == 0 else None)
            mean = float(v.mean())
            half = t_halfwidth(float(v.std(ddof=1)) if len(v) > 1 else math.nan, len(v), 0.95)
            ax.errorbar([mean], [i], xerr=[[half if math.isfinite(half) else 0.0]] * 2, fmt="D", color="#d62728",
                        markersize=5, capsize=4, linewidth=2, zorder=4, label="mean, 95 % CI" if i == 0 else None,
                        gid=f"ci:{name}")
        ax.set_yticks(y, [textwrap.shorten(f"{n} (baseline)" if j == 0 else n, 48) for j, n in enumerate(names)],
                      fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(kpi_label(kpi))
        lims = [v for v in ax.get_xlim() if math.isfinite(v)]
        ax.xaxis.set_major_formatter(compact(max([abs(v) for v in lims] + [0.0])))
        ax.grid(True, axis="x", alpha=0.3)
    axes[0].legend(fontsize=7, loc="best", ncols=2)
    fig.suptitle(title, fontsize=10)
    return fig
