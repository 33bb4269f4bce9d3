"""How entry grids show stored values: as the text a user would type, empty cells empty."""

from __future__ import annotations

from typing import Any

import pandas as pd


def score_text(value: Any) -> str:
    """A stored score as typed text (17.25 → "17.25", 10.0 → "10"); nothing stored → ""."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return value
    return f"{float(value):.2f}".rstrip("0").rstrip(".")
