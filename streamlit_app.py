"""The app frame: page config, sign-in, the role's pages in st.navigation, sidebar, then the page."""

from __future__ import annotations

import streamlit as st

from dashboard.data.db import read_session, transaction
from dashboard.services.accounts import has_demo_accounts
from dashboard.services.auth import ROLE_LABELS, authenticate, load_signed_in
from dashboard.ui import state
from dashboard.ui.navigation import sections_for_role
from dashboard.ui.resources import get_engine, year_revisions

st.set_page_config(page_title="联户考评", page_icon=":material/how_to_reg:", layout="wide")

engine = get_engine()


def sign_in_page() -> None:
    """The only page reachable while signed out."""
    st.title("联户考评 · 登录")
    notice = st.session_state.pop("auth_notice", None)
    if notice:
        st.info(notice)
    with st.form("login_form"):
        username = st.text_input("用户名", key="login_username")
        password = st.text_input("密码", type="password", key="login_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        with transaction(engine) as session:
            result = authenticate(session=session, username=username, password=password)
        if result.ok:
            state.remember(result.user)
            st.rerun()
        st.error(result.message)


with read_session(engine) as db:
    demo = has_demo_accounts(session=db)
    signed = state.current_user() if state.touch_or_expire() else None
    if signed is not None:
        # The account may have been removed or its role changed since sign-in.
        signed = load_signed_in(session=db, user_id=signed.user_id)
        if signed is None:
            state.forget()
        else:
            state.remember(signed)

if demo:
    st.warning(
        "演示数据：系统中存在演示账户（见 README「演示账户」）。正式使用前请删除演示账户并导入真实数据。",
        icon=":material/science:",
    )

if signed is None:
    pg = st.navigation([st.Page(sign_in_page, title="登录", url_path="login", default=True)], position="hidden")
    pg.run()
    st.stop()

sections = sections_for_role(signed.role)
first = True
nav: dict[str, list] = {}
for section, specs in sections.items():
    nav[section] = []
    for spec in specs:
        nav[section].append(
            st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path, default=first)
        )
        first = False
pg = st.navigation(nav, expanded=True)  # every page listed, no "view more"

with st.sidebar:
    years = list(year_revisions(engine))
    if years:
        # The chosen year lives in the plain key "year": st.switch_page clears widget state,
        # so the widget ("sidebar_year") is only its editor and starts from "year".
        if st.session_state.get("year") not in years:
            st.session_state["year"] = years[0]

        def _pick_year() -> None:
            st.session_state["year"] = st.session_state["sidebar_year"]

        st.selectbox(
            "考评年度", years, index=years.index(st.session_state["year"]), key="sidebar_year",
            on_change=_pick_year, format_func=lambda y: f"{y} 年度",
        )
    else:
        st.session_state["year"] = None
        st.caption("尚无考评年度")
    st.divider()
    st.markdown(f"**{signed.display_name}**  \n{ROLE_LABELS[signed.role]} · `{signed.username}`")
    if st.button("退出登录", key="sidebar_logout", icon=":material/logout:"):
        state.forget()
        st.rerun()

pg.run()
