"""The year's inputs to the scoring engine, as aggregate DataFrames (one row per leader or per
leader and quarter), and pure pandas helpers that build those aggregates from raw rows.

Frame schemas (column: dtype; `leader_id` joins them all):

- leaders: leader_id int, code str, name str, role 网格长/联户长, county, township, village,
  grid, group (str; group null for 网格长), appointed_on (date or datetime64), status 在任/离任
- self_scores: leader_id + the seven duty keys (info … unity), each 0–100
- committee: leader_id, quarter (1–4), n (sheets), and per duty `<duty>_sum`, `<duty>_min`,
  `<duty>_max` over the committee members who scored that leader in that quarter
- mass: leader_id + one count column per mark: 优秀, 称职, 基本称职, 不称职, 弃权
- platform: leader_id, reports (the year's total report count)
- adjustments: leader_id, bonus_total, deduction_total, veto_count
- previous_grades: leader_id, grade (the grade of year Y−1)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard.domain import ABSTAIN, BONUS, DEDUCTION, DUTY_KEYS, GRADES, VETO

MARK_COLUMNS: tuple[str, ...] = (*GRADES, ABSTAIN)
LEADER_COLUMNS = (
    "leader_id", "code", "name", "role", "county", "township", "village", "grid", "group",
    "appointed_on", "status",
)
COMMITTEE_AGG_COLUMNS = (
    "leader_id", "quarter", "n",
    *(f"{d}_{stat}" for d in DUTY_KEYS for stat in ("sum", "min", "max")),
)


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64") for c in columns})


def empty_self_scores() -> pd.DataFrame:
    return _empty(("leader_id", *DUTY_KEYS))


def empty_committee() -> pd.DataFrame:
    return _empty(COMMITTEE_AGG_COLUMNS)


def empty_mass() -> pd.DataFrame:
    return _empty(("leader_id", *MARK_COLUMNS))


def empty_platform() -> pd.DataFrame:
    return _empty(("leader_id", "reports"))


def empty_adjustments() -> pd.DataFrame:
    return _empty(("leader_id", "bonus_total", "deduction_total", "veto_count"))


def empty_previous_grades() -> pd.DataFrame:
    return pd.DataFrame({"leader_id": pd.Series(dtype="int64"), "grade": pd.Series(dtype="object")})


@dataclass(frozen=True)
class YearInputs:
    """Everything the engine needs for one year (all frames may hold leaders not assessed)."""

    year: int
    leaders: pd.DataFrame
    self_scores: pd.DataFrame = field(default_factory=empty_self_scores)
    committee: pd.DataFrame = field(default_factory=empty_committee)
    mass: pd.DataFrame = field(default_factory=empty_mass)
    platform: pd.DataFrame = field(default_factory=empty_platform)
    adjustments: pd.DataFrame = field(default_factory=empty_adjustments)
    previous_grades: pd.DataFrame = field(default_factory=empty_previous_grades)
    # None: in use when the platform frame has any row (scoring.md 3.4, "any leader").
    platform_in_use: bool | None = None

    @property
    def uses_platform(self) -> bool:
        if self.platform_in_use is not None:
            return bool(self.platform_in_use)
        return len(self.platform) > 0


# --- aggregates from raw rows (the same as the SQL GROUP BY in dashboard.assessment) --------


def committee_aggregates(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw committee sheets (leader_id, quarter, rater, seven duties) → n, sum, min, max per duty."""
    if raw.empty:
        return empty_committee()
    grouped = raw.groupby(["leader_id", "quarter"], sort=True)
    stats = grouped[list(DUTY_KEYS)].agg(["sum", "min", "max"])  # one pass over the rows
    stats.columns = [f"{duty}_{stat}" for duty, stat in stats.columns]
    stats.insert(0, "n", grouped.size())
    out = stats.reset_index()
    return out[list(COMMITTEE_AGG_COLUMNS)]


def mass_counts(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw ballot marks (leader_id, mark) → one count column per mark (弃权 included)."""
    if raw.empty:
        return empty_mass()
    counts = raw.groupby(["leader_id", "mark"]).size().unstack("mark", fill_value=0)
    counts = counts.reindex(columns=list(MARK_COLUMNS), fill_value=0).astype("int64")
    counts.columns.name = None
    return counts.reset_index()


def platform_totals(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw monthly counts (leader_id, month, reports) → the year's total per leader."""
    if raw.empty:
        return empty_platform()
    return raw.groupby("leader_id", as_index=False)["reports"].sum()


def adjustment_totals(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw adjustments (leader_id, kind, points) → bonus total, deduction total, veto count."""
    if raw.empty:
        return empty_adjustments()
    points = raw["points"].fillna(0).astype("float64")
    frame = pd.DataFrame(
        {
            "leader_id": raw["leader_id"].to_numpy(),
            "bonus_total": points.where(raw["kind"] == BONUS, 0.0).to_numpy(),
            "deduction_total": points.where(raw["kind"] == DEDUCTION, 0.0).to_numpy(),
            "veto_count": (raw["kind"] == VETO).astype("int64").to_numpy(),
        }
    )
    return frame.groupby("leader_id", as_index=False).sum()
