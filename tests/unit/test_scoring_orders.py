"""The engine's integer fast paths against plain pandas: packed sort keys, committee aggregates, and
every rank, award and row-order field of score_year recomputed with sort_values and groupby."""

from __future__ import annotations

import math
import random

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from scoring_builders import YearBuilder
from test_scoring_properties import schemes, years

from dashboard.domain import DUTY_KEYS, GRID_LEADER
from dashboard.scoring import (
    MARK_COLUMNS,
    committee_aggregates,
    mass_counts,
    platform_totals,
    score_year,
)
from dashboard.scoring.inputs import _dense_codes
from dashboard.scoring.orders import lexsort_ints
from dashboard.scoring.scheme import exact

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCOPES = {"village": ["county", "township", "village"], "township": ["county", "township"], "county": ["county"]}


def test_lexsort_ints_equals_numpy_lexsort():
    """Random integer keys (narrow, wide, full int64 range, negative): the same permutation as np.lexsort."""
    rng = np.random.default_rng(7)
    for _ in range(2000):
        n = int(rng.integers(0, 40))
        keys = []
        for _ in range(int(rng.integers(1, 8))):
            kind = int(rng.integers(0, 4))
            if kind == 0:
                keys.append(rng.integers(-3, 4, n))
            elif kind == 1:
                keys.append(rng.integers(0, 2**40, n))
            elif kind == 2:
                keys.append(rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64, endpoint=True))
            else:
                keys.append(rng.integers(0, 2**20, n))
        assert lexsort_ints(keys).tolist() == np.lexsort(keys).tolist()


def test_lexsort_ints_worked_example():
    """Primary key last: (group 1, 1, 0) with scores (5, 9, 7) sorts as row 2, then 0, then 1."""
    assert lexsort_ints([np.array([5, 9, 7]), np.array([1, 1, 0])]).tolist() == [2, 0, 1]


def test_committee_aggregates_equal_pandas_groupby():
    """Random raw sheets in random order with gaps (not every leader in every quarter): count, sum, min, max as groupby."""
    rng = random.Random(3)
    for _ in range(30):
        rows = []
        for leader in rng.sample(range(1, 60), rng.randint(1, 20)):
            for quarter in rng.sample(range(1, 5), rng.randint(1, 4)):
                for rater in range(rng.randint(1, 6)):
                    rows.append({"leader_id": leader, "quarter": quarter, "rater": f"r{rater}",
                                 **{d: rng.randint(0, 3000) / 100 for d in DUTY_KEYS}})
        raw = pd.DataFrame(rows).sample(frac=1, random_state=rng.randint(0, 99))
        got = committee_aggregates(raw)
        grouped = raw.groupby(["leader_id", "quarter"], sort=True)
        expected = grouped.size().rename("n").reset_index()
        for d in DUTY_KEYS:
            stats = grouped[d].agg(["sum", "min", "max"]).reset_index(drop=True)
            for stat in ("sum", "min", "max"):
                expected[f"{d}_{stat}"] = stats[stat]
        assert got[["leader_id", "quarter", "n"]].to_numpy().tolist() == expected[["leader_id", "quarter", "n"]].to_numpy().tolist()
        for column in expected.columns[3:]:
            want = expected[column].to_numpy(dtype="float64")
            have = got[column].to_numpy(dtype="float64")
            assert np.allclose(have, want, rtol=0, atol=1e-9), column


def _plain_orders(frame: pd.DataFrame, scheme) -> pd.DataFrame:
    """Ranks, award order, positions, quotas, awards and the row order with pandas sorting alone."""
    out = pd.DataFrame(index=frame.index)
    for scope, keys in SCOPES.items():
        out[f"{scope}_rank"] = (
            frame.groupby([*keys, "role"])["final_c"].rank(method="min", ascending=False).astype("int64")
        )
    keys = [*SCOPES[scheme.award_scope], "role"]
    ordered = frame.sort_values(
        [*keys, "final_c", "committee_k", "mass_k", "self_k", "deduction_c", "code"],
        ascending=[True] * len(keys) + [False, False, False, False, True, True],
        kind="stable",
    )
    out["award_order"] = ordered.groupby(keys).cumcount() + 1
    eligible = ordered[ordered["eligible"]]
    out["award_position"] = 0
    out.loc[eligible.index, "award_position"] = eligible.groupby(keys).cumcount() + 1
    ratio = exact(scheme.award_ratio)
    headcount = frame.groupby(keys)["code"].transform("size")
    out["award_quota"] = [math.floor(ratio * int(h)) for h in headcount]
    out["award"] = frame["eligible"] & (out["award_position"] >= 1) & (out["award_position"] <= out["award_quota"])
    role_order = (frame["role"] != GRID_LEADER).astype("int64")
    row_order = frame.assign(_role=role_order, _rank=out["township_rank"]).sort_values(
        ["county", "township", "_role", "_rank", "code"], kind="stable"
    )
    out["row"] = pd.Series(np.arange(len(frame)), index=row_order.index)
    return out


@given(years(min_leaders=1, max_leaders=25), schemes())
@SETTINGS
def test_rank_award_and_row_order_fields_equal_plain_pandas(b, scheme):
    """Every rank, award-order, position, quota and award field, and the row order, as pandas sorting gives them."""
    results = score_year(b.inputs(), scheme).results
    frame = results.astype({c: object for c in ("code", "role", "county", "township", "village")})
    expected = _plain_orders(frame, scheme)
    for column in ("village_rank", "township_rank", "county_rank", "award_order", "award_position", "award_quota", "award"):
        assert frame[column].tolist() == expected[column].tolist(), column
    assert expected["row"].tolist() == list(range(len(frame)))


def test_grade_columns_hold_text_like_the_other_text_columns():
    """Grades built from codes: the dtype pandas gives Python strings; no data → final 0 → 不称职; empty stays object."""
    b = YearBuilder()
    b.leader("A")
    b.leader("B", role="网格长")
    results = score_year(b.inputs()).results
    inferred = pd.DataFrame({"x": np.array(["优秀"], dtype=object)})["x"].dtype
    assert results["grade"].dtype == inferred and results["band_grade"].dtype == inferred
    assert results["grade"].tolist() == ["不称职", "不称职"]
    empty = YearBuilder()
    empty.leader("C", status="离任")
    assert score_year(empty.inputs()).results["grade"].dtype == object


def test_dense_codes_of_a_full_range_and_of_gaps():
    """Ids 5, 6, 7 all present: codes are the offsets 0, 1, 2; ids 5 and 9 (gap): codes 0 and 1."""
    codes, values = _dense_codes(np.array([7, 5, 6, 5]))
    assert codes.tolist() == [2, 0, 1, 0] and values.tolist() == [5, 6, 7]
    codes, values = _dense_codes(np.array([9, 5, 5]))
    assert codes.tolist() == [1, 0, 0] and values.tolist() == [5, 9]


def test_mass_counts_and_platform_totals_equal_pandas_groupby():
    """Random marks and monthly counts, with rows lacking a leader, unknown marks and NaN counts: as groupby."""
    rng = np.random.default_rng(5)
    marks = np.array([*MARK_COLUMNS, "缺考"], dtype=object)
    for trial in range(20):
        rows = int(rng.integers(1, 300))
        leader = rng.integers(1, 40, rows).astype("float64")
        if trial % 2:
            leader[rng.random(rows) < 0.1] = np.nan  # rows without a leader are left out
        ballots = pd.DataFrame({"leader_id": leader, "mark": marks[rng.integers(0, len(marks), rows)]})
        got = mass_counts(ballots).set_index("leader_id")
        known = ballots.dropna(subset=["leader_id"])
        want = pd.crosstab(known["leader_id"], known["mark"]).reindex(columns=list(MARK_COLUMNS), fill_value=0)
        assert got.index.tolist() == want.index.tolist()
        assert got[list(MARK_COLUMNS)].to_numpy().tolist() == want.to_numpy().tolist()

        reports = rng.integers(0, 9, rows)
        platform = pd.DataFrame({"leader_id": leader, "month": 1, "reports": reports})
        if trial % 3 == 0:
            platform["reports"] = np.where(rng.random(rows) < 0.2, np.nan, reports)
        got = platform_totals(platform).set_index("leader_id")["reports"]
        want = platform.dropna(subset=["leader_id"]).groupby("leader_id")["reports"].sum()
        assert got.index.tolist() == want.index.tolist()
        assert got.tolist() == want.tolist()
