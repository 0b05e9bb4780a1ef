"""Monthly volumes per cargo and crossing: what railways and customs publish.

Published figures are tonnes a calendar month ("150,000 t of grain a month in autumn 2024"), so a
run is checked against them month by month. Derived from the daily series (every day of the run,
warm-up included, as a published month is), so old results directories have them too.
"""

from __future__ import annotations

import pandas as pd

MONTHLY_COLUMNS = ["replication", "crossing", "cargo", "month", "days", "wagons_delivered", "tonnes_delivered"]


def monthly(daily: pd.DataFrame) -> pd.DataFrame:
    """One row per replication, crossing, cargo (and `all`) and calendar month (`YYYY-MM`): wagons
    and tonnes unloaded, and the days of the month the run covers (fewer in a first or last month
    the run covers only in part)."""
    if daily.empty:
        return pd.DataFrame(columns=MONTHLY_COLUMNS)
    frame = daily.assign(month=pd.to_datetime(daily["date"]).dt.strftime("%Y-%m"))
    if "crossing" not in frame.columns:
        frame["crossing"] = ""
    keys = ["replication", "crossing", "cargo", "month"]
    out = frame.groupby(keys, sort=False).agg(days=("day", "size"), wagons_delivered=("unloaded_wagons", "sum"),
                                               tonnes_delivered=("tonnes_delivered", "sum")).reset_index()
    return out[MONTHLY_COLUMNS]
