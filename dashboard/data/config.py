"""Where the data lives: DATABASE_URL, else an embedded SQLite file under the data directory."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The data directory: LIANHU_DATA_DIR, else `data/` in the project folder."""
    return Path(os.environ.get("LIANHU_DATA_DIR") or PROJECT_ROOT / "data")


def default_sqlite_path() -> Path:
    return data_dir() / "lianhu.db"


def database_url(explicit: str | None = None) -> str:
    """The database URL: an explicit one, else DATABASE_URL, else the embedded SQLite file."""
    url = explicit or os.environ.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; plain URLs from ops tooling mean it.
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
    return f"sqlite:///{default_sqlite_path()}"
