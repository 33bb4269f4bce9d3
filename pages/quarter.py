"""季度考评: one quarter's ranking per role with filters, the 未考评 list, the village comparison,
and the 季度考评通报 download for officials and admins."""

import streamlit as st

from dashboard.domain import GRADES, LEADER_ROLES
from dashboard.reports import charts
from dashboard.reports.labels import LEVEL_NAMES, scopes_in, villages_in, year_title
from dashboard.reports.quarter import (
    QUARTER_HEADERS,
    QUARTER_RANK_COLUMNS,
    QuarterFilter,
    default_quarter,
    not_assessed,
    quarter_ranking,
    quarters_with_data,
    village_quarter_means,
)
from dashboard.scoring.quarter import QUARTER_NAMES, QUARTERS, quarter_label
from dashboard.services.results import QUARTER_NOTICE_ROLES
from dashboard.ui import state
from dashboard.ui.charts import draw_chart
from dashboard.ui.quarter import notice_bytes, notice_scope, quarter_data
from dashboard.ui.resources import get_engine
from dashboard.ui.tables import PAGE_ROWS, paged_dataframe

FILTER_STATE = "quarter_filters"


def _index(options: list, value) -> int:
    return options.index(value) if value in options else 0


engine = get_engine()
user = state.require_user()
data = quarter_data(engine)
trend = data.trend

st.title(year_title("季度考评", data.year))
if not data.scope.everything:
    st.caption(f"范围：{data.scope.label()}")
if trend.empty:
    st.info("您的范围内没有考评人员。")
    st.stop()

with_data = quarters_with_data(trend)
quarter = st.segmented_control(
    "季度",
    list(QUARTERS),
    default=default_quarter(trend),
    format_func=QUARTER_NAMES.get,
    key="quarter_quarter",
    label_visibility="collapsed",
) or default_quarter(trend)
rows = trend.loc[trend["quarter"] == quarter]
label = quarter_label(data.year, quarter)

if quarter not in with_data:
    st.info(f"{label}还没有村两委打分，暂无季度考评结果。")

scored = rows.loc[rows["assessed"].astype(bool)]
m = st.columns(3)
m[0].metric("参加考评", len(scored))
m[1].metric("优秀", int((scored["grade"] == "优秀").sum()))
m[2].metric("未考评", len(rows) - len(scored))
method = "季度得分 = 两委打分" + ("与综治E通平台上报按年度权重折算" if data.platform_in_use else "折算（本年度未使用综治E通平台）")
st.caption(f"{label}：{method}，等次按年度方案的分数线评定。")

if user.role in QUARTER_NOTICE_ROLES and quarter in with_data:
    scope = notice_scope(engine)
    st.download_button(
        "下载季度考评通报",
        lambda: notice_bytes(engine, data, quarter, scope),
        file_name=f"季度考评通报_{data.year}_第{quarter}季度.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        on_click="ignore",
        key="quarter_download_notice",
    )

by = "township" if rows["township"].nunique() > 1 else "village"
place = "乡镇" if by == "township" else "村"
townships = scopes_in(rows)
# Only the open tab is drawn (a county's ranking, its 未考评 list and a chart of every village
# together are slow to send and draw on each visit); switching tabs reruns the page.
rank_tab, missing_tab, chart_tab = st.tabs(
    ["排名", "未考评人员", f"各{place}平均得分"], on_change="rerun", key="quarter_tab"
)
if rank_tab.open:
    with rank_tab:
        role = (
            st.segmented_control("职务", LEADER_ROLES, default=LEADER_ROLES[0], key="quarter_role") or LEADER_ROLES[0]
        )
        # The filter box is drawn only while open (its six fields were a good part of every visit);
        # the chosen filters live in session state, so they stay in force with the box closed.
        saved = st.session_state.get(FILTER_STATE, {})
        levels = list(QUARTER_RANK_COLUMNS)
        filter_box = st.expander("筛选", icon=":material/filter_list:", on_change="rerun", key="quarter_filter_open")
        if filter_box.open:
            with filter_box:
                f = st.columns(2)
                level = f[0].selectbox(
                    "排名范围", levels, index=_index(levels, saved.get("level", "township")),
                    format_func=LEVEL_NAMES.get, key="quarter_level",
                )
                township = None
                if len(townships) > 1:
                    options = ["全部", *townships]
                    township = f[1].selectbox(
                        "乡镇", options, index=_index(options, saved.get("township")), key="quarter_township"
                    )
                    township = None if township == "全部" else township
                options = ["全部", *villages_in(rows, township)]
                village = f[0].selectbox("村", options, index=_index(options, saved.get("village")), key="quarter_village")
                village = None if village == "全部" else village
                options = ["全部", *GRADES]
                grade = f[1].selectbox("等次", options, index=_index(options, saved.get("grade")), key="quarter_grade")
                grade = None if grade == "全部" else grade
                name = st.text_input("按姓名或编号查找", value=saved.get("name", ""), key="quarter_name",
                                     placeholder="输入姓名或编号的一部分")
                show_parts = st.toggle("显示分项得分（两委打分、平台上报）", value=saved.get("show_parts", False),
                                       key="quarter_parts")
            saved = {"level": level, "township": township, "village": village, "grade": grade, "name": name,
                     "show_parts": show_parts}
            st.session_state[FILTER_STATE] = saved
        level = saved.get("level", "township")
        township = saved.get("township") if len(townships) > 1 else None
        village = saved.get("village") if saved.get("village") in villages_in(rows, township) else None
        grade, name, show_parts = saved.get("grade"), saved.get("name", ""), saved.get("show_parts", False)

        flt = QuarterFilter(role=role, level=level, township=township, village=village, grade=grade, name=name)
        table = quarter_ranking(rows, flt)
        parts = ["committee", *(["platform"] if data.platform_in_use else [])] if show_parts else []
        columns = ["rank", "name", "village", *parts, "score", "grade"]
        if len(townships) > 1:
            columns.insert(2, "township")
        score = st.column_config.NumberColumn(format="%.2f", width=72)
        config = {
            "rank": st.column_config.NumberColumn(QUARTER_HEADERS["rank"], width=48),
            "name": st.column_config.TextColumn(QUARTER_HEADERS["name"], width=64),
            "township": st.column_config.TextColumn(QUARTER_HEADERS["township"]),
            "village": st.column_config.TextColumn(QUARTER_HEADERS["village"]),
            "committee": score | {"label": QUARTER_HEADERS["committee"]},
            "platform": score | {"label": QUARTER_HEADERS["platform"]},
            "score": st.column_config.ProgressColumn(
                QUARTER_HEADERS["score"], format="%.2f", min_value=0, max_value=100, width=90
            ),
            "grade": st.column_config.TextColumn(QUARTER_HEADERS["grade"], width=64),
        }
        chosen = [t for t in (township, village, grade) if t] + ([f"查找「{name}」"] if name else [])
        st.caption(f"{label} · {LEVEL_NAMES[level]}排名 · {role}" + "".join(f" · {t}" for t in chosen)
                   + f" · 共 {len(table)} 人")
        if table.empty:
            st.caption("没有符合条件的人员。")
        else:
            # A county's ranking a page of rows at a time (a new quarter or filter starts at page 1).
            paged_dataframe(
                table[columns],
                key="quarter_table",
                filter_key=(quarter, flt, show_parts),
                page_rows=PAGE_ROWS,
                hide_index=True,
                width="stretch",
                height=min(35 * (min(len(table), PAGE_ROWS) + 1) + 3, 35 * 21 + 3),
                column_config=config,
            )

if missing_tab.open:
    with missing_tab:
        missing = not_assessed(rows)
        if missing.empty:
            st.caption(f"{label}所有人员均有村两委打分，没有未考评人员。")
        else:
            keep = ["name", "code", "role", *(["township"] if len(townships) > 1 else []), "village", "reason"]
            st.dataframe(
                missing[keep].rename(columns=QUARTER_HEADERS),
                hide_index=True,
                width="stretch",
                key="quarter_missing",
            )

if chart_tab.open:
    with chart_tab:
        means = village_quarter_means(rows, by=by)
        if means.empty:
            st.caption(f"{label}还没有考评得分，暂无各{place}平均得分。")
        else:
            draw_chart(
                charts.quarter_village_chart, means,
                chart_kwargs={"title": f"各{place}{QUARTER_NAMES[quarter]}平均得分", "place_title": place}, width="stretch",
            )
