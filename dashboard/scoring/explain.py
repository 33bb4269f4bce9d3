"""Why a leader got their result (得分说明): inputs counted, values dropped by trimming,
renormalised weights, bonus cap, forced grade and the reasons for (not) being awarded.

Built on demand for one leader from the year's result row and that leader's raw rows. The
pieces the pages and the award workbook show on their own (the renormalised weights, the
reason a leader is suggested for adjustment, why a leader is or is not awarded) are here
too, each read from the engine's columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import pandas as pd

from dashboard.domain import (
    ABSTAIN,
    BASIC,
    COMPONENT_NAMES,
    DUTIES,
    DUTY_KEYS,
    EXCELLENT,
    FLAG_NAMES,
    GRADES,
    INCOMPETENT,
)
from dashboard.scoring.engine import COMPONENT_KEYS, ScoringResult
from dashboard.scoring.scheme import exact

SCOPE_NAMES = {"village": "村", "township": "乡镇", "county": "县"}
COMPLETENESS_FLAGS = ("no_self_report", "no_committee_score", "no_ballots", "too_few_ballots")

REASON_VETO = "一票否决"
REASON_MASS_VETO = "群众评议否决"
REASON_INCOMPETENT = "等次为不称职"
REASON_TWO_YEARS = "连续两年基本称职及以下"


def adjustment_reason(flags: Iterable[str], grade: str | None) -> str:
    """Why a leader is on the 建议调整 list (scoring.md section 4), in Chinese.

    The root cause is named: a veto of either kind forces 不称职, so 等次为不称职 is listed
    only when no veto applies; otherwise 基本称职 means two weak years in a row.
    """
    flags = set(flags)
    reasons = [r for f, r in (("veto", REASON_VETO), ("mass_veto", REASON_MASS_VETO)) if f in flags]
    if not reasons:
        if grade == INCOMPETENT:
            reasons.append(REASON_INCOMPETENT)
        elif grade == BASIC:
            reasons.append(REASON_TWO_YEARS)
    return "；".join(reasons)


def renormalised_weights(row: Mapping[str, Any], weights: Mapping[str, Any]) -> dict[str, Fraction]:
    """The weights of the components that count for this result row (scoring.md section 4).

    A component counts when it is present (not null) and weighted above 0; the weights are
    renormalised over those, exactly. Empty when none counts.
    """
    used = {
        k: exact(weights[k]) for k in COMPONENT_KEYS if not pd.isna(row[k]) and exact(weights[k]) > 0
    }
    total = sum(used.values(), Fraction(0))
    return {k: w / total for k, w in used.items()} if total > 0 else {}


def grade_label(grade: Any) -> str:
    """The grade as shown: the Chinese grade, or 未评定 when there is none."""
    return grade if isinstance(grade, str) and grade in GRADES else "未评定"


def award_reason(row: Mapping[str, Any], flags: Iterable[str]) -> str:
    """Why this leader is (not) awarded, for the award list (engine columns veto, mass_veto,
    grade, complete, award, award_position, award_quota)."""
    flags = set(flags)
    tie = "tie_at_cutoff" in flags
    if row["award"]:
        return "获表彰；与名额外的合格者末位并列，需人工决定" if tie else "获表彰"
    vetoed = bool(row["veto"]) or bool(row["mass_veto"])
    parts = []
    if row["veto"]:
        parts.append("一票否决")
    if row["mass_veto"]:
        parts.append("群众评议否决（不称职票超过否决比例）")
    if row["grade"] != EXCELLENT and not vetoed:
        parts.append(f"等次为{grade_label(row['grade'])}，未达优秀")
    if not bool(row["complete"]):
        missing = [FLAG_NAMES[f] for f in COMPLETENESS_FLAGS if f in flags]
        parts.append("考评不完整" + (f"（{'、'.join(missing)}）" if missing else ""))
    if parts:
        return "；".join(parts)
    if tie:
        return "名额已满，但与末位获表彰者并列，需人工决定"
    return f"名额已满（合格者第{int(row['award_position'])}位，名额{int(row['award_quota'])}）"


@dataclass
class LeaderRawRows:
    """The raw input rows of one leader for one year (any may be empty)."""

    self_scores: dict[str, float] | None = None
    committee: pd.DataFrame = field(default_factory=pd.DataFrame)  # quarter, rater, seven duties
    ballots: pd.DataFrame = field(default_factory=pd.DataFrame)  # ballot_no, rater_type, mark
    platform: pd.DataFrame = field(default_factory=pd.DataFrame)  # month, reports
    adjustments: pd.DataFrame = field(default_factory=pd.DataFrame)  # kind, points, reason


@dataclass
class Explanation:
    """Structured explanation (`data`) and the same as Chinese text lines (`lines`)."""

    code: str
    data: dict[str, Any]
    lines: list[str]


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "无"
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _committee_trimming(raw: pd.DataFrame, trim_min: int) -> list[dict]:
    out = []
    if raw.empty:
        return out
    for quarter, sheet in raw.sort_values(["quarter", "rater"]).groupby("quarter", sort=True):
        n = len(sheet)
        for duty in DUTY_KEYS:
            values = sheet[["rater", duty]].sort_values([duty, "rater"], kind="mergesort")
            entry = {"quarter": int(quarter), "duty": duty, "n": n, "trimmed": n >= trim_min}
            kept = values[duty].tolist()
            if n >= trim_min:
                low, high = values.iloc[0], values.iloc[-1]
                entry["dropped_low"] = {"rater": str(low["rater"]), "value": float(low[duty])}
                entry["dropped_high"] = {"rater": str(high["rater"]), "value": float(high[duty])}
                kept = kept[1:-1]
            entry["value"] = float(sum(Fraction(str(v)) for v in kept) / len(kept))
            out.append(entry)
    return out


def explain_result(result: ScoringResult, code: str, raw: LeaderRawRows) -> Explanation:
    """The explanation of one leader's result (the leader must be in `result.results`)."""
    scheme = result.scheme
    frame = result.results
    match = frame.loc[frame["code"] == str(code)]
    if match.empty:
        raise KeyError(code)
    row = match.iloc[0]
    data: dict[str, Any] = {"code": str(code), "name": row["name"], "role": row["role"], "year": result.year}
    lines: list[str] = [f"{row['name']}（{code}，{row['role']}）{result.year} 年度考评说明"]

    # Inputs (counts).
    marks = {m: int(row[f"marks_{m}"]) for m in (*GRADES, ABSTAIN)}
    committee_quarters = (
        {int(q): int(c) for q, c in raw.committee.groupby("quarter").size().items()}
        if not raw.committee.empty
        else {}
    )
    data["inputs"] = {
        "self_report": raw.self_scores is not None,
        "committee_sheets": committee_quarters,
        "ballots": int(row["ballots"]),
        "marks": marks,
        "platform_in_use": result.platform_in_use,
        "platform_reports": int(row["reports"]),
        "platform_months": len(raw.platform),
        "adjustments": len(raw.adjustments),
    }
    lines.append(
        "输入：个人述职" + ("已提交" if raw.self_scores is not None else "未提交")
        + "；两委打分 " + ("、".join(f"第{q}季度 {c} 张" for q, c in committee_quarters.items()) or "无")
        + f"；有效评议票 {int(row['ballots'])} 张（弃权 {marks[ABSTAIN]} 张）"
        + (f"；综治E通上报 {int(row['reports'])} 条" if result.platform_in_use else "；本年度未使用综治E通")
        + f"；加减分记录 {len(raw.adjustments)} 条。"
    )

    # Trimming.
    trimming = _committee_trimming(raw.committee, scheme.committee_trim_min_raters)
    data["committee_trimming"] = trimming
    for entry in trimming:
        if entry["trimmed"]:
            lines.append(
                f"两委打分第{entry['quarter']}季度「{DUTIES[entry['duty']]}」{entry['n']} 人评分，"
                f"去掉最高分 {entry['dropped_high']['value']:g}（{entry['dropped_high']['rater']}）"
                f"和最低分 {entry['dropped_low']['value']:g}（{entry['dropped_low']['rater']}），"
                f"其余平均 {float(entry['value']):.2f}。"
            )
    if trimming and not any(e["trimmed"] for e in trimming):
        lines.append(f"两委打分每季度不足 {scheme.committee_trim_min_raters} 人，取平均分，不去掉最高最低分。")
    n = int(row["ballots"])
    ballot_trim: dict[str, Any] = {"trimmed": n >= scheme.mass_trim_min_ballots}
    if n >= scheme.mass_trim_min_ballots:
        present = [g for g in GRADES if marks[g] > 0]
        by_points = sorted(present, key=lambda g: scheme.mass_points[g])
        ballot_trim["dropped_high"] = by_points[-1]
        ballot_trim["dropped_low"] = by_points[0]
        lines.append(
            f"群众评议 {n} 张有效票，去掉一张最高票（{by_points[-1]}）和一张最低票（{by_points[0]}）后平均。"
        )
    elif n > 0:
        lines.append(f"群众评议 {n} 张有效票，不足 {scheme.mass_trim_min_ballots} 张，不去掉最高最低票。")
    data["ballot_trimming"] = ballot_trim

    # Components and renormalised weights.
    weights = {k: float(w) for k, w in renormalised_weights(row, scheme.weights).items()}
    data["components"] = {k: (None if pd.isna(row[k]) else float(row[k])) for k in COMPONENT_KEYS}
    data["weights"] = weights
    lines.append(
        "分项得分：" + "；".join(f"{COMPONENT_NAMES[k]} {_fmt(row[k])}" for k in COMPONENT_KEYS) + "。"
    )
    if weights:
        lines.append(
            "参与计算的权重（重新归一）："
            + "、".join(f"{COMPONENT_NAMES[k]} {w:.4g}" for k, w in weights.items())
            + f"；基础得分 {row['base']:.2f}。"
        )
    else:
        lines.append("没有可计入的分项，基础得分为 0。")

    # Adjustments and bonus cap.
    bonus_total = 0.0
    if not raw.adjustments.empty:
        bonus_total = float(raw.adjustments.loc[raw.adjustments["kind"] == "加分", "points"].fillna(0).sum())
    capped = bonus_total > float(scheme.bonus_cap)
    data["bonus"] = {
        "total": round(bonus_total, 2),
        "cap": scheme.bonus_cap,
        "used": float(row["bonus"]),
        "cap_applied": capped,
    }
    data["deduction"] = float(row["deduction"])
    if capped:
        lines.append(f"加分合计 {bonus_total:.2f}，超过上限 {scheme.bonus_cap:g}，按 {row['bonus']:.2f} 计。")
    lines.append(
        f"最终得分 = 基础得分 {row['base']:.2f} + 加分 {row['bonus']:.2f} − 减分 {row['deduction']:.2f}"
        f" = {row['final']:.2f}。"
    )

    # Grade.
    forced = "veto" if row["veto"] else ("mass_veto" if row["mass_veto"] else None)
    data["grade"] = {"grade": row["grade"], "forced_by": forced, "previous_grade": row["previous_grade"]}
    if forced == "veto":
        lines.append("有一票否决事项，等次定为不称职。")
    elif forced == "mass_veto":
        lines.append(
            f"群众评议不称职票 {marks[INCOMPETENT]} 张，超过有效票 {n} 张的 {scheme.mass_veto_share}，"
            "等次定为不称职。"
        )
    else:
        lines.append(f"按最终得分 {row['final']:.2f} 评定等次：{row['grade']}。")
    if row["adjustment"]:
        why = adjustment_reason(row["flags"], row["grade"])
        if why == REASON_TWO_YEARS:
            why = f"等次为{row['grade']}，上年度等次为{row['previous_grade']}"
        data["grade"]["adjustment_reason"] = why
        lines.append(f"列入建议调整名单：{why}。")

    # Award.
    reasons: list[str] = []
    if not row["award"]:
        if row["grade"] != EXCELLENT:
            reasons.append(f"等次为{row['grade']}，不是优秀")
        if not row["complete"]:
            missing = []
            if scheme.weights["self"] > 0 and pd.isna(row["self"]):
                missing.append("缺个人述职")
            if scheme.weights["committee"] > 0 and pd.isna(row["committee"]):
                missing.append("缺两委打分")
            if scheme.weights["mass"] > 0 and n < scheme.mass_min_ballots:
                missing.append(f"有效评议票 {n} 张，少于 {scheme.mass_min_ballots} 张")
            reasons.append("数据不完整（" + "、".join(missing) + "）")
        if row["veto"]:
            reasons.append("有一票否决")
        if row["mass_veto"]:
            reasons.append("群众评议否决")
        if row["eligible"]:
            reasons.append(
                f"在本{SCOPE_NAMES[scheme.award_scope]}同类人员中排第 {int(row['award_position'])} 位，"
                f"表彰名额只有 {int(row['award_quota'])} 名"
            )
    data["award"] = {
        "awarded": bool(row["award"]),
        "quota": int(row["award_quota"]),
        "position": int(row["award_position"]) or None,
        "tie_at_cutoff": "tie_at_cutoff" in row["flags"],
        "reasons": reasons,
    }
    if row["award"]:
        lines.append(
            f"获评表彰：在本{SCOPE_NAMES[scheme.award_scope]}排第 {int(row['award_position'])} 位，"
            f"名额 {int(row['award_quota'])} 名。"
        )
    else:
        lines.append("未获表彰：" + "；".join(reasons) + "。")
    if "tie_at_cutoff" in row["flags"]:
        lines.append("表彰名额末位并列，需研究决定。")
    return Explanation(code=str(code), data=data, lines=lines)
