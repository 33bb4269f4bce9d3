"""Orders and groups of the scoring rules: rank groups per scope and role (section 6), codes
that sort like the values, an exact packed lexicographic sort, competition ranks, and the
award order, positions and quotas (section 7).

Pure numpy/pandas on integer codes, shared by the year engine and the quarterly rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.scoring.scheme import Scheme, exact

SCOPE_KEYS: dict[str, list[str]] = {
    "village": ["county", "township", "village"],
    "township": ["county", "township"],
    "county": ["county"],
}


def group_codes(columns: list) -> np.ndarray:
    """One dense integer code per distinct combination of the key columns (missing is a value)."""
    key = None
    for col in columns:
        codes, uniques = pd.factorize(col, use_na_sentinel=False)
        codes = np.asarray(codes, dtype=np.int64)
        key = codes if key is None else pd.factorize(key * max(len(uniques), 1) + codes)[0].astype(np.int64)
    return key


def scope_groups(leaders: pd.DataFrame) -> dict[str, np.ndarray]:
    """Section 6 rank groups: per scope (village, township, county) one code per place and role."""
    if not len(leaders):
        return {scope: np.zeros(0, dtype=np.int64) for scope in SCOPE_KEYS}
    role_code = group_codes([leaders["role"]])
    place = {key: group_codes([leaders[key]]) for key in ("county", "township", "village")}
    return {
        scope: group_codes([place[key] for key in keys] + [role_code]) for scope, keys in SCOPE_KEYS.items()
    }


def sorted_codes(col) -> np.ndarray:
    """Codes that sort like the values (missing last), for np.lexsort instead of a string sort."""
    codes, _ = pd.factorize(col, sort=True, use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64)


def lexsort_ints(keys) -> np.ndarray:
    """np.lexsort of integer keys (last key primary), stable, with neighbouring keys packed.

    Each key is shifted to start at 0 and the keys, from the primary one down, are combined
    into one int64 (composite × range + key) while the product of their ranges stays below
    2**62: the composite orders exactly as the keys lexicographically, and each packed key is
    one sorting pass fewer.
    """
    packed: list[np.ndarray] = []
    composite = None
    span = 1
    for key in reversed([np.asarray(k, dtype=np.int64) for k in keys]):
        lo = int(key.min()) if key.size else 0
        width = (int(key.max()) - lo + 1) if key.size else 1
        if width >= 2**62:  # too wide to shift or pack: sorted on its own
            if composite is not None:
                packed.append(composite)
            packed.append(key)
            composite, span = None, 1
        elif composite is not None and span * width < 2**62:
            composite = composite * width + (key - lo)
            span *= width
        else:
            if composite is not None:
                packed.append(composite)
            composite = key - lo
            span = width
    if composite is not None:
        packed.append(composite)
    if len(packed) == 1:
        return np.argsort(packed[0], kind="stable")
    return np.lexsort(packed[::-1])


def competition_rank(group: np.ndarray, final_c: np.ndarray) -> np.ndarray:
    """Standard competition ranking ("1224") by rounded final, descending, within each group."""
    n = len(group)
    order = lexsort_ints((-final_c, group))
    g = group[order]
    f = final_c[order]
    idx = np.arange(n)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = g[1:] != g[:-1]
    new_value = new_group.copy()
    new_value[1:] |= f[1:] != f[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, idx, 0))
    value_start = np.maximum.accumulate(np.where(new_value, idx, 0))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = value_start - group_start + 1
    return ranks


def award_places(group: np.ndarray, cols: dict[str, np.ndarray], code_rank: np.ndarray, scheme: Scheme):
    """Section 7: quota floor(ratio × headcount) per scope and role, ordered eligible leaders.

    Order within a group: final, committee, mass, self (descending), deduction, code (ascending).
    Every leader gets a place in that order (`order`, 1-based, eligible or not); the eligible
    ones are counted along it (`position`, 0 for the others) and the first `quota` awarded.
    """
    n = len(group)
    ratio = exact(scheme.award_ratio)
    headcount = np.bincount(group, minlength=int(group.max(initial=-1)) + 1)[group] if n else np.zeros(0, np.int64)
    quota = (headcount.astype(object) * ratio.numerator // ratio.denominator).astype("int64") if n else headcount
    order_cols = ["final_c", "committee_k", "mass_k", "self_k", "deduction_c"]
    sort_keys = [code_rank, cols["deduction_c"]]
    sort_keys += [-cols[c] for c in ("self_k", "mass_k", "committee_k", "final_c")]
    sort_keys.append(group)
    ranked = lexsort_ints(sort_keys)
    award_order = np.zeros(n, dtype="int64")
    if n:
        g_all = group[ranked]
        starts = np.ones(n, dtype=bool)
        starts[1:] = g_all[1:] != g_all[:-1]
        idx = np.arange(n)
        award_order[ranked] = idx - np.maximum.accumulate(np.where(starts, idx, 0)) + 1
    rows = ranked[cols["eligible"][ranked]]
    g = group[rows]
    m = len(rows)
    position = np.zeros(n, dtype="int64")
    award = np.zeros(n, dtype=bool)
    tie = np.zeros(n, dtype=bool)
    if m:
        idx = np.arange(m)
        new_group = np.ones(m, dtype=bool)
        new_group[1:] = g[1:] != g[:-1]
        el_pos = idx - np.maximum.accumulate(np.where(new_group, idx, 0)) + 1
        position[rows] = el_pos
        award[rows] = el_pos <= quota[rows]
        # Tie at the cut-off: the last awarded (position == quota) equals the next eligible.
        if m > 1:
            same_next = g[:-1] == g[1:]
            for col in order_cols:
                v = cols[col][rows]
                same_next &= v[:-1] == v[1:]
            cut = (el_pos[:-1] == quota[rows[:-1]]) & (quota[rows[:-1]] > 0) & same_next
            tie[rows[:-1][cut]] = True
            tie[rows[1:][cut]] = True
    return award, tie, position, quota, award_order
