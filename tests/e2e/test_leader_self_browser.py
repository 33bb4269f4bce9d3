"""A leader's own account in a real browser at 390 px: first sign-in, own self-report, the
assessor's confirmation changing the result, and nothing of anyone else reachable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from e2e_steps import choose_option
from playwright.sync_api import Page, expect
from test_app_browser import _open, _select_year, _settle, _sign_in

from dashboard.data.db import make_engine
from dashboard.data.queries import assess_year
from dashboard.domain import DUTIES
from dashboard.reports.labels import year_title

pytestmark = pytest.mark.e2e

YEAR = 2024


def _phone_sign_in(browser, app_url: str, username: str, password: str) -> Page:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(app_url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    _settle(page)
    return page


def test_leader_submits_assessor_confirms_result_changes(page: Page, browser, app_url: str, e2e_db):
    """Admin makes 东山村's accounts; one leader replaces his password, submits 60s; confirmed, self = 60."""
    _sign_in(page, "admin")
    _open(page, "本人账号")
    choose_option(page, page.get_by_test_id("stSelectbox").filter(has_text="村").first, "南峪乡/东山村")
    page.get_by_role("button", name="批量建立本人账号").click()
    _settle(page)
    with page.expect_download() as caught:
        page.get_by_role("button", name="下载初始密码单（A4 打印）").click()
    sheet = Path(caught.value.path()).read_text("utf-8")
    pairs = re.findall(r'用户名：<span class="pw">([^<]+)</span></p><p>初始密码：<span class="pw">([^<]+)</span>', sheet)
    assert len(pairs) >= 2
    (code, password), (other, _) = pairs[0], pairs[1]

    phone = _phone_sign_in(browser, app_url, code, password)
    expect(phone.get_by_role("heading", name="首次登录 · 修改密码")).to_be_visible()
    phone.get_by_label("初始密码").fill(password)
    phone.get_by_label("新密码", exact=True).fill("leader-own-2024")
    phone.get_by_label("再次输入新密码").fill("leader-own-2024")
    phone.get_by_role("button", name="保存新密码").click()
    _settle(phone)
    expect(phone.get_by_role("heading", name=re.compile("本人述职"))).to_be_visible()
    if not phone.get_by_role("heading", name=year_title("本人述职", YEAR)).is_visible():
        phone.get_by_test_id("stExpandSidebarButton").click()
        _select_year(phone, YEAR)
        phone.get_by_test_id("stSidebarCollapseButton").locator("button").click(force=True)
        phone.wait_for_timeout(500)
    expect(phone.get_by_role("heading", name=year_title("本人述职", YEAR))).to_be_visible()
    for name in DUTIES.values():
        phone.get_by_label(name).fill("60")
    phone.get_by_label("述职摘要").fill("本年度调解纠纷 5 起，入户走访 120 次。")
    phone.get_by_role("button", name="提交述职").click()
    _settle(phone)
    expect(phone.get_by_text("状态：待确认")).to_be_visible()

    # nothing of anyone else: the clerks' pages and the results pages refuse by URL
    for path in ("self-report", "leader", "rankings"):
        phone.goto(f"{app_url}/{path}?code={other}")
        _settle(phone)
        expect(phone.locator("h1").first).to_have_text("无权访问")
    phone.context.close()

    engine = make_engine(e2e_db[0])
    pending = assess_year(engine, YEAR).results.set_index("code").loc[code]
    assert pending["self"] != pending["self"]  # NaN: a pending report does not count

    assessor = browser.new_context(viewport={"width": 1366, "height": 900})
    clerk = assessor.new_page()
    clerk.set_default_timeout(60_000)
    clerk.goto(app_url)
    _sign_in(clerk, "assessor")
    _select_year(clerk, YEAR)
    _open(clerk, "述职确认")
    choose_option(clerk, clerk.get_by_test_id("stSelectbox").filter(has_text="人员"), re.compile(code))
    clerk.get_by_role("button", name="确认", exact=True).click()
    _settle(clerk)
    expect(clerk.get_by_text("已确认")).to_be_visible()
    assessor.close()
    confirmed = assess_year(engine, YEAR).results.set_index("code").loc[code]
    assert confirmed["self"] == pytest.approx(60.0)
