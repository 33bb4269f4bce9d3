"""The overview page: grade distribution, score histogram, duty heatmap, village comparison, trend."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from dashboard.domain import DUTIES, DUTY_KEYS, EXCELLENT, GRADES, LEADER_ROLES
from dashboard.scoring.scheme import Scheme


def grade_distribution(results: pd.DataFrame) -> pd.DataFrame:
    """Count and share of each grade per role (zeros kept), in role and grade order."""
    counts = results.groupby(["role", "grade"]).size()
    totals = results["role"].value_counts()
    rows = []
    for role in LEADER_ROLES:
        total = int(totals.get(role, 0))
        for order, grade in enumerate(GRADES):
            n = int(counts.get((role, grade), 0))
            rows.append(
                {
                    "role": role,
                    "grade": grade,
                    "grade_order": order,
                    "count": n,
                    "share": n / total if total else 0.0,
                }
            )
    return pd.DataFrame(rows)


def score_histogram(results: pd.DataFrame, *, bin_width: float = 5.0) -> pd.DataFrame:
    """Final scores binned per role: [bin_start, bin_end) with its count, empty bins inside the range kept."""
    frames = []
    for role in LEADER_ROLES:
        finals = pd.to_numeric(
            results.loc[results["role"] == role, "final"], errors="coerce"
        ).dropna()
        if finals.empty:
            continue
        idx = np.floor(finals.to_numpy() / bin_width).astype(int)
        counts = pd.Series(idx).value_counts()
        all_bins = np.arange(idx.min(), idx.max() + 1)
        frames.append(
            pd.DataFrame(
                {
                    "role": role,
                    "bin_start": all_bins * bin_width,
                    "bin_end": (all_bins + 1) * bin_width,
                    "count": [int(counts.get(b, 0)) for b in all_bins],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["role", "bin_start", "bin_end", "count"])
    return pd.concat(frames, ignore_index=True)


def grade_band_rules(scheme: Scheme) -> pd.DataFrame:
    """The grade bands of the scheme as lines to draw: one row per lower bound."""
    return pd.DataFrame(
        [
            {"grade": g, "score": float(low), "label": f"{g} ≥ {low:g}"}
            for g, low in scheme.grade_bands.items()
        ]
    )


def duty_profiles(results: pd.DataFrame) -> pd.DataFrame:
    """The seven-duty profile per leader as columns (index aligned with results); NaN without one.

    Accepts the engine's `roles` dict column or CSV-style `role_<duty>` columns.
    """
    cols = [f"role_{k}" for k in DUTY_KEYS]
    if all(c in results.columns for c in cols):
        out = results[cols].apply(pd.to_numeric, errors="coerce")
        out.columns = list(DUTY_KEYS)
        return out
    records = [r if isinstance(r, Mapping) else {} for r in results["roles"]]
    out = pd.DataFrame.from_records(records, index=results.index, columns=list(DUTY_KEYS))
    return out.apply(pd.to_numeric, errors="coerce")


def _place(results: pd.DataFrame, by: str = "village") -> pd.Series:
    """Place label: the township (by="township"), else the village, prefixed with its township
    when several townships are shown."""
    if by == "township":
        return results["township"].astype(str)
    if results["township"].nunique() > 1:
        return results["township"].astype(str) + "·" + results["village"].astype(str)
    return results["village"].astype(str)


def village_duty_heatmap(results: pd.DataFrame, *, by: str = "village") -> pd.DataFrame:
    """Mean profile percent per village (or township) and duty, over leaders with committee sheets."""
    prof = duty_profiles(results)
    prof["place"] = _place(results, by)
    long = prof.melt(id_vars="place", var_name="duty", value_name="percent").dropna(
        subset=["percent"]
    )
    if long.empty:
        return pd.DataFrame(columns=["place", "duty", "duty_name", "duty_order", "mean", "leaders"])
    agg = (
        long.groupby(["place", "duty"], sort=False)["percent"].agg(["mean", "count"]).reset_index()
    )
    agg = agg.rename(columns={"count": "leaders"})
    agg["duty_name"] = agg["duty"].map(DUTIES)
    agg["duty_order"] = agg["duty"].map({k: i for i, k in enumerate(DUTY_KEYS)})
    agg["mean"] = agg["mean"].round(2)
    return agg.sort_values(["place", "duty_order"]).reset_index(drop=True)


def village_comparison(results: pd.DataFrame, *, by: str = "village") -> pd.DataFrame:
    """Per village (or township) and role: leaders, mean final, share 优秀, incomplete and awards."""
    frame = pd.DataFrame(
        {
            "place": _place(results, by),
            "role": results["role"],
            "final": pd.to_numeric(results["final"], errors="coerce"),
            "excellent": (results["grade"] == EXCELLENT).astype(int),
            "incomplete": (~results["complete"].astype(bool)).astype(int),
            "award": results["award"].astype(bool).astype(int),
        }
    )
    agg = frame.groupby(["place", "role"], sort=True).agg(
        leaders=("final", "size"),
        mean_final=("final", "mean"),
        excellent=("excellent", "sum"),
        incomplete=("incomplete", "sum"),
        awards=("award", "sum"),
    )
    agg = agg.reset_index()
    agg["mean_final"] = agg["mean_final"].round(2)
    agg["excellent_share"] = agg["excellent"] / agg["leaders"]
    return agg


def trend(results_by_year: Mapping[int, pd.DataFrame]) -> pd.DataFrame:
    """Per year and role: leaders, mean final (when known) and the share of each grade.

    Each frame needs `role` and `grade`; `final` is optional (imported prior grades have none).
    """
    rows = []
    for year in sorted(results_by_year):
        frame = results_by_year[year]
        for role in LEADER_ROLES:
            part = frame.loc[frame["role"] == role]
            if part.empty:
                continue
            finals = (
                pd.to_numeric(part["final"], errors="coerce")
                if "final" in part
                else pd.Series(dtype=float)
            )
            mean = round(float(finals.mean()), 2) if finals.notna().any() else None
            for order, grade in enumerate(GRADES):
                n = int((part["grade"] == grade).sum())
                rows.append(
                    {
                        "year": int(year),
                        "role": role,
                        "leaders": len(part),
                        "mean_final": mean,
                        "grade": grade,
                        "grade_order": order,
                        "count": n,
                        "share": n / len(part),
                    }
                )
    return pd.DataFrame(
        rows,
        columns=["year", "role", "leaders", "mean_final", "grade", "grade_order", "count", "share"],
    )
