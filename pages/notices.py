"""短信通知: CSV files (手机号, 内容) for the township's bulk-SMS platform; the app sends nothing."""

import pandas as pd
import streamlit as st

from dashboard.data.db import transaction
from dashboard.reports.labels import year_title
from dashboard.services import notices
from dashboard.services.auth import PermissionDenied
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import User

engine = get_engine()
signed = state.require_page_role(notices.NOTICE_ROLES, what="导出短信通知")
year = state.require_year()

st.title(year_title("短信通知", year))
st.caption("生成可导入运营商短信平台的 CSV 文件（两列：手机号、内容）。本系统不直接发送短信；"
           "手机号取自人员名册的「联系电话」，没有号码的人员列在下面，请另行通知。")


def _make(action, **kwargs):
    try:
        with transaction(engine) as session:
            return action(session=session, user=session.get(User, signed.user_id), year=year, **kwargs)
    except (notices.NoticeError, PermissionDenied) as exc:
        st.error(str(exc))
        return None


kind = st.radio("通知内容", ["考评结果（公示后）", "综治E通上报提醒（按月）"], horizontal=True, key="notice_kind")
month = None
if kind.startswith("综治"):
    month = st.selectbox("月份", list(range(1, 13)), format_func=lambda m: f"{m} 月", key="notice_month")
if st.button("生成短信文件", type="primary", key="notice_make"):
    batch = _make(notices.result_notices) if month is None else _make(notices.report_reminders, month=month)
    if batch is not None:
        st.session_state["notice_batch"] = (kind, month, batch)
made = st.session_state.get("notice_batch")
if made and made[0] == kind and made[1] == month:
    _, _, batch = made
    st.success(f"共 {batch.count} 条短信。")
    name = f"短信_{year}_考评结果.csv" if month is None else f"短信_{year}_{month}月上报提醒.csv"
    st.download_button("下载短信 CSV", batch.csv, file_name=name, mime="text/csv", icon=":material/download:",
                       on_click="ignore", key="notice_download")
    if batch.without_phone:
        st.warning(f"{len(batch.without_phone)} 人没有联系电话，未生成短信：")
        st.dataframe(pd.DataFrame(batch.without_phone), hide_index=True, width="stretch", key="notice_missing")
