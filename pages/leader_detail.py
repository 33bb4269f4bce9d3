"""述职档案: one leader's result, then in tabs how the score is built with the engine's explanation,
the four quarters (季度考评 score and township rank), the duty profile, the ballots and earlier grades."""

import pandas as pd
import streamlit as st

from dashboard.data.db import read_session
from dashboard.data.queries import LeaderNotFoundError, explain_leader
from dashboard.domain import ABSTAIN, GRADES
from dashboard.headers import HEADERS
from dashboard.reports import charts
from dashboard.reports.detail import ballot_breakdown, duty_profile_vs_township, score_waterfall
from dashboard.reports.labels import flag_text, grade_label, leader_row, villages_in, year_title
from dashboard.reports.quarter import leader_quarter_trend, trend_table
from dashboard.services.results import leader_grade_history
from dashboard.ui.charts import chart_spec, draw_spec
from dashboard.ui.quarter import quarter_data
from dashboard.ui.resources import get_engine
from dashboard.ui.results import DETAIL_CODE_KEY, derived, other_years_results, year_results

engine = get_engine()
data = year_results(engine)
results = data.results

st.title(year_title("述职档案", data.year))
if results.empty:
    st.info("您的范围内没有考评结果。")
    st.stop()

# The leader: from the URL (?code=…), else the last one opened, else the first in scope.
code = st.query_params.get("code") or st.session_state.get(DETAIL_CODE_KEY)
villages = villages_in(results)
row = leader_row(results, code) if code else None
if code and row is None:
    st.warning(f"编号 {code} 不在您可查看的范围内（只能查看本乡镇的人员），请在下面重新选择。")
if row is None:
    row = results.iloc[0]

picker = st.columns(2)
village_idx = villages.index(row["village"]) if row["village"] in villages else 0
village = picker[0].selectbox(
    "村", villages, index=village_idx, key=f"detail_village_{row['code']}"
)
in_village = results.loc[results["village"] == village].sort_values(
    ["role", "code"], key=lambda s: s.astype(str)
)
codes = in_village["code"].tolist()
labels = dict(
    zip(
        codes,
        in_village["name"] + "（" + in_village["role"] + " " + in_village["code"] + "）",
        strict=True,
    )
)
chosen = picker[1].selectbox(
    "人员",
    codes,
    index=codes.index(row["code"]) if row["code"] in codes else 0,
    format_func=labels.get,
    key=f"detail_leader_{row['code']}_{village}",
)
if chosen != row["code"]:
    st.session_state[DETAIL_CODE_KEY] = chosen
    st.query_params["code"] = chosen
    st.rerun()
st.session_state[DETAIL_CODE_KEY] = row["code"]
if st.query_params.get("code") != row["code"]:
    st.query_params["code"] = row["code"]

st.subheader(f"{row['name']} · {row['role']}")
place = f"{row['township']} {row['village']} {row['grid']}" + (
    f" {row['group']}" if isinstance(row["group"], str) else ""
)
st.caption(f"编号 {row['code']} · {place}")

m = st.columns(3)
m[0].metric(HEADERS["final"], f"{row['final']:.2f}")
m[1].metric(HEADERS["grade"], grade_label(row["grade"]))
m[2].metric(HEADERS["township_rank"], f"{int(row['township_rank'])}")
notes = []
if bool(row["award"]):
    notes.append(f"获评优秀{row['role']}")
if bool(row["adjustment"]):
    notes.append("列入建议调整名单")
if not bool(row["complete"]):
    notes.append("考评资料不完整")
flags = flag_text(row["flags"])
if flags:
    notes.append(flags)
if notes:
    st.info("；".join(notes))


def _quarter_views(code: str) -> dict:
    quarters = leader_quarter_trend(quarter_data(engine, year=data.year).trend, code)
    return {
        "chart": chart_spec(charts.quarter_trend_chart, quarters) if quarters["score"].notna().any() else None,
        "table": trend_table(quarters),
        "unassessed": bool((quarters["note"] != "").any()),
    }


def _profile_spec(code: str) -> dict | None:
    profile = duty_profile_vs_township(results, code)
    return None if profile.empty else chart_spec(charts.duty_profile_chart, profile)


try:
    # One leader's explanation, kept per (year, revision, leader) for every session.
    explanation = derived(
        engine, data, "explain_leader",
        lambda code: explain_leader(engine, data.year, code, assessment=data.assessment), row["code"],
        extra=row["code"],
    )
except LeaderNotFoundError as exc:
    st.error(str(exc))
    st.stop()

marks = {m_: int(row.get(f"marks_{m_}", 0) or 0) for m_ in (*GRADES, ABSTAIN)}


def _score_specs(code: str) -> tuple[dict, dict]:
    satisfaction = None if pd.isna(row["satisfaction"]) else float(row["satisfaction"])
    return (
        chart_spec(charts.waterfall_chart, score_waterfall(row, explanation.data["weights"])),
        chart_spec(charts.ballot_chart, ballot_breakdown(marks), satisfaction),
    )


# The leader's frames and chart specs are kept per (year, revision, scope, leader) for every
# session: a visit neither rebuilds nor hashes them. Only the open tab is drawn (four charts and
# two tables at once were most of a visit); switching tabs reruns the page.
score_tab, quarter_tab, profile_tab, ballot_tab, history_tab = st.tabs(
    ["得分构成", "季度考评", "履职画像", "群众评议", "往年等次"], on_change="rerun", key="detail_tab"
)
if score_tab.open:
    with score_tab:
        waterfall_spec, _ = derived(engine, data, "detail_score_specs", _score_specs, row["code"], extra=row["code"])
        draw_spec(waterfall_spec, width="stretch")
        st.markdown("**得分说明**")
        main_lines = [line for line in explanation.lines[1:] if not line.startswith("两委打分第")]
        trim_lines = [line for line in explanation.lines[1:] if line.startswith("两委打分第")]
        st.markdown("\n".join(f"- {line}" for line in main_lines))
        if trim_lines:
            with st.expander(f"两委打分去掉最高分、最低分明细（{len(trim_lines)} 项）"):
                st.markdown("\n".join(f"- {line}" for line in trim_lines))

if quarter_tab.open:
    # The four quarters of 一季一考评 beside the year result (the quarterly rule, cached per revision).
    with quarter_tab:
        quarter_views = derived(engine, data, "detail_quarters", _quarter_views, row["code"], extra=row["code"])
        if quarter_views["chart"] is not None:
            draw_spec(quarter_views["chart"], width="stretch", height=260)
        st.dataframe(quarter_views["table"], hide_index=True, width="stretch", key="detail_quarters")
        if quarter_views["unassessed"]:
            st.caption("未考评的季度没有得分和排名，趋势图中留空。")

if profile_tab.open:
    with profile_tab:
        profile_spec = derived(engine, data, "duty_profile_spec", _profile_spec, row["code"], extra=row["code"])
        if profile_spec is None:
            st.caption("没有村两委打分，无七大员履职画像。")
        else:
            draw_spec(profile_spec, width="stretch")

if ballot_tab.open:
    with ballot_tab:
        _, ballot_spec = derived(engine, data, "detail_score_specs", _score_specs, row["code"], extra=row["code"])
        draw_spec(ballot_spec, width="stretch")
        if marks[ABSTAIN]:
            st.caption(f"另有弃权 {marks[ABSTAIN]} 张，不计入有效票。")

if history_tab.open:
    with history_tab:
        computed = {}
        for other_year, frame in other_years_results(engine, year=data.year, scope=data.scope).items():
            hit = leader_row(frame, row["code"])
            if hit is not None:
                computed[other_year] = hit["grade"]
        with read_session(engine) as session:
            history = leader_grade_history(
                session=session, code=row["code"], before=data.year, computed=computed
            )
        if history.empty:
            st.caption("没有往年等次记录。")
        else:
            st.dataframe(
                pd.DataFrame(
                    {"年度": history["year"], "等次": history["grade"], "来源": history["source"]}
                ),
                hide_index=True,
                width="stretch",
            )
