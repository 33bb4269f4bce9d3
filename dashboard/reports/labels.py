"""Labels and choices shared by the result pages: rank levels, flag and grade wording, the
places present in a results frame."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from dashboard.domain import FLAG_NAMES, flag_list
from dashboard.scoring.explain import grade_label

__all__ = [
    "LEVEL_NAMES",
    "RANK_COLUMNS",
    "flag_text",
    "grade_label",
    "leader_row",
    "scopes_in",
    "unique",
    "villages_in",
    "year_title",
]

RANK_COLUMNS = {"village": "village_rank", "township": "township_rank", "county": "county_rank"}
LEVEL_NAMES = {"village": "村级", "township": "乡镇级", "county": "县级"}


def year_title(name: str, year: int) -> str:
    """「季度考评 · 2024 年度」 that wraps on a phone only after 「·」, never inside 「2024 年度」.

    A no-break space keeps 2024 with 年, a word joiner (U+2060) keeps 年 with 度 (line
    breaking may otherwise split any two Chinese characters).
    """
    return f"{name} · {year}\u00a0年\u2060度"


def flag_text(value: Any) -> str:
    """Readable Chinese flag names, e.g. ['veto', 'tie_at_cutoff'] -> '一票否决、表彰名额末位并列'."""
    return "、".join(FLAG_NAMES.get(f, f) for f in flag_list(value))


def leader_row(results: pd.DataFrame, code: str) -> pd.Series | None:
    """The result of one leader by 编号, or None when not assessed."""
    hit = results.loc[results["code"] == code]
    return None if hit.empty else hit.iloc[0]


def scopes_in(results: pd.DataFrame) -> list[str]:
    """Townships present in the results, sorted (for filter choices)."""
    return sorted(results["township"].dropna().unique().tolist())


def villages_in(results: pd.DataFrame, township: str | None = None) -> list[str]:
    """Villages present (optionally in one township), sorted (for filter choices)."""
    part = results if not township else results.loc[results["township"] == township]
    return sorted(part["village"].dropna().unique().tolist())


def unique(values: Iterable[Any]) -> list[Any]:
    """Distinct values in first-seen order."""
    return list(dict.fromkeys(values))
