"""The app frame: page config, sign-in, the role's pages in st.navigation, sidebar, then the page.

Who is signed in comes from the server-side session (``login_session``): a running tab keeps
the row id in session state, a new tab or a reload finds it by the HttpOnly cookie (read
through ``st.context.cookies``). Every run checks the row again, so 退出登录, a password
reset or a disabled account ends the session in every tab and process. Under AppTest there
are no cookies; the row id in session state is the whole session there.
"""

from __future__ import annotations

import json

import streamlit as st
from streamlit.runtime import Runtime

from dashboard.data.db import read_session, transaction
from dashboard.services.accounts import has_demo_accounts
from dashboard.services.auth import (
    LEADER,
    ROLE_LABELS,
    SESSION_COOKIE,
    AuthError,
    PermissionDenied,
    ResumedSession,
    authenticate,
    end_session,
    resume_session,
    start_session,
    touch_session,
)
from dashboard.services.leader_accounts import change_own_password
from dashboard.ui import state
from dashboard.ui.navigation import PAGES, pages_for_role, sections_for_role
from dashboard.ui.prefetch import page_running, prefetch_year
from dashboard.ui.resources import get_engine, year_revisions
from dashboard.ui.web import LOGOUT_ROUTE, SESSION_ROUTE, base_path
from models import User

# The hidden page that draws only the frame (the floor benchmarks/pages.py measures pages against).
FRAME_ONLY_PATH = "frame"

NOTICES = {
    "timeout": "登录已超时，请重新登录",
    "revoked": "登录已失效（已在别处退出、密码已重置或账户已停用），请重新登录",
}


# Streamlit has no setting for the file uploader's own English ("Upload", "20MB per file •
# XLSX") nor for the "Stop" of its running indicator: those texts are replaced by Chinese
# through CSS on their test ids (see docs/decisions.md).
# Titles break only at spaces, so that "2024 年度" never becomes "2024 年 / 度" on a phone.
STYLE = """<style>
h1, h2, h3 { word-break: keep-all; overflow-wrap: anywhere; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { display: none; }
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"]::after { content: "选择文件"; }
[data-testid="stFileUploaderDropzoneInstructions"] span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after {
  content: "或把文件拖到这里；单个文件不超过 20 MB"; font-size: 0.875rem; opacity: 0.7;
}
[data-testid="stStatusWidget"] button { font-size: 0; }
[data-testid="stStatusWidget"] button::after { content: "停止"; font-size: 0.875rem; }
</style>"""


def _route(name: str) -> str:
    return base_path(st.get_option("server.baseUrlPath")) + name


def _post_to_route(name: str, body: str = "") -> None:
    """Have the browser POST to one of the app's routes (its response carries the cookie)."""
    st.html(
        "<script>fetch(" + json.dumps(_route(name)) + ", {method: 'POST', credentials: 'same-origin', "
        "headers: {'Content-Type': 'text/plain'}, body: " + json.dumps(body) + "});</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def _sign_in_page() -> None:
    """The sign-in form; every page URL shows it while signed out, then that page opens."""
    engine = get_engine()
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
            opened = start_session(session=session, user_id=result.user.user_id) if result.ok else None
        if opened is not None:
            session_id, ticket = opened
            state.remember(result.user, session_id=session_id)
            st.session_state["auth_cookie_ticket"] = ticket
            st.session_state.pop("auth_signed_out", None)
            st.rerun()
        st.error(result.message)


def _change_password_page() -> None:
    """The first sign-in with a printed initial password: choose a new one before anything else."""
    engine = get_engine()
    signed = state.require_user()
    st.title("首次登录 · 修改密码")
    st.info(f"{signed.display_name}，您正在使用打印发放的初始密码，请先设置自己的新密码（至少 8 个字符）。")
    with st.form("password_form"):
        old = st.text_input("初始密码", type="password", key="password_old")
        new = st.text_input("新密码", type="password", key="password_new")
        again = st.text_input("再次输入新密码", type="password", key="password_again")
        submitted = st.form_submit_button("保存新密码", type="primary")
    if submitted:
        if new != again:
            st.error("两次输入的新密码不一致")
            return
        try:
            with transaction(engine) as session:
                change_own_password(session=session, user_id=signed.user_id, old=old, new=new,
                                    keep_session_id=state.current_session_id())
        except (AuthError, PermissionDenied) as exc:
            st.error(str(exc))
        else:
            st.rerun()


def _not_allowed_page() -> None:
    """What a page URL outside the role's page list shows: a refusal, never the page."""
    user = state.require_user()
    st.title("无权访问")
    st.error(f"您的角色（{ROLE_LABELS[user.role]}）不能使用这个页面。")
    first = pages_for_role(user.role)[0]
    st.page_link(first.path, label=f"打开「{first.title}」")


def _home_page() -> None:
    """"/" itself: the frame opens the role's first page from here (see main)."""


def _frame_page() -> None:
    """Only the frame (sign-in check, sidebar, year box) and a heading: the floor that
    benchmarks/pages.py measures every page against. Not in the menu; its URL is /frame."""
    st.title("联户考评")


def _resume(engine) -> ResumedSession:
    """The session of this tab (row id in state) or of the browser (cookie), checked now."""
    session_id = state.current_session_id()
    token = None
    if session_id is None and not st.session_state.get("auth_signed_out"):
        token = st.context.cookies.get(SESSION_COOKIE)
        token = token if isinstance(token, str) else None  # AppTest has no real request
    if session_id is None and not token:
        return ResumedSession(None, None)
    with read_session(engine) as db:
        resumed = resume_session(session=db, token=token, session_id=session_id)
    if resumed.stale:
        with transaction(engine) as db:
            touch_session(session=db, session_id=resumed.session_id)
    return resumed


def main() -> None:
    # "auto": the sidebar starts closed on a phone and open on a computer.
    st.set_page_config(page_title="联户考评", page_icon=":material/how_to_reg:", layout="wide",
                       initial_sidebar_state="auto")
    st.html(STYLE)
    engine = get_engine()
    resumed = _resume(engine)
    if resumed.ok:
        state.remember(resumed.user, session_id=resumed.session_id)
    else:
        # a tab whose session just ended says why; a stale cookie only when it timed out
        if resumed.ended == "timeout" or (resumed.ended and state.current_session_id() is not None):
            st.session_state["auth_notice"] = NOTICES[resumed.ended]
        state.forget()
    signed = resumed.user

    with read_session(engine) as db:
        demo = has_demo_accounts(session=db)
    if demo:
        st.warning(
            "演示数据：系统中存在演示账户（见 README「演示账户」）。正式使用前请删除演示账户并导入真实数据。",
            icon=":material/science:",
        )

    if signed is None:
        if st.session_state.pop("auth_clear_cookie", False):
            _post_to_route(LOGOUT_ROUTE)
        # Every page URL is registered to the sign-in form, so a deep link shows it (not an
        # English "page not found"), and after sign-in the rerun lands on that very page.
        pages = [st.Page(_sign_in_page, title="登录", url_path="login", default=True)]
        pages += [st.Page(_sign_in_page, title="登录", url_path=spec.url_path, visibility="hidden")
                  for spec in PAGES.values()]
        pages.append(st.Page(_sign_in_page, title="登录", url_path=FRAME_ONLY_PATH, visibility="hidden"))
        st.navigation(pages, position="hidden").run()
        st.stop()

    with read_session(engine) as db:
        account = db.get(User, signed.user_id)
        must_change = account is not None and account.must_change_password
    if must_change:
        # A printed one-time password: nothing but the form to replace it.
        st.navigation([st.Page(_change_password_page, title="修改密码", url_path="password", default=True)],
                      position="hidden").run()
        st.stop()

    allowed = {spec.key for spec in pages_for_role(signed.role)}
    nav: dict[str, list] = {
        section: [st.Page(spec.path, title=spec.title, icon=spec.icon, url_path=spec.url_path) for spec in specs]
        for section, specs in sections_for_role(signed.role).items()
    }
    first_page = next(iter(nav.values()))[0]
    # "/" is a hidden page of its own that opens the first page, so that every page, the
    # first one too, has its own URL (Streamlit serves the default page at "/" only).
    home = st.Page(_home_page, title="首页", url_path="home", default=True, visibility="hidden")
    # A page outside the role keeps its URL but runs only the refusal: the page file itself is
    # never registered, so it cannot run (access control is the page list).
    hidden = [st.Page(_not_allowed_page, title="无权访问", url_path=spec.url_path, visibility="hidden")
              for key, spec in PAGES.items() if key not in allowed]
    frame_only = st.Page(_frame_page, title="联户考评", url_path=FRAME_ONLY_PATH, visibility="hidden")
    nav[next(iter(nav))].extend([home, frame_only, *hidden])
    pg = st.navigation(nav, expanded=True)  # every page listed, no "view more"

    with st.sidebar:
        revisions = _year_picker(engine)
        st.divider()
        st.markdown(f"**{signed.display_name}**  \n{ROLE_LABELS[signed.role]} · `{signed.username}`")
        if st.button("退出登录", key="sidebar_logout", icon=":material/logout:"):
            with transaction(engine) as db:
                end_session(session=db, session_id=state.current_session_id())
            state.forget()
            # this tab's cookie (read when it connected) is revoked too; the route deletes it
            st.session_state["auth_signed_out"] = True
            st.session_state["auth_clear_cookie"] = True
            st.rerun()
    year = st.session_state.get("year")
    # A served session (not AppTest) starts the year's shared results while this page draws.
    if year is not None and signed.role != LEADER and Runtime.exists():
        prefetch_year(engine, year, revisions[year])
    if pg.url_path == "":  # the hidden home page
        st.switch_page(first_page)
    ticket = st.session_state.pop("auth_cookie_ticket", None)
    if ticket:
        with st.sidebar:
            _post_to_route(SESSION_ROUTE, ticket)

    with page_running():  # the year's background fill waits while a page draws
        pg.run()


def _year_picker(engine) -> dict[int, int]:
    """The sidebar's year box; returns every year's data revision."""
    revisions = year_revisions(engine)
    years = list(revisions)
    if not years:
        st.session_state["year"] = None
        st.caption("尚无考评年度")
        return revisions
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
    return revisions
