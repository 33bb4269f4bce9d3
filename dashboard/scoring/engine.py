"""The scoring engine: scoring.md sections 1–9 on a year's aggregate inputs, vectorised.

Each component is kept as an exact rational (integer numerator and denominator arrays), so
the reported 2-decimal values are rounded half up exactly. The base and final scores are
combined in float64; the few rows whose float lies within 1e-7 of a rounding boundary are
recomputed with fractions.Fraction from the exact components (not on the hot path).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from functools import partial
from itertools import repeat

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.domain import (
    ABSTAIN,
    ACTIVE,
    BASIC,
    DUTY_KEYS,
    EXCELLENT,
    FLAGS,
    GRADES,
    GRID_LEADER,
    HOUSEHOLD_LEADER,
    INCOMPETENT,
)
from dashboard.scoring.exact import INT64_SAFE, as_integers, cents, half_up, half_up_fraction
from dashboard.scoring.inputs import YearInputs
from dashboard.scoring.orders import (
    award_places,
    competition_rank,
    lexsort_ints,
    scope_groups,
    sorted_codes,
)
from dashboard.scoring.parallel import run_all
from dashboard.scoring.scheme import Scheme, exact

ROLE_ORDER = {GRID_LEADER: 0, HOUSEHOLD_LEADER: 1}
ROLE_COLUMNS = tuple(f"role_{d}" for d in DUTY_KEYS)
COMPONENT_KEYS = ("self", "mass", "committee", "platform")
# Rows whose float score × 100 is this close to a .5 boundary are recomputed exactly.
BOUNDARY_TOLERANCE = 1e-7


@dataclass(frozen=True)
class ScoringResult:
    """One year's results: `results` (one row per assessed leader) and the seven-role profiles."""

    year: int
    scheme: Scheme
    results: pd.DataFrame
    roles: pd.DataFrame
    platform_in_use: bool


@dataclass
class _Components:
    """Exact component values per assessed leader (arrays aligned with the leader rows)."""

    num: dict[str, np.ndarray]
    den: dict[str, np.ndarray]
    present: dict[str, np.ndarray]
    cents: dict[str, np.ndarray]


def assessed_leaders(leaders: pd.DataFrame, year: int) -> pd.DataFrame:
    """Section 1: status 在任 and appointed on or before 31 December of the year."""
    appointed = pd.to_datetime(leaders["appointed_on"])
    mask = (leaders["status"] == ACTIVE) & (appointed <= pd.Timestamp(year, 12, 31))
    out = leaders.loc[mask.to_numpy()].copy()
    out["appointed_on"] = appointed[mask.to_numpy()].to_numpy()
    return out.reset_index(drop=True)


def _positions(ids: pd.Index, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of `frame` in the assessed leaders, and the mask of rows that match."""
    pos = ids.get_indexer(frame["leader_id"].to_numpy())
    return pos, pos >= 0


def _self_component(inputs: YearInputs, ids: pd.Index, role_int: dict[str, int]):
    """3.1 self = Σ w_r × selfscore_r, with w_r = role_max_r / Σ role_max."""
    n = len(ids)
    total = sum(role_int.values())
    num = np.zeros(n, dtype="int64")
    present = np.zeros(n, dtype=bool)
    frame = inputs.self_scores
    if len(frame):
        pos, ok = _positions(ids, frame)
        weights = np.array([role_int[d] for d in DUTY_KEYS], dtype="int64")
        scores = cents(frame[list(DUTY_KEYS)].to_numpy(dtype="float64")[ok])
        num[pos[ok]] = scores @ weights
        present[pos[ok]] = True
    # self × 100 = Σ A_r × cents_r / Σ A_r, i.e. points = num / (100 Σ A_r).
    return num, np.full(n, 100 * total, dtype="int64"), present


@dataclass(frozen=True)
class CommitteeQuarters:
    """3.2 per leader, quarter and duty after trimming: arrays (n, 4[, duties]) aligned with `ids`.

    `trimmed` is Σ of the kept values in cents (T_qr), `kept` the number of kept raters d_q
    (n − 2 when trimmed, else n; 1 where the quarter has no sheet), `present` the quarters
    with at least one sheet row.
    """

    trimmed: np.ndarray
    kept: np.ndarray
    present: np.ndarray


def committee_quarters(frame: pd.DataFrame, ids: pd.Index, scheme: Scheme) -> CommitteeQuarters:
    """3.2 trimming: per quarter and duty, drop one highest and one lowest at ≥ trim_min_raters."""
    n = len(ids)
    divisor = np.ones((n, 4), dtype="int64")
    # Held duty by duty (one contiguous (n, 4) plane each) and seen as (n, 4, duties): each duty's
    # arrays stay small enough for the allocator to reuse instead of mapping fresh pages.
    by_duty = np.zeros((len(DUTY_KEYS), n, 4), dtype="int64")
    has_q = np.zeros((n, 4), dtype=bool)
    if len(frame):
        pos, ok = _positions(ids, frame)
        quarter = frame["quarter"].to_numpy()
        ok &= (quarter >= 1) & (quarter <= 4)
        all_ok = bool(ok.all())
        # One flat (leader, quarter) slot per row.
        slot = pos[ok] * 4 + (quarter[ok].astype("int64") - 1)
        raters = frame["n"].to_numpy()[ok].astype("int64")
        trim = raters >= scheme.committee_trim_min_raters
        divisor.reshape(-1)[slot] = np.where(trim, raters - 2, raters)
        has_q.reshape(-1)[slot] = True
        for j, duty in enumerate(DUTY_KEYS):
            stat = {k: frame[f"{duty}_{k}"].to_numpy(dtype="float64") for k in ("sum", "min", "max")}
            if not all_ok:
                stat = {k: v[ok] for k, v in stat.items()}
            # Sum − max − min of 2-decimal values, rounded to whole cents once: the float error of
            # three terms is far below half a cent, so this equals cents(sum) − cents(max) − cents(min).
            kept = stat["sum"] - np.where(trim, stat["min"] + stat["max"], 0.0)
            by_duty[j].reshape(-1)[slot] = cents(kept)
    trimmed_sum = by_duty.transpose(1, 2, 0)
    return CommitteeQuarters(trimmed=trimmed_sum, kept=divisor, present=has_q)


def committee_total(points, kept, role_int: dict[str, int], role_den: int):
    """3.2 rescaling: quarter total 100 × Σ_r value_r / Σ_r role_max as an exact num / den.

    `points` is Σ_r of trimmed values in cents over `kept` raters (value_r = T_r / (100 kept));
    with role_max_r = A_r / role_den: total = Σ_r T_r × role_den / (kept × Σ_r A_r).
    """
    return points * role_den, kept * sum(role_int.values())


def _committee_component(inputs: YearInputs, ids: pd.Index, scheme: Scheme, role_int, role_den):
    """3.2: trimmed per quarter and duty, quarter total 100 × Σ value / Σ role_max, mean over quarters."""
    n = len(ids)
    duties = len(DUTY_KEYS)
    by_quarter = committee_quarters(inputs.committee, ids, scheme)
    divisor, trimmed_sum = by_quarter.kept, by_quarter.trimmed
    quarters = by_quarter.present.sum(axis=1).astype("int64")
    present = quarters > 0
    common = np.lcm.reduce(divisor, axis=1)
    mult = common[:, None] // divisor  # common / d_q
    big = float(np.max(trimmed_sum, initial=0)) * duties * 4 * float(np.max(common, initial=1))
    if big * max(role_den, 1) * 200 >= INT64_SAFE:
        mult = mult.astype(object)
        trimmed_sum = trimmed_sum.astype(object)
        common = common.astype(object)
    safe_q = np.maximum(quarters, 1)
    # committee = mean over the Q quarters of the quarter totals = Σ_q T_qr × (L / d_q) / (Q × L).
    # Every quarter with sheets kept the same number of raters (the others hold 0): no scaling.
    if mult.dtype != object and bool(((mult == 1) | ~by_quarter.present).all()):
        per_duty = trimmed_sum.sum(axis=1)
    else:
        per_duty = (trimmed_sum * mult[:, :, None]).sum(axis=1)  # Σ_q T_qr × common / d_q
    num, den = committee_total(per_duty.sum(axis=1), safe_q * common, role_int, role_den)
    # Profile_r = mean_q (T_qr / (100 d_q)) / role_max_r × 100 = Σ_q T_qr L/d_q / (Q A_r).
    profile = np.zeros((n, duties), dtype="int64")
    for j, duty in enumerate(DUTY_KEYS):
        profile[:, j] = half_up(per_duty[:, j] * role_den, safe_q * common * role_int[duty], 100)
    return num, den, present, profile, quarters


def _mass_component(inputs: YearInputs, ids: pd.Index, scheme: Scheme):
    """3.3: points per valid mark, trimmed at trim_min_ballots; satisfaction; mass veto."""
    n = len(ids)
    counts = np.zeros((n, len(GRADES) + 1), dtype="int64")
    frame = inputs.mass
    if len(frame):
        pos, ok = _positions(ids, frame)
        values = frame.reindex(columns=[*GRADES, ABSTAIN], fill_value=0).fillna(0).to_numpy(dtype="float64")
        counts[pos[ok]] = np.rint(values[ok]).astype("int64")
    valid = counts[:, : len(GRADES)]
    ballots = valid.sum(axis=1)
    points_int, points_den = as_integers({g: exact(scheme.mass_points[g]) for g in GRADES})
    points = np.array([points_int[g] for g in GRADES], dtype="int64")
    total = valid @ points
    seen = valid > 0
    hi = np.where(seen, points, -1).max(axis=1)
    lo = np.where(seen, points, np.iinfo("int64").max).min(axis=1)
    trim = ballots >= scheme.mass_trim_min_ballots
    num = np.where(trim, total - hi - lo, total)
    kept = np.where(trim, ballots - 2, ballots)
    present = ballots >= 1
    den = points_den * np.where(present, kept, 1)
    num = np.where(present, num, 0)
    satisfied = counts[:, 0] + counts[:, 1]
    satisfaction = half_up(satisfied, np.maximum(ballots, 1), 10_000)
    complete = ballots >= scheme.mass_min_ballots
    share = scheme.mass_veto_share
    incompetent = counts[:, GRADES.index(INCOMPETENT)]
    if share.numerator * max(int(ballots.max(initial=0)), 1) < INT64_SAFE // max(share.denominator, 1):
        veto = incompetent * share.denominator > ballots * share.numerator
    else:
        veto = np.array(
            [k * share.denominator > b * share.numerator for k, b in zip(incompetent.tolist(), ballots.tolist(), strict=True)],
            dtype=bool,
        )
    mass_veto = veto & complete
    return num, den, present, complete, ballots, satisfaction, mass_veto, counts


def first_month_served(leaders: pd.DataFrame, year: int) -> np.ndarray:
    """3.4: 1 for a leader appointed before the year, else the appointment month."""
    appointed = pd.DatetimeIndex(leaders["appointed_on"])
    return np.where(appointed.year == year, appointed.month, 1).astype("int64")


def platform_score(reports: np.ndarray, months: np.ndarray, scheme: Scheme):
    """3.4: min(100, 100 × reports / (monthly_target × months)) as an exact num / den."""
    target = exact(scheme.platform_monthly_target)
    num = 100 * reports * target.denominator
    den = target.numerator * months
    capped = num >= 100 * den
    return np.where(capped, 100, num), np.where(capped, 1, den)


def _platform_component(inputs: YearInputs, leaders: pd.DataFrame, ids: pd.Index, scheme: Scheme, year: int):
    """3.4: min(100, 100 × reports / (monthly_target × months served)); no record → 0."""
    n = len(ids)
    reports = np.zeros(n, dtype="int64")
    frame = inputs.platform
    if len(frame):
        pos, ok = _positions(ids, frame)
        np.add.at(reports, pos[ok], np.rint(frame["reports"].to_numpy(dtype="float64")[ok]).astype("int64"))
    months = 13 - first_month_served(leaders, year)
    num, den = platform_score(reports, months, scheme)
    present = np.full(n, inputs.uses_platform, dtype=bool)
    return num, den, present, reports


def _adjustments(inputs: YearInputs, ids: pd.Index):
    n = len(ids)
    bonus = np.zeros(n, dtype="int64")
    deduction = np.zeros(n, dtype="int64")
    vetoes = np.zeros(n, dtype="int64")
    frame = inputs.adjustments
    if len(frame):
        pos, ok = _positions(ids, frame)
        np.add.at(bonus, pos[ok], cents(frame["bonus_total"].fillna(0).to_numpy()[ok]))
        np.add.at(deduction, pos[ok], cents(frame["deduction_total"].fillna(0).to_numpy()[ok]))
        np.add.at(vetoes, pos[ok], np.rint(frame["veto_count"].fillna(0).to_numpy(dtype="float64")[ok]).astype("int64"))
    return bonus, deduction, vetoes


def _near_boundary(values: np.ndarray) -> np.ndarray:
    scaled = values * 100
    return np.abs(scaled - np.floor(scaled) - 0.5) < BOUNDARY_TOLERANCE


def _combine(comp: _Components, weights: dict[str, Fraction], bonus_c, deduction_c, cap: Fraction):
    """Section 4: renormalised base, capped bonus, final = max(0, base + bonus − deduction)."""
    n = len(bonus_c)
    used = {k: comp.present[k] & (weights[k] > 0) for k in COMPONENT_KEYS}
    wsum = np.zeros(n)
    acc = np.zeros(n)
    for k in COMPONENT_KEYS:
        w = float(weights[k])
        value = comp.num[k].astype("float64") / comp.den[k].astype("float64")
        acc += np.where(used[k], w * value, 0.0)
        wsum += np.where(used[k], w, 0.0)
    base = np.where(wsum > 0, acc / np.where(wsum > 0, wsum, 1.0), 0.0)
    bonus_used = np.minimum(bonus_c / 100.0, float(cap))
    final = np.maximum(0.0, base + bonus_used - deduction_c / 100.0)
    base_c = np.floor(base * 100 + 0.5).astype("int64")
    final_c = np.floor(final * 100 + 0.5).astype("int64")
    redo = np.flatnonzero(_near_boundary(base) | _near_boundary(final))
    if redo.size:
        base_c[redo], final_c[redo] = _exact_rounding(comp, weights, used, bonus_c, deduction_c, cap, redo)
    return base_c, final_c, used, wsum


def _exact_rounding(comp: _Components, weights: dict[str, Fraction], used, bonus_c, deduction_c, cap: Fraction, rows):
    """Exact half-up rounding of base and final for `rows`, in Python integers (object arrays).

    base = Σ_k w_k num_k/den_k / Σ_k w_k over the used components; with integer weights
    W_k = w_k × L and P = Π_k den_k: base = Σ_k W_k num_k (P / den_k) / (P Σ_k W_k).
    """
    common = 1
    for k in COMPONENT_KEYS:
        common = math.lcm(common, weights[k].denominator)
    w_int = {k: int(weights[k] * common) for k in COMPONENT_KEYS}
    nums = {k: comp.num[k][rows].astype(object) for k in COMPONENT_KEYS}
    dens = {k: comp.den[k][rows].astype(object) for k in COMPONENT_KEYS}
    product = np.ones(rows.size, dtype=object)
    for k in COMPONENT_KEYS:
        product = product * dens[k]
    numer = np.zeros(rows.size, dtype=object)
    wsum = np.zeros(rows.size, dtype=object)
    for k in COMPONENT_KEYS:
        on = used[k][rows]
        numer = numer + np.where(on, w_int[k] * nums[k] * (product // dens[k]), 0)
        wsum = wsum + np.where(on, w_int[k], 0)
    empty = wsum == 0
    denom = np.where(empty, 1, product * wsum)
    numer = np.where(empty, 0, numer)
    # half_up(x) = floor(100 x + 1/2) = (200 num + den) // (2 den), Python floor division.
    base_c = (200 * numer + denom) // (2 * denom)
    # final = max(0, base + min(bonus/100, cap) − deduction/100) over the denominator 100 × cap_den × denom.
    cap_num, cap_den = cap.numerator, cap.denominator
    bonus = np.minimum(bonus_c[rows].astype(object) * cap_den, 100 * cap_num)
    deduction = deduction_c[rows].astype(object) * cap_den
    final_num = numer * 100 * cap_den + (bonus - deduction) * denom
    final_num = np.where(final_num > 0, final_num, 0)
    final_den = denom * 100 * cap_den
    final_c = (200 * final_num + final_den) // (2 * final_den)
    return base_c.astype("int64"), final_c.astype("int64")


def grade_codes(final_c: np.ndarray, scheme: Scheme) -> np.ndarray:
    """Index in GRADES of each rounded final's band: final_c / 100 ≥ band ⇔ final_c ≥ ceil(100 × band)."""
    conditions = []
    choices = []
    for grade, low in scheme.grade_bands.items():
        conditions.append(final_c >= math.ceil(exact(low) * 100))
        choices.append(GRADES.index(grade))
    return np.select(conditions, choices, default=GRADES.index(INCOMPETENT)).astype(np.int64)


def grades_of(final_c: np.ndarray, scheme: Scheme) -> np.ndarray:
    """Grade bands on the rounded final, as strings."""
    return np.array(GRADES, dtype=object)[grade_codes(final_c, scheme)]


# The dtype pandas gives a column of Python strings (Arrow-backed str in pandas 3).
_TEXT_DTYPE = pd.DataFrame({"text": np.array(["优秀"], dtype=object)})["text"].dtype


def _labels_column(codes: np.ndarray, labels) -> object:
    """labels[codes] as the results frame holds text, built from the codes: with Arrow-backed text
    a dictionary array cast to strings (no per-row inference of Python strings), else objects
    (also when empty: pandas keeps an empty object column as object)."""
    if len(codes) and isinstance(_TEXT_DTYPE, pd.StringDtype) and _TEXT_DTYPE.storage == "pyarrow":
        dictionary = pa.DictionaryArray.from_arrays(
            pa.array(codes, type=pa.int32()), pa.array(list(labels), type=pa.large_string())
        )
        return pd.array(dictionary.cast(pa.large_string()), dtype=_TEXT_DTYPE)
    return np.array(labels, dtype=object)[codes]


def _profile_row(info, service, publicity, mediation, sanitation, patrol, unity):
    """One leader's seven-role mapping as a dict display: a third of the cost of dict(zip(...))."""
    return {
        "info": info, "service": service, "publicity": publicity, "mediation": mediation,
        "sanitation": sanitation, "patrol": patrol, "unity": unity,
    }


_PROFILE_ROW_KEYS = _profile_row.__code__.co_varnames[: _profile_row.__code__.co_argcount]


def _roles_column(profile: np.ndarray, present: np.ndarray, order: np.ndarray) -> np.ndarray:
    """The profile as one mapping per row in `order` (interfaces.md `roles`), None without committee sheets.

    Seven flat lists zipped into rows: faster than a nested tolist of the (n, 7) array.
    """
    profile_columns = [(profile[order, j] / 100).tolist() for j in range(len(DUTY_KEYS))]
    if _PROFILE_ROW_KEYS == DUTY_KEYS:
        rows = list(map(_profile_row, *profile_columns))
    else:  # the duties were renamed: the generic (slower) construction
        rows = list(map(dict, map(zip, repeat(DUTY_KEYS), zip(*profile_columns, strict=True))))
    for i in np.flatnonzero(~present[order]).tolist():
        rows[i] = None
    column = np.empty(len(rows), dtype=object)
    column[:] = rows
    return column


def _text_column(series: pd.Series):
    """A leader text column as the results frame holds it (no object round trip for str columns)."""
    if isinstance(series.dtype, pd.StringDtype):
        return series.reset_index(drop=True)
    return series.to_numpy()


def score_year(inputs: YearInputs, scheme: Scheme | None = None) -> ScoringResult:
    """Compute the year's results (scoring.md) from aggregate inputs; pure, no database."""
    scheme = scheme or Scheme.default()
    year = int(inputs.year)
    leaders = assessed_leaders(inputs.leaders, year)
    n = len(leaders)
    ids = pd.Index(leaders["leader_id"].to_numpy())
    if not ids.is_unique:
        raise ValueError("leaders.leader_id must be unique")

    role_int, role_den = as_integers({d: exact(scheme.role_max[d]) for d in DUTY_KEYS})
    weights = {k: exact(scheme.weights[k]) for k in COMPONENT_KEYS}

    # The leader lookup is built on first use and is not safe to build from two threads at once.
    ids.get_indexer(ids[:1])
    code = leaders["code"].astype(str)
    # The components and the leaders' orders share no output: side by side, the biggest first.
    (committee_part, self_part, mass_part, platform_part, adjustment_part, groups, code_rank, township_code, county_code) = run_all(
        [
            partial(_committee_component, inputs, ids, scheme, role_int, role_den),
            partial(_self_component, inputs, ids, role_int),
            partial(_mass_component, inputs, ids, scheme),
            partial(_platform_component, inputs, leaders, ids, scheme, year),
            partial(_adjustments, inputs, ids),
            partial(scope_groups, leaders),
            partial(sorted_codes, code),
            partial(sorted_codes, leaders["township"]),
            partial(sorted_codes, leaders["county"]),
        ]
    )
    com_num, com_den, com_present, profile, quarters = committee_part
    self_num, self_den, self_present = self_part
    mass_num, mass_den, mass_present, mass_complete, ballots, satisfaction, mass_veto, counts = mass_part
    plat_num, plat_den, plat_present, reports = platform_part
    bonus_c, deduction_c, vetoes = adjustment_part

    comp = _Components(
        num={"self": self_num, "committee": com_num, "mass": mass_num, "platform": plat_num},
        den={"self": self_den, "committee": com_den, "mass": mass_den, "platform": plat_den},
        present={"self": self_present, "committee": com_present, "mass": mass_present, "platform": plat_present},
        cents={},
    )
    for k in COMPONENT_KEYS:
        comp.cents[k] = half_up(np.where(comp.present[k], comp.num[k], 0), comp.den[k], 100)

    cap = exact(scheme.bonus_cap)
    base_c, final_c, used, _ = _combine(comp, weights, bonus_c, deduction_c, cap)
    bonus_used_c = np.where(bonus_c <= math.floor(cap * 100), bonus_c, half_up_fraction(cap))

    veto = vetoes > 0
    band_code = grade_codes(final_c, scheme)
    grade_code = np.where(veto | mass_veto, GRADES.index(INCOMPETENT), band_code)

    complete_parts = {
        "self": self_present,
        "committee": com_present,
        "mass": mass_complete,
        "platform": np.ones(n, dtype=bool),
    }
    complete = np.ones(n, dtype=bool)
    for k in COMPONENT_KEYS:
        in_use = inputs.uses_platform if k == "platform" else True
        if in_use and weights[k] > 0:
            complete &= complete_parts[k]

    previous = np.full(n, None, dtype=object)
    prev = inputs.previous_grades
    if len(prev):
        pos, ok = _positions(ids, prev)
        previous[pos[ok]] = prev["grade"].to_numpy()[ok]
    prev_weak = pd.Series(previous, dtype=object).isin([BASIC, INCOMPETENT]).to_numpy()
    adjustment = veto | (grade_code == GRADES.index(INCOMPETENT)) | ((grade_code == GRADES.index(BASIC)) & prev_weak)

    # Numeric columns as arrays first: ranks, awards and the row order work on integer codes.
    cols: dict[str, np.ndarray] = {}
    for k in COMPONENT_KEYS:
        cols[f"{k}_k"] = np.where(comp.present[k], comp.cents[k], 0)  # reported cents, absent = 0
        cols[k] = np.where(comp.present[k], comp.cents[k] / 100, np.nan)
    cols["ballots"] = ballots
    cols["satisfaction"] = np.where(mass_present, satisfaction / 10_000, np.nan)
    cols["bonus"] = bonus_used_c / 100
    cols["deduction"] = deduction_c / 100
    cols["deduction_c"] = deduction_c
    cols["base"] = base_c / 100
    cols["final_c"] = final_c
    cols["final"] = final_c / 100
    cols["complete"] = complete
    cols["veto"] = veto
    cols["mass_veto"] = mass_veto
    cols["previous_grade"] = previous
    cols["eligible"] = (grade_code == GRADES.index(EXCELLENT)) & complete & ~veto & ~mass_veto

    role = leaders["role"]
    for scope in ("village", "township", "county"):
        cols[f"{scope}_rank"] = competition_rank(groups[scope], final_c) if n else np.zeros(0, dtype="int64")
    award_group = groups[scheme.award_scope]
    award, tie, position, quota, award_order = (
        award_places(award_group, cols, code_rank, scheme) if n else (np.zeros(0, bool),) * 2 + (np.zeros(0, np.int64),) * 3
    )
    cols["award"] = award
    cols["award_order"] = award_order
    cols["award_position"] = position
    cols["award_quota"] = quota
    cols["adjustment"] = adjustment

    pay_by_grade = {
        g: half_up_fraction(exact(scheme.pay_base) * exact(scheme.pay_coefficients[g])) / 100 for g in GRADES
    }
    pay_of_grade = np.full(n, np.nan)
    for g, pay in pay_by_grade.items():
        pay_of_grade[grade_code == GRADES.index(g)] = pay
    role_values = role.to_numpy()
    cols["pay"] = np.where(role_values == HOUSEHOLD_LEADER, pay_of_grade, np.nan)

    flag_bits = {
        "no_self_report": ~self_present,
        "no_committee_score": ~com_present,
        "no_ballots": ballots == 0,
        "too_few_ballots": (ballots >= 1) & (ballots < scheme.mass_min_ballots),
        "veto": veto,
        "mass_veto": mass_veto,
        "tie_at_cutoff": tie,
    }
    mask = np.zeros(n, dtype="int64")
    for bit, name in enumerate(FLAGS):
        mask |= flag_bits[name].astype("int64") << bit
    names = {m: tuple(f for b, f in enumerate(FLAGS) if m >> b & 1) for m in np.unique(mask).tolist()}
    cols["flags"] = pd.Series(mask).map(names).to_numpy() if n else np.zeros(0, dtype=object)

    for j, col in enumerate(ROLE_COLUMNS):
        cols[col] = np.where(com_present, profile[:, j] / 100, np.nan)
    cols["quarters"] = quarters
    cols["reports"] = reports
    cols["vetoes"] = vetoes
    for j, mark in enumerate((*GRADES, ABSTAIN)):
        cols[f"marks_{mark}"] = counts[:, j]

    # Row order: county, township, role (网格长 first), township rank, code (stable).
    role_order = np.full(n, len(ROLE_ORDER), dtype="int64")
    for name, rank in ROLE_ORDER.items():  # a comparison per role, not a map over every row
        role_order[role_values == name] = rank
    order = lexsort_ints(
        (code_rank, cols["township_rank"], role_order, township_code, county_code)
    )

    def ordered_columns() -> dict:
        text = leaders[["leader_id", "name", "role", "county", "township", "village", "grid", "group"]].iloc[order]
        body = {
            "leader_id": text["leader_id"].to_numpy(),
            "code": _text_column(code.iloc[order]),
            **{key: _text_column(text[key]) for key in ("name", "role", "county", "township", "village", "grid", "group")},
        }
        for key in (
            *(c for k in COMPONENT_KEYS for c in (f"{k}_k", k)),
            "ballots", "satisfaction", "bonus", "deduction", "deduction_c", "base", "final_c", "final", "grade",
            "band_grade", "complete", "veto", "mass_veto", "previous_grade", "eligible", "village_rank",
            "township_rank", "county_rank", "award", "award_order", "award_position", "award_quota", "adjustment", "pay", "flags", *ROLE_COLUMNS,
        ):
            if key in ("grade", "band_grade"):
                body[key] = _labels_column((grade_code if key == "grade" else band_code)[order], GRADES)
            else:
                body[key] = cols[key][order]
        return body

    # The mappings are built by the interpreter while numpy and Arrow take the columns in order.
    body, roles_column = run_all([ordered_columns, partial(_roles_column, profile, com_present, order)])
    body["roles"] = roles_column
    for key in ("quarters", "reports", "vetoes", *(f"marks_{m}" for m in (*GRADES, ABSTAIN))):
        body[key] = cols[key][order]
    # Every column is a fresh array: taken as it is, not copied into one block per dtype.
    out = pd.DataFrame(body, copy=False)
    out["group"] = out["group"].where(out["role"] != GRID_LEADER, None)
    roles = out[["leader_id", "code", "role", *ROLE_COLUMNS]].rename(
        columns={c: c.removeprefix("role_") for c in ROLE_COLUMNS}
    )
    return ScoringResult(year=year, scheme=scheme, results=out, roles=roles, platform_in_use=inputs.uses_platform)
