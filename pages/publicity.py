"""公示: the frozen award list with its publicity period, and the objections with answers."""

import streamlit as st

from dashboard.data.db import read_session, transaction
from dashboard.domain import YEAR_FINAL, YEAR_OPEN, YEAR_PUBLICITY
from dashboard.reports.labels import year_title
from dashboard.services import workflow
from dashboard.services.auth import PermissionDenied
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import AssessmentYear

engine = get_engine()
user = state.require_user()
year = state.require_year()

st.title(year_title("公示", year))

with read_session(engine) as session:
    row = session.get(AssessmentYear, year)
    status = row.status if row else None
    period = (row.publicity_start, row.publicity_end) if row else (None, None)
    awards = workflow.publicity_award_list(session, year)
    objections = workflow.objections_frame(session, year)
    snapshot = workflow.current_snapshot(session, year)
    codes = (
        {r["code"]: r["name"] for r in workflow.snapshot_records(snapshot)} if snapshot else {}
    )

if status == YEAR_OPEN or status is None:
    st.info(f"{year} 年度仍在录入中，尚未发布公示。")
    st.stop()

label = "公示中" if status == YEAR_PUBLICITY else "已定稿（正式结果）"
c1, c2, c3 = st.columns(3)
c1.metric("状态", label)
c2.metric("公示期", f"{period[0]} 至 {period[1]}" if period[0] else "—")
c3.metric("表彰人数", len(awards))
if snapshot is not None:
    st.caption(f"结果于 {snapshot.created_at:%Y-%m-%d %H:%M}（UTC）冻结，发布人 {snapshot.created_by}。")

st.subheader("表彰名单（拟表彰优秀网格长、优秀联户长）")
if awards.empty:
    st.info("本年度没有表彰人员。")
else:
    st.dataframe(
        awards.rename(columns=workflow.AWARD_LIST_COLUMNS), hide_index=True, width="stretch",
        column_config={"最终得分": st.column_config.NumberColumn(format="%.2f")},
        key="publicity_awards",
    )

st.subheader("异议登记与答复")
if objections.empty:
    st.caption("暂无异议。")
else:
    shown = objections.copy()
    for col in ("raised_at", "answered_at"):
        shown[col] = [("" if v is None or v != v else f"{v:%Y-%m-%d %H:%M}") for v in shown[col]]
    st.dataframe(shown.rename(columns=workflow.OBJECTION_COLUMNS), hide_index=True,
                 width="stretch", key="publicity_objections")

may_record = user.role in workflow.OBJECTION_ROLES and status == YEAR_PUBLICITY
if status == YEAR_FINAL:
    st.caption("年度已定稿，异议登记已结束。")
if not may_record:
    st.stop()


def _act(action, **kwargs) -> bool:
    try:
        with transaction(engine) as session:
            action(session=session, user=user, **kwargs)
    except (workflow.WorkflowError, PermissionDenied) as exc:
        st.error(f"未保存：{exc}")
        return False
    return True


with st.form("publicity_objection_form", clear_on_submit=True):
    st.markdown("**登记异议**")
    code = st.selectbox("被提出异议的人员", list(codes), format_func=lambda c: f"{c} {codes[c]}",
                        key="publicity_objection_code")
    raised_by = st.text_input("异议人（姓名、村组）", max_chars=64, key="publicity_objection_by")
    content = st.text_area("异议内容", max_chars=workflow.MAX_TEXT, key="publicity_objection_text")
    if st.form_submit_button("登记异议", type="primary"):
        if _act(workflow.record_objection, year=year, leader_code=code or "", raised_by=raised_by,
                content=content):
            st.success("异议已登记")
            st.rerun()

pending = objections[objections["answer"].isna()] if not objections.empty else objections
if not pending.empty:
    labels = {int(r.id): f"{r.id}：{r.code} {r.name}（{r.raised_by}）" for r in pending.itertuples()}
    with st.form("publicity_answer_form", clear_on_submit=True):
        st.markdown("**答复异议**")
        oid = st.selectbox("异议", list(labels), format_func=labels.get, key="publicity_answer_id")
        answer = st.text_area("答复内容", max_chars=workflow.MAX_TEXT, key="publicity_answer_text")
        if st.form_submit_button("保存答复", type="primary"):
            if _act(workflow.answer_objection, objection_id=oid, answer=answer):
                st.success("答复已保存")
                st.rerun()
