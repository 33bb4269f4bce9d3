"""Exact half-up rounding (scoring.md section 5), with inputs whose float sums land below .xx5."""

from __future__ import annotations

from decimal import Decimal

from scoring_builders import YearBuilder, duties

from dashboard.scoring import score_year
from dashboard.scoring.scheme import Scheme

ROLE_W = (0.2, 0.15, 0.1, 0.2, 0.1, 0.15, 0.1)


def only(b: YearBuilder, scheme: Scheme | None = None) -> dict:
    frame = score_year(b.inputs(), scheme or Scheme.default()).results
    assert len(frame) == 1
    return frame.iloc[0].to_dict()


def naive_self(scores) -> float:
    return sum(w * s for w, s in zip(ROLE_W, scores, strict=True))


def test_74_995_rounds_up_to_75_and_is_competent():
    """Self 74.995 exactly (float sum 74.99499…) → 75.00, 称职."""
    scores = (75.0, 74.99, 75.0, 75.0, 74.99, 74.99, 74.99)
    # Σ A_r × cents_r = 20×7500 + 15×7499 + 10×7500 + 20×7500 + 10×7499 + 15×7499 + 10×7499
    # = 749 950 → self = 749 950 / 10 000 = 74.995 exactly.
    assert Decimal(naive_self(scores)) < Decimal("74.995")  # the float trap is real
    b = YearBuilder()
    b.self_report(b.leader("A"), duties(*scores))
    r = only(b)
    assert r["self"] == 75.0 and r["final"] == 75.0 and r["grade"] == "称职"


def test_59_995_rounds_up_to_60_and_is_basic():
    """Self 59.995 exactly (float 59.99499…) → 60.00, 基本称职."""
    scores = (60.0, 59.99, 60.0, 59.99, 60.0, 59.99, 60.0)
    # 20×6000 + 15×5999 + 10×6000 + 20×5999 + 10×6000 + 15×5999 + 10×6000 = 599 950
    assert Decimal(naive_self(scores)) < Decimal("59.995")
    b = YearBuilder()
    b.self_report(b.leader("A"), duties(*scores))
    r = only(b)
    assert r["final"] == 60.0 and r["grade"] == "基本称职"


def test_89_995_rounds_up_to_90_and_is_excellent():
    """Self 89.995 exactly (float 89.99499…) → 90.00, 优秀."""
    scores = (90.0, 90.0, 89.99, 89.99, 89.99, 90.0, 89.99)
    # 20×9000 + 15×9000 + 10×8999 + 20×8999 + 10×8999 + 15×9000 + 10×8999 = 899 950
    assert Decimal(naive_self(scores)) < Decimal("89.995")
    b = YearBuilder()
    b.self_report(b.leader("A"), duties(*scores))
    r = only(b)
    assert r["final"] == 90.0 and r["grade"] == "优秀"


def test_final_at_boundary_after_bonus_rounds_up():
    """Committee quarters 89.97 and 89.98 → 89.975; + bonus 0.02 → 89.995 → 90.00, 优秀."""
    b = YearBuilder()
    lid = b.leader("A")
    b.committee(lid, 1, "r", duties(19.97, 15, 10, 20, 10, 15, 0))  # 89.97
    b.committee(lid, 2, "r", duties(19.98, 15, 10, 20, 10, 15, 0))  # 89.98
    b.adjustment(lid, "加分", 0.02)
    assert Decimal((89.97 + 89.98) / 2 + 0.02) < Decimal("89.995")  # the float trap
    r = only(b)
    assert r["committee"] == 89.98  # 89.975 → 89.98
    assert r["final"] == 90.0 and r["grade"] == "优秀"


def test_weighted_base_at_boundary_rounds_up():
    """self 57.01, committee 62.98 with weights 0.5/0.5 → 59.995 → 60.00 (float 59.99499…)."""
    b = YearBuilder()
    lid = b.leader("A")
    b.self_report(lid, duties(*[57.01] * 7))
    b.committee(lid, 1, "r", duties(20, 15, 10, 17.98, 0, 0, 0))  # 62.98
    scheme = Scheme.from_dict({"weights": {"self": 0.5, "committee": 0.5, "mass": 0, "platform": 0}})
    assert Decimal(0.5 * 57.01 + 0.5 * 62.98) < Decimal("59.995")
    r = only(b, scheme)
    assert r["final"] == 60.0 and r["grade"] == "基本称职"


def test_satisfaction_rounds_half_up_at_four_decimals():
    """1 称职 of 32 valid marks: 1/32 = 0.03125 → 0.0313 (not banker's 0.0312)."""
    b = YearBuilder()
    lid = b.leader("A")
    b.ballots(lid, "称职", *["不称职"] * 31)
    assert only(b)["satisfaction"] == 0.0313


def test_pay_rounds_half_up():
    """pay.base 1 × coefficient 0.125 = 0.125 → 0.13."""
    b = YearBuilder()
    b.self_report(b.leader("A"), duties(*[95] * 7))
    scheme = Scheme.from_dict({"pay": {"base": 1, "coefficients": {"优秀": 0.125}}})
    assert only(b, scheme)["pay"] == 0.13


def test_mass_trimmed_mean_rounds_half_up():
    """Points 优秀 100, 称职 80.01: marks 优秀×2 + 称职 → (100+100+80.01)/3 = 93.3366… → 93.34."""
    b = YearBuilder()
    b.ballots(b.leader("A"), "优秀", "优秀", "称职")
    scheme = Scheme.from_dict({"mass": {"points": {"称职": 80.01}}})
    assert only(b, scheme)["mass"] == 93.34
