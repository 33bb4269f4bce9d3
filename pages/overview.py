"""总览: grade distribution, score histogram with the grade bands, village × duty heatmap,
village comparison and the trend against earlier years, for a township or the county."""

import pandas as pd
import streamlit as st

from dashboard.data.db import read_session
from dashboard.domain import GRADES
from dashboard.reports import charts
from dashboard.reports.labels import scopes_in
from dashboard.reports.overview import (
    grade_band_rules,
    grade_distribution,
    score_histogram,
    trend,
    village_comparison,
    village_duty_heatmap,
)
from dashboard.services.results import prior_grades, scope_results
from dashboard.ui.charts import draw_chart
from dashboard.ui.resources import get_engine, year_revisions
from dashboard.ui.results import derived, other_years_results, year_results

engine = get_engine()
data = year_results(engine)
results = data.results

st.title(f"总览 · {data.year} 年度")
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
    return {
        "by": by,
        "grades": results["grade"].value_counts(),
        "distribution": grade_distribution(results),
        "histogram": score_histogram(results),
        "bands": grade_band_rules(data.scheme),
        "heat": village_duty_heatmap(results, by=by),
        "comparison": village_comparison(results, by=by),
        "trend": trend(frames),
    }


# Computed once per (year, data revision of every year, scope, township) for every session.
views = derived(engine, data, "overview", _views, results,
                extra=f"{town}|{sorted(year_revisions(engine).items())}")
by, year_trend = views["by"], views["trend"]
place_title = "乡镇" if by == "township" else "村"

grades = views["grades"]
m = st.columns(4)
m[0].metric("考评人数", len(results))
m[1].metric("优秀", int(grades.get("优秀", 0)))
m[2].metric("表彰", int(results["award"].sum()))
m[3].metric("建议调整", int(results["adjustment"].sum()))

draw_chart(charts.grade_distribution_chart, views["distribution"], use_container_width=True)
draw_chart(charts.score_histogram_chart, views["histogram"], views["bands"], use_container_width=True)

if views["heat"].empty:
    st.caption("没有村两委打分，无七大员热力图。")
else:
    draw_chart(charts.duty_heatmap_chart, views["heat"], chart_kwargs={"place_title": place_title},
               use_container_width=True)

draw_chart(charts.village_comparison_chart, views["comparison"], chart_kwargs={"place_title": place_title},
           use_container_width=True)

if year_trend["year"].nunique() < 2:
    st.caption("没有往年数据，暂无历年趋势。")
else:
    draw_chart(charts.trend_grade_chart, year_trend, use_container_width=False)
    draw_chart(charts.trend_mean_chart, year_trend, use_container_width=True)
    st.dataframe(
        pd.pivot_table(
            year_trend, index=["role", "year"], columns="grade", values="count", aggfunc="sum"
        )
        .reindex(columns=list(GRADES))
        .rename_axis(index=["职务", "年度"], columns=None),
        width="stretch",
    )
