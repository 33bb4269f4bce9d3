"""The awards page: candidates in the engine's award order with quota, eligibility and the
reason, the 建议调整 list and 联户长 pay. Who is eligible, the order, the quota and the reasons
come from the engine's columns and dashboard.scoring.explain."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from dashboard.domain import EXCELLENT, HOUSEHOLD_LEADER, flag_list
from dashboard.scoring.explain import REASON_TWO_YEARS, adjustment_reason, award_reason
from dashboard.scoring.scheme import Scheme

SCOPE_LABEL_KEYS = {"village": ["township", "village"], "township": ["township"], "county": ["county"]}
CANDIDATE_COLUMNS = [
    "scope",
    "role",
    "position",
    "code",
    "name",
    "township",
    "village",
    "final",
    "committee",
    "mass",
    "self",
    "deduction",
    "grade",
    "complete",
    "eligible",
    "award",
    "tie",
    "in_running",
    "quota",
    "reason",
]


def award_candidates(results: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Every assessed leader in the engine's award order per scope and role, with the reason.

    Columns: scope, role, position (the engine's `award_order`), code, name, township, village,
    final, committee, mass, self, deduction, grade, complete, eligible, award, tie, in_running
    (the score reaches the 优秀 band, or awarded), quota (`award_quota`), reason.
    """
    frame = results.copy()
    # "乡镇·村" per row, joined column-wise (a row-wise join builds one string array per leader)
    keys = SCOPE_LABEL_KEYS[scheme.award_scope]
    scope = frame[keys[0]].astype(str)
    for key in keys[1:]:
        scope = scope + "·" + frame[key].astype(str)
    frame["scope"] = scope
    frame = frame.sort_values(["scope", "role", "award_order"], kind="mergesort")
    flags = [flag_list(v) for v in frame["flags"]]
    frame["position"] = frame["award_order"].astype(int)
    frame["quota"] = frame["award_quota"].astype(int)
    frame["eligible"] = frame["eligible"].astype(bool)
    frame["award"] = frame["award"].astype(bool)
    frame["tie"] = ["tie_at_cutoff" in f for f in flags]
    frame["in_running"] = (frame["band_grade"] == EXCELLENT) | frame["award"]
    frame["reason"] = [
        award_reason(row, f) for row, f in zip(frame.to_dict("records"), flags, strict=True)
    ]
    return frame[CANDIDATE_COLUMNS].reset_index(drop=True)


def award_summary(candidates: pd.DataFrame) -> pd.DataFrame:
    """Per scope and role: headcount, quota, eligible, awarded and tied leaders."""
    grouped = candidates.groupby(["scope", "role"], sort=True)
    out = grouped.agg(
        headcount=("code", "size"),
        quota=("quota", "first"),
        eligible=("eligible", "sum"),
        awarded=("award", "sum"),
        ties=("tie", "sum"),
    ).reset_index()
    return out.astype({"eligible": int, "awarded": int, "ties": int})


def adjustment_list(
    results: pd.DataFrame, previous_grades: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """The 建议调整 list with the reason for each leader (scoring.md 4), worded as in the award workbook.

    `previous_grades` maps 编号 to the grade of year Y−1 to name it in the reason; without it
    the engine's `previous_grade` column is used when present.
    """
    rows = results.loc[results["adjustment"].astype(bool)]
    previous_grades = previous_grades or {}
    out = []
    for rec in rows.to_dict("records"):
        reason = adjustment_reason(flag_list(rec["flags"]), rec["grade"])
        prev = previous_grades.get(rec["code"]) or rec.get("previous_grade")
        if reason == REASON_TWO_YEARS and isinstance(prev, str):
            reason += f"（上年{prev}）"
        out.append(
            {
                "code": rec["code"],
                "name": rec["name"],
                "role": rec["role"],
                "township": rec["township"],
                "village": rec["village"],
                "final": rec["final"],
                "grade": rec["grade"],
                "reason": reason,
            }
        )
    return pd.DataFrame(
        out, columns=["code", "name", "role", "township", "village", "final", "grade", "reason"]
    )


def pay_table(results: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """联户长 pay: one row per household leader with grade, coefficient and pay."""
    rows = results.loc[results["role"] == HOUSEHOLD_LEADER]
    out = pd.DataFrame(
        {
            "code": rows["code"],
            "name": rows["name"],
            "township": rows["township"],
            "village": rows["village"],
            "group": rows["group"],
            "grade": rows["grade"],
            "coefficient": rows["grade"].map(scheme.pay_coefficients),
            "pay": pd.to_numeric(rows["pay"], errors="coerce"),
        }
    )
    return out.sort_values(["township", "village", "code"]).reset_index(drop=True)


def pay_by_village(pay: pd.DataFrame) -> pd.DataFrame:
    """Pay totals per village: household leaders and the sum of pay."""
    return (
        pay.groupby(["township", "village"], sort=True)
        .agg(leaders=("code", "size"), total=("pay", "sum"))
        .reset_index()
        .assign(total=lambda f: f["total"].round(2))
    )
