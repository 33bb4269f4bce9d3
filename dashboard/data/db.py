"""Sessions: a short read session and one write transaction per user action (SQLModel).

Engines are made in dashboard.data.engines; the names are re-exported here for the callers
that hold both.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dashboard.data.engines import (  # noqa: F401 - re-exported
    SQLITE_BUSY_TIMEOUT_MS,
    is_sqlite,
    make_engine,
    missing_sqlite_file,
    read_only_sqlite_uri,
)


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A short read-only session."""

    with Session(engine, expire_on_commit=False) as session:
        yield session


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One user action = one write transaction: commit on success, roll back on any error."""

    with Session(engine.execution_options(lianhu_write=True), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
