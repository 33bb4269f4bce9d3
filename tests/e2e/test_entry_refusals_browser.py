"""One bad value on each entry page: refused with a Chinese message naming the leader and the column,
nothing stored (the SQLite file says so), and what was typed still on screen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from e2e_steps import settle, type_into_cell
from playwright.sync_api import Locator, Page, expect
from test_app_browser import _open, _sign_in

pytestmark = pytest.mark.e2e


def _count(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _leader(grid: Locator) -> tuple[str, str]:
    """编号 and 姓名 of the grid's first row."""
    cells = grid.locator("[role=row]").nth(1).locator("[role=gridcell]")
    return cells.nth(0).inner_text(), cells.nth(1).inner_text()


def _refused(page: Page, *, who: str, column: str, reason: str) -> None:
    alert = page.get_by_test_id("stAlert").filter(has_text="没有保存任何数据")
    expect(alert).to_contain_text(who)
    expect(alert).to_contain_text(f"「{column}」")
    expect(alert).to_contain_text(reason)


def test_tally_with_a_fraction_is_refused(page: Page, e2e_db):
    """群众评议 按汇总票数: 2.5 votes under 优秀 is refused naming the leader and 优秀; no mark is stored."""
    db_path = e2e_db[1]
    _sign_in(page, "assessor")
    _open(page, "群众评议")
    page.get_by_role("tab", name="按汇总票数录入").click()
    grid = page.get_by_test_id("stDataFrame").locator("visible=true").first
    code, name = _leader(grid)
    before = _count(db_path, "ballot_mark")
    type_into_cell(page, grid, row=0, column=2, value="2.5")  # 编号, 姓名, then 优秀
    page.get_by_role("button", name="保存汇总票数").click()
    settle(page)
    _refused(page, who=f"{name}（编号 {code}）", column="优秀", reason="2.5")
    assert grid.locator("#glide-cell-2-0").inner_text() == "2.5"
    assert _count(db_path, "ballot_mark") == before


def test_negative_platform_count_is_refused(page: Page, e2e_db):
    """平台上报 (综治E通): −3 reports in 1月 is refused naming the leader and 1月; no count is stored."""
    db_path = e2e_db[1]
    _sign_in(page, "assessor")
    _open(page, "平台上报")
    grid = page.get_by_test_id("stDataFrame").first
    code, name = _leader(grid)
    before = _count(db_path, "platform_count")
    type_into_cell(page, grid, row=0, column=3, value="-3")  # 编号, 姓名, 职务, then 1月
    page.get_by_role("button", name="保存上报数").click()
    settle(page)
    _refused(page, who=f"{name}（编号 {code}）", column="1月", reason="-3")
    assert grid.locator("#glide-cell-3-0").inner_text() == "-3"
    assert _count(db_path, "platform_count") == before


def test_adjustment_with_three_decimals_is_refused(page: Page, e2e_db):
    """加减分: 1.255 points is refused naming the leader and 分值; nothing is registered; 1.255 stays typed."""
    db_path = e2e_db[1]
    _sign_in(page, "assessor")
    _open(page, "加减分")
    # the leader box shows "编号 姓名（职务）" of the first leader
    chosen = page.get_by_test_id("stForm").get_by_role("combobox").first.input_value()
    code, name = chosen.split("（")[0].split(" ")
    before = _count(db_path, "adjustment")
    page.get_by_label("分值（一票否决不填）").fill("1.255")
    page.get_by_label("事由（必填）").fill("协助调解")
    page.get_by_role("button", name="登记").click()
    settle(page)
    _refused(page, who=f"{name}（编号 {code}）", column="分值", reason="1.255")
    expect(page.get_by_label("分值（一票否决不填）")).to_have_value("1.255")
    assert _count(db_path, "adjustment") == before


def test_roster_phone_too_long_is_refused(page: Page, e2e_db):
    """人员名册 添加人员: a 40-digit 联系电话 is refused naming the person and 联系电话; nobody is added."""
    db_path = e2e_db[1]
    _sign_in(page, "admin")
    _open(page, "人员名册")
    before = _count(db_path, "leader")
    page.get_by_label("编号", exact=True).first.fill("NYT99")
    page.get_by_label("姓名", exact=True).first.fill("测试人员")
    page.get_by_label("网格", exact=True).first.fill("第一网格")
    page.get_by_label("联防组（网格长留空）").first.fill("第一联防组")
    phone = "1" * 40
    page.get_by_label("联系电话").first.fill(phone)
    page.get_by_role("button", name="保存", exact=True).first.click()
    settle(page)
    _refused(page, who="测试人员（编号 NYT99）", column="联系电话", reason="最多 32 个字")
    expect(page.get_by_label("联系电话").first).to_have_value(phone)
    assert _count(db_path, "leader") == before
