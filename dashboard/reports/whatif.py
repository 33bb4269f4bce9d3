"""The what-if page: the settings a run changes, and whose grade or award differs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.domain import GRADES


def whatif_changes(
    *,
    weights: Mapping[str, float] | None = None,
    grade_bands: Mapping[str, float] | None = None,
    award_ratio: float | None = None,
) -> dict[str, Any]:
    """The settings a what-if run changes, as a partial scheme dict for Scheme.replace."""
    changes: dict[str, Any] = {}
    if weights:
        changes["weights"] = {k: float(v) for k, v in weights.items()}
    if grade_bands:
        changes["grade_bands"] = {g: float(v) for g, v in grade_bands.items()}
    if award_ratio is not None:
        changes["award"] = {"ratio": float(award_ratio)}
    return changes


def compare_results(current: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """Leaders whose grade or award differs between two runs, side by side (current → changed)."""
    cols = ["code", "final", "grade", "award", "township_rank"]
    merged = current[["code", "name", "role", "township", "village", *cols[1:]]].merge(
        changed[cols], on="code", suffixes=("_now", "_new"), how="inner"
    )
    merged["award_now"] = merged["award_now"].astype(bool)
    merged["award_new"] = merged["award_new"].astype(bool)
    grade_changed = merged["grade_now"] != merged["grade_new"]
    award_changed = merged["award_now"] != merged["award_new"]
    merged["grade_changed"] = grade_changed
    merged["award_changed"] = award_changed
    out = merged.loc[grade_changed | award_changed].copy()
    out["change"] = [
        "；".join(
            p
            for p in (
                f"等次 {a} → {b}" if a != b else "",
                ("新获表彰" if an_new else "不再表彰") if an_now != an_new else "",
            )
            if p
        )
        for a, b, an_now, an_new in zip(
            out["grade_now"], out["grade_new"], out["award_now"], out["award_new"], strict=True
        )
    ]
    return out.sort_values(["township", "role", "code"]).reset_index(drop=True)


def grade_shift_matrix(current: pd.DataFrame, changed: pd.DataFrame) -> pd.DataFrame:
    """Count of leaders per (current grade, changed grade), all grades present as rows and columns."""
    merged = current[["code", "grade"]].merge(
        changed[["code", "grade"]], on="code", suffixes=("_now", "_new")
    )
    table = pd.crosstab(merged["grade_now"], merged["grade_new"])
    return table.reindex(index=list(GRADES), columns=list(GRADES), fill_value=0)
