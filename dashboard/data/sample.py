"""The bundled sample township 南峪乡 (舟曲县): two data workbooks made by sample_data/make_sample.py."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session
from dashboard.data.workbook import (
    ImportReport,
    WorkbookRejected,
    check_workbook,
    import_workbook,
    leader_count,
)
from dashboard.data.years import closed_message, get_year
from dashboard.domain import YEAR_OPEN

SAMPLE_DIR = PROJECT_ROOT / "sample_data"
SAMPLE_YEARS = (2023, 2024)


class SampleRefused(Exception):
    """The sample cannot be loaded; nothing was written. The message is Chinese."""


class SamplePartlyLoaded(Exception):
    """A later year failed after earlier years were written (a race with another writer)."""

    def __init__(self, written: list[ImportReport], year: int, rejected: WorkbookRejected) -> None:
        super().__init__(f"{year} 年度未写入")
        self.written = written
        self.year = year
        self.rejected = rejected


def sample_workbook(year: int) -> Path:
    """Path of the sample workbook for a year."""
    return SAMPLE_DIR / f"nanyu_{year}.xlsx"


def _check_all_years(engine: Engine) -> None:
    """Refuse before writing anything when any sample year is closed or its workbook is refused."""
    with read_session(engine) as session:
        closed = [
            closed_message(year, row.status)
            for year in SAMPLE_YEARS
            if (row := get_year(session, year)) is not None and row.status != YEAR_OPEN
        ]
    if closed:
        raise SampleRefused("示例数据要写入 2023 和 2024 年度，但 " + "；".join(closed))
    for year in SAMPLE_YEARS:
        try:
            check_workbook(engine=engine, source=sample_workbook(year), year=year)
        except WorkbookRejected as exc:
            first = str(exc.errors[0]) if exc.errors else ""
            raise SampleRefused(f"{year} 年度示例工作簿不能导入（共 {len(exc.errors)} 处错误）：{first}") from exc


def seed_sample(*, engine: Engine, if_empty: bool = False) -> list[ImportReport]:
    """Import the sample workbooks (2023, then 2024); with if_empty, only into an empty roster.

    Every year is checked first (status and workbook), so a refusal writes nothing
    (SampleRefused). Each year is then imported by the ordinary importer (one transaction per
    year), which also creates the AssessmentYear rows with the default scheme; should a later
    year still fail (another writer got in between), SamplePartlyLoaded says what was written.
    """
    if if_empty:
        with read_session(engine) as session:
            if leader_count(session) > 0:
                return []
    _check_all_years(engine)
    written: list[ImportReport] = []
    for year in SAMPLE_YEARS:
        try:
            written.append(
                import_workbook(engine=engine, source=sample_workbook(year), year=year, username="示例数据",
                                action="seed_sample")
            )
        except WorkbookRejected as exc:
            raise SamplePartlyLoaded(written, year, exc) from exc
    return written
