"""Shaping of the quarter views (reports.quarter, reports.platform, their charts), numbers by hand."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd

from dashboard.data.export.tables import table_csv_bytes
from dashboard.reports import charts
from dashboard.reports.platform import (
    monthly_heatmap,
    months_reached,
    zero_report_leaders,
    zero_report_table,
)
from dashboard.reports.quarter import (
    QuarterFilter,
    default_quarter,
    leader_quarter_trend,
    not_assessed,
    quarter_ranking,
    quarters_with_data,
    trend_table,
    village_quarter_means,
)

G, H = "网格长", "联户长"


def qrow(code, name, role, village, score, *, quarter=1, rank_v=None, rank_t=None, grade="称职"):
    """One quarter row; score None means 未考评 (no score, grade or rank)."""
    assessed = score is not None
    return {
        "code": code, "name": name, "role": role, "county": "舟曲县", "township": "南峪乡",
        "village": village, "quarter": quarter, "committee": score, "platform": 100.0,
        "score": np.nan if score is None else score, "grade": grade if assessed else None,
        "rank_village": rank_v, "rank_township": rank_t, "rank_county": rank_t, "assessed": assessed,
    }


def quarter_rows() -> pd.DataFrame:
    rows = pd.DataFrame(
        [
            qrow("A1", "张三", G, "甲村", 90.5, rank_v=1, rank_t=2, grade="优秀"),
            qrow("B1", "李四", G, "乙村", 91.0, rank_v=1, rank_t=1, grade="优秀"),
            qrow("C1", "王五", G, "甲村", 80.0, rank_v=2, rank_t=3),
            qrow("D1", "赵六", G, "甲村", None),
            qrow("E1", "钱七", H, "乙村", 70.0, rank_v=1, rank_t=1, grade="基本称职"),
        ]
    )
    for col in ("rank_village", "rank_township", "rank_county"):
        rows[col] = rows[col].astype("Int64")
    return rows


def test_quarter_ranking_orders_the_role_by_township_rank_without_the_unassessed():
    """网格长 at township level: 李四 1, 张三 2, 王五 3; 赵六 (未考评) and the 联户长 are left out."""
    out = quarter_ranking(quarter_rows(), QuarterFilter(role=G, level="township"))
    assert out["name"].tolist() == ["李四", "张三", "王五"]
    assert out["rank"].tolist() == [1, 2, 3]


def test_quarter_ranking_by_village_reads_village_by_village():
    """Village level: 乙村 (李四 1) before 甲村 (张三 1, 王五 2), by the villages' sort order."""
    out = quarter_ranking(quarter_rows(), QuarterFilter(role=G, level="village"))
    assert list(zip(out["village"], out["rank"], out["name"], strict=True)) == [
        ("乙村", 1, "李四"), ("甲村", 1, "张三"), ("甲村", 2, "王五"),
    ]


def test_quarter_ranking_filters_by_village_grade_and_name():
    """甲村 → 张三, 王五; grade 优秀 → 李四, 张三; name 「王」 → 王五; code 「B1」 → 李四."""
    rows = quarter_rows()
    assert quarter_ranking(rows, QuarterFilter(role=G, village="甲村"))["name"].tolist() == ["张三", "王五"]
    assert quarter_ranking(rows, QuarterFilter(role=G, grade="优秀"))["name"].tolist() == ["李四", "张三"]
    assert quarter_ranking(rows, QuarterFilter(role=G, name=" 王 "))["name"].tolist() == ["王五"]
    assert quarter_ranking(rows, QuarterFilter(role=G, name="B1"))["name"].tolist() == ["李四"]


def test_not_assessed_lists_leaders_without_a_committee_sheet_with_the_reason():
    """Only 赵六 is 未考评, with the reason 本季度无村两委打分."""
    out = not_assessed(quarter_rows())
    assert out[["code", "name", "reason"]].values.tolist() == [["D1", "赵六", "本季度无村两委打分"]]


def test_village_quarter_means_average_the_assessed_scores_per_role():
    """甲村 网格长 (90.5 + 80) / 2 = 85.25 over 2 (赵六 not counted); 乙村 网格长 91, 联户长 70."""
    out = village_quarter_means(quarter_rows())
    got = {(r.place, r.role): (r.leaders, r.mean_score) for r in out.itertuples()}
    assert got == {("甲村", G): (2, 85.25), ("乙村", G): (1, 91.0), ("乙村", H): (1, 70.0)}


def test_default_quarter_is_the_latest_with_a_score():
    """Scores in Q1 and Q2, Q3 only 未考评 → quarters [1, 2], default Q2; no rows → Q1."""
    trend = pd.DataFrame(
        [qrow("A1", "张三", G, "甲村", 80.0, quarter=1), qrow("A1", "张三", G, "甲村", 82.0, quarter=2),
         qrow("A1", "张三", G, "甲村", None, quarter=3)]
    )
    assert quarters_with_data(trend) == [1, 2]
    assert default_quarter(trend) == 2
    assert default_quarter(trend.iloc[0:0]) == 1


def test_leader_quarter_trend_shows_gaps_with_notes():
    """Appointed in Q3: Q1, Q2 尚未任职; Q3 score 88.5 rank 4; Q4 未考评 — four rows, two scores blank."""
    trend = pd.DataFrame(
        [qrow("N1", "孙八", G, "甲村", 88.5, quarter=3, rank_t=4), qrow("N1", "孙八", G, "甲村", None, quarter=4),
         qrow("A1", "张三", G, "甲村", 80.0, quarter=1, rank_t=1)]
    )
    out = leader_quarter_trend(trend, "N1")
    assert out["label"].tolist() == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert out["score"].isna().tolist() == [True, True, False, True]
    assert out.loc[2, "score"] == 88.5 and out.loc[2, "rank_township"] == 4
    assert out["note"].tolist() == ["本季度尚未任职", "本季度尚未任职", "", "未考评：本季度无村两委打分"]
    table = trend_table(out)
    assert list(table.columns) == ["季度", "季度得分", "等次", "乡镇排名", "备注"]
    assert table["季度得分"].tolist() == ["", "", "88.50", ""]
    assert table["乡镇排名"].tolist() == ["", "", "4", ""]


def test_trend_table_drops_the_note_column_when_every_quarter_has_a_score():
    """Four scored quarters → no 备注 column (it would only be empty)."""
    trend = pd.DataFrame([qrow("A1", "张三", G, "甲村", 80.0 + q, quarter=q, rank_t=q) for q in (1, 2, 3, 4)])
    table = trend_table(leader_quarter_trend(trend, "A1"))
    assert list(table.columns) == ["季度", "季度得分", "等次", "乡镇排名"]
    assert table["季度得分"].tolist() == ["81.00", "82.00", "83.00", "84.00"]


def leaders() -> pd.DataFrame:
    """甲村: L1 (since 2020), L2 (appointed 15 March 2024); 乙村: L3 (since 2019), L4 (离任)."""
    return pd.DataFrame(
        {
            "leader_id": [1, 2, 3, 4],
            "code": ["C1", "C2", "C3", "C4"],
            "name": ["甲一", "甲二", "乙一", "乙二"],
            "role": [H, H, H, H],
            "county": ["舟曲县"] * 4,
            "township": ["南峪乡"] * 4,
            "village": ["甲村", "甲村", "乙村", "乙村"],
            "grid": ["一网格"] * 4,
            "group": [None] * 4,
            "appointed_on": pd.to_datetime(["2020-01-01", "2024-03-15", "2019-05-01", "2018-01-01"]),
            "status": ["在任", "在任", "在任", "离任"],
        }
    )


def platform() -> pd.DataFrame:
    """Reports: L1 4, 2, 4, 0 in months 1–4; L2 6 in March; L3 5 in Jan, 3 in March; L4 9 (离任)."""
    rows = [(1, 1, 4), (1, 2, 2), (1, 3, 4), (1, 4, 0), (2, 3, 6), (3, 1, 5), (3, 3, 3), (4, 1, 9)]
    return pd.DataFrame(rows, columns=["leader_id", "month", "reports"])


def test_months_reached_blank_the_months_not_yet_begun():
    """On 10 April 2024: 2023 → 12 months, 2024 → 4, 2025 → 0."""
    today = dt.date(2024, 4, 10)
    assert [months_reached(y, today) for y in (2023, 2024, 2025)] == [12, 4, 0]


def test_monthly_heatmap_compares_reports_with_target_times_leaders_serving():
    """Target 4: 甲村 4/4=100, 2/4=50, (4+6)/(4×2)=125, 0/8=0; 乙村 125, 0, 75, 0; May on blank."""
    heat = monthly_heatmap(leaders(), platform(), year=2024, monthly_target=4, through=4)
    assert len(heat) == 24  # two villages × twelve months
    jia = heat.loc[heat["village"] == "甲村"].set_index("month")
    yi = heat.loc[heat["village"] == "乙村"].set_index("month")
    assert jia.loc[1:4, "percent"].tolist() == [100.0, 50.0, 125.0, 0.0]
    assert jia.loc[1:4, "serving"].tolist() == [1, 1, 2, 2]
    assert jia.loc[3, "reports"] == 10 and jia.loc[3, "target"] == 8.0
    assert yi.loc[1:4, "percent"].tolist() == [125.0, 0.0, 75.0, 0.0]  # 离任 L4's 9 reports do not count
    assert heat.loc[heat["month"] > 4, "percent"].isna().all()
    assert heat.loc[heat["month"] > 4, "reports"].isna().all()
    assert jia.loc[5, "month_label"] == "5月" and jia.loc[5, "place"] == "甲村"


def test_zero_report_leaders_lists_each_serving_leader_and_month_without_reports():
    """February 乙一; April 乙一, 甲一, 甲二 — not 甲二 in January (not yet appointed) nor the 离任."""
    zero = zero_report_leaders(leaders(), platform(), year=2024, through=4)
    assert list(zip(zero["month"], zero["village"], zero["code"], strict=True)) == [
        (2, "乙村", "C3"), (4, "乙村", "C3"), (4, "甲村", "C1"), (4, "甲村", "C2"),
    ]
    table = zero_report_table(zero, several_townships=False)
    assert list(table.columns) == ["行政村", "姓名", "编号", "月份"]
    assert table.iloc[0].tolist() == ["乙村", "乙一", "C3", "2月"]


def test_zero_report_csv_has_chinese_headers_bom_and_guarded_text():
    """UTF-8 BOM, the Chinese header row, and a name starting with = is prefixed with '."""
    table = pd.DataFrame({"行政村": ["甲村"], "姓名": ["=HYPERLINK()"], "编号": ["C1"], "月份": ["4月"]})
    data = table_csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
    assert list(back.columns) == ["行政村", "姓名", "编号", "月份"]
    assert back.iloc[0].tolist() == ["甲村", "'=HYPERLINK()", "C1", "4月"]


def test_platform_heatmap_chart_leaves_months_not_reached_blank():
    """Rect and text layers draw only cells with a percent; the colour spans 0–100 %; 24 rows inline."""
    heat = monthly_heatmap(leaders(), platform(), year=2024, monthly_target=4, through=4)
    d = charts.platform_heatmap_chart(heat).to_dict()
    rect, text = d["layer"]
    assert rect["transform"] == [{"filter": "isValid(datum.percent)"}]
    assert rect["encoding"]["color"]["scale"]["domain"] == [0, 100]
    assert rect["encoding"]["x"]["title"] == "月份"
    assert len(d["datasets"][d["data"]["name"]]) == 24


def test_quarter_charts_label_axes_in_chinese():
    """Village chart: x 平均季度得分 on 0–100; trend chart: y 季度得分 from 10 below the lowest score."""
    village = charts.quarter_village_chart(village_quarter_means(quarter_rows()), title="各村第一季度平均得分")
    v = village.to_dict()
    assert v["encoding"]["x"]["title"] == "平均季度得分" and v["encoding"]["x"]["scale"]["domain"] == [0, 100]
    trend = pd.DataFrame([qrow("A1", "张三", G, "甲村", s, quarter=q, rank_t=1) for q, s in ((1, 86.0), (2, 91.0))])
    t = charts.quarter_trend_chart(leader_quarter_trend(trend, "A1")).to_dict()
    line = t["layer"][0]
    assert line["encoding"]["y"]["title"] == "季度得分"
    assert line["encoding"]["y"]["scale"]["domain"] == [70, 100]  # floor(86/10)×10 − 10
