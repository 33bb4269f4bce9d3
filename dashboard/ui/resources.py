"""Cached resources: one engine per database URL, one assessment per (year, data revision)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from dashboard.data.config import database_url
from dashboard.data.db import make_engine, read_session
from dashboard.data.queries import assess_year
from models import AssessmentYear


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    return make_engine(url)


def get_engine() -> Engine:
    """The engine of the configured database (DATABASE_URL or the embedded SQLite file)."""
    return _engine_for(database_url())


def year_revisions(engine: Engine) -> dict[int, int]:
    """Every assessment year with its current data revision, newest year first."""
    with read_session(engine) as session:
        rows = session.exec(
            select(AssessmentYear.year, AssessmentYear.revision).order_by(AssessmentYear.year.desc())
        ).all()
    return {year: revision for year, revision in rows}


def current_revision(engine: Engine, year: int) -> int | None:
    with read_session(engine) as session:
        row = session.get(AssessmentYear, year)
        return None if row is None else row.revision


@st.cache_data(show_spinner="正在计算考评结果，首次计算大的年度可能需要一些时间…", max_entries=16)
def _assessment(_engine: Engine, url: str, year: int, revision: int):
    return assess_year(_engine, year)


def cached_assessment(engine: Engine, year: int):
    """The engine's results for a year, computed once per (database, year, data revision).

    Every write bumps AssessmentYear.revision in the database, so another app process sees
    new data too: the key changes and the results are computed afresh.
    """
    revision = current_revision(engine, year)
    if revision is None:
        return None
    return _assessment(engine, engine.url.render_as_string(hide_password=True), year, revision)
