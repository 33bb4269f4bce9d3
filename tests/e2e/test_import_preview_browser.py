"""数据导入 in a real browser: the preview before 确认导入, and the scope-escape upload refused."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from test_app_browser import _count, _open, _settle, _sign_in, _upload

from dashboard.data.sample import sample_workbook

pytestmark = pytest.mark.e2e

# Screenshots go to a temporary folder, or to LIANHU_SHOTS_DIR (docs/screenshots to retake them).
SHOTS = Path(os.environ.get("LIANHU_SHOTS_DIR") or tempfile.mkdtemp(prefix="lianhu-shots-"))


def _choose_year(page: Page, year: int) -> None:
    box = page.get_by_label("导入到的年度")
    box.fill(str(year))
    box.press("Enter")
    _settle(page)


def _shots(page: Page, name: str, anchor: str) -> None:
    """Screenshots at 1366 px and 390 px wide from the text `anchor` down, kept under docs/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 1000})
        _settle(page)
        page.get_by_text(anchor).first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{name}_{width}.png"))
    page.set_viewport_size({"width": 1600, "height": 1000})
    _settle(page)


def test_preview_lists_counts_and_removed_rows_before_confirm(page: Page, e2e_db, tmp_path: Path):
    """Sample 2024 with one 两委打分 score and one 加减分 reason edited: 修改 1, 新增 1, the old reason listed."""
    book = openpyxl.load_workbook(sample_workbook(2024))
    committee = book["两委打分"]
    header = [c.value for c in committee[1]]
    cell = committee.cell(row=2, column=header.index("社情民意信息员") + 1)
    cell.value = 1 if cell.value != 1 else 2
    adjustments = book["加减分"]
    adjustments.cell(row=2, column=5, value="协助调解纠纷（更正事由）")
    path = tmp_path / "edited.xlsx"
    book.save(path)
    before = _count(e2e_db[1], "committee_score"), _count(e2e_db[1], "adjustment")

    _sign_in(page, "admin")
    _open(page, "数据导入")
    _choose_year(page, 2024)
    _upload(page, path)
    expect(page.get_by_text("检查通过")).to_be_visible()
    expect(page.get_by_text("导入预览")).to_be_visible()
    preview = page.get_by_test_id("stDataFrame").first
    expect(preview.locator("[role=gridcell]").filter(has_text="两委打分")).to_have_count(1)
    expect(page.get_by_text("以下 1 行将被删除")).to_be_visible()
    removed = page.get_by_test_id("stDataFrame").nth(1).locator("[role=gridcell]")
    expect(removed.filter(has_text="NYL012").first).to_be_attached()
    expect(removed.filter(has_text="协助调解重大矛盾纠纷").first).to_be_attached()
    expect(page.get_by_role("button", name="确认导入")).to_be_visible()
    _shots(page, "import_preview", "检查通过")
    assert (_count(e2e_db[1], "committee_score"), _count(e2e_db[1], "adjustment")) == before


def test_escape_upload_refused_on_the_page(page: Page, e2e_db, tmp_path: Path):
    """demo-assessor's upload moving 扎西卓嘎 (NYL010, 江车村) into 南峪村 is refused with the row named."""
    book = openpyxl.load_workbook(sample_workbook(2024))
    roster = book["人员名册"]
    header = [c.value for c in roster[1]]
    rows = list(roster.iter_rows(min_row=2, values_only=True))
    mine = next(r for r in rows if r[header.index("编号")] == "NYL010")
    assert mine[header.index("村")] == "江车村"
    escape = openpyxl.Workbook()
    sheet = escape.active
    sheet.title = "人员名册"
    sheet.append(header)
    moved = list(mine)
    moved[header.index("村")] = "南峪村"
    sheet.append(moved)
    report = escape.create_sheet("个人述职")
    report.append([c.value for c in book["个人述职"][1]])
    report.append(["NYL010", "扎西卓嘎", *[100] * 7])
    path = tmp_path / "escape.xlsx"
    escape.save(path)
    before = _count(e2e_db[1], "self_report"), _count(e2e_db[1], "leader")

    _sign_in(page, "assessor")
    _open(page, "数据导入")
    _choose_year(page, 2024)
    _upload(page, path)
    expect(page.get_by_text("工作簿有 2 处错误，未写入任何数据")).to_be_visible()
    cells = page.get_by_test_id("stDataFrame").locator("[role=gridcell]")
    expect(cells.filter(has_text="编号 NYL010（扎西卓嘎）：现属 南峪乡/江车村，不在您负责的村内").first).to_be_attached()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    _shots(page, "import_scope_refused", "检查完成")
    assert (_count(e2e_db[1], "self_report"), _count(e2e_db[1], "leader")) == before


def test_preview_counts_committee_members_and_warns_of_unlisted_raters(page: Page, e2e_db, tmp_path: Path):
    """Sample 2024 plus a 两委成员 sheet naming 东山村's first two raters and one new member: the
    preview counts 两委成员 新增 3 and warns of 东山村's other raters; nothing is written yet."""
    book = openpyxl.load_workbook(sample_workbook(2024))
    roster = book["人员名册"]
    header = [c.value for c in roster[1]]
    dongshan = {r[header.index("编号")] for r in roster.iter_rows(min_row=2, values_only=True)
                if r[header.index("村")] == "东山村"}
    committee = book["两委打分"]
    cols = [c.value for c in committee[1]]
    raters = sorted({r[cols.index("评分人")] for r in committee.iter_rows(min_row=2, values_only=True)
                     if r[cols.index("编号")] in dongshan})
    assert len(raters) >= 3
    members = book.create_sheet("两委成员")
    members.append(["乡镇", "村", "姓名", "职务"])
    for name, post in ((raters[0], "书记"), (raters[1], "主任"), ("新 委员", "委员")):
        members.append(["南峪乡", "东山村", name, post])
    path = tmp_path / "members.xlsx"
    book.save(path)
    before = _count(e2e_db[1], "committee_member")

    _sign_in(page, "admin")
    _open(page, "数据导入")
    _choose_year(page, 2024)
    _upload(page, path)
    expect(page.get_by_text("检查通过")).to_be_visible()
    preview = page.get_by_test_id("stDataFrame").first
    expect(preview.locator("[role=row]").filter(has_text="两委成员")).to_contain_text("3")
    expect(page.get_by_text(f"评分人「{raters[2]}」不在 南峪乡/东山村 2024 年度的两委成员名单中")).to_be_visible()
    _shots(page, "data_import_members", "检查通过")
    assert _count(e2e_db[1], "committee_member") == before
