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
from functools import partial

import numpy as np
import pandas as pd

from dashboard.domain import ABSTAIN, BONUS, DEDUCTION, DUTY_KEYS, GRADES, VETO
from dashboard.scoring.parallel import run_all

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


# --- aggregates from raw rows (the same as the SQL GROUP BY in dashboard.data.queries) --------
#
# Vectorised with numpy on integer group keys (no per-row Python, no hash of Python objects):
# the leader ids become dense codes, (leader, quarter) one integer key, and the statistics are
# np.bincount (counts, sums) and np.minimum.at / np.maximum.at (min, max) over those keys.

# A dense key space may be this much larger than the number of rows before hashing instead.
_DENSE_FACTOR = 8


def _dense_codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Group codes 0..k−1 of `values` in sorted order of the distinct values, −1 for missing.

    Returns (codes, distinct values). Integer ids in a compact range are offset, not hashed.
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "iu" and arr.size:
        lo = int(arr.min())
        span = int(arr.max()) - lo + 1
        if span <= _DENSE_FACTOR * arr.size + 1024:
            offset = arr.astype(np.int64) - lo
            seen = np.bincount(offset, minlength=span) > 0
            if seen.all():  # every value in the range occurs: the offsets are the codes
                return offset, np.arange(lo, lo + span).astype(arr.dtype)
            remap = np.cumsum(seen) - 1
            return remap[offset], (np.flatnonzero(seen) + lo).astype(arr.dtype)
    codes, uniques = pd.factorize(pd.Series(values), sort=True)
    return np.asarray(codes, dtype=np.int64), np.asarray(uniques)


def committee_aggregates(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw committee sheets (leader_id, quarter, rater, seven duties) → n, sum, min, max per duty."""
    if raw.empty:
        return empty_committee()
    leader_codes, leader_ids = _dense_codes(raw["leader_id"].to_numpy())
    quarter_codes, quarters = _dense_codes(raw["quarter"].to_numpy())
    ok = (leader_codes >= 0) & (quarter_codes >= 0)
    if not ok.all():
        leader_codes, quarter_codes = leader_codes[ok], quarter_codes[ok]
    width = max(len(quarters), 1)
    key = leader_codes * width + quarter_codes
    size = len(leader_ids) * width
    counts = np.bincount(key, minlength=size)
    groups = np.flatnonzero(counts)  # (leader, quarter) keys in sorted order
    dense = len(groups) == size  # every leader has every quarter: no compaction needed
    # One float block in the frame's column order (sum, min, max per duty), held column-major
    # (row j of `block` is column j): each statistic is written contiguously, and pandas takes
    # the transposed block as its own without copying 21 separate columns.
    block = np.empty((3 * len(DUTY_KEYS), len(groups)), dtype="float64")
    all_ok = bool(ok.all())

    def duty_stats(j: int, duty: str) -> None:
        # Writes rows 3j..3j+2 of `block` only: the duties run side by side in threads.
        values = raw[duty].to_numpy()
        if not all_ok:
            values = values[ok]
        values = np.ascontiguousarray(values, dtype="float64")
        # np.add.at sums in row order like np.bincount(weights=…) (the same floats), in half the time.
        total = block[3 * j] if dense else np.empty(size)
        total.fill(0.0)
        np.add.at(total, key, values)
        low = block[3 * j + 1] if dense else np.empty(size)
        low.fill(np.inf)
        np.fmin.at(low, key, values)  # like pandas: NaN skipped
        high = block[3 * j + 2] if dense else np.empty(size)
        high.fill(-np.inf)
        np.fmax.at(high, key, values)
        if not dense:
            for k, stat in enumerate((total, low, high)):
                block[3 * j + k] = stat[groups]

    run_all([partial(duty_stats, j, duty) for j, duty in enumerate(DUTY_KEYS)])
    out = pd.DataFrame(block.T, columns=list(COMMITTEE_AGG_COLUMNS[3:]), copy=False)
    out.insert(0, "n", counts[groups].astype("int64"))
    out.insert(0, "quarter", quarters[groups % width])
    out.insert(0, "leader_id", leader_ids[groups // width])
    return out


def _mark_codes(marks: pd.Series) -> np.ndarray:
    """Index of each mark in MARK_COLUMNS, −1 for anything else (categorical: no string work)."""
    if isinstance(marks.dtype, pd.CategoricalDtype):
        lookup = np.array([MARK_COLUMNS.index(c) if c in MARK_COLUMNS else -1 for c in marks.cat.categories]
                          + [-1], dtype=np.int64)
        return lookup[marks.cat.codes.to_numpy().astype(np.int64)]  # code −1 (NaN) → last entry
    # A lookup, not pd.Categorical(marks, categories=…): values outside the categories are
    # deprecated there (pandas 4 will raise), and an unknown mark must simply not count.
    return pd.Index(list(MARK_COLUMNS)).get_indexer(np.asarray(marks, dtype=object)).astype(np.int64)


def mass_counts(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw ballot marks (leader_id, mark) → one count column per mark (弃权 included)."""
    if raw.empty:
        return empty_mass()
    leader_codes, leader_ids = _dense_codes(raw["leader_id"].to_numpy())
    marks = _mark_codes(raw["mark"])
    width = len(MARK_COLUMNS)
    known = leader_codes >= 0
    ok = known & (marks >= 0)
    if ok.all():  # no missing leader or unknown mark: no filtered copies of the rows
        present = np.ones(len(leader_ids), dtype=bool)
        counts = np.bincount(leader_codes * width + marks, minlength=len(leader_ids) * width)
    else:
        present = np.bincount(leader_codes[known], minlength=len(leader_ids)) > 0
        counts = np.bincount(leader_codes[ok] * width + marks[ok], minlength=len(leader_ids) * width)
    counts = counts.reshape(len(leader_ids), width)[present].astype("int64")
    out = pd.DataFrame(counts, columns=list(MARK_COLUMNS))
    out.insert(0, "leader_id", leader_ids[present])
    return out


def platform_totals(raw: pd.DataFrame) -> pd.DataFrame:
    """Raw monthly counts (leader_id, month, reports) → the year's total per leader."""
    if raw.empty:
        return empty_platform()
    leader_codes, leader_ids = _dense_codes(raw["leader_id"].to_numpy())
    reports = raw["reports"].to_numpy()
    ok = leader_codes >= 0
    if not ok.all():
        leader_codes, reports = leader_codes[ok], reports[ok]
    if reports.dtype.kind in "iub":  # whole counts summed as integers: exact
        total = np.zeros(len(leader_ids), dtype=np.int64)
        np.add.at(total, leader_codes, reports.astype(np.int64, copy=False))
    else:  # NaN counts as 0, as in a pandas sum
        weights = np.nan_to_num(np.asarray(reports, dtype="float64"), nan=0.0)
        total = np.bincount(leader_codes, weights=weights, minlength=len(leader_ids))
    return pd.DataFrame({"leader_id": leader_ids, "reports": total})


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


def inputs_from_raw(
    year: int,
    leaders: pd.DataFrame,
    *,
    committee_rows: pd.DataFrame | None = None,
    ballots: pd.DataFrame | None = None,
    platform_rows: pd.DataFrame | None = None,
    adjustment_rows: pd.DataFrame | None = None,
    self_scores: pd.DataFrame | None = None,
    previous_grades: pd.DataFrame | None = None,
) -> YearInputs:
    """A year's inputs from raw rows (the tables' own columns): the four aggregations side by side.

    A missing frame is an empty one. Platform use follows the raw rows (any row: in use).
    """
    raw = {
        "committee": (committee_aggregates, committee_rows, empty_committee),
        "mass": (mass_counts, ballots, empty_mass),
        "platform": (platform_totals, platform_rows, empty_platform),
        "adjustments": (adjustment_totals, adjustment_rows, empty_adjustments),
    }
    calls = [partial(fn, rows) if rows is not None else empty for fn, rows, empty in raw.values()]
    aggregates = dict(zip(raw, run_all(calls), strict=True))
    return YearInputs(
        year=year,
        leaders=leaders,
        self_scores=self_scores if self_scores is not None else empty_self_scores(),
        previous_grades=previous_grades if previous_grades is not None else empty_previous_grades(),
        platform_in_use=platform_rows is not None and len(platform_rows) > 0,
        **aggregates,
    )
