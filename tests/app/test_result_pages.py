"""Result pages under AppTest through the real frame, on the seeded sample township 南峪乡."""

from __future__ import annotations

import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.cli.main import main as cli_main
from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import make_engine, read_session
from dashboard.data.queries import assess_year
from dashboard.domain import COMPONENTS
from dashboard.reports.labels import year_title
from dashboard.scoring.scheme import Scheme
from models import AssessmentYear

APP = str(PROJECT_ROOT / "streamlit_app.py")
PASSWORDS = {
    "demo-admin": "demo-admin-2024",
    "demo-viewer": "demo-viewer-2024",
    "demo-official": "demo-official-2024",
}


@pytest.fixture(scope="module")
def sample_template(tmp_path_factory, sqlite_template):
    """The sample township (2023, 2024) and demo accounts, seeded once into a SQLite file."""
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    shutil.copy(sqlite_template, path)
    assert cli_main(["seed-sample", "--db", f"sqlite:///{path}"]) == 0
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as conn:  # move the WAL into the file before it is copied
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sample_db(sample_template, tmp_path, monkeypatch):
    """A fresh copy of the seeded sample for one test, set as the app's database."""
    path = tmp_path / "app.db"
    shutil.copy(sample_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def _sign_in(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORDS[username])
    at.button[0].click().run()
    assert not at.exception
    return at


def _run(at: AppTest) -> AppTest:
    # Under AppTest a rerun after sign-in executes the current page without the frame's
    # sidebar, so the sidebar's year selection is restored before each run.
    at.session_state["year"] = 2024
    at.run()
    assert not at.exception, at.exception
    return at


def _open(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return _run(at)


def test_viewer_lands_on_rankings_of_grid_leaders(sample_db):
    """A viewer's first page is 排名: 网格长 of 南峪乡 in township-rank order, 50 rows a page at most."""
    at = _sign_in("demo-viewer")
    assert at.title[0].value == year_title("排名", 2024)
    results = assess_year(sample_db, 2024).results
    grid = results.loc[(results["role"] == "网格长") & (results["township"] == "南峪乡")]
    table = at.dataframe[0].value
    assert len(table) == min(50, len(grid))
    assert table["rank"].tolist() == sorted(table["rank"].tolist())
    assert table["name"].iloc[0] == grid.sort_values(["township_rank", "code"])["name"].iloc[0]


def test_rankings_filter_by_grade_shows_only_that_grade(sample_db):
    """Filtering 联户长 by 称职 lists exactly the engine's 称职 联户长, with readable grade labels."""
    at = _sign_in("demo-viewer")
    at.segmented_control(key="rankings_role").set_value("联户长")
    _run(at)
    at.selectbox(key="rankings_grade").set_value("称职")
    _run(at)
    results = assess_year(sample_db, 2024).results
    expected = results.loc[(results["role"] == "联户长") & (results["grade"] == "称职")]
    table = at.dataframe[0].value
    assert set(table["grade"]) == {"称职"}
    assert len(table) == min(50, len(expected))
    assert any(f"共 {len(expected)} 条" in c.value for c in at.caption)


def test_rankings_pages_long_lists(sample_db):
    """At 25 a page the 联户长 list splits into pages; page 2 starts at row 26."""
    at = _sign_in("demo-viewer")
    at.segmented_control(key="rankings_role").set_value("联户长")
    _run(at)
    at.selectbox(key="rankings_page_size").set_value(25)
    _run(at)
    results = assess_year(sample_db, 2024).results
    n = int((results["role"] == "联户长").sum())
    assert n > 25  # the sample has more than one page of 联户长
    first = at.dataframe[0].value
    at.number_input(key="rankings_page").set_value(2)
    _run(at)
    second = at.dataframe[0].value
    assert len(first) == 25 and len(second) == min(25, n - 25)
    ordered = results.loc[results["role"] == "联户长"].sort_values(["township_rank", "code"])
    assert first["name"].tolist() == ordered["name"].iloc[:25].tolist()
    assert second["name"].tolist() == ordered["name"].iloc[25:50].tolist()
    assert any(f"第 26–{min(50, n)} 条" in c.value for c in at.caption)


def test_leader_detail_shows_explanation_and_metrics(sample_db):
    """The detail of the top 网格长 shows the final score, grade and the engine's explanation."""
    results = assess_year(sample_db, 2024).results
    top = results.loc[results["role"] == "网格长"].sort_values("township_rank").iloc[0]
    at = _sign_in("demo-viewer")
    at.query_params["code"] = top["code"]
    _open(at, "pages/leader_detail.py")
    assert at.subheader[0].value == f"{top['name']} · 网格长"
    assert at.metric[0].value == f"{top['final']:.2f}"
    assert at.metric[1].value == top["grade"]
    # the explanation ends "最终得分 = 基础得分 … = <final>"
    assert any(f"= {top['final']:.2f}" in m.value and "最终得分" in m.value for m in at.markdown)


def test_viewer_cannot_open_awards_whatif_or_scheme(sample_db):
    """表彰, 方案对比 and 方案设置 are not registered for a viewer."""
    at = _sign_in("demo-viewer")
    for page in ("pages/awards.py", "pages/whatif.py", "pages/scheme_settings.py"):
        with pytest.raises(ValueError):
            at.switch_page(page)


def test_awards_page_shows_quota_and_winners(sample_db):
    """The official sees the quota floor(0.2 × headcount) per role and the engine's winners."""
    results = assess_year(sample_db, 2024).results
    at = _open(_sign_in("demo-official"), "pages/awards.py")
    summary = at.dataframe[0].value.set_index("职务")
    for role in ("网格长", "联户长"):
        headcount = int((results["role"] == role).sum())
        assert summary.loc[role, "在任人数"] == headcount
        assert summary.loc[role, "名额"] == int(0.2 * headcount + 1e-9)  # floor(0.2 × headcount)
        assert summary.loc[role, "表彰"] == int(results.loc[results["role"] == role, "award"].sum())
    assert {b.label for b in at.get("download_button")} >= {
        "下载表彰名单工作簿",
        "下载考评结果 CSV",
        "下载考评结果 XLSX",
    }


def test_whatif_raising_the_excellent_band_moves_grades(sample_db):
    """Raising 优秀 from 90 to 95 turns every 优秀 below 95 (and not vetoed) into 称职; nothing is saved."""
    results = assess_year(sample_db, 2024).results
    expected = results.loc[(results["grade"] == "优秀") & (results["final"] < 95)]
    assert len(expected) > 0
    at = _open(_sign_in("demo-official"), "pages/whatif.py")
    at.number_input(key="whatif_band_优秀").set_value(95.0)
    at.button(key="FormSubmitter:whatif_form-计算对比").click()
    _run(at)
    assert not at.exception
    diff = at.dataframe[-1].value
    moved = diff.loc[diff["当前等次"] == "优秀"]
    assert sorted(moved["编号"]) == sorted(expected["code"])
    assert set(moved["调整后等次"]) == {"称职"}
    with read_session(sample_db) as s:
        assert Scheme.from_json(s.get(AssessmentYear, 2024).scheme_json).grade_bands["优秀"] == 90


def test_scheme_settings_saves_a_valid_change(sample_db):
    """The admin lowers 加分上限 to 3: stored, and the revision goes up by one."""
    with read_session(sample_db) as s:
        before = s.get(AssessmentYear, 2024).revision
    at = _open(_sign_in("demo-admin"), "pages/scheme_settings.py")
    at.session_state["scheme_tab"] = "加分、等次与表彰"
    _run(at)
    at.number_input(key="scheme_bonus_cap").set_value(3.0)
    at.button(key="FormSubmitter:scheme_form_加分、等次与表彰-保存方案").click()
    _run(at)
    assert not at.exception
    assert not at.error
    with read_session(sample_db) as s:
        row = s.get(AssessmentYear, 2024)
        assert Scheme.from_json(row.scheme_json).bonus_cap == 3
        assert row.revision == before + 1


def test_scheme_settings_refuses_bands_out_of_order(sample_db):
    """优秀 line 70 below 称职 75 is refused naming grade_bands; the stored scheme is unchanged."""
    at = _open(_sign_in("demo-admin"), "pages/scheme_settings.py")
    at.session_state["scheme_tab"] = "加分、等次与表彰"
    _run(at)
    at.number_input(key="scheme_band_优秀").set_value(70.0)
    at.button(key="FormSubmitter:scheme_form_加分、等次与表彰-保存方案").click()
    _run(at)
    assert "grade_bands" in at.error[0].value
    with read_session(sample_db) as s:
        assert Scheme.from_json(s.get(AssessmentYear, 2024).scheme_json).grade_bands["优秀"] == 90


def test_scheme_settings_draws_and_saves_one_part(sample_db):
    """方案设置 opens on 分项权重 (its 4 fields only); saving 自评 weight 0.3 changes that weight, nothing else."""
    with read_session(sample_db) as s:
        before = Scheme.from_json(s.get(AssessmentYear, 2024).scheme_json).to_dict()
    at = _open(_sign_in("demo-admin"), "pages/scheme_settings.py")
    assert [n.key for n in at.number_input] == [f"scheme_weight_{k}" for k in COMPONENTS]
    at.number_input(key="scheme_weight_self").set_value(0.3)
    at.button(key="FormSubmitter:scheme_form_分项权重-保存方案").click()
    _run(at)
    assert not at.exception and not at.error
    with read_session(sample_db) as s:
        after = Scheme.from_json(s.get(AssessmentYear, 2024).scheme_json).to_dict()
    assert after["weights"] == {**before["weights"], "self": 0.3}
    assert {k: v for k, v in after.items() if k != "weights"} == {k: v for k, v in before.items() if k != "weights"}


def _chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["title"] for c in at.get("vega_lite_chart")]


def test_overview_draws_only_the_open_tab(sample_db):
    """总览 draws the two charts above the tabs and the open tab only: the heat map first, the trend when chosen."""
    at = _open(_sign_in("demo-viewer"), "pages/overview.py")
    assert _chart_titles(at) == ["等次分布", "最终得分分布（虚线为等次分数线）", "各村七大员履职得分率"]
    at.session_state["overview_tab"] = "历年趋势"
    _run(at)
    titles = _chart_titles(at)
    assert titles[:2] == ["等次分布", "最终得分分布（虚线为等次分数线）"]
    assert titles[2:] == ["历年等次构成", "历年平均最终得分"]  # the sample has 2023 and 2024
    assert at.dataframe[0].value.index.names == ["职务", "年度"]


def test_leader_detail_draws_only_the_open_tab(sample_db):
    """述职档案 draws 得分构成 (the waterfall, no table); each other tab draws its own chart or table only."""
    results = assess_year(sample_db, 2024).results
    top = results.loc[results["role"] == "网格长"].sort_values("township_rank").iloc[0]
    at = _sign_in("demo-viewer")
    at.query_params["code"] = top["code"]
    _open(at, "pages/leader_detail.py")
    assert len(at.get("vega_lite_chart")) == 1 and not at.dataframe
    assert any("最终得分 =" in m.value for m in at.markdown)
    drawn = {}
    for tab in ("季度考评", "履职画像", "群众评议", "往年等次"):
        at.session_state["detail_tab"] = tab
        _run(at)
        drawn[tab] = (len(at.get("vega_lite_chart")), len(at.dataframe))
        assert not any("最终得分 =" in m.value for m in at.markdown)  # the explanation stays in its tab
    # 往年等次: the sample's 2023 result of the same person, a table without a chart
    assert drawn == {"季度考评": (1, 1), "履职画像": (1, 0), "群众评议": (1, 0), "往年等次": (0, 1)}


def test_awards_pay_detail_drawn_only_when_opened(sample_db):
    """The closed 逐人明细 box sends no table; opened, it lists the 联户长 of the pay table, a page at most."""
    results = assess_year(sample_db, 2024).results
    at = _open(_sign_in("demo-official"), "pages/awards.py")
    closed = len(at.dataframe)
    at.session_state["awards_pay_detail_open"] = True
    _run(at)
    assert len(at.dataframe) == closed + 1
    leaders = int((results["role"] == "联户长").sum())
    assert len(at.dataframe[closed].value) == min(100, leaders)
