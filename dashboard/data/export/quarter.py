"""Quarter rows (interfaces.md "Quarter rows"): records, JSON, CSV, and one entry for all formats.

Text cells go through export.safe_text (a leading = + - @ is not read as a formula); the
.xlsx is the print-ready notice of dashboard.data.export.quarter_book.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.data.export.quarter_book import write_quarter_notice
from dashboard.data.export.records import safe_text
from dashboard.scoring.quarter import QuarterResult

QUARTER_KEYS: tuple[str, ...] = (
    "code", "name", "role", "township", "village", "quarter", "committee", "platform", "score",
    "grade", "rank_village", "rank_township", "rank_county",
)
TEXT_KEYS = ("code", "name", "role", "township", "village", "grade")
QUARTER_SUFFIXES = (".json", ".csv", ".xlsx")


class QuarterOutputError(ValueError):
    """An --out the quarter command cannot write (Chinese message)."""


def _plain(values: pd.Series, kind: str) -> list[Any]:
    """A column as plain Python values, None for NaN/NA."""
    missing = values.isna().to_numpy()
    if kind == "int":
        plain = values.fillna(0).to_numpy(dtype="int64").tolist()
    elif kind == "float":
        plain = values.fillna(0).to_numpy(dtype="float64").tolist()
    else:
        plain = values.astype(object).tolist()
    return [None if m else v for v, m in zip(plain, missing, strict=True)]


def quarter_records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """The quarter rows as dicts with the interface keys, in the rows' order (already sorted)."""
    kinds = {"quarter": "int", "rank_village": "int", "rank_township": "int", "rank_county": "int",
             "committee": "float", "platform": "float", "score": "float"}
    columns = {key: _plain(rows[key], kinds.get(key, "text")) for key in QUARTER_KEYS}
    return [dict(zip(QUARTER_KEYS, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def write_quarter_json(result: QuarterResult, path: str | Path) -> Path:
    """`quarter --out q.json`: a list of objects with the interface keys (UTF-8, Chinese as is)."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as fh:
        json.dump(quarter_records(result.rows), fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    return path


def write_quarter_csv(result: QuarterResult, path: str | Path) -> Path:
    """`quarter --out q.csv`: the interface keys as header, UTF-8 with BOM, null as an empty cell."""
    path = Path(path)
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(QUARTER_KEYS)
        for record in quarter_records(result.rows):
            writer.writerow(
                "" if record[k] is None
                else safe_text(record[k]) if k in TEXT_KEYS
                else f"{record[k]:.2f}" if isinstance(record[k], float)
                else record[k]
                for k in QUARTER_KEYS
            )
    return path


def write_quarter(result: QuarterResult, path: str | Path, *, scope: str | None = None) -> Path:
    """Write .json / .csv / .xlsx by the name's suffix, next to the target and then moved into place."""
    path = Path(path)
    suffix = path.suffix.lower()
    writers = {
        ".json": write_quarter_json,
        ".csv": write_quarter_csv,
        ".xlsx": lambda r, p: write_quarter_notice(r, p, scope=scope),
    }
    if suffix not in writers:
        raise QuarterOutputError(f"输出文件 {path} 的扩展名应为 .json、.csv 或 .xlsx")
    fd, tmp = tempfile.mkstemp(prefix=".quarter-", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        writers[suffix](result, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
