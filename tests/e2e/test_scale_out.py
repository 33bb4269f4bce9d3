"""Scale-out: two `streamlit run` processes on one PostgreSQL database (docs/deploy.md).

A browser saves a self-report score through process 1; a second browser session on
process 2 then shows the saved score and the new data revision. Nothing but the database
is shared between the two processes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from conftest import CHROMIUM, _free_port
from e2e_steps import choose_option
from factories import build_year, make_user
from playwright.sync_api import Page, expect
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import make_engine
from dashboard.data.migrate import upgrade

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def shared_postgres(tmp_path_factory):
    """A fresh PostgreSQL database with the tiny township year and an admin account."""
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if not admin_url:
        if os.environ.get("LIANHU_REQUIRE_POSTGRES") == "1":
            pytest.fail("LIANHU_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
        pytest.skip("TEST_POSTGRES_URL not set: the scale-out test needs a PostgreSQL server")

    name = f"lianhu_e2e_{uuid.uuid4().hex[:10]}"
    server = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    build_year(engine)
    make_user(engine, "admin", "admin")
    engine.dispose()
    yield url
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    server.dispose()


def _start(url: str, log_path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process below
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(PROJECT_ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
         "--server.headless", "true", "--server.port", str(port), "--server.address", "127.0.0.1",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    proc.log = log  # type: ignore[attr-defined]
    return proc, f"http://127.0.0.1:{port}"


def _wait_healthy(proc: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"streamlit on {base} did not start (see {proc.log.name})")  # type: ignore[attr-defined]
        time.sleep(0.5)


@pytest.fixture(scope="module")
def two_apps(shared_postgres, tmp_path_factory):
    """Two app processes on two loopback ports, both on the one PostgreSQL database."""
    logs = tmp_path_factory.mktemp("scale-out")
    procs = [_start(shared_postgres, logs / f"app{i}.log") for i in (1, 2)]
    try:
        for proc, base in procs:
            _wait_healthy(proc, base)
        yield [base for _, base in procs]
    finally:
        for proc, _ in procs:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
            proc.log.close()  # type: ignore[attr-defined]


def _settle(page: Page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(200)


def _signed_in_page(browser, base: str) -> Page:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(base)
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("password123")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    _settle(page)
    return page


def _open(page: Page, title: str) -> None:
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).click()
    _settle(page)


def _choose(page: Page, label: str, option: str) -> None:
    choose_option(page, page.get_by_test_id("stSelectbox").filter(has_text=label), option)


def _open_h1_self_report(page: Page) -> None:
    _open(page, "个人述职")
    _choose(page, "村", "南峪乡/南峪村")
    _choose(page, "人员", "H1 马海军（联户长）")


def test_write_in_one_process_is_seen_by_the_other(browser, two_apps):
    """A score saved through process 1 shows on process 2, with the audit entry it wrote."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    first, second = two_apps

    # Process 2 first shows the stored report (all 100) and no self-report save as the last change.
    saved = re.compile(r"最后更新：.*保存个人述职")
    reader = _signed_in_page(browser, second)
    _open_h1_self_report(reader)
    expect(reader.get_by_label("社情民意信息员")).to_have_value("100")  # the stored score as typed text
    _open(reader, "年度流程")
    expect(reader.get_by_text(saved)).to_have_count(0)

    # Process 1: change 社情民意信息员 to 55 and save.
    writer = _signed_in_page(browser, first)
    _open_h1_self_report(writer)
    field = writer.get_by_label("社情民意信息员")
    field.fill("55")
    writer.get_by_role("button", name="保存个人述职").click()
    _settle(writer)
    expect(writer.get_by_text("已保存 马海军 的个人述职")).to_be_visible()

    # Process 2 (same browser session, next page runs): the new value and the last change
    # come from the shared database.
    _open(reader, "年度流程")
    expect(reader.get_by_text(saved)).to_be_visible()
    _open_h1_self_report(reader)
    expect(reader.get_by_label("社情民意信息员")).to_have_value("55")


def test_session_is_shared_by_both_processes(browser, two_apps):
    """Signed in through process 1, the browser opens a page on process 2 signed in; 退出登录 there ends it on both."""
    first, second = two_apps
    page = _signed_in_page(browser, first)
    context = page.context
    # cookies are per host, not per port: the same cookie goes to both processes, as behind nginx
    for _ in range(50):
        old = [c for c in context.cookies() if c["name"] == "lianhu_session"]
        if old:
            break
        page.wait_for_timeout(100)
    other = context.new_page()
    other.goto(f"{second}/rankings")
    expect(other.locator("h1").first).to_contain_text("排名")
    _settle(other)
    other.get_by_role("button", name="退出登录").click()
    expect(other.get_by_label("用户名")).to_be_visible()
    # the old cookie value, put back, no longer works on process 1 either: the database revoked it
    context.add_cookies(old)
    again = context.new_page()
    again.goto(f"{first}/rankings")
    expect(again.get_by_label("用户名")).to_be_visible()
    context.close()
