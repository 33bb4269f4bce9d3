"""A small table shown on a page, as the CSV a clerk opens in Excel or WPS."""

from __future__ import annotations

import csv
import io

import pandas as pd

from dashboard.data.export.records import is_missing, safe_text


def table_csv_bytes(table: pd.DataFrame) -> bytes:
    """The table's own (Chinese) headers and cells as CSV, UTF-8 with BOM; text guarded against formulas."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([str(c) for c in table.columns])
    for row in table.itertuples(index=False):
        writer.writerow(["" if is_missing(v) else safe_text(v) if isinstance(v, str) else v for v in row])
    return buf.getvalue().encode("utf-8-sig")
