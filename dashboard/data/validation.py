"""Field validators shared by the workbook importer and the app's entry services.

Pure functions, no database. Each ``parse_*`` function takes a raw cell value (what
openpyxl or a Streamlit widget hands over) and returns the clean value, or raises
``FieldError`` with a reason in Chinese. The caller adds where the value came from by
turning the FieldError into a ``CellError`` (sheet, row, column).

Normalisation (workbook.md): leading and trailing spaces (also the full-width space
U+3000 and the no-break space) are stripped; in numbers, codes, dates and category
words full-width characters are folded to ASCII with NFKC (``１７．５`` → ``17.5``).
Free text (names, reasons, the self-report narrative) is only stripped, so that its
Chinese punctuation survives.

Decision: scores carry at most 2 decimals (17.5 and 17.25 are fine, 17.125 is the error
"最多两位小数"), because the scoring sheets on paper never use finer steps and a third
decimal is nearly always a typing slip or a hidden spreadsheet formula result.

Floats read from Excel are compared at Excel's own precision, 15 significant digits: a cell
showing 0.3 but holding 0.30000000000000004 (pasted from a formula result) is 0.3, while 17.125
is three decimals.

Invisible characters (Unicode category Cf — zero-width space U+200B, joiners U+200C/U+200D,
word joiner U+2060, BOM U+FEFF, soft hyphen U+00AD, bidi controls — and control characters
Cc other than tab and line breaks, plus a few blank letters such as the Hangul filler U+3164)
inside any text are refused with their position (「第 3 个字符是不可见字符 U+200B（零宽空格）」):
two names that look identical must be the same name. At the two ends of a cell, the zero-width
space and the BOM are stripped like spaces (pasted from web pages and WeChat).

A text cell starting with ``=``, ``+``, ``-`` or ``@`` is refused where a number or a
category word is expected: it is either a formula that lost its meaning or a typing slip,
and such text must never travel on into exported spreadsheets.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from dashboard.domain import (
    ACTIVE,
    ADJUSTMENT_KINDS,
    GENDERS,
    GRADES,
    LEADER_ROLES,
    LEADER_STATUSES,
    MARKS,
)

SCORE_DECIMALS = 2
# Excel keeps and shows 15 significant digits; binary noise beyond that is not the user's value.
EXCEL_DIGITS = 15
# An upload or import lists this many errors, then only counts the rest.
MAX_LISTED_ERRORS = 500
NARRATIVE_MAX_CHARS = 2000
FORMULA_PREFIXES = ("=", "+", "-", "@")

# Whitespace stripped at both ends: ASCII whitespace, no-break space, ideographic space,
# zero-width space and BOM (pasted from web pages and WeChat).
_STRIP_CHARS = " \t\r\n\v\f\u00a0\u3000\u200b\ufeff"

# Characters NFKC leaves alone but a Chinese keyboard produces inside numbers.
_NUMBER_EXTRA = str.maketrans({"\u2212": "-", "\u3002": ".", "\u2014": "-"})


# Invisible characters that are not in category Cf/Cc but render as nothing.
_BLANK_LETTERS = re.compile("[\u034f\u115f\u1160\u3164\uffa0\u2800]")
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_INVISIBLE_NAMES = {
    "\u00ad": "软连字符",
    "\u034f": "组合字形连接符",
    "\u061c": "阿拉伯文字母标记",
    "\u115f": "韩文填充符",
    "\u1160": "韩文填充符",
    "\u180e": "蒙古文元音分隔符",
    "\u200b": "零宽空格",
    "\u200c": "零宽不连字",
    "\u200d": "零宽连字",
    "\u200e": "从左到右标记",
    "\u200f": "从右到左标记",
    "\u2060": "零宽不换行符",
    "\u2800": "盲文空白",
    "\u3164": "韩文填充符",
    "\ufeff": "零宽不换行空格（字节顺序标记）",
    "\uffa0": "半角韩文填充符",
}


class FieldError(ValueError):
    """A value a field does not accept; ``reason`` is the Chinese explanation."""

    def __init__(self, reason: str, *, field: str | None = None):
        self.reason = reason
        self.field = field
        super().__init__(reason)


@dataclass(frozen=True)
class CellError:
    """Where a bad value sits (Excel row numbers, header is row 1) and why it is refused."""

    sheet: str | None
    row: int | None
    column: str | None
    reason: str
    field: str | None = None
    # The person the row is about, e.g. 「才让草（编号 NY-H2）」: a grid row is found by name.
    who: str | None = None

    def __str__(self) -> str:
        if self.sheet is None:  # a problem of the whole file or year, not of a cell
            return self.reason
        where = f"工作表「{self.sheet}」"
        if self.row is not None:
            where += f"第 {self.row} 行"
        if self.who:
            where += f"（{self.who}）"
        if self.column:
            where += f"「{self.column}」列"
        return f"{where}：{self.reason}"

    @classmethod
    def from_field_error(
        cls, exc: FieldError, *, sheet: str | None, row: int | None, column: str | None
    ) -> CellError:
        return cls(sheet=sheet, row=row, column=column, reason=exc.reason, field=exc.field or column)


class ErrorList(list):
    """Collects CellErrors up to ``limit`` (in the order they are found), then only counts.

    A workbook of a million bad rows must not hold a million messages: beyond the limit no
    CellError is even built by callers that check ``full`` first, and ``unlisted`` says how
    many more there were.
    """

    def __init__(self, items: Iterable[CellError] = (), *, limit: int = MAX_LISTED_ERRORS):
        super().__init__()
        self.limit = limit
        self.unlisted = 0
        self.extend(items)

    @property
    def full(self) -> bool:
        return len(self) >= self.limit

    @property
    def total(self) -> int:
        return len(self) + self.unlisted

    def append(self, error: CellError) -> None:
        if self.full:
            self.unlisted += 1
        else:
            super().append(error)

    def count_more(self, n: int = 1) -> None:
        """Count errors beyond the limit without building them."""
        self.unlisted += n

    def extend(self, errors: Iterable[CellError]) -> None:
        for error in errors:
            self.append(error)
        self.unlisted += getattr(errors, "unlisted", 0)


def unlisted_line(unlisted: int) -> str | None:
    """The line that stands for the errors not listed, or None when all are listed."""
    return f"另有 {unlisted} 处错误未列出" if unlisted else None


# --- normalisation --------------------------------------------------------------------------


def strip_text(value: Any) -> Any:
    """Strip spaces (incl. full-width) from text; empty text becomes None; other values pass."""
    if isinstance(value, str):
        value = value.strip(_STRIP_CHARS)
        return value or None
    return value


def fold_ascii(text: str) -> str:
    """Full-width digits, letters, period, minus, slash and space → ASCII (NFKC), stripped."""
    return unicodedata.normalize("NFKC", text).translate(_NUMBER_EXTRA).strip(_STRIP_CHARS)


def normalize_cell(value: Any) -> Any:
    """A cell as the validators see it: text stripped and folded to ASCII where it is a token.

    Only for numbers, codes, dates and category words; free text uses ``strip_text``.
    """
    value = strip_text(value)
    if isinstance(value, str):
        value = fold_ascii(value) or None
    return value


def _invisible_name(ch: str) -> str:
    if ch in _INVISIBLE_NAMES:
        return _INVISIBLE_NAMES[ch]
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        return "双向文本控制符"
    if unicodedata.category(ch) == "Cc":
        return "控制字符"
    return "格式控制符"


def invisible_character(text: str) -> tuple[int, str] | None:
    """(1-based position, character) of the first invisible character in ``text``, or None."""
    if text.isprintable() and not _BLANK_LETTERS.search(text):
        return None  # the fast path: no Cc/Cf/Zl/Zp and no blank letter at all
    for pos, ch in enumerate(text, start=1):
        if ch in _ALLOWED_CONTROLS:
            continue
        if unicodedata.category(ch) in ("Cf", "Cc") or _BLANK_LETTERS.match(ch):
            return pos, ch
    return None


def check_visible(text: str) -> None:
    """Refuse text holding an invisible character, saying where: 第 N 个字符是不可见字符 U+XXXX."""
    found = invisible_character(text)
    if found is not None:
        pos, ch = found
        raise FieldError(
            f"第 {pos} 个字符是不可见字符 U+{ord(ch):04X}（{_invisible_name(ch)}），请删除后重新输入"
        )


def is_blank(value: Any) -> bool:
    """True for None and text that is empty after stripping."""
    return strip_text(value) is None


def check_not_formula(text: str, *, what: str = "数值") -> None:
    """Refuse text beginning with = + - @ (formula-looking) where a number or category is due."""
    if text and text[0] in FORMULA_PREFIXES:
        raise FieldError(f"以 {text[0]} 开头的文本不能作为{what}：{text}")


def _show(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- numbers --------------------------------------------------------------------------------


def _to_decimal(value: Any, *, what: str) -> Decimal:
    """Exact decimal of a cell holding a number or numeric text; FieldError otherwise."""
    if isinstance(value, bool):
        raise FieldError(f"应为{what}，实际为 {value}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise FieldError(f"应为{what}，实际为 {value}")
        # Excel's precision: 17.25 → "17.25", and 0.1 + 0.2 (0.30000000000000004) → "0.3".
        return Decimal(format(value, f".{EXCEL_DIGITS}g"))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise FieldError(f"应为{what}，实际为 {value}")
        return value
    if isinstance(value, datetime | date):
        raise FieldError(f"应为{what}，实际为日期 {value:%Y-%m-%d}")
    if isinstance(value, str):
        text = fold_ascii(value)
        check_visible(text)
        if re.fullmatch(r"-\s*(\d+(\.\d*)?|\.\d+)", text):
            # "-3" typed in a grid is a negative number, not a formula: each caller's range says why not.
            return -Decimal(text[1:].strip())
        check_not_formula(text, what=what)
        if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
            raise FieldError(f"应为{what}，实际为「{value.strip(_STRIP_CHARS)}」")
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
            raise FieldError(f"应为{what}，实际为「{text}」") from exc
    raise FieldError(f"应为{what}，实际为 {value!r}")


def parse_score(value: Any, *, max_value: float, field: str | None = None) -> float:
    """A score in [0, max_value] with at most 2 decimals (e.g. 17.5, 17.25)."""
    try:
        value = strip_text(value)
        if value is None:
            raise FieldError("分值不能为空")
        number = _to_decimal(value, what="分值")
        if number < 0:
            raise FieldError(f"分值 {_show(value)} 不能为负数")
        if number > Decimal(repr(float(max_value))):
            raise FieldError(f"分值 {_show(number)} 超过满分 {_show(float(max_value))}")
        if number != number.quantize(Decimal(1).scaleb(-SCORE_DECIMALS)):
            raise FieldError(f"分值 {number} 最多两位小数")
        return float(number)
    except FieldError as exc:
        exc.field = exc.field or field
        raise


def parse_positive_points(value: Any, *, field: str | None = None) -> float:
    """Adjustment points 分值: > 0, at most 2 decimals, no upper bound."""
    try:
        value = strip_text(value)
        if value is None:
            raise FieldError("分值不能为空（只有一票否决不填分值）")
        number = _to_decimal(value, what="分值")
        if number <= 0:
            raise FieldError(f"分值 {_show(value)} 应大于 0")
        if number != number.quantize(Decimal(1).scaleb(-SCORE_DECIMALS)):
            raise FieldError(f"分值 {number} 最多两位小数")
        return float(number)
    except FieldError as exc:
        exc.field = exc.field or field
        raise


def parse_count(value: Any, *, field: str | None = None, what: str = "数量") -> int:
    """A whole number ≥ 0 (e.g. a monthly report count 上报数)."""
    try:
        value = strip_text(value)
        if value is None:
            raise FieldError(f"{what}不能为空")
        if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            raise FieldError(f"{what} {_show(value)} 不能为负数")
        number = _to_decimal(value, what="整数")
        if number < 0:
            raise FieldError(f"{what} {_show(number)} 不能为负数")
        if number != number.to_integral_value():
            raise FieldError(f"{what}应为整数，实际为 {_show(value)}")
        return int(number)
    except FieldError as exc:
        exc.field = exc.field or field
        raise


def parse_int_range(
    value: Any, *, low: int, high: int, field: str | None = None, what: str = "数值"
) -> int:
    """A whole number in [low, high] (quarter 1–4, month 1–12, year)."""
    try:
        value = strip_text(value)
        if value is None:
            raise FieldError(f"{what}不能为空")
        number = _to_decimal(value, what="整数")
        if number != number.to_integral_value():
            raise FieldError(f"{what}应为整数，实际为 {_show(value)}")
        if not low <= number <= high:
            raise FieldError(f"{what} {int(number)} 不在 {low} 到 {high} 之间")
        return int(number)
    except FieldError as exc:
        exc.field = exc.field or field
        raise


def parse_quarter(value: Any) -> int:
    return parse_int_range(value, low=1, high=4, field="季度", what="季度")


def parse_month(value: Any) -> int:
    return parse_int_range(value, low=1, high=12, field="月份", what="月份")


def parse_year(value: Any) -> int:
    return parse_int_range(value, low=2000, high=2100, field="年度", what="年度")


# --- categories -----------------------------------------------------------------------------


def _join_choices(choices: Iterable[str]) -> str:
    items = list(choices)
    if len(items) == 1:
        return items[0]
    return "、".join(items[:-1]) + " 或 " + items[-1]


def parse_choice(
    value: Any,
    *,
    choices: Iterable[str],
    what: str,
    aliases: Mapping[str, str] | None = None,
    field: str | None = None,
    default: str | None = None,
) -> str:
    """One of a fixed set of category words (after normalisation); ``default`` when empty."""
    choices = tuple(choices)
    try:
        value = normalize_cell(value)
        if value is None:
            if default is not None:
                return default
            raise FieldError(f"{what}不能为空，应为 {_join_choices(choices)}")
        if not isinstance(value, str):
            raise FieldError(f"「{_show(value)}」不是有效的{what}，应为 {_join_choices(choices)}")
        check_visible(value)
        check_not_formula(value, what=what)
        text = value.replace(" ", "")
        if aliases and text in aliases:
            text = aliases[text]
        if text not in choices:
            raise FieldError(f"「{value}」不是有效的{what}，应为 {_join_choices(choices)}")
        return text
    except FieldError as exc:
        exc.field = exc.field or field
        raise


def parse_mark(value: Any) -> str:
    """A ballot mark 评价: 优秀, 称职, 基本称职, 不称职 or 弃权."""
    return parse_choice(value, choices=MARKS, what="评价", field="评价")


def parse_grade(value: Any) -> str:
    """A grade 等次: 优秀, 称职, 基本称职 or 不称职."""
    return parse_choice(value, choices=GRADES, what="等次", field="等次")


def parse_role(value: Any) -> str:
    """A leader role 职务: 网格长 or 联户长."""
    return parse_choice(value, choices=LEADER_ROLES, what="职务", field="职务")


def parse_adjustment_kind(value: Any) -> str:
    """An adjustment kind 类型: 加分, 减分 or 一票否决."""
    return parse_choice(value, choices=ADJUSTMENT_KINDS, what="类型", field="类型")


def parse_status(value: Any) -> str:
    """A leader status 状态: 在任 or 离任; empty means 在任."""
    return parse_choice(value, choices=LEADER_STATUSES, what="状态", field="状态", default=ACTIVE)


def parse_gender(value: Any) -> str:
    """Gender 性别: 男 or 女 (男性/女性 accepted)."""
    return parse_choice(
        value, choices=GENDERS, what="性别", field="性别", aliases={"男性": "男", "女性": "女"}
    )


# --- dates and text -------------------------------------------------------------------------

_DATE_PATTERNS = (
    re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"),
    re.compile(r"(\d{4})\.(\d{1,2})\.(\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日?"),
)


def parse_date(value: Any, *, field: str | None = None, what: str = "日期") -> date:
    """A date: a date cell, or text 'YYYY-MM-DD', 'YYYY/MM/DD', 'YYYY.MM.DD', 'YYYY年M月D日'."""
    try:
        value = normalize_cell(value)
        if value is None:
            raise FieldError(f"{what}不能为空")
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            check_visible(value)
            check_not_formula(value, what=what)
            text = value.replace(" ", "")
            # A date with a midnight time part, as Excel text exports write it.
            text = re.sub(r"[T ]?00:00(:00)?$", "", text)
            for pattern in _DATE_PATTERNS:
                m = pattern.fullmatch(text)
                if m:
                    try:
                        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                    except ValueError as exc:
                        raise FieldError(f"「{value}」不是存在的日期") from exc
        raise FieldError(f"应为{what}（如 2023-03-01 或 2023年3月1日），实际为「{_show(value)}」")
    except FieldError as exc:
        exc.field = exc.field or field
        raise


def parse_code(value: Any, *, field: str | None = "编号", what: str = "编号", max_len: int = 32) -> str:
    """An identifier (编号, 票号): text or a whole number, folded to ASCII, not empty."""
    try:
        value = normalize_cell(value)
        if value is None:
            raise FieldError(f"{what}不能为空")
        if isinstance(value, bool):
            raise FieldError(f"{what}不能是 {value}")
        if isinstance(value, float):
            if not value.is_integer():
                raise FieldError(f"{what}应为文字或整数，实际为 {value}")
            value = int(value)
        if isinstance(value, datetime | date):
            raise FieldError(f"{what}不能是日期")
        text = str(value)
        check_visible(text)
        check_not_formula(text, what=what)
        if len(text) > max_len:
            raise FieldError(f"{what}最多 {max_len} 个字符，实际 {len(text)} 个")
        return text
    except FieldError as exc:
        exc.field = exc.field or field
        raise


def parse_text(
    value: Any,
    *,
    what: str,
    required: bool = True,
    max_len: int | None = None,
    field: str | None = None,
) -> str | None:
    """Free text (names, reasons, narrative): stripped only; None when empty and optional.

    Invisible characters inside are refused (``check_visible``); tabs and line breaks pass.
    """
    try:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if value is not None and not isinstance(value, str):
            value = str(value)
        value = strip_text(value)
        if value is None:
            if required:
                raise FieldError(f"{what}不能为空")
            return None
        check_visible(value)
        if max_len is not None and len(value) > max_len:
            raise FieldError(f"{what}最多 {max_len} 个字，实际 {len(value)} 个字")
        return value
    except FieldError as exc:
        exc.field = exc.field or field
        raise


def parse_name(value: Any, *, field: str | None = "姓名") -> str:
    """A person's name 姓名: stripped, inner spaces removed (a Chinese name has none)."""
    text = parse_text(value, what="姓名", max_len=64, field=field) or ""
    return re.sub(r"[\s\u3000]+", "", text)


def parse_narrative(value: Any) -> str | None:
    """The self-report narrative 述职摘要: optional, at most 2000 characters."""
    return parse_text(
        value, what="述职摘要", required=False, max_len=NARRATIVE_MAX_CHARS, field="述职摘要"
    )
