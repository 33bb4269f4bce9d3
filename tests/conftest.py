"""Shared fixtures: a migrated database on SQLite (temp file) and on PostgreSQL.

`db_engine` is parametrised over both back-ends. PostgreSQL runs when TEST_POSTGRES_URL
points at a server (the README's test command starts one); without it the PostgreSQL
cases are skipped, unless LIANHU_REQUIRE_POSTGRES=1, where they fail instead.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

import models  # noqa: F401 - registers every table on SQLModel.metadata
from dashboard.data.db import make_engine
from dashboard.data.migrate import upgrade

BACKENDS = ["sqlite", "postgresql"]

# Property tests check results, not speed: on a loaded 2-core CI machine a per-example deadline
# would only make them flaky.
settings.register_profile("lianhu", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("lianhu")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once is much faster)."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A fresh, migrated PostgreSQL database for this test session."""
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if not admin_url:
        if os.environ.get("LIANHU_REQUIRE_POSTGRES") == "1":
            pytest.fail("LIANHU_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL cases need a server")
    name = f"lianhu_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(make_engine(admin_url).url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(engine) -> None:

    names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db_url(request, tmp_path, sqlite_template) -> str:
    """URL of an empty, migrated database; parametrised as sqlite / postgresql via db_engine."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    _truncate_all(engine)
    engine.dispose()
    return url


@pytest.fixture(params=BACKENDS)
def db_engine(request, tmp_path, sqlite_template):
    """An engine on an empty, migrated database: once on SQLite, once on PostgreSQL."""
    backend = request.param
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        engine = make_engine(url)
        _truncate_all(engine)
        engine.dispose()
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path, sqlite_template):
    """An engine on an empty, migrated SQLite file only (for tests that need the file)."""
    path = tmp_path / "test.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
