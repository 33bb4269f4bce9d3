"""账户管理 (admins): list accounts, create one, set role and scope, reset a password (shown
once), unlock, disable or enable, remove the demo accounts. Every change is audited by the
service in the same transaction; refusals are shown in Chinese."""

import pandas as pd
import streamlit as st

from dashboard.services import accounts
from dashboard.services.auth import ADMIN, ASSESSOR, MIN_PASSWORD_LENGTH, ROLE_LABELS, ROLES
from dashboard.ui import state
from dashboard.ui.resources import get_engine

engine = get_engine()
user = state.require_page_role((ADMIN,), what="管理账户")

st.title("账户管理")
st.caption("新建账号、修改角色与范围、重置密码、解锁、停用。每项修改都记入操作日志。")

notice = st.session_state.pop("accounts_notice", None)
if notice:
    st.success(notice)
shown_password = st.session_state.pop("accounts_new_password", None)
if shown_password:
    who, password = shown_password
    st.warning(f"「{who}」的新密码只显示这一次，请现在复制并当面或电话告知本人。离开或刷新本页后将无法再次查看。")
    st.code(password, language=None)


def _done(text: str) -> None:
    st.session_state["accounts_notice"] = text
    st.rerun()


rows = state.read(engine, accounts.list_accounts)
villages, towns = state.read(engine, accounts.scope_choices)
ALL_TOWNS = "（全部）"

table = pd.DataFrame(
    [
        {
            "用户名": r.username,
            "姓名": r.display_name,
            "角色": ROLE_LABELS[r.role],
            "范围": r.scope,
            "状态": r.status,
            "最近登录": r.last_login.strftime("%Y-%m-%d %H:%M") if r.last_login else "从未登录",
            "演示": "是" if r.is_demo else "",
        }
        for r in rows
    ]
)
st.dataframe(table, hide_index=True, width="stretch", key="accounts_table")
st.caption("最近登录时间为协调世界时（UTC）。锁定：密码连续输错，到时自动解锁，也可在下方手动解锁。")


def _scope_inputs(prefix: str, role: str, *, villages_now=(), town_now=None) -> tuple[list[str], str | None]:
    """Villages for an assessor, an optional township for a viewer or official."""
    if role == ASSESSOR:
        chosen = st.multiselect("负责的村", villages, default=[v for v in villages_now if v in villages],
                                key=f"{prefix}_villages", placeholder="选择一个或多个村")
        return chosen, None
    if role == ADMIN:
        st.caption("管理员可见全部乡镇和村。")
        return [], None
    options = [ALL_TOWNS, *towns]
    index = options.index(town_now) if town_now in options else 0
    town = st.selectbox("限定乡镇", options, index=index, key=f"{prefix}_town")
    return [], None if town == ALL_TOWNS else town


new_tab, edit_tab, demo_tab = st.tabs(["新建账号", "修改账号", "演示账户"])

with new_tab:
    c1, c2 = st.columns(2)
    username = c1.text_input("用户名", key="accounts_new_username", max_chars=64)
    display_name = c2.text_input("姓名", key="accounts_new_name", max_chars=64)
    role = st.selectbox("角色", ROLES, format_func=ROLE_LABELS.get, key="accounts_new_role", index=1)
    new_villages, new_town = _scope_inputs("accounts_new", role)
    p1, p2 = st.columns(2)
    password = p1.text_input(f"密码（至少 {MIN_PASSWORD_LENGTH} 个字符）", type="password", key="accounts_new_pw")
    again = p2.text_input("再次输入密码", type="password", key="accounts_new_pw2")
    if st.button("新建账号", type="primary", key="accounts_create"):
        if password != again:
            st.error("未保存：两次输入的密码不一致")
        else:
            ok, _ = state.run_action(
                engine, accounts.create_account, username=username, password=password, role=role,
                villages=new_villages, township=new_town, display_name=display_name,
            )
            if ok:
                _done(f"已新建账号「{username.strip()}」（{ROLE_LABELS[role]}）")

with edit_tab:
    by_name = {r.username: r for r in rows}
    name = st.selectbox(
        "账号", list(by_name), key="accounts_edit_user",
        format_func=lambda n: f"{n}（{by_name[n].display_name}）" if by_name[n].display_name else n,
    )
    if name:
        row = by_name[name]
        st.write(f"当前：{ROLE_LABELS[row.role]} · 范围 {row.scope} · {row.status}")
        st.subheader("角色与范围")
        edit_role = st.selectbox("角色", ROLES, index=ROLES.index(row.role), format_func=ROLE_LABELS.get,
                                 key=f"accounts_edit_role_{name}")
        current_villages = row.scope.split("、") if row.role == ASSESSOR else []
        edit_villages, edit_town = _scope_inputs(f"accounts_edit_{name}", edit_role, villages_now=current_villages,
                                                 town_now=row.scope if row.role != ASSESSOR else None)
        if st.button("保存角色与范围", key="accounts_save_role"):
            ok, _ = state.run_action(engine, accounts.set_role_and_scope, username=name, role=edit_role,
                                     villages=edit_villages, township=edit_town)
            if ok:
                _done(f"已修改「{name}」的角色与范围")
        st.subheader("密码与状态")
        b1, b2, b3 = st.columns(3)
        if b1.button("重置密码", key="accounts_reset", help="生成一个新密码，只显示一次；该账号已登录的会话全部失效"):
            ok, new_password = state.run_action(engine, accounts.reset_password, username=name)
            if ok:
                st.session_state["accounts_new_password"] = (name, new_password)
                _done(f"已重置「{name}」的密码；该账号已登录的会话全部失效")
        if b2.button("解锁", key="accounts_unlock", disabled=row.status != accounts.STATUS_LOCKED,
                     help="解除因密码连续输错造成的锁定"):
            ok, _ = state.run_action(engine, accounts.unlock_account, username=name)
            if ok:
                _done(f"已解锁「{name}」")
        disabling = row.status != accounts.STATUS_DISABLED
        if b3.button("停用" if disabling else "启用", key="accounts_disable",
                     help="停用后不能再登录，已登录的会话立即失效" if disabling else "恢复登录"):
            ok, _ = state.run_action(engine, accounts.set_account_disabled, username=name, disabled=disabling)
            if ok:
                _done(f"已停用「{name}」；其会话全部失效" if disabling else f"已启用「{name}」")

with demo_tab:
    demos = [r.username for r in rows if r.is_demo]
    if not demos:
        st.info("没有演示账户。")
    else:
        st.write("演示账户的密码写在使用说明中，人人可知。正式使用前请删除：" + "、".join(demos))
        sure = st.checkbox("我已新建自己的管理员账号，确认删除全部演示账户", key="accounts_demo_confirm")
        if st.button("删除演示账户", type="primary", disabled=not sure, key="accounts_remove_demo"):
            ok, count = state.run_action(engine, accounts.remove_demo_accounts)
            if ok:
                _done(f"已删除 {count} 个演示账户")
