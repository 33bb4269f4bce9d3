"""Property tests (hypothesis): the vectorised engine against an exact Fraction oracle, quotas,
ranks, renormalised weights, trimming thresholds and independence of input row order."""

from __future__ import annotations

import math
import random
from datetime import date
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_builders import YearBuilder

from dashboard.domain import DUTY_KEYS, GRADES
from dashboard.scoring import score_year
from dashboard.scoring.scheme import Scheme, exact

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLACES = [("南峪乡", "江盘村"), ("南峪乡", "拉尕村"), ("大川镇", "江盘村")]


def cents_value(draw, high: float) -> float:
    return draw(st.integers(0, int(high * 100))) / 100


@st.composite
def schemes(draw) -> Scheme:
    return Scheme.from_dict(
        {
            "weights": {
                k: draw(st.sampled_from([0, 0.1, 0.2, 0.3, 0.5, 1])) for k in ("self", "mass", "committee")
            }
            | {"platform": draw(st.sampled_from([0.1, 0.15, 0.2]))},
            "role_max": {"info": draw(st.sampled_from([20, 12.5, 30])), "unity": draw(st.sampled_from([10, 7]))},
            "committee": {"trim_min_raters": draw(st.integers(3, 6))},
            "mass": {
                "min_ballots": draw(st.integers(1, 6)),
                "trim_min_ballots": draw(st.integers(3, 6)),
                "veto_share": draw(st.sampled_from(["1/3", "1/4", 0.5, "2/7"])),
                "points": {"称职": draw(st.sampled_from([80, 75.5, 85]))},
            },
            "platform": {"monthly_target": draw(st.sampled_from([4, 3, 2.5]))},
            "bonus_cap": draw(st.sampled_from([0, 2.5, 5])),
            "award": {"ratio": draw(st.sampled_from([0.2, 0.29, 0.5, 1])),
                      "scope": draw(st.sampled_from(["village", "township", "county"]))},
        }
    )


@st.composite
def years(draw, min_leaders: int = 1, max_leaders: int = 10) -> YearBuilder:
    b = YearBuilder()
    scheme_role_max = {"info": 30, "service": 15, "publicity": 10, "mediation": 20, "sanitation": 10,
                       "patrol": 15, "unity": 10}
    count = draw(st.integers(min_leaders, max_leaders))
    for i in range(count):
        township, village = draw(st.sampled_from(PLACES))
        appointed = draw(st.sampled_from([date(2019, 5, 1), date(2024, 3, 9), date(2024, 11, 30)]))
        lid = b.leader(f"L{i:03d}", role=draw(st.sampled_from(["联户长", "网格长"])), township=township,
                       village=village, appointed_on=appointed)
        if draw(st.booleans()):
            b.self_report(lid, {d: cents_value(draw, 100) for d in DUTY_KEYS})
        for quarter in draw(st.sets(st.integers(1, 4), max_size=4)):
            for r in range(draw(st.integers(1, 7))):
                b.committee(lid, quarter, f"r{r}", {d: cents_value(draw, scheme_role_max[d] / 2) for d in DUTY_KEYS})
        b.ballots(lid, *draw(st.lists(st.sampled_from([*GRADES, "弃权"]), max_size=9)))
        for month in draw(st.sets(st.integers(1, 12), max_size=3)):
            b.platform(lid, month, draw(st.integers(0, 30)))
        for kind in draw(st.lists(st.sampled_from(["加分", "减分", "一票否决"]), max_size=2)):
            b.adjustment(lid, kind, None if kind == "一票否决" else draw(st.integers(1, 600)) / 100)
        if draw(st.booleans()):
            b.previous_grade(lid, draw(st.sampled_from(GRADES)))
    return b


def _half_up(value: Fraction, scale: int = 100) -> int:
    return math.floor(value * scale + Fraction(1, 2))


def oracle(b: YearBuilder, scheme: Scheme) -> dict[str, dict]:
    """Exact per-leader computation with Fraction straight from the raw rows (scoring.md 3–4)."""
    F = lambda v: Fraction(str(v))  # noqa: E731 - inputs are 2-decimal numbers as written
    role_max = {d: exact(scheme.role_max[d]) for d in DUTY_KEYS}
    total_max = sum(role_max.values())
    weights = {k: exact(v) for k, v in scheme.weights.items()}
    points = {g: exact(p) for g, p in scheme.mass_points.items()}
    in_use = bool(b.platform_rows)
    out = {}
    for leader in b.leaders:
        lid = leader["leader_id"]
        comps: dict[str, Fraction | None] = {}
        s = [r for r in b.self_rows if r["leader_id"] == lid]
        comps["self"] = sum((role_max[d] / total_max * F(s[0][d]) for d in DUTY_KEYS), Fraction(0)) if s else None
        quarters = {}
        for r in b.committee_rows:
            if r["leader_id"] == lid:
                quarters.setdefault(r["quarter"], []).append(r)
        totals = []
        for rows in quarters.values():
            value_sum = Fraction(0)
            for d in DUTY_KEYS:
                vals = sorted(F(r[d]) for r in rows)
                if len(vals) >= scheme.committee_trim_min_raters:
                    vals = vals[1:-1]
                value_sum += sum(vals, Fraction(0)) / len(vals)
            totals.append(100 * value_sum / total_max)
        comps["committee"] = sum(totals, Fraction(0)) / len(totals) if totals else None
        marks = sorted(points[r["mark"]] for r in b.ballot_rows if r["leader_id"] == lid and r["mark"] != "弃权")
        n = len(marks)
        incompetent = sum(1 for r in b.ballot_rows if r["leader_id"] == lid and r["mark"] == "不称职")
        kept = marks[1:-1] if n >= scheme.mass_trim_min_ballots else marks
        comps["mass"] = sum(kept, Fraction(0)) / len(kept) if n else None
        if in_use:
            reports = sum(r["reports"] for r in b.platform_rows if r["leader_id"] == lid)
            appointed = leader["appointed_on"]
            months = 13 - appointed.month if appointed.year == b.year else 12
            comps["platform"] = min(Fraction(100), 100 * Fraction(reports) / (exact(scheme.platform_monthly_target) * months))
        else:
            comps["platform"] = None
        used = [k for k, v in comps.items() if v is not None and weights[k] > 0]
        wsum = sum((weights[k] for k in used), Fraction(0))
        base = sum((weights[k] * comps[k] for k in used), Fraction(0)) / wsum if wsum else Fraction(0)
        adj = [r for r in b.adjustment_rows if r["leader_id"] == lid]
        bonus = sum((F(r["points"]) for r in adj if r["kind"] == "加分"), Fraction(0))
        deduction = sum((F(r["points"]) for r in adj if r["kind"] == "减分"), Fraction(0))
        final = max(Fraction(0), base + min(bonus, exact(scheme.bonus_cap)) - deduction)
        final_c = _half_up(final)
        grade = scheme.grade_for(final_c / 100)
        veto = any(r["kind"] == "一票否决" for r in adj)
        mass_veto = n >= scheme.mass_min_ballots and Fraction(incompetent, n) > scheme.mass_veto_share
        if veto or mass_veto:
            grade = "不称职"
        out[leader["code"]] = {
            **{k: (None if v is None else _half_up(v)) for k, v in comps.items()},
            "final": final_c,
            "grade": grade,
        }
    return out


def _c(value) -> int | None:
    return None if value != value else round(value * 100)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(b=years(), scheme=schemes())
def test_engine_matches_exact_fraction_oracle(b, scheme):
    """Every component, the final score and the grade equal the exact Fraction computation."""
    frame = score_year(b.inputs(), scheme).results.set_index("code")
    expected = oracle(b, scheme)
    for code, exp in expected.items():
        got = frame.loc[code]
        for key in ("self", "committee", "mass", "platform", "final"):
            assert _c(got[key]) == exp[key], (code, key)
        assert got["grade"] == exp["grade"], code


@SETTINGS
@given(b=years(max_leaders=14), scheme=schemes())
def test_award_quotas_never_exceeded(b, scheme):
    """Per award scope and role, awards ≤ floor(ratio × headcount), and only eligible leaders."""
    frame = score_year(b.inputs(), scheme).results
    keys = {"village": ["county", "township", "village"], "township": ["county", "township"],
            "county": ["county"]}[scheme.award_scope]
    ratio = exact(scheme.award_ratio)
    for _, group in frame.groupby([*keys, "role"]):
        assert int(group["award"].sum()) <= math.floor(ratio * len(group))
    awarded = frame[frame["award"]]
    assert (awarded["grade"] == "优秀").all() and awarded["complete"].all()
    assert not awarded["veto"].any() and not awarded["mass_veto"].any()


@SETTINGS
@given(b=years(max_leaders=14), scheme=schemes())
def test_ranks_consistent_with_scores(b, scheme):
    """Within a scope and role, rank = 1 + number of leaders with a strictly higher final."""
    frame = score_year(b.inputs(), scheme).results
    for scope, keys in (("village", ["county", "township", "village"]), ("county", ["county"])):
        for _, group in frame.groupby([*keys, "role"]):
            finals = group["final"].tolist()
            for f, rank in zip(finals, group[f"{scope}_rank"], strict=True):
                assert rank == 1 + sum(1 for g in finals if g > f)


@SETTINGS
@given(b=years(), scheme=schemes(), factor=st.sampled_from([2, 3, 10]))
def test_weights_are_renormalised(b, scheme, factor):
    """Multiplying every weight by the same factor changes no result."""
    # Scale the weights as written (0.1 × 3 = 0.3), not as binary floats (0.30000000000000004):
    # the engine takes a weight's exact decimal, so float noise would be a different scheme.
    scaled = scheme.replace(
        {"weights": {k: float(exact(v) * factor) for k, v in scheme.weights.items()}}
    )
    assert all(exact(scaled.weights[k]) == factor * exact(v) for k, v in scheme.weights.items())
    a = score_year(b.inputs(), scheme).results
    c = score_year(b.inputs(), scaled).results
    assert a[["code", "final", "grade", "award"]].equals(c[["code", "final", "grade", "award"]])


@SETTINGS
@given(values=st.lists(st.integers(0, 2000), min_size=1, max_size=9), trim=st.integers(3, 6))
def test_trimming_only_at_threshold(values, trim):
    """n ≥ trim_min_raters drops one max and one min; below it the plain mean is used."""
    b = YearBuilder()
    lid = b.leader("A")
    for i, v in enumerate(values):
        b.committee(lid, 1, f"r{i}", {d: (v / 100 if d == "info" else 0) for d in DUTY_KEYS})
    got = score_year(b.inputs(), Scheme.from_dict({"committee": {"trim_min_raters": trim}})).results
    kept = sorted(values)[1:-1] if len(values) >= trim else values
    expected = Fraction(sum(kept), 100 * len(kept))  # info value; quarter total = info (Σ max = 100)
    assert round(got.loc[0, "committee"] * 100) == _half_up(expected)


@SETTINGS
@given(b=years(max_leaders=12), scheme=schemes(), seed=st.integers(0, 10_000))
def test_results_independent_of_input_row_order(b, scheme, seed):
    """Shuffling every input list (leaders and raw rows) gives the same results."""
    first = score_year(b.inputs(), scheme).results
    rng = random.Random(seed)
    for name in ("leaders", "self_rows", "committee_rows", "ballot_rows", "platform_rows",
                 "adjustment_rows", "previous"):
        rows = list(getattr(b, name))
        rng.shuffle(rows)
        setattr(b, name, rows)
    second = score_year(b.inputs(), scheme).results
    cols = [c for c in first.columns if c != "roles"]
    assert first[cols].equals(second[cols])
    assert first["roles"].tolist() == second["roles"].tolist()
