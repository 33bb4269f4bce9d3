"""Take the README screenshots of the online evaluation on the sample township.

Starts `streamlit run` on a temporary database with the sample (南峪乡), opens a round of
30 slips for 东山村 as the demo official (1366 px), prints the slip sheet, votes once on a
390 px phone, shows turnout; then makes 东山村's 本人 accounts, submits one leader's own report on a
phone and shows the assessor's 述职确认. Saves docs/screenshots/online_*.png, leader_*.png and
self_review.png with Debian's Chromium.
Run: `.venv/bin/python scripts/screenshots_online.py`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from screenshots import (  # noqa: E402  (the sibling script's helpers)
    CHROMIUM,
    CHROMIUM_ARGS,
    OUT,
    ROOT,
    free_port,
    sign_in,
    wait_app_idle,
    wait_healthy,
)


def _pick_year(page, year: int = 2024) -> None:
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
    page.get_by_role("option", name=f"{year} 年度").click()
    wait_app_idle(page)


def leader_pages(browser, base: str) -> None:
    """本人账号 for 东山村, a leader's first sign-in and own report on a phone, the assessor's 述职确认."""
    admin = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    sign_in(admin, base, "demo-admin", "demo-admin-2024")
    admin.get_by_test_id("stSidebarNav").get_by_text("本人账号").click()
    wait_app_idle(admin)
    admin.get_by_test_id("stSelectbox").filter(has_text="村").first.click()
    admin.get_by_role("option", name="南峪乡/东山村").click()
    admin.get_by_role("button", name="批量建立本人账号").click()
    admin.get_by_role("button", name="下载初始密码单（A4 打印）").wait_for()
    wait_app_idle(admin)
    admin.screenshot(path=OUT / "leader_accounts.png")
    with admin.expect_download() as caught:
        admin.get_by_role("button", name="下载初始密码单（A4 打印）").click()
    sheet = Path(caught.value.path()).read_text("utf-8")
    user, password = re.findall(r'用户名：<span class="pw">([^<]+)</span></p><p>初始密码：<span class="pw">([^<]+)</span>',
                                sheet)[0]
    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    sign_in(phone, base, user, password)
    phone.screenshot(path=OUT / "leader_password_phone.png")
    phone.get_by_label("初始密码").fill(password)
    phone.get_by_label("新密码", exact=True).fill("leader-own-2024")
    phone.get_by_label("再次输入新密码").fill("leader-own-2024")
    phone.get_by_role("button", name="保存新密码").click()
    wait_app_idle(phone)
    phone.get_by_test_id("stExpandSidebarButton").click()
    _pick_year(phone)
    phone.get_by_test_id("stSidebarCollapseButton").locator("button").click(force=True)
    phone.wait_for_timeout(600)
    for i, name in enumerate(("社情民意信息员", "便民事项办理员", "法制政策宣传员", "矛盾纠纷调解员",
                              "环境卫生监督员", "治安联防巡逻员", "民族团结示范员")):
        phone.get_by_label(name).fill(str(80 + i))
    phone.get_by_label("述职摘要").fill("本年度调解纠纷 5 起，入户走访 120 次，宣传禁毒政策 6 场。")
    phone.get_by_role("button", name="提交述职").click()
    wait_app_idle(phone)
    phone.screenshot(path=OUT / "leader_self_report_phone.png")
    clerk = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(clerk, base, "demo-assessor", "demo-assessor-2024")
    _pick_year(clerk)
    clerk.get_by_test_id("stSidebarNav").get_by_text("述职确认").click()
    wait_app_idle(clerk)
    clerk.screenshot(path=OUT / "self_review.png")


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/shots.db"
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT), "LIANHU_PUBLIC_URL": base + "/"}
        py = sys.executable
        for args in (("init-db",), ("seed-sample",)):
            subprocess.run([py, "-m", "dashboard", *args, "--db", url], check=True, cwd=ROOT, env=env)
        server = subprocess.Popen(
            [py, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            wait_healthy(base)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                desk = browser.new_page(viewport={"width": 1366, "height": 1100}, accept_downloads=True)
                sign_in(desk, base, "demo-official", "demo-official-2024")
                desk.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
                desk.get_by_role("option", name="2024 年度").click()
                wait_app_idle(desk)
                desk.get_by_test_id("stSidebarNav").get_by_text("在线评议").click()
                wait_app_idle(desk)
                desk.get_by_test_id("stSelectbox").filter(has_text="村").last.click()
                desk.get_by_role("option", name="南峪乡/东山村").click()
                desk.get_by_role("button", name="发起评议并生成评议票").click()
                wait_app_idle(desk)
                with desk.expect_download() as caught:
                    desk.get_by_role("button", name="下载评议票（A4 打印）").click()
                sheet = Path(caught.value.path()).read_text("utf-8")
                codes = re.findall(r'<p class="code">([2-9A-Z]{5}-[2-9A-Z]{5})</p>', sheet)
                slips = browser.new_page(viewport={"width": 794, "height": 1123})
                slips.set_content(sheet)
                slips.screenshot(path=OUT / "online_slips.png")

                phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
                phone.goto(f"{base}/vote?c={codes[0]}")
                phone.screenshot(path=OUT / "online_vote_phone.png")
                groups = phone.locator("fieldset")
                for i in range(groups.count()):
                    groups.nth(i).get_by_text(("优秀", "称职", "基本称职")[i % 3], exact=True).click()
                phone.screenshot(path=OUT / "online_vote_phone_filled.png")
                phone.get_by_role("button", name="提交评议").click()
                phone.get_by_role("status").wait_for()
                phone.screenshot(path=OUT / "online_vote_phone_done.png")

                desk.reload()
                wait_app_idle(desk)
                desk.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").click()
                desk.get_by_role("option", name="2024 年度").click()
                wait_app_idle(desk)
                desk.set_viewport_size({"width": 1366, "height": 1800})  # Streamlit scrolls inside its main block
                wait_app_idle(desk)
                desk.screenshot(path=OUT / "online_turnout.png")
                desk.set_viewport_size({"width": 390, "height": 844})
                wait_app_idle(desk)
                desk.screenshot(path=OUT / "online_turnout_phone.png")
                leader_pages(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main()
