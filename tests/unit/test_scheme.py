"""The scheme 考核方案 (scheme.md): defaults, partial files, validation naming the key, veto_share."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from dashboard.scoring.scheme import DEFAULTS, Scheme, SchemeError


def test_defaults_match_scheme_md():
    """Without settings every value is the scheme.md default."""
    s = Scheme.default()
    assert s.weights == {"self": 0.1, "mass": 0.3, "committee": 0.5, "platform": 0.1}
    assert s.role_max["info"] == 20 and sum(s.role_max.values()) == 100
    assert s.committee_trim_min_raters == 5
    assert s.mass_points == {"优秀": 100, "称职": 80, "基本称职": 60, "不称职": 40}
    assert (s.mass_min_ballots, s.mass_trim_min_ballots) == (5, 5)
    assert s.mass_veto_share == Fraction(1, 3)
    assert s.platform_monthly_target == 4 and s.bonus_cap == 5
    assert s.grade_bands == {"优秀": 90, "称职": 75, "基本称职": 60}
    assert (s.award_ratio, s.award_scope) == (0.2, "township")
    assert s.pay_base == 840 and s.pay_coefficients["优秀"] == 1.2


def test_partial_file_is_merged_over_defaults(tmp_path):
    """A file with two settings changes those two and keeps every other default."""
    path = tmp_path / "scheme.json"
    path.write_text(json.dumps({"weights": {"self": 0.2}, "mass": {"min_ballots": 7}}), encoding="utf-8")
    s = Scheme.load(path)
    assert s.weights == {"self": 0.2, "mass": 0.3, "committee": 0.5, "platform": 0.1}
    assert s.mass_min_ballots == 7 and s.mass_trim_min_ballots == 5
    assert s.mass_points == DEFAULTS["mass"]["points"]


def test_role_weights_are_shares_of_role_max():
    """w_r = role_max / Σ role_max: info 20 of 100 → 0.2; with info 40 → 40/120."""
    assert Scheme.default().role_weights["info"] == pytest.approx(0.2)
    assert Scheme.from_dict({"role_max": {"info": 40}}).role_weights["info"] == pytest.approx(40 / 120)


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"weights": {"self": -0.1}}, "weights.self"),
        ({"weights": {"self": 0, "mass": 0, "committee": 0, "platform": 0}}, "weights"),
        ({"weights": {"mass": "高"}}, "weights.mass"),
        ({"role_max": {"patrol": 0}}, "role_max.patrol"),
        ({"committee": {"trim_min_raters": 2}}, "committee.trim_min_raters"),
        ({"committee": {"trim_min_raters": 4.5}}, "committee.trim_min_raters"),
        ({"mass": {"min_ballots": 0}}, "mass.min_ballots"),
        ({"mass": {"trim_min_ballots": 2}}, "mass.trim_min_ballots"),
        ({"mass": {"veto_share": 0}}, "mass.veto_share"),
        ({"mass": {"veto_share": "3/2"}}, "mass.veto_share"),
        ({"mass": {"veto_share": "a/b"}}, "mass.veto_share"),
        ({"mass": {"points": {"优秀": 101}}}, "mass.points.优秀"),
        ({"mass": {"points": {"不称职": -1}}}, "mass.points.不称职"),
        ({"platform": {"monthly_target": 0}}, "platform.monthly_target"),
        ({"bonus_cap": -1}, "bonus_cap"),
        ({"grade_bands": {"称职": 95}}, "grade_bands"),
        ({"award": {"ratio": 1.5}}, "award.ratio"),
        ({"award": {"scope": "province"}}, "award.scope"),
        ({"pay": {"base": -840}}, "pay.base"),
        ({"pay": {"coefficients": {"称职": -1}}}, "pay.coefficients.称职"),
        ({"unknown": 1}, "unknown"),
        ({"weights": 0.5}, "weights"),
    ],
)
def test_invalid_setting_names_the_key(changes, key):
    """Each validation rule rejects a bad value with a SchemeError whose key and message name it."""
    with pytest.raises(SchemeError) as err:
        Scheme.from_dict(changes)
    assert err.value.key == key
    assert key in str(err.value)


def test_invalid_json_is_reported():
    """Text that is not JSON is rejected with the line and column."""
    with pytest.raises(SchemeError, match="第 1 行"):
        Scheme.from_json("{weights: 1")


@pytest.mark.parametrize(
    ("written", "value"),
    [("1/3", Fraction(1, 3)), (" 2 / 7 ", Fraction(2, 7)), (0.25, Fraction(1, 4)), ("0.3", Fraction(3, 10)), (1, Fraction(1))],
)
def test_veto_share_as_fraction_or_decimal_is_exact(written, value):
    """veto_share "p/q" or a decimal number is held as the exact fraction written."""
    assert Scheme.from_dict({"mass": {"veto_share": written}}).mass_veto_share == value


def test_replace_leaves_original_untouched_and_round_trips_json():
    """replace() gives a new scheme; to_json → from_json gives the same settings."""
    s = Scheme.default()
    t = s.replace({"bonus_cap": 3})
    assert (s.bonus_cap, t.bonus_cap) == (5, 3)
    assert Scheme.from_json(t.to_json()) == t
