"""Quarterly assessment 一季一考评 (季度考评): scoring.md section 10, pure and vectorised.

For year Y and quarter q (months 3q−2 … 3q):

- listed: every leader assessed for Y (section 1) whose first month served in Y (1, or the
  appointment month for a leader appointed in Y) is no later than month 3q;
- committee_q: the quarter total of 3.2 (same trimming, same rescaling by role_max), present
  when the leader has a committee sheet row in quarter q;
- platform_q, only when the platform is in use for Y (3.4): min(100, 100 × reports of the
  quarter's three months / (monthly_target × months served in q)); no record → 0;
- score_q = Σ w_k × score_k / Σ w_k over committee and platform when present, in use and
  weighted above 0 (the year's weights, renormalised), for leaders with committee_q only;
  the others are 未考评 (no score, grade or rank). When neither component is weighted
  (committee weight 0 and the platform not in use or weighted 0) the score is 0, as the
  year's base is 0 "when there is none" (section 4);
- rounded half up to 2 decimals exactly (section 5), graded by grade_bands on the rounded
  score, ranked by standard competition ranking per role in village, township and county.

Trimming, rescaling, the platform formula, grades and rank groups are the year engine's own
functions (dashboard.scoring.engine): no rule is implemented twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.domain import DUTY_KEYS
from dashboard.scoring.engine import (
    INT64_SAFE,
    ROLE_ORDER,
    assessed_leaders,
    committee_quarters,
    committee_total,
    first_month_served,
    grades_of,
    platform_score,
)
from dashboard.scoring.exact import as_integers, half_up
from dashboard.scoring.inputs import empty_committee
from dashboard.scoring.orders import SCOPE_KEYS, competition_rank, scope_groups, sorted_codes
from dashboard.scoring.scheme import Scheme, exact

QUARTERS = (1, 2, 3, 4)
QUARTER_NAMES = {1: "第一季度", 2: "第二季度", 3: "第三季度", 4: "第四季度"}
NOT_ASSESSED = "未考评"
RANK_COLUMNS = ("rank_village", "rank_township", "rank_county")


def empty_platform_months() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in ("leader_id", "month", "reports")})


@dataclass(frozen=True)
class QuarterInputs:
    """What the quarterly rule needs for one year (frames may hold leaders not listed).

    - leaders: the engine's `leaders` frame (dashboard.scoring.inputs);
    - committee: the engine's committee aggregates (leader_id, quarter, n, <duty>_sum/min/max);
    - platform_months: leader_id, month (1–12), reports (several rows per month are summed).
    """

    year: int
    leaders: pd.DataFrame
    committee: pd.DataFrame = field(default_factory=empty_committee)
    platform_months: pd.DataFrame = field(default_factory=empty_platform_months)
    # None: in use when the year has any platform record (scoring.md 3.4, "any leader").
    platform_in_use: bool | None = None

    @property
    def uses_platform(self) -> bool:
        if self.platform_in_use is not None:
            return bool(self.platform_in_use)
        return len(self.platform_months) > 0


@dataclass(frozen=True)
class QuarterResult:
    """One quarter's rows (`rows`: one per listed leader, in the order of interfaces.md)."""

    year: int
    quarter: int
    scheme: Scheme
    rows: pd.DataFrame
    platform_in_use: bool


def quarter_months(quarter: int) -> tuple[int, int]:
    """First and last month of a quarter: 1 → (1, 3) … 4 → (10, 12)."""
    if quarter not in QUARTERS:
        raise ValueError(f"quarter must be 1–4, got {quarter!r}")
    return 3 * quarter - 2, 3 * quarter


def _quarter_reports(frame: pd.DataFrame, ids: pd.Index, first: int, last: int) -> np.ndarray:
    """Σ reports of the months first … last per listed leader (NaN counts as 0)."""
    reports = np.zeros(len(ids), dtype="int64")
    if len(frame):
        pos = ids.get_indexer(frame["leader_id"].to_numpy())
        month = frame["month"].to_numpy(dtype="float64")
        ok = (pos >= 0) & (month >= first) & (month <= last)
        values = np.rint(np.nan_to_num(frame["reports"].to_numpy(dtype="float64"), nan=0.0)).astype("int64")
        np.add.at(reports, pos[ok], values[ok])
    return reports


def _weighted_score(parts: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]) -> np.ndarray:
    """Exact half-up cents of Σ W_k num_k/den_k / Σ W_k over the used parts (0 where none is used).

    Each part is (integer weight W_k, num_k, den_k, used_k). With P = Π den_k:
    score = Σ W_k num_k (P / den_k) / (P Σ W_k), all integer arithmetic.
    """
    n = len(parts[0][1])
    # Σ W_k num_k P/den_k ≤ Σ W × max num × Π max den: beyond int64, Python integers.
    largest = 1.0
    product_bound = 1.0
    for _, num, den, _ in parts:
        largest = max(largest, float(np.max(num, initial=0)))
        product_bound *= float(np.max(den, initial=1))
    exact_ints = sum(w for w, *_ in parts) * largest * product_bound * 4 >= INT64_SAFE
    product = np.ones(n, dtype=object if exact_ints else "int64")
    for _, _, den, _ in parts:
        product = product * (den.astype(object) if exact_ints else den)
    numer = np.zeros(n, dtype=product.dtype)
    wsum = np.zeros(n, dtype=product.dtype)
    for w, num, den, used in parts:
        num = num.astype(object) if exact_ints else num
        numer = numer + np.where(used, w * num * (product // den), 0)
        wsum = wsum + np.where(used, w, 0)
    empty = wsum == 0
    return half_up(np.where(empty, 0, numer), np.where(empty, 1, product * wsum), 100)


def score_quarter(inputs: QuarterInputs, quarter: int, scheme: Scheme | None = None) -> QuarterResult:
    """Quarter rows of scoring.md section 10 for `quarter` (1–4) of the inputs' year."""
    scheme = scheme or Scheme.default()
    year = int(inputs.year)
    first_q, last_q = quarter_months(quarter)
    assessed = assessed_leaders(inputs.leaders, year)
    first = first_month_served(assessed, year)
    listed = first <= last_q
    leaders = assessed.loc[listed].reset_index(drop=True)
    first = first[listed]
    n = len(leaders)
    ids = pd.Index(leaders["leader_id"].to_numpy())
    if not ids.is_unique:
        raise ValueError("leaders.leader_id must be unique")

    role_int, role_den = as_integers({d: exact(scheme.role_max[d]) for d in DUTY_KEYS})
    committee = inputs.committee
    if len(committee):  # only this quarter's groups: a quarter of the work
        committee = committee.loc[committee["quarter"].to_numpy() == quarter]
    by_quarter = committee_quarters(committee, ids, scheme)
    q = quarter - 1
    scored = by_quarter.present[:, q]
    com_num, com_den = committee_total(
        by_quarter.trimmed[:, q, :].sum(axis=1), by_quarter.kept[:, q], role_int, role_den
    )

    uses_platform = inputs.uses_platform
    months = (last_q - np.maximum(first, first_q) + 1).astype("int64")
    reports = _quarter_reports(inputs.platform_months, ids, first_q, last_q)
    plat_num, plat_den = platform_score(reports, months, scheme)

    weights = {k: exact(scheme.weights[k]) for k in ("committee", "platform")}
    w_int, _ = as_integers(weights)
    use_committee = scored & (weights["committee"] > 0)
    use_platform = scored & uses_platform & (weights["platform"] > 0)
    score_c = _weighted_score(
        [
            (w_int["committee"], com_num, com_den, use_committee),
            (w_int["platform"], plat_num, plat_den, use_platform),
        ]
    )
    committee_c = half_up(np.where(scored, com_num, 0), com_den, 100)
    platform_c = half_up(plat_num, plat_den, 100)

    cols: dict[str, np.ndarray] = {
        "committee_c": committee_c,
        "committee": np.where(scored, committee_c / 100, np.nan),
        "platform_c": platform_c,
        "platform": np.where(uses_platform, platform_c / 100, np.nan),
        "score_c": score_c,
        "score": np.where(scored, score_c / 100, np.nan),
        "grade": np.where(scored, grades_of(score_c, scheme), None).astype(object),
        "assessed": scored,
        "reports": reports,
        "months": months,
        "raters": np.where(scored, by_quarter.kept[:, q], 0),
    }
    # Ranks among the scored leaders only; the unscored (未考评) get none.
    groups = scope_groups(leaders)
    rows = np.flatnonzero(scored)
    for scope in SCOPE_KEYS:
        ranks = np.zeros(n, dtype="int64")
        if rows.size:
            ranks[rows] = competition_rank(groups[scope][rows], score_c[rows])
        cols[f"rank_{scope}"] = ranks

    # Row order: county, township, role (网格长 first), township rank (未考评 last), code.
    role_order = leaders["role"].map(ROLE_ORDER).fillna(2).to_numpy(dtype="int64")
    township_rank = np.where(scored, cols["rank_township"], np.iinfo("int64").max)
    order = np.lexsort(
        (
            sorted_codes(leaders["code"].astype(str)),
            township_rank,
            role_order,
            sorted_codes(leaders["township"]),
            sorted_codes(leaders["county"]),
        )
    )
    text = leaders[["leader_id", "code", "name", "role", "county", "township", "village", "grid", "group"]]
    out = text.iloc[order].reset_index(drop=True).astype({"code": str})
    out["quarter"] = np.full(n, quarter, dtype="int64")
    out["appointed_on"] = leaders["appointed_on"].to_numpy()[order]
    for key in (
        "committee", "platform", "score", *RANK_COLUMNS, "assessed", "committee_c",
        "platform_c", "score_c", "reports", "months", "raters",
    ):
        out[key] = cols[key][order]
    out.insert(out.columns.get_loc("score") + 1, "grade", pd.Series(cols["grade"][order], dtype=object))  # None for 未考评
    for key in RANK_COLUMNS:  # nullable integers: no rank for 未考评
        out[key] = pd.arrays.IntegerArray(out[key].to_numpy(dtype="int64"), ~out["assessed"].to_numpy(dtype=bool))
    return QuarterResult(year=year, quarter=quarter, scheme=scheme, rows=out, platform_in_use=uses_platform)


def score_quarters(inputs: QuarterInputs, scheme: Scheme | None = None) -> pd.DataFrame:
    """The rows of all four quarters, one frame (the leader's trend over the year)."""
    frames = [score_quarter(inputs, q, scheme).rows for q in QUARTERS]
    return pd.concat(frames, ignore_index=True)


def quarter_label(year: int, quarter: int) -> str:
    """「2024 年第二季度」."""
    quarter_months(quarter)
    return f"{year} 年{QUARTER_NAMES[quarter]}"


__all__ = [
    "NOT_ASSESSED",
    "QUARTERS",
    "QUARTER_NAMES",
    "QuarterInputs",
    "QuarterResult",
    "empty_platform_months",
    "quarter_label",
    "quarter_months",
    "score_quarter",
    "score_quarters",
]

