"""The bundled sample township 南峪乡 (舟曲县): two data workbooks made by sample_data/make_sample.py."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import read_session
from dashboard.data.workbook import ImportReport, import_workbook, leader_count

SAMPLE_DIR = PROJECT_ROOT / "sample_data"
SAMPLE_YEARS = (2023, 2024)


def sample_workbook(year: int) -> Path:
    """Path of the sample workbook for a year."""
    return SAMPLE_DIR / f"nanyu_{year}.xlsx"


def seed_sample(*, engine: Engine, if_empty: bool = False) -> list[ImportReport]:
    """Import the sample workbooks (2023, then 2024); with if_empty, only into an empty roster.

    Each year is imported by the ordinary importer (one transaction per year), which also
    creates the AssessmentYear rows with the default scheme.
    """
    if if_empty:
        with read_session(engine) as session:
            if leader_count(session) > 0:
                return []
    return [
        import_workbook(engine=engine, source=sample_workbook(year), year=year, username="示例数据", action="seed_sample")
        for year in SAMPLE_YEARS
    ]
