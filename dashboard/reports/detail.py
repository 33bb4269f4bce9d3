"""The leader detail page (述职档案): duty profile against the township, how the final score is
built (from the explanation's renormalised weights), ballots, earlier grades (the quarters: reports.quarter)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pandas as pd

from dashboard.domain import COMPONENT_NAMES, DUTIES, DUTY_KEYS, GRADES
from dashboard.headers import HEADERS
from dashboard.reports.labels import leader_row
from dashboard.reports.overview import duty_profiles


def duty_profile_vs_township(results: pd.DataFrame, code: str) -> pd.DataFrame:
    """The leader's seven-duty profile beside the mean of the same role in the township.

    Long form: duty, duty_name, duty_order, series (本人 / 乡镇平均), percent.
    Empty when the leader has no committee sheets.
    """
    row = leader_row(results, code)
    if row is None:
        return pd.DataFrame(columns=["duty", "duty_name", "duty_order", "series", "percent"])
    peers = results.loc[(results["township"] == row["township"]) & (results["role"] == row["role"])]
    prof = duty_profiles(peers)
    mine = prof.loc[peers["code"] == code].iloc[0]
    if mine.isna().all():
        return pd.DataFrame(columns=["duty", "duty_name", "duty_order", "series", "percent"])
    avg = prof.mean()
    rows = []
    for order, key in enumerate(DUTY_KEYS):
        rows.append(
            {
                "duty": key,
                "duty_name": DUTIES[key],
                "duty_order": order,
                "series": "本人",
                "percent": float(mine[key]),
            }
        )
        rows.append(
            {
                "duty": key,
                "duty_name": DUTIES[key],
                "duty_order": order,
                "series": "乡镇平均",
                "percent": round(float(avg[key]), 2),
            }
        )
    return pd.DataFrame(rows)


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def score_waterfall(row: Mapping[str, Any] | pd.Series, weights: Mapping[str, float | Fraction]) -> pd.DataFrame:
    """How the final score is built: each weighted component, bonus, deduction, then the total.

    `weights` are the renormalised weights of the components that count for this leader, as
    the explanation gives them (dashboard.scoring.explain.renormalised_weights); a component
    without a weight is not a step. Columns: step, label, amount, start, end, kind.
    """
    steps: list[dict[str, Any]] = []
    running = 0.0
    for k, weight in weights.items():
        score = _num(row.get(k))
        if score is None:
            continue
        w = float(weight)
        amount = w * score
        steps.append(
            {
                "label": f"{COMPONENT_NAMES[k]}（{score:.2f}×{w:.0%}）",
                "amount": amount,
                "start": running,
                "end": running + amount,
                "kind": "成绩",
            }
        )
        running += amount
    bonus = _num(row.get("bonus")) or 0.0
    if bonus:
        steps.append(
            {"label": "加分", "amount": bonus, "start": running, "end": running + bonus, "kind": "加分"}
        )
        running += bonus
    deduction = _num(row.get("deduction")) or 0.0
    if deduction:
        steps.append(
            {
                "label": "减分",
                "amount": -deduction,
                "start": running,
                "end": running - deduction,
                "kind": "减分",
            }
        )
        running -= deduction
    final = _num(row.get("final"))
    if final is None:
        final = max(0.0, running)
    if running < 0:
        # final = max(0, …): show the lift back to zero as its own step.
        steps.append(
            {"label": "最低为0", "amount": -running, "start": running, "end": 0.0, "kind": "加分"}
        )
    steps.append(
        {"label": HEADERS["final"], "amount": final, "start": 0.0, "end": final, "kind": HEADERS["final"]}
    )
    out = pd.DataFrame(steps)
    out.insert(0, "step", range(1, len(out) + 1))
    for col in ("amount", "start", "end"):
        out[col] = out[col].round(2)
    return out


def ballot_breakdown(marks: Mapping[str, int]) -> pd.DataFrame:
    """Valid ballot marks (弃权 excluded) with count and share of the valid marks, in grade order."""
    n = sum(int(marks.get(g, 0)) for g in GRADES)
    return pd.DataFrame(
        [
            {
                "mark": g,
                "mark_order": i,
                "count": int(marks.get(g, 0)),
                "share": int(marks.get(g, 0)) / n if n else 0.0,
            }
            for i, g in enumerate(GRADES)
        ]
    )


def earlier_grades(grades: Mapping[int, str], *, before: int) -> pd.DataFrame:
    """A leader's grades of years before `before`, newest first."""
    rows = [{"year": int(y), "grade": g} for y, g in grades.items() if int(y) < before and g]
    return (
        pd.DataFrame(rows, columns=["year", "grade"])
        .sort_values("year", ascending=False)
        .reset_index(drop=True)
    )
