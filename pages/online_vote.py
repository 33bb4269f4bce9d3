"""在线评议: open a round of one-time codes, download its slips, watch turnout, close it."""

import pandas as pd
import streamlit as st

from dashboard.data.db import transaction
from dashboard.data.years import YearClosed
from dashboard.reports.labels import year_title
from dashboard.services import rounds
from dashboard.services.auth import PermissionDenied
from dashboard.services.entry import scope_villages
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import User

engine = get_engine()
signed = state.require_page_role(rounds.ROUND_ROLES, what="管理在线评议")
year = state.require_year()

st.title(year_title("在线评议", year))
st.caption("发起评议批次后下载评议票（每张一个一次性评议码和二维码），群众用手机扫码投票；"
           "系统只记录评议码是否已使用，不记录谁投了什么。评议码只在发起时生成一次，请立即下载并妥善保管。")

notice = st.session_state.pop("vote_notice", None)
if notice:
    st.success(notice)


def _act(action, **kwargs):
    try:
        with transaction(engine) as session:
            user = session.get(User, signed.user_id)
            if user is None:
                raise PermissionDenied("账号已不存在，请重新登录")
            return True, action(session=session, user=user, **kwargs)
    except (rounds.RoundError, PermissionDenied, YearClosed) as exc:
        st.error(f"未完成：{exc}")
        return False, None


with st.expander("发起评议批次", expanded=not st.session_state.get("vote_slips")):
    villages = state.read(engine, scope_villages)
    labels = {vid: f"{town}/{name}" for vid, town, name in villages}
    towns = dict(state.read(engine, rounds.scope_townships))
    c1, c2 = st.columns(2)
    scope = c1.radio("范围", [rounds.SCOPE_VILLAGE, rounds.SCOPE_TOWNSHIP], format_func=rounds.SCOPE_LABELS.get,
                     horizontal=True, key="vote_scope")
    if scope == rounds.SCOPE_VILLAGE:
        village_id = c2.selectbox("村", list(labels), format_func=labels.get, key="vote_village")
        township_id = None
    else:
        village_id = None
        township_id = c2.selectbox("乡镇", list(towns), format_func=towns.get, key="vote_township")
    c3, c4 = st.columns(2)
    rater = c3.selectbox("评议人类别", rounds.RATER_TYPES, key="vote_rater", accept_new_options=True)
    slips = c4.number_input("评议票张数" + ("（每村）" if scope == rounds.SCOPE_TOWNSHIP else ""),
                            min_value=1, max_value=rounds.MAX_SLIPS, value=30, step=1, key="vote_slips_n")
    if st.button("发起评议并生成评议票", type="primary", key="vote_open"):
        ok, opened = _act(rounds.open_round, year=year, rater_type=rater, slips=int(slips),
                          village_id=village_id, township_id=township_id)
        if ok:
            st.session_state["vote_slips"] = (opened.round_id, opened.title, rounds.slips_html(opened),
                                              len(opened.slips))
            st.session_state["vote_notice"] = f"已发起：{opened.title}，共 {len(opened.slips)} 张评议票。请立即下载评议票。"
            st.rerun()

made = st.session_state.get("vote_slips")
if made:
    round_id, title, sheet, count = made

    def _downloaded() -> None:
        _act(rounds.record_slips_download, round_id=round_id, count=count)

    st.info(f"{title}：{count} 张评议票已生成。评议码只在此时可以下载，离开或刷新本页后无法再次获取。")
    st.download_button("下载评议票（A4 打印）", sheet.encode("utf-8"), file_name=f"评议票_批次{round_id}.html",
                       mime="text/html", icon=":material/download:", on_click=_downloaded, key="vote_download",
                       type="primary")

st.subheader("评议批次")
listed = state.read(engine, rounds.list_rounds, year=year)
if not listed:
    st.info("本年度还没有在线评议批次。")
    st.stop()
st.dataframe(pd.DataFrame(listed), hide_index=True, width="stretch", key="vote_rounds")

names = {r["批次"]: f"{r['批次']} · {r['名称']} · {r['状态']}" for r in listed}
chosen = st.selectbox("查看批次", list(names), format_func=names.get, key="vote_round")
per_village, per_leader = state.read(engine, rounds.round_turnout, round_id=chosen)
issued = sum(v["发放"] for v in per_village)
used = sum(v["已投票"] for v in per_village)
m1, m2, m3 = st.columns(3)
m1.metric("发放评议票", issued)
m2.metric("已投票", used)
m3.metric("参与率", f"{used / issued:.0%}" if issued else "—")
st.caption("各村投票情况")
st.dataframe(pd.DataFrame(per_village), hide_index=True, width="stretch", key="vote_villages")
st.caption("每人已收到的评议票张数（不显示任何一张票的内容）")
st.dataframe(pd.DataFrame(per_leader), hide_index=True, width="stretch", key="vote_leaders")

row = next(r for r in listed if r["批次"] == chosen)
if row["状态"] == rounds.STATUS_LABELS[rounds.OPEN]:
    confirm = st.checkbox("确认结束本批次（未使用的评议码全部作废）", key="vote_confirm_close")
    if st.button("结束评议", disabled=not confirm, key="vote_close"):
        ok, title = _act(rounds.close_round, round_id=chosen)
        if ok:
            st.session_state["vote_notice"] = f"已结束：{title}"
            st.rerun()
