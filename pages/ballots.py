"""群众评议: enter a paper ballot sheet's marks, or the tallies of marks per leader."""

import pandas as pd
import streamlit as st

from dashboard.domain import MARKS
from dashboard.reports.labels import year_title
from dashboard.services.auth import ENTRY_ROLES
from dashboard.services.concurrency import ballot_sheet_version
from dashboard.services.input_reads import ballot_counts
from dashboard.services.inputs import TALLY_COLUMNS, save_ballot_sheet, save_ballot_tallies
from dashboard.ui import state
from dashboard.ui.entry_grid import EntryGrid, text_column
from dashboard.ui.resources import get_engine

RATER_TYPES = ["群众代表", "联户长互评", "党员代表", "村两委成员"]

engine = get_engine()
state.require_page_role(ENTRY_ROLES, what="录入群众评议")
year = state.require_year()

st.title(year_title("群众评议", year))
village_id = state.village_picker(engine, key="ballots_village")
if village_id is None:
    st.stop()
counts = state.read(engine, ballot_counts, year=year, village_id=village_id)
if not counts:
    st.info("这个村没有在任的网格长或联户长。")
    st.stop()

sheet_tab, tally_tab, summary_tab = st.tabs(["按测评票录入", "按汇总票数录入", "已录入票数"])
with sheet_tab:
    st.caption("一张测评票一次：填票号和评议人类别，再给每个人选评价；空着表示这张票上没有对此人的评价。")
    a, b = st.columns(2)
    ballot_no = a.text_input("票号", key="ballots_no", max_chars=64)
    rater_type = b.selectbox("评议人类别", RATER_TYPES, key="ballots_rater_type", accept_new_options=True)
    frame = pd.DataFrame([{"编号": c["编号"], "姓名": c["姓名"], "职务": c["职务"], "评价": None} for c in counts])
    sheet_grid = EntryGrid(f"ballots_sheet_editor_{year}_{village_id}_{ballot_no}")
    edited = sheet_grid.editor(
        frame,
        column_config={
            "编号": st.column_config.TextColumn(disabled=True),
            "姓名": st.column_config.TextColumn(disabled=True),
            "职务": st.column_config.TextColumn(disabled=True),
            "评价": st.column_config.SelectboxColumn(options=list(MARKS)),
        },
        hide_index=True, num_rows="fixed", width="stretch",
    )
    # The ballot sheet's version when its number was entered: two clerks typing the same 票号
    # cannot overwrite each other's marks.
    token_key = f"ballots_token_{year}_{ballot_no}"
    if ballot_no and token_key not in st.session_state:
        st.session_state[token_key] = state.read(engine, ballot_sheet_version, year=year, ballot_no=ballot_no)
    if st.button("保存这张票", type="primary", key="ballots_sheet_save"):
        records = state.clean_records(edited)

        def _save_sheet():
            ok, result = state.run_action(
                engine, save_ballot_sheet, year=year, ballot_no=ballot_no, rater_type=rater_type,
                rows=records, expected_token=st.session_state.get(token_key),
            )
            st.session_state.pop(token_key, None)
            return ok, result

        sheet_grid.save("ballots_sheet_saved", (year, ballot_no, rater_type, repr(records)), _save_sheet,
                        typed=edited, base=frame)
    sheet_grid.show_outcome()

with tally_tab:
    st.caption(
        "只有汇总结果时：填每人各评价的票数。系统按票数生成评价记录（票号为“汇总-编号-序号”）；"
        "同一类别再次保存会替换此前的汇总票。整行留空表示不修改。"
    )
    tally_type = st.selectbox("评议人类别", RATER_TYPES, key="ballots_tally_rater_type", accept_new_options=True)
    frame = pd.DataFrame([{"编号": c["编号"], "姓名": c["姓名"], **dict.fromkeys(TALLY_COLUMNS)} for c in counts])
    for col in TALLY_COLUMNS:
        frame[col] = ""
    config = {c: st.column_config.TextColumn(disabled=True) for c in ("编号", "姓名")}
    config.update({c: text_column(c, help=f"{c}的票数（整数）") for c in TALLY_COLUMNS})
    tally_grid = EntryGrid(f"ballots_tally_editor_{year}_{village_id}")
    tallies = tally_grid.editor(frame, column_config=config, hide_index=True, num_rows="fixed", width="stretch")
    if st.button("保存汇总票数", type="primary", key="ballots_tally_save"):
        records = state.clean_records(tallies)
        tally_grid.save(f"ballots_tally_saved_{village_id}", (year, tally_type, repr(records)), lambda: state.run_action(
            engine, save_ballot_tallies, year=year, rater_type=tally_type, rows=records,
        ), typed=tallies, base=frame)
    tally_grid.show_outcome()

with summary_tab:
    st.dataframe(pd.DataFrame(counts), hide_index=True, width="stretch", key="ballots_summary")
