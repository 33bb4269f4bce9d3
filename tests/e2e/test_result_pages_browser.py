"""Result pages in a real browser: each page per role, click-through from rankings to the
detail, the award workbook download against the `awards` command, and a what-if change."""

from __future__ import annotations

import os
import subprocess
import sys

import openpyxl
import pytest
from e2e_steps import choose_sidebar_year
from playwright.sync_api import Page, expect

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import make_engine
from dashboard.data.queries import assess_year
from dashboard.reports.labels import year_title
from dashboard.reports.whatif import compare_results
from dashboard.services.accounts import DEMO_ACCOUNTS
from dashboard.ui.navigation import pages_for_role

pytestmark = pytest.mark.e2e

YEAR = 2024  # the sample year with data (the conftest also opens an empty 2025)
PASSWORDS = {d.role: (d.username, d.password) for d in DEMO_ACCOUNTS}
RESULT_TITLES = {
    "排名": "排名",
    "述职档案": "述职档案",
    "总览": "总览",
    "表彰": "表彰",
    "方案对比": "方案对比",
    "方案设置": "方案设置",
}


def _settle(page: Page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(200)


def _sign_in(page: Page, role: str) -> None:
    username, password = PASSWORDS[role]
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    choose_sidebar_year(page, YEAR)


def _open(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).click()
    _settle(page)


@pytest.mark.parametrize("role", ["viewer", "official", "admin"])
def test_each_role_opens_its_result_pages(page: Page, role: str):
    """Every result page the role may use opens on 2024 without an error; the others are absent."""
    _sign_in(page, role)
    allowed = {spec.title for spec in pages_for_role(role)} & set(RESULT_TITLES)
    expected = {
        "viewer": {"排名", "述职档案", "总览"},
        "official": {"排名", "述职档案", "总览", "表彰", "方案对比"},
    }
    assert allowed == expected.get(role, set(RESULT_TITLES))
    for title in sorted(allowed):
        _open(page, title)
        heading = year_title(title, YEAR)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
    for title in set(RESULT_TITLES) - allowed:
        expect(page.get_by_test_id("stSidebarNavLink").filter(has_text=title)).to_have_count(0)


def test_clicking_a_ranking_row_opens_that_leaders_detail(page: Page, e2e_db):
    """The viewer clicks the 3rd 网格长 in the township ranking and lands on their 述职档案."""
    results = assess_year(make_engine(e2e_db[0]), YEAR).results
    third = results.loc[results["role"] == "网格长"].sort_values(["township_rank", "code"]).iloc[2]
    _sign_in(page, "viewer")
    _open(page, "排名")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid.locator("canvas").first).to_be_visible()
    box = grid.bounding_box()
    # the row-selection cell of row 3: header 35 px, rows 35 px each
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 35 * 2 + 17)
    expect(page.get_by_role("heading", name="述职档案", exact=False).first).to_be_visible()
    _settle(page)
    expect(page.get_by_role("heading", name=f"{third['name']} · 网格长")).to_be_visible()
    assert f"code={third['code']}" in page.url


def test_clicking_a_ranking_row_keeps_the_selected_year(page: Page):
    """After the click-through the detail still shows the year chosen in the sidebar (2024)."""
    _sign_in(page, "viewer")
    _open(page, "排名")
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid.locator("canvas").first).to_be_visible()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 16, box["y"] + 35 + 17)
    expect(page.get_by_role("heading", name=year_title("述职档案", YEAR))).to_be_visible(
        timeout=15_000
    )


def _sheet_values(path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets}


def test_award_workbook_download_matches_the_awards_command(page: Page, e2e_db, tmp_path):
    """The official downloads the award workbook: same sheets and same winners as `awards`."""
    _sign_in(page, "official")
    _open(page, "表彰")
    with page.expect_download() as info:
        page.get_by_role("button", name="下载表彰名单工作簿").click()
    downloaded = tmp_path / "app.xlsx"
    info.value.save_as(downloaded)

    cli_out = tmp_path / "cli.xlsx"
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dashboard",
            "awards",
            "--year",
            str(YEAR),
            "--out",
            str(cli_out),
            "--db",
            e2e_db[0],
        ],
        check=True,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=300,
    )
    app, cli = _sheet_values(downloaded), _sheet_values(cli_out)
    assert list(app) == ["表彰名单", "建议调整名单", "考核汇总表", "联户长报酬发放表"] == list(cli)
    assert app["表彰名单"] == cli["表彰名单"]  # the winners, row by row
    results = assess_year(make_engine(e2e_db[0]), YEAR).results
    winners = set(results.loc[results["award"], "name"])
    listed = {cell for row in app["表彰名单"] for cell in row if cell in winners}
    assert listed == winners


def test_whatif_weight_change_shows_grade_changes(page: Page, e2e_db):
    """Raising the 个人述职 weight to 3 changes exactly the grades the engine says it changes."""
    engine = make_engine(e2e_db[0])
    now = assess_year(engine, YEAR)
    changed = assess_year(engine, YEAR, now.scheme.replace({"weights": {"self": 3.0}}))
    diff = compare_results(now.results, changed.results)
    expected = int(diff["grade_changed"].sum())
    assert expected > 0  # self-scores run high in the sample, so some grades go up

    _sign_in(page, "official")
    _open(page, "方案对比")
    box = page.get_by_label("个人述职")
    box.fill("3.00")
    box.press("Tab")
    page.get_by_role("button", name="计算对比").click()
    _settle(page)
    metric = page.get_by_test_id("stMetric").filter(has_text="等次变化")
    expect(metric.get_by_test_id("stMetricValue")).to_have_text(str(expected))
    example = diff.loc[diff["grade_changed"]].iloc[0]
    # the changed leader is listed with both grades side by side
    expect(page.get_by_test_id("stDataFrame").last).to_be_visible()
    assert example["grade_now"] != example["grade_new"]
