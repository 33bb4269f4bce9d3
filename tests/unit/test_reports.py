"""Data shaping for the result pages (dashboard.reports), on hand-built results frames."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.domain import DUTY_KEYS, GRADES
from dashboard.reports import awards, detail, labels, overview, rankings, whatif
from dashboard.scoring.explain import renormalised_weights
from dashboard.scoring.scheme import Scheme

G, H = "网格长", "联户长"


def result(code: str, **kw) -> dict:
    """One result row with the interfaces.md keys; unspecified values are unremarkable."""
    row = {
        "code": code,
        "name": f"人{code}",
        "role": G,
        "county": "舟曲县",
        "township": "南峪乡",
        "village": "甲村",
        "grid": "一网格",
        "group": None,
        "self": 80.0,
        "mass": 80.0,
        "committee": 80.0,
        "platform": None,
        "ballots": 10,
        "satisfaction": 0.8,
        "bonus": 0.0,
        "deduction": 0.0,
        "final": 80.0,
        "grade": "称职",
        "complete": True,
        "village_rank": 1,
        "township_rank": 1,
        "county_rank": 1,
        "award": False,
        "adjustment": False,
        "pay": None,
        "flags": (),
        "veto": False,
        "mass_veto": False,
        "eligible": False,
        "award_order": 1,
        "award_position": 0,
        "award_quota": 0,
    }
    roles = kw.pop("roles", None)
    row.update(kw)
    row.setdefault("band_grade", row["grade"])
    for key in DUTY_KEYS:
        row[f"role_{key}"] = None if roles is None else roles.get(key)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


# --- labels ---------------------------------------------------------------------------------


def test_flag_text_gives_chinese_names():
    """Flags read as Chinese names joined by 、, from a tuple, `a;b` text, or nothing."""
    assert labels.flag_text(("veto", "tie_at_cutoff")) == "一票否决、表彰名额末位并列"
    assert labels.flag_text("no_ballots;too_few_ballots") == "无群众评议票、评议票不足"
    assert labels.flag_text(None) == ""
    assert labels.flag_text(float("nan")) == ""


def test_grade_label_names_missing_grade():
    """A grade shows as itself; a missing one as 未评定."""
    assert labels.grade_label("基本称职") == "基本称职"
    assert labels.grade_label(None) == "未评定"


# --- rankings -------------------------------------------------------------------------------


def test_filter_results_narrows_by_role_village_grade_and_completeness():
    """Only rows of the role, place, grade and completeness asked for, in rank order."""
    results = frame(
        result("A1", township_rank=2, grade="称职"),
        result("A2", township_rank=1, grade="优秀"),
        result("A3", township_rank=3, grade="称职", complete=False),
        result("B1", village="乙村", township_rank=4),
        result("H1", role=H),
    )
    flt = rankings.RankingFilter(role=G, level="township", village="甲村")
    assert rankings.filter_results(results, flt)["code"].tolist() == ["A2", "A1", "A3"]
    flt = rankings.RankingFilter(role=G, level="township", village="甲村", grade="称职", complete=True)
    assert rankings.filter_results(results, flt)["code"].tolist() == ["A1"]
    flt = rankings.RankingFilter(role=G, level="township", complete=False)
    assert rankings.filter_results(results, flt)["code"].tolist() == ["A3"]


def test_filter_results_village_level_orders_village_by_village():
    """The village ranking lists each village's leaders by their village rank."""
    results = frame(
        result("B1", village="乙村", village_rank=1),
        result("A2", village="甲村", village_rank=2),
        result("A1", village="甲村", village_rank=1),
    )
    out = rankings.filter_results(results, rankings.RankingFilter(role=G, level="village"))
    # 乙村 sorts after 甲村 by code point (乙 U+4E59 < 甲 U+7532 — so 乙村 first).
    assert out["code"].tolist() == ["B1", "A1", "A2"]


def test_paginate_slices_rows_and_clamps_the_page_number():
    """23 rows at 10 a page: 3 pages, the last holds rows 21–23; out-of-range pages clamp."""
    rows = pd.DataFrame({"n": range(1, 24)})
    page = rankings.paginate(rows, page_size=10, page=3)
    assert (page.pages, page.total, page.number) == (3, 23, 3)
    assert page.rows["n"].tolist() == [21, 22, 23]
    assert (page.first, page.last) == (21, 23)
    assert rankings.paginate(rows, page_size=10, page=9).number == 3
    first = rankings.paginate(rows, page_size=10, page=0)
    assert first.number == 1 and first.rows["n"].tolist() == list(range(1, 11))
    empty = rankings.paginate(rows.iloc[:0], page_size=10, page=1)
    assert (empty.pages, empty.total, empty.first, empty.last) == (1, 0, 0, 0)


def test_paginate_refuses_a_page_size_below_one():
    """A page size of 0 is refused in Chinese."""
    with pytest.raises(ValueError, match="每页行数"):
        rankings.paginate(pd.DataFrame({"n": [1]}), page_size=0, page=1)


def test_ranking_table_shows_readable_labels():
    """Rank of the level first, grade, completeness, award and flags as Chinese text."""
    rows = frame(
        result("A1", township_rank=1, village_rank=2, award=True, grade="优秀"),
        result("A2", township_rank=2, complete=False, flags=("no_self_report", "no_ballots")),
    )
    table = rankings.ranking_table(rows, level="township")
    assert table["rank"].tolist() == [1, 2]
    assert table["complete_label"].tolist() == ["完整", "不完整"]
    assert table["award_label"].tolist() == ["表彰", ""]
    assert table.loc[1, "flag_text"] == "缺个人述职、无群众评议票"
    assert "group" not in table.columns  # 网格长 have no 联防组
    assert rankings.ranking_table(rows, level="village")["rank"].tolist() == [2, 1]


# --- overview -------------------------------------------------------------------------------


def test_grade_distribution_counts_every_grade_per_role():
    """网格长 graded 优秀, 称职, 称职, 不称职 → counts 1, 2, 0, 1 and shares 25 %, 50 %, 0, 25 %."""
    results = frame(
        result("A1", grade="优秀"),
        result("A2", grade="称职"),
        result("A3", grade="称职"),
        result("A4", grade="不称职"),
        result("H1", role=H, grade="称职"),
    )
    dist = overview.grade_distribution(results)
    grid = dist.loc[dist["role"] == G].set_index("grade")
    assert grid["count"].tolist() == [1, 2, 0, 1]
    assert grid["share"].tolist() == [0.25, 0.5, 0.0, 0.25]
    house = dist.loc[dist["role"] == H].set_index("grade")
    assert house.loc["称职", "share"] == 1.0
    assert list(grid.index) == list(GRADES)


def test_score_histogram_bins_finals_and_keeps_empty_bins():
    """Finals 61.5, 63, 72, 74.99 in 5-point bins → [60,65): 2, [65,70): 0, [70,75): 2."""
    results = frame(*[result(f"A{i}", final=f) for i, f in enumerate([61.5, 63.0, 72.0, 74.99])])
    hist = overview.score_histogram(results, bin_width=5)
    assert hist["bin_start"].tolist() == [60.0, 65.0, 70.0]
    assert hist["bin_end"].tolist() == [65.0, 70.0, 75.0]
    assert hist["count"].tolist() == [2, 0, 2]
    assert set(hist["role"]) == {G}


def test_score_histogram_puts_a_band_score_in_the_bin_it_opens():
    """A final of exactly 75.00 falls in [75, 80), the bin that starts at the 称职 line."""
    hist = overview.score_histogram(frame(result("A1", final=75.0)), bin_width=5)
    assert hist[["bin_start", "count"]].values.tolist() == [[75.0, 1]]


def test_grade_band_rules_follow_the_scheme():
    """Default bands give lines at 90, 75, 60; a changed 优秀 band moves its line."""
    rules = overview.grade_band_rules(Scheme.default())
    assert rules["score"].tolist() == [90.0, 75.0, 60.0]
    assert rules["label"].tolist() == ["优秀 ≥ 90", "称职 ≥ 75", "基本称职 ≥ 60"]
    changed = Scheme.default().replace({"grade_bands": {"优秀": 88}})
    assert overview.grade_band_rules(changed)["score"].tolist()[0] == 88.0


def test_village_duty_heatmap_means_profiles_per_village():
    """甲村 info 80 and 60 → mean 70; a leader without committee sheets is left out."""
    full = dict.fromkeys(DUTY_KEYS, 50.0)
    results = frame(
        result("A1", roles={**full, "info": 80.0}),
        result("A2", roles={**full, "info": 60.0}),
        result("A3", roles=None),
        result("B1", village="乙村", roles={**full, "info": 90.0}),
    )
    heat = overview.village_duty_heatmap(results).set_index(["place", "duty"])
    assert heat.loc[("甲村", "info"), "mean"] == 70.0
    assert heat.loc[("甲村", "info"), "leaders"] == 2
    assert heat.loc[("乙村", "info"), "mean"] == 90.0
    assert heat.loc[("甲村", "unity"), "duty_name"] == "民族团结示范员"
    assert len(heat) == 14  # 2 villages × 7 duties


def test_duty_profiles_read_the_roles_dict_too():
    """The `roles` dict column (JSON form) gives the same profile as role_* columns."""
    results = pd.DataFrame({"roles": [{"info": 75.0, "unity": 10.0}, None]})
    prof = overview.duty_profiles(results)
    assert prof.loc[0, "info"] == 75.0 and prof.loc[0, "unity"] == 10.0
    assert prof.loc[1].isna().all()


def test_village_names_carry_the_township_when_several_are_shown():
    """Two townships with a 甲村 each stay apart as 南峪乡·甲村 and 大川镇·甲村."""
    results = frame(result("A1", final=80.0), result("C1", township="大川镇", final=70.0))
    comp = overview.village_comparison(results)
    assert sorted(comp["place"]) == ["南峪乡·甲村", "大川镇·甲村"]


def test_overview_can_group_by_township():
    """by="township": 南峪乡 finals 80 and 60 → mean 70; its info 80 and 60 → 70; 大川镇 alone."""
    full = dict.fromkeys(DUTY_KEYS, 50.0)
    results = frame(
        result("A1", final=80.0, roles={**full, "info": 80.0}),
        result("B1", village="乙村", final=60.0, roles={**full, "info": 60.0}),
        result("C1", township="大川镇", final=90.0, roles=full),
    )
    comp = overview.village_comparison(results, by="township").set_index("place")
    assert comp.loc["南峪乡", "mean_final"] == 70.0 and comp.loc["南峪乡", "leaders"] == 2
    assert comp.loc["大川镇", "mean_final"] == 90.0
    heat = overview.village_duty_heatmap(results, by="township").set_index(["place", "duty"])
    assert heat.loc[("南峪乡", "info"), "mean"] == 70.0 and len(heat) == 14


def test_village_comparison_aggregates_per_village_and_role():
    """甲村 网格长 finals 92 and 78 → mean 85, one 优秀 (50 %), one incomplete, one award."""
    results = frame(
        result("A1", final=92.0, grade="优秀", award=True),
        result("A2", final=78.0, grade="称职", complete=False),
        result("B1", village="乙村", final=70.0, grade="基本称职"),
    )
    comp = overview.village_comparison(results).set_index(["place", "role"])
    row = comp.loc[("甲村", G)]
    assert (row["leaders"], row["mean_final"], row["excellent"]) == (2, 85.0, 1)
    assert (row["excellent_share"], row["incomplete"], row["awards"]) == (0.5, 1, 1)
    assert comp.loc[("乙村", G), "mean_final"] == 70.0


def test_trend_reports_mean_and_grade_shares_per_year():
    """2023: finals 70, 90 → mean 80, half 优秀; 2022 imported grades only → no mean."""
    y2023 = frame(
        result("A1", final=70.0, grade="基本称职"), result("A2", final=90.0, grade="优秀")
    )
    y2022 = pd.DataFrame({"role": [G, G, G], "grade": ["称职", "称职", "优秀"]})
    tr = overview.trend({2023: y2023, 2022: y2022})
    assert tr["year"].drop_duplicates().tolist() == [2022, 2023]
    t23 = tr.loc[tr["year"] == 2023].set_index("grade")
    assert t23.loc["优秀", "mean_final"] == 80.0 and t23.loc["优秀", "share"] == 0.5
    t22 = tr.loc[tr["year"] == 2022].set_index("grade")
    assert t22["mean_final"].isna().all()
    assert t22.loc["称职", "count"] == 2 and math.isclose(t22.loc["称职", "share"], 2 / 3)


# --- leader detail --------------------------------------------------------------------------


def test_duty_profile_vs_township_pairs_leader_with_the_role_mean():
    """A1 info 80 vs 网格长 of 南峪乡 (80, 60, 70) → mean 70; 联户长 and other townships excluded."""
    full = dict.fromkeys(DUTY_KEYS, 50.0)
    results = frame(
        result("A1", roles={**full, "info": 80.0}),
        result("A2", roles={**full, "info": 60.0}),
        result("B1", village="乙村", roles={**full, "info": 70.0}),
        result("H1", role=H, roles={**full, "info": 0.0}),
        result("C1", township="大川镇", roles={**full, "info": 0.0}),
    )
    prof = detail.duty_profile_vs_township(results, "A1").set_index(["duty", "series"])
    assert prof.loc[("info", "本人"), "percent"] == 80.0
    assert prof.loc[("info", "乡镇平均"), "percent"] == 70.0  # (80 + 60 + 70) / 3
    assert len(prof) == 14


def test_duty_profile_is_empty_without_committee_sheets():
    """A leader without a profile gets an empty frame (nothing to draw)."""
    assert detail.duty_profile_vs_township(frame(result("A1")), "A1").empty
    assert detail.duty_profile_vs_township(frame(result("A1")), "ZZ").empty


def test_score_waterfall_renormalises_weights_and_adds_adjustments():
    """self 80, mass 90, committee 70, no platform: weights 0.1/0.3/0.5 over 0.9.

    self 80×0.1/0.9 = 8.89, mass 90×0.3/0.9 = 30, committee 70×0.5/0.9 = 38.89,
    base 77.78; +3 bonus → 80.78; −1 deduction → 79.78 = final.
    """
    row = result(
        "A1",
        self=80.0,
        mass=90.0,
        committee=70.0,
        platform=None,
        bonus=3.0,
        deduction=1.0,
        final=79.78,
    )
    wf = detail.score_waterfall(row, renormalised_weights(row, Scheme.default().weights))
    assert wf["kind"].tolist() == ["成绩", "成绩", "成绩", "加分", "减分", "最终得分"]
    assert wf["amount"].tolist() == [8.89, 30.0, 38.89, 3.0, -1.0, 79.78]
    assert wf["end"].tolist() == [8.89, 38.89, 77.78, 80.78, 79.78, 79.78]
    assert wf["label"].iloc[0] == "个人述职（80.00×11%）"


def test_score_waterfall_skips_components_weighted_zero():
    """With the self weight 0, self is not a step: mass 0.3/0.8 × 60 = 22.5, committee 0.5/0.8 × 80 = 50."""
    scheme = Scheme.default().replace({"weights": {"self": 0}})
    row = result("A1", self=100.0, mass=60.0, committee=80.0, platform=None, final=72.5)
    wf = detail.score_waterfall(row, renormalised_weights(row, scheme.weights))
    assert wf["amount"].tolist() == [22.5, 50.0, 72.5]


def test_score_waterfall_shows_the_floor_at_zero():
    """committee 10 only, deduction 15: 10 − 15 = −5, lifted by 5 to a final of 0."""
    row = result(
        "A1", self=None, mass=None, committee=10.0, platform=None, deduction=15.0, final=0.0
    )
    wf = detail.score_waterfall(row, renormalised_weights(row, Scheme.default().weights))
    assert wf["label"].tolist() == ["村两委量化打分（10.00×100%）", "减分", "最低为0", "最终得分"]
    assert wf["amount"].tolist() == [10.0, -15.0, 5.0, 0.0]
    assert wf["end"].tolist() == [10.0, -5.0, 0.0, 0.0]


def test_ballot_breakdown_leaves_out_abstentions():
    """优秀 3, 称职 4, 基本称职 2, 不称职 1, 弃权 5: 10 valid marks, shares of those."""
    marks = {"优秀": 3, "称职": 4, "基本称职": 2, "不称职": 1, "弃权": 5}
    br = detail.ballot_breakdown(marks)
    assert br["mark"].tolist() == list(GRADES)
    assert br["count"].tolist() == [3, 4, 2, 1]
    assert br["share"].tolist() == [0.3, 0.4, 0.2, 0.1]


def test_earlier_grades_are_newest_first():
    """Earlier grades newest first, this year excluded."""
    eg = detail.earlier_grades({2021: "称职", 2023: "优秀", 2024: "称职"}, before=2024)
    assert eg.values.tolist() == [[2023, "优秀"], [2021, "称职"]]


# --- awards ---------------------------------------------------------------------------------


def ranked(*rows: dict, quota: int) -> pd.DataFrame:
    """Rows in the engine's award order (award_order 1, 2, …), eligible ones counted along it."""
    position = 0
    out = []
    for order, row in enumerate(rows, start=1):
        position += bool(row["eligible"])
        out.append({**row, "award_order": order, "award_quota": quota,
                    "award_position": position if row["eligible"] else 0})
    return frame(*out)


def _award_year() -> pd.DataFrame:
    """Ten 网格长 of one township (quota floor(0.2 × 10) = 2) with every reason to miss out,
    in the engine's award order (B before C on committee)."""
    rows = [
        result("A", final=95.0, grade="优秀", award=True, eligible=True),
        result("B", final=93.0, committee=90.0, grade="优秀", award=True, eligible=True),
        result("C", final=93.0, committee=85.0, grade="优秀", eligible=True),
        result("D", final=92.0, grade="不称职", band_grade="优秀", flags=("veto",), veto=True, adjustment=True),
        result("E", final=91.0, grade="优秀", complete=False, ballots=0, flags=("no_ballots",)),
        result("F", final=80.0, grade="称职"),
    ]
    rows += [result(f"Z{i}", final=70.0 - i, grade="基本称职") for i in range(4)]
    return ranked(*rows, quota=2)


def test_award_candidates_order_quota_and_reasons():
    """Award order A, B, C (B before C on committee), then D, E; each non-winner has a reason."""
    cand = awards.award_candidates(_award_year(), Scheme.default())
    assert cand["code"].tolist()[:6] == ["A", "B", "C", "D", "E", "F"]
    assert cand["position"].tolist()[:3] == [1, 2, 3]
    assert set(cand["quota"]) == {2}
    by = cand.set_index("code")
    assert by.loc["A", "reason"] == "获表彰"
    assert by.loc["C", "reason"] == "名额已满（合格者第3位，名额2）"
    assert bool(by.loc["C", "eligible"]) and not bool(by.loc["C", "award"])
    assert by.loc["D", "reason"] == "一票否决"
    assert by.loc["E", "reason"] == "考评不完整（无群众评议票）"
    assert by.loc["F", "reason"] == "等次为称职，未达优秀"
    # In the running: reached the 优秀 band (90) or awarded.
    assert cand.loc[cand["in_running"], "code"].tolist() == ["A", "B", "C", "D", "E"]


def test_award_candidates_mark_ties_at_the_cut_off():
    """B and C equal on every key but the code, B awarded: both tied, both told to decide by hand."""
    results = _award_year()
    results.loc[results["code"] == "C", "committee"] = 90.0
    results.loc[results["code"].isin(["B", "C"]), "flags"] = pd.Series(
        [("tie_at_cutoff",), ("tie_at_cutoff",)],
        index=results.index[results["code"].isin(["B", "C"])],
    )
    cand = awards.award_candidates(results, Scheme.default()).set_index("code")
    assert bool(cand.loc["B", "tie"]) and bool(cand.loc["C", "tie"])
    assert "需人工决定" in cand.loc["B", "reason"] and "需人工决定" in cand.loc["C", "reason"]
    summary = awards.award_summary(cand.reset_index())
    row = summary.iloc[0]
    # headcount 10, quota 2, eligible A B C (D vetoed, E incomplete), awarded 2, tied 2
    assert (row["headcount"], row["quota"], row["eligible"], row["awarded"], row["ties"]) == (
        10,
        2,
        3,
        2,
        2,
    )


def test_award_candidates_group_by_the_scheme_scope():
    """Scope village: 甲村 and 乙村 form separate lists, each with the engine's quota."""
    results = pd.concat([
        ranked(*[result(f"A{i}", final=94.0 - i, grade="优秀", eligible=True) for i in range(5)], quota=1),
        ranked(*[result(f"B{i}", village="乙村", final=80.0) for i in range(10)], quota=2),
    ], ignore_index=True)
    scheme = Scheme.default().replace({"award": {"scope": "village"}})
    summary = awards.award_summary(awards.award_candidates(results, scheme)).set_index("scope")
    # floor(0.2 × 5) = 1 for 甲村, floor(0.2 × 10) = 2 for 乙村
    assert summary.loc["南峪乡·甲村", "quota"] == 1
    assert summary.loc["南峪乡·乙村", "quota"] == 2


def test_adjustment_list_gives_the_reason_of_each_leader():
    """Veto and mass veto name the root cause; 基本称职 after a weak year names last year's grade."""
    results = frame(
        result("D", grade="不称职", flags=("veto",), adjustment=True),
        result("M", grade="不称职", flags=("mass_veto",), adjustment=True),
        result("N", grade="不称职", adjustment=True),
        result("P", grade="基本称职", adjustment=True),
        result("Q", grade="基本称职", adjustment=True, previous_grade="不称职"),
        result("OK", grade="基本称职"),
    )
    adj = awards.adjustment_list(results, {"P": "基本称职"}).set_index("code")
    assert list(adj.index) == ["D", "M", "N", "P", "Q"]
    assert adj.loc["D", "reason"] == "一票否决"
    assert adj.loc["M", "reason"] == "群众评议否决"
    assert adj.loc["N", "reason"] == "等次为不称职"
    assert adj.loc["P", "reason"] == "连续两年基本称职及以下（上年基本称职）"
    assert adj.loc["Q", "reason"] == "连续两年基本称职及以下（上年不称职）"


def test_pay_table_lists_household_leaders_with_coefficients():
    """840 × 1.2 = 1008, 840 × 1.0 = 840, 840 × 0.8 = 672; 甲村 total 1848, 乙村 672."""
    results = frame(
        result("H1", role=H, grade="优秀", pay=1008.0, group="一组"),
        result("H2", role=H, grade="称职", pay=840.0, group="二组"),
        result("H3", role=H, village="乙村", grade="基本称职", pay=672.0, group="一组"),
        result("G1", grade="优秀"),
    )
    pay = awards.pay_table(results, Scheme.default())
    assert pay["code"].tolist() == ["H3", "H1", "H2"]  # 乙村 sorts before 甲村
    assert pay.set_index("code")["coefficient"].to_dict() == {"H3": 0.8, "H1": 1.2, "H2": 1.0}
    totals = awards.pay_by_village(pay).set_index("village")
    assert totals.loc["甲村", "total"] == 1848.0 and totals.loc["甲村", "leaders"] == 2
    assert totals.loc["乙村", "total"] == 672.0


# --- what-if --------------------------------------------------------------------------------


def test_whatif_changes_build_a_scheme_copy_without_touching_the_original():
    """Moving the mass weight to 0.5 and 优秀 to 85 changes the copy only."""
    base = Scheme.default()
    changes = whatif.whatif_changes(weights={"mass": 0.5}, grade_bands={"优秀": 85}, award_ratio=0.3)
    copy = base.replace(changes)
    assert (
        copy.weights["mass"] == 0.5 and copy.grade_bands["优秀"] == 85 and copy.award_ratio == 0.3
    )
    assert base.weights["mass"] == 0.3 and base.grade_bands["优秀"] == 90
    assert whatif.whatif_changes() == {}


def test_compare_results_lists_only_changed_grades_or_awards():
    """A drops 优秀→称职 and loses the award; B gains the award; C unchanged is not listed."""
    now = frame(
        result("A", final=90.5, grade="优秀", award=True),
        result("B", final=89.0, grade="称职"),
        result("C", final=70.0, grade="基本称职"),
    )
    new = frame(
        result("A", final=89.9, grade="称职", award=False),
        result("B", final=91.0, grade="优秀", award=True),
        result("C", final=71.0, grade="基本称职"),
    )
    cmp = whatif.compare_results(now, new).set_index("code")
    assert list(cmp.index) == ["A", "B"]
    assert cmp.loc["A", "change"] == "等次 优秀 → 称职；不再表彰"
    assert cmp.loc["B", "change"] == "等次 称职 → 优秀；新获表彰"
    assert (cmp.loc["A", "final_now"], cmp.loc["A", "final_new"]) == (90.5, 89.9)
    shift = whatif.grade_shift_matrix(now, new)
    assert shift.loc["优秀", "称职"] == 1 and shift.loc["称职", "优秀"] == 1
    assert shift.loc["基本称职", "基本称职"] == 1 and int(shift.values.sum()) == 3
