"""完成情况: which leaders still lack a self-report, committee sheets per quarter, or ballots."""

import streamlit as st

from dashboard.reports.labels import year_title
from dashboard.services.completion import (
    QUARTER_COLUMNS,
    committee_draft_overview,
    leader_completion,
    village_completion,
)
from dashboard.ui import state
from dashboard.ui.resources import get_engine, scoped_read
from dashboard.ui.tables import page_slice

COUNTED = ("个人述职", *QUARTER_COLUMNS, "票数达标", "齐全")
# A county has hundreds of villages: their cards come a page at a time (the table below lists all).
CARDS_PER_PAGE = 20

engine = get_engine()
state.require_user()
year = state.require_year()

st.title(year_title("完成情况", year))
leaders = scoped_read(engine, leader_completion, year=year)
if leaders.empty:
    st.info("您的范围内没有需要考评的在任人员。")
    st.stop()
villages = village_completion(leaders)

done, total = int(leaders["齐全"].sum()), len(leaders)
st.metric("资料齐全的人员", f"{done} / {total}")
st.progress(done / total, text=f"全部：{done / total:.0%}")

st.subheader("各村进度")
cards = villages.iloc[page_slice(len(villages), per_page=CARDS_PER_PAGE, key="completion_card_page",
                                 label="各村进度分页", noun="村")]
for row in cards.to_dict("records"):
    n = row["人数"]
    with st.container(border=True, key=f"completion_village_{row['乡镇']}_{row['村']}"):
        st.progress(row["齐全"] / n, text=f"{row['乡镇']}/{row['村']}：{row['齐全']} / {n} 人资料齐全")
        st.caption(" · ".join(f"{col} {row[col]}/{n}" for col in COUNTED[:-1]))

shares = villages.copy()
for col in COUNTED:
    shares[col] = shares[col] / shares["人数"]
# "auto": green from half way, red below it; never the theme red for a finished village.
percent = st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1, color="auto")
st.dataframe(
    shares, hide_index=True, width="stretch",
    column_config={col: percent for col in COUNTED}, key="completion_villages",
)

drafts = state.read(engine, committee_draft_overview, year=year)
if not drafts.empty:
    st.subheader("未完成的两委打分草稿")
    st.caption("草稿不计入任何结果；评分人在「两委打分」页填完并点「保存打分」后才计入。")
    st.dataframe(drafts, hide_index=True, width="stretch", key="completion_drafts")

st.subheader("人员明细")
only_missing = st.toggle("只看有缺项的人员", value=True, key="completion_only_missing")
shown = leaders[~leaders["齐全"]] if only_missing else leaders
if shown.empty:
    st.success("范围内所有人员的资料都已齐全。")
    st.stop()
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "个人述职": st.column_config.CheckboxColumn(),
        "票数达标": st.column_config.CheckboxColumn(),
        "齐全": st.column_config.CheckboxColumn(),
        **{q: st.column_config.NumberColumn(help="该季度打分的两委成员人数") for q in QUARTER_COLUMNS},
    },
    key="completion_leaders",
)
