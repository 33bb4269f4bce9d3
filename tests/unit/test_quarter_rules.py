"""The quarterly rule 一季一考评 (scoring.md section 10), with the numbers worked by hand in each test."""

from __future__ import annotations

import math
import random
from datetime import date
from fractions import Fraction

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scoring_builders import YearBuilder, duties

from dashboard.domain import DUTY_KEYS, GRADES, INCOMPETENT
from dashboard.scoring import committee_aggregates
from dashboard.scoring.quarter import QuarterInputs, score_quarter, score_quarters
from dashboard.scoring.scheme import Scheme, exact

FULL = duties(20, 15, 10, 20, 10, 15, 10)  # every duty at its maximum: total 100
EIGHTY = duties(16, 12, 8, 16, 8, 12, 8)  # 80 % of every maximum: total 80


def quarter_inputs(b: YearBuilder) -> QuarterInputs:
    committee_raw = (
        pd.DataFrame(b.committee_rows) if b.committee_rows
        else pd.DataFrame({c: [] for c in ("leader_id", "quarter", "rater", *DUTY_KEYS)})
    )
    platform = (
        pd.DataFrame(b.platform_rows) if b.platform_rows
        else pd.DataFrame({c: pd.Series(dtype="float64") for c in ("leader_id", "month", "reports")})
    )
    return QuarterInputs(
        year=b.year,
        leaders=pd.DataFrame(b.leaders),
        committee=committee_aggregates(committee_raw),
        platform_months=platform,
        platform_in_use=b.platform_in_use,
    )


def run(b: YearBuilder, quarter: int, scheme: Scheme | None = None) -> pd.DataFrame:
    return score_quarter(quarter_inputs(b), quarter, scheme).rows


def row(rows: pd.DataFrame, code: str) -> dict:
    match = rows.loc[rows["code"] == code]
    assert len(match) == 1, f"{code} not listed"
    return match.iloc[0].to_dict()


def sheets(b: YearBuilder, leader: int, quarter: int, *scores: dict) -> None:
    for i, s in enumerate(scores):
        b.committee(leader, quarter, f"委员{i + 1}", s)


# --- who is listed ----------------------------------------------------------------------------


def test_listed_from_the_quarter_of_the_first_month_served():
    """Appointed 2024-07-15: not in Q2 (first month 7 > 6), listed in Q3; 离任 and 2025 never."""
    b = YearBuilder()
    b.leader("OLD", appointed_on=date(2019, 3, 1))
    b.leader("JUL", appointed_on=date(2024, 7, 15))
    b.leader("GONE", status="离任")
    b.leader("NEXT", appointed_on=date(2025, 1, 1))
    assert run(b, 2)["code"].tolist() == ["OLD"]
    assert sorted(run(b, 3)["code"]) == ["JUL", "OLD"]


# --- platform months and weights --------------------------------------------------------------


def test_leader_appointed_in_the_quarters_middle_month_serves_two_months():
    """Appointed 10 May: Q2 months served 5, 6 = 2; 6 reports → 100×6/(4×2) = 75.

    committee 80 (one sheet at 80 %); score = (0.5×80 + 0.1×75)/0.6 = 47.5/0.6 = 79.1666… → 79.17 称职.
    """
    b = YearBuilder()
    lid = b.leader("MAY", appointed_on=date(2024, 5, 10))
    sheets(b, lid, 2, EIGHTY)
    b.platform(lid, 5, 3)
    b.platform(lid, 6, 3)
    r = row(run(b, 2), "MAY")
    assert r["months"] == 2 and r["reports"] == 6
    assert (r["committee"], r["platform"], r["score"], r["grade"]) == (80.0, 75.0, 79.17, "称职")
    assert "MAY" not in run(b, 1)["code"].tolist()  # first month 5 > 3


def test_platform_capped_at_100_and_counts_only_the_quarters_months():
    """Q1 reports 9+9+9 = 27 (March 9; April's 50 is Q2): 100×27/12 = 225 → 100; score (50+10)/0.6 = 100."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, FULL)
    for month, reports in ((1, 9), (2, 9), (3, 9), (4, 50)):
        b.platform(lid, month, reports)
    r = row(run(b, 1), "A")
    assert (r["reports"], r["platform"], r["score"]) == (27, 100.0, 100.0)


def test_platform_not_in_use_score_is_committee_only():
    """No platform record in the year: platform null, score = committee = 80, 称职."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, EIGHTY)
    r = row(run(b, 1), "A")
    assert math.isnan(r["platform"])
    assert (r["committee"], r["score"], r["grade"]) == (80.0, 80.0, "称职")


def test_no_record_in_a_year_that_uses_the_platform_counts_zero():
    """Another leader reported, A did not: platform 0; score = (0.5×80 + 0)/0.6 = 66.666… → 66.67 基本称职."""
    b = YearBuilder()
    lid = b.leader("A")
    other = b.leader("B")
    sheets(b, lid, 1, EIGHTY)
    b.platform(other, 11, 1)
    r = row(run(b, 1), "A")
    assert (r["platform"], r["score"], r["grade"]) == (0.0, 66.67, "基本称职")


def test_committee_weight_zero_scores_platform_only():
    """committee weight 0: score = platform = 100×10/(4×3) = 83.333… → 83.33; no sheet → still 未考评."""
    scheme = Scheme.from_dict({"weights": {"self": 0.5, "mass": 0.4, "committee": 0, "platform": 0.1}})
    b = YearBuilder()
    lid = b.leader("A")
    none = b.leader("B")
    sheets(b, lid, 1, EIGHTY)
    b.platform(lid, 2, 10)
    b.platform(none, 2, 12)
    rows = run(b, 1, scheme)
    a, b_row = row(rows, "A"), row(rows, "B")
    assert (a["committee"], a["platform"], a["score"], a["grade"]) == (80.0, 83.33, 83.33, "称职")
    assert not b_row["assessed"] and b_row["score"] != b_row["score"] and b_row["grade"] is None


def test_no_weighted_component_scores_zero():
    """committee weight 0 and the platform not in use: nothing weighted, score 0 as the year's base (4)."""
    scheme = Scheme.from_dict({"weights": {"self": 0.5, "mass": 0.5, "committee": 0, "platform": 0.1}})
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, FULL)
    r = row(run(b, 1, scheme), "A")
    assert (r["committee"], r["score"], r["grade"], r["rank_township"]) == (100.0, 0.0, INCOMPETENT, 1)


def test_yearly_components_play_no_part():
    """Self-report, ballots and a veto change nothing: the score stays committee 80."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, EIGHTY)
    b.self_report(lid, duties(0, 0, 0, 0, 0, 0, 0))
    b.ballots(lid, *["不称职"] * 5)
    b.adjustment(lid, "一票否决")
    r = row(run(b, 1), "A")
    assert (r["score"], r["grade"]) == (80.0, "称职")


# --- committee: the year engine's trimming and rescaling --------------------------------------


def test_committee_trimmed_with_five_members():
    """info by 5 members 20, 18, 16, 14, 2 → drop 20 and 2 → 16; the other duties full (80): total 96."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, *(duties(v, 15, 10, 20, 10, 15, 10) for v in (20, 18, 16, 14, 2)))
    assert row(run(b, 1), "A")["committee"] == 96.0
    # trim_min_raters 6: plain mean (20+18+16+14+2)/5 = 14 → 94.
    scheme = Scheme.from_dict({"committee": {"trim_min_raters": 6}})
    assert row(run(b, 1, scheme), "A")["committee"] == 94.0


def test_committee_four_members_plain_mean():
    """info by 4 members 20, 18, 16, 14 (< 5, no trimming): mean 17; total 17 + 80 = 97."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, *(duties(v, 15, 10, 20, 10, 15, 10) for v in (20, 18, 16, 14)))
    assert row(run(b, 1), "A")["committee"] == 97.0


def test_committee_rescaled_by_role_max():
    """role_max info 30 (sum 110): sheet info 30, others 80 % → (30 + 64)/110 × 100 = 85.4545… → 85.45."""
    scheme = Scheme.from_dict({"role_max": {"info": 30}})
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, duties(30, 12, 8, 16, 8, 12, 8))
    assert row(run(b, 1, scheme), "A")["committee"] == 85.45


def test_other_quarters_sheets_do_not_count():
    """Sheets of Q1 (100) and Q3 (80): Q1 = 100, Q2 未考评, Q3 = 80 — no mean across quarters."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, FULL)
    sheets(b, lid, 3, EIGHTY)
    rows = score_quarters(quarter_inputs(b))
    assert rows["score"].tolist()[:1] == [100.0] and rows["score"].tolist()[2] == 80.0
    assert rows["assessed"].tolist() == [True, False, True, False]


# --- rounding ---------------------------------------------------------------------------------


def test_committee_half_up_at_the_boundary():
    """Two sheets 90.00 and 89.99: info (20 + 19.99)/2 = 19.995, total 89.995 → 90.00 优秀 (exact)."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, duties(20, 15, 10, 20, 10, 15, 0), duties(19.99, 15, 10, 20, 10, 15, 0))
    r = row(run(b, 1), "A")
    assert (r["committee"], r["score"], r["grade"]) == (90.0, 90.0, "优秀")


def test_score_half_up_at_the_boundary():
    """committee 97.97, platform 100×6/12 = 50: score (5×97.97 + 50)/6 = 539.85/6 = 89.975 → 89.98."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, duties(20, 15, 10, 20, 10, 15, 7.97))
    b.platform(lid, 1, 6)
    r = row(run(b, 1), "A")
    assert (r["committee"], r["platform"], r["score"], r["grade"]) == (97.97, 50.0, 89.98, "称职")


# --- ranks and order --------------------------------------------------------------------------


def test_ties_get_competition_ranks_and_unassessed_come_last():
    """Committee 90, 90, 85 in one village: ranks 1, 1, 3; the leader without a sheet: 未考评, no rank, last."""
    b = YearBuilder()
    for code, sheet in (("C", duties(20, 15, 10, 20, 5, 15, 0)), ("A", duties(20, 15, 10, 20, 10, 15, 0)),
                        ("B", duties(20, 15, 10, 20, 10, 15, 0))):
        sheets(b, b.leader(code), 2, sheet)  # C 85, A 90, B 90
    b.leader("0NONE")
    other = b.leader("G", role="网格长")
    sheets(b, other, 2, EIGHTY)
    rows = run(b, 2)
    assert rows["code"].tolist() == ["G", "A", "B", "C", "0NONE"]  # 网格长 first
    assert rows["rank_village"].tolist()[:4] == [1, 1, 1, 3]
    assert rows["rank_township"].tolist()[:4] == [1, 1, 1, 3]
    last = rows.iloc[-1]
    assert last["rank_township"] is pd.NA and last["grade"] is None and not last["assessed"]


def test_ranks_per_scope():
    """Same role in two villages: 95 (江盘村) and 90 (拉尕村) are both village rank 1, township 1 and 2."""
    b = YearBuilder()
    a = b.leader("A", village="江盘村")
    c = b.leader("B", village="拉尕村")
    sheets(b, a, 1, duties(20, 15, 10, 20, 10, 15, 5))
    sheets(b, c, 1, duties(20, 15, 10, 20, 10, 15, 0))
    rows = run(b, 1).set_index("code")
    assert rows.loc["A", "rank_village"] == rows.loc["B", "rank_village"] == 1
    assert (rows.loc["A", "rank_township"], rows.loc["B", "rank_township"]) == (1, 2)


def test_quarter_must_be_one_to_four():
    """Quarter 5 is refused."""
    b = YearBuilder()
    b.leader("A")
    with pytest.raises(ValueError):
        run(b, 5)


def random_year(seed: int) -> YearBuilder:
    rng = random.Random(seed)
    b = YearBuilder()
    for i in range(12):
        lid = b.leader(
            f"L{i:02d}", role=rng.choice(["网格长", "联户长"]), village=rng.choice(["江盘村", "拉尕村"]),
            appointed_on=rng.choice([date(2018, 1, 1), date(2024, 2, 5), date(2024, 8, 1)]),
        )
        for q in rng.sample([1, 2, 3, 4], rng.randint(0, 4)):
            sheets(b, lid, q, *(duties(*(rng.randint(0, 10) for _ in range(7))) for _ in range(rng.randint(1, 6))))
        for month in rng.sample(range(1, 13), rng.randint(0, 6)):
            b.platform(lid, month, rng.randint(0, 8))
    return b


def test_row_order_of_the_inputs_does_not_matter():
    """Shuffling the leader, committee and platform rows gives the same quarter rows."""
    b = random_year(7)
    inputs = quarter_inputs(b)
    shuffled = QuarterInputs(
        year=inputs.year,
        leaders=inputs.leaders.sample(frac=1, random_state=1).reset_index(drop=True),
        committee=inputs.committee.sample(frac=1, random_state=2).reset_index(drop=True),
        platform_months=inputs.platform_months.sample(frac=1, random_state=3).reset_index(drop=True),
    )
    for q in (1, 2, 3, 4):
        expected = score_quarter(inputs, q).rows
        pd.testing.assert_frame_equal(score_quarter(shuffled, q).rows, expected)
        assert expected["assessed"].any()


# --- property test against an exact oracle ----------------------------------------------------


def oracle(b: YearBuilder, quarter: int, scheme: Scheme) -> dict[str, dict]:
    """Section 10 straight from the raw rows with fractions.Fraction, one leader at a time."""
    role_max = {d: exact(scheme.role_max[d]) for d in DUTY_KEYS}
    weights = {k: exact(scheme.weights[k]) for k in ("committee", "platform")}
    target = exact(scheme.platform_monthly_target)
    in_use = bool(b.platform_rows) if b.platform_in_use is None else b.platform_in_use
    first_q, last_q = 3 * quarter - 2, 3 * quarter
    out = {}
    for leader in b.leaders:
        appointed = leader["appointed_on"]
        if leader["status"] != "在任" or appointed.year > b.year:
            continue
        first = appointed.month if appointed.year == b.year else 1
        if first > last_q:
            continue
        sheets_q = [r for r in b.committee_rows if r["leader_id"] == leader["leader_id"] and r["quarter"] == quarter]
        committee = None
        if sheets_q:
            total = Fraction(0)
            for d in DUTY_KEYS:
                values = sorted(exact(r[d]) for r in sheets_q)
                if len(values) >= scheme.committee_trim_min_raters:
                    values = values[1:-1]
                total += sum(values) / len(values)
            committee = 100 * total / sum(role_max.values())
        reports = sum(
            r["reports"] for r in b.platform_rows
            if r["leader_id"] == leader["leader_id"] and first_q <= r["month"] <= last_q
        )
        months = last_q - max(first, first_q) + 1
        platform = min(Fraction(100), 100 * Fraction(reports) / (target * months)) if in_use else None
        score = grade = None
        if committee is not None:
            parts = [(weights["committee"], committee)]
            if in_use:
                parts.append((weights["platform"], platform))
            used = [(w, v) for w, v in parts if w > 0]
            wsum = sum(w for w, _ in used)
            value = sum(w * v for w, v in used) / wsum if wsum else Fraction(0)
            score = math.floor(value * 100 + Fraction(1, 2))
            grade = next((g for g, low in scheme.grade_bands.items() if score >= exact(low) * 100), GRADES[-1])
        out[leader["code"]] = {
            "committee": None if committee is None else math.floor(committee * 100 + Fraction(1, 2)),
            "platform": None if platform is None else math.floor(platform * 100 + Fraction(1, 2)),
            "score": score, "grade": grade, "role": leader["role"], "village": leader["village"],
        }
    for r in out.values():
        for scope, same in (("village", lambda o, r=r: o["village"] == r["village"]), ("township", lambda o: True)):
            peers = [o["score"] for o in out.values() if o["role"] == r["role"] and o["score"] is not None and same(o)]
            r[f"rank_{scope}"] = None if r["score"] is None else 1 + sum(p > r["score"] for p in peers)
    return out


@st.composite
def quarter_cases(draw):
    b = YearBuilder()
    for i in range(draw(st.integers(1, 8))):
        lid = b.leader(
            f"L{i:02d}", role=draw(st.sampled_from(["网格长", "联户长"])),
            village=draw(st.sampled_from(["江盘村", "拉尕村"])),
            appointed_on=draw(st.sampled_from([date(2017, 6, 1), date(2024, 1, 20), date(2024, 5, 3),
                                               date(2024, 9, 30), date(2024, 12, 1)])),
            status=draw(st.sampled_from(["在任", "在任", "在任", "离任"])),
        )
        for q in draw(st.sets(st.integers(1, 4), max_size=4)):
            for k in range(draw(st.integers(1, 6))):
                b.committee(lid, q, f"委员{k}", {
                    d: draw(st.integers(0, int(m * 100))) / 100
                    for d, m in zip(DUTY_KEYS, (20, 15, 10, 20, 10, 15, 10), strict=True)
                })
        for month in draw(st.sets(st.integers(1, 12), max_size=5)):
            b.platform(lid, month, draw(st.integers(0, 20)))
    scheme = Scheme.from_dict({
        "weights": {"self": 0.1, "mass": 0.2, "committee": draw(st.sampled_from([0, 0.3, 0.5, 0.55])),
                    "platform": draw(st.sampled_from([0, 0.1, 0.15, 0.2]))},
        "role_max": {"info": draw(st.sampled_from([20, 12.5, 30]))},
        "committee": {"trim_min_raters": draw(st.integers(3, 6))},
        "platform": {"monthly_target": draw(st.sampled_from([4, 3, 2.5]))},
        "grade_bands": {"优秀": draw(st.sampled_from([90, 85.5])), "称职": 75, "基本称职": 60},
    })
    return b, draw(st.integers(1, 4)), scheme


@settings(max_examples=60)
@given(quarter_cases())
def test_matches_an_exact_fraction_oracle(case):
    """Every listed leader's committee, platform, score, grade and ranks equal the Fraction oracle's."""
    b, quarter, scheme = case
    rows = run(b, quarter, scheme)
    expected = oracle(b, quarter, scheme)
    assert sorted(rows["code"]) == sorted(expected)
    for r in rows.to_dict(orient="records"):
        e = expected[r["code"]]
        assert (r["committee_c"] if r["assessed"] else None) == e["committee"]
        assert (None if r["platform"] != r["platform"] else r["platform_c"]) == e["platform"]
        assert (r["score_c"] if r["assessed"] else None) == e["score"]
        assert r["grade"] == e["grade"]
        for scope in ("village", "township"):
            got = r[f"rank_{scope}"]
            assert (None if got is pd.NA else got) == e[f"rank_{scope}"]
