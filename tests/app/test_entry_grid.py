"""The shared entry grid under AppTest: after each save press a fresh grid (a new widget key) on what
was typed, the save's messages shown on that run, and a second press with the same values saving once."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _grid_page() -> None:
    """A one-grid page whose save refuses a negative count and otherwise counts its writes."""
    from types import SimpleNamespace

    import pandas as pd
    import streamlit as st

    from dashboard.ui import state
    from dashboard.ui.entry_grid import EntryGrid

    stored = st.session_state.setdefault("stored", {"1月": "-3"})
    frame = pd.DataFrame([{"编号": "T1", "1月": stored["1月"]}])
    grid = EntryGrid("test_grid")
    st.session_state.setdefault("keys", []).append(grid.key)
    edited = grid.editor(frame, hide_index=True)

    def _save():
        if edited.loc[0, "1月"].startswith("-"):
            state.show("error", "未保存：测试（编号 T1）「1月」列：-3")
            return False, None
        st.session_state["writes"] = st.session_state.get("writes", 0) + 1
        return True, SimpleNamespace(message=f"已保存 第 {st.session_state['writes']} 次")

    if st.button("保存", key="save"):
        grid.save("test_grid_saved", repr(edited.to_dict()), _save, typed=edited, base=frame)
    grid.show_outcome()


def test_refused_save_opens_a_fresh_grid_with_the_message():
    """A refused press reruns once on a new grid key (round 1) and shows the refusal on that run."""
    at = AppTest.from_function(_grid_page, default_timeout=30).run()
    at.button(key="save").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["未保存：测试（编号 T1）「1月」列：-3"]
    assert at.session_state["keys"] == ["test_grid__0", "test_grid__0", "test_grid__1"]
    assert at.session_state["test_grid__typed"][1].loc[0, "1月"] == "-3"  # kept to correct


def test_second_press_with_same_values_saves_once():
    """Two presses on the same values write once (writes = 1); the second shows the first message."""
    at = AppTest.from_function(_grid_page, default_timeout=30)
    at.session_state["stored"] = {"1月": "4"}
    at.run()
    at.button(key="save").click().run()
    at.button(key="save").click().run()
    assert not at.exception
    assert at.session_state["writes"] == 1
    assert [s.value for s in at.success] == ["已保存 第 1 次"]
    assert at.session_state["keys"][-1] == "test_grid__2"
