"""Data shaping for the result pages: rankings, overview, leader detail, awards, what-if.

Pure pandas on the engine's results frame (the columns of interfaces.md); no Streamlit,
no database. Every function returns a small frame ready for a table or an Altair chart
(dashboard.reports.charts), so the pages stay thin and the browser never receives more rows than
it shows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.domain import (
    COMPONENT_NAMES,
    COMPONENTS,
    DUTIES,
    DUTY_KEYS,
    EXCELLENT,
    FLAG_NAMES,
    GRADES,
    GRID_LEADER,
    HOUSEHOLD_LEADER,
    LEADER_ROLES,
)
from dashboard.scoring.scheme import Scheme, exact

# --- labels -------------------------------------------------------------------------------

RANK_COLUMNS = {"village": "village_rank", "township": "township_rank", "county": "county_rank"}
LEVEL_NAMES = {"village": "村级", "township": "乡镇级", "county": "县级"}
COMPLETENESS_FLAGS = ("no_self_report", "no_committee_score", "no_ballots", "too_few_ballots")

# Chinese headers of the ranking table, in display order.
RANKING_HEADERS = {
    "rank": "名次",
    "code": "编号",
    "name": "姓名",
    "township": "乡镇",
    "village": "村",
    "grid": "网格",
    "group": "联防组",
    "final": "总分",
    "grade": "等次",
    "self": "个人述职",
    "mass": "群众评议",
    "committee": "两委打分",
    "platform": "平台上报",
    "satisfaction": "满意率",
    "bonus": "加分",
    "deduction": "减分",
    "complete_label": "完整性",
    "award_label": "表彰",
    "flag_text": "提示",
}


def flag_list(value: Any) -> list[str]:
    """The flags of one result as a list, whether stored as a list, an array or `a;b` text."""
    if value is None:
        return []
    if isinstance(value, str):
        return [f for f in value.split(";") if f]
    if isinstance(value, float) and math.isnan(value):
        return []
    return [str(f) for f in value]


def flag_text(value: Any) -> str:
    """Readable Chinese flag names, e.g. ['veto', 'tie_at_cutoff'] -> '一票否决、表彰名额末位并列'."""
    return "、".join(FLAG_NAMES.get(f, f) for f in flag_list(value))


def grade_label(grade: Any) -> str:
    """The grade as shown: the Chinese grade, or 未评定 when there is none."""
    return grade if isinstance(grade, str) and grade in GRADES else "未评定"


def _has_flag(results: pd.DataFrame, flag: str) -> pd.Series:
    return results["flags"].map(lambda v: flag in flag_list(v)).astype(bool)


# --- rankings -----------------------------------------------------------------------------


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


# --- overview -----------------------------------------------------------------------------


def grade_distribution(results: pd.DataFrame) -> pd.DataFrame:
    """Count and share of each grade per role (zeros kept), in role and grade order."""
    counts = results.groupby(["role", "grade"]).size()
    totals = results["role"].value_counts()
    rows = []
    for role in LEADER_ROLES:
        total = int(totals.get(role, 0))
        for order, grade in enumerate(GRADES):
            n = int(counts.get((role, grade), 0))
            rows.append(
                {
                    "role": role,
                    "grade": grade,
                    "grade_order": order,
                    "count": n,
                    "share": n / total if total else 0.0,
                }
            )
    return pd.DataFrame(rows)


def score_histogram(results: pd.DataFrame, *, bin_width: float = 5.0) -> pd.DataFrame:
    """Final scores binned per role: [bin_start, bin_end) with its count, empty bins inside the range kept."""
    frames = []
    for role in LEADER_ROLES:
        finals = pd.to_numeric(
            results.loc[results["role"] == role, "final"], errors="coerce"
        ).dropna()
        if finals.empty:
            continue
        idx = np.floor(finals.to_numpy() / bin_width).astype(int)
        counts = pd.Series(idx).value_counts()
        all_bins = np.arange(idx.min(), idx.max() + 1)
        frames.append(
            pd.DataFrame(
                {
                    "role": role,
                    "bin_start": all_bins * bin_width,
                    "bin_end": (all_bins + 1) * bin_width,
                    "count": [int(counts.get(b, 0)) for b in all_bins],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["role", "bin_start", "bin_end", "count"])
    return pd.concat(frames, ignore_index=True)


def grade_band_rules(scheme: Scheme) -> pd.DataFrame:
    """The grade bands of the scheme as lines to draw: one row per lower bound."""
    return pd.DataFrame(
        [
            {"grade": g, "score": float(low), "label": f"{g} ≥ {low:g}"}
            for g, low in scheme.grade_bands.items()
        ]
    )


def duty_profiles(results: pd.DataFrame) -> pd.DataFrame:
    """The seven-duty profile per leader as columns (index aligned with results); NaN without one.

    Accepts the engine's `roles` dict column or CSV-style `role_<duty>` columns.
    """
    cols = [f"role_{k}" for k in DUTY_KEYS]
    if all(c in results.columns for c in cols):
        out = results[cols].apply(pd.to_numeric, errors="coerce")
        out.columns = list(DUTY_KEYS)
        return out
    records = [r if isinstance(r, Mapping) else {} for r in results["roles"]]
    out = pd.DataFrame.from_records(records, index=results.index, columns=list(DUTY_KEYS))
    return out.apply(pd.to_numeric, errors="coerce")


def _place(results: pd.DataFrame, by: str = "village") -> pd.Series:
    """Place label: the township (by="township"), else the village, prefixed with its township
    when several townships are shown."""
    if by == "township":
        return results["township"].astype(str)
    if results["township"].nunique() > 1:
        return results["township"].astype(str) + "·" + results["village"].astype(str)
    return results["village"].astype(str)


def village_duty_heatmap(results: pd.DataFrame, *, by: str = "village") -> pd.DataFrame:
    """Mean profile percent per village (or township) and duty, over leaders with committee sheets."""
    prof = duty_profiles(results)
    prof["place"] = _place(results, by)
    long = prof.melt(id_vars="place", var_name="duty", value_name="percent").dropna(
        subset=["percent"]
    )
    if long.empty:
        return pd.DataFrame(columns=["place", "duty", "duty_name", "duty_order", "mean", "leaders"])
    agg = (
        long.groupby(["place", "duty"], sort=False)["percent"].agg(["mean", "count"]).reset_index()
    )
    agg = agg.rename(columns={"count": "leaders"})
    agg["duty_name"] = agg["duty"].map(DUTIES)
    agg["duty_order"] = agg["duty"].map({k: i for i, k in enumerate(DUTY_KEYS)})
    agg["mean"] = agg["mean"].round(2)
    return agg.sort_values(["place", "duty_order"]).reset_index(drop=True)


def village_comparison(results: pd.DataFrame, *, by: str = "village") -> pd.DataFrame:
    """Per village (or township) and role: leaders, mean final, share 优秀, incomplete and awards."""
    frame = pd.DataFrame(
        {
            "place": _place(results, by),
            "role": results["role"],
            "final": pd.to_numeric(results["final"], errors="coerce"),
            "excellent": (results["grade"] == EXCELLENT).astype(int),
            "incomplete": (~results["complete"].astype(bool)).astype(int),
            "award": results["award"].astype(bool).astype(int),
        }
    )
    agg = frame.groupby(["place", "role"], sort=True).agg(
        leaders=("final", "size"),
        mean_final=("final", "mean"),
        excellent=("excellent", "sum"),
        incomplete=("incomplete", "sum"),
        awards=("award", "sum"),
    )
    agg = agg.reset_index()
    agg["mean_final"] = agg["mean_final"].round(2)
    agg["excellent_share"] = agg["excellent"] / agg["leaders"]
    return agg


def trend(results_by_year: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """Per year and role: leaders, mean final (when known) and the share of each grade.

    Each frame needs `role` and `grade`; `final` is optional (imported prior grades have none).
    """
    rows = []
    for year in sorted(results_by_year):
        frame = results_by_year[year]
        for role in LEADER_ROLES:
            part = frame.loc[frame["role"] == role]
            if part.empty:
                continue
            finals = (
                pd.to_numeric(part["final"], errors="coerce")
                if "final" in part
                else pd.Series(dtype=float)
            )
            mean = round(float(finals.mean()), 2) if finals.notna().any() else None
            for order, grade in enumerate(GRADES):
                n = int((part["grade"] == grade).sum())
                rows.append(
                    {
                        "year": int(year),
                        "role": role,
                        "leaders": len(part),
                        "mean_final": mean,
                        "grade": grade,
                        "grade_order": order,
                        "count": n,
                        "share": n / len(part),
                    }
                )
    return pd.DataFrame(
        rows,
        columns=["year", "role", "leaders", "mean_final", "grade", "grade_order", "count", "share"],
    )


# --- leader detail --------------------------------------------------------------------------


def leader_row(results: pd.DataFrame, code: str) -> pd.Series | None:
    """The result of one leader by 编号, or None when not assessed."""
    hit = results.loc[results["code"] == code]
    return None if hit.empty else hit.iloc[0]


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


def score_waterfall(row: Mapping[str, Any] | pd.Series, scheme: Scheme) -> pd.DataFrame:
    """How the final score is built: each weighted component, bonus, deduction, then the total.

    Components count when present (not null) and weighted above 0; the weights are
    renormalised over those (scoring.md 4). Columns: step, label, amount, start, end, kind.
    """
    present = {k: _num(row.get(k)) for k in COMPONENTS}
    used = {k: v for k, v in present.items() if v is not None and scheme.weights[k] > 0}
    total_w = sum(scheme.weights[k] for k in used)
    steps: list[dict[str, Any]] = []
    running = 0.0
    for k, score in used.items():
        w = scheme.weights[k] / total_w
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
            {
                "label": "加分",
                "amount": bonus,
                "start": running,
                "end": running + bonus,
                "kind": "加分",
            }
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
    steps.append({"label": "总分", "amount": final, "start": 0.0, "end": final, "kind": "总分"})
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


def satisfaction_rate(marks: Mapping[str, int]) -> float | None:
    """满意率 = (优秀 + 称职) / valid marks; None without valid marks."""
    n = sum(int(marks.get(g, 0)) for g in GRADES)
    if not n:
        return None
    return (int(marks.get(EXCELLENT, 0)) + int(marks.get("称职", 0))) / n


def quarter_totals(totals: Mapping[int, float]) -> pd.DataFrame:
    """Committee quarter totals as a frame: quarter, label (第q季度), total."""
    return pd.DataFrame(
        [
            {"quarter": int(q), "label": f"第{int(q)}季度", "total": round(float(t), 2)}
            for q, t in sorted(totals.items())
        ],
        columns=["quarter", "label", "total"],
    )


def earlier_grades(grades: Mapping[int, str], *, before: int) -> pd.DataFrame:
    """A leader's grades of years before `before`, newest first."""
    rows = [{"year": int(y), "grade": g} for y, g in grades.items() if int(y) < before and g]
    return (
        pd.DataFrame(rows, columns=["year", "grade"])
        .sort_values("year", ascending=False)
        .reset_index(drop=True)
    )


# --- awards ---------------------------------------------------------------------------------


def _scope_keys(scope: str) -> list[str]:
    return {"village": ["township", "village"], "township": ["township"], "county": ["county"]}[
        scope
    ]


def _award_sort_frame(results: pd.DataFrame) -> pd.DataFrame:
    """Award order keys (scoring.md 7): final, committee, mass, self desc; deduction asc; code asc."""
    keys = pd.DataFrame(index=results.index)
    for col in ("final", "committee", "mass", "self", "deduction"):
        keys[col] = pd.to_numeric(results[col], errors="coerce").fillna(0.0).round(2)
    keys["code"] = results["code"].astype(str)
    return keys


def award_quota(ratio: float, headcount: int) -> int:
    """floor(ratio × headcount) in exact decimal arithmetic (0.29 × 100 is 29, not 28)."""
    return math.floor(exact(ratio) * headcount)


def award_candidates(results: pd.DataFrame, scheme: Scheme) -> pd.DataFrame:
    """Every assessed leader in award order per scope and role, with eligibility and the reason.

    Columns: scope, role, position (1-based in award order), code, name, village, final,
    committee, mass, self, deduction, grade, eligible, award, tie, in_running (score reaches
    the 优秀 band or awarded), quota, reason (why not awarded; for winners a note on ties).
    """
    wanted = [
        "code",
        "name",
        "role",
        "county",
        "township",
        "village",
        "final",
        "committee",
        "mass",
        "self",
        "deduction",
        "grade",
        "complete",
        "award",
        "flags",
        "award_quota",
        "eligible",
    ]
    frame = results[[c for c in wanted if c in results.columns]].copy()
    if "county" not in frame.columns:
        frame["county"] = ""
    scope_cols = _scope_keys(scheme.award_scope)
    frame["scope"] = frame[scope_cols].astype(str).agg("·".join, axis=1)
    keys = _award_sort_frame(frame)
    frame = frame.assign(**{f"_k_{c}": keys[c] for c in keys.columns})
    frame = frame.sort_values(
        [
            "scope",
            "role",
            "_k_final",
            "_k_committee",
            "_k_mass",
            "_k_self",
            "_k_deduction",
            "_k_code",
        ],
        ascending=[True, True, False, False, False, False, True, True],
        kind="mergesort",
    )
    frame["position"] = frame.groupby(["scope", "role"]).cumcount() + 1
    headcount = frame.groupby(["scope", "role"])["code"].transform("size")
    # Quota and eligibility follow scoring.md 7; the engine's own columns win when present.
    if "award_quota" in frame.columns:
        frame["quota"] = frame["award_quota"].astype(int)
    else:
        frame["quota"] = headcount.map(lambda n: award_quota(scheme.award_ratio, int(n)))
    veto = _has_flag(frame, "veto")
    mass_veto = _has_flag(frame, "mass_veto")
    frame["tie"] = _has_flag(frame, "tie_at_cutoff")
    if "eligible" in frame.columns:
        frame["eligible"] = frame["eligible"].astype(bool)
    else:
        frame["eligible"] = (
            (frame["grade"] == EXCELLENT) & frame["complete"].astype(bool) & ~veto & ~mass_veto
        )
    frame["award"] = frame["award"].astype(bool)
    frame["eligible_position"] = (
        frame["eligible"].astype(int).groupby([frame["scope"], frame["role"]]).cumsum()
    )
    band = scheme.grade_bands[EXCELLENT]
    frame["in_running"] = (frame["_k_final"] >= band) | frame["award"]

    frame["reason"] = [
        _award_reason_row(row, is_veto, is_mass_veto)
        for row, is_veto, is_mass_veto in zip(
            frame.to_dict("records"), veto, mass_veto, strict=True
        )
    ]
    cols = [
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
    return frame[cols].reset_index(drop=True)


def _award_reason_row(row: Mapping[str, Any], is_veto: bool, is_mass_veto: bool) -> str:
    """Why this leader is (not) awarded, in Chinese."""
    tie = "tie_at_cutoff" in flag_list(row["flags"])
    if row["award"]:
        return "获表彰；与名额外的合格者末位并列，需人工决定" if tie else "获表彰"
    parts = []
    if is_veto:
        parts.append("一票否决")
    if is_mass_veto:
        parts.append("群众评议否决（不称职票超过否决比例）")
    if row["grade"] != EXCELLENT and not (is_veto or is_mass_veto):
        parts.append(f"等次为{grade_label(row['grade'])}，未达优秀")
    if not bool(row["complete"]):
        missing = [FLAG_NAMES[f] for f in COMPLETENESS_FLAGS if f in flag_list(row["flags"])]
        parts.append("考评不完整" + (f"（{'、'.join(missing)}）" if missing else ""))
    if parts:
        return "；".join(parts)
    if tie:
        return "名额已满，但与末位获表彰者并列，需人工决定"
    return f"名额已满（合格者第{int(row['eligible_position'])}位，名额{int(row['quota'])}）"


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
    from dashboard.data.export import REASON_TWO_YEARS, adjustment_reasons

    rows = results.loc[results["adjustment"].astype(bool)]
    previous_grades = previous_grades or {}
    out = []
    for rec in rows.to_dict("records"):
        reason = adjustment_reasons({"flags": flag_list(rec["flags"]), "grade": rec["grade"]})
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


# --- what-if --------------------------------------------------------------------------------


def whatif_changes(
    *,
    weights: Mapping[str, float] | None = None,
    grade_bands: Mapping[str, float] | None = None,
    award_ratio: float | None = None,
) -> dict[str, Any]:
    """The settings a what-if run changes, as a partial scheme dict for Scheme.replace."""
    changes: dict[str, Any] = {}
    if weights:
        changes["weights"] = {k: float(v) for k, v in weights.items()}
    if grade_bands:
        changes["grade_bands"] = {g: float(v) for g, v in grade_bands.items()}
    if award_ratio is not None:
        changes["award"] = {"ratio": float(award_ratio)}
    return changes


def compare_results(current: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """Leaders whose grade or award differs between two runs, side by side (current → changed)."""
    cols = ["code", "final", "grade", "award", "township_rank"]
    merged = current[["code", "name", "role", "township", "village", *cols[1:]]].merge(
        changed[cols], on="code", suffixes=("_now", "_new"), how="inner"
    )
    merged["award_now"] = merged["award_now"].astype(bool)
    merged["award_new"] = merged["award_new"].astype(bool)
    grade_changed = merged["grade_now"] != merged["grade_new"]
    award_changed = merged["award_now"] != merged["award_new"]
    merged["grade_changed"] = grade_changed
    merged["award_changed"] = award_changed
    out = merged.loc[grade_changed | award_changed].copy()
    out["change"] = [
        "；".join(
            p
            for p in (
                f"等次 {a} → {b}" if a != b else "",
                ("新获表彰" if an_new else "不再表彰") if an_now != an_new else "",
            )
            if p
        )
        for a, b, an_now, an_new in zip(
            out["grade_now"], out["grade_new"], out["award_now"], out["award_new"], strict=True
        )
    ]
    return out.sort_values(["township", "role", "code"]).reset_index(drop=True)


def grade_shift_matrix(current: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """Count of leaders per (current grade, changed grade), all grades present as rows and columns."""
    merged = current[["code", "grade"]].merge(
        changed[["code", "grade"]], on="code", suffixes=("_now", "_new")
    )
    table = pd.crosstab(merged["grade_now"], merged["grade_new"])
    return table.reindex(index=list(GRADES), columns=list(GRADES), fill_value=0)


def scopes_in(results: pd.DataFrame) -> list[str]:
    """Townships present in the results, sorted (for filter choices)."""
    return sorted(results["township"].dropna().unique().tolist())


def villages_in(results: pd.DataFrame, township: str | None = None) -> list[str]:
    """Villages present (optionally in one township), sorted (for filter choices)."""
    part = results if not township else results.loc[results["township"] == township]
    return sorted(part["village"].dropna().unique().tolist())


def unique(values: Iterable[Any]) -> list[Any]:
    """Distinct values in first-seen order."""
    return list(dict.fromkeys(values))
