"""The pieces of the explanation that pages and the award workbook show on their own."""

from __future__ import annotations

from fractions import Fraction

from dashboard.scoring.explain import (
    adjustment_reason,
    award_reason,
    grade_label,
    renormalised_weights,
)
from dashboard.scoring.scheme import Scheme


def test_adjustment_reason_names_the_root_cause():
    """Vetoes are named before the grade they force; 基本称职 means two weak years in a row."""
    assert adjustment_reason(["veto"], "不称职") == "一票否决"
    assert adjustment_reason(["veto", "mass_veto"], "不称职") == "一票否决；群众评议否决"
    assert adjustment_reason(("mass_veto",), "不称职") == "群众评议否决"
    assert adjustment_reason([], "不称职") == "等次为不称职"
    assert adjustment_reason([], "基本称职") == "连续两年基本称职及以下"
    assert adjustment_reason([], "称职") == ""


def test_renormalised_weights_are_exact_over_the_components_present():
    """Default weights 0.1/0.3/0.5/0.1 without platform: 1/9, 3/9, 5/9 (sum exactly 1)."""
    row = {"self": 80.0, "mass": 90.0, "committee": 70.0, "platform": float("nan")}
    weights = renormalised_weights(row, Scheme.default().weights)
    assert weights == {"self": Fraction(1, 9), "mass": Fraction(1, 3), "committee": Fraction(5, 9)}
    assert sum(weights.values()) == 1
    assert renormalised_weights({k: None for k in row}, Scheme.default().weights) == {}


def test_award_reason_reads_the_engine_columns():
    """Winner, vetoed, not 优秀, incomplete and quota-full leaders each get their reason."""
    base = {"award": False, "veto": False, "mass_veto": False, "grade": "优秀", "complete": True,
            "award_position": 3, "award_quota": 2}
    assert award_reason({**base, "award": True}, []) == "获表彰"
    assert award_reason({**base, "award": True}, ["tie_at_cutoff"]).endswith("需人工决定")
    assert award_reason({**base, "veto": True, "grade": "不称职"}, ["veto"]) == "一票否决"
    assert award_reason({**base, "grade": "称职"}, []) == "等次为称职，未达优秀"
    assert award_reason({**base, "complete": False}, ["no_ballots"]) == "考评不完整（无群众评议票）"
    assert award_reason(base, []) == "名额已满（合格者第3位，名额2）"
    assert grade_label(None) == "未评定" and grade_label("称职") == "称职"
