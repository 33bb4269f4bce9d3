"""季度考评, the quarter trend on 述职档案 and 月度上报 under AppTest, on the seeded sample 南峪乡."""
# ruff: noqa: F811  (the sample fixtures are imported from test_result_pages and used as arguments)

from __future__ import annotations

from sqlalchemy import delete, select
from streamlit.testing.v1 import AppTest
from test_result_pages import APP, _chart_titles, _open, _run, _sign_in, sample_db, sample_template  # noqa: F401  (fixtures)

from dashboard.data.db import read_session, transaction
from dashboard.data.quarter_queries import assess_quarter, load_quarter_inputs, platform_months
from dashboard.data.queries import load_leaders
from dashboard.reports.labels import year_title
from dashboard.reports.platform import zero_report_leaders
from dashboard.scoring.quarter import score_quarters
from dashboard.services.results import result_scope, scope_results
from models import CommitteeScore, Leader, User


def test_quarter_page_opens_on_the_latest_quarter_ranked_like_the_rule(sample_db):
    """The viewer sees 第四季度 of 2024: 网格长 of 南峪乡 in township-rank order with the rule's scores."""
    at = _open(_sign_in("demo-viewer"), "pages/quarter.py")
    assert at.title[0].value == year_title("季度考评", 2024)
    assert at.segmented_control(key="quarter_quarter").value == 4
    rows = assess_quarter(sample_db, 2024, 4).rows
    grid = rows.loc[(rows["role"] == "网格长") & rows["assessed"]].sort_values(["rank_township", "code"])
    table = at.dataframe[0].value
    assert table["name"].tolist() == grid["name"].tolist()
    assert table["score"].tolist() == grid["score"].tolist()
    assert table["rank"].tolist() == grid["rank_township"].tolist()
    assert not at.get("download_button")  # the notice is for officials and admins


def test_quarter_page_filters_by_quarter_role_and_name(sample_db):
    """第二季度, 联户长, search by one leader's name → that leader's row with the Q2 score and rank."""
    rows = assess_quarter(sample_db, 2024, 2).rows
    one = rows.loc[rows["role"] == "联户长"].sort_values("rank_township").iloc[3]
    at = _open(_sign_in("demo-viewer"), "pages/quarter.py")
    at.segmented_control(key="quarter_quarter").set_value(2)
    at.segmented_control(key="quarter_role").set_value("联户长")
    at.session_state["quarter_filter_open"] = True
    _run(at)
    at.text_input(key="quarter_name").input(one["name"])
    _run(at)
    table = at.dataframe[0].value
    named = rows.loc[(rows["role"] == "联户长") & (rows["name"] == one["name"])]
    assert table["name"].tolist() == named["name"].tolist()
    assert table["score"].iloc[0] == one["score"] and table["rank"].iloc[0] == one["rank_township"]


def test_quarter_filters_stay_in_force_with_the_box_closed(sample_db):
    """The 筛选 box draws its fields only while open; a 等次 优秀 chosen there still filters once it is closed."""
    rows = assess_quarter(sample_db, 2024, 4).rows
    best = rows.loc[(rows["role"] == "网格长") & (rows["grade"] == "优秀")].sort_values(["rank_township", "code"])
    assert 0 < len(best) < int((rows["role"] == "网格长").sum())
    at = _open(_sign_in("demo-viewer"), "pages/quarter.py")
    assert not [s for s in at.selectbox if s.key == "quarter_grade"] and not at.text_input
    at.session_state["quarter_filter_open"] = True
    _run(at)
    at.selectbox(key="quarter_grade").set_value("优秀")
    _run(at)
    at.session_state["quarter_filter_open"] = False
    _run(at)
    assert not [s for s in at.selectbox if s.key == "quarter_grade"]
    assert at.dataframe[0].value["name"].tolist() == best["name"].tolist()
    assert any(" · 优秀 · " in c.value and c.value.endswith(f"共 {len(best)} 人") for c in at.caption)
    at.session_state["quarter_filter_open"] = True
    _run(at)
    assert at.selectbox(key="quarter_grade").value == "优秀"  # reopened, the box shows the filter in force


def test_quarter_page_lists_the_unassessed_with_the_reason(sample_db):
    """A 网格长 without committee sheets in Q2 is listed under 未考评 with 本季度无村两委打分, not ranked."""
    with transaction(sample_db) as s:
        leader = s.execute(select(Leader).where(Leader.code == "NYW02")).scalar_one()
        s.execute(
            delete(CommitteeScore).where(
                CommitteeScore.leader_id == leader.id, CommitteeScore.year == 2024, CommitteeScore.quarter == 2
            )
        )
        name = leader.name
    at = _open(_sign_in("demo-viewer"), "pages/quarter.py")
    at.segmented_control(key="quarter_quarter").set_value(2)
    _run(at)
    assert name not in at.dataframe[0].value["name"].tolist()
    assert [m.value for m in at.metric][2] == "1"
    at.session_state["quarter_tab"] = "未考评人员"
    _run(at)
    missing = at.dataframe[0].value
    assert missing.values.tolist() == [[name, "NYW02", "网格长", "南峪村", "本季度无村两委打分"]]


def test_quarter_page_draws_only_the_open_tab(sample_db):
    """季度考评 draws the ranking only; 未考评人员 opened, its list only; 各村平均得分 opened, the chart only."""
    at = _open(_sign_in("demo-viewer"), "pages/quarter.py")
    assert len(at.dataframe) == 1 and "rank" in at.dataframe[0].value.columns
    assert _chart_titles(at) == []
    at.session_state["quarter_tab"] = "未考评人员"
    _run(at)
    # the sample's 第四季度 has every 网格长 and 联户长 scored: no list, a sentence instead
    assert not at.dataframe and _chart_titles(at) == []
    assert any("没有未考评人员" in c.value for c in at.caption)
    at.session_state["quarter_tab"] = "各村平均得分"  # the sample is one township: its villages
    _run(at)
    assert not at.dataframe
    assert _chart_titles(at) == ["各村第四季度平均得分"]


def test_quarter_ranking_comes_a_page_at_a_time(sample_db, monkeypatch):
    """At 10 rows a page the 第四季度 联户长 ranking shows rows 1–10, page 2 rows 11–20, in rank order."""
    monkeypatch.setattr("dashboard.ui.tables.PAGE_ROWS", 10)
    rows = assess_quarter(sample_db, 2024, 4).rows
    ranked = rows.loc[(rows["role"] == "联户长") & rows["assessed"]].sort_values(["rank_township", "code"])
    assert len(ranked) > 20
    at = _open(_sign_in("demo-viewer"), "pages/quarter.py")
    at.segmented_control(key="quarter_role").set_value("联户长")
    _run(at)
    assert at.dataframe[0].value["name"].tolist() == ranked["name"].iloc[:10].tolist()
    assert any(c.value.startswith(f"第 1–10 行，共 {len(ranked)} 行") for c in at.caption)
    at.number_input(key="quarter_table_page").set_value(2)
    _run(at)
    assert at.dataframe[0].value["name"].tolist() == ranked["name"].iloc[10:20].tolist()


def test_official_and_admin_get_the_notice_download(sample_db):
    """Officials and admins see the one button 下载季度考评通报 (the browser test opens the file)."""
    for user in ("demo-official", "demo-admin"):
        at = _open(_sign_in(user), "pages/quarter.py")
        buttons = at.get("download_button")
        assert [b.proto.label for b in buttons] == ["下载季度考评通报"]


def test_leader_detail_shows_the_four_quarter_trend(sample_db):
    """述职档案 of NYW15 lists four quarters with the rule's score and township rank of each."""
    trend = score_quarters(load_quarter_inputs(sample_db, 2024))
    mine = trend.loc[trend["code"] == "NYW15"].sort_values("quarter")
    at = _sign_in("demo-viewer")
    at.query_params["code"] = "NYW15"
    _open(at, "pages/leader_detail.py")
    at.session_state["detail_tab"] = "季度考评"
    _run(at)
    table = at.dataframe[0].value
    assert table["季度"].tolist() == ["第一季度", "第二季度", "第三季度", "第四季度"]
    assert table["季度得分"].tolist() == [f"{s:.2f}" for s in mine["score"]]
    assert table["乡镇排名"].tolist() == [str(r) for r in mine["rank_township"]]


def test_platform_watch_lists_the_zero_report_months(sample_db):
    """月度上报 for 2024 lists exactly the serving leaders and months without reports, with a CSV."""
    zero = zero_report_leaders(load_leaders(sample_db), platform_months(sample_db, 2024), year=2024, through=12)
    at = _open(_sign_in("demo-viewer"), "pages/platform_watch.py")
    table = at.dataframe[0].value
    assert len(zero) > 0
    assert table["编号"].tolist() == zero["code"].tolist()
    assert table["月份"].tolist() == zero["month_label"].tolist()
    assert [b.proto.label for b in at.get("download_button")] == ["下载零上报名单 CSV"]


def test_platform_watch_says_when_the_platform_is_not_used(sample_db):
    """2023 has no platform records: the page says so in Chinese instead of drawing an empty chart (2024 draws one)."""
    at = _sign_in("demo-viewer")
    at.switch_page("pages/platform_watch.py")
    at.session_state["year"] = 2024
    at.run()
    assert not at.exception and at.get("vega_lite_chart")
    at.session_state["year"] = 2023
    at.run()
    assert not at.exception
    assert any("未使用平台上报" in i.value for i in at.info)
    assert not at.get("vega_lite_chart")


def test_assessor_sees_only_the_quarter_rows_of_their_villages(sample_db):
    """The demo assessor's 季度考评 lists exactly the assessed 网格长 of their villages, no download."""
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input("demo-assessor")
    at.text_input(key="login_password").input("demo-assessor-2024")
    at.button[0].click().run()
    at = _open(at, "pages/quarter.py")
    with read_session(sample_db) as s:
        user = s.execute(select(User).where(User.username == "demo-assessor")).scalar_one()
        scope = result_scope(session=s, user=user)
    rows = scope_results(assess_quarter(sample_db, 2024, 4).rows, scope)
    grid = rows.loc[(rows["role"] == "网格长") & rows["assessed"]].sort_values(["rank_township", "code"])
    assert scope.villages and 0 < len(grid) < 18
    assert at.dataframe[0].value["name"].tolist() == grid["name"].tolist()
    assert not at.get("download_button")
