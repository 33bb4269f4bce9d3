"""Exports of the year's results: result rows (JSON/CSV/XLSX) and the award-list workbook.

The input is the results DataFrame of the scoring engine, whose columns are the keys of
interfaces.md (extra columns are ignored). Every text cell that a spreadsheet could read
as a formula goes through `safe_text` (OWASP "CSV injection"), in every export.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from dashboard.domain import (
    BASIC,
    DEFAULT_COUNTY,
    DUTIES,
    DUTY_KEYS,
    FLAG_NAMES,
    GRID_LEADER,
    HOUSEHOLD_LEADER,
    INCOMPETENT,
)
from dashboard.scoring.scheme import Scheme

if TYPE_CHECKING:  # openpyxl is imported by the XLSX writers only (JSON and CSV do not need it)
    from openpyxl.styles import PatternFill
    from openpyxl.worksheet.worksheet import Worksheet

# --- the result row (interfaces.md) -------------------------------------------------------

RESULT_KEYS: tuple[str, ...] = (
    "code",
    "name",
    "role",
    "township",
    "village",
    "grid",
    "group",
    "self",
    "mass",
    "committee",
    "platform",
    "ballots",
    "satisfaction",
    "bonus",
    "deduction",
    "final",
    "grade",
    "complete",
    "village_rank",
    "township_rank",
    "county_rank",
    "award",
    "adjustment",
    "pay",
    "flags",
    "roles",
)
TEXT_KEYS = ("code", "name", "role", "township", "village", "grid", "group", "grade")
SCORE_KEYS = ("self", "mass", "committee", "platform", "bonus", "deduction", "final", "pay")
INT_KEYS = ("ballots", "village_rank", "township_rank", "county_rank")
BOOL_KEYS = ("complete", "award", "adjustment")
ROLE_COLUMNS: tuple[str, ...] = tuple(f"role_{k}" for k in DUTY_KEYS)
CSV_COLUMNS: tuple[str, ...] = (*RESULT_KEYS[:-1], *ROLE_COLUMNS)

HEADERS: dict[str, str] = {
    "code": "编号",
    "name": "姓名",
    "role": "职务",
    "township": "乡镇",
    "village": "行政村",
    "grid": "网格",
    "group": "联防组",
    "self": "个人述职",
    "mass": "群众评议",
    "committee": "村两委量化打分",
    "platform": "综治E通上报",
    "ballots": "有效票数",
    "satisfaction": "满意率",
    "bonus": "加分",
    "deduction": "减分",
    "final": "最终得分",
    "grade": "等次",
    "complete": "数据完整",
    "village_rank": "村内排名",
    "township_rank": "乡镇排名",
    "county_rank": "县内排名",
    "award": "表彰",
    "adjustment": "建议调整",
    "pay": "报酬（元）",
    "flags": "提示",
    **{f"role_{k}": f"{name}（%）" for k, name in DUTIES.items()},
}

# --- safe text ----------------------------------------------------------------------------

# OWASP CSV injection: a cell starting with one of these may be read as a formula. The
# full-width forms are included because CJK input methods produce them and some Excel
# locales convert them on entry.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
TEXT_GUARD = "'"


def safe_text(value: Any) -> str:
    """Text that no spreadsheet reads as a formula: a leading = + - @ tab CR gets a ' prefix."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return TEXT_GUARD + text
    return text


# --- normalising the frame ----------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return True
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return isinstance(value, float) and math.isnan(value)


def _py(value: Any) -> Any:
    """A plain Python value (numpy scalars unwrapped), None for NaN/NA."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # fast path: already plain
        return value
    if kind is float:
        return None if value != value else value
    if hasattr(value, "item") and not isinstance(value, list | dict | str):
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    return None if _missing(value) else value


def round_half_up(value: Any, places: int = 2) -> float | None:
    """Round half up as an exact decimal (89.995 -> 90.0); None stays None."""
    value = _py(value)
    if value is None:
        return None
    if type(value) is float and round(value, places) == value:
        # Already at most `places` decimals (the nearest double to such a decimal): the exact
        # decimal below would quantize to itself; skip the Decimal work (same result).
        return value
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _flags(value: Any) -> list[str]:
    value = _py(value)
    if value is None:
        return []
    if isinstance(value, str):
        return [f for f in value.split(";") if f]
    return [str(f) for f in value]


def _roles(value: Any) -> dict[str, float | None] | None:
    value = _py(value)
    if value is None or not isinstance(value, Mapping):
        return None
    return {k: round_half_up(value.get(k)) for k in DUTY_KEYS}


def _text_value(value: Any) -> str | None:
    value = _py(value)
    return None if value is None else str(value)


def _score_value(value: Any) -> float | None:
    return round_half_up(value, 2)


def _share_value(value: Any) -> float | None:
    return round_half_up(value, 4)


def _int_value(value: Any) -> int | None:
    value = _py(value)
    return None if value is None else int(value)


def _bool_value(value: Any) -> bool:
    value = _py(value)
    return bool(value) if value is not None else False


def _converter(key: str):
    """How the value of one interface key is turned into its JSON-ready form."""
    if key in TEXT_KEYS:
        return _text_value
    if key in SCORE_KEYS:
        return _score_value
    if key == "satisfaction":
        return _share_value
    if key in INT_KEYS:
        return _int_value
    if key in BOOL_KEYS:
        return _bool_value
    return _flags if key == "flags" else _roles


CONVERTERS: dict[str, Any] = {key: _converter(key) for key in RESULT_KEYS}


def _record(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: CONVERTERS[key](row.get(key)) for key in RESULT_KEYS}


def _sort_key(record: Mapping[str, Any]) -> tuple:
    rank = record["township_rank"]
    return (
        record["township"] or "",
        0 if record["role"] == GRID_LEADER else 1,
        rank if rank is not None else math.inf,
        record["code"] or "",
    )


def _rows(frame: Any, keys: Sequence[str] | None = None) -> list[Mapping[str, Any]]:
    if isinstance(frame, Sequence) and not isinstance(frame, str):
        return list(frame)
    missing = [k for k in RESULT_KEYS if k not in frame.columns]
    if missing:
        raise ValueError(f"结果表缺少列：{'、'.join(missing)}")
    if keys is not None:
        frame = frame[list(keys)]  # only the columns the caller reads: far fewer values to box
    return frame.to_dict(orient="records")


def results_records(frame: Any) -> list[dict[str, Any]]:
    """The result rows of interfaces.md as JSON-ready dicts, in the documented order.

    Order: township, role (网格长 first), township rank, code. Scores rounded half up to 2
    decimals, satisfaction to 4, null for an absent component.
    """
    if _is_frame(frame):
        return _records_of(_result_columns_of(frame))
    return sorted((_record(r) for r in _rows(frame, RESULT_KEYS)), key=_sort_key)


# --- the result rows column by column -----------------------------------------------------
#
# The same values as `_record` row by row, computed once per distinct value of a column: a
# column is held as (codes, values) with values[codes[i]] the converted value of row i.
# Numbers are told apart by their bits (so -0.0, 0.0 and every NaN keep their own result),
# strings by equality (only when every entry is exactly a str or a missing value), anything
# else by object identity. The JSON and CSV text is then formatted once per distinct value
# and joined row by row.

_NONE_TYPE = type(None)


def _by_identity(objs: Sequence[Any], convert: Any) -> tuple[np.ndarray, list[Any]]:
    memo: dict[int, int] = {}
    values: list[Any] = []
    codes: list[int] = []
    for value in objs:
        code = memo.get(id(value))
        if code is None:
            code = memo[id(value)] = len(values)
            values.append(convert(value))
        codes.append(code)
    return np.asarray(codes, dtype=np.int64), values


def _encode(column: Any, convert: Any) -> tuple[np.ndarray, list[Any]]:
    """(codes, values) with values[codes[i]] == convert(entry i of the column)."""
    import pandas as pd

    if isinstance(column, pd.Series):
        dtype = column.dtype
        if isinstance(dtype, pd.StringDtype):
            # Every entry is a str or the dtype's missing value (what iterating the column gives).
            codes, uniques = pd.factorize(column)
            codes = np.asarray(codes, dtype=np.int64)
            uniques = np.asarray(uniques, dtype=object).tolist()
            values = uniques if convert is _text_value else [convert(u) for u in uniques]  # str(u) is u
            if (codes < 0).any():
                codes[codes < 0] = len(values)
                values.append(convert(dtype.na_value))
            return codes, values
        if isinstance(dtype, np.dtype) and dtype.kind in "biufO":
            column = column.to_numpy()
        else:  # other dtypes: the entries as iterating the column gives them (as to_dict does)
            column = np.fromiter(column, dtype=object, count=len(column))
    arr = np.asarray(column) if isinstance(column, np.ndarray) else None
    if arr is not None and arr.dtype.kind in "biuf" and arr.dtype.itemsize in (1, 2, 4, 8):
        bits = arr.view(f"u{arr.dtype.itemsize}")
        codes, uniques = pd.factorize(bits)
        representatives = np.asarray(uniques, dtype=bits.dtype).view(arr.dtype).tolist()
        return np.asarray(codes, dtype=np.int64), [convert(v) for v in representatives]
    objs = arr if arr is not None and arr.dtype == object else np.fromiter(column, dtype=object)
    if set(map(type, objs)) <= {str, _NONE_TYPE, float}:
        codes, uniques = pd.factorize(objs)  # None and NaN → -1
        if all(type(u) is str for u in uniques):
            codes = np.asarray(codes, dtype=np.int64)
            values = [convert(u) for u in uniques]
            missing = np.flatnonzero(codes < 0)
            if len(missing):
                sub_codes, sub_values = _by_identity(objs[missing].tolist(), convert)
                codes[missing] = sub_codes + len(values)
                values.extend(sub_values)
            return codes, values
    return _by_identity(objs.tolist(), convert)


def _take(values: list[Any], codes: np.ndarray) -> list[Any]:
    return list(map(values.__getitem__, codes.tolist()))


@dataclass
class _Roles:
    """The roles column: per-row dicts (code -1 in `present`: null) split into one column per duty."""

    present: np.ndarray  # bool per row
    duties: dict[str, tuple[np.ndarray, list[Any]]]  # duty -> (codes over present rows, values)
    rows: list[Any] | None = None  # the converted value of each row when the column is irregular


def _encode_roles(column: Any) -> _Roles:
    objs = np.fromiter(column, dtype=object, count=len(column))
    if not set(map(type, objs)) <= {dict, _NONE_TYPE, float}:
        return _Roles(np.zeros(len(objs), bool), {}, [_roles(v) for v in objs.tolist()])
    # A dict is a Mapping (converted key by key); None and any float give null (see _roles).
    present = np.fromiter((type(v) is dict for v in objs), dtype=bool, count=len(objs))
    dicts = objs[present].tolist()
    duties = {}
    for k in DUTY_KEYS:
        values = list(map(dict.get, dicts, repeat(k)))
        if set(map(type, values)) == {float}:
            duties[k] = _encode(np.asarray(values, dtype=np.float64), round_half_up)
        else:
            duties[k] = _by_identity(values, round_half_up)
    return _Roles(present, duties)


@dataclass
class _Columns:
    """The converted result columns of a frame and the documented row order."""

    n: int
    cols: dict[str, tuple[np.ndarray, list[Any]]]  # every key but roles
    roles: _Roles
    order: np.ndarray


def _ranks(codes: np.ndarray, keys: list[Any]) -> np.ndarray:
    """Dense ranks of the rows by key (Python ordering), equal keys equal ranks."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    rank = np.zeros(len(keys), dtype=np.int64)
    r = 0
    for pos in range(1, len(order)):
        if keys[order[pos - 1]] < keys[order[pos]]:
            r += 1
        rank[order[pos]] = r
    return rank[codes] if len(keys) else np.zeros(len(codes), dtype=np.int64)


def _row_order(cols: dict[str, tuple[np.ndarray, list[Any]]], n: int) -> np.ndarray:
    """The stable order of `_sort_key`: township, role (网格长 first), township rank, code."""
    town = _ranks(cols["township"][0], [v or "" for v in cols["township"][1]])
    role = np.asarray([0 if v == GRID_LEADER else 1 for v in cols["role"][1]], dtype=np.int64)
    role = role[cols["role"][0]] if n else np.zeros(0, dtype=np.int64)
    rank = _ranks(cols["township_rank"][0], [v if v is not None else math.inf for v in cols["township_rank"][1]])
    order = np.lexsort((rank, role, town))
    code_codes, code_values = cols["code"]
    code_keys = np.empty(len(code_values), dtype=object)
    code_keys[:] = [v or "" for v in code_values]
    ordered = code_keys[code_codes[order]] if n else code_keys[:0]
    if n > 1:
        same = (town[order][1:] == town[order][:-1]) & (role[order][1:] == role[order][:-1])
        same &= rank[order][1:] == rank[order][:-1]
        if not ((ordered[1:] >= ordered[:-1]) | ~same).all():
            # Codes out of order within equal (township, role, rank): sort by the code too.
            order = np.lexsort((_ranks(code_codes, list(code_keys)), rank, role, town))
    return order


def _result_columns_of(frame: Any) -> _Columns:
    missing = [k for k in RESULT_KEYS if k not in frame.columns]
    if missing:
        raise ValueError(f"结果表缺少列：{'、'.join(missing)}")
    n = len(frame)
    cols = {key: _encode(frame[key], CONVERTERS[key]) for key in RESULT_KEYS[:-1]}
    return _Columns(n, cols, _encode_roles(frame["roles"]), _row_order(cols, n))


def _is_frame(frame: Any) -> bool:
    return hasattr(frame, "columns") and not (isinstance(frame, Sequence) and not isinstance(frame, str))


def _records_of(columns: _Columns) -> list[dict[str, Any]]:
    order = columns.order
    data = []
    for key in RESULT_KEYS[:-1]:
        codes, values = columns.cols[key]
        taken = _take(values, codes[order])
        data.append(list(map(list, taken)) if key == "flags" else taken)  # a fresh list per row
    data.append(_take(_role_rows(columns.roles), order))
    return [dict(zip(RESULT_KEYS, row, strict=True)) for row in zip(*data, strict=True)]


def _role_rows(roles: _Roles) -> list[Any]:
    if roles.rows is not None:
        return roles.rows
    rows: list[Any] = [None] * len(roles.present)
    columns = [_take(values, codes) for codes, values in roles.duties.values()]
    for i, row in zip(np.flatnonzero(roles.present).tolist(), zip(*columns, strict=True), strict=True):
        rows[i] = dict(zip(DUTY_KEYS, row, strict=True))
    return rows


_KEY_INDENT = "    "


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _row_table(columns: _Columns, pieces: list[tuple[list[str], np.ndarray]]) -> list[str]:
    """The rows' text pieces in the documented row order: row i, piece j is texts_j[codes_j[i]]."""
    table = np.empty((columns.n, len(pieces)), dtype=object)
    for j, (texts, codes) in enumerate(pieces):
        table[:, j] = _objects(texts)[codes[columns.order]]
    return table.ravel().tolist()


def _role_pieces(roles: _Roles, n: int, k: str, text: Any, absent: str) -> tuple[list[str], np.ndarray]:
    """One duty of the roles column as (texts, codes) over all rows: text(value), or `absent` without roles."""
    codes, values = roles.duties[k]
    texts = [text(v) for v in values]
    full = np.full(n, len(texts), dtype=np.int64)
    full[roles.present] = codes
    return [*texts, absent], full


def _json_piece(value: Any) -> str:
    return _encode_text(value) if type(value) is str else _json_block(value, _KEY_INDENT)


def _json_text(columns: _Columns) -> str:
    """json.dumps(records, ensure_ascii=False, indent=2) of the rows, built from per-value pieces."""
    n = columns.n
    if not n:
        return "[]"
    pieces = []
    for j, key in enumerate(RESULT_KEYS[:-1]):
        codes, values = columns.cols[key]
        head = ("  {\n" if j == 0 else ",\n") + f"{_KEY_INDENT}{_encode_text(key)}: "
        pieces.append(([head + _json_piece(v) for v in values], codes))
    roles = columns.roles
    if roles.rows is not None:
        texts = [f',\n{_KEY_INDENT}"roles": {_json_block(v, _KEY_INDENT)}\n  }},\n' for v in roles.rows]
        pieces.append((texts, np.arange(n)))
    else:
        last = len(DUTY_KEYS) - 1
        for j, k in enumerate(DUTY_KEYS):
            head = (f',\n{_KEY_INDENT}"roles": {{\n' if j == 0 else ",\n") + f"      {_encode_text(k)}: "
            tail = "\n    }\n  },\n" if j == last else ""
            absent = {0: f',\n{_KEY_INDENT}"roles": null', last: "\n  },\n"}.get(j, "")
            pieces.append(_role_pieces(roles, n, k, lambda v, h=head, t=tail: h + _json_scalar(v) + t, absent))
    parts = _row_table(columns, pieces)
    parts[0] = "[\n" + parts[0]
    parts[-1] = parts[-1][: -len(",\n")] + "\n]"  # the last row ends the list
    return "".join(parts)


_CSV_SPECIAL = re.compile('[,"\r\n\0]')


def _csv_field(text: str) -> str:
    """The field as csv.writer (excel dialect, QUOTE_MINIMAL) writes it inside a row."""
    if not _CSV_SPECIAL.search(text):
        return text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([text, ""])
    return buffer.getvalue()[: -len(",\r\n")]


def _csv_cell(key: str, value: Any) -> str:
    """The CSV text of one converted value (as `_csv_row` writes it)."""
    if key in SCORE_KEYS:
        return _csv_number(value, 2)
    if key == "satisfaction":
        return _csv_number(value, 4)
    if key in INT_KEYS:
        return "" if value is None else str(value)
    if key in BOOL_KEYS:
        return "true" if value else "false"
    if key == "flags":
        return safe_text(";".join(value))
    return safe_text(value)


def _csv_text(columns: _Columns) -> str:
    """The data lines as csv.writer writes them (fields joined by ",", each row ends with CRLF)."""
    n = columns.n
    if not n:
        return ""
    pieces = []
    for key in RESULT_KEYS[:-1]:
        codes, values = columns.cols[key]
        pieces.append(([_csv_field(_csv_cell(key, v)) + "," for v in values], codes))
    roles = columns.roles
    for j, k in enumerate(DUTY_KEYS):
        sep = "\r\n" if j == len(DUTY_KEYS) - 1 else ","
        if roles.rows is not None:
            texts = [("" if r is None else _csv_field(_csv_number(r[k], 2))) + sep for r in roles.rows]
            pieces.append((texts, np.arange(n)))
        else:
            pieces.append(_role_pieces(roles, n, k, lambda v, s=sep: _csv_field(_csv_number(v, 2)) + s, sep))
    return "".join(_row_table(columns, pieces))


# --- result rows: JSON, CSV, XLSX ---------------------------------------------------------


def write_results_json(frame: Any, path: str | Path) -> Path:
    """`assess --out results.json`: a list of objects with the interface keys."""
    path = Path(path)
    if _is_frame(frame):
        text = _json_text(_result_columns_of(frame))
    else:
        text = results_json_text(results_records(frame))
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.write("\n")
    return path


_encode_text = json.encoder.encode_basestring  # the C string encoder json.dumps uses (ensure_ascii=False)


def _json_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is str:
        return _encode_text(value)
    if kind is float:
        return json.dumps(value) if value != value or value in (math.inf, -math.inf) else float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    return json.dumps(value, ensure_ascii=False)


def _json_block(value: Any, indent: str) -> str:
    """One value as json.dumps(..., indent=2) writes it at the given indentation."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        inner = indent + "  "
        items = (f"{inner}{_encode_text(str(k))}: {_json_block(v, inner)}" for k, v in value.items())
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _json_block(v, inner) for v in value) + "\n" + indent + "]"
    return _json_scalar(value)


def _json_column(values: list[Any], indent: str) -> list[str]:
    """The JSON text of each value of one column (scalars by type, containers as blocks)."""
    scalar = {type(None): lambda v: "null", bool: lambda v: "true" if v else "false", str: _encode_text,
              int: int.__repr__}
    out = []
    for v in values:
        kind = type(v)
        if kind is float:
            out.append(float.__repr__(v) if v == v and v not in (math.inf, -math.inf) else json.dumps(v))
        else:
            enc = scalar.get(kind)
            out.append(enc(v) if enc is not None else _json_block(v, indent))
    return out


def results_json_text(records: list[dict[str, Any]]) -> str:
    """Exactly json.dumps(records, ensure_ascii=False, indent=2), without the slow pure-Python
    indenting encoder (CPython ≤ 3.12 only has a C encoder for compact output).

    Records with the same keys (the result rows) are encoded column by column."""
    if not records:
        return "[]"
    keys = list(records[0])
    if not keys or any(list(r) != keys for r in records if type(r) is dict) or any(type(r) is not dict for r in records):
        return _json_block(records, "")
    columns = [
        [f'    {_encode_text(str(k))}: ' + text for text in _json_column([r[k] for r in records], "    ")]
        for k in keys
    ]
    rows = ("  {\n" + ",\n".join(parts) + "\n  }" for parts in zip(*columns, strict=True))
    return "[\n" + ",\n".join(rows) + "\n]"


def _csv_number(value: float | None, places: int) -> str:
    return "" if value is None else f"{value:.{places}f}"


def _csv_row(record: Mapping[str, Any]) -> list[str]:
    cells: list[str] = []
    for key in RESULT_KEYS[:-1]:
        value = record[key]
        if key in SCORE_KEYS:
            cells.append(_csv_number(value, 2))
        elif key == "satisfaction":
            cells.append(_csv_number(value, 4))
        elif key in INT_KEYS:
            cells.append("" if value is None else str(value))
        elif key in BOOL_KEYS:
            cells.append("true" if value else "false")
        elif key == "flags":
            cells.append(safe_text(";".join(value)))
        else:
            cells.append(safe_text(value))
    roles = record["roles"]
    for k in DUTY_KEYS:
        cells.append("" if roles is None else _csv_number(roles[k], 2))
    return cells


def write_results_csv(frame: Any, path: str | Path) -> Path:
    """`assess --out results.csv`: UTF-8 with BOM, interface keys, roles as role_* columns."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        if _is_frame(frame):
            fh.write(_csv_text(_result_columns_of(frame)))
        else:
            for record in results_records(frame):
                writer.writerow(_csv_row(record))
    return path


# --- xlsx formatting helpers --------------------------------------------------------------

NUMBER_FORMAT = "0.00"
PERCENT_FORMAT = "0.00%"
INTEGER_FORMAT = "0"
STYLE_NAMES = ("THIN", "BORDER", "HEADER_FONT", "HEADER_FILL", "TITLE_FONT", "TIE_FILL")


@functools.cache
def _styles() -> dict[str, Any]:
    """The sheets' openpyxl styles, made on first use (also as module attributes: export.BORDER …)."""
    from openpyxl.styles import Border, Font, PatternFill, Side

    thin = Side(style="thin", color="000000")
    return {
        "THIN": thin,
        "BORDER": Border(left=thin, right=thin, top=thin, bottom=thin),
        "HEADER_FONT": Font(bold=True),
        "HEADER_FILL": PatternFill("solid", fgColor="D9E1F2"),
        "TITLE_FONT": Font(bold=True, size=16),
        "TIE_FILL": PatternFill("solid", fgColor="FFEB9C"),
    }


def __getattr__(name: str) -> Any:
    if name in STYLE_NAMES:
        return _styles()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
TIE_NOTE = "末位并列，需研究决定"
MIN_WIDTH = 6
MAX_WIDTH = 48


def display_width(text: str) -> int:
    """Printed width in Excel column units: a CJK or full-width character counts double."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


@dataclass(frozen=True)
class Column:
    """One column of a printed sheet: header, how to read the value and how to show it."""

    header: str
    get: Any  # callable(record) -> value
    kind: str = "text"  # text | number | integer | percent

    @property
    def number_format(self) -> str | None:
        return {"number": NUMBER_FORMAT, "integer": INTEGER_FORMAT, "percent": PERCENT_FORMAT}.get(
            self.kind
        )


def _col(header: str, key: str, kind: str = "text") -> Column:
    return Column(header, lambda r, k=key: r.get(k), kind)


def write_cell(ws: Worksheet, row: int, column: int, value: Any, kind: str = "text"):
    """Write one value: numbers stay numeric, text is neutralised and forced to a string cell."""
    cell = ws.cell(row=row, column=column)
    value = _py(value)
    if value is None:
        cell.value = None
    elif isinstance(value, bool):
        cell.value = "是" if value else "否"
        cell.data_type = "s"
    elif kind == "text" or isinstance(value, str):
        cell.value = safe_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
        number_format = Column("", None, kind).number_format
        if number_format:
            cell.number_format = number_format
    return cell


def _text_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "number" and isinstance(value, int | float):
        return len(f"{value:.2f}")
    if kind == "percent" and isinstance(value, int | float):
        return len(f"{value * 100:.2f}%")
    return display_width(str(value))


def write_table(
    ws: Worksheet,
    *,
    title: str,
    columns: Sequence[Column],
    records: Iterable[Mapping[str, Any]],
    highlight: Any = None,
    freeze_columns: int = 0,
    row_height: float | None = None,
) -> int:
    """A printable sheet: merged title (row 1), bordered bold header (row 2), bordered rows.

    Returns the next free row. `highlight(record)` true fills the row (ties at the cut-off).
    """
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    ncols = len(columns)
    ws.cell(row=1, column=1, value=safe_text(title)).data_type = "s"
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws["A1"].font = _styles()["TITLE_FONT"]
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 32

    # Headers wrap onto two lines (row 2 is tall enough), so they need only half their width.
    widths = [display_width(c.header) // 2 + 1 for c in columns]
    for j, column in enumerate(columns, start=1):
        cell = write_cell(ws, 2, j, column.header)
        cell.font = _styles()["HEADER_FONT"]
        cell.fill = _styles()["HEADER_FILL"]
        cell.border = _styles()["BORDER"]
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = 30

    row = 3
    for record in records:
        fill = _styles()["TIE_FILL"] if highlight is not None and highlight(record) else None
        for j, column in enumerate(columns, start=1):
            value = column.get(record)
            cell = write_cell(ws, row, j, value, column.kind)
            cell.border = _styles()["BORDER"]
            horizontal = {"text": "left", "integer": "center"}.get(column.kind, "right")
            cell.alignment = Alignment(horizontal=horizontal, vertical="center")
            if fill is not None:
                cell.fill = fill
            widths[j - 1] = max(widths[j - 1], _text_width(value, column.kind))
        if row_height:
            ws.row_dimensions[row].height = row_height
        row += 1

    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    ws.freeze_panes = ws.cell(row=3, column=freeze_columns + 1).coordinate
    _print_setup(ws, ncols)
    return row


def write_note(
    ws: Worksheet, row: int, ncols: int, text: str, *, fill: PatternFill | None = None
) -> int:
    """A note line below a table, merged across the table's width; returns the next row."""
    from openpyxl.styles import Alignment

    cell = write_cell(ws, row, 1, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
    cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    if fill is not None:
        cell.fill = fill
    return row + 1


def _print_setup(ws: Worksheet, ncols: int) -> None:
    """A4 landscape, one page wide, header row on every page, page numbers in the footer."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "2:2"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


# --- results XLSX (assess --out results.xlsx) ---------------------------------------------


def _bool_text(value: bool | None) -> str | None:
    return None if value is None else ("是" if value else "否")


def _flag_text(flags: Sequence[str]) -> str:
    return "；".join(FLAG_NAMES.get(f, f) for f in flags)


RESULT_SHEET = "考核结果"


def _result_columns() -> list[Column]:
    columns: list[Column] = []
    for key in RESULT_KEYS[:-1]:
        if key in SCORE_KEYS:
            columns.append(_col(HEADERS[key], key, "number"))
        elif key == "satisfaction":
            columns.append(_col(HEADERS[key], key, "percent"))
        elif key in INT_KEYS:
            columns.append(_col(HEADERS[key], key, "integer"))
        elif key in BOOL_KEYS:
            columns.append(Column(HEADERS[key], lambda r, k=key: _bool_text(r[k])))
        elif key == "flags":
            columns.append(Column(HEADERS[key], lambda r: _flag_text(r["flags"])))
        else:
            columns.append(_col(HEADERS[key], key))
    for k in DUTY_KEYS:
        columns.append(
            Column(
                HEADERS[f"role_{k}"],
                lambda r, k=k: None if r["roles"] is None else r["roles"][k],
                "number",
            )
        )
    return columns


def write_results_xlsx(frame: Any, path: str | Path) -> Path:
    """`assess --out results.xlsx`: one sheet 考核结果, Chinese headers in row 1, numeric cells."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    path = Path(path)
    records = results_records(frame)
    columns = _result_columns()
    wb = Workbook()
    ws = wb.active
    ws.title = RESULT_SHEET
    widths = [display_width(c.header) for c in columns]
    for j, column in enumerate(columns, start=1):
        cell = write_cell(ws, 1, j, column.header)
        cell.font = _styles()["HEADER_FONT"]
        cell.border = _styles()["BORDER"]
    for i, record in enumerate(records, start=2):
        for j, column in enumerate(columns, start=1):
            value = column.get(record)
            write_cell(ws, i, j, value, column.kind)
            widths[j - 1] = max(widths[j - 1], _text_width(value, column.kind))
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
    ws.freeze_panes = "A2"
    wb.save(path)
    return path


# --- the award workbook -------------------------------------------------------------------

AWARD_SHEETS = ("表彰名单", "建议调整名单", "考核汇总表", "联户长报酬发放表")
AWARD_TITLES = {
    GRID_LEADER: "优秀网格长",
    HOUSEHOLD_LEADER: "优秀联户长",
}
SCOPE_RANK = {"village": "village_rank", "township": "township_rank", "county": "county_rank"}
SCOPE_RANK_HEADER = {"village": "村内排名", "township": "乡镇排名", "county": "县内排名"}

REASON_VETO = "一票否决"
REASON_MASS_VETO = "群众评议否决"
REASON_INCOMPETENT = "等次为不称职"
REASON_TWO_YEARS = "连续两年基本称职及以下"


def adjustment_reasons(record: Mapping[str, Any]) -> str:
    """Why a leader is on the 建议调整 list (scoring.md section 4), in Chinese.

    The root cause is named: a veto of either kind forces 不称职, so 等次为不称职 is listed
    only when no veto applies.
    """
    flags = record.get("flags") or []
    reasons = []
    if "veto" in flags:
        reasons.append(REASON_VETO)
    if "mass_veto" in flags:
        reasons.append(REASON_MASS_VETO)
    if not reasons:
        if record.get("grade") == INCOMPETENT:
            reasons.append(REASON_INCOMPETENT)
        elif record.get("grade") == BASIC:
            reasons.append(REASON_TWO_YEARS)
    return "；".join(reasons)


def _is_tie(record: Mapping[str, Any]) -> bool:
    return "tie_at_cutoff" in (record.get("flags") or [])


def _frame_and_scheme(assessment_or_frame: Any) -> tuple[Any, Scheme | None]:
    """Accept a results DataFrame (or list of rows) or an object carrying one (and its scheme)."""
    obj = assessment_or_frame
    if hasattr(obj, "columns") or isinstance(obj, list):
        return obj, None
    for attr in ("results", "frame", "df"):
        frame = getattr(obj, attr, None)
        if frame is not None and hasattr(frame, "columns"):
            return frame, getattr(obj, "scheme", None)
    raise TypeError("write_award_workbook expects a results DataFrame or an assessment holding one")


def scope_name(frame: Any) -> str:
    """The name in the titles: the township when all rows are of one township, else the county."""
    rows = _rows(frame)
    townships = {str(r.get("township")) for r in rows if _py(r.get("township")) is not None}
    if len(townships) == 1:
        return next(iter(townships))
    counties = {str(r.get("county")) for r in rows if _py(r.get("county")) is not None}
    if len(counties) == 1:
        return next(iter(counties))
    return DEFAULT_COUNTY


def _location_columns() -> list[Column]:
    return [
        _col("乡镇", "township"),
        _col("行政村", "village"),
        _col("网格", "grid"),
        _col("联防组", "group"),
    ]


def _numbered(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{**r, "_no": i} for i, r in enumerate(records, start=1)]


def _tie_note(records: Sequence[Mapping[str, Any]]) -> str | None:
    tied = [r for r in records if _is_tie(r)]
    if not tied:
        return None
    names = "、".join(
        f"{r['name']}（{r['code']}，{r['role']}，{'已列入' if r['award'] else '未列入'}）"
        for r in tied
    )
    return f"注：{TIE_NOTE}。标色者在表彰名额末位各项比较完全相同：{names}。"


def _write_awards_sheet(ws: Worksheet, records: list[dict], *, title: str, scope: str) -> None:
    rank_key = SCOPE_RANK[scope]
    columns = [
        _col("序号", "_no", "integer"),
        _col("称号", "_title"),
        _col("编号", "code"),
        _col("姓名", "name"),
        *_location_columns(),
        _col("最终得分", "final", "number"),
        _col("等次", "grade"),
        _col(SCOPE_RANK_HEADER[scope], rank_key, "integer"),
        Column("备注", lambda r: TIE_NOTE if _is_tie(r) else None),
    ]
    winners: list[dict] = []
    for role in (GRID_LEADER, HOUSEHOLD_LEADER):
        group = [r for r in records if r["award"] and r["role"] == role]
        group.sort(key=lambda r: (r["township"] or "", r[rank_key] or math.inf, r["code"] or ""))
        winners.extend({**r, "_title": AWARD_TITLES[role]} for r in _numbered(group))
    row = write_table(
        ws, title=title, columns=columns, records=winners, highlight=_is_tie, freeze_columns=4
    )
    counts = {role: sum(1 for r in winners if r["role"] == role) for role in AWARD_TITLES}
    row = write_note(
        ws,
        row,
        len(columns),
        f"合计：优秀网格长 {counts[GRID_LEADER]} 名，优秀联户长 {counts[HOUSEHOLD_LEADER]} 名。",
    )
    note = _tie_note(records)
    if note:
        write_note(ws, row, len(columns), note, fill=_styles()["TIE_FILL"])


def _write_adjustment_sheet(ws: Worksheet, records: list[dict], *, title: str) -> None:
    columns = [
        _col("序号", "_no", "integer"),
        _col("编号", "code"),
        _col("姓名", "name"),
        _col("职务", "role"),
        *_location_columns(),
        _col("最终得分", "final", "number"),
        _col("等次", "grade"),
        Column("调整原因", adjustment_reasons),
    ]
    rows = _numbered([r for r in records if r["adjustment"]])
    row = write_table(ws, title=title, columns=columns, records=rows, freeze_columns=3)
    write_note(ws, row, len(columns), f"合计：建议调整 {len(rows)} 人。")


def _write_summary_sheet(ws: Worksheet, records: list[dict], *, title: str) -> None:
    columns = [
        _col("序号", "_no", "integer"),
        _col("编号", "code"),
        _col("姓名", "name"),
        _col("职务", "role"),
        *_location_columns(),
        _col("个人述职", "self", "number"),
        _col("群众评议", "mass", "number"),
        _col("村两委量化打分", "committee", "number"),
        _col("综治E通上报", "platform", "number"),
        _col("有效票数", "ballots", "integer"),
        _col("满意率", "satisfaction", "percent"),
        _col("加分", "bonus", "number"),
        _col("减分", "deduction", "number"),
        _col("最终得分", "final", "number"),
        _col("等次", "grade"),
        _col("村内排名", "village_rank", "integer"),
        _col("乡镇排名", "township_rank", "integer"),
        _col("县内排名", "county_rank", "integer"),
        Column("数据完整", lambda r: _bool_text(r["complete"])),
        Column("表彰", lambda r: _bool_text(r["award"])),
        Column("建议调整", lambda r: _bool_text(r["adjustment"])),
        Column("提示", lambda r: _flag_text(r["flags"])),
    ]
    rows = _numbered(records)
    row = write_table(
        ws, title=title, columns=columns, records=rows, highlight=_is_tie, freeze_columns=3
    )
    row = write_note(ws, row, len(columns), f"合计：参加考核 {len(rows)} 人。")
    note = _tie_note(records)
    if note:
        write_note(ws, row, len(columns), note, fill=_styles()["TIE_FILL"])


def _decimal(value: float | None) -> Decimal:
    return Decimal(0) if value is None else Decimal(repr(value))


def _write_pay_sheet(ws: Worksheet, records: list[dict], *, title: str, scheme: Scheme) -> None:
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    columns = [
        _col("序号", "_no", "integer"),
        _col("编号", "code"),
        _col("姓名", "name"),
        _col("乡镇", "township"),
        _col("行政村", "village"),
        _col("联防组", "group"),
        _col("等次", "grade"),
        Column("报酬基数（元）", lambda r: r["_base"], "number"),
        Column("系数", lambda r: r["_coefficient"], "number"),
        _col("报酬（元）", "pay", "number"),
        Column("领取人签字", lambda r: None),
    ]
    rows = []
    for r in _numbered([r for r in records if r["role"] == HOUSEHOLD_LEADER]):
        coefficient = scheme.pay_coefficients.get(r["grade"]) if r["grade"] else None
        rows.append({**r, "_base": float(scheme.pay_base), "_coefficient": coefficient})
    row = write_table(
        ws, title=title, columns=columns, records=rows, freeze_columns=3, row_height=28
    )
    # Signatures need room: the signature column is at least 16 units wide.
    sign = get_column_letter(len(columns))
    ws.column_dimensions[sign].width = max(ws.column_dimensions[sign].width, 16)

    total = float(sum((_decimal(r["pay"]) for r in rows), Decimal(0)))
    pay_col = len(columns) - 1
    for j in range(1, len(columns) + 1):
        ws.cell(row=row, column=j).border = _styles()["BORDER"]
    label = write_cell(ws, row, 1, "合计")
    label.font = _styles()["HEADER_FONT"]
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=pay_col - 1)
    label.alignment = Alignment(horizontal="center", vertical="center")
    cell = write_cell(ws, row, pay_col, total, "number")
    cell.font = _styles()["HEADER_FONT"]
    ws.row_dimensions[row].height = 28
    write_note(ws, row + 1, len(columns), f"共 {len(rows)} 人。报酬 = 报酬基数 × 等次系数。")


def write_award_workbook(
    assessment_or_frame: Any,
    *,
    year: int,
    path: str | Path,
    title_scope: str | None = None,
    scheme: Scheme | None = None,
) -> Path:
    """The award-list workbook 表彰名单 / 建议调整名单 / 考核汇总表 / 联户长报酬发放表, for printing.

    `title_scope` names the region in the titles (default: the township when the results
    cover one township, else the county); `scheme` gives the award scope and pay settings
    (default: the assessment's scheme, else the defaults).
    """
    from openpyxl import Workbook

    frame, own_scheme = _frame_and_scheme(assessment_or_frame)
    scheme = scheme or own_scheme or Scheme.default()
    scope = title_scope or scope_name(frame)
    records = results_records(frame)
    path = Path(path)

    wb = Workbook()
    sheets = [wb.active, *(wb.create_sheet() for _ in AWARD_SHEETS[1:])]
    for ws, name in zip(sheets, AWARD_SHEETS, strict=True):
        ws.title = name
    _write_awards_sheet(
        sheets[0],
        records,
        title=f"{scope}{year}年度优秀网格长、优秀联户长表彰名单",
        scope=scheme.award_scope,
    )
    _write_adjustment_sheet(
        sheets[1], records, title=f"{scope}{year}年度网格长、联户长建议调整名单"
    )
    _write_summary_sheet(sheets[2], records, title=f"{scope}{year}年度网格长、联户长考核汇总表")
    _write_pay_sheet(sheets[3], records, title=f"{scope}{year}年度联户长报酬发放表", scheme=scheme)
    wb.save(path)
    return path


# --- the `awards` command -----------------------------------------------------------------


def run_awards(engine: Any, *, year: int, out: str | Path, scheme_file: str | None = None) -> str:
    """`awards --year Y --out FILE.xlsx [--scheme FILE.json]`: assess the year, write the workbook.

    Refusals raise dashboard.data.queries.AssessCommandError with a Chinese message. The file
    is written next to its destination and moved into place, so it is never half-written.
    """
    import os
    import tempfile

    from dashboard.data.queries import AssessCommandError, assess_for_command

    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise AssessCommandError(f"输出文件 {out} 的扩展名应为 .xlsx")
    if not out.parent.is_dir():
        raise AssessCommandError(f"输出文件 {out} 所在的文件夹不存在")
    assessment = assess_for_command(engine, year=year, scheme_file=scheme_file)

    fd, tmp = tempfile.mkstemp(prefix=".awards-", suffix=".xlsx", dir=out.parent)
    os.close(fd)
    try:
        write_award_workbook(assessment, year=year, path=tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

    records = results_records(assessment.results)
    winners = {
        role: sum(1 for r in records if r["award"] and r["role"] == role) for role in AWARD_TITLES
    }
    household = [r for r in records if r["role"] == HOUSEHOLD_LEADER]
    total = sum((_decimal(r["pay"]) for r in household), Decimal(0))
    return (
        f"已写出表彰名单工作簿：{out}\n"
        f"  优秀网格长 {winners[GRID_LEADER]} 名，优秀联户长 {winners[HOUSEHOLD_LEADER]} 名；"
        f"建议调整 {sum(1 for r in records if r['adjustment'])} 人；"
        f"联户长 {len(household)} 人，报酬合计 {total:.2f} 元。"
    )
