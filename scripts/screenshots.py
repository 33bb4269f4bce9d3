"""Take the README screenshots on the sample township.

Starts `streamlit run` on a free loopback port with a temporary database seeded with the
sample (南峪乡), signs in with the demo viewer for the result pages, then with the demo admin
for every page at 1366 px and at 390 px (a phone: mobile user agent and touch, so that the
menu closes after a choice as on a real phone), and saves docs/screenshots/*.png and
docs/screenshots/pages/*.png using Debian's Chromium (no browser download).
Run: `.venv/bin/python scripts/screenshots.py` (`--quarter`: only the quarter views, as the
demo official; `--entry`: only the entry pages and a refused 两委打分 save, as the demo admin).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PAGES_OUT = OUT / "pages"
# A phone as Chromium emulates it: Streamlit closes the menu after a choice on touch devices.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
    ),
}
CHROMIUM = os.environ.get("LIANHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("streamlit did not become healthy")


def wait_app_idle(page) -> None:
    """Wait until Streamlit has finished the current script run."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )
    page.wait_for_timeout(600)  # let Vega finish drawing


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(base)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    wait_app_idle(page)


def wait_cookie(page) -> None:
    """The session cookie arrives from the app's route just after the sign-in run."""
    for _ in range(100):
        if any(c["name"] == "lianhu_session" for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise RuntimeError("no session cookie after sign-in")


def every_page(browser, base: str) -> None:
    """Every page of the demo admin (who has them all) at 1366 and 390 px, plus the sign-in page."""
    from dashboard.ui.navigation import pages_for_role

    PAGES_OUT.mkdir(parents=True, exist_ok=True)
    for width, context_args in ((1366, {"viewport": {"width": 1366, "height": 900}}), (390, PHONE)):
        context = browser.new_context(**context_args)
        page = context.new_page()
        page.goto(base)
        wait_app_idle(page)
        page.screenshot(path=PAGES_OUT / f"login_{width}.png")
        sign_in(page, base, "demo-admin", "demo-admin-2024")
        wait_cookie(page)
        for spec in pages_for_role("admin"):
            page.goto(f"{base}/{spec.url_path}")
            wait_app_idle(page)
            page.wait_for_timeout(900)
            page.screenshot(path=PAGES_OUT / f"{spec.key}_{width}.png")
        if width == 390:
            # the menu opened and a page chosen: it closes by itself
            page.get_by_test_id("stExpandSidebarButton").click()
            page.wait_for_timeout(600)
            page.screenshot(path=PAGES_OUT / "menu_open_390.png")
            page.get_by_test_id("stSidebarNav").get_by_text("排名").click()
            wait_app_idle(page)
            page.wait_for_timeout(900)
            page.screenshot(path=PAGES_OUT / "menu_closed_after_choice_390.png")
        context.close()


ENTRY_PAGES = ("self_report", "committee", "ballots", "platform", "adjustments", "roster")


def entry_shots(browser, base: str) -> None:
    """The entry pages at 1366 and 390 px; 两委打分 with a rater and a refused 105 under 信息员 ≤20."""
    from dashboard.ui.navigation import pages_for_role

    specs = {spec.key: spec for spec in pages_for_role("admin")}
    PAGES_OUT.mkdir(parents=True, exist_ok=True)
    for width, context_args in ((1366, {"viewport": {"width": 1366, "height": 900}}), (390, PHONE)):
        context = browser.new_context(**context_args)
        page = context.new_page()
        sign_in(page, base, "demo-admin", "demo-admin-2024")
        wait_cookie(page)
        for key in ENTRY_PAGES:
            page.goto(f"{base}/{specs[key].url_path}")
            wait_app_idle(page)
            page.wait_for_timeout(900)
            page.screenshot(path=PAGES_OUT / f"{key}_{width}.png")
        page.goto(f"{base}/{specs['committee'].url_path}")
        wait_app_idle(page)
        rater = page.get_by_label("评分人（两委成员姓名）")
        rater.fill("张书记")
        rater.press("Enter")
        wait_app_idle(page)
        cell = page.get_by_test_id("stDataFrame").first.locator("#glide-cell-3-0")
        for _ in range(4):  # a keystroke landing while the grid re-renders is lost: retry
            cell.focus()
            page.wait_for_timeout(300)
            page.keyboard.press("Enter")
            page.wait_for_timeout(400)
            page.keyboard.type("105")
            page.wait_for_timeout(200)
            page.keyboard.press("Enter")
            page.wait_for_timeout(600)
            wait_app_idle(page)
            if cell.inner_text().strip() == "105":
                break
        page.get_by_role("button", name="保存打分").click()
        wait_app_idle(page)
        # Streamlit scrolls inside its main block: a tall window shows the messages under the grid.
        page.set_viewport_size({"width": page.viewport_size["width"], "height": 1500 if width < 800 else 1300})
        page.wait_for_timeout(900)
        page.screenshot(path=PAGES_OUT / f"committee_refused_{width}.png")
        context.close()


def click_ranking_row(page, row: int) -> None:
    """Select a row of the rankings table (its selection cell) and wait for the detail page."""
    grid = page.get_by_test_id("stDataFrame").first
    box = grid.bounding_box()
    header, height = 35, 35
    page.mouse.click(box["x"] + 16, box["y"] + header + height * row + height / 2)
    page.get_by_role("heading", name="述职档案").first.wait_for(timeout=30_000)
    wait_app_idle(page)


def open_page(page, base: str, path: str, height: int) -> None:
    """Open a page by its URL path (the sign-in cookie keeps the session) and let it draw.

    Streamlit scrolls inside its main block, so the window is made as tall as the view.
    """
    page.set_viewport_size({"width": page.viewport_size["width"], "height": height})
    page.goto(f"{base}/{path}")
    wait_app_idle(page)
    page.wait_for_timeout(1200)


def wait_session_cookie(page, timeout: float = 20) -> None:
    """The sign-in cookie is set just after the first page draws; deep links need it."""
    from dashboard.services.auth import SESSION_COOKIE

    deadline = time.monotonic() + timeout
    while not any(c["name"] == SESSION_COOKIE for c in page.context.cookies()):
        if time.monotonic() > deadline:
            raise RuntimeError("no session cookie after sign-in")
        page.wait_for_timeout(200)


def quarter_shots(browser, base: str) -> None:
    """季度考评, the quarter trend on 述职档案 and 月度上报, as the demo official, at 1366 and 390 px."""
    for width, height, suffix, scale in ((1366, 900, "", 1), (390, 844, "_phone", 2)):
        page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
        sign_in(page, base, "demo-official", "demo-official-2024")
        wait_session_cookie(page)
        phone = width < 800  # a phone stacks what sits side by side: taller windows
        open_page(page, base, "quarter", 2300 if phone else 2000)
        page.screenshot(path=OUT / f"quarter{suffix}.png")
        open_page(page, base, "leader?code=NYW15", 1450 if phone else 1250)
        page.get_by_role("tab", name="季度考评").click()  # the quarters are a tab of their own
        page.get_by_test_id("stDataFrame").wait_for(timeout=30_000)
        page.wait_for_timeout(3000)
        page.wait_for_timeout(1500)
        page.screenshot(path=OUT / f"leader_trend{suffix}.png")
        open_page(page, base, "platform-watch", 1150 if phone else 1150)
        page.screenshot(path=OUT / f"platform_watch{suffix}.png")
        page.close()


def main(only_quarter: bool = False, only_entry: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/shots.db"
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        py = sys.executable
        subprocess.run(
            [py, "-m", "dashboard", "init-db", "--db", url], check=True, cwd=ROOT, env=env
        )
        subprocess.run(
            [py, "-m", "dashboard", "seed-sample", "--db", url], check=True, cwd=ROOT, env=env
        )
        port = free_port()
        server = subprocess.Popen(
            [
                py,
                "-m",
                "streamlit",
                "run",
                "streamlit_app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                if only_entry:
                    entry_shots(browser, base)
                    browser.close()
                    return
                quarter_shots(browser, base)
                if only_quarter:
                    browser.close()
                    return
                desktop = browser.new_page(viewport={"width": 1280, "height": 900})
                sign_in(desktop, base, "demo-viewer", "demo-viewer-2024")
                desktop.screenshot(path=OUT / "rankings.png")
                click_ranking_row(desktop, 2)  # the third 网格长 opens their 述职档案
                # Streamlit scrolls inside its main block, so a tall window shows the whole page.
                desktop.set_viewport_size({"width": 1280, "height": 2300})
                wait_app_idle(desktop)
                desktop.screenshot(path=OUT / "leader_detail.png")
                desktop.get_by_test_id("stSidebarNav").get_by_text("总览").click()
                wait_app_idle(desktop)
                desktop.screenshot(path=OUT / "overview.png")

                phone = browser.new_page(**{**PHONE, "device_scale_factor": 2})
                sign_in(phone, base, "demo-viewer", "demo-viewer-2024")
                phone.locator("[data-testid='stDataFrame'] canvas").first.wait_for(timeout=30_000)
                phone.wait_for_timeout(1500)
                phone.screenshot(path=OUT / "rankings_phone.png", full_page=False)
                every_page(browser, base)
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    main(only_quarter="--quarter" in sys.argv[1:], only_entry="--entry" in sys.argv[1:])
