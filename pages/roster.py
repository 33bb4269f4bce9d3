"""人员名册: the roster of the user's scope; admins and assessors add, edit and mark 离任."""

from datetime import date

import streamlit as st

from dashboard.data.db import read_session
from dashboard.data.export.tables import table_csv_bytes
from dashboard.data.years import roster_frozen
from dashboard.domain import (
    ACTIVE,
    GENDERS,
    HOUSEHOLD_LEADER,
    LEADER_ROLES,
    LEADER_STATUSES,
    RETIRED,
)
from dashboard.services.roster import (
    ROSTER_COLUMNS,
    leader_fields,
    retire_leader,
    roster_table,
    save_leader,
)
from dashboard.ui import state
from dashboard.ui.entry_grid import save_once
from dashboard.ui.navigation import can_edit_roster
from dashboard.ui.resources import get_engine, scoped_read
from dashboard.ui.tables import paged_dataframe

engine = get_engine()
user = state.require_user()

st.title("人员名册")
# The table of the user's scope, built once per (every year's revision, role, scope) for all sessions.
table = scoped_read(engine, roster_table)
frame = table[ROSTER_COLUMNS]
c1, c2 = st.columns([1, 3])
with c1:
    show_retired = st.toggle("显示离任人员", value=False, key="roster_show_retired")
with c2:
    search = st.text_input("查找（编号或姓名）", key="roster_search").strip()
shown = frame if show_retired else frame[frame["状态"] == ACTIVE]
if search:
    shown = shown[shown["编号"].str.contains(search, regex=False) | shown["姓名"].str.contains(search, regex=False)]
st.caption(f"共 {len(shown)} 人（网格长 {int((shown['职务'] == '网格长').sum())}，联户长 {int((shown['职务'] == '联户长').sum())}）")
st.download_button(
    "下载名册 CSV（当前筛选的全部人员）",
    lambda: table_csv_bytes(shown),
    file_name="人员名册.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="roster_download",
)
paged_dataframe(shown, key="roster_table", filter_key=(show_retired, search), hide_index=True, width="stretch")

if not can_edit_roster(user.role):
    st.stop()
with read_session(engine) as session:
    frozen = roster_frozen(session)
if frozen is not None:
    st.warning(frozen)
    st.stop()


def leader_form(prefix: str, current: dict | None) -> dict | None:
    """The roster fields of one leader; returns them when the form is submitted."""
    current = current or {}
    with st.form(f"{prefix}_form"):
        a, b, c = st.columns(3)
        code = a.text_input("编号", value=current.get("编号", ""), key=f"{prefix}_code")
        name = b.text_input("姓名", value=current.get("姓名", ""), key=f"{prefix}_name")
        gender = c.selectbox("性别", GENDERS, index=GENDERS.index(current.get("性别", GENDERS[0])), key=f"{prefix}_gender")
        a, b, c = st.columns(3)
        role = a.selectbox("职务", LEADER_ROLES, index=LEADER_ROLES.index(current.get("职务", HOUSEHOLD_LEADER)), key=f"{prefix}_role")
        grid = b.text_input("网格", value=current.get("网格", "") or "", key=f"{prefix}_grid")
        group = c.text_input("联防组（网格长留空）", value=current.get("联防组", "") or "", key=f"{prefix}_group")
        a, b, c = st.columns(3)
        ethnicity = a.text_input("民族", value=current.get("民族", "") or "", key=f"{prefix}_ethnicity")
        phone = b.text_input("联系电话", value=current.get("联系电话", "") or "", key=f"{prefix}_phone")
        appointed = c.date_input("任职日期", value=current.get("任职日期", date.today()), key=f"{prefix}_appointed",
                                 min_value=date(1980, 1, 1), max_value=date(2100, 12, 31))
        status = st.radio("状态", LEADER_STATUSES, index=LEADER_STATUSES.index(current.get("状态", ACTIVE)),
                          horizontal=True, key=f"{prefix}_status")
        if st.form_submit_button("保存", type="primary"):
            return {"编号": code, "姓名": name, "性别": gender, "职务": role, "网格": grid, "联防组": group,
                    "民族": ethnicity, "联系电话": phone, "任职日期": appointed, "状态": status}
    return None


# Both boxes start closed and are drawn only while open (each holds a form of ten fields, most of
# a visit of the list); opening or closing one reruns the page.
add_box = st.expander("添加人员", icon=":material/person_add:", on_change="rerun", key="roster_add_open")
if add_box.open:
    with add_box:
        village_id = state.village_picker(engine, key="roster_add_village", label="所在村")
        if village_id is not None:
            fields = leader_form("roster_add", None)
            if fields is not None:
                # A double click adds the person once (the second click would say the 编号 is taken).
                save_once("roster_add_saved", (village_id, repr(fields)), lambda: state.run_action(
                    engine, save_leader, village_id=village_id, fields=fields))

edit_box = st.expander("修改 / 离任", icon=":material/edit_note:", on_change="rerun", key="roster_edit_open")
if not edit_box.open:
    st.stop()
with edit_box:
    if table.empty:
        st.info("名册中还没有人员。")
        st.stop()
    # The village first, then its people: a county's 4,000 names in one box are slow to send and to scroll.
    edit_village = state.village_picker(engine, key="roster_edit_village", label="所在村")
    in_village = table[table["village_id"] == edit_village]
    if in_village.empty:
        st.info("这个村没有人员。")
        st.stop()
    labels = {
        r.编号: f"{r.编号} {r.姓名}（{r.村} · {r.职务} · {r.状态}）" for r in in_village.itertuples(index=False)
    }
    code = st.selectbox("选择人员", list(labels), format_func=labels.get, key="roster_edit_code")
    person = in_village.loc[in_village["编号"] == code].iloc[0]
    current = state.read(engine, leader_fields, code=code)
    fields = leader_form(f"roster_edit_{code}", current)
    if fields is not None:
        save_once(f"roster_edit_saved_{code}", (repr(fields), person["状态"]), lambda: state.run_action(
            engine, save_leader, village_id=int(person["village_id"]), fields=fields, code=code))
    retired = person["状态"] == RETIRED
    if st.button("恢复在任" if retired else "标记离任", key=f"roster_retire_{code}"):
        ok, result = state.run_action(engine, retire_leader, code=code, retired=not retired)
        if ok:
            st.success(result.message)
            st.rerun()
