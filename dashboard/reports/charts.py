"""Altair charts for the result pages, each built from an already-aggregated small frame.

Functions return `alt.Chart` (or a layered chart) and never draw: the page passes them to
`st.altair_chart`. Inputs are the frames of the other dashboard.reports modules, so a chart never
carries more rows than it shows (a histogram's bins, not 4,000 leaders). Axis titles of result
values take their words from dashboard.headers.
"""

from __future__ import annotations

import math

import altair as alt
import pandas as pd

from dashboard.domain import GRADES, LEADER_ROLES, MARKS
from dashboard.headers import HEADERS

FINAL = HEADERS["final"]

GRADE_COLORS = {"优秀": "#2e7d32", "称职": "#1f77b4", "基本称职": "#f39c12", "不称职": "#c0392b"}
MARK_COLORS = {**GRADE_COLORS, "弃权": "#9e9e9e"}
ROLE_COLORS = {"网格长": "#5b6bbf", "联户长": "#17a2a2"}
WATERFALL_COLORS = {"成绩": "#1f77b4", "加分": "#2e7d32", "减分": "#c0392b", FINAL: "#37474f"}


def _grade_scale() -> alt.Scale:
    return alt.Scale(domain=list(GRADES), range=[GRADE_COLORS[g] for g in GRADES])


def _role_scale() -> alt.Scale:
    return alt.Scale(domain=list(LEADER_ROLES), range=[ROLE_COLORS[r] for r in LEADER_ROLES])


def _count_axis() -> alt.Axis:
    # Counts (people, votes) are whole numbers: no tick at 0.5.
    return alt.Axis(tickMinStep=1, format="d")


def _fixed_height(chart):
    """Fit the width only: the given height is the plot's own, not shared with legend and titles.

    Streamlit fits a chart into its container in both directions by default, which squeezes a
    fixed-height plot under its legend and axis titles to a few pixels.
    """
    return chart.properties(autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))


def _legend_bottom() -> alt.Legend:
    # A legend under the chart keeps the plot full width on a phone.
    return alt.Legend(orient="bottom", title=None)


def grade_distribution_chart(dist: pd.DataFrame) -> alt.Chart:
    """Stacked bars: leaders per grade, one bar per role (overview.grade_distribution)."""
    return (
        alt.Chart(dist)
        .mark_bar()
        .encode(
            y=alt.Y("role:N", title=None, sort=list(LEADER_ROLES)),
            x=alt.X("count:Q", title="人数", stack="zero", axis=_count_axis()),
            color=alt.Color("grade:N", title="等次", scale=_grade_scale(), legend=_legend_bottom()),
            order=alt.Order("grade_order:Q"),
            tooltip=[
                alt.Tooltip("role:N", title="职务"),
                alt.Tooltip("grade:N", title="等次"),
                alt.Tooltip("count:Q", title="人数"),
                alt.Tooltip("share:Q", title="占比", format=".1%"),
            ],
        )
        .properties(title="等次分布", height=alt.Step(32))
    )


def score_histogram_chart(hist: pd.DataFrame, bands: pd.DataFrame) -> alt.LayerChart:
    """Histogram of final scores (overview.score_histogram) with the grade bands as dashed rules."""
    bars = (
        alt.Chart(hist)
        .mark_bar(opacity=0.85)
        .encode(
            x=alt.X("bin_start:Q", title=FINAL, bin="binned", scale=alt.Scale(zero=False)),
            x2="bin_end:Q",
            y=alt.Y("count:Q", title="人数", stack="zero", axis=_count_axis()),
            color=alt.Color("role:N", title="职务", scale=_role_scale(), legend=_legend_bottom()),
            tooltip=[
                alt.Tooltip("role:N", title="职务"),
                alt.Tooltip("bin_start:Q", title="从"),
                alt.Tooltip("bin_end:Q", title="到（不含）"),
                alt.Tooltip("count:Q", title="人数"),
            ],
        )
    )
    rules = (
        alt.Chart(bands)
        .mark_rule(strokeDash=[4, 3], strokeWidth=1.5)
        .encode(
            x="score:Q",
            color=alt.value("#555"),
            tooltip=[alt.Tooltip("label:N", title="等次线")],
        )
    )
    labels = (
        alt.Chart(bands)
        .mark_text(align="left", dx=3, dy=-4, baseline="top", fontSize=11)
        .encode(x="score:Q", y=alt.value(0), text="label:N", color=alt.value("#555"))
    )
    return _fixed_height(
        alt.layer(bars, rules, labels).properties(title=f"{FINAL}分布（虚线为等次分数线）", height=240)
    )


def duty_heatmap_chart(heat: pd.DataFrame, *, place_title: str = "村") -> alt.LayerChart:
    """Village × seven-duty heatmap of mean profile percent (overview.village_duty_heatmap)."""
    duty_order = heat.sort_values("duty_order")["duty_name"].drop_duplicates().tolist()
    # Colour spans the data (whole percents) so that differences between villages show.
    low = math.floor(heat["mean"].min()) if len(heat) else 0
    high = math.ceil(heat["mean"].max()) if len(heat) else 100
    high = high if high > low else low + 1
    mid = (low + high) / 2
    base = alt.Chart(heat).encode(
        x=alt.X("duty_name:N", title=None, sort=duty_order, axis=alt.Axis(labelAngle=-40)),
        y=alt.Y("place:N", title=None),
    )
    rect = base.mark_rect().encode(
        color=alt.Color(
            "mean:Q",
            title="平均得分率 %",
            scale=alt.Scale(domain=[low, high], scheme="yellowgreenblue"),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("place:N", title=place_title),
            alt.Tooltip("duty_name:N", title="职责"),
            alt.Tooltip("mean:Q", title="平均得分率 %", format=".2f"),
            alt.Tooltip("leaders:Q", title="人数"),
        ],
    )
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("mean:Q", format=".0f"),
        color=alt.condition(f"datum.mean > {mid}", alt.value("white"), alt.value("#222")),
    )
    return alt.layer(rect, text).properties(
        title=f"各{place_title}七大员履职得分率", height=alt.Step(22)
    )


def village_comparison_chart(comp: pd.DataFrame, *, place_title: str = "村") -> alt.Chart:
    """Mean final score per village, grouped by role (overview.village_comparison)."""
    return (
        alt.Chart(comp)
        .mark_bar()
        .encode(
            y=alt.Y("place:N", title=None),
            yOffset=alt.YOffset("role:N", sort=list(LEADER_ROLES)),
            x=alt.X("mean_final:Q", title=f"平均{FINAL}", scale=alt.Scale(domain=[0, 100], clamp=True)),
            color=alt.Color("role:N", title="职务", scale=_role_scale(), legend=_legend_bottom()),
            tooltip=[
                alt.Tooltip("place:N", title=place_title),
                alt.Tooltip("role:N", title="职务"),
                alt.Tooltip("leaders:Q", title="人数"),
                alt.Tooltip("mean_final:Q", title=f"平均{FINAL}", format=".2f"),
                alt.Tooltip("excellent_share:Q", title="优秀占比", format=".1%"),
                alt.Tooltip("incomplete:Q", title="考评不完整"),
                alt.Tooltip("awards:Q", title="表彰"),
            ],
        )
        .properties(title=f"各{place_title}对比（平均{FINAL}）", height=alt.Step(12))
    )


def trend_grade_chart(tr: pd.DataFrame) -> alt.Chart:
    """Share of each grade per year and role (overview.trend), as normalised stacked bars."""
    return (
        alt.Chart(tr)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="年度", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title="占比", stack="normalize", axis=alt.Axis(format="%")),
            color=alt.Color("grade:N", title="等次", scale=_grade_scale(), legend=_legend_bottom()),
            order=alt.Order("grade_order:Q"),
            column=alt.Column("role:N", title=None, sort=list(LEADER_ROLES)),
            tooltip=[
                alt.Tooltip("year:O", title="年度"),
                alt.Tooltip("role:N", title="职务"),
                alt.Tooltip("grade:N", title="等次"),
                alt.Tooltip("count:Q", title="人数"),
                alt.Tooltip("share:Q", title="占比", format=".1%"),
            ],
        )
        .properties(title="历年等次构成", width=140, height=180)
    )


def trend_mean_chart(tr: pd.DataFrame) -> alt.Chart:
    """Mean final score per year and role (overview.trend; years without scores are left out)."""
    means = tr.dropna(subset=["mean_final"]).drop_duplicates(["year", "role"])
    return _fixed_height(
        alt.Chart(means)
        .mark_line(point=True)
        .encode(
            x=alt.X("year:O", title="年度", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("mean_final:Q", title=f"平均{FINAL}", scale=alt.Scale(zero=False)),
            color=alt.Color("role:N", title="职务", scale=_role_scale(), legend=_legend_bottom()),
            tooltip=[
                alt.Tooltip("year:O", title="年度"),
                alt.Tooltip("role:N", title="职务"),
                alt.Tooltip("mean_final:Q", title=f"平均{FINAL}", format=".2f"),
                alt.Tooltip("leaders:Q", title="人数"),
            ],
        )
        .properties(title=f"历年平均{FINAL}", height=200)
    )


def duty_profile_chart(profile: pd.DataFrame) -> alt.Chart:
    """The leader's seven-duty profile beside the township mean (detail.duty_profile_vs_township)."""
    duty_order = profile.sort_values("duty_order")["duty_name"].drop_duplicates().tolist()
    return (
        alt.Chart(profile)
        .mark_bar()
        .encode(
            y=alt.Y("duty_name:N", title=None, sort=duty_order),
            yOffset=alt.YOffset("series:N", sort=["本人", "乡镇平均"]),
            x=alt.X("percent:Q", title="得分率 %", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "series:N",
                title=None,
                sort=["本人", "乡镇平均"],
                scale=alt.Scale(domain=["本人", "乡镇平均"], range=["#1f77b4", "#b0bec5"]),
                legend=_legend_bottom(),
            ),
            tooltip=[
                alt.Tooltip("duty_name:N", title="职责"),
                alt.Tooltip("series:N", title="对象"),
                alt.Tooltip("percent:Q", title="得分率 %", format=".2f"),
            ],
        )
        .properties(title="七大员履职得分率（与乡镇平均对比）", height=alt.Step(11))
    )


def waterfall_chart(steps: pd.DataFrame) -> alt.LayerChart:
    """How the final score is built (detail.score_waterfall): floating bars from start to end."""
    order = steps.sort_values("step")["label"].tolist()
    base = alt.Chart(steps).encode(
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=240)),
    )
    bars = base.mark_bar().encode(
        x=alt.X("start:Q", title="分数"),
        x2="end:Q",
        color=alt.Color(
            "kind:N",
            title=None,
            scale=alt.Scale(domain=list(WATERFALL_COLORS), range=list(WATERFALL_COLORS.values())),
            legend=None,
        ),
        tooltip=[
            alt.Tooltip("label:N", title="项目"),
            alt.Tooltip("amount:Q", title="分值", format="+.2f"),
        ],
    )
    text = (
        base.mark_text(align="left", dx=4, fontSize=11)
        .encode(
            x=alt.X("max_end:Q"),
            text=alt.Text("amount:Q", format=".2f"),
        )
        .transform_calculate(max_end="max(datum.start, datum.end)")
    )
    return alt.layer(bars, text).properties(title=f"{FINAL}构成", height=alt.Step(26))


def ballot_chart(breakdown: pd.DataFrame, satisfaction: float | None) -> alt.Chart:
    """The ballot marks as one stacked bar (detail.ballot_breakdown), 满意率 in the title."""
    title = "群众评议票" + (
        f"（满意率 {satisfaction:.2%}）" if satisfaction is not None else "（无有效票）"
    )
    return (
        alt.Chart(breakdown)
        .mark_bar()
        # One band for the single bar: a chart without a y field gets no height in Streamlit.
        .transform_calculate(row="'有效票'")
        .encode(
            y=alt.Y("row:N", title=None),
            x=alt.X("count:Q", title="票数", stack="zero", axis=_count_axis()),
            color=alt.Color(
                "mark:N",
                title=None,
                scale=alt.Scale(domain=list(MARKS), range=[MARK_COLORS[m] for m in MARKS]),
                # Five marks in one row are wider than a phone: three per row.
                legend=alt.Legend(orient="bottom", title=None, columns=3),
            ),
            order=alt.Order("mark_order:Q"),
            tooltip=[
                alt.Tooltip("mark:N", title="评价"),
                alt.Tooltip("count:Q", title="票数"),
                alt.Tooltip("share:Q", title="占有效票", format=".1%"),
            ],
        )
        .properties(title=title, height=alt.Step(36))
    )


def quarter_village_chart(means: pd.DataFrame, *, title: str, place_title: str = "村") -> alt.Chart:
    """Mean quarter score per place, grouped by role (quarter.village_quarter_means)."""
    return (
        alt.Chart(means)
        .mark_bar()
        .encode(
            y=alt.Y("place:N", title=None),
            yOffset=alt.YOffset("role:N", sort=list(LEADER_ROLES)),
            x=alt.X("mean_score:Q", title="平均季度得分", scale=alt.Scale(domain=[0, 100], clamp=True)),
            color=alt.Color("role:N", title="职务", scale=_role_scale(), legend=_legend_bottom()),
            tooltip=[
                alt.Tooltip("place:N", title=place_title),
                alt.Tooltip("role:N", title="职务"),
                alt.Tooltip("leaders:Q", title="考评人数"),
                alt.Tooltip("mean_score:Q", title="平均季度得分", format=".2f"),
            ],
        )
        .properties(title=title, height=alt.Step(12))
    )


def quarter_trend_chart(trend: pd.DataFrame) -> alt.LayerChart:
    """A leader's quarter scores (quarter.leader_quarter_trend); a quarter without a score is a gap."""
    order = trend.sort_values("quarter")["label"].tolist()
    # The axis starts a little below the lowest score (scores of one leader are close together).
    low = trend["score"].min()
    floor = 0 if pd.isna(low) else max(0, int(math.floor(float(low) / 10) * 10) - 10)
    base = alt.Chart(trend).encode(
        x=alt.X("label:N", title=None, sort=order, scale=alt.Scale(domain=order), axis=alt.Axis(labelAngle=0))
    )
    tooltip = [
        alt.Tooltip("label:N", title="季度"),
        alt.Tooltip("score:Q", title="季度得分", format=".2f"),
        alt.Tooltip("rank_township:Q", title="乡镇排名"),
        alt.Tooltip("note:N", title="备注"),
    ]
    # Vega-Lite breaks a line at a null value: a 未考评 quarter shows as a gap.
    line = base.mark_line(point=alt.OverlayMarkDef(size=60)).encode(
        y=alt.Y("score:Q", title="季度得分", scale=alt.Scale(domain=[floor, 100])), tooltip=tooltip
    )
    text = base.mark_text(dy=-10, fontSize=11).encode(
        y="score:Q", text=alt.Text("score:Q", format=".2f")
    )
    # A quarter without a score carries a grey word (未考评 / 未任职) in its gap.
    gap_rows = trend.loc[trend["note"] != "", ["label", "note"]].assign(
        mid=(floor + 100) / 2,
        short=lambda f: f["note"].map(lambda n: "未考评" if "未考评" in n else "未任职"),
    )
    layers = [line, text]
    if len(gap_rows):
        layers.append(
            alt.Chart(gap_rows)
            .mark_text(fontSize=12, color="#9e9e9e")
            .encode(
                x=alt.X("label:N", sort=order, scale=alt.Scale(domain=order)),
                y=alt.Y("mid:Q"),
                text="short:N",
                tooltip=[alt.Tooltip("label:N", title="季度"), alt.Tooltip("note:N", title="备注")],
            )
        )
    return alt.layer(*layers).properties(title="四个季度考评得分", height=200)


def platform_heatmap_chart(heat: pd.DataFrame, *, place_title: str = "村") -> alt.LayerChart:
    """Village × month heatmap of reports against target in percent (platform.monthly_heatmap).

    Cells of months not yet reached are blank; the colour runs from 0 to 100 % (more is green).
    """
    # Only the columns drawn travel in the spec (a county sends 2,400 cells to the browser).
    heat = heat[["place", "month", "month_label", "serving", "reports", "target", "percent"]]
    # Months as plain numbers under the title 月份: twelve labels fit a phone's width.
    base = alt.Chart(heat).encode(
        x=alt.X("month:O", title="月份", axis=alt.Axis(labelAngle=0, orient="top", labelOverlap=False)),
        y=alt.Y("place:N", title=None),
    )
    rect = base.transform_filter("isValid(datum.percent)").mark_rect().encode(
        color=alt.Color(
            "percent:Q",
            title="完成率 %",
            scale=alt.Scale(domain=[0, 100], clamp=True, scheme="redyellowgreen"),
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("place:N", title=place_title),
            alt.Tooltip("month_label:N", title="月份"),
            alt.Tooltip("reports:Q", title="上报条数"),
            alt.Tooltip("target:Q", title="应报条数"),
            alt.Tooltip("serving:Q", title="在任人数"),
            alt.Tooltip("percent:Q", title="完成率 %", format=".1f"),
        ],
    )
    text = base.transform_filter("isValid(datum.percent)").mark_text(fontSize=11).encode(
        text=alt.Text("percent:Q", format=".0f"),
        # Dark text on the light middle of the scale, white on the deep red and green ends.
        color=alt.condition("datum.percent >= 80 || datum.percent < 20", alt.value("white"), alt.value("#222")),
    )
    return alt.layer(rect, text).properties(
        title=f"各{place_title}综治E通月度上报完成率（%）", height=alt.Step(24)
    )
