"""总览: grade distribution, score histogram with the grade bands, village × duty heatmap,
village comparison and the trend against earlier years, for a township or the county.

The figures and the first two charts show at once; the heat map, the comparison and the trend
sit in tabs that draw only the open one (each chart costs the browser ~20-30 ms per visit)."""

import pandas as pd
import streamlit as st

from dashboard.data.db import read_session
from dashboard.domain import GRADES
from dashboard.reports import charts
from dashboard.reports.labels import scopes_in, year_title
from dashboard.reports.overview import (
    grade_band_rules,
    grade_distribution,
    score_histogram,
    trend,
    village_comparison,
    village_duty_heatmap,
)
from dashboard.services.results import prior_grades, scope_results
from dashboard.ui.charts import chart_spec, draw_spec
from dashboard.ui.resources import get_engine, year_revisions
from dashboard.ui.results import derived, other_years_results, year_results

engine = get_engine()
data = year_results(engine)
results = data.results

st.title(year_title("总览", data.year))
if results.empty:
    st.info("您的范围内没有考评结果。")
    st.stop()

townships = scopes_in(results)
town = "全县"
if len(townships) > 1:
    town = st.selectbox("范围", ["全县", *townships], key="overview_township")
    if town != "全县":
        results = results.loc[results["township"] == town]
else:
    st.caption(f"范围：{townships[0]}")


def _views(results: pd.DataFrame) -> dict:
    """Every frame the page draws; the trend reads earlier years and imported 往年等次."""
    # A county view compares townships; a township view compares its villages.
    by = "township" if results["township"].nunique() > 1 else "village"
    # Trend: earlier years computed by the system, else the imported 往年等次 (grades only).
    frames = other_years_results(engine, year=data.year, scope=data.scope)
    with read_session(engine) as session:
        imported = scope_results(prior_grades(session=session), data.scope)
    for year, part in imported.groupby("year"):
        if int(year) < data.year and int(year) not in frames:
            frames[int(year)] = part
    frames[data.year] = results
    if town != "全县":
        frames = {y: f.loc[f["township"] == town] for y, f in frames.items()}
    place_title = "乡镇" if by == "township" else "村"
    distribution = grade_distribution(results)
    histogram, bands = score_histogram(results), grade_band_rules(data.scheme)
    heat = village_duty_heatmap(results, by=by)
    comparison = village_comparison(results, by=by)
    year_trend = trend(frames)
    # The specs are built here, once per key, so a visit neither hashes the frames nor encodes them.
    with_trend = year_trend["year"].nunique() >= 2
    return {
        "place_title": place_title,
        "grades": results["grade"].value_counts(),
        "distribution": chart_spec(charts.grade_distribution_chart, distribution),
        "histogram": chart_spec(charts.score_histogram_chart, histogram, bands),
        "heat": None if heat.empty else chart_spec(charts.duty_heatmap_chart, heat, place_title=place_title),
        "comparison": chart_spec(charts.village_comparison_chart, comparison, place_title=place_title),
        "trend_grade": chart_spec(charts.trend_grade_chart, year_trend) if with_trend else None,
        "trend_mean": chart_spec(charts.trend_mean_chart, year_trend) if with_trend else None,
        "trend_table": (
            pd.pivot_table(year_trend, index=["role", "year"], columns="grade", values="count", aggfunc="sum")
            .reindex(columns=list(GRADES))
            .rename_axis(index=["职务", "年度"], columns=None)
            if with_trend else None
        ),
    }


# Computed once per (year, data revision of every year, scope, township) for every session.
views = derived(engine, data, "overview", _views, results,
                extra=f"{town}|{sorted(year_revisions(engine).items())}")
place_title = views["place_title"]

grades = views["grades"]
m = st.columns(4)
m[0].metric("考评人数", len(results))
m[1].metric("优秀", int(grades.get("优秀", 0)))
m[2].metric("表彰", int(results["award"].sum()))
m[3].metric("建议调整", int(results["adjustment"].sum()))

draw_spec(views["distribution"], width="stretch")
draw_spec(views["histogram"], width="stretch")

heat_tab, comparison_tab, trend_tab = st.tabs(
    ["七大员热力图", f"各{place_title}对比", "历年趋势"], on_change="rerun", key="overview_tab"
)
if heat_tab.open:
    with heat_tab:
        if views["heat"] is None:
            st.caption("没有村两委打分，无七大员热力图。")
        else:
            draw_spec(views["heat"], width="stretch")
if comparison_tab.open:
    with comparison_tab:
        draw_spec(views["comparison"], width="stretch")
if trend_tab.open:
    with trend_tab:
        if views["trend_table"] is None:
            st.caption("没有往年数据，暂无历年趋势。")
        else:
            draw_spec(views["trend_grade"], width="content")
            draw_spec(views["trend_mean"], width="stretch")
            st.dataframe(views["trend_table"], width="stretch")
