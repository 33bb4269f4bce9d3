"""Build a workbook whose 群众评议 sheet holds a million copies of one row, and time importing it.

Every copy after the first is a duplicate key (票号+编号), so the import is refused; what is
measured is how long the refusal takes, how much memory it needs and how much it prints (the
error list stops after 500 entries). The sheet XML is written directly (no openpyxl) so that
building the file takes seconds. Run:

    .venv/bin/python benchmarks/duplicate_rows.py build /tmp/dup.xlsx [--rows 1000000]
    .venv/bin/python -m dashboard init-db --db sqlite:///x.db
    /usr/bin/time -v .venv/bin/python -m dashboard import /tmp/dup.xlsx --year 2024 --db sqlite:///x.db

Not part of the test suite.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="人员名册" sheetId="1" r:id="rId1"/><sheet name="群众评议" sheetId="2" r:id="rId2"/></sheets>
</workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>
</Relationships>"""
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"
_ROSTER = [
    ["编号", "姓名", "性别", "职务", "乡镇", "村", "网格", "联防组", "任职日期", "状态"],
    ["D001", "测试甲", "男", "联户长", "测试乡", "测试村", "第一网格", "第一联防组", "2020-01-01", "在任"],
]
_BALLOT_HEADER = ["票号", "评议人类别", "编号", "姓名", "评价"]
_BALLOT_ROW = ["P-001", "群众代表", "D001", "测试甲", "称职"]


def _row(number: int, values: list[str]) -> str:
    # Cells without an "r" reference (allowed; the reader counts them) keep the sheet XML under
    # the reader's 300 MB uncompressed limit.
    cells = "".join(
        f'<c t="inlineStr"><is><t>{escape(v)}</t></is></c>' for v in values
    )
    return f'<row r="{number}">{cells}</row>'


def build(path: Path, rows: int) -> None:
    """The roster (one leader) and a 群众评议 sheet with ``rows`` identical data rows."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            _SHEET_HEAD + "".join(_row(i + 1, r) for i, r in enumerate(_ROSTER)) + _SHEET_TAIL,
        )
        with archive.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as sheet:
            sheet.write((_SHEET_HEAD + _row(1, _BALLOT_HEADER)).encode())
            batch = []
            for number in range(2, rows + 2):
                batch.append(_row(number, _BALLOT_ROW))
                if len(batch) == 10_000:
                    sheet.write("".join(batch).encode())
                    batch = []
            sheet.write(("".join(batch) + _SHEET_TAIL).encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["build"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    build(args.path, args.rows)
    print(f"{args.path}: {args.rows} rows, {args.path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
