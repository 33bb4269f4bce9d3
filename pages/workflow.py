"""年度流程: publish (录入中 → 公示中), finalise (→ 已定稿), reopen with a reason (admin)."""

from datetime import date, timedelta

import streamlit as st

from dashboard.data import audit
from dashboard.data.db import read_session, transaction
from dashboard.domain import YEAR_FINAL, YEAR_OPEN, YEAR_PUBLICITY
from dashboard.reports.labels import year_title
from dashboard.services import workflow
from dashboard.services.auth import ADMIN, PermissionDenied
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import AssessmentYear

engine = get_engine()
user = state.require_page_role(workflow.WORKFLOW_ROLES, what="管理年度流程")
year = state.require_year()

st.title(year_title("年度流程", year))
st.caption("录入中 → 公示中（冻结结果、公示、登记异议）→ 已定稿（正式结果，只读）。重新开放录入需管理员填写理由。")

with read_session(engine) as session:
    row = session.get(AssessmentYear, year)
    status, revision = row.status, row.revision
    period = (row.publicity_start, row.publicity_end)
    open_objections = workflow.unanswered_objections(session, year)
    history = audit.audit_frame(session, year=year)
last_change = history.iloc[0] if len(history) else None  # newest first
history = history[history["action"].str.startswith("year.")]

steps = [YEAR_OPEN, YEAR_PUBLICITY, YEAR_FINAL]
cols = st.columns(3)
for col, step in zip(cols, steps, strict=True):
    col.metric("当前状态" if step == status else "　", step, border=step == status)
facts = []
if last_change is not None:
    facts.append(f"最后更新：{last_change['at']:%Y-%m-%d %H:%M}（UTC），{last_change['username']}，{last_change['action_label']}")
if period[0]:
    facts.append(f"公示期 {period[0]} 至 {period[1]}")
if facts:
    st.caption("；".join(facts))

message = st.session_state.pop("workflow_notice", None)
if message:
    st.success(message)


def _done(text: str) -> None:
    st.session_state["workflow_notice"] = text
    st.rerun()


if status == YEAR_OPEN:
    st.subheader("发布公示")
    st.write("发布后，本年度的考评结果按当前数据和考核方案冻结，所有录入和导入将被拒绝。")
    c1, c2 = st.columns(2)
    start = c1.date_input("公示开始日期", value=date.today(), key="workflow_start")
    end = c2.date_input("公示结束日期", value=date.today() + timedelta(days=6), key="workflow_end")
    confirm = st.checkbox("我已核对完成情况，确认发布公示", key="workflow_confirm_publish")
    if st.button("发布公示", type="primary", disabled=not confirm, key="workflow_publish"):
        try:
            with st.spinner("正在计算并冻结结果…"):
                snapshot = workflow.publish_year(engine=engine, user=user, year=year, start=start, end=end)
        except (workflow.WorkflowError, PermissionDenied) as exc:
            st.error(f"未发布：{exc}")
        else:
            n = len(workflow.snapshot_records(snapshot))
            _done(f"已发布公示：冻结 {n} 人的结果，公示期 {start} 至 {end}")

if status == YEAR_PUBLICITY:
    st.subheader("定稿")
    if open_objections:
        st.warning(f"还有 {open_objections} 条异议未答复（见「公示」页），答复后才能定稿。")
    if st.button("定稿", type="primary", key="workflow_finalize"):
        try:
            with transaction(engine) as session:
                workflow.finalize_year(session=session, user=user, year=year)
        except (workflow.WorkflowError, PermissionDenied) as exc:
            st.error(f"未定稿：{exc}")
        else:
            _done(f"{year} 年度已定稿：公示结果为正式结果")

if status != YEAR_OPEN:
    st.subheader("重新开放录入")
    if user.role != ADMIN:
        st.caption("只有管理员可以重新开放录入。")
    else:
        reason = st.text_area("理由（必填，记入操作日志）", max_chars=workflow.MAX_TEXT, key="workflow_reason")
        if st.button("重新开放录入", key="workflow_reopen"):
            try:
                with transaction(engine) as session:
                    workflow.reopen_year(session=session, user=user, year=year, reason=reason)
            except (workflow.WorkflowError, PermissionDenied) as exc:
                st.error(f"未重新开放：{exc}")
            else:
                _done(f"{year} 年度已重新开放录入")

st.subheader("流程记录")
if history.empty:
    st.caption("暂无记录。")
else:
    st.dataframe(audit.display_frame(history), hide_index=True, width="stretch", key="workflow_history")
