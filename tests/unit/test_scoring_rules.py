"""One test per rule of scoring.md, with the numbers worked by hand in each test."""

from __future__ import annotations

from datetime import date

import pytest
from scoring_builders import YearBuilder, duties

from dashboard.scoring import score_year
from dashboard.scoring.scheme import Scheme

FULL = duties(20, 15, 10, 20, 10, 15, 10)  # a committee sheet with every duty at its maximum


def run(b: YearBuilder, scheme: Scheme | None = None):
    return score_year(b.inputs(), scheme or Scheme.default())


def row(result, code: str) -> dict:
    frame = result.results
    match = frame.loc[frame["code"] == code]
    assert len(match) == 1, f"{code} not in results"
    return match.iloc[0].to_dict()


def sheets(b: YearBuilder, leader: int, quarter: int, *scores: dict) -> None:
    for i, s in enumerate(scores):
        b.committee(leader, quarter, f"委员{i + 1}", s)


def strong(b: YearBuilder, code: str, **kw) -> int:
    """Self 95, committee 100 (5 full sheets), 5 优秀 ballots → base (9.5+30+50)/0.9 = 99.44."""
    lid = b.leader(code, **kw)
    b.self_report(lid, duties(95, 95, 95, 95, 95, 95, 95))
    sheets(b, lid, 1, *[FULL] * 5)
    b.ballots(lid, *["优秀"] * 5)
    return lid


# --- 1. who is assessed -----------------------------------------------------------------------


def test_only_active_leaders_appointed_by_year_end_are_assessed():
    """在任 leaders appointed on or before 31 Dec are assessed; 离任 and later appointments are not."""
    b = YearBuilder()
    b.leader("A", appointed_on=date(2024, 12, 31))
    b.leader("B", appointed_on=date(2025, 1, 1))
    b.leader("C", status="离任")
    assert run(b).results["code"].tolist() == ["A"]


def test_leader_without_any_input_still_gets_a_row():
    """An assessed leader with no input at all gets a row: base 0, 不称职, all missing flags."""
    b = YearBuilder()
    b.leader("A")
    r = row(run(b), "A")
    assert r["final"] == 0.0 and r["grade"] == "不称职"
    assert r["flags"] == ("no_self_report", "no_committee_score", "no_ballots")


# --- 2/3.1 role weights and self --------------------------------------------------------------


def test_self_score_is_role_weighted_mean():
    """self = Σ w_r × s_r with w = (20,15,10,20,10,15,10)/100."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(80, 60, 100, 90, 70, 50, 100))
    # 0.2×80 + 0.15×60 + 0.1×100 + 0.2×90 + 0.1×70 + 0.15×50 + 0.1×100
    # = 16 + 9 + 10 + 18 + 7 + 7.5 + 10 = 77.5
    r = row(run(b), "A")
    assert r["self"] == 77.5
    # Only self present (no platform in use): base = self.
    assert r["final"] == 77.5


def test_role_weights_are_shares_of_role_max():
    """With role_max info 30 (others default, sum 110), info alone at 100 gives self 100×30/110."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(100, 0, 0, 0, 0, 0, 0))
    scheme = Scheme.from_dict({"role_max": {"info": 30}})
    # w_info = 30 / 110 → self = 27.2727… → 27.27
    assert row(run(b, scheme), "A")["self"] == 27.27


# --- 3.2 committee ------------------------------------------------------------------------------


def test_committee_drops_highest_and_lowest_of_five_raters():
    """Five raters 12,14,15,16,18 on info → drop 18 and 12 → 15; quarter total = sum of duties."""
    b = YearBuilder()
    lid = b.leader("A")
    others = (10, 8, 15, 6, 10, 8)  # the same from every rater; sum 57
    sheets(b, lid, 1, *[duties(v, *others) for v in (12, 14, 15, 16, 18)])
    r = row(run(b), "A")
    # (14 + 15 + 16) / 3 = 15; total 15 + 57 = 72
    assert r["committee"] == 72.0
    assert r["roles"]["info"] == 75.0  # 15 / 20 × 100


def test_committee_plain_mean_below_trim_threshold():
    """Four raters 10,12,14,20 (< 5) → plain mean 14, not the trimmed 13."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, *[duties(v, 0, 0, 0, 0, 0, 0) for v in (10, 12, 14, 20)])
    # (10 + 12 + 14 + 20) / 4 = 56 / 4 = 14
    assert row(run(b), "A")["committee"] == 14.0


def test_committee_is_mean_over_quarters_with_sheets():
    """Quarter 1 total 80 and quarter 3 total 70 → 75 (quarters without sheets do not count)."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, duties(20, 15, 10, 20, 5, 5, 5))  # 80
    sheets(b, lid, 3, duties(20, 15, 10, 10, 5, 5, 5))  # 70
    r = row(run(b), "A")
    assert r["committee"] == 75.0
    assert "no_committee_score" not in r["flags"]


def test_committee_quarter_total_scales_by_sum_of_role_max():
    """role_max all 10 (sum 70): a sheet of 5 on every duty → 100 × 35 / 70 = 50."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, duties(5, 5, 5, 5, 5, 5, 5))
    scheme = Scheme.from_dict({"role_max": dict.fromkeys(("info", "service", "publicity", "mediation", "sanitation", "patrol", "unity"), 10)})
    r = row(run(b, scheme), "A")
    assert r["committee"] == 50.0
    assert r["roles"]["info"] == 50.0  # 5 / 10 × 100


def test_roles_profile_is_quarter_mean_over_role_max_and_null_without_sheets():
    """info 15 then 16 → 15.5/20 = 77.5 %; patrol 10 then 11 → 10.5/15 = 70 %; no sheets → null."""
    b = YearBuilder()
    lid = b.leader("A")
    b.leader("B")
    sheets(b, lid, 1, duties(15, 10, 3.33, 0, 0, 10, 0))
    sheets(b, lid, 2, duties(16, 10, 3.33, 0, 0, 11, 0))
    result = run(b)
    roles = row(result, "A")["roles"]
    assert roles["info"] == 77.5
    assert roles["patrol"] == 70.0
    assert roles["service"] == 66.67  # 10 / 15 × 100 = 66.666… → 66.67
    assert roles["publicity"] == 33.3  # 3.33 / 10 × 100
    assert row(result, "B")["roles"] is None
    profile = result.roles.set_index("code").loc["A"]
    assert profile["info"] == 77.5


# --- 3.3 mass evaluation ---------------------------------------------------------------------


def test_mass_drops_highest_and_lowest_of_five_marks():
    """优秀,优秀,称职,称职,不称职 = 100,100,80,80,40 → drop 100 and 40 → 260/3 = 86.67."""
    b = YearBuilder()
    lid = b.leader("A")
    b.ballots(lid, "优秀", "优秀", "称职", "称职", "不称职")
    r = row(run(b), "A")
    assert r["mass"] == 86.67
    assert r["ballots"] == 5
    assert "too_few_ballots" not in r["flags"]


def test_mass_plain_mean_below_five_marks_is_incomplete():
    """优秀,称职,基本称职 = (100+80+60)/3 = 80; 3 < 5 ballots → too_few_ballots, incomplete."""
    b = YearBuilder()
    lid = b.leader("A")
    b.ballots(lid, "优秀", "称职", "基本称职")
    r = row(run(b), "A")
    assert r["mass"] == 80.0
    assert r["complete"] is False or not r["complete"]
    assert "too_few_ballots" in r["flags"]


def test_abstentions_are_not_valid_marks():
    """4 valid marks + 1 弃权: n = 4, plain mean (100+100+80+60)/4 = 85, too few ballots."""
    b = YearBuilder()
    lid = b.leader("A")
    b.ballots(lid, "优秀", "优秀", "称职", "基本称职", "弃权")
    r = row(run(b), "A")
    assert r["ballots"] == 4
    assert r["mass"] == 85.0
    assert "too_few_ballots" in r["flags"]


def test_satisfaction_rate_rounds_to_four_decimals():
    """优秀 1, 称职 2, 基本称职 3, 不称职 1: (1+2)/7 = 0.428571… → 0.4286; null without ballots."""
    b = YearBuilder()
    lid = b.leader("A")
    b.leader("B")
    b.ballots(lid, "优秀", "称职", "称职", "基本称职", "基本称职", "基本称职", "不称职")
    result = run(b)
    assert row(result, "A")["satisfaction"] == 0.4286
    assert row(result, "B")["satisfaction"] != row(result, "B")["satisfaction"]  # NaN (null)


def test_mass_veto_when_incompetent_marks_exceed_a_third():
    """3 不称职 of 8 (3×3 = 9 > 8) forces 不称职; 2 of 6 (6 > 6 is false) does not."""
    b = YearBuilder()
    vetoed = strong(b, "V")
    b.ballot_rows = [r for r in b.ballot_rows if r["leader_id"] != vetoed]
    b.ballots(vetoed, *["优秀"] * 5, *["不称职"] * 3)
    kept = strong(b, "K")
    b.ballot_rows = [r for r in b.ballot_rows if r["leader_id"] != kept]
    b.ballots(kept, *["优秀"] * 4, *["不称职"] * 2)
    result = run(b)
    v, k = row(result, "V"), row(result, "K")
    assert v["grade"] == "不称职" and v["adjustment"] and "mass_veto" in v["flags"]
    assert v["final"] >= 90  # the score itself is high; only the grade is forced
    assert k["grade"] == "优秀" and "mass_veto" not in k["flags"]


def test_mass_veto_only_when_mass_is_complete():
    """2 不称职 of 3 marks (2×3 > 3) but 3 < min_ballots 5 → no veto."""
    b = YearBuilder()
    lid = b.leader("A")
    b.ballots(lid, "不称职", "不称职", "优秀")
    r = row(run(b), "A")
    assert "mass_veto" not in r["flags"]
    assert "too_few_ballots" in r["flags"]


def test_mass_veto_applies_when_mass_weight_is_zero():
    """With weights.mass = 0 the veto still forces 不称职 (3 of 5: 9 > 5)."""
    b = YearBuilder()
    lid = strong(b, "A")
    b.ballot_rows = []
    b.ballots(lid, "优秀", "优秀", "不称职", "不称职", "不称职")
    r = row(run(b, Scheme.from_dict({"weights": {"mass": 0}})), "A")
    assert r["grade"] == "不称职" and "mass_veto" in r["flags"]


# --- 3.4 platform ------------------------------------------------------------------------------


def test_platform_score_uses_months_served():
    """Appointed July 2024: 13 − 7 = 6 months; 12 reports → 100×12/(4×6) = 50; 60 of 48 caps at 100."""
    b = YearBuilder()
    late = b.leader("L", appointed_on=date(2024, 7, 15))
    early = b.leader("E")
    b.platform(late, 9, 12)
    b.platform(early, 1, 30)
    b.platform(early, 2, 30)
    result = run(b)
    assert row(result, "L")["platform"] == 50.0
    assert row(result, "E")["platform"] == 100.0  # 100×60/48 = 125 → min(100, 125)


def test_platform_no_record_is_zero_when_platform_in_use():
    """Platform in use (someone reported): a leader without records scores 0 and is complete on it."""
    b = YearBuilder()
    b.leader("A")
    other = b.leader("B")
    b.platform(other, 1, 4)
    r = row(run(b), "A")
    assert r["platform"] == 0.0


def test_platform_not_in_use_drops_its_weight():
    """No platform record at all: platform null; self 80 and committee 90 → (8+45)/0.6 = 88.33."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(*[80] * 7))
    sheets(b, lid, 1, duties(18, 13.5, 9, 18, 9, 13.5, 9))  # 90
    r = row(run(b), "A")
    assert r["platform"] != r["platform"]  # NaN: not in use
    # base = (0.1×80 + 0.5×90) / (0.1 + 0.5) = 53 / 0.6 = 88.333…
    assert r["final"] == 88.33


# --- 4. base, completeness, adjustments, grades ---------------------------------------------


def test_base_renormalises_over_present_components():
    """self 80, committee 90, mass 60 (5×基本称职), platform 50: 0.1×80+0.3×60+0.5×90+0.1×50 = 76."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(*[80] * 7))
    sheets(b, lid, 1, duties(18, 13.5, 9, 18, 9, 13.5, 9))
    b.ballots(lid, *["基本称职"] * 5)
    b.platform(lid, 1, 24)  # 100 × 24 / 48 = 50
    r = row(run(b), "A")
    # 8 + 18 + 45 + 5 = 76 (weights sum to 1)
    assert r["final"] == 76.0 and r["grade"] == "称职"


def test_incomplete_leader_is_scored_but_never_awarded():
    """Missing self-report (weight 0.1 > 0): incomplete, graded 优秀 by score, but not awarded."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, *[FULL] * 5)
    b.ballots(lid, *["优秀"] * 5)
    result = run(b, Scheme.from_dict({"award": {"ratio": 1}}))
    r = row(result, "A")
    assert r["final"] == 100.0 and r["grade"] == "优秀"
    assert not r["complete"] and not r["award"]


def test_bonus_is_capped_and_deductions_are_not():
    """Bonus 3 + 4 = 7 → capped at 5; deductions 2 + 1.5 = 3.5: final = 70 + 5 − 3.5 = 71.5."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(*[70] * 7))
    b.adjustment(lid, "加分", 3)
    b.adjustment(lid, "加分", 4)
    b.adjustment(lid, "减分", 2)
    b.adjustment(lid, "减分", 1.5)
    r = row(run(b), "A")
    assert (r["bonus"], r["deduction"], r["final"]) == (5.0, 3.5, 71.5)


def test_final_is_never_negative_and_may_exceed_100():
    """10 − 20 deduction → 0; 100 + 5 bonus → 105."""
    b = YearBuilder()
    low = b.leader("L")
    b.self_report(low, duties(*[10] * 7))
    b.adjustment(low, "减分", 20)
    high = b.leader("H")
    b.self_report(high, duties(*[100] * 7))
    b.adjustment(high, "加分", 5)
    result = run(b)
    assert row(result, "L")["final"] == 0.0
    assert row(result, "H")["final"] == 105.0


@pytest.mark.parametrize(
    ("score", "grade"),
    [(90, "优秀"), (89.99, "称职"), (75, "称职"), (74.99, "基本称职"), (60, "基本称职"), (59.99, "不称职")],
)
def test_grade_bands_on_final_score(score, grade):
    """优秀 ≥ 90, 称职 ≥ 75, 基本称职 ≥ 60, otherwise 不称职 (self-only leader: final = self)."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(*[score] * 7))
    assert row(run(b), "A")["grade"] == grade


def test_veto_entry_forces_incompetent_and_adjustment():
    """An 一票否决 entry: grade 不称职 whatever the score, flag veto, 建议调整."""
    b = YearBuilder()
    lid = strong(b, "A")
    b.adjustment(lid, "一票否决")
    r = row(run(b), "A")
    assert r["final"] == 99.44  # (9.5 + 30 + 50) / 0.9 = 99.444…
    assert r["grade"] == "不称职" and r["adjustment"] and "veto" in r["flags"]


def test_adjustment_suggested_for_basic_grade_after_weak_previous_year():
    """基本称职 now and 基本称职 last year → 建议调整; 基本称职 after 称职 → not."""
    b = YearBuilder()
    for code, prev in (("A", "基本称职"), ("B", "不称职"), ("C", "称职")):
        lid = b.leader(code)
        b.self_report(lid, duties(*[65] * 7))
        b.previous_grade(lid, prev)
    result = run(b)
    assert row(result, "A")["adjustment"] and row(result, "B")["adjustment"]
    assert not row(result, "C")["adjustment"]
    assert row(result, "C")["grade"] == "基本称职"


# --- 6. ranks -----------------------------------------------------------------------------------


def test_ranks_are_competition_ranks_per_role_and_scope():
    """Finals 90, 80, 80, 70 in one village → 1, 2, 2, 4; a grid leader is ranked separately."""
    b = YearBuilder()
    for code, score, village in (("A", 90, "甲村"), ("B", 80, "甲村"), ("C", 80, "乙村"), ("D", 70, "甲村")):
        lid = b.leader(code, village=village)
        b.self_report(lid, duties(*[score] * 7))
    g = b.leader("G", role="网格长", village="甲村")
    b.self_report(g, duties(*[50] * 7))
    result = run(b)
    township = {c: row(result, c)["township_rank"] for c in "ABCDG"}
    assert township == {"A": 1, "B": 2, "C": 2, "D": 4, "G": 1}
    village = {c: row(result, c)["village_rank"] for c in "ABCD"}
    assert village == {"A": 1, "B": 2, "C": 1, "D": 3}


def test_same_village_name_in_two_townships_is_two_villages():
    """江盘村 of 南峪乡 and 江盘村 of 大川镇 rank separately (village = (township, name))."""
    b = YearBuilder()
    for code, score, township in (("A", 90, "南峪乡"), ("B", 80, "大川镇")):
        lid = b.leader(code, township=township, village="江盘村")
        b.self_report(lid, duties(*[score] * 7))
    result = run(b)
    assert row(result, "B")["village_rank"] == 1
    assert row(result, "B")["county_rank"] == 2


# --- 7. awards -----------------------------------------------------------------------------------


def test_award_quota_is_floor_of_ratio_times_headcount():
    """9 eligible 联户长 in a township: floor(0.2 × 9) = 1 award; 10 → 2."""
    for headcount, awards in ((9, 1), (10, 2)):
        b = YearBuilder()
        for i in range(headcount):
            strong(b, f"A{i:02d}")
        assert int(run(b).results["award"].sum()) == awards


def test_award_quota_uses_exact_ratio():
    """ratio 0.29 × 100 leaders = 29 awards (float 0.29×100 = 28.999… would floor to 28)."""
    b = YearBuilder()
    for i in range(100):
        strong(b, f"A{i:03d}")
    result = run(b, Scheme.from_dict({"award": {"ratio": 0.29}}))
    assert int(result.results["award"].sum()) == 29


def test_award_order_breaks_equal_finals_on_committee():
    """Equal rounded finals 99.44: committee 100 beats committee 99 (quota floor(0.2×5) = 1)."""
    b = YearBuilder()
    strong(b, "B")  # base (9.5 + 30 + 50) / 0.9 = 99.444… → 99.44
    a = strong(b, "A")
    b.committee_rows = [r for r in b.committee_rows if r["leader_id"] != a]
    sheets(b, a, 1, *[duties(19, 15, 10, 20, 10, 15, 10)] * 5)  # committee 99
    b.adjustment(a, "加分", 0.55)  # (9.5 + 30 + 49.5) / 0.9 = 98.888… + 0.55 = 99.438… → 99.44
    for code in ("W1", "W2", "W3"):
        weak = b.leader(code)
        b.self_report(weak, duties(*[70] * 7))
    result = run(b)
    assert row(result, "A")["final"] == row(result, "B")["final"] == 99.44
    assert row(result, "B")["award"] and not row(result, "A")["award"]
    assert "tie_at_cutoff" not in row(result, "A")["flags"]


def test_tie_at_cutoff_flags_last_awarded_and_first_left_out():
    """Five leaders equal on every key: quota 1 goes to the smallest code V; V and W are flagged."""
    b = YearBuilder()
    for code in ("X", "Y", "Z", "W", "V"):
        strong(b, code)
    result = run(b)
    assert [c for c in "VWXYZ" if row(result, c)["award"]] == ["V"]
    flagged = [c for c in "VWXYZ" if "tie_at_cutoff" in row(result, c)["flags"]]
    assert flagged == ["V", "W"]


def test_award_excludes_vetoed_and_non_excellent():
    """A vetoed 优秀-score leader is not eligible; the next eligible takes the single place."""
    b = YearBuilder()
    codes = [f"A{i}" for i in range(5)]
    ids = [strong(b, c) for c in codes]
    b.adjustment(ids[0], "一票否决")
    b.adjustment(ids[1], "加分", 1)  # A1 leads among the eligible
    result = run(b)
    assert not row(result, "A0")["award"]
    assert row(result, "A1")["award"]
    assert int(result.results["award"].sum()) == 1


def test_award_order_places_every_leader_and_counts_only_the_eligible():
    """A0 vetoed (band 优秀, grade 不称职) keeps its place 2 in the award order but no eligible
    position; A1 (+1 bonus) is first; the eligible A2, A3, A4 are counted 2, 3, 4."""
    b = YearBuilder()
    ids = [strong(b, f"A{i}") for i in range(5)]
    b.adjustment(ids[0], "一票否决")
    b.adjustment(ids[1], "加分", 1)
    result = run(b)
    assert [row(result, f"A{i}")["award_order"] for i in range(5)] == [2, 1, 3, 4, 5]
    assert [row(result, f"A{i}")["award_position"] for i in range(5)] == [0, 1, 2, 3, 4]
    assert row(result, "A0")["band_grade"] == "优秀" and row(result, "A0")["grade"] == "不称职"
    assert {row(result, f"A{i}")["award_quota"] for i in range(5)} == {1}


# --- 8. pay ------------------------------------------------------------------------------------


def test_pay_for_household_leaders_only():
    """联户长 优秀 840×1.2 = 1008; 基本称职 840×0.8 = 672; 网格长 null."""
    b = YearBuilder()
    strong(b, "A")
    low = b.leader("B")
    b.self_report(low, duties(*[65] * 7))
    strong(b, "G", role="网格长")
    result = run(b)
    assert row(result, "A")["pay"] == 1008.0
    assert row(result, "B")["pay"] == 672.0
    assert row(result, "G")["pay"] != row(result, "G")["pay"]  # NaN (null)


# --- 9. flags and ordering -----------------------------------------------------------------------


def test_flags_listed_in_section_9_order_whatever_the_weights():
    """No self-report with self weight 0 still flags no_self_report, before too_few_ballots and veto."""
    b = YearBuilder()
    lid = b.leader("A")
    sheets(b, lid, 1, FULL)
    b.ballots(lid, "优秀")
    b.adjustment(lid, "一票否决")
    r = row(run(b, Scheme.from_dict({"weights": {"self": 0}})), "A")
    assert r["flags"] == ("no_self_report", "too_few_ballots", "veto")


def test_results_ordered_by_township_role_rank_code():
    """Township, then 网格长 before 联户长, then township rank, then code."""
    b = YearBuilder()
    for code, role, township, score in (
        ("H2", "联户长", "南峪乡", 70), ("H1", "联户长", "南峪乡", 80), ("G1", "网格长", "南峪乡", 60),
        ("X1", "联户长", "大川镇", 90), ("H3", "联户长", "南峪乡", 80),
    ):
        lid = b.leader(code, role=role, township=township)
        b.self_report(lid, duties(*[score] * 7))
    # 南峪乡 (U+5357) sorts before 大川镇 (U+5927): townships in code-point order of the names.
    assert run(b).results["code"].tolist() == ["G1", "H1", "H3", "H2", "X1"]
