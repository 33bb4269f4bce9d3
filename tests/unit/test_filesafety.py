"""Uploaded workbooks are checked before parsing: not a workbook, too large, zip bomb."""

from __future__ import annotations

import io
import zipfile

from factories import real_workbook as _real_workbook
from factories import zip_bomb

from dashboard.data.filesafety import MAX_UPLOAD_BYTES, NOT_A_WORKBOOK, workbook_file_problem
from dashboard.data.workbook import read_workbook


def test_real_workbook_passes():
    """An ordinary .xlsx made by openpyxl has no problem."""
    assert workbook_file_problem(_real_workbook()) is None


def test_text_file_is_not_a_workbook():
    """A text file (or a zip that is not a spreadsheet) is refused before parsing."""
    assert workbook_file_problem("编号,姓名\nG1,杨卓玛\n".encode()) == NOT_A_WORKBOOK
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    assert workbook_file_problem(buf.getvalue()) == NOT_A_WORKBOOK
    assert workbook_file_problem(b"") == "文件是空的（0 字节）"


def test_oversized_file_refused_with_the_limit():
    """A file over 20 MB is refused, naming its size and the limit."""
    big = b"PK" + b"\0" * MAX_UPLOAD_BYTES  # 20 MB + 2 bytes
    problem = workbook_file_problem(big)
    assert problem is not None
    assert "文件太大（20.0 MB）" in problem and "超过 20 MB 的上限" in problem


def test_zip_bomb_refused_before_openpyxl_parses_it():
    """A 64 MB sheet packed into a few dozen KB is refused by its compression ratio."""
    bomb = zip_bomb(64)
    assert len(bomb) < 200 * 1024  # tiny on disk
    problem = workbook_file_problem(bomb)
    assert problem is not None and "压缩炸弹" in problem and "64 MB" in problem
    raw = read_workbook(bomb)
    assert [e.reason for e in raw.errors] == [problem]
    assert raw.sheets == {}


def test_file_object_position_is_restored():
    """Checking an upload stream leaves it where it was, so the reader can still read it."""
    stream = io.BytesIO(_real_workbook())
    assert workbook_file_problem(stream) is None
    assert stream.tell() == 0
