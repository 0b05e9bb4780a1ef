"""Interactive charts of one set of results (Bokeh: hover and zoom in the browser).

Bands are the 5–95 % spread of the daily value across replications, the line their mean: a
stakeholder sees both what to expect and how far one season can stray from it.
"""

from __future__ import annotations

import pandas as pd
from bokeh.models import ColumnDataSource, HoverTool
from bokeh.palettes import Category10_10
from bokeh.plotting import figure

from sim.experiments.results import Results
from sim.reporting.stages import stage_styles

HEIGHT = 300


def bands(results: Results, column: str, by: str = "crossing") -> pd.DataFrame:
    """Per date and group (each crossing, or each cargo of the corridor): mean, 5 % and 95 % of
    `column` across replications."""
    d = results.daily
    if by == "cargo":
        rows = d[(d["cargo"] != "all") & (d["crossing"] == results.corridor)]
    else:
        rows = d[(d["cargo"] == "all") & ((d["crossing"] != "all") | (len(results.crossings) == 1))]
    grouped = rows.groupby([by, "date"], sort=False)[column]
    out = pd.DataFrame({"mean": grouped.mean(), "low": grouped.quantile(0.05), "high": grouped.quantile(0.95)})
    out = out.reset_index().rename(columns={by: "group"})
    out["date"] = pd.to_datetime(out["date"])
    return out


def _source(table: pd.DataFrame) -> ColumnDataSource:
    """The table's columns as a Bokeh source. Given a DataFrame, Bokeh resets its index in place,
    which pandas 3.1 deprecates (a warning per chart); plain columns are what the charts use."""
    return ColumnDataSource(data={str(c): table[c].to_numpy() for c in table.columns})


def band_chart(results: Results, column: str, title: str, unit: str, by: str = "crossing"):  # type: ignore[no-untyped-def]
    """A line per group (crossing, or cargo) with its 5–95 % band; hover shows the day's values."""
    table = bands(results, column, by)
    fig = figure(height=HEIGHT, sizing_mode="stretch_width", x_axis_type="datetime", title=title,
                 tools="pan,wheel_zoom,box_zoom,reset,save")
    fig.yaxis.axis_label = unit
    for i, (group, part) in enumerate(table.groupby("group", sort=False)):
        colour = Category10_10[i % 10]
        source = _source(part)
        fig.varea(x="date", y1="low", y2="high", source=source, fill_alpha=0.2, fill_color=colour,
                  legend_label=f"{group} 5–95 %")
        line = fig.line(x="date", y="mean", source=source, line_width=2, color=colour, legend_label=str(group))
        fig.add_tools(HoverTool(renderers=[line], tooltips=[("", str(group)), ("date", "@date{%F}"),
                                                            ("mean", "@mean{0,0}"), ("5–95 %", "@low{0,0} – @high{0,0}")],
                                formatters={"@date": "datetime"}))
    fig.legend.location = "top_left"
    fig.legend.click_policy = "hide"
    return fig


def waiting_chart(results: Results):  # type: ignore[no-untyped-def]
    """Where trains wait: mean queue per stage (trains), mean over replications, day by day."""
    d = results.daily
    rows = d[(d["cargo"] == "all")]
    if "crossing" in rows and len(results.crossings) > 1:
        rows = rows[rows["crossing"] == results.crossings[0]]
    stages = [c for c in rows.columns if c.startswith("queue_mean.")]
    fig = figure(height=HEIGHT, sizing_mode="stretch_width", x_axis_type="datetime",
                 title="Where trains wait (mean queue, trains)", tools="pan,wheel_zoom,box_zoom,reset,save")
    table = rows.groupby("date")[stages].mean().reset_index()
    table["date"] = pd.to_datetime(table["date"])
    source = _source(table.rename(columns={c: c.replace(".", "_") for c in stages}))
    styles = stage_styles([c.removeprefix("queue_mean.") for c in stages])  # the report's colours, stage by stage
    for column in stages:
        color, dash = styles[column.removeprefix("queue_mean.")]
        fig.line(x="date", y=column.replace(".", "_"), source=source, line_width=2, color=color,
                 line_dash={"-": "solid", "--": "dashed", ":": "dotted", "-.": "dashdot"}[dash],
                 legend_label=column.removeprefix("queue_mean."))
    fig.add_tools(HoverTool(tooltips=[("date", "@date{%F}")], formatters={"@date": "datetime"}))
    fig.legend.location = "top_left"
    fig.legend.click_policy = "hide"
    return fig
