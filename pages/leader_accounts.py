"""本人账号: make accounts in bulk for a village's leaders, with printed one-time passwords."""

import streamlit as st

from dashboard.data.db import transaction
from dashboard.services import leader_accounts
from dashboard.services.auth import AuthError, PermissionDenied
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import User

engine = get_engine()
signed = state.require_page_role(leader_accounts.ACCOUNT_ROLES, what="建立本人账号")

st.title("本人账号")
st.caption("为一个村的在任网格长、联户长各建一个本人账号（用户名为编号），初始密码只在此时生成一次，"
           "请立即下载打印、剪开分发；首次登录必须修改密码。已有账号的人员不会重复建立。")
village_id = state.village_picker(engine, key="accounts_village")
if village_id is not None and st.button("批量建立本人账号", type="primary", key="accounts_make"):
    try:
        with transaction(engine) as session:
            user = session.get(User, signed.user_id)
            made = leader_accounts.create_leader_accounts(session=session, user=user, village_id=village_id)
    except (AuthError, PermissionDenied) as exc:
        st.error(str(exc))
    else:
        st.session_state["accounts_made"] = made
made = st.session_state.get("accounts_made")
if made is not None:
    if not made:
        st.info("该村人员都已有本人账号。")
    else:
        st.success(f"已建立 {len(made)} 个本人账号。初始密码离开本页后无法再次获取。")
        sheet = leader_accounts.initial_passwords_html("本人账号", made)
        st.download_button("下载初始密码单（A4 打印）", sheet.encode("utf-8"), file_name="本人账号初始密码.html",
                           mime="text/html", icon=":material/download:", on_click="ignore", key="accounts_download")
