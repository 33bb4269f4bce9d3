"""表彰: award candidates in order with quota, eligibility and reasons; ties at the cut-off;
the 建议调整 list; 联户长 pay; downloads of the award workbook and the results."""

import pandas as pd
import streamlit as st

from dashboard.domain import LEADER_ROLES
from dashboard.reports import views
from dashboard.services.results import AWARD_ROLES, award_scope_label, scope_results
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from dashboard.ui.results import award_workbook_bytes, derived, results_file_bytes, year_results

state.require_page_role(AWARD_ROLES, what="查看表彰名单")
engine = get_engine()
data = year_results(engine)
results = data.results
scheme = data.scheme

st.title(f"表彰 · {data.year} 年度")
st.caption(
    f"评选范围：{award_scope_label(scheme)}分别评选网格长、联户长；名额 = 在任人数 × {scheme.award_ratio:g}（向下取整）；"
    "条件：等次优秀、考评资料完整、无一票否决和群众评议否决。"
)
if results.empty:
    st.info("您的范围内没有考评结果。")
    st.stop()

d = st.columns(3)
d[0].download_button(
    "下载表彰名单工作簿",
    lambda: award_workbook_bytes(engine, data),
    file_name=f"表彰名单_{data.year}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
    key="awards_download_workbook",
)
d[1].download_button(
    "下载考评结果 CSV",
    lambda: results_file_bytes(engine, data, ".csv"),
    file_name=f"考评结果_{data.year}.csv",
    mime="text/csv",
    icon=":material/download:",
    on_click="ignore",
    key="awards_download_csv",
)
d[2].download_button(
    "下载考评结果 XLSX",
    lambda: results_file_bytes(engine, data, ".xlsx"),
    file_name=f"考评结果_{data.year}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
    key="awards_download_xlsx",
)

# Order and quotas come from the whole year (a quota counts everyone in the award scope).
candidates = derived(
    engine,
    data,
    "award_candidates",
    lambda: scope_results(views.award_candidates(data.assessment.results, scheme), data.scope),
)
summary = views.award_summary(candidates)
st.subheader("名额")
st.dataframe(
    summary.rename(
        columns={
            "scope": "评选范围",
            "role": "职务",
            "headcount": "在任人数",
            "quota": "名额",
            "eligible": "符合条件",
            "awarded": "表彰",
            "ties": "末位并列",
        }
    ),
    hide_index=True,
    width="stretch",
)
ties = candidates.loc[candidates["tie"]]
if not ties.empty:
    st.warning(
        "表彰名额末位并列，需研究决定："
        + "、".join(f"{r.name}（{r.code}，{r.village}）" for r in ties.itertuples(index=False)),
        icon=":material/balance:",
    )

st.subheader("候选人（按评选顺序）")
only_running = st.toggle("只看达到优秀分数线或获表彰的人员", value=True, key="awards_only_running")
shown = candidates.loc[candidates["in_running"]] if only_running else candidates


def _highlight(row: pd.Series) -> list[str]:
    if row["并列"]:
        return ["background-color: #ffeb9c"] * len(row)
    if row["表彰"]:
        return ["background-color: #e8f5e9"] * len(row)
    return [""] * len(row)


for role in LEADER_ROLES:
    part = shown.loc[shown["role"] == role]
    st.markdown(f"**{role}**")
    if part.empty:
        st.caption("无")
        continue
    table = pd.DataFrame(
        {
            "范围": part["scope"],
            "位次": part["position"],
            "编号": part["code"],
            "姓名": part["name"],
            "村": part["village"],
            "总分": part["final"],
            "两委打分": part["committee"],
            "群众评议": part["mass"],
            "个人述职": part["self"],
            "减分": part["deduction"],
            "等次": part["grade"],
            "符合条件": part["eligible"],
            "表彰": part["award"],
            "并列": part["tie"],
            "说明": part["reason"],
        }
    )
    if table["范围"].nunique() == 1:
        table = table.drop(columns=["范围"])
    st.dataframe(
        table.style.apply(_highlight, axis=1).format(
            {c: "{:.2f}" for c in ("总分", "两委打分", "群众评议", "个人述职", "减分")}, na_rep="—"
        ),
        hide_index=True,
        width="stretch",
        key=f"awards_candidates_{role}",
    )

st.subheader("建议调整名单")
adjust = derived(engine, data, "adjustment_list", views.adjustment_list, results)
if adjust.empty:
    st.caption("无")
else:
    st.dataframe(
        adjust.rename(
            columns={
                "code": "编号",
                "name": "姓名",
                "role": "职务",
                "township": "乡镇",
                "village": "村",
                "final": "总分",
                "grade": "等次",
                "reason": "原因",
            }
        ),
        hide_index=True,
        width="stretch",
    )

st.subheader("联户长报酬")
pay = views.pay_table(results, scheme)
if pay.empty:
    st.caption("无联户长")
else:
    st.metric(
        "报酬合计（元）", f"{pay['pay'].sum():,.2f}", help=f"基数 {scheme.pay_base:g} 元 × 等次系数"
    )
    st.dataframe(
        views.pay_by_village(pay).rename(
            columns={"township": "乡镇", "village": "村", "leaders": "人数", "total": "合计（元）"}
        ),
        hide_index=True,
        width="stretch",
    )
    with st.expander("逐人明细"):
        st.dataframe(
            pay.rename(
                columns={
                    "code": "编号",
                    "name": "姓名",
                    "township": "乡镇",
                    "village": "村",
                    "group": "联防组",
                    "grade": "等次",
                    "coefficient": "系数",
                    "pay": "报酬（元）",
                }
            ),
            hide_index=True,
            width="stretch",
        )
