"""Accounts in the app and "no English", in a real browser on the sample township."""

from __future__ import annotations

import re

import pytest
from conftest import TIMEOUT_MS
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from dashboard.data.db import make_engine, read_session
from dashboard.services.accounts import DEMO_ACCOUNTS, DEMO_TOWNSHIP
from dashboard.services.auth import SESSION_COOKIE
from dashboard.ui.navigation import pages_for_role
from models import Township, Village

pytestmark = pytest.mark.e2e

DEMOS = {d.username: d for d in DEMO_ACCOUNTS}

# ASCII words of three letters or more that may appear on a page: the demo user names shown in
# the sidebar, file formats, and the README the demo banner points to. Leader codes such as
# NYL010 are not words (letters run into digits) and are not matched. Key names (Tab, Enter, Ctrl)
# are printed that way on the keys of a Chinese keyboard too.
ALLOWED_WORDS = {"README", "demo", "admin", "assessor", "viewer", "official", "clerk",
                 "Excel", "WPS", "xlsx", "xlsm", "XLSX", "JSON", "json", "CSV", "csv", "UTC",
                 "Tab", "Enter", "Ctrl"}
WORD = re.compile(r"\b[A-Za-z]{3,}\b")

# The text a person sees: text nodes with a box, outside icon ligatures (Material icon names
# such as "upload" are drawn as symbols, not read).
VISIBLE_TEXT = """() => {
  const shown = (el) => {
    const box = el.getBoundingClientRect(), css = getComputedStyle(el);
    return box.width >= 2 && box.height >= 2 && box.right > 0 && box.left < innerWidth
      && css.visibility !== 'hidden' && css.display !== 'none' && css.clipPath === 'none'
      && parseFloat(css.fontSize) > 0
      && css.clip !== 'rect(0px, 0px, 0px, 0px)';
  };
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest('[data-testid="stIconMaterial"], [data-testid$="DynamicIcon"], script, style') || !shown(el)) continue;
    out.push(walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (el.value === '' && shown(el)) out.push(el.getAttribute('placeholder'));
  }
  return out.join('\\n');
}"""


def _settle(page: Page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    page.wait_for_timeout(300)


def _signed_in(browser: Browser, app_url: str, username: str, password: str, width: int = 1366) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(app_url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_test_id("stSidebarNav")).to_be_visible()
    for _ in range(100):  # the cookie route answers after the sign-in run
        if any(c["name"] == SESSION_COOKIE for c in context.cookies()):
            break
        page.wait_for_timeout(100)
    _settle(page)
    return page


def _open(page: Page, app_url: str, url_path: str) -> None:
    page.goto(f"{app_url}/{url_path}")
    expect(page.locator("h1").first).to_be_visible()
    _settle(page)


def _village_names(e2e_db) -> list[str]:
    engine = make_engine(e2e_db[0])
    with read_session(engine) as s:
        town = s.exec(select(Township).where(Township.name == DEMO_TOWNSHIP)).one()
        names = sorted(s.exec(select(Village.name).where(Village.township_id == town.id)).all())
    engine.dispose()
    return names


def test_admin_creates_an_assessor_who_sees_only_the_given_village(browser: Browser, app_url: str, e2e_db):
    """On 账户管理 the demo admin creates clerk for one village; clerk signs in and 完成情况 lists only it."""
    names = _village_names(e2e_db)
    given, other = names[-1], names[0]
    admin = DEMOS["demo-admin"]
    page = _signed_in(browser, app_url, admin.username, admin.password)
    _open(page, app_url, "accounts")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("姓名").fill("王文书")
    villages = page.get_by_test_id("stMultiSelect").first
    villages.click()
    page.keyboard.type(given)
    page.get_by_role("option", name=f"{DEMO_TOWNSHIP}/{given}").click()
    page.keyboard.press("Escape")
    page.get_by_label("密码（至少 8 个字符）").fill("clerk-secret-9")
    page.get_by_label("再次输入密码").fill("clerk-secret-9")
    page.get_by_role("button", name="新建账号").click()
    _settle(page)
    expect(page.get_by_text("已新建账号「clerk」（评分员）")).to_be_visible()
    page.context.close()

    clerk = _signed_in(browser, app_url, "clerk", "clerk-secret-9")
    _open(clerk, app_url, "completion")
    expect(clerk.get_by_text(f"{DEMO_TOWNSHIP}/{given}：")).to_be_visible()
    expect(clerk.get_by_text(f"{DEMO_TOWNSHIP}/{other}：")).to_have_count(0)
    expect(clerk.get_by_test_id("stSidebarNav").get_by_text("账户管理")).to_have_count(0)
    clerk.context.close()


@pytest.mark.parametrize("username", list(DEMOS))
def test_no_english_word_on_any_page(browser: Browser, app_url: str, username: str):
    """Every page of each demo role at 1366 px: no ASCII word of 3+ letters outside the allow-list."""
    demo = DEMOS[username]
    page = _signed_in(browser, app_url, demo.username, demo.password)
    found: dict[str, set[str]] = {}
    for spec in pages_for_role(demo.role):
        _open(page, app_url, spec.url_path)
        words = set(WORD.findall(page.evaluate(VISIBLE_TEXT))) - ALLOWED_WORDS
        if words:
            found[spec.title] = words
    page.context.close()
    assert found == {}
