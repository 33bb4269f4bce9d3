"""The quarter views in a real browser on the seeded sample 南峪乡: 季度考评 with its notice
download, the four-quarter trend on 述职档案, and the 综治E通 monthly heatmap."""

from __future__ import annotations

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from test_result_pages_browser import YEAR, _open, _settle, _sign_in

from dashboard.data.db import make_engine
from dashboard.data.quarter_queries import assess_quarter
from dashboard.reports.labels import year_title

pytestmark = pytest.mark.e2e


def _chart_heights(page: Page) -> list[float]:
    return [el.bounding_box()["height"] for el in page.get_by_test_id("stVegaLiteChart").all()]


def test_quarter_page_renders_and_the_notice_downloads(page: Page, e2e_db, tmp_path):
    """The official opens 季度考评 (第四季度) and downloads the notice: three sheets, every assessed 网格长."""
    _sign_in(page, "official")
    _open(page, "季度考评")
    expect(page.get_by_role("heading", name=year_title("季度考评", YEAR))).to_be_visible()
    expect(page.get_by_text(f"{YEAR} 年第四季度 · 乡镇级排名 · 网格长")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载季度考评通报").click()
    path = tmp_path / "notice.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename == f"季度考评通报_{YEAR}_第4季度.xlsx"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["网格长", "联户长", "未考评"]
    assert book["网格长"]["A1"].value == f"南峪乡 {YEAR} 年第四季度考评通报（网格长）"
    rows = assess_quarter(make_engine(e2e_db[0]), YEAR, 4).rows
    grid = set(rows.loc[(rows["role"] == "网格长") & rows["assessed"], "name"])
    names = {c for row in book["网格长"].iter_rows(values_only=True) for c in row if c in grid}
    assert names == grid


def test_leader_detail_shows_the_quarter_trend_chart(page: Page):
    """述职档案's tab 季度考评 shows a drawn trend chart and the four quarters."""
    _sign_in(page, "viewer")
    _open(page, "述职档案")
    page.get_by_role("tab", name="季度考评").click()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
    # On a loaded machine the chart arrives after the heading: wait for it, then measure.
    expect(page.get_by_test_id("stVegaLiteChart").first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)
    assert _chart_heights(page)[0] > 100  # the trend chart is drawn, not an empty box
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_platform_watch_draws_the_heatmap(page: Page):
    """月度上报 draws the village × month heatmap and the zero-report list with its CSV download."""
    _sign_in(page, "viewer")
    _open(page, "月度上报")
    expect(page.get_by_role("heading", name=year_title("月度上报", YEAR))).to_be_visible()
    expect(page.get_by_role("heading", name="当月零上报人员")).to_be_visible()
    _settle(page)
    assert _chart_heights(page)[0] > 150  # eight villages at 24 px each
    expect(page.get_by_role("button", name="下载零上报名单 CSV")).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
