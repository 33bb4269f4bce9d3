"""综治E通 月度上报: the monthly platform watch, village × month, and the leaders without reports.

Who serves in a month is the year rule's (dashboard.scoring.engine): a leader assessed for the
year serves from the first month served on (1, or the appointment month when appointed in the
year). A village's target in a month is monthly_target × the leaders serving that month.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.headers import HEADERS
from dashboard.scoring.engine import assessed_leaders, first_month_served

MONTHS = tuple(range(1, 13))
MONTH_LABELS = {m: f"{m}月" for m in MONTHS}
HEAT_COLUMNS = ["township", "village", "place", "month", "month_label", "serving", "reports", "target", "percent"]
ZERO_HEADERS = {
    "township": HEADERS["township"],
    "village": HEADERS["village"],
    "name": HEADERS["name"],
    "code": HEADERS["code"],
    "month_label": "月份",
}


def months_reached(year: int, today: dt.date) -> int:
    """The last month of `year` that has begun by `today`: 12 for a past year, 0 for a future one."""
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month


def _serving(leaders: pd.DataFrame, year: int) -> pd.DataFrame:
    """The leaders assessed for the year with the first month they serve in it."""
    assessed = assessed_leaders(leaders, year)
    return assessed.assign(first_month=first_month_served(assessed, year))


def _leader_months(leaders: pd.DataFrame, platform_months: pd.DataFrame, year: int, through: int) -> pd.DataFrame:
    """One row per serving leader and month 1 … through: leader_id, code, name, place, month, reports."""
    serving = _serving(leaders, year)
    cols = ["leader_id", "code", "name", "township", "village", "first_month"]
    grid = serving[cols].merge(pd.DataFrame({"month": list(range(1, through + 1))}), how="cross")
    grid = grid.loc[grid["month"] >= grid["first_month"]]
    counts = (
        platform_months.groupby(["leader_id", "month"], as_index=False)["reports"].sum()
        if len(platform_months)
        else pd.DataFrame({"leader_id": [], "month": [], "reports": []})
    )
    counts = counts.astype({"leader_id": grid["leader_id"].dtype, "month": "int64"}) if len(counts) else counts
    out = grid.merge(counts, on=["leader_id", "month"], how="left")
    out["reports"] = out["reports"].fillna(0).astype("int64")
    return out


def monthly_heatmap(
    leaders: pd.DataFrame, platform_months: pd.DataFrame, *, year: int, monthly_target: float, through: int
) -> pd.DataFrame:
    """Village × month: reports against monthly_target × leaders serving that month, in percent.

    Columns: township, village, place (the village, with its township when there are several),
    month, month_label, serving, reports, target, percent. Every
    village with a leader serving in the year has all twelve months; months after `through`
    (not yet reached) have no serving, reports, target or percent (blank cells). Percent is
    100 × reports / target rounded to 1 decimal, not capped (a village may report over target).
    """
    rows = _leader_months(leaders, platform_months, year, through)
    places = _serving(leaders, year)[["township", "village"]].drop_duplicates()
    frame = places.merge(pd.DataFrame({"month": list(MONTHS)}), how="cross")
    sums = rows.groupby(["township", "village", "month"], as_index=False).agg(
        serving=("leader_id", "count"), reports=("reports", "sum")
    )
    frame = frame.merge(sums, on=["township", "village", "month"], how="left")
    reached = frame["month"] <= through
    frame["serving"] = frame["serving"].where(~reached, frame["serving"].fillna(0)).astype("Int64")
    frame["reports"] = frame["reports"].where(~reached, frame["reports"].fillna(0)).astype("Int64")
    target = frame["serving"].astype("float64") * float(monthly_target)
    frame["target"] = target
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = 100 * frame["reports"].astype("float64") / target
    frame["percent"] = percent.where(target > 0).round(1)
    frame["month_label"] = frame["month"].map(MONTH_LABELS)
    several = frame["township"].nunique() > 1
    frame["place"] = frame["township"] + frame["village"] if several else frame["village"]
    frame = frame.sort_values(["township", "village", "month"], kind="mergesort").reset_index(drop=True)
    return frame[HEAT_COLUMNS]


def zero_report_leaders(
    leaders: pd.DataFrame, platform_months: pd.DataFrame, *, year: int, through: int
) -> pd.DataFrame:
    """Leaders serving in a month of 1 … through without any report that month.

    Columns: township, village, name, code, month, month_label; ordered by month, place and code.
    """
    rows = _leader_months(leaders, platform_months, year, through)
    out = rows.loc[rows["reports"] == 0, ["township", "village", "name", "code", "month"]].copy()
    out["code"] = out["code"].astype(str)
    out["month_label"] = out["month"].map(MONTH_LABELS)
    return out.sort_values(["month", "township", "village", "code"], kind="mergesort").reset_index(drop=True)


def zero_report_table(zero: pd.DataFrame, *, several_townships: bool) -> pd.DataFrame:
    """The zero-report list with Chinese headers (乡镇 only when there are several)."""
    keys = [k for k in ZERO_HEADERS if several_townships or k != "township"]
    return zero[keys].rename(columns=ZERO_HEADERS).reset_index(drop=True)
