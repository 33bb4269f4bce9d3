"""Sign-in that survives a reload, deep links, and the cookie after 退出登录, in a real browser."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from conftest import TIMEOUT_MS
from playwright.sync_api import Browser, Page, expect

from dashboard.reports.labels import year_title
from dashboard.services.accounts import DEMO_ACCOUNTS
from dashboard.services.auth import SESSION_COOKIE, SIGN_IN_FAILED

pytestmark = pytest.mark.e2e

PASSWORDS = {d.username: d.password for d in DEMO_ACCOUNTS}
# Where the screenshots go: a temporary folder, or LIANHU_SHOTS_DIR (docs/screenshots to retake
# the ones committed there).
SHOTS = Path(os.environ.get("LIANHU_SHOTS_DIR") or tempfile.mkdtemp(prefix="lianhu-shots-"))


def _settle(page: Page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(200)


def _context(browser: Browser, width: int = 1366):
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _sign_in(page: Page, username: str, password: str | None = None) -> None:
    expect(page.get_by_label("用户名")).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password or PASSWORDS[username])
    page.get_by_role("button", name="登录").click()


def _heading(page: Page):
    return page.locator("h1").first


def _session_cookie(page: Page) -> dict:
    # the route sets it after the sign-in run; wait for it rather than race the request
    for _ in range(50):
        cookies = [c for c in page.context.cookies() if c["name"] == SESSION_COOKIE]
        if cookies:
            return cookies[0]
        page.wait_for_timeout(100)
    raise AssertionError("no session cookie was set")


def test_reload_keeps_sign_in_on_the_same_page(browser: Browser, app_url: str):
    """Signed in and on 排名, F5 shows 排名 again, signed in; the cookie is HttpOnly and SameSite=Lax."""
    context = _context(browser)
    page = context.new_page()
    page.goto(app_url)
    _sign_in(page, "demo-assessor")
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    _settle(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="排名").click()
    expect(_heading(page)).to_have_text(year_title("排名", 2025))
    cookie = _session_cookie(page)
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/")
    page.reload()
    expect(_heading(page)).to_have_text(year_title("排名", 2025))
    assert page.url == f"{app_url}/rankings"
    expect(page.get_by_text("演示评分员")).to_be_visible()
    context.close()


def test_deep_link_signed_out_asks_for_sign_in_then_opens_the_page(browser: Browser, app_url: str):
    """/rankings in a fresh browser shows the Chinese sign-in form (no English dialog), then 排名."""
    for width, name in ((1366, "sign_in_deep_link.png"), (390, "sign_in_deep_link_phone.png")):
        context = _context(browser, width)
        page = context.new_page()
        page.goto(f"{app_url}/rankings")
        expect(page.get_by_label("用户名")).to_be_visible()
        _settle(page)
        expect(page.get_by_text("Page not found")).to_have_count(0)
        page.screenshot(path=str(SHOTS / name))
        _sign_in(page, "demo-viewer")
        expect(_heading(page)).to_have_text(year_title("排名", 2025))
        assert page.url == f"{app_url}/rankings"
        context.close()


def test_new_tab_opens_the_page_signed_in(browser: Browser, app_url: str):
    """Signed in in one tab, /rankings and /overview in a new tab of the same browser show those pages."""
    context = _context(browser)
    page = context.new_page()
    page.goto(app_url)
    _sign_in(page, "demo-assessor")
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    _session_cookie(page)
    tab = context.new_page()
    tab.goto(f"{app_url}/rankings")
    expect(_heading(tab)).to_have_text(year_title("排名", 2025))
    expect(tab.get_by_label("用户名")).to_have_count(0)
    _settle(tab)
    tab.screenshot(path=str(SHOTS / "deep_link_signed_in.png"))
    tab.goto(f"{app_url}/overview")
    expect(_heading(tab)).to_have_text(year_title("总览", 2025))
    context.close()


def test_signed_out_cookie_no_longer_works(browser: Browser, app_url: str):
    """After 退出登录 the old cookie value, replayed in a new browser, leads to the sign-in form."""
    context = _context(browser)
    page = context.new_page()
    page.goto(app_url)
    _sign_in(page, "demo-official")
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    old = _session_cookie(page)
    # the cookie works in another browser before 退出登录 …
    probe = _context(browser)
    probe.add_cookies([old])
    other = probe.new_page()
    other.goto(f"{app_url}/rankings")
    expect(_heading(other)).to_have_text(year_title("排名", 2025))
    probe.close()
    _settle(page)
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_label("用户名")).to_be_visible()
    # … and not after
    replay = _context(browser)
    replay.add_cookies([old])
    again = replay.new_page()
    again.goto(f"{app_url}/rankings")
    expect(again.get_by_label("用户名")).to_be_visible()
    _settle(again)
    expect(again.get_by_test_id("stSidebarNav")).to_have_count(0)
    replay.close()
    context.close()


def test_wrong_password_and_unknown_name_look_the_same(browser: Browser, app_url: str):
    """A wrong password for a real name and any password for an unknown name show one message."""
    context = _context(browser, 390)
    page = context.new_page()
    page.goto(app_url)
    shown = []
    for username in ("demo-viewer", "no-such-user"):
        _sign_in(page, username, "wrong-password")
        expect(page.get_by_test_id("stAlert").filter(has_text="用户名或密码错误")).to_be_visible()
        shown.append(page.get_by_test_id("stAlert").filter(has_text="用户名或密码错误").inner_text())
    assert shown == [SIGN_IN_FAILED, SIGN_IN_FAILED]
    _settle(page)
    page.screenshot(path=str(SHOTS / "sign_in_failed_phone.png"))
    context.close()
