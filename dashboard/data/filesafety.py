"""Checks on an uploaded workbook before any parser touches it: size, zip structure, zip bombs,
macros.

A macro-enabled workbook (.xlsm, .xltm, .xlam) is refused however it is named: its main part's
content type in [Content_Types].xml says "macroEnabled", or it carries a vbaProject.bin part.
The data never needs macros, and a file with them should not travel on from the importer.

An .xlsx file is a zip archive of XML parts. A "zip bomb" is a small file whose parts expand to
gigabytes; openpyxl would try to parse them all. Python's zipfile never yields more than an
entry's declared uncompressed size (it stops there and then fails the CRC check), so checking
the declared sizes in the central directory before parsing bounds the memory and time spent.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

MAX_UPLOAD_MB = 20
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
# A county workbook (4,000 leaders, 80,000 ballot marks) expands to a few tens of MB of XML.
MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
# Spreadsheet XML compresses about 5–30 times; a bomb compresses hundreds or thousands of times.
MAX_RATIO = 100
RATIO_MIN_SIZE = 1024 * 1024  # tiny parts may compress oddly; only judge parts above 1 MB
MAX_ENTRIES = 2000

NOT_A_WORKBOOK = "文件无法作为 Excel 工作簿（.xlsx）打开，请用 Excel 或 WPS 另存为 .xlsx 后再导入"
MACRO_WORKBOOK = (
    "文件是启用宏的工作簿（.xlsm），为安全起见不接受；请在 Excel 或 WPS 中“另存为”"
    "Excel 工作簿（.xlsx）后再导入"
)
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
_CONTENT_TYPES_MAX = 1024 * 1024  # a real [Content_Types].xml is a few kB
_MACRO_TYPE = re.compile(rb"macroEnabled", re.IGNORECASE)


def _size_and_stream(source: Any) -> tuple[int, Any, Any] | None:
    """(size in bytes, what zipfile can open, position to restore) or None for a missing path."""
    if isinstance(source, bytes | bytearray):
        return len(source), io.BytesIO(source), None
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            return None
        return path.stat().st_size, path, None
    if hasattr(source, "seek") and hasattr(source, "read"):
        start = source.tell()
        source.seek(0, os.SEEK_END)
        size = source.tell() - start
        source.seek(start)
        return size, source, start
    return None


def workbook_file_problem(source: Any, *, max_bytes: int = MAX_UPLOAD_BYTES) -> str | None:
    """Why `source` (path, bytes or file object) must not be parsed as a workbook, or None.

    A file object is left at the position it had.
    """
    found = _size_and_stream(source)
    if found is None:
        return None  # a missing path: the reader reports 找不到文件
    size, stream, start = found
    if isinstance(source, str | os.PathLike) and str(source).lower().endswith(MACRO_SUFFIXES):
        return MACRO_WORKBOOK
    try:
        if size > max_bytes:
            return (
                f"文件太大（{size / 1024 / 1024:.1f} MB），超过 {max_bytes // 1024 // 1024} MB 的上限；"
                "请按乡镇分成几个工作簿分别导入"
            )
        if size == 0:
            return "文件是空的（0 字节）"
        try:
            with zipfile.ZipFile(stream) as archive:
                entries = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return NOT_A_WORKBOOK
        names = {e.filename for e in entries}
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            return NOT_A_WORKBOOK
        if len(entries) > MAX_ENTRIES:
            return f"文件结构异常（包含 {len(entries)} 个部件），拒绝导入"
        total = 0
        for entry in entries:
            total += entry.file_size
            ratio = entry.file_size / max(entry.compress_size, 1)
            if entry.file_size >= RATIO_MIN_SIZE and ratio > MAX_RATIO:
                return (
                    f"文件结构异常：部件 {entry.filename} 解压后为 {entry.file_size / 1024 / 1024:.0f} MB，"
                    f"压缩比 {ratio:.0f} 倍，疑似“压缩炸弹”，拒绝导入"
                )
        if total > MAX_UNCOMPRESSED_BYTES:
            return (
                f"文件解压后共 {total / 1024 / 1024:.0f} MB，超过 {MAX_UNCOMPRESSED_BYTES // 1024 // 1024} MB "
                "的上限，疑似“压缩炸弹”，拒绝导入"
            )
        return _macro_problem(stream, entries)
    finally:
        if start is not None:
            source.seek(start)


def _macro_problem(stream: Any, entries: list[zipfile.ZipInfo]) -> str | None:
    """MACRO_WORKBOOK when the package holds VBA code or declares a macro-enabled main part."""
    if any(e.filename.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for e in entries):
        return MACRO_WORKBOOK
    types = next(e for e in entries if e.filename == "[Content_Types].xml")
    if types.file_size > _CONTENT_TYPES_MAX:
        return NOT_A_WORKBOOK
    if hasattr(stream, "seek"):
        stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            text = archive.read(types)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        return NOT_A_WORKBOOK
    return MACRO_WORKBOOK if _MACRO_TYPE.search(text) else None
