"""How entry grids show stored values: as the text a user would type, empty cells empty."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st


def score_text(value: Any) -> str:
    """A stored score as typed text (17.25 → "17.25", 10.0 → "10"); nothing stored → ""."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return value
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def count_text(value: Any) -> str:
    """A stored whole count as text (3 → "3"); nothing stored → ""."""
    return score_text(value)


def text_column(label: str | None = None, *, help: str | None = None, width: int | str | None = None):
    """An editable grid column that hands over exactly what was typed or pasted.

    A number column would clamp 105 to its maximum, turn -3 or "abc" into an empty cell, or round
    13.5; the entry services check the text with the importer's rules and refuse with a message.
    """
    return st.column_config.TextColumn(label, help=help, width=width, max_chars=16)


def save_once(key: str, payload: Any, save: Callable[[], tuple[bool, Any]]) -> tuple[bool, Any]:
    """Run ``save`` unless the same payload was just saved under ``key`` (a double click).

    A second click with nothing changed shows the first save's message again and writes nothing.
    """
    done = st.session_state.get(key)
    if done is not None and done[0] == payload:
        st.success(done[1])
        return False, None
    ok, result = save()
    if ok:
        st.session_state[key] = (payload, result.message)
        st.success(result.message)
    return ok, result


def forget_save(key: str) -> None:
    """After a delete, the same payload may be saved again."""
    st.session_state.pop(key, None)
