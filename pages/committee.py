"""两委打分: one committee member's sheet for one quarter, leaders of a village as rows."""

import re

import pandas as pd
import streamlit as st

from dashboard.data.db import read_session
from dashboard.data.years import year_scheme
from dashboard.domain import DUTIES, DUTY_KEYS
from dashboard.reports.labels import year_title
from dashboard.services.auth import ENTRY_ROLES
from dashboard.services.committee import (
    POSTS,
    add_committee_member,
    committee_draft_cells,
    committee_members,
    remove_committee_member,
    save_committee_draft,
)
from dashboard.services.concurrency import committee_sheet_version
from dashboard.services.input_reads import committee_raters, committee_sheet_rows
from dashboard.services.inputs import save_committee_sheet
from dashboard.ui import state
from dashboard.ui.entry_grid import EntryGrid, score_text, text_column
from dashboard.ui.resources import get_engine

engine = get_engine()
state.require_page_role(ENTRY_ROLES, what="录入两委打分")
year = state.require_year()

st.title(year_title("两委打分", year))
st.caption("一位两委成员、一个季度一张表：每行一名网格长或联户长，七大员各项不超过该项满分。")

c1, c2, c3 = st.columns([2, 1, 2])
with c1:
    village_id = state.village_picker(engine, key="committee_village")
if village_id is None:
    st.stop()
with c2:
    quarter = st.selectbox("季度", [1, 2, 3, 4], format_func=lambda q: f"第 {q} 季度", key="committee_quarter")
known = state.read(engine, committee_raters, year=year, quarter=quarter, village_id=village_id)
members = state.read(engine, committee_members, year=year, village_id=village_id)
posts = {m["姓名"]: m["职务"] for m in members}
with c3:
    # Picked from the village's member list (or typed, then added below); names compared without spaces.
    choice = st.selectbox(
        "评分人（两委成员姓名）", [*posts, *(n for n in known if n not in posts)], index=None,
        format_func=lambda n: f"{n}（{posts[n]}）" if n in posts else n, accept_new_options=True,
        placeholder="从两委成员名单中选择，或输入姓名", key="committee_rater",
    )
    rater = re.sub(r"\s+", "", choice or "")
if known:
    st.caption("本季度已有评分人：" + "、".join(known) + "（选同一人可修改其打分）")

with st.expander(f"两委成员名单（{len(members)} 人）：添加或移除"):
    a, b, c = st.columns([2, 1, 1])
    new_name = a.text_input("姓名", key="committee_member_name", max_chars=64,
                            value=rater if rater and rater not in posts else "")
    new_post = b.selectbox("职务", POSTS, index=len(POSTS) - 1, accept_new_options=True, key="committee_member_post")
    if c.button("添加成员", key="committee_member_add"):
        ok, result = state.run_action(engine, add_committee_member, year=year, village_id=village_id,
                                      name=new_name, post=new_post)
        if ok:
            st.success(result.message)
            st.rerun()
    if members:
        a, c = st.columns([3, 1])
        gone = a.selectbox("移除成员", list(posts), key="committee_member_remove_name")
        if c.button("移除", key="committee_member_remove"):
            ok, result = state.run_action(engine, remove_committee_member, year=year, village_id=village_id,
                                          name=gone)
            if ok:
                st.success(result.message)
                st.rerun()

with read_session(engine) as session:
    role_max = year_scheme(session, year).role_max
rows = state.read(
    engine, committee_sheet_rows, year=year, quarter=quarter, rater=rater or None, village_id=village_id
)
if not rows:
    st.info("这个村没有在任的网格长或联户长。")
    st.stop()
frame = pd.DataFrame(rows)
sheet_key = f"committee_editor_{year}_{village_id}_{quarter}_{rater}"
grid = EntryGrid(sheet_key)
draft_key = f"{sheet_key}_draft_cells"
unsaved = all(all(r[DUTIES[k]] is None for k in DUTY_KEYS) for r in rows)
if rater and unsaved and grid.opening:
    # Nothing saved yet for this member and quarter, and the grid is being opened (not rerun
    # while typed into, when its data must stay the same): show the draft (草稿) where it was left.
    st.session_state[draft_key] = state.read(
        engine, committee_draft_cells, year=year, quarter=quarter, rater=rater, village_id=village_id)
if rater and unsaved and st.session_state.get(draft_key):
    draft = st.session_state[draft_key]
    st.info("这是未完成的草稿（不计入任何结果）：填完全部分数后点「保存打分」。")
    for key in DUTY_KEYS:
        frame[DUTIES[key]] = [draft.get(code, {}).get(DUTIES[key]) for code in frame["编号"]]
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

# The sheet's version when it was opened: a save over someone else's later save is refused.
token_key = f"committee_token_{village_id}_{quarter}_{rater}"
if rater and token_key not in st.session_state:
    st.session_state[token_key] = state.read(
        engine, committee_sheet_version, year=year, quarter=quarter, rater=rater,
        codes=[r["编号"] for r in rows],
    )
edited = grid.editor(
    frame,
    column_config=config,
    # 网格 and 联防组 are left out: the seven duties must fit a 1,366 px screen.
    column_order=["编号", "姓名", "职务", *(DUTIES[k] for k in DUTY_KEYS)],
    hide_index=True,
    num_rows="fixed",
    width="stretch",
)
save_col, draft_col, reload_col = st.columns([1, 1, 2])
if reload_col.button("重新载入（放弃未保存的修改）", key="committee_reload"):
    st.session_state.pop(token_key, None)
    st.session_state.pop(draft_key, None)
    grid.forget()
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

    grid.save(f"{sheet_key}_saved", (year, quarter, rater, repr(records)), _save, typed=edited, base=frame)
if draft_col.button("保存草稿", key="committee_draft_save", disabled=not rater,
                    help="还没填完也可以先保存；草稿不计入任何结果，填完后点「保存打分」"):
    records = state.clean_records(edited)
    grid.save(f"{sheet_key}_draft", (year, quarter, rater, repr(records)), lambda: state.run_action(
        engine, save_committee_draft, year=year, quarter=quarter, rater=rater, rows=records),
        typed=edited, base=frame)
grid.show_outcome()
if not rater:
    st.caption("请先选择或填写评分人。")
