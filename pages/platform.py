"""平台上报: monthly report counts (综治E通) of a village's leaders, a month × leader grid."""

import pandas as pd
import streamlit as st

from dashboard.reports.labels import year_title
from dashboard.services.auth import ENTRY_ROLES
from dashboard.services.input_reads import platform_rows
from dashboard.services.inputs import MONTH_COLUMNS, save_platform_counts
from dashboard.ui import state
from dashboard.ui.entry_grid import EntryGrid, count_text, text_column
from dashboard.ui.resources import get_engine

engine = get_engine()
state.require_page_role(ENTRY_ROLES, what="录入平台上报")
year = state.require_year()

st.title(year_title("平台上报", year))
st.caption("每格填该月通过综治E通上报的条数（整数）；留空表示该月没有记录。")
village_id = state.village_picker(engine, key="platform_village")
if village_id is None:
    st.stop()
rows = state.read(engine, platform_rows, year=year, village_id=village_id)
if not rows:
    st.info("这个村没有在任的网格长或联户长。")
    st.stop()
frame = pd.DataFrame(rows)
for col in MONTH_COLUMNS:
    frame[col] = [count_text(v) for v in frame[col]]
# Fixed widths so that twelve month headers (edit mark + "1月" … "12月") fit beside the names at 1,366 px.
config = {c: st.column_config.TextColumn(disabled=True, width=w) for c, w in (("编号", 62), ("姓名", 72), ("职务", 58))}
config.update({c: text_column(c, help=f"{c}上报条数（整数）", width=56 if len(c) == 2 else 64) for c in MONTH_COLUMNS})
grid = EntryGrid(f"platform_editor_{year}_{village_id}")
edited = grid.editor(frame, column_config=config, hide_index=True, num_rows="fixed", width="stretch")
if st.button("保存上报数", type="primary", key="platform_save"):
    records = state.clean_records(edited)
    grid.save(f"platform_saved_{village_id}", (year, repr(records)),
              lambda: state.run_action(engine, save_platform_counts, year=year, rows=records),
              typed=edited, base=frame)
grid.show_outcome()
