"""The input-analysis figure: observed durations as a histogram, each fitted density over it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.input_fit import Fit
from sim.reporting.figures import figure


def fitted_densities(values: Sequence[float], fits: Sequence[Fit], unit: str, title: str) -> Figure:
    """Histogram of the observations (as a density) with the fitted candidates, best first in the legend."""
    x = np.asarray(values, dtype=float)
    fig = figure(4.5)
    ax = fig.add_subplot()
    ax.hist(x, bins="auto", density=True, color="#c8d3e0", edgecolor="#8a9bb0", label=f"observed (n = {len(x):,})")
    grid = np.linspace(max(0.0, float(x.min()) - 0.1 * float(np.ptp(x))), float(x.max()) + 0.1 * float(np.ptp(x)), 400)
    for rank, fit in enumerate(fits):
        label = f"{fit.dist} (AIC {fit.aic:,.1f}, p = {fit.p_value:.3f})"
        ax.plot(grid, fit.frozen.pdf(grid), linewidth=2.2 if rank == 0 else 1.2,
                linestyle="-" if rank == 0 else "--", label=label)
    ax.set_xlabel(f"duration ({unit})")
    ax.set_ylabel(f"density (per {unit})")
    ax.set_title(title)
    ax.legend(frameon=False, fontsize="small")
    return fig
