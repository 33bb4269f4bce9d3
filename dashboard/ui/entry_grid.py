"""How entry grids show stored values: as the text a user would type, empty cells empty."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.ui import state


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
        state.show("success", done[1])
        return False, None
    ok, result = save()
    if ok:
        st.session_state[key] = (payload, result.message)
        state.show("success", result.message)
    return ok, result


def forget_save(key: str) -> None:
    """After a delete, the same payload may be saved again."""
    st.session_state.pop(key, None)


class EntryGrid:
    """A data_editor that is drawn afresh (a new widget key) after every press of a save button.

    A grid kept across the rerun of a button press ignores the next click on one of its cells, so
    what is typed next lands in the cell selected before the press. So a press keeps what was typed
    and the messages of the save, and reruns: the new grid shows the typed values (a refused value
    stays on screen to correct) and the messages are drawn again where show_outcome() is called.
    """

    def __init__(self, sheet_key: str) -> None:
        self.sheet_key = sheet_key
        self._round = f"{sheet_key}__round"
        self._typed = f"{sheet_key}__typed"
        self._shown = f"{sheet_key}__shown"

    @property
    def key(self) -> str:
        """The widget key of the grid drawn on this run."""
        return f"{self.sheet_key}__{st.session_state.get(self._round, 0)}"

    @property
    def opening(self) -> bool:
        """True when the grid is drawn for the first time (not rerun while it is typed into)."""
        return self.key not in st.session_state

    def editor(self, frame: pd.DataFrame, **kwargs: Any) -> pd.DataFrame:
        """Draw the grid on ``frame`` (the stored values), or on what was typed before the last press
        while the stored values are those it was typed over."""
        kept = st.session_state.get(self._typed)
        if kept is not None:
            base, typed = kept
            if base is None and list(typed.columns) == list(frame.columns) and len(typed) == len(frame):
                # just saved: the stored values now are what was typed; go on from here
                base = frame.copy()
                st.session_state[self._typed] = (base, typed)
            if base is not None and base.equals(frame):
                frame = typed
            else:  # stored values changed since (another save, another user): show them
                st.session_state.pop(self._typed, None)
        return st.data_editor(frame, key=self.key, **kwargs)

    def save(self, done_key: str, payload: Any, save: Callable[[], tuple[bool, Any]], *,
             typed: pd.DataFrame, base: pd.DataFrame) -> tuple[bool, Any]:
        """Run ``save`` once per payload (see save_once), then open a fresh grid on ``typed``.

        ``base`` is the frame the grid was drawn on (the stored values). On a refusal the fresh grid
        shows ``typed`` while the stored values stay ``base``; after a save, the next run's stored
        values. Does not return when the save ran: the page reruns with the messages kept.
        """
        with state.recording() as shown:
            ok, result = save_once(done_key, payload, save)
        st.session_state[self._typed] = (None if ok else base.copy(), typed.copy())
        st.session_state[self._shown] = shown
        st.session_state[self._round] = st.session_state.get(self._round, 0) + 1
        st.rerun()
        return ok, result  # not reached

    def show_outcome(self) -> None:
        """Draw the messages of the last press (once)."""
        state.replay(st.session_state.pop(self._shown, []))

    def forget(self) -> None:
        """Drop what was typed: the next run opens a fresh grid on the stored values."""
        st.session_state.pop(self._typed, None)
        st.session_state.pop(self._shown, None)
        st.session_state[self._round] = st.session_state.get(self._round, 0) + 1
