"""The result rows of interfaces.md: the engine's results frame as records, JSON and CSV.

One conversion (`result_columns`, pandas and numpy) puts the frame in the documented order
and rounds its numbers; JSON is its records through orjson, CSV the same columns through
DataFrame.to_csv. Every
text cell of a file a spreadsheet opens goes through `safe_text` (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from dashboard.domain import DUTY_KEYS, FLAG_NAMES, GRID_LEADER, flag_list
from dashboard.headers import HEADERS

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
SCORE_PLACES = 2
SHARE_PLACES = 4

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


# --- values -------------------------------------------------------------------------------


def is_missing(value: Any) -> bool:
    """None, pandas NA/NaT or a float NaN."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def plain(value: Any) -> Any:
    """A plain Python value (numpy scalars unwrapped), None for a missing one."""
    if isinstance(value, np.generic):
        value = value.item()
    return None if is_missing(value) else value


def round_half_up(value: Any, places: int = SCORE_PLACES) -> float | None:
    """Round half up as an exact decimal (89.995 -> 90.0); None stays None."""
    value = plain(value)
    if value is None:
        return None
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def _round(values: np.ndarray, places: int) -> np.ndarray:
    """Float values rounded half up; values already at `places` decimals are kept as they are."""
    out = values.copy()
    # Only a value that is not already the nearest double of a `places`-decimal number needs
    # the exact decimal rounding (engine results never do: they are whole cents).
    for i in np.flatnonzero(~np.isnan(values) & (np.round(values, places) != values)).tolist():
        out[i] = round_half_up(float(values[i]), places)
    return out


def _numbers(column: pd.Series, places: int) -> np.ndarray:
    """The column as float64 rounded half up (NaN where missing)."""
    return _round(pd.to_numeric(column, errors="coerce").astype("float64").to_numpy(), places)


def _nullable(values: np.ndarray) -> list[Any]:
    """Plain Python numbers, None for NaN."""
    out = values.astype(object)
    out[np.isnan(values)] = None
    return out.tolist()


def _texts(column: pd.Series) -> np.ndarray:
    """Text as str objects, None where missing (an object array)."""
    values = column.to_numpy(dtype=object, na_value=None, copy=True)
    if isinstance(column.dtype, pd.StringDtype):
        return values
    return np.array([v if type(v) is str else (None if is_missing(v) else str(plain(v))) for v in values.tolist()],
                    dtype=object)


def _ints(column: pd.Series) -> list[int | None]:
    values = pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()
    if not np.isnan(values).any():
        return values.astype(np.int64).tolist()
    return [None if math.isnan(v) else int(v) for v in values.tolist()]


def _bools(column: pd.Series) -> np.ndarray:
    values = column.to_numpy(dtype=object, na_value=None, copy=True)
    values[pd.isna(values)] = False
    return values.astype(bool)


def _roles(column: pd.Series) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Which rows have a seven-duty profile, and each duty rounded (NaN for rows without one)."""
    values = column.tolist()
    present = np.fromiter((isinstance(v, Mapping) for v in values), dtype=bool, count=len(values))
    profiles = [v for v in values if isinstance(v, Mapping)]
    duties = {}
    for k in DUTY_KEYS:
        duty = np.full(len(values), np.nan)
        duty[present] = np.array([p.get(k) for p in profiles], dtype=np.float64)
        duties[k] = _round(duty, SCORE_PLACES)
    return present, duties


@dataclass(frozen=True)
class ResultColumns:
    """The interface columns of a results frame, converted, in the documented row order."""

    text: dict[str, np.ndarray]  # str or None
    numbers: dict[str, np.ndarray]  # scores and satisfaction, rounded; NaN for null
    ints: dict[str, list[int | None]]
    bools: dict[str, np.ndarray]
    flags: list[list[str]]
    roles_present: np.ndarray
    roles: dict[str, np.ndarray]  # duty -> rounded percent; NaN without a profile


def result_frame(rows: Any) -> pd.DataFrame:
    """The results as a DataFrame (a list of row dicts is accepted too); every interface key present."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    missing = [k for k in RESULT_KEYS if k not in frame.columns]
    if missing and len(frame):
        raise ValueError(f"结果表缺少列：{'、'.join(missing)}")
    return frame.reindex(columns=list(RESULT_KEYS)) if missing else frame


def _blank_if_missing(texts: np.ndarray) -> np.ndarray:
    """None sorts as the empty text."""
    out = texts.copy()
    out[pd.isna(out)] = ""
    return out


def _row_order(frame: pd.DataFrame) -> np.ndarray:
    """Township, role (网格长 first), township rank (none last), code; stable."""
    town = pd.factorize(_blank_if_missing(_texts(frame["township"])), sort=True)[0]
    role = (frame["role"] != GRID_LEADER).to_numpy(dtype=np.int64)
    rank = pd.to_numeric(frame["township_rank"], errors="coerce").astype("float64").fillna(math.inf)
    code = pd.factorize(_blank_if_missing(_texts(frame["code"])), sort=True)[0]
    return np.lexsort((code, rank.to_numpy(), role, town))


def result_columns(rows: Any) -> ResultColumns:
    """The interface columns converted (scores rounded, nulls kept), in the documented row order."""
    frame = result_frame(rows)
    order = _row_order(frame)
    numeric_roles = all(c in frame.columns for c in ROLE_COLUMNS)
    if numeric_roles:  # the engine's frame: the profile as numbers too, no mapping to unpack
        present = frame["roles"].notna().to_numpy()[order]
        roles = {k: _numbers(frame[f"role_{k}"], SCORE_PLACES)[order] for k in DUTY_KEYS}
    frame = frame[list(RESULT_KEYS)].iloc[order].reset_index(drop=True)
    if not numeric_roles:
        present, roles = _roles(frame["roles"])
    return ResultColumns(
        text={k: _texts(frame[k]) for k in TEXT_KEYS},
        numbers={
            **{k: _numbers(frame[k], SCORE_PLACES) for k in SCORE_KEYS},
            "satisfaction": _numbers(frame["satisfaction"], SHARE_PLACES),
        },
        ints={k: _ints(frame[k]) for k in INT_KEYS},
        bools={k: _bools(frame[k]) for k in BOOL_KEYS},
        flags=[list(v) if type(v) is tuple else flag_list(None if is_missing(v) else v) for v in frame["flags"].tolist()],
        roles_present=present,
        roles=roles,
    )


def results_records(rows: Any) -> list[dict[str, Any]]:
    """The result rows of interfaces.md as JSON-ready dicts, in the documented order.

    Order: township, role (网格长 first), township rank, code. Scores rounded half up to 2
    decimals, satisfaction to 4, None for an absent component.
    """
    cols = result_columns(rows)
    duties = [_nullable(cols.roles[k]) for k in DUTY_KEYS]
    roles = [
        dict(zip(DUTY_KEYS, row, strict=True)) if has else None
        for has, row in zip(cols.roles_present.tolist(), zip(*duties, strict=True), strict=True)
    ]
    values = []
    for key in RESULT_KEYS:
        if key in TEXT_KEYS:
            values.append(cols.text[key].tolist())
        elif key in cols.numbers:
            values.append(_nullable(cols.numbers[key]))
        elif key in INT_KEYS:
            values.append(cols.ints[key])
        elif key in BOOL_KEYS:
            values.append(cols.bools[key].tolist())
        elif key == "flags":
            values.append(cols.flags)
        else:
            values.append(roles)
    return [dict(zip(RESULT_KEYS, row, strict=True)) for row in zip(*values, strict=True)]


# --- files --------------------------------------------------------------------------------


def write_results_json(rows: Any, path: str | Path) -> Path:
    """`assess --out results.json`: a list of objects with the interface keys (UTF-8, indented)."""
    path = Path(path)
    path.write_bytes(orjson.dumps(results_records(rows), option=orjson.OPT_INDENT_2) + b"\n")
    return path


def _guarded(texts: np.ndarray) -> np.ndarray:
    """safe_text of each str / None ("" for None), computed once per distinct text."""
    codes, uniques = pd.factorize(texts, use_na_sentinel=False)
    texts = [safe_text(None if is_missing(u) else u) for u in uniques.tolist()]
    return np.array(texts or [""], dtype=object)[codes]


def _number_texts(values: np.ndarray, places: int) -> np.ndarray:
    """Each number as text with `places` decimals ("" for NaN), formatted once per distinct value.

    Values are told apart by their bits, so -0.0 keeps its sign as f-strings write it.
    """
    codes, uniques = pd.factorize(np.ascontiguousarray(values, dtype=np.float64).view(np.int64))
    numbers = np.asarray(uniques, dtype=np.int64).view(np.float64).tolist()
    texts = np.array(["" if v != v else f"{v:.{places}f}" for v in numbers], dtype=object)
    return texts[codes] if len(codes) else np.empty(0, dtype=object)


def csv_rows(rows: Any) -> list[tuple[str, ...]]:
    """The CSV cells of each result in the documented order (header not included)."""
    cols = result_columns(rows)
    cells: list[Any] = []
    for key in RESULT_KEYS[:-1]:
        if key in TEXT_KEYS:
            cells.append(_guarded(cols.text[key]))
        elif key in cols.numbers:
            cells.append(_number_texts(cols.numbers[key], SHARE_PLACES if key == "satisfaction" else SCORE_PLACES))
        elif key in INT_KEYS:
            cells.append(["" if v is None else str(v) for v in cols.ints[key]])
        elif key in BOOL_KEYS:
            cells.append(np.where(cols.bools[key], "true", "false").astype(object))
        else:
            cells.append(_guarded(np.array([";".join(f) for f in cols.flags], dtype=object)))
    cells += [_number_texts(cols.roles[k], SCORE_PLACES) for k in DUTY_KEYS]
    return list(zip(*(list(c) for c in cells), strict=True))


def write_results_csv(rows: Any, path: str | Path) -> Path:
    """`assess --out results.csv`: UTF-8 with BOM, interface keys, roles as role_* columns."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_rows(rows))
    return path


PEOPLE_BOOLS = {"true": "是", "false": "否"}


def write_people_csv(rows: Any, path: str | Path) -> Path:
    """The results CSV a user downloads from the app: the same rows and cells as
    write_results_csv, but Chinese headers (dashboard.headers), 是/否 for yes/no columns and
    the flags by their Chinese names, joined with 、."""
    path = Path(path)
    bool_columns = [CSV_COLUMNS.index(k) for k in BOOL_KEYS]
    flags_column = CSV_COLUMNS.index("flags")
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([HEADERS[k] for k in CSV_COLUMNS])
        for row in csv_rows(rows):
            cells = list(row)
            for j in bool_columns:
                cells[j] = PEOPLE_BOOLS[cells[j]]
            codes = cells[flags_column].split(";") if cells[flags_column] else []
            cells[flags_column] = "、".join(FLAG_NAMES.get(c, c) for c in codes)
            writer.writerow(cells)
    return path
