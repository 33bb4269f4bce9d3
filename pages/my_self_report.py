"""本人述职: a leader fills his own seven self-scores and narrative; the assessor confirms it."""

import streamlit as st

from dashboard.data.db import read_session, transaction
from dashboard.data.years import YearClosed, get_year
from dashboard.domain import DUTIES, SELF_CONFIRMED, SELF_PENDING, SELF_RETURNED, YEAR_OPEN
from dashboard.reports.labels import year_title
from dashboard.services import leader_self
from dashboard.services.auth import LEADER, PermissionDenied
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import User

engine = get_engine()
signed = state.require_page_role((LEADER,), what="填写本人述职")
year = state.require_year()

with read_session(engine) as session:
    user = session.get(User, signed.user_id)
    leader = leader_self.own_leader(session=session, user=user)
    current = leader_self.own_self_report(session=session, user=user, year=year)
    year_row = get_year(session, year)

st.title(year_title("本人述职", year))
st.caption(f"{leader.name} · {leader.role} · 编号 {leader.code}。按七大员职责逐项自评（0–100 分），写明本年度工作。"
           "提交后由村评分员确认，确认后计入考评。")

notice = st.session_state.pop("my_self_notice", None)
if notice:
    st.success(notice)
if current is not None:
    status = current["状态"]
    if status == SELF_PENDING:
        st.info("状态：待确认（已提交，等待村评分员确认；确认前可以修改后再次提交）")
    elif status == SELF_CONFIRMED:
        st.success("状态：已确认（已计入考评；再次提交会重新等待确认）")
    elif status == SELF_RETURNED:
        st.warning(f"状态：已退回。退回意见：{current['退回意见']}。请修改后再次提交。")

if year_row is not None and year_row.status != YEAR_OPEN:
    st.info(f"{year} 年度已{year_row.status}，不能再提交个人述职。")
    st.stop()

with st.form("my_self_form"):
    scores = {}
    for i, name in enumerate(DUTIES.values()):  # one column: the duty order stays the same on a phone
        value = current[name] if current else None
        scores[name] = st.number_input(name, min_value=0.0, max_value=100.0, step=1.0, value=value,
                                       key=f"my_self_{i}", placeholder="0–100")
    narrative = st.text_area("述职摘要", value=current["述职摘要"] if current else "", max_chars=2000,
                             key="my_self_narrative", height=160)
    submitted = st.form_submit_button("提交述职", type="primary")
if submitted:
    try:
        with transaction(engine) as session:
            user = session.get(User, signed.user_id)
            message = leader_self.submit_own_self_report(session=session, user=user, year=year, scores=scores,
                                                         narrative=narrative)
    except (leader_self.SelfReportError, PermissionDenied, YearClosed) as exc:
        st.error(str(exc))
    else:
        st.session_state["my_self_notice"] = message
        st.rerun()
