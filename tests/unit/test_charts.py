"""Altair charts (dashboard.reports.charts): valid Vega-Lite built from the small aggregated frames."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.domain import DUTY_KEYS, GRADES
from dashboard.reports import charts, detail, overview
from dashboard.scoring.explain import renormalised_weights
from dashboard.scoring.scheme import Scheme


def spec(chart) -> dict:
    """The Vega-Lite dict (Altair validates it against the schema here)."""
    return chart.to_dict()


def data_of(d: dict, part: dict) -> list[dict]:
    """The inline rows a chart or layer draws."""
    return d["datasets"][part["data"]["name"]]


def test_grade_distribution_chart_stacks_grades_in_fixed_colours():
    """Bars per role stacked by grade, grade colours in grade order, 8 rows (2 roles × 4 grades)."""
    dist = overview.grade_distribution(
        pd.DataFrame({"role": ["网格长", "联户长"], "grade": ["优秀", "称职"]})
    )
    d = spec(charts.grade_distribution_chart(dist))
    assert d["mark"]["type"] == "bar"
    assert d["encoding"]["color"]["scale"]["domain"] == list(GRADES)
    assert d["encoding"]["color"]["scale"]["range"][0] == charts.GRADE_COLORS["优秀"]
    assert d["encoding"]["order"]["field"] == "grade_order"
    assert len(data_of(d, d)) == 8


def test_score_histogram_chart_draws_band_lines():
    """A bar layer of bins and rule + label layers at the scheme's bands 90, 75, 60."""
    results = pd.DataFrame({"role": ["网格长"] * 3, "final": [62.0, 77.0, 91.0]})
    hist = overview.score_histogram(results, bin_width=5)
    d = spec(charts.score_histogram_chart(hist, overview.grade_band_rules(Scheme.default())))
    bars, rules, labels = d["layer"]
    assert bars["mark"]["type"] == "bar" and bars["encoding"]["x2"]["field"] == "bin_end"
    assert rules["mark"]["type"] == "rule"
    assert [r["score"] for r in data_of(d, rules)] == [90.0, 75.0, 60.0]
    assert labels["encoding"]["text"]["field"] == "label"
    # bins 60..90 step 5: 7 bins, 3 with one leader each
    assert sum(r["count"] for r in data_of(d, bars)) == 3 and len(data_of(d, bars)) == 7


def test_duty_heatmap_chart_orders_duties_and_fixes_the_colour_range():
    """Duties along x in the 七大员 order; colour spans the data range; text layer shows the mean."""
    results = pd.DataFrame(
        {"township": ["南峪乡"] * 2, "village": ["甲村", "乙村"]}
        | {f"role_{k}": [50.0, 70.0] for k in DUTY_KEYS}
    )
    d = spec(charts.duty_heatmap_chart(overview.village_duty_heatmap(results)))
    rect, text = d["layer"]
    assert rect["encoding"]["x"]["sort"][0] == "社情民意信息员"
    assert rect["encoding"]["x"]["sort"][-1] == "民族团结示范员"
    # colour spans the data: means 50 (甲村) and 70 (乙村) → domain [50, 70], white text above 60
    assert rect["encoding"]["color"]["scale"]["domain"] == [50, 70]
    assert text["encoding"]["color"]["condition"]["test"] == "datum.mean > 60.0"
    assert text["encoding"]["text"]["field"] == "mean"


def test_village_comparison_chart_groups_roles_per_village():
    """Mean final on x, villages on y, one offset bar per role."""
    results = pd.DataFrame(
        {
            "township": ["南峪乡"] * 2,
            "village": ["甲村", "甲村"],
            "role": ["网格长", "联户长"],
            "final": [80.0, 70.0],
            "grade": ["称职", "基本称职"],
            "complete": [True, True],
            "award": [False, False],
        }
    )
    d = spec(charts.village_comparison_chart(overview.village_comparison(results)))
    assert d["encoding"]["x"]["field"] == "mean_final"
    assert d["encoding"]["yOffset"]["field"] == "role"
    assert sorted(r["mean_final"] for r in data_of(d, d)) == [70.0, 80.0]


def test_trend_charts_draw_years_in_order():
    """Grade shares stacked to 100 % per year; the mean line skips years without scores."""
    tr = overview.trend(
        {
            2023: pd.DataFrame({"role": ["网格长"], "grade": ["称职"]}),
            2024: pd.DataFrame({"role": ["网格长"], "grade": ["优秀"], "final": [91.0]}),
        }
    )
    g = spec(charts.trend_grade_chart(tr))
    assert g["encoding"]["y"]["stack"] == "normalize"
    assert g["encoding"]["x"]["field"] == "year"
    m = spec(charts.trend_mean_chart(tr))
    assert [(r["year"], r["mean_final"]) for r in data_of(m, m)] == [(2024, 91.0)]


def test_duty_profile_chart_puts_leader_beside_township_mean():
    """Seven duties, two bars each (本人, 乡镇平均), percent scale 0–100."""
    results = pd.DataFrame(
        {"code": ["A", "B"], "role": ["网格长"] * 2, "township": ["南峪乡"] * 2}
        | {f"role_{k}": [80.0, 60.0] for k in DUTY_KEYS}
    )
    d = spec(charts.duty_profile_chart(detail.duty_profile_vs_township(results, "A")))
    assert d["encoding"]["x"]["scale"]["domain"] == [0, 100]
    assert d["encoding"]["color"]["scale"]["domain"] == ["本人", "乡镇平均"]
    rows = data_of(d, d)
    assert len(rows) == 14
    assert {r["percent"] for r in rows if r["series"] == "乡镇平均"} == {70.0}


def test_waterfall_chart_floats_bars_from_start_to_end():
    """Each step is a bar from start to end, steps in order, amounts as labels."""
    row = {
        "self": 80.0,
        "mass": 90.0,
        "committee": 70.0,
        "platform": None,
        "bonus": 3.0,
        "deduction": 1.0,
        "final": 79.78,
    }
    steps = detail.score_waterfall(row, renormalised_weights(row, Scheme.default().weights))
    d = spec(charts.waterfall_chart(steps))
    bars, text = d["layer"]
    assert bars["encoding"]["x"]["field"] == "start" and bars["encoding"]["x2"]["field"] == "end"
    assert bars["encoding"]["y"]["sort"] == steps["label"].tolist()
    assert text["encoding"]["text"]["field"] == "amount"
    assert [r["end"] for r in data_of(d, d)][-1] == 79.78


def test_ballot_chart_shows_satisfaction_in_the_title():
    """满意率 0.7 is shown as 70.00 %; without valid marks the title says so."""
    br = detail.ballot_breakdown({"优秀": 3, "称职": 4, "基本称职": 2, "不称职": 1})
    d = spec(charts.ballot_chart(br, 0.7))
    assert d["title"] == "群众评议票（满意率 70.00%）"
    assert d["encoding"]["order"]["field"] == "mark_order"
    assert d["encoding"]["y"]["field"] == "row"  # one band, so the bar has a height
    assert (
        spec(charts.ballot_chart(detail.ballot_breakdown({}), None))["title"]
        == "群众评议票（无有效票）"
    )


def test_charts_are_altair_objects_not_drawn():
    """Chart functions return Altair chart objects for the page to draw."""
    br = detail.ballot_breakdown({"优秀": 1})
    assert isinstance(charts.ballot_chart(br, 1.0), alt.Chart)


def test_count_axes_have_whole_number_ticks():
    """Votes and head counts are whole: every count axis has tickMinStep 1 and format "d"."""
    br = detail.ballot_breakdown({"优秀": 1, "称职": 1})  # two votes: Vega would tick at 0.5
    ballots = spec(charts.ballot_chart(br, 1.0))
    dist = spec(charts.grade_distribution_chart(
        overview.grade_distribution(pd.DataFrame({"role": ["网格长"], "grade": ["优秀"]}))
    ))
    hist = spec(charts.score_histogram_chart(
        overview.score_histogram(pd.DataFrame({"role": ["网格长"], "final": [80.0]}), bin_width=5),
        overview.grade_band_rules(Scheme.default()),
    ))
    for axis in (ballots["encoding"]["x"]["axis"], dist["encoding"]["x"]["axis"],
                 hist["layer"][0]["encoding"]["y"]["axis"]):
        assert (axis["tickMinStep"], axis["format"]) == (1, "d")


def test_fixed_height_charts_fit_only_their_width():
    """Histogram and yearly mean line keep their plot height (autosize fit-x)."""
    tr = overview.trend({
        2023: pd.DataFrame({"role": ["网格长", "联户长"], "grade": ["称职", "称职"], "final": [80.0, 70.0]}),
        2024: pd.DataFrame({"role": ["网格长", "联户长"], "grade": ["优秀", "称职"], "final": [91.0, 75.0]}),
    })
    hist = overview.score_histogram(pd.DataFrame({"role": ["网格长"], "final": [80.0]}), bin_width=5)
    built = [
        spec(charts.score_histogram_chart(hist, overview.grade_band_rules(Scheme.default()))),
        spec(charts.trend_mean_chart(tr)),
    ]
    for d in built:
        assert d["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert [d["height"] for d in built] == [240, 200]


def test_trend_mean_chart_draws_both_roles_with_level_year_labels():
    """Two years × two roles: four points, 网格长 and 联户长 both coloured; year labels not rotated."""
    tr = overview.trend({
        2023: pd.DataFrame({"role": ["网格长", "联户长"], "grade": ["称职", "称职"], "final": [80.0, 70.0]}),
        2024: pd.DataFrame({"role": ["网格长", "联户长"], "grade": ["优秀", "称职"], "final": [91.0, 75.0]}),
    })
    m = spec(charts.trend_mean_chart(tr))
    assert sorted((r["year"], r["role"], r["mean_final"]) for r in data_of(m, m)) == [
        (2023, "网格长", 80.0), (2023, "联户长", 70.0), (2024, "网格长", 91.0), (2024, "联户长", 75.0)]
    assert m["encoding"]["color"]["scale"]["domain"] == ["网格长", "联户长"]
    assert m["encoding"]["x"]["axis"]["labelAngle"] == 0
