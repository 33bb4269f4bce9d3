"""Field validators shared by the importer and the entry services (dashboard.data.validation)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dashboard.data.validation import (
    CellError,
    FieldError,
    normalize_cell,
    parse_adjustment_kind,
    parse_code,
    parse_count,
    parse_date,
    parse_gender,
    parse_grade,
    parse_mark,
    parse_month,
    parse_name,
    parse_narrative,
    parse_positive_points,
    parse_quarter,
    parse_role,
    parse_score,
    parse_status,
    parse_text,
)


def test_cell_error_text_names_sheet_row_and_column():
    """A CellError prints as 工作表「…」第 N 行「列」列：原因."""
    err = CellError(sheet="两委打分", row=12, column="社情民意信息员", reason="分值 25 超过满分 20")
    assert str(err) == "工作表「两委打分」第 12 行「社情民意信息员」列：分值 25 超过满分 20"


def test_cell_error_without_row_names_sheet_only():
    """A sheet-level error (missing column) has no row part."""
    err = CellError(sheet="群众评议", row=None, column="评价", reason="缺少必填列")
    assert str(err) == "工作表「群众评议」「评价」列：缺少必填列"


def test_cell_error_from_field_error_keeps_reason():
    """Turning a FieldError into a CellError keeps its reason and adds the place."""
    with pytest.raises(FieldError) as info:
        parse_score(25, max_value=20)
    err = CellError.from_field_error(info.value, sheet="两委打分", row=3, column="社情民意信息员")
    assert str(err) == "工作表「两委打分」第 3 行「社情民意信息员」列：分值 25 超过满分 20"


def test_normalize_strips_full_width_spaces_and_folds_digits():
    """Full-width digits, period and the ideographic space become plain ASCII."""
    assert normalize_cell("\u3000１７．５ ") == "17.5"
    assert normalize_cell("　　") is None
    assert normalize_cell(None) is None
    assert normalize_cell(3) == 3


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(17.5, 17.5), (17.25, 17.25), ("１７．２５", 17.25), (" 18 ", 18.0), (0, 0.0), (20, 20.0), ("17。5", 17.5)],
)
def test_score_accepts_up_to_two_decimals(raw, expected):
    """Scores in [0, max] with at most two decimals are accepted, full-width text too."""
    assert parse_score(raw, max_value=20) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (20.01, "分值 20.01 超过满分 20"),
        (17.125, "分值 17.125 最多两位小数"),
        (-1, "分值 -1 不能为负数"),
        ("=1+1", "以 = 开头的文本不能作为分值：=1+1"),
        ("＝1+1", "以 = 开头的文本不能作为分值：=1+1"),
        ("+5", "以 + 开头的文本不能作为分值：+5"),
        ("-5", "分值 -5 不能为负数"),  # typed in a grid: a negative number, not a formula
        ("@A1", "以 @ 开头的文本不能作为分值：@A1"),
        ("十八", "应为分值，实际为「十八」"),
        (None, "分值不能为空"),
        ("  ", "分值不能为空"),
        (True, "应为分值，实际为 True"),
        (float("nan"), "应为分值，实际为 nan"),
    ],
)
def test_score_rejections_have_chinese_reasons(raw, reason):
    """Out-of-range, too precise, formula-looking, non-numeric and empty scores are refused."""
    with pytest.raises(FieldError) as info:
        parse_score(raw, max_value=20)
    assert info.value.reason == reason


def test_score_maximum_comes_from_caller():
    """The rubric maximum is a parameter: 12 is fine under 15 and refused under 10."""
    assert parse_score(12, max_value=15) == 12.0
    with pytest.raises(FieldError, match="超过满分 10"):
        parse_score(12, max_value=10)


def test_positive_points_must_exceed_zero():
    """Adjustment points are > 0 and not capped."""
    assert parse_positive_points("２.5") == 2.5
    assert parse_positive_points(150) == 150.0
    with pytest.raises(FieldError, match="应大于 0"):
        parse_positive_points(0)
    with pytest.raises(FieldError, match="不能为空"):
        parse_positive_points(None)
    with pytest.raises(FieldError, match="^分值 -1.5 应大于 0$"):
        parse_positive_points("-1.5")


def test_count_accepts_whole_numbers_only():
    """Counts are whole numbers ≥ 0; 3.0 from Excel is 3, 3.5 and -1 are refused."""
    assert parse_count(3.0) == 3
    assert parse_count("１２") == 12
    assert parse_count(0) == 0
    with pytest.raises(FieldError, match="不能为负数"):
        parse_count(-1, what="上报数")
    with pytest.raises(FieldError, match="应为整数"):
        parse_count(3.5)
    with pytest.raises(FieldError, match="^上报数 -2 不能为负数$"):
        parse_count("-2", what="上报数")  # typed in a grid: a negative number, not a formula
    with pytest.raises(FieldError, match="以 = 开头"):
        parse_count("=2")


def test_quarter_and_month_ranges():
    """Quarter is 1–4 and month 1–12."""
    assert parse_quarter("４") == 4
    assert parse_month(12) == 12
    with pytest.raises(FieldError, match="季度 5 不在 1 到 4 之间"):
        parse_quarter(5)
    with pytest.raises(FieldError, match="月份 0 不在 1 到 12 之间"):
        parse_month(0)


def test_category_words():
    """Marks, grades, roles, kinds, statuses and genders accept exactly their words."""
    assert parse_mark(" 弃权\u3000") == "弃权"
    assert parse_grade("基本 称职") == "基本称职"
    assert parse_role("联户长") == "联户长"
    assert parse_adjustment_kind("一票否决") == "一票否决"
    assert parse_status(None) == "在任"
    assert parse_status("离任") == "离任"
    assert parse_gender("女性") == "女"


def test_unknown_category_word_lists_allowed_words():
    """An unknown word is refused and the reason lists the allowed words."""
    with pytest.raises(FieldError) as info:
        parse_mark("良好")
    assert info.value.reason == "「良好」不是有效的评价，应为 优秀、称职、基本称职、不称职 或 弃权"
    with pytest.raises(FieldError, match="以 = 开头的文本不能作为职务"):
        parse_role("=网格长")


@pytest.mark.parametrize(
    "raw",
    [datetime(2023, 3, 1), date(2023, 3, 1), "2023-03-01", "2023/3/1", "2023年3月1日", "２０２３．３．１", "2023-03-01 00:00:00"],
)
def test_date_formats(raw):
    """Date cells and the usual written forms all read as 2023-03-01."""
    assert parse_date(raw) == date(2023, 3, 1)


def test_date_rejections():
    """Impossible dates and plain numbers are refused."""
    with pytest.raises(FieldError, match="不是存在的日期"):
        parse_date("2023-02-30")
    with pytest.raises(FieldError, match="应为日期"):
        parse_date(45000)
    with pytest.raises(FieldError, match="不能为空"):
        parse_date(None)


def test_code_from_number_and_full_width():
    """A code typed as a number or in full-width letters reads as ASCII text."""
    assert parse_code(12.0) == "12"
    assert parse_code("ＮＹ００１ ") == "NY001"
    with pytest.raises(FieldError, match="编号不能为空"):
        parse_code(" ")


def test_names_and_narrative():
    """Names lose stray spaces; a narrative over 2000 characters is refused."""
    assert parse_name(" 杨\u3000卓玛 ") == "杨卓玛"
    assert parse_narrative("  认真履职，化解纠纷。 ") == "认真履职，化解纠纷。"
    assert parse_narrative(None) is None
    with pytest.raises(FieldError) as info:
        parse_narrative("字" * 2001)
    assert info.value.reason == "述职摘要最多 2000 个字，实际 2001 个字"
    assert parse_text(None, what="事由", required=False) is None
