"""Cached resources: one engine per database URL, one assessment per (year, data revision)."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import select

from dashboard.data.config import database_url
from dashboard.data.db import make_engine, read_session
from dashboard.data.queries import assess_year
from dashboard.services.auth import village_scope
from dashboard.ui import state
from models import AssessmentYear, User


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


@st.cache_data(show_spinner=False, max_entries=64)
def _scoped_read(url: str, revisions: tuple, role: str, scope: tuple | None, name: str, kwargs_key: str,
                 _engine: Engine, _query, _user_id: int, _kwargs: dict):
    with read_session(_engine) as session:
        return _query(session=session, user=session.get(User, _user_id), **_kwargs)


def scoped_read(engine: Engine, query, **kwargs):
    """A read-only service run as the signed-in user, shared by every session that sees the same data.

    The result is kept per (database, every year's data revision, role, village scope, query,
    arguments): each write to inputs, the roster or a scheme bumps a revision (for a roster
    change every year's), so a new revision reads afresh. Without any year there is no
    revision to key on, and the service simply runs.
    """
    signed = state.require_user()
    revisions = tuple(sorted(year_revisions(engine).items()))
    with read_session(engine) as session:
        user = session.get(User, signed.user_id)
        if user is None:
            state.forget()
            st.error("账号已不存在，请重新登录")
            st.stop()
        if not revisions:
            return query(session=session, user=user, **kwargs)
        villages = village_scope(session=session, user=user)
        role = user.role
    scope = None if villages is None else tuple(sorted(villages))
    name = f"{query.__module__}.{query.__qualname__}"
    return _scoped_read(engine.url.render_as_string(hide_password=True), revisions, role, scope, name,
                        repr(sorted(kwargs.items())), engine, query, signed.user_id, kwargs)
