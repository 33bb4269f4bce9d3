"""排名: 网格长 and 联户长 ranked at village, township or county level, filtered and paged."""

import streamlit as st

from dashboard.domain import GRADES, LEADER_ROLES
from dashboard.reports.labels import LEVEL_NAMES, RANK_COLUMNS, scopes_in, villages_in, year_title
from dashboard.reports.rankings import (
    RANKING_HEADERS,
    RankingFilter,
    filter_results,
    paginate,
    ranking_table,
)
from dashboard.ui.resources import get_engine
from dashboard.ui.results import open_detail, year_results

engine = get_engine()
data = year_results(engine)
results = data.results

st.title(year_title("排名", data.year))
if not data.scope.everything:
    st.caption(f"范围：{data.scope.label()}")

role = (
    st.segmented_control(
        "职务",
        LEADER_ROLES,
        default=LEADER_ROLES[0],
        key="rankings_role",
        label_visibility="collapsed",
    )
    or LEADER_ROLES[0]
)

with st.expander("筛选", icon=":material/filter_list:"):
    level = st.selectbox(
        "排名范围",
        list(RANK_COLUMNS),
        index=1,
        format_func=LEVEL_NAMES.get,
        key="rankings_level",
    )
    townships = scopes_in(results)
    township = None
    if len(townships) > 1:
        township = st.selectbox("乡镇", ["全部", *townships], key="rankings_township")
        township = None if township == "全部" else township
    village = st.selectbox(
        "村", ["全部", *villages_in(results, township)], key="rankings_village"
    )
    village = None if village == "全部" else village
    grade = st.selectbox("等次", ["全部", *GRADES], key="rankings_grade")
    grade = None if grade == "全部" else grade
    complete = st.selectbox("完整性", ["全部", "完整", "不完整"], key="rankings_complete")
    complete = {"全部": None, "完整": True, "不完整": False}[complete]
    show_parts = st.toggle("显示分项得分", value=False, key="rankings_parts")
    page_size = st.selectbox("每页行数", [25, 50, 100], index=1, key="rankings_page_size")

flt = RankingFilter(
    role=role, level=level, township=township, village=village, grade=grade, complete=complete
)
rows = filter_results(results, flt)
# A new filter starts again at page 1; a page number past the end is clamped.
filter_key = repr((flt, page_size))
if st.session_state.get("rankings_filter_key") != filter_key:
    st.session_state["rankings_filter_key"] = filter_key
    st.session_state["rankings_page"] = 1
page = paginate(rows, page_size=page_size, page=st.session_state.get("rankings_page", 1))
if page.pages > 1:
    st.session_state["rankings_page"] = page.number
table = ranking_table(page.rows, level=level)

score = st.column_config.ProgressColumn(format="%.2f", min_value=0, max_value=100, width="small")
# 名次, 姓名, 总分 and 等次 first: on a 390 px phone they fit without scrolling sideways.
columns = ["rank", "name", "final", "grade", "village", "flag_text"]
if show_parts:
    columns = [
        "rank",
        "code",
        "name",
        "village",
        "grid",
        "group",
        "final",
        "grade",
        "self",
        "mass",
        "committee",
        "platform",
        "satisfaction",
        "bonus",
        "deduction",
        "complete_label",
        "award_label",
        "flag_text",
    ]
columns = [c for c in columns if c in table.columns]
config = {key: st.column_config.Column(label) for key, label in RANKING_HEADERS.items()}
config.update(
    {
        "rank": st.column_config.NumberColumn(RANKING_HEADERS["rank"], width=48),
        "name": st.column_config.TextColumn(RANKING_HEADERS["name"], width=72),
        "final": st.column_config.ProgressColumn(
            RANKING_HEADERS["final"], format="%.2f", min_value=0, max_value=100, width=84
        ),
        # wide enough for 基本称职 (four characters)
        "grade": st.column_config.TextColumn(RANKING_HEADERS["grade"], width=76),
        "satisfaction": st.column_config.NumberColumn(RANKING_HEADERS["satisfaction"], format="percent"),
        **{
            k: score | {"label": RANKING_HEADERS[k]}
            for k in ("self", "mass", "committee", "platform")
        },
    }
)

st.caption(
    f"{LEVEL_NAMES[level]}排名 · {role} · 第 {page.first}–{page.last} 条，共 {page.total} 条 · 点选一行查看述职档案"
)
event = st.dataframe(
    table[columns],
    hide_index=True,
    width="stretch",
    height=35 * (len(table) + 1) + 3,  # every row of the page, no scroll box inside the page
    column_config=config,
    on_select="rerun",
    selection_mode="single-row",
    key="rankings_table",
)
if event.selection.rows:
    open_detail(str(table.iloc[event.selection.rows[0]]["code"]))

if page.pages > 1:
    st.number_input(
        f"页码（共 {page.pages} 页）",
        min_value=1,
        max_value=page.pages,
        step=1,
        key="rankings_page",
    )
