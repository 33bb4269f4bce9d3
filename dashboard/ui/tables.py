"""Long tables shown a page of rows at a time.

A county's roster (4,000 people) or zero-report list (thousands of leader-months) sent to the
browser as one table makes every rerun of the page slow to send and draw. The page shows one
page of rows with the row count and a page picker; every row stays reachable through the
pages, and the page's download keeps the full list.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.reports.rankings import paginate

PAGE_ROWS = 100


def paged_dataframe(
    frame: pd.DataFrame, *, key: str, filter_key: object = None, page_rows: int = PAGE_ROWS, **st_kwargs
) -> None:
    """st.dataframe of one page of `frame`'s rows, the count above and a page picker below.

    `filter_key` is whatever filtered `frame`: when it changes the table starts again at page 1.
    """
    page_key = f"{key}_page"
    if st.session_state.get(f"{key}_filter") != repr(filter_key):
        st.session_state[f"{key}_filter"] = repr(filter_key)
        st.session_state[page_key] = 1
    page = paginate(frame, page_size=page_rows, page=st.session_state.get(page_key, 1))
    if page.pages > 1:
        st.session_state[page_key] = page.number
        st.caption(f"第 {page.first}–{page.last} 行，共 {page.total} 行，每页 {page_rows} 行；用下方页码翻页查看其余各行。")
    st.dataframe(page.rows, key=key, **st_kwargs)
    if page.pages > 1:
        st.number_input(f"页码（共 {page.pages} 页）", min_value=1, max_value=page.pages, step=1, key=page_key)


def page_slice(count: int, *, per_page: int, key: str, label: str, noun: str) -> slice:
    """A select box of pages over `count` items (only when there is more than one page); the chosen slice."""
    if count <= per_page:
        return slice(0, count)
    pages = -(-count // per_page)
    page = st.selectbox(
        label, range(pages), key=key,
        format_func=lambda i: f"第 {i + 1} 页（共 {pages} 页，第 {i * per_page + 1}–"
        f"{min((i + 1) * per_page, count)} 个{noun}，共 {count} 个{noun}）",
    )
    return slice(page * per_page, (page + 1) * per_page)
