"""The rankings page: one role at one level, filtered, paged, as a readable table."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain import COMPONENTS, GRID_LEADER
from dashboard.headers import HEADERS
from dashboard.reports.labels import RANK_COLUMNS, flag_text, grade_label

# Chinese headers of the ranking table, in display order.
RANKING_HEADERS = {
    "rank": HEADERS["rank"],
    **{k: HEADERS[k] for k in ("code", "name", "township", "village", "grid", "group", "final", "grade")},
    **{k: HEADERS[k] for k in ("self", "mass", "committee", "platform", "satisfaction", "bonus", "deduction")},
    "complete_label": "完整性",
    "award_label": HEADERS["award"],
    "flag_text": HEADERS["flags"],
}


@dataclass(frozen=True)
class RankingFilter:
    """What the rankings page shows: one role at one level, narrowed by place, grade, completeness."""

    role: str = GRID_LEADER
    level: str = "township"
    township: str | None = None
    village: str | None = None
    grade: str | None = None
    complete: bool | None = None


def filter_results(results: pd.DataFrame, flt: RankingFilter) -> pd.DataFrame:
    """The rows matching the filter, ordered by the level's rank then code."""
    if flt.level not in RANK_COLUMNS:
        raise ValueError(f"未知的排名范围：{flt.level}")
    mask = results["role"] == flt.role
    if flt.township:
        mask &= results["township"] == flt.township
    if flt.village:
        mask &= results["village"] == flt.village
    if flt.grade:
        mask &= results["grade"] == flt.grade
    if flt.complete is not None:
        mask &= results["complete"].astype(bool) == flt.complete
    rank_col = RANK_COLUMNS[flt.level]
    out = results.loc[mask]
    # Within a level the rank groups are the places; order by place first so that a
    # village ranking over a whole township reads village by village.
    keys = {"village": ["township", "village"], "township": ["township"], "county": []}[flt.level]
    return out.sort_values([*keys, rank_col, "code"], kind="mergesort")


@dataclass(frozen=True)
class Page:
    """One page of a long table: its rows, the page number (1-based), page count and total rows."""

    rows: pd.DataFrame
    number: int
    pages: int
    total: int
    page_size: int

    @property
    def first(self) -> int:
        """1-based position of the first row on this page (0 when empty)."""
        return 0 if self.total == 0 else (self.number - 1) * self.page_size + 1

    @property
    def last(self) -> int:
        """1-based position of the last row on this page (0 when empty)."""
        return 0 if self.total == 0 else self.first + len(self.rows) - 1


def paginate(frame: pd.DataFrame, *, page_size: int, page: int) -> Page:
    """Rows `(page-1)*page_size` up to `page*page_size`; the page number is clamped into range."""
    if page_size < 1:
        raise ValueError("每页行数必须至少为 1")
    total = len(frame)
    pages = max(1, math.ceil(total / page_size))
    number = min(max(1, int(page)), pages)
    start = (number - 1) * page_size
    return Page(
        rows=frame.iloc[start : start + page_size],
        number=number,
        pages=pages,
        total=total,
        page_size=page_size,
    )


def ranking_table(rows: pd.DataFrame, *, level: str) -> pd.DataFrame:
    """Readable table of (already paged) ranking rows: Chinese labels, rank of the level first."""
    out = pd.DataFrame(index=rows.index)
    out["rank"] = rows[RANK_COLUMNS[level]].astype("Int64")
    for col in ("code", "name", "township", "village", "grid", "group"):
        out[col] = rows[col]
    for col in ("final", *COMPONENTS, "satisfaction", "bonus", "deduction"):
        out[col] = pd.to_numeric(rows[col], errors="coerce")
    out["grade"] = rows["grade"].map(grade_label)
    out["complete_label"] = np.where(rows["complete"].astype(bool), "完整", "不完整")
    out["award_label"] = np.where(rows["award"].astype(bool), "表彰", "")
    out["flag_text"] = rows["flags"].map(flag_text)
    if (rows["role"] == GRID_LEADER).all():
        out = out.drop(columns=["group"])
    return out.reset_index(drop=True)
