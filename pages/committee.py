"""两委打分: one committee member's sheet for one quarter, leaders of a village as rows."""

import pandas as pd
import streamlit as st

from dashboard.data.db import read_session
from dashboard.data.years import year_scheme
from dashboard.domain import DUTIES, DUTY_KEYS
from dashboard.services.auth import ENTRY_ROLES
from dashboard.services.concurrency import committee_sheet_version
from dashboard.services.input_reads import committee_raters, committee_sheet_rows
from dashboard.services.inputs import save_committee_sheet
from dashboard.ui import state
from dashboard.ui.entry_grid import save_once, score_text, text_column
from dashboard.ui.resources import get_engine

engine = get_engine()
state.require_page_role(ENTRY_ROLES, what="录入两委打分")
year = state.require_year()

st.title(f"两委打分 · {year} 年度")
st.caption("一位两委成员、一个季度一张表：每行一名网格长或联户长，七大员各项不超过该项满分。")

c1, c2, c3 = st.columns([2, 1, 2])
with c1:
    village_id = state.village_picker(engine, key="committee_village")
if village_id is None:
    st.stop()
with c2:
    quarter = st.selectbox("季度", [1, 2, 3, 4], format_func=lambda q: f"第 {q} 季度", key="committee_quarter")
with c3:
    rater = st.text_input("评分人（两委成员姓名）", key="committee_rater", max_chars=64).strip()
known = state.read(engine, committee_raters, year=year, quarter=quarter, village_id=village_id)
if known:
    st.caption("本季度已有评分人：" + "、".join(known) + "（输入同一姓名可修改其打分）")

with read_session(engine) as session:
    role_max = year_scheme(session, year).role_max
rows = state.read(
    engine, committee_sheet_rows, year=year, quarter=quarter, rater=rater or None, village_id=village_id
)
if not rows:
    st.info("这个村没有在任的网格长或联户长。")
    st.stop()
frame = pd.DataFrame(rows)
frame["联防组"] = frame["联防组"].fillna("—")  # a 网格长 has no group; show a dash, not "None"
for key in DUTY_KEYS:
    # Text cells: the grid hands over exactly what was typed or pasted (a number column would
    # clamp 105 to the maximum or drop it), and the service checks range and decimals.
    frame[DUTIES[key]] = [score_text(v) for v in frame[DUTIES[key]]]

config = {
    "编号": st.column_config.TextColumn("编号", disabled=True, width=60),
    "姓名": st.column_config.TextColumn("姓名", disabled=True, width=64),
    "职务": st.column_config.TextColumn("职务", disabled=True, width=52),
}
for key in DUTY_KEYS:
    name = DUTIES[key]
    # Short headers (信息员≤20) so that all seven duties fit a 1,366 px screen; the full name is the help.
    config[name] = text_column(
        f"{name[-3:]}≤{role_max[key]:g}", help=f"{name}：0 到 {role_max[key]:g} 分，最多两位小数", width=100,
    )
st.caption(
    "表格里按 Tab 或 Enter 移到下一格；可以从 Excel 复制一片分数，点选第一格后粘贴（Ctrl+V）。"
    "超过满分、负数、非数字或超过两位小数的分值不会被改动，保存时会逐格指出。"
)

editor_key = f"committee_editor_{village_id}_{quarter}_{rater}"
# The sheet's version when it was opened: a save over someone else's later save is refused.
token_key = f"committee_token_{village_id}_{quarter}_{rater}"
if rater and token_key not in st.session_state:
    st.session_state[token_key] = state.read(
        engine, committee_sheet_version, year=year, quarter=quarter, rater=rater,
        codes=[r["编号"] for r in rows],
    )
edited = st.data_editor(
    frame,
    column_config=config,
    # 网格 and 联防组 are left out: the seven duties must fit a 1,366 px screen.
    column_order=["编号", "姓名", "职务", *(DUTIES[k] for k in DUTY_KEYS)],
    hide_index=True,
    num_rows="fixed",
    width="stretch",
    key=editor_key,
)

save_col, reload_col = st.columns([1, 3])
if reload_col.button("重新载入（放弃未保存的修改）", key="committee_reload"):
    st.session_state.pop(token_key, None)
    st.session_state.pop(editor_key, None)
    st.rerun()
if save_col.button("保存打分", type="primary", key="committee_save", disabled=not rater):
    records = state.clean_records(edited)

    def _save():
        ok, result = state.run_action(
            engine, save_committee_sheet, year=year, quarter=quarter, rater=rater,
            rows=records, expected_token=st.session_state.get(token_key),
        )
        if ok:
            st.session_state.pop(token_key, None)  # the next run loads the new version
        return ok, result

    save_once(f"{editor_key}_saved", (year, quarter, rater, repr(records)), _save)
if not rater:
    st.caption("请先填写评分人姓名。")
