"""操作日志: the audit trail, filtered by user, action, year and date, exported to CSV/XLSX."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from dashboard.data import audit
from dashboard.data.db import read_session
from dashboard.services.auth import ADMIN, OFFICIAL
from dashboard.ui import state
from dashboard.ui.resources import get_engine, year_revisions

engine = get_engine()
state.require_page_role((ADMIN, OFFICIAL), what="查看操作日志")

st.title("操作日志")
with read_session(engine) as session:
    users = audit.audit_users(session)
years = list(year_revisions(engine))

c1, c2, c3, c4 = st.columns(4)
who = c1.selectbox("用户", ["（全部）", *users], key="audit_user")
action = c2.selectbox("操作", ["（全部）", *audit.ACTION_LABELS],
                      format_func=lambda a: audit.ACTION_LABELS.get(a, a), key="audit_action")
year = c3.selectbox("年度", ["（全部）", *years], key="audit_year")
span = c4.date_input("日期（UTC）", value=(date.today() - timedelta(days=30), date.today()),
                     key="audit_dates")
since, until = (span[0], span[-1]) if isinstance(span, tuple | list) and span else (None, None)

with read_session(engine) as session:
    frame = audit.audit_frame(
        session,
        username=None if who == "（全部）" else who,
        action=None if action == "（全部）" else action,
        year=None if year == "（全部）" else year,
        since=since, until=until, limit=5000,
    )

st.caption(f"共 {len(frame)} 条（最多显示 5000 条，按时间倒序）")
shown = audit.display_frame(frame)
# an event without a year shows an empty cell, not "None" (the export keeps the number column)
shown["年度"] = ["" if pd.isna(y) else str(int(y)) for y in shown["年度"]]
st.dataframe(shown, hide_index=True, width="stretch", key="audit_table")

d1, d2 = st.columns(2)
d1.download_button("导出 CSV", audit.export_audit_bytes(frame, "csv"), file_name="操作日志.csv",
                   mime="text/csv", key="audit_csv")
d2.download_button(
    "导出 Excel", audit.export_audit_bytes(frame, "xlsx"), file_name="操作日志.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="audit_xlsx",
)
