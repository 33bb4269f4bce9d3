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
    page.get_by_text("添加人员", exact=True).click()
    settle(page)
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


def _platform_counts(db_path: Path, year: int, codes: list[str]) -> dict[tuple[str, int], int]:
    """Stored (编号, month) → reports of the given leaders in `year`."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT l.code, p.month, p.reports FROM platform_count p JOIN leader l ON l.id = p.leader_id "
            f"WHERE p.year = ? AND l.code IN ({','.join('?' * len(codes))})", (year, *codes),
        ).fetchall()
    return {(code, month): reports for code, month, reports in rows}


def _cell_points(page: Page, grid: Locator, columns: int) -> list[float]:
    """Page x of the middle of each of the first `columns` columns, found by clicking along row 1
    and reading which cell the grid marks selected."""
    canvas = grid.locator("[data-testid=data-grid-canvas]").bounding_box()
    selected = grid.locator("[aria-selected=true]")
    seen: dict[int, list[float]] = {}
    page.mouse.click(canvas["x"] + 10, canvas["y"] + _ROW * 1.5)  # the first click focuses the grid
    page.wait_for_timeout(300)
    x = canvas["x"] + 5
    while len(seen) < columns + 1 and x < canvas["x"] + canvas["width"]:
        page.mouse.click(x, canvas["y"] + _ROW * 1.5)
        page.wait_for_timeout(150)
        if selected.count():
            column = int(selected.first.get_attribute("id").split("-")[2])
            seen.setdefault(column, []).append(x)
        x += 12
    assert all(c in seen for c in range(columns)), seen
    return [sum(seen[c]) / len(seen[c]) for c in range(columns)]


_ROW = 35  # px, the grid's header and row height


def _click_and_type(page: Page, grid: Locator, x: float, row: int, value: str) -> None:
    """One mouse click on the cell at page x of data row `row`, the value typed once, Enter."""
    y = grid.locator("[data-testid=data-grid-canvas]").bounding_box()["y"] + _ROW * (row + 1.5)
    page.mouse.click(x, y)
    page.wait_for_timeout(300)
    page.keyboard.type(value)
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")
    page.wait_for_timeout(600)
    settle(page)


def test_click_after_refused_save_types_into_the_clicked_cell(page: Page, e2e_db):
    """平台上报: after a refused save (−3 in 1月 of row 1), one click on 2月 of row 1 and "5" typed once
    land in that cell; 1月 corrected to 3 and saved, the file holds 1月 3 and 2月 5 for row 1 and
    every other month of rows 1 and 2 as before."""
    db_path = e2e_db[1]
    _sign_in(page, "assessor")
    _open(page, "平台上报")
    year = int(page.get_by_role("heading", level=1).inner_text().split("·")[1].split("年")[0])
    grid = page.get_by_test_id("stDataFrame").first
    rows = grid.locator("[role=row]")
    codes = [rows.nth(i).locator("[role=gridcell]").nth(0).inner_text() for i in (1, 2)]
    before = _platform_counts(db_path, year, codes)
    xs = _cell_points(page, grid, 5)  # 编号, 姓名, 职务, 1月, 2月
    settle(page)
    # Enter commits −3 in 1月 of row 1 and moves the selection down to 1月 of row 2
    _click_and_type(page, grid, xs[3], 0, "-3")
    page.get_by_role("button", name="保存上报数").click()
    settle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="没有保存任何数据")).to_contain_text("「1月」")
    assert grid.locator("#glide-cell-3-0").inner_text() == "-3"  # still on screen to correct

    _click_and_type(page, grid, xs[4], 0, "5")  # no retry: a lost click would put 5 elsewhere
    _click_and_type(page, grid, xs[3], 0, "3")
    page.get_by_role("button", name="保存上报数").click()
    settle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="已保存")).to_be_visible()

    expected = {k: v for k, v in before.items() if k not in {(codes[0], 1), (codes[0], 2)}}
    expected |= {(codes[0], 1): 3, (codes[0], 2): 5}
    assert _platform_counts(db_path, year, codes) == expected
