"""我的述职档案: after 公示, the leader's own result, ranks and explanation (nobody else's)."""

import streamlit as st

from dashboard.data.db import read_session
from dashboard.data.queries import explain_leader
from dashboard.headers import HEADERS
from dashboard.reports.labels import grade_label, year_title
from dashboard.services import leader_self
from dashboard.services.auth import LEADER
from dashboard.ui import state
from dashboard.ui.resources import cached_assessment, get_engine
from models import User

engine = get_engine()
signed = state.require_page_role((LEADER,), what="查看本人述职档案")
year = state.require_year()

with read_session(engine) as session:
    user = session.get(User, signed.user_id)
    leader = leader_self.own_leader(session=session, user=user)
    visible = leader_self.own_record_year_open(session=session, user=user, year=year)

st.title(year_title("我的述职档案", year))
if not visible:
    st.info(f"{year} 年度还在录入中，考评结果公示后才能在这里查看。")
    st.stop()
assessment = cached_assessment(engine, year)
results = assessment.results if assessment is not None else None
mine = None if results is None else results.loc[results["code"] == leader.code]
if mine is None or mine.empty:
    st.info("本年度没有您的考评结果。")
    st.stop()
row = mine.iloc[0]
st.subheader(f"{row['name']} · {row['role']}")
st.caption(f"编号 {row['code']} · {row['township']} {row['village']} {row['grid']}")
m = st.columns(4)
m[0].metric(HEADERS["final"], f"{row['final']:.2f}")
m[1].metric(HEADERS["grade"], grade_label(row["grade"]))
m[2].metric(HEADERS["village_rank"], f"{int(row['village_rank'])}")
m[3].metric(HEADERS["township_rank"], f"{int(row['township_rank'])}")
explanation = explain_leader(engine, year, leader.code, assessment=assessment)
st.subheader("得分说明")
st.markdown("\n".join(f"- {line}" for line in explanation.lines[1:]))
