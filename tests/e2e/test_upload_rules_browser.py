"""The 数据导入 page in a real browser: a bounded error list, a hidden-sheet warning, a macro file."""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Page, expect
from test_app_browser import _count, _open, _settle, _sign_in, _upload

from dashboard.data.sample import sample_workbook

pytestmark = pytest.mark.e2e

# Screenshots go to a temporary folder, or to LIANHU_SHOTS_DIR (docs/screenshots to retake them).
SHOTS = Path(os.environ.get("LIANHU_SHOTS_DIR") or tempfile.mkdtemp(prefix="lianhu-shots-"))


def _year_2024(page: Page) -> None:
    _sign_in(page, "admin")
    _open(page, "数据导入")
    year_box = page.get_by_label("导入到的年度")
    year_box.fill("2024")
    year_box.press("Enter")
    _settle(page)


def _shoot(page: Page, name: str) -> None:
    """The page at 1366 px and at 390 px wide (a phone), kept under docs/screenshots/."""
    for width, height, suffix in ((1366, 1000, ""), (390, 1500, "_phone")):
        page.set_viewport_size({"width": width, "height": height})
        _settle(page)
        page.screenshot(path=str(SHOTS / f"{name}{suffix}.png"), full_page=True)
    page.set_viewport_size({"width": 1600, "height": 1000})


def test_600_duplicate_rows_list_500_and_count_the_rest(page: Page, e2e_db, tmp_path: Path):
    """600 copies of 群众评议 row 2: 600 errors, a table of 500 and 「另有 100 处错误未列出」."""
    path = tmp_path / "dup.xlsx"
    book = openpyxl.load_workbook(sample_workbook(2024))
    sheet = book["群众评议"]
    first = [c.value for c in sheet[2]]
    for _ in range(600):
        sheet.append(first)
    book.save(path)
    before = _count(e2e_db[1], "ballot_mark")
    _year_2024(page)
    _upload(page, path)
    expect(page.get_by_text(
        "工作簿有 600 处错误，未写入任何数据。下表列出前 500 处，另有 100 处错误未列出。请改正后重新上传。"
    )).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    _shoot(page, "import_many_errors")
    assert _count(e2e_db[1], "ballot_mark") == before


def test_hidden_sheet_warning_shown_before_confirm(page: Page, tmp_path: Path):
    """The sample with 两委打分 hidden passes the check and names the hidden sheet above 确认导入."""
    path = tmp_path / "hidden.xlsx"
    book = openpyxl.load_workbook(sample_workbook(2024))
    book["两委打分"].sheet_state = "hidden"
    book.save(path)
    _year_2024(page)
    _upload(page, path)
    expect(page.get_by_text("工作表「两委打分」在 Excel 中是隐藏的，其中的数据同样会导入", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_be_visible()
    _shoot(page, "import_hidden_sheet")


def test_macro_workbook_renamed_xlsx_refused(page: Page, tmp_path: Path):
    """A macro-enabled package uploaded as .xlsx is refused by its content, in Chinese."""
    path = tmp_path / "macro.xlsx"
    out = io.BytesIO()
    with zipfile.ZipFile(sample_workbook(2024)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 60)
    path.write_bytes(out.getvalue())
    _year_2024(page)
    _upload(page, path)
    expect(page.get_by_text("工作簿有 1 处错误，未写入任何数据")).to_be_visible()
    cells = page.get_by_test_id("stDataFrame").locator("[role=gridcell]")
    expect(cells.filter(has_text="启用宏的工作簿").first).to_be_attached()


def test_xlsm_named_file_refused_in_chinese(page: Page, tmp_path: Path):
    """A file named .xlsm dropped on the uploader gets a Chinese refusal, never an English one."""
    path = tmp_path / "考评数据.xlsm"
    path.write_bytes(sample_workbook(2024).read_bytes())
    _year_2024(page)
    _upload(page, path)
    expect(page.get_by_text("未检查、未导入：文件是启用宏的工作簿（.xlsm），为安全起见不接受")).to_be_visible()
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    _shoot(page, "import_xlsm")


def test_csv_file_refused_in_chinese(page: Page, tmp_path: Path):
    """A .csv dropped on the uploader is taken and refused by the page in Chinese (no "text/csv files are not allowed")."""
    path = tmp_path / "考评数据.csv"
    path.write_text("编号,姓名\nNYW01,张三\n", encoding="utf-8")
    _year_2024(page)
    _upload(page, path)
    expect(page.get_by_text("未检查、未导入：「考评数据.csv」不是 Excel 工作簿（.xlsx）")).to_be_visible()
    expect(page.get_by_text("not allowed")).to_have_count(0)
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
