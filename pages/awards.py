"""表彰: award candidates in order with quota, eligibility and reasons; ties at the cut-off;
the 建议调整 list; 联户长 pay; downloads of the award workbook and the results."""

import pandas as pd
import streamlit as st

from dashboard.domain import LEADER_ROLES
from dashboard.headers import HEADERS
from dashboard.reports.awards import (
    adjustment_list,
    award_candidates,
    award_summary,
    pay_by_village,
    pay_table,
)
from dashboard.reports.labels import year_title
from dashboard.services.results import AWARD_ROLES, award_scope_label, scope_results
from dashboard.ui import state
from dashboard.ui.resources import get_engine
from dashboard.ui.results import award_workbook_bytes, derived, results_file_bytes, year_results
from dashboard.ui.tables import paged_dataframe

CANDIDATE_KEYS = (
    "scope", "position", "code", "name", "village", "final", "committee", "mass", "self", "deduction",
    "grade", "eligible", "award", "tie",
)
SCORE_HEADERS = [HEADERS[k] for k in ("final", "committee", "mass", "self", "deduction")]

state.require_page_role(AWARD_ROLES, what="查看表彰名单")
engine = get_engine()
data = year_results(engine)
results = data.results
scheme = data.scheme

st.title(year_title("表彰", data.year))
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
    lambda: scope_results(award_candidates(data.assessment.results, scheme), data.scope),
)
summary = derived(engine, data, "award_summary", award_summary, candidates)
st.subheader("名额")
st.dataframe(
    summary.rename(
        columns={
            **{k: HEADERS[k] for k in ("scope", "role", "quota", "eligible")},
            "headcount": "在任人数",
            "awarded": HEADERS["award"],
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


# Scores to two decimals, a missing one as —; the award and tie columns (and 说明) mark the rows.
SCORE_CONFIG = {c: st.column_config.NumberColumn(c, format="%.2f") for c in SCORE_HEADERS}

for role in LEADER_ROLES:
    part = shown.loc[shown["role"] == role]
    st.markdown(f"**{role}**")
    if part.empty:
        st.caption("无")
        continue
    table = pd.DataFrame({HEADERS[k]: part[k] for k in CANDIDATE_KEYS})
    table["说明"] = part["reason"]
    if table[HEADERS["scope"]].nunique() == 1:
        table = table.drop(columns=[HEADERS["scope"]])
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config=SCORE_CONFIG,
        placeholder="—",
        key=f"awards_candidates_{role}",
    )

st.subheader("建议调整名单")
adjust = derived(engine, data, "adjustment_list", adjustment_list, results)
if adjust.empty:
    st.caption("无")
else:
    st.dataframe(
        adjust.rename(columns=HEADERS),
        hide_index=True,
        width="stretch",
    )

st.subheader("联户长报酬")
pay = derived(engine, data, "pay_table", pay_table, results, scheme)
if pay.empty:
    st.caption("无联户长")
else:
    st.metric(
        "报酬合计（元）", f"{pay['pay'].sum():,.2f}", help=f"基数 {scheme.pay_base:g} 元 × 等次系数"
    )
    st.dataframe(
        derived(engine, data, "pay_by_village", pay_by_village, pay).rename(
            columns={**HEADERS, "leaders": "人数", "total": "合计（元）"}
        ),
        hide_index=True,
        width="stretch",
    )
    # Drawn only while open: the closed box's table still cost the browser ~80 ms on every visit.
    detail = st.expander("逐人明细", on_change="rerun", key="awards_pay_detail_open")
    if detail.open:
        with detail:
            st.caption("全部人员的明细也在「下载表彰名单工作簿」的「联户长报酬发放表」中。")
            paged_dataframe(pay.rename(columns=HEADERS), key="awards_pay_detail", hide_index=True, width="stretch")
