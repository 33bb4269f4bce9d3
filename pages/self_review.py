"""述职确认: the village's assessor confirms leaders' own self-reports (待确认) or returns them."""

import pandas as pd
import streamlit as st

from dashboard.data.db import transaction
from dashboard.data.years import YearClosed
from dashboard.reports.labels import year_title
from dashboard.services import leader_self
from dashboard.services.auth import PermissionDenied
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import User

engine = get_engine()
signed = state.require_page_role(leader_self.REVIEW_ROLES, what="确认个人述职")
year = state.require_year()

st.title(year_title("述职确认", year))
st.caption("网格长、联户长本人提交的个人述职在确认后才计入考评；有问题的请填写意见后退回。")
notice = st.session_state.pop("review_notice", None)
if notice:
    st.success(notice)
pending = state.read(engine, leader_self.pending_self_reports, year=year)
if not pending:
    st.info("没有待确认的个人述职。")
    st.stop()
st.dataframe(pd.DataFrame(pending).drop(columns=["版本", "退回意见"]), hide_index=True, width="stretch",
             key="review_table")
labels = {p["编号"]: f"{p['村']} · {p['姓名']}（{p['职务']} {p['编号']}）" for p in pending}
code = st.selectbox("人员", list(labels), format_func=labels.get, key="review_code")
chosen = next(p for p in pending if p["编号"] == code)
st.markdown("**述职摘要**")
st.text(chosen["述职摘要"] or "（未填写）")
note = st.text_input("退回意见（退回时必填）", key="review_note")
c1, c2 = st.columns(2)
action = None
if c1.button("确认", type="primary", key="review_confirm"):
    action = True
if c2.button("退回", key="review_return"):
    action = False
if action is not None:
    try:
        with transaction(engine) as session:
            user = session.get(User, signed.user_id)
            message = leader_self.review_self_report(session=session, user=user, year=year, code=code,
                                                     confirm=action, note=note)
    except (leader_self.SelfReportError, PermissionDenied, YearClosed) as exc:
        st.error(str(exc))
    else:
        st.session_state["review_notice"] = message
        st.rerun()
