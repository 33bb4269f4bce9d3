"""加减分: 加分 / 减分 with points, or 一票否决, always with a reason."""

import pandas as pd
import streamlit as st

from dashboard.domain import ADJUSTMENT_KINDS, VETO
from dashboard.reports.labels import year_title
from dashboard.services.auth import ENTRY_ROLES
from dashboard.services.entry import scope_leaders
from dashboard.services.input_reads import adjustment_rows
from dashboard.services.inputs import add_adjustment, delete_adjustment
from dashboard.ui import state
from dashboard.ui.entry_grid import save_once
from dashboard.ui.resources import get_engine

engine = get_engine()
state.require_page_role(ENTRY_ROLES, what="录入加减分")
year = state.require_year()

st.title(year_title("加减分", year))
village_id = state.village_picker(engine, key="adjustments_village")
if village_id is None:
    st.stop()
refs = state.read(engine, scope_leaders, village_id=village_id)
if refs:
    labels = {r.code: f"{r.code} {r.name}（{r.role}）" for r in refs}
    with st.form("adjustments_form"):
        code = st.selectbox("人员", list(labels), format_func=labels.get, key="adjustments_leader")
        a, b = st.columns(2)
        kind = a.radio("类型", ADJUSTMENT_KINDS, horizontal=True, key="adjustments_kind")
        # Text: a number input would silently block or round what was typed; the service says why.
        points = b.text_input("分值（一票否决不填）", max_chars=16, key="adjustments_points")
        reason = st.text_area("事由（必填）", max_chars=500, key="adjustments_reason")
        submitted = st.form_submit_button("登记", type="primary")
    if submitted:
        # A double click must not register the same adjustment twice.
        save_once("adjustments_saved", (year, code, kind, points, reason), lambda: state.run_action(
            engine, add_adjustment, year=year, code=code, kind=kind,
            points=None if kind == VETO else points, reason=reason,
        ))

rows = state.read(engine, adjustment_rows, year=year, village_id=village_id)
st.subheader("本村已登记的加减分")
if not rows:
    st.caption("暂无。")
else:
    frame = pd.DataFrame(rows)
    st.dataframe(frame.drop(columns="id"), hide_index=True, width="stretch", key="adjustments_table")
    choices = {r["id"]: f"{r['编号']} {r['姓名']} · {r['类型']} {'' if r['分值'] is None else r['分值']} · {r['事由']}" for r in rows}
    chosen = st.selectbox("删除误录的一条", list(choices), format_func=choices.get, key="adjustments_delete_choice")
    if st.button("删除", key="adjustments_delete"):
        ok, result = state.run_action(engine, delete_adjustment, year=year, adjustment_id=chosen)
        if ok:
            st.success(result.message)
            st.rerun()
