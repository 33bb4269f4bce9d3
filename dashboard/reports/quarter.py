"""The 季度考评 page and the leader's quarter trend: pandas shaping of scoring.quarter rows.

Inputs are the rows of `dashboard.scoring.quarter.score_quarter` (one quarter) or
`score_quarters` (the four quarters in one frame); nothing here recomputes a score or a rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.domain import GRID_LEADER, LEADER_ROLES
from dashboard.headers import HEADERS
from dashboard.scoring.quarter import NOT_ASSESSED, QUARTER_NAMES, QUARTERS

NOT_ASSESSED_REASON = "本季度无村两委打分"  # the notice's words (export.quarter_book)
NOT_SERVING_NOTE = "本季度尚未任职"
QUARTER_RANK_COLUMNS = {"village": "rank_village", "township": "rank_township", "county": "rank_county"}

# Chinese headers of the quarter tables (the notice's words for the two quarter components).
QUARTER_HEADERS = {
    "rank": HEADERS["rank"],
    **{k: HEADERS[k] for k in ("code", "name", "role", "township", "village", "grade")},
    "committee": "两委打分",
    "platform": "平台上报",
    "score": "季度得分",
    "reason": "原因",
}


@dataclass(frozen=True)
class QuarterFilter:
    """What the 季度考评 table shows: one role at one rank level, narrowed by place, grade, name."""

    role: str = GRID_LEADER
    level: str = "township"
    township: str | None = None
    village: str | None = None
    grade: str | None = None
    name: str = ""


def quarters_with_data(trend: pd.DataFrame) -> list[int]:
    """Quarters in which at least one listed leader has a quarter score (a committee sheet)."""
    if trend.empty:
        return []
    assessed = trend.loc[trend["assessed"].astype(bool), "quarter"]
    return sorted(int(q) for q in assessed.unique())


def default_quarter(trend: pd.DataFrame) -> int:
    """The latest quarter with data, else the first quarter."""
    with_data = quarters_with_data(trend)
    return with_data[-1] if with_data else QUARTERS[0]


def quarter_ranking(rows: pd.DataFrame, flt: QuarterFilter) -> pd.DataFrame:
    """The assessed rows matching the filter with their rank at the level as `rank`.

    Ordered by place (for a village ranking), then rank, then code. The name search matches
    any part of 姓名 or 编号.
    """
    if flt.level not in QUARTER_RANK_COLUMNS:
        raise ValueError(f"未知的排名范围：{flt.level}")
    mask = rows["assessed"].astype(bool) & (rows["role"] == flt.role)
    if flt.township:
        mask &= rows["township"] == flt.township
    if flt.village:
        mask &= rows["village"] == flt.village
    if flt.grade:
        mask &= rows["grade"] == flt.grade
    needle = flt.name.strip()
    if needle:
        mask &= rows["name"].astype(str).str.contains(needle, regex=False) | rows["code"].astype(str).str.contains(
            needle, regex=False
        )
    rank_col = QUARTER_RANK_COLUMNS[flt.level]
    out = rows.loc[mask].assign(rank=lambda f: f[rank_col].astype("int64"))
    keys = {"village": ["township", "village"], "township": ["township"], "county": []}[flt.level]
    return out.sort_values([*keys, "rank", "code"], kind="mergesort").reset_index(drop=True)


def not_assessed(rows: pd.DataFrame) -> pd.DataFrame:
    """The listed leaders without a quarter score (未考评), with the reason, by role, place and code."""
    out = rows.loc[~rows["assessed"].astype(bool), ["code", "name", "role", "township", "village"]].copy()
    out["reason"] = NOT_ASSESSED_REASON
    order = out["role"].map({r: i for i, r in enumerate(LEADER_ROLES)}).fillna(len(LEADER_ROLES))
    return (
        out.assign(_order=order)
        .sort_values(["_order", "township", "village", "code"], kind="mergesort")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


def village_quarter_means(rows: pd.DataFrame, *, by: str = "village") -> pd.DataFrame:
    """Mean quarter score per place and role over the assessed leaders: place, role, leaders, mean_score.

    Rounded to 2 decimals for display; a place and role without an assessed leader has no row.
    """
    scored = rows.loc[rows["assessed"].astype(bool)]
    if scored.empty:
        return pd.DataFrame(columns=["place", "role", "leaders", "mean_score"])
    grouped = (
        scored.groupby([by, "role"], sort=True)["score"]
        .agg(leaders="count", mean_score="mean")
        .reset_index()
        .rename(columns={by: "place"})
    )
    grouped["mean_score"] = grouped["mean_score"].round(2)
    grouped["leaders"] = grouped["leaders"].astype("int64")
    return grouped


def leader_quarter_trend(trend: pd.DataFrame, code: str) -> pd.DataFrame:
    """One leader's four quarters: quarter, label, committee, score, grade, rank_township, note.

    A quarter where the leader is 未考评 (no committee sheet) has no score and the note
    「未考评：本季度无村两委打分」; a quarter before the appointment has the note 「本季度尚未任职」.
    Always four rows, so a chart shows a gap rather than a shorter axis.
    """
    mine = trend.loc[trend["code"].astype(str) == str(code)].set_index("quarter")
    rows = []
    for q in QUARTERS:
        label = QUARTER_NAMES[q]
        if q not in mine.index:
            rows.append({"quarter": q, "label": label, "committee": np.nan, "score": np.nan, "grade": None,
                         "rank_township": pd.NA, "note": NOT_SERVING_NOTE})
            continue
        r = mine.loc[q]
        if bool(r["assessed"]):
            rows.append({"quarter": q, "label": label, "committee": float(r["committee"]), "score": float(r["score"]),
                         "grade": r["grade"], "rank_township": int(r["rank_township"]), "note": ""})
        else:
            rows.append({"quarter": q, "label": label, "committee": np.nan, "score": np.nan, "grade": None,
                         "rank_township": pd.NA, "note": f"{NOT_ASSESSED}：{NOT_ASSESSED_REASON}"})
    out = pd.DataFrame(rows)
    out["rank_township"] = out["rank_township"].astype("Int64")
    return out


def trend_table(trend: pd.DataFrame) -> pd.DataFrame:
    """The leader's quarter trend with Chinese headers, blanks for the quarters without a score;
    the column 备注 only when a quarter has a note (a narrow phone shows every column)."""
    table = pd.DataFrame(
        {
            "季度": trend["label"],
            QUARTER_HEADERS["score"]: trend["score"].map(lambda v: "" if pd.isna(v) else f"{v:.2f}"),
            HEADERS["grade"]: trend["grade"].fillna(""),
            HEADERS["township_rank"]: trend["rank_township"].map(lambda v: "" if pd.isna(v) else str(int(v))),
            HEADERS["note"]: trend["note"],
        }
    )
    return table if (trend["note"] != "").any() else table.drop(columns=HEADERS["note"])
