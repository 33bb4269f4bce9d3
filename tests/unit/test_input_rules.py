"""Input rules shared by the importer and the entry services: invisible characters, two decimals,
the bounded error list, and macro-enabled workbooks refused by content."""

from __future__ import annotations

import io
import zipfile

import pytest
from factories import real_workbook
from openpyxl import Workbook

from dashboard.data.filesafety import MACRO_WORKBOOK, workbook_file_problem
from dashboard.data.validation import (
    CellError,
    ErrorList,
    FieldError,
    parse_code,
    parse_mark,
    parse_name,
    parse_narrative,
    parse_positive_points,
    parse_score,
    parse_text,
)

# --- invisible characters -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("杨\u200b卓玛", "第 2 个字符是不可见字符 U+200B（零宽空格）"),
        ("杨卓\u200c玛", "第 3 个字符是不可见字符 U+200C（零宽不连字）"),
        ("杨卓\u200d玛", "第 3 个字符是不可见字符 U+200D（零宽连字）"),
        ("杨\u2060卓玛", "第 2 个字符是不可见字符 U+2060（零宽不换行符）"),
        ("杨卓\ufeff玛", "第 3 个字符是不可见字符 U+FEFF（零宽不换行空格（字节顺序标记））"),
        ("杨\u00ad卓玛", "第 2 个字符是不可见字符 U+00AD（软连字符）"),
        ("\u202e杨卓玛", "第 1 个字符是不可见字符 U+202E（双向文本控制符）"),
        ("杨卓玛\u2067", "第 4 个字符是不可见字符 U+2067（双向文本控制符）"),
        ("杨\x07卓玛", "第 2 个字符是不可见字符 U+0007（控制字符）"),
        ("杨\u3164卓玛", "第 2 个字符是不可见字符 U+3164（韩文填充符）"),
    ],
)
def test_invisible_character_in_a_name_is_refused_with_its_position(text, message):
    """Each Cf/Cc or blank letter inside a name is named by position and code point."""
    with pytest.raises(FieldError) as err:
        parse_name(text)
    assert err.value.reason == f"{message}，请删除后重新输入"


def test_zero_width_space_at_the_ends_is_stripped_like_a_space():
    """Pasted names often carry a ZWSP or BOM at an end: stripped, like spaces (not an error)."""
    assert parse_name("\u200b杨卓玛\ufeff") == "杨卓玛"


def test_position_counts_after_the_ends_are_stripped():
    """「  马\u200b忠义」: the leading spaces go, the ZWSP is the 2nd character of 马​忠义."""
    with pytest.raises(FieldError, match="第 2 个字符"):
        parse_text("  马\u200b忠义", what="事由")


def test_every_text_field_shares_the_rule():
    """Codes, category words, reasons and the narrative refuse a ZWSP too."""
    for parse in (parse_code, parse_mark, parse_narrative, lambda v: parse_text(v, what="村")):
        with pytest.raises(FieldError, match="不可见字符 U\\+200B"):
            parse("称\u200b职")


def test_line_breaks_and_tabs_in_long_text_pass():
    """A reason typed over two lines (Alt+Enter in Excel) keeps its line break."""
    assert parse_narrative("走访 120 户\n调解纠纷 3 起\t完成") == "走访 120 户\n调解纠纷 3 起\t完成"


def test_visible_chinese_tibetan_and_full_width_space_pass():
    """Ordinary Chinese, Tibetan script and an inner full-width space are not invisible."""
    assert parse_text("南峪村\u3000第一网格", what="网格") == "南峪村\u3000第一网格"
    assert parse_text("བཀྲ་ཤིས་", what="姓名") == "བཀྲ་ཤིས་"


# --- two decimals ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [17.125, "17.125", 0.001, "１７．１２５"])
def test_a_third_decimal_is_refused(value):
    """17.125 (number, text, full-width text) and 0.001 carry three decimals."""
    with pytest.raises(FieldError, match="最多两位小数"):
        parse_score(value, max_value=20)
    with pytest.raises(FieldError, match="最多两位小数"):
        parse_positive_points(value)


def test_binary_noise_from_excel_is_not_a_third_decimal():
    """0.1 + 0.2 = 0.30000000000000004 shows as 0.3 in Excel (15 digits): read as 0.3."""
    assert parse_score(0.1 + 0.2, max_value=20) == 0.3
    assert parse_score(17.55, max_value=20) == 17.55
    # 20.000000000000004 is 20 at Excel's precision, so it is not over the maximum 20.
    assert parse_score(20 + 4e-15, max_value=20) == 20.0
    assert parse_positive_points(1.1 + 2.2) == 3.3


# --- the bounded error list -----------------------------------------------------------------


def test_error_list_keeps_500_and_counts_the_rest():
    """600 errors: the first 500 kept in order, 100 counted, total 600."""
    errors = ErrorList()
    for row in range(2, 602):
        errors.append(CellError("群众评议", row, "评价", "x"))
    assert len(errors) == 500
    assert (errors[0].row, errors[-1].row) == (2, 501)
    assert (errors.unlisted, errors.total) == (100, 600)
    merged = ErrorList(errors)
    assert (len(merged), merged.unlisted) == (500, 100)


# --- macro-enabled workbooks ----------------------------------------------------------------


def _macro_package(*, content_type: bool, vba: bool) -> bytes:
    """An openpyxl .xlsx rewritten as .xlsm would be: macro main part type and/or vbaProject.bin."""
    book = Workbook()
    book.active.title = "人员名册"
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if content_type and info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
                assert b"macroEnabled" in data
            dst.writestr(info, data)
        if vba:
            dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"\0" * 60)
    return out.getvalue()


@pytest.mark.parametrize(("content_type", "vba"), [(True, False), (False, True), (True, True)])
def test_macro_workbook_refused_by_content_whatever_its_name(content_type, vba):
    """A macro main part type or a vbaProject.bin part is refused, even as bytes with no name."""
    assert workbook_file_problem(_macro_package(content_type=content_type, vba=vba)) == MACRO_WORKBOOK


def test_xlsm_file_name_refused_and_plain_xlsx_accepted(tmp_path):
    """A path ending .xlsm is refused by its name too; the same bytes as .xlsx pass."""
    data = real_workbook()
    (tmp_path / "a.xlsm").write_bytes(data)
    (tmp_path / "a.xlsx").write_bytes(data)
    assert workbook_file_problem(tmp_path / "a.xlsm") == MACRO_WORKBOOK
    assert workbook_file_problem(str(tmp_path / "a.xlsx")) is None
    assert "xlsm" in MACRO_WORKBOOK and "另存为" in MACRO_WORKBOOK
