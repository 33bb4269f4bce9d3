"""A real `streamlit run` on a free loopback port with a temporary database, and Debian's Chromium.

The database is prepared like a fresh install: `init-db`, `seed-sample` (南峪乡 2023 and 2024
plus the demo accounts), and an empty open year 2025 so that entering data visibly changes
the completion overview. The browser is Debian's Chromium (LIANHU_CHROMIUM, default
/usr/bin/chromium); no browser is ever downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import make_engine, transaction
from dashboard.data.years import ensure_year

CHROMIUM = os.environ.get("LIANHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
EMPTY_YEAR = 2025
TIMEOUT_MS = 60_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(url: str, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    subprocess.run([sys.executable, "-m", "dashboard", *args, "--db", url], check=True,
                   cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=300)


@pytest.fixture(scope="session")
def e2e_db(tmp_path_factory) -> tuple[str, Path]:
    """URL and path of the app's temporary SQLite database, prepared by the command line."""
    path = tmp_path_factory.mktemp("e2e") / "lianhu.db"
    url = f"sqlite:///{path}"
    _cli(url, "init-db")
    _cli(url, "seed-sample")

    engine = make_engine(url)
    with transaction(engine) as session:
        ensure_year(session, EMPTY_YEAR)
    engine.dispose()
    return url, path


@pytest.fixture(scope="session")
def app_url(e2e_db, tmp_path_factory) -> str:
    """Base URL of `streamlit run streamlit_app.py` on the temporary database."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    port = _free_port()
    log = (tmp_path_factory.mktemp("e2e-log") / "streamlit.log").open("w")
    env = {**os.environ, "DATABASE_URL": e2e_db[0], "PYTHONPATH": str(PROJECT_ROOT),
           "LIANHU_PUBLIC_URL": f"http://127.0.0.1:{port}/"}  # the slips' QR codes point here
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"streamlit did not start (see {log.name})")
        time.sleep(0.5)
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh browser context (a new Streamlit session) on the app."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(app_url)
    yield page
    context.close()
