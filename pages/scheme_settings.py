"""方案设置 (admins): edit the year's scheme a part at a time with validation; export and import it as JSON."""

import json

import streamlit as st

from dashboard.data.db import read_session, transaction
from dashboard.data.years import YearClosed, get_year
from dashboard.domain import AWARD_SCOPES, COMPONENT_NAMES, COMPONENTS, DUTIES, GRADES, YEAR_OPEN
from dashboard.reports.labels import year_title
from dashboard.scoring.scheme import Scheme, SchemeError
from dashboard.services.auth import PermissionDenied
from dashboard.services.results import SCHEME_ROLES
from dashboard.services.scheme import SchemeSaveError, load_scheme, save_scheme, scheme_from_upload
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from models import User

signed = state.require_page_role(SCHEME_ROLES, what="修改考核方案")
engine = get_engine()
year = state.require_year()

with read_session(engine) as session:
    row = get_year(session, year)
    status = row.status if row else None
    revision = row.revision if row else 0
    scheme = load_scheme(session=session, year=year)

st.title(year_title("方案设置", year))
st.caption(f"年度状态：{status}")
notice = st.session_state.pop("scheme_notice", None)
if notice:
    st.success(notice)
is_open = status == YEAR_OPEN
if not is_open:
    st.warning(f"{year} 年度状态为「{status}」，方案已冻结，只能查看和导出。")


def _save(new_scheme: Scheme) -> None:
    """Save in one transaction as the signed-in admin; show the outcome in Chinese."""
    try:
        with transaction(engine) as session:
            user = session.get(User, signed.user_id)
            saved = save_scheme(session=session, user=user, year=year, scheme=new_scheme)
    except (PermissionDenied, YearClosed, SchemeSaveError, SchemeError) as exc:
        st.error(f"未保存：{exc}")
        return
    st.session_state["scheme_notice"] = (
        f"已保存 {year} 年度考核方案，考评结果将按新方案重新计算。"
        if saved.changed
        else "方案没有变化，未保存。"
    )
    st.rerun()


raw = scheme.to_dict()


def _number(column, label: str, value: float, key: str, *, step: float = 1.0, fmt: str = "%g", **limits) -> float:
    return column.number_input(label, value=float(value), step=step, format=fmt, key=key, **limits)


def _weights() -> dict:
    st.caption("各分项的权重（≥ 0，合计大于 0；计算时重新归一）")
    c = st.columns(4)
    return {"weights": {
        k: _number(c[i], COMPONENT_NAMES[k], raw["weights"][k], f"scheme_weight_{k}", step=0.05, fmt="%.2f",
                   min_value=0.0)
        for i, k in enumerate(COMPONENTS)
    }}


def _role_max() -> dict:
    st.caption("七大员各项的满分（> 0）")
    c = st.columns(4)
    return {"role_max": {
        k: _number(c[i % 4], name, raw["role_max"][k], f"scheme_role_{k}", min_value=0.0)
        for i, (k, name) in enumerate(DUTIES.items())
    }}


def _components() -> dict:
    c = st.columns(4)
    trim_raters = c[0].number_input("两委去高低分最少人数", min_value=0, value=int(raw["committee"]["trim_min_raters"]),
                                    step=1, key="scheme_trim_raters")
    min_ballots = c[1].number_input("最少有效票数", min_value=0, value=int(raw["mass"]["min_ballots"]), step=1,
                                    key="scheme_min_ballots")
    trim_ballots = c[2].number_input("评议去高低票最少票数", min_value=0, value=int(raw["mass"]["trim_min_ballots"]),
                                     step=1, key="scheme_trim_ballots")
    veto_share = c[3].text_input(
        "不称职票否决比例", value=str(raw["mass"]["veto_share"]), key="scheme_veto_share",
        help="分数（如 1/3）或小数；不称职票占有效票的比例超过它时定为不称职",
    )
    c = st.columns(4)
    points = {
        g: _number(c[i], f"{g}票分值", raw["mass"]["points"][g], f"scheme_points_{g}", min_value=0.0)
        for i, g in enumerate(GRADES)
    }
    c = st.columns(4)
    target = _number(c[0], "综治E通每月上报目标（条）", raw["platform"]["monthly_target"], "scheme_target",
                     min_value=0.0)
    return {
        "platform": {"monthly_target": target},
        "committee": {"trim_min_raters": int(trim_raters)},
        "mass": {"points": points, "min_ballots": int(min_ballots), "trim_min_ballots": int(trim_ballots),
                 "veto_share": veto_share.strip()},
    }


def _grades_and_awards() -> dict:
    c = st.columns(3)
    bonus_cap = _number(c[0], "加分上限", raw["bonus_cap"], "scheme_bonus_cap", min_value=0.0)
    ratio = _number(c[1], "表彰比例", raw["award"]["ratio"], "scheme_ratio", step=0.01, fmt="%.2f",
                    min_value=0.0, max_value=1.0)
    scope_names = {"village": "按村", "township": "按乡镇", "county": "按县"}
    scope = c[2].selectbox("表彰评选范围", AWARD_SCOPES, index=AWARD_SCOPES.index(raw["award"]["scope"]),
                           format_func=scope_names.get, key="scheme_scope")
    c = st.columns(3)
    bands = {g: _number(c[i], f"{g}分数线", raw["grade_bands"][g], f"scheme_band_{g}") for i, g in enumerate(GRADES[:3])}
    return {"bonus_cap": bonus_cap, "grade_bands": bands, "award": {"ratio": ratio, "scope": scope}}


def _pay() -> dict:
    c = st.columns(5)
    base = _number(c[0], "基数（元/年）", raw["pay"]["base"], "scheme_pay_base", step=10.0, min_value=0.0)
    coefficients = {
        g: _number(c[i + 1], f"{g}系数", raw["pay"]["coefficients"][g], f"scheme_coef_{g}", step=0.1, min_value=0.0)
        for i, g in enumerate(GRADES)
    }
    return {"pay": {"base": base, "coefficients": coefficients}}


# The scheme is edited a part at a time: only the open tab is drawn (the whole scheme was a form of
# ~30 fields, most of every visit), and switching tabs reruns the page.
SECTIONS = {
    "分项权重": _weights,
    "七大员满分": _role_max,
    "打分、评议与上报": _components,
    "加分、等次与表彰": _grades_and_awards,
    "联户长报酬": _pay,
}
JSON_TAB = "导入 / 导出 JSON"
st.caption("方案分几部分设置，每部分改好后点「保存方案」；切换到其他部分前请先保存，未保存的修改不会保留。")
tabs = dict(zip([*SECTIONS, JSON_TAB], st.tabs([*SECTIONS, JSON_TAB], on_change="rerun", key="scheme_tab"), strict=True))
for section, draw in SECTIONS.items():
    if not tabs[section].open:
        continue
    with tabs[section]:
        with st.form(f"scheme_form_{section}"):
            changes = draw()
            submitted = st.form_submit_button("保存方案", type="primary", disabled=not is_open)
        if submitted:
            try:
                edited = scheme.replace(changes)  # the other parts as stored
            except SchemeError as exc:
                st.error(f"未保存：{exc}")
            else:
                _save(edited)

tab_json = tabs[JSON_TAB]
if tab_json.open:
    with tab_json:
        st.download_button(
            "导出方案 JSON",
            scheme.to_json().encode("utf-8"),
            file_name=f"考核方案_{year}.json",
            mime="application/json",
            icon=":material/download:",
            key="scheme_export",
        )
        st.code(scheme.to_json(), language="json")
        upload = st.file_uploader(
            "导入方案 JSON（只需包含要修改的设置，其余保持默认值）",
            type=None,  # any file, refused below in Chinese rather than by Streamlit in English
            key="scheme_upload",
            disabled=not is_open,
        )
        if upload is not None and not upload.name.lower().endswith(".json"):
            st.error(f"方案文件无效：「{upload.name}」不是 JSON 文件（.json）；请上传本页「导出方案 JSON」得到的文件")
        elif upload is not None:
            try:
                imported = scheme_from_upload(upload.getvalue())
            except SchemeError as exc:
                st.error(f"方案文件无效：{exc}")
            else:
                diff = {k: v for k, v in imported.to_dict().items() if scheme.to_dict().get(k) != v}
                if not diff:
                    st.info("导入的方案与当前方案相同。")
                else:
                    st.markdown("将要修改的设置：")
                    st.code(json.dumps(diff, ensure_ascii=False, indent=2), language="json")
                    if st.button("保存导入的方案", type="primary", key="scheme_import_save"):
                        _save(imported)
