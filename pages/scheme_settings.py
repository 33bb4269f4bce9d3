"""方案设置 (admins): edit the year's scheme with validation; export and import it as JSON."""

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


tab_edit, tab_json = st.tabs(["编辑方案", "导入 / 导出 JSON"])

with tab_edit, st.form("scheme_form"):
    raw = scheme.to_dict()
    st.markdown("**分项权重**（≥ 0，合计大于 0；计算时重新归一）")
    c = st.columns(4)
    weights = {
        k: c[i].number_input(
            COMPONENT_NAMES[k],
            min_value=0.0,
            value=float(raw["weights"][k]),
            step=0.05,
            format="%.2f",
            key=f"scheme_weight_{k}",
        )
        for i, k in enumerate(COMPONENTS)
    }
    st.markdown("**七大员满分**（> 0）")
    c = st.columns(4)
    role_max = {
        k: c[i % 4].number_input(
            name,
            min_value=0.0,
            value=float(raw["role_max"][k]),
            step=1.0,
            format="%g",
            key=f"scheme_role_{k}",
        )
        for i, (k, name) in enumerate(DUTIES.items())
    }
    st.markdown("**村两委打分与群众评议**")
    c = st.columns(4)
    trim_raters = c[0].number_input(
        "两委去高低分最少人数",
        min_value=0,
        value=int(raw["committee"]["trim_min_raters"]),
        step=1,
        key="scheme_trim_raters",
    )
    min_ballots = c[1].number_input(
        "最少有效票数",
        min_value=0,
        value=int(raw["mass"]["min_ballots"]),
        step=1,
        key="scheme_min_ballots",
    )
    trim_ballots = c[2].number_input(
        "评议去高低票最少票数",
        min_value=0,
        value=int(raw["mass"]["trim_min_ballots"]),
        step=1,
        key="scheme_trim_ballots",
    )
    veto_share = c[3].text_input(
        "不称职票否决比例",
        value=str(raw["mass"]["veto_share"]),
        key="scheme_veto_share",
        help="分数（如 1/3）或小数；不称职票占有效票的比例超过它时定为不称职",
    )
    c = st.columns(4)
    points = {
        g: c[i].number_input(
            f"{g}票分值",
            min_value=0.0,
            value=float(raw["mass"]["points"][g]),
            step=1.0,
            format="%g",
            key=f"scheme_points_{g}",
        )
        for i, g in enumerate(GRADES)
    }
    st.markdown("**综治E通、加分、等次与表彰**")
    c = st.columns(4)
    target = c[0].number_input(
        "每月上报目标（条）",
        min_value=0.0,
        value=float(raw["platform"]["monthly_target"]),
        step=1.0,
        format="%g",
        key="scheme_target",
    )
    bonus_cap = c[1].number_input(
        "加分上限",
        min_value=0.0,
        value=float(raw["bonus_cap"]),
        step=1.0,
        format="%g",
        key="scheme_bonus_cap",
    )
    ratio = c[2].number_input(
        "表彰比例",
        min_value=0.0,
        max_value=1.0,
        value=float(raw["award"]["ratio"]),
        step=0.01,
        format="%.2f",
        key="scheme_ratio",
    )
    scope_names = {"village": "按村", "township": "按乡镇", "county": "按县"}
    scope = c[3].selectbox(
        "表彰评选范围",
        AWARD_SCOPES,
        index=AWARD_SCOPES.index(raw["award"]["scope"]),
        format_func=scope_names.get,
        key="scheme_scope",
    )
    c = st.columns(3)
    bands = {
        g: c[i].number_input(
            f"{g}分数线",
            value=float(raw["grade_bands"][g]),
            step=1.0,
            format="%g",
            key=f"scheme_band_{g}",
        )
        for i, g in enumerate(GRADES[:3])
    }
    st.markdown("**联户长报酬**")
    c = st.columns(5)
    pay_base = c[0].number_input(
        "基数（元/年）",
        min_value=0.0,
        value=float(raw["pay"]["base"]),
        step=10.0,
        format="%g",
        key="scheme_pay_base",
    )
    coefficients = {
        g: c[i + 1].number_input(
            f"{g}系数",
            min_value=0.0,
            value=float(raw["pay"]["coefficients"][g]),
            step=0.1,
            format="%g",
            key=f"scheme_coef_{g}",
        )
        for i, g in enumerate(GRADES)
    }
    submitted = st.form_submit_button("保存方案", type="primary", disabled=not is_open)

if submitted:
    try:
        edited = Scheme.from_dict(
            {
                "weights": weights,
                "role_max": role_max,
                "committee": {"trim_min_raters": int(trim_raters)},
                "mass": {
                    "points": points,
                    "min_ballots": int(min_ballots),
                    "trim_min_ballots": int(trim_ballots),
                    "veto_share": veto_share.strip(),
                },
                "platform": {"monthly_target": target},
                "bonus_cap": bonus_cap,
                "grade_bands": bands,
                "award": {"ratio": ratio, "scope": scope},
                "pay": {"base": pay_base, "coefficients": coefficients},
            }
        )
    except SchemeError as exc:
        st.error(f"未保存：{exc}")
    else:
        _save(edited)

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
