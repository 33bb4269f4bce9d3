"""Long tables a page at a time (every row reachable through the pages), and the background fill
stepping aside while a page script runs."""

from __future__ import annotations

import threading
import time

from streamlit.testing.v1 import AppTest

from dashboard.ui import prefetch


def _paged_script() -> None:
    import pandas as pd
    import streamlit as st

    from dashboard.ui.tables import paged_dataframe

    rows = pd.DataFrame({"编号": [f"L{i:03d}" for i in range(1, 251)]})
    region = st.session_state.get("region", "全部")
    shown = rows if region == "全部" else rows.iloc[:30]
    paged_dataframe(shown, key="t", filter_key=region, hide_index=True)


def test_paged_table_shows_100_rows_a_page_and_reaches_every_row():
    """250 rows: page 1 is L001–L100 with 「第 1–100 行，共 250 行」; page 3 is L201–L250; pages cover all 250."""
    at = AppTest.from_function(_paged_script).run()
    assert at.dataframe[0].value["编号"].tolist() == [f"L{i:03d}" for i in range(1, 101)]
    assert at.caption[0].value.startswith("第 1–100 行，共 250 行，每页 100 行")
    assert at.number_input(key="t_page").label == "页码（共 3 页）"
    seen = []
    for number in (1, 2, 3):
        at.number_input(key="t_page").set_value(number).run()
        seen += at.dataframe[0].value["编号"].tolist()
    assert at.caption[0].value.startswith("第 201–250 行，共 250 行")
    assert seen == [f"L{i:03d}" for i in range(1, 251)]


def test_paged_table_starts_again_at_page_1_when_the_filter_changes():
    """On page 3, a filter leaving 30 rows shows those 30 (L001–L030) on one page, without a page box."""
    at = AppTest.from_function(_paged_script).run()
    at.number_input(key="t_page").set_value(3).run()
    at.session_state["region"] = "一村"
    at.run()
    assert at.dataframe[0].value["编号"].tolist() == [f"L{i:03d}" for i in range(1, 31)]
    assert len(at.number_input) == 0 and len(at.caption) == 0


def test_background_fill_waits_while_a_page_script_runs():
    """With a page running the fill waits (here until its 0.3 s cap); with none it goes on at once."""
    t0 = time.monotonic()
    prefetch._wait_idle(0.3)
    assert time.monotonic() - t0 < 0.1
    with prefetch.page_running():
        t0 = time.monotonic()
        prefetch._wait_idle(0.3)
        assert time.monotonic() - t0 >= 0.3
    assert prefetch._running == 0


def test_background_fill_goes_on_when_the_page_ends():
    """A page ending after 0.2 s lets a waiting fill go on then, well before the 5 s cap."""
    done = threading.Event()

    def page() -> None:
        with prefetch.page_running():
            started.set()
            time.sleep(0.2)
        done.set()

    started = threading.Event()
    runner = threading.Thread(target=page)
    runner.start()
    started.wait(2)
    t0 = time.monotonic()
    prefetch._wait_idle(5)
    waited = time.monotonic() - t0
    runner.join()
    assert done.is_set() and 0.05 < waited < 2
