"""Every scheme setting really changes the result (scheme.md): one test per setting."""

from __future__ import annotations

from scoring_builders import YearBuilder, duties

from dashboard.scoring import score_year
from dashboard.scoring.scheme import Scheme


def results(b: YearBuilder, changes: dict | None = None):
    return score_year(b.inputs(), Scheme.from_dict(changes or {})).results.set_index("code")


def leader_with_everything(b: YearBuilder, code: str = "A") -> int:
    """self 80, committee 90, mass 5×称职 = 80, platform 24/48 → 50."""
    lid = b.leader(code)
    b.self_report(lid, duties(*[80] * 7))
    b.committee(lid, 1, "r", duties(18, 13.5, 9, 18, 9, 13.5, 9))
    b.ballots(lid, *["称职"] * 5)
    b.platform(lid, 1, 24)
    return lid


def test_setting_weights_self():
    """weights.self 0.1 → 0.5: base (0.5×80 + 24 + 45 + 5)/1.4 = 114/1.4 = 81.43 (default 82)."""
    b = YearBuilder()
    leader_with_everything(b)
    # default: 8 + 24 + 45 + 5 = 82
    assert results(b).loc["A", "final"] == 82.0
    assert results(b, {"weights": {"self": 0.5}}).loc["A", "final"] == 81.43


def test_setting_weights_mass():
    """weights.mass 0 → base (8 + 45 + 5)/0.7 = 82.857… → 82.86."""
    b = YearBuilder()
    leader_with_everything(b)
    assert results(b, {"weights": {"mass": 0}}).loc["A", "final"] == 82.86


def test_setting_weights_committee():
    """weights.committee 0 → base (8 + 24 + 5)/0.5 = 74 (称职 → still 称职, number changes)."""
    b = YearBuilder()
    leader_with_everything(b)
    assert results(b, {"weights": {"committee": 0}}).loc["A", "final"] == 74.0


def test_setting_weights_platform():
    """weights.platform 0 → base (8 + 24 + 45)/0.9 = 85.555… → 85.56."""
    b = YearBuilder()
    leader_with_everything(b)
    assert results(b, {"weights": {"platform": 0}}).loc["A", "final"] == 85.56


def test_setting_role_max():
    """role_max.info 20 → 40: self weights (40,15,10,20,10,15,10)/120; info 100, rest 0 → 33.33."""
    b = YearBuilder()
    b.self_report(b.leader("A"), duties(100, 0, 0, 0, 0, 0, 0))
    assert results(b).loc["A", "self"] == 20.0
    assert results(b, {"role_max": {"info": 40}}).loc["A", "self"] == 33.33


def test_setting_committee_trim_min_raters():
    """4 raters 10,12,14,20 on info: plain 14 by default; trim_min_raters 4 → (12+14)/2 = 13."""
    b = YearBuilder()
    lid = b.leader("A")
    for i, v in enumerate((10, 12, 14, 20)):
        b.committee(lid, 1, f"r{i}", duties(v, 0, 0, 0, 0, 0, 0))
    assert results(b).loc["A", "committee"] == 14.0
    assert results(b, {"committee": {"trim_min_raters": 4}}).loc["A", "committee"] == 13.0


def test_setting_mass_points():
    """称职 80 → 70: 5×称职 trimmed mean 80 → 70."""
    b = YearBuilder()
    b.ballots(b.leader("A"), *["称职"] * 5)
    assert results(b).loc["A", "mass"] == 80.0
    assert results(b, {"mass": {"points": {"称职": 70}}}).loc["A", "mass"] == 70.0


def test_setting_mass_min_ballots():
    """4 ballots: too_few_ballots by default (min 5); min_ballots 4 → complete, no flag."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(*[80] * 7))
    b.committee(lid, 1, "r", duties(18, 13.5, 9, 18, 9, 13.5, 9))
    b.ballots(lid, *["称职"] * 4)
    default = results(b).loc["A"]
    assert "too_few_ballots" in default["flags"] and not default["complete"]
    changed = results(b, {"mass": {"min_ballots": 4}}).loc["A"]
    assert "too_few_ballots" not in changed["flags"] and changed["complete"]


def test_setting_mass_trim_min_ballots():
    """优秀,优秀,称职,不称职 (n=4): plain mean 80; trim_min_ballots 4 → (100+80)/2 = 90."""
    b = YearBuilder()
    b.ballots(b.leader("A"), "优秀", "优秀", "称职", "不称职")
    assert results(b).loc["A", "mass"] == 80.0
    assert results(b, {"mass": {"trim_min_ballots": 4}}).loc["A", "mass"] == 90.0


def test_setting_mass_veto_share():
    """2 不称职 of 6: 2/6 > 1/3 is false; with veto_share "1/4", 2/6 > 1/4 → mass veto."""
    b = YearBuilder()
    b.ballots(b.leader("A"), *["优秀"] * 4, "不称职", "不称职")
    assert "mass_veto" not in results(b).loc["A", "flags"]
    changed = results(b, {"mass": {"veto_share": "1/4"}}).loc["A"]
    assert "mass_veto" in changed["flags"] and changed["grade"] == "不称职"


def test_setting_platform_monthly_target():
    """24 reports in 12 months: target 4 → 50; target 2 → 100."""
    b = YearBuilder()
    b.platform(b.leader("A"), 1, 24)
    assert results(b).loc["A", "platform"] == 50.0
    assert results(b, {"platform": {"monthly_target": 2}}).loc["A", "platform"] == 100.0


def test_setting_bonus_cap():
    """Bonus 7 on self 70: cap 5 → 75; cap 10 → 77."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(*[70] * 7))
    b.adjustment(lid, "加分", 7)
    assert results(b).loc["A", "final"] == 75.0
    assert results(b, {"bonus_cap": 10}).loc["A", "final"] == 77.0


def test_setting_grade_bands():
    """Final 85: 称职 by default; 优秀 band 85 → 优秀."""
    b = YearBuilder()
    b.self_report(b.leader("A"), duties(*[85] * 7))
    assert results(b).loc["A", "grade"] == "称职"
    assert results(b, {"grade_bands": {"优秀": 85}}).loc["A", "grade"] == "优秀"


def _five_excellent(b: YearBuilder, village_of=lambda i: "甲村") -> None:
    for i in range(5):
        lid = b.leader(f"A{i}", village=village_of(i))
        b.self_report(lid, duties(*[95] * 7))
        b.committee(lid, 1, "r", duties(20, 15, 10, 20, 10, 15, 10 - i))  # distinct finals
        b.ballots(lid, *["优秀"] * 5)


def test_setting_award_ratio():
    """5 eligible: ratio 0.2 → 1 award; ratio 0.4 → 2."""
    b = YearBuilder()
    _five_excellent(b)
    assert int(results(b)["award"].sum()) == 1
    assert int(results(b, {"award": {"ratio": 0.4}})["award"].sum()) == 2


def test_setting_award_scope():
    """Two villages of 5 each: township scope floor(0.2×10) = 2 awards; village scope 1 + 1."""
    b = YearBuilder()
    for i in range(10):
        lid = b.leader(f"A{i}", village="甲村" if i < 5 else "乙村")
        b.self_report(lid, duties(*[95] * 7))
        b.committee(lid, 1, "r", duties(20, 15, 10, 20, 10, 15, 10 - i * 0.5))
        b.ballots(lid, *["优秀"] * 5)
    township = results(b)
    assert sorted(township.index[township["award"]]) == ["A0", "A1"]  # the two best overall
    village = results(b, {"award": {"scope": "village"}})
    assert sorted(village.index[village["award"]]) == ["A0", "A5"]  # the best of each village


def test_setting_pay_base():
    """优秀 联户长: 840×1.2 = 1008; base 1000 → 1200."""
    b = YearBuilder()
    b.self_report(b.leader("A"), duties(*[95] * 7))
    assert results(b).loc["A", "pay"] == 1008.0
    assert results(b, {"pay": {"base": 1000}}).loc["A", "pay"] == 1200.0


def test_setting_pay_coefficients():
    """称职 联户长: 840×1.0 = 840; coefficient 0.9 → 756."""
    b = YearBuilder()
    b.self_report(b.leader("A"), duties(*[80] * 7))
    assert results(b).loc["A", "pay"] == 840.0
    assert results(b, {"pay": {"coefficients": {"称职": 0.9}}}).loc["A", "pay"] == 756.0
