"""The app in a real browser: sign-in per role, URL access, committee entry, import, template."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import openpyxl
import pytest
from conftest import EMPTY_YEAR
from e2e_steps import choose_sidebar_year, paste_into_grid, type_into_cell
from playwright.sync_api import Page, expect

from dashboard.data.sample import sample_workbook
from dashboard.domain import DUTIES
from dashboard.services.accounts import DEMO_ACCOUNTS
from dashboard.ui.navigation import pages_for_role

pytestmark = pytest.mark.e2e

# The 两委打分 grid shows 编号, 姓名, 职务, then the seven duties.
FIRST_DUTY = 3
DUTY_NAMES = list(DUTIES.values())
PASSWORDS = {d.role: (d.username, d.password) for d in DEMO_ACCOUNTS}


def _settle(page: Page) -> None:
    """Wait until the script run has finished (Streamlit's running indicator is gone)."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(200)


def _sign_in(page: Page, role: str) -> None:
    username, password = PASSWORDS[role]
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    _settle(page)


def _nav_titles(page: Page) -> list[str]:
    links = page.get_by_test_id("stSidebarNavLink")
    # each link reads "<icon name>\n\n<title>"; the title is the last line
    return [text.split("\n")[-1].strip() for text in links.all_inner_texts()]


def _open(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).click()
    _settle(page)


def _select_year(page: Page, year: int) -> None:
    choose_sidebar_year(page, year)


def _count(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("role", ["admin", "assessor", "viewer", "official"])
def test_each_role_sees_exactly_its_pages(page: Page, role: str):
    """Signed out only the form; signed in, the sidebar links are exactly the role's pages."""
    expect(page.get_by_label("用户名")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
    _sign_in(page, role)
    assert _nav_titles(page) == [p.title for p in pages_for_role(role)]
    expect(page.get_by_text("演示数据").first).to_be_visible()


def test_viewer_cannot_reach_committee_page_by_url(page: Page, app_url: str):
    """/committee typed in the address bar asks for sign-in; a viewer signed in there gets a refusal."""
    page.goto(f"{app_url}/committee")
    expect(page.get_by_label("用户名")).to_be_visible()
    _settle(page)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("button", name="保存打分")).to_have_count(0)
    _sign_in(page, "viewer")
    assert "两委打分" not in _nav_titles(page)
    expect(page.locator("h1").first).to_have_text("无权访问")
    expect(page.get_by_text("您的角色（查看）不能使用这个页面。")).to_be_visible()
    expect(page.get_by_role("button", name="保存打分")).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)


def test_committee_entry_changes_completion(page: Page):
    """An assessor fills one leader's seven scores in the grid, saves, and 一季度 goes 0/8 → 1/8."""
    _sign_in(page, "assessor")
    # the newest year (the empty 2025) is selected by default; 东山村 has 8 leaders
    expect(page.locator("h1").first).to_contain_text(f"{EMPTY_YEAR}")
    expect(page.get_by_text("一季度 0/8").first).to_be_visible()

    _open(page, "两委打分")
    rater = page.get_by_label("评分人（两委成员姓名）")
    rater.fill("测试委员")
    rater.press("Enter")
    _settle(page)
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid.locator("[role=gridcell]").first).to_have_text("NYW15")
    values = ["18", "12.5", "9", "17", "8", "14", "10"]  # within 20, 15, 10, 20, 10, 15, 10
    for i, value in enumerate(values):
        type_into_cell(page, grid, row=0, column=FIRST_DUTY + i, value=value)
    first_row = grid.locator("[role=row]").nth(1).locator("[role=gridcell]")
    # the accessible cell text is the plain number
    assert [first_row.nth(FIRST_DUTY + i).inner_text() for i in range(7)] == values
    page.get_by_role("button", name="保存打分").click()
    _settle(page)
    expect(page.get_by_text("已保存 测试委员 第 1 季度对 1 人的打分")).to_be_visible()

    _open(page, "完成情况")
    expect(page.get_by_text("一季度 1/8").first).to_be_visible()


def test_committee_out_of_range_refused_naming_leader_and_column(page: Page, e2e_db):
    """105 typed under 信息员 ≤20 stays on screen, the refusal names 姓名/编号 and the column, nothing is stored."""
    db_path = e2e_db[1]
    _sign_in(page, "assessor")
    _open(page, "两委打分")
    rater = page.get_by_label("评分人（两委成员姓名）")
    rater.fill("核对委员")
    rater.press("Enter")
    _settle(page)
    grid = page.get_by_test_id("stDataFrame").first
    first_row = grid.locator("[role=row]").nth(1).locator("[role=gridcell]")
    code, name = first_row.nth(0).inner_text(), first_row.nth(1).inner_text()
    values = ["105", "12.5", "9", "17", "8", "14", "10"]  # 105 > 20, the rest within their maxima
    for i, value in enumerate(values):
        type_into_cell(page, grid, row=0, column=FIRST_DUTY + i, value=value)
    before = _count(db_path, "committee_score")
    page.get_by_role("button", name="保存打分").click()
    _settle(page)
    alert = page.get_by_test_id("stAlert").filter(has_text="未保存")
    expect(alert).to_contain_text("两委打分：发现 1 处错误，没有保存任何数据")
    expect(alert).to_contain_text(f"第 1 行（{name}（编号 {code}））「社情民意信息员」列：分值 105 超过满分 20")
    # what was typed stays on screen to correct; nothing was written
    assert [first_row.nth(FIRST_DUTY + i).inner_text() for i in range(7)] == values
    assert _count(db_path, "committee_score") == before


def test_self_report_bad_value_names_field_keeps_others(page: Page, e2e_db):
    """个人述职 with 105 in 巡逻员: the message names the field; the other six values stay typed."""
    _sign_in(page, "assessor")
    _open(page, "个人述职")
    before = _count(e2e_db[1], "self_report")
    values = {name: ("105" if name == "治安联防巡逻员" else "88.5") for name in DUTY_NAMES}
    for name, value in values.items():
        page.get_by_label(name, exact=True).fill(value)
    page.get_by_role("button", name="保存个人述职").click()
    _settle(page)
    alert = page.get_by_test_id("stAlert").filter(has_text="未保存")
    expect(alert).to_contain_text("个人述职：发现 1 处错误")
    expect(alert).to_contain_text("「治安联防巡逻员」列：分值 105 超过满分 100")
    for name, value in values.items():
        expect(page.get_by_label(name, exact=True)).to_have_value(value)
    assert _count(e2e_db[1], "self_report") == before


def _rows(db_path: Path, sql: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql).fetchone()[0]


def test_member_from_list_saves_draft_that_counts_after_complete(page: Page, e2e_db):
    """A member added to the list and picked as rater saves two cells as a draft, types a third
    right after saving (no reopening) and saves again: no score is stored until the sheet is
    complete and saved, and then the draft is gone."""
    db_path = e2e_db[1]
    scores = "SELECT count(*) FROM committee_score WHERE rater = '草稿委员'"
    drafts = "SELECT count(*) FROM committee_draft WHERE rater = '草稿委员'"
    filled = "SELECT count(publicity) FROM committee_draft WHERE rater = '草稿委员'"
    _sign_in(page, "assessor")
    _open(page, "两委打分")
    page.get_by_text("两委成员名单").click()
    page.get_by_label("姓名", exact=True).fill("草稿 委员")
    page.get_by_role("button", name="添加成员").click()
    _settle(page)
    page.get_by_label("评分人（两委成员姓名）").click()
    page.get_by_role("option", name="草稿委员（委员）").click()
    _settle(page)
    grid = page.get_by_test_id("stDataFrame").first
    values = ["18", "12.5", "9", "17", "8", "14", "10"]
    for i, value in enumerate(values[:2]):
        type_into_cell(page, grid, row=0, column=FIRST_DUTY + i, value=value)
    page.get_by_role("button", name="保存草稿").click()
    _settle(page)
    expect(page.get_by_text("已保存 草稿委员 第 1 季度的草稿（1 人，2 格）")).to_be_visible()
    assert (_rows(db_path, scores), _rows(db_path, drafts)) == (0, 1)
    # typing goes on right after the save, in the same grid
    type_into_cell(page, grid, row=0, column=FIRST_DUTY + 2, value=values[2])
    page.get_by_role("button", name="保存草稿").click()
    _settle(page)
    expect(page.get_by_text("已保存 草稿委员 第 1 季度的草稿（1 人，3 格）")).to_be_visible()
    assert (_rows(db_path, scores), _rows(db_path, drafts), _rows(db_path, filled)) == (0, 1, 1)

    # another evening: the page opened again, the member picked again, the draft is where it was left
    _open(page, "完成情况")
    _open(page, "两委打分")
    page.get_by_label("评分人（两委成员姓名）").click()
    page.get_by_role("option", name="草稿委员（委员）").click()
    _settle(page)
    expect(page.get_by_text("这是未完成的草稿（不计入任何结果）")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").first
    first_row = grid.locator("[role=row]").nth(1).locator("[role=gridcell]")
    assert [first_row.nth(FIRST_DUTY + i).inner_text() for i in range(4)] == ["18", "12.5", "9", ""]
    for i, value in enumerate(values[3:], start=3):
        type_into_cell(page, grid, row=0, column=FIRST_DUTY + i, value=value)
    page.get_by_role("button", name="保存打分").click()
    _settle(page)
    expect(page.get_by_text("已保存 草稿委员 第 1 季度对 1 人的打分")).to_be_visible()
    assert (_rows(db_path, scores), _rows(db_path, drafts)) == (1, 0)


def test_committee_paste_from_excel_refused_then_saved_as_typed(page: Page, e2e_db):
    """A pasted row with 105 under 信息员 ≤20 is refused naming the leader and column, nothing stored;
    a pasted 2×7 block is then saved exactly as typed (12.5 stays 12.5)."""
    db_path = e2e_db[1]
    stored = "SELECT count(*) FROM committee_score WHERE rater = '粘贴委员'"
    _sign_in(page, "assessor")
    _open(page, "两委打分")
    rater = page.get_by_label("评分人（两委成员姓名）")
    rater.fill("粘贴委员")
    rater.press("Enter")
    _settle(page)
    grid = page.get_by_test_id("stDataFrame").first
    rows = grid.locator("[role=row]")
    code, name = (rows.nth(1).locator("[role=gridcell]").nth(i).inner_text() for i in (0, 1))
    # (the grid draws a paste on its canvas; its accessible cells are not refreshed, so the save's
    # message and the database show what the paste put in)
    paste_into_grid(page, grid, row=0, column=FIRST_DUTY, text="105\t12.5\t9\t17\t8\t14\t10")
    page.get_by_role("button", name="保存打分").click()
    _settle(page)
    alert = page.get_by_test_id("stAlert").filter(has_text="未保存")
    expect(alert).to_contain_text(f"第 1 行（{name}（编号 {code}））「社情民意信息员」列：分值 105 超过满分 20")
    assert _rows(db_path, stored) == 0

    block = "18\t12.5\t9\t17\t8\t14\t10\n16\t11\t8\t15\t7\t13\t9"
    paste_into_grid(page, grid, row=0, column=FIRST_DUTY, text=block)
    page.get_by_role("button", name="保存打分").click()
    _settle(page)
    expect(page.get_by_text("已保存 粘贴委员 第 1 季度对 2 人的打分")).to_be_visible()
    with sqlite3.connect(db_path) as conn:
        got = conn.execute(
            "SELECT l.code, s.info, s.service, s.unity FROM committee_score s JOIN leader l ON l.id = s.leader_id "
            "WHERE s.rater = '粘贴委员' ORDER BY s.info DESC").fetchall()
    assert got[0] == (code, 18.0, 12.5, 10.0)
    assert [tuple(r[1:]) for r in got] == [(18.0, 12.5, 10.0), (16.0, 11.0, 9.0)]
    assert _rows(db_path, stored) == 2


def _upload(page: Page, path: Path) -> None:
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(path))
    _settle(page)


def test_upload_broken_then_sample_workbook(page: Page, e2e_db, tmp_path: Path):
    """A workbook with 信息员 25 > 20 lists the error and writes nothing; the sample imports."""
    db_path = e2e_db[1]
    broken = tmp_path / "broken.xlsx"
    book = openpyxl.load_workbook(sample_workbook(2024))
    sheet = book["两委打分"]
    header = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=header.index("社情民意信息员") + 1, value=25)
    book.save(broken)
    before = _count(db_path, "committee_score")

    _sign_in(page, "admin")
    _open(page, "数据导入")
    year_box = page.get_by_label("导入到的年度")
    year_box.fill("2024")
    year_box.press("Enter")
    _settle(page)
    _upload(page, broken)
    expect(page.get_by_text("工作簿有 1 处错误，未写入任何数据")).to_be_visible()
    errors = page.get_by_test_id("stDataFrame").locator("[role=gridcell]")
    expect(errors.filter(has_text="超过满分 20").first).to_be_attached()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    assert _count(db_path, "committee_score") == before

    _upload(page, sample_workbook(2024))
    expect(page.get_by_text("检查通过")).to_be_visible()
    page.get_by_role("button", name="确认导入").click()
    _settle(page)
    expect(page.get_by_text("已导入 2024 年度")).to_be_visible()
    # the sample replaces 2024's sheets with the same content: as many committee rows as before
    assert _count(db_path, "committee_score") == before


def test_download_template_of_assessor_scope(page: Page, tmp_path: Path):
    """The assessor's template opens in openpyxl with the 20 leaders of 东山村 and 南峪村 only."""
    _sign_in(page, "assessor")
    _open(page, "数据导入")
    page.get_by_role("button", name="生成模板").click()
    _settle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="下载模板（.xlsx）").click()
    path = tmp_path / "template.xlsx"
    info.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "人员名册"
    rows = list(book["人员名册"].iter_rows(min_row=2, values_only=True))
    header = [c.value for c in book["人员名册"][1]]
    villages = {row[header.index("村")] for row in rows}
    assert villages == {"东山村", "南峪村"}
    # 8 leaders in 东山村 + 12 in 南峪村 (as the completion page counts them)
    assert len(rows) == 20
