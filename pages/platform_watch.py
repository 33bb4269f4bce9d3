"""月度上报: 综治E通 reports per village and month against monthly_target × leaders serving,
and the leaders without a report in a month, for the township to follow up during the year."""

import datetime as dt

import streamlit as st

from dashboard.data.export.tables import table_csv_bytes
from dashboard.reports import charts
from dashboard.reports.labels import year_title
from dashboard.reports.platform import (
    monthly_heatmap,
    months_reached,
    zero_report_leaders,
    zero_report_table,
)
from dashboard.ui.charts import draw_chart
from dashboard.ui.quarter import quarter_data
from dashboard.ui.resources import get_engine
from dashboard.ui.results import derived
from dashboard.ui.tables import page_slice, paged_dataframe

HEAT_VILLAGES = 20

engine = get_engine()
data = quarter_data(engine)

st.title(year_title("月度上报", data.year))
if not data.scope.everything:
    st.caption(f"范围：{data.scope.label()}")
if not data.platform_in_use:
    st.info(f"{data.year} 年度没有综治E通平台上报记录：本年度未使用平台上报，无月度上报情况。")
    st.stop()
if data.leaders.empty:
    st.info("您的范围内没有人员。")
    st.stop()

target = data.scheme.platform_monthly_target
through = months_reached(data.year, dt.date.today())
st.caption(
    f"综治E通平台：每人每月应报 {target:g} 条；完成率 = 本村当月上报条数 ÷（{target:g} × 当月在任人数）。"
    + ("" if through == 12 else f"尚未到的月份（{through + 1} 月起）留空。")
)

several = data.leaders["township"].nunique() > 1


def _watch(leaders, platform_months):
    heat = monthly_heatmap(leaders, platform_months, year=data.year, monthly_target=target, through=through)
    zero = zero_report_leaders(leaders, platform_months, year=data.year, through=through)
    table = zero_report_table(zero, several_townships=several) if not zero.empty else None
    return heat, zero, table, None if table is None else table_csv_bytes(table)


# The same for every session of this scope until the data changes (or a month begins).
heat, zero, table, csv_bytes = derived(
    engine, data, "platform_watch", _watch, data.leaders, data.platform_months, extra=f"{through}|{target}"
)
# Twenty villages a page: a county's 200 × 12 cells in one chart take the browser long to draw.
places = list(dict.fromkeys(heat["place"]))
chosen = places[page_slice(len(places), per_page=HEAT_VILLAGES, key="platform_watch_heat_page",
                           label="完成率热力图分页", noun="村")]
heat_page = heat if len(chosen) == len(places) else heat.loc[heat["place"].isin(chosen)].reset_index(drop=True)
draw_chart(charts.platform_heatmap_chart, heat_page, chart_kwargs={"place_title": "村"}, width="stretch")

st.subheader("当月零上报人员")
if zero.empty:
    st.caption("每位在任人员每月都有上报。")
else:
    st.caption(f"共 {len(table)} 人次（{zero['code'].nunique()} 人），请督促补报。")
    st.download_button(
        "下载零上报名单 CSV",
        csv_bytes,
        file_name=f"综治E通零上报名单_{data.year}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="platform_watch_download",
    )
    months = ["全部月份", *dict.fromkeys(zero["month_label"])]
    month = st.selectbox("月份", months, key="platform_watch_zero_month")
    shown = table if month == "全部月份" else table.loc[zero["month_label"] == month]
    if month != "全部月份":
        st.caption(f"{month}：{len(shown)} 人。下载的名单含全年各月。")
    paged_dataframe(shown, key="platform_watch_zero", filter_key=month, hide_index=True, width="stretch")
