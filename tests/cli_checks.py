"""Helpers for command-line tests: run `python -m dashboard` as a child process, fingerprint a database."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

from sqlalchemy import MetaData, select

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import make_engine


def cli(*args: str, env: dict[str, str] | None = None, preexec_fn=None) -> subprocess.CompletedProcess:  # noqa: ANN001
    """`python -m dashboard ARGS` in a child process, as an operator runs it."""
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], capture_output=True, text=True, cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **(env or {})}, timeout=180,
        preexec_fn=preexec_fn,
    )


def fingerprint(url: str) -> str:
    """A hash of every row of every table (order-independent): equal means the content is unchanged."""
    engine = make_engine(url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        parts = []
        with engine.connect() as conn:
            for name in sorted(meta.tables):
                rows = sorted(repr(tuple(r)) for r in conn.execute(select(meta.tables[name])))
                parts.append(f"{name}:{rows}")
    finally:
        engine.dispose()
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()
