"""Figure basics shared by every plot: a headless Agg figure, closing it, number and date axes."""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH = 10.0  # inches; at the report's 110 dpi a figure is 1100 px wide


def close(fig: Figure) -> None:
    """Release a figure: clear it, and drop it from pyplot if a caller registered it there."""
    fig.clear()
    pyplot = sys.modules.get("matplotlib.pyplot")  # never import pyplot (and pick a GUI backend) just for this
    if pyplot is not None:
        pyplot.close(fig)


def figure(height: float, width: float = WIDTH) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def thousands(x: float, _pos: object = None) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 or x == 0 else f"{x:,.2g}"


def compact(top: float) -> FuncFormatter:
    """Tick labels for an axis reaching `top`: one scale for every tick (4k, 8k, 12k or 1.5M, 3M)."""
    top = abs(top) if math.isfinite(top) else 0.0
    scale, suffix = (1e6, "M") if top >= 1e6 else (1e3, "k") if top >= 1e4 else (1.0, "")
    if scale == 1.0:
        return FuncFormatter(thousands)
    return FuncFormatter(lambda x, _pos: "0" if x == 0 else f"{x / scale:.3g}{suffix}")


def date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("Date")
    ax.grid(True, axis="both", alpha=0.3)
