"""Page benchmark: how long each page of the app takes in a real browser on a county year.

Builds the county year of ``benchmarks/province.py`` (4,000 leaders, 80,000 committee rows,
80,000 ballot marks, 48,000 platform months; ``build_year`` and ``load_sqlite``) in a
temporary SQLite file, creates an admin account with ``python -m dashboard create-user
--role admin`` (password on stdin), then, ``--repeat`` times, starts ``streamlit run
streamlit_app.py`` on a free port (a fresh server, so every cache is cold), signs in with
Playwright and Debian's Chromium (never downloaded) and keeps the county year in the
sidebar's year box. Per server:

- first visit: every page of the admin's menu opened once by clicking its menu link, in
  menu order: the first time any session opens it after the server started (a page whose
  data another page already computed, e.g. the year's results, profits from it, as a user
  would);
- warm: every page opened again the same way (its caches filled, the page reopened);
- frame: between two page visits, the hidden page ``/frame`` (not in the menu: sign-in
  check, sidebar, year box and a heading, nothing else) opened in-app through the
  browser history (pushState + popstate, Streamlit's own handler: the same page switch as
  a click, no reload). It is the floor every page pays.

Time of one visit: from the click (or the history event) until Streamlit's rerun has
finished and the page's main content is drawn: the URL is the page's, the browser's app
says the script is no longer running (``data-test-script-state="notRunning"`` on
``stApp``, the state that shows and hides the running indicator ``stStatusWidget``; the
indicator itself fades out over a further 200 ms, which would only add a constant), and
the page's heading (``h1`` starting with the menu title) is visible and not stale. Polled
every 10 ms in the browser (``wait_for_function``), so a figure carries up to ~10 ms of
polling.

Per page the median over the repeats is printed (first visit, warm), the frame's median
over all its visits, the machine and the load average of each run. The last line is
``pages county: slowest first visit F s (PAGE), slowest warm W s (PAGE), frame B s,
warm/frame R``.

Run: ``.venv/bin/python benchmarks/pages.py [--repeat R] [--leaders N]``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from benchmarks.province import COUNTY_LEADERS, YEAR, build_year, load_avg, load_sqlite, machine  # noqa: E402
from dashboard.services.auth import ADMIN  # noqa: E402
from dashboard.ui.navigation import pages_for_role  # noqa: E402

CHROMIUM = os.environ.get("LIANHU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
USERNAME, PASSWORD = "bench_admin", "bench-admin-pass-1"
TIMEOUT_MS = 120_000
FRAME = "(框架)"

# Done: the URL is the page's, no rerun is running, and a fresh heading starts with the title.
DRAWN_JS = """([path, title]) => {
  if (!window.location.pathname.endsWith('/' + path)) return false;
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  for (const h of main.querySelectorAll('h1')) {
    const box = h.closest('[data-stale]');
    if (box && box.getAttribute('data-stale') === 'true') continue;
    if (h.innerText.trim().startsWith(title) && h.getBoundingClientRect().height > 0) return true;
  }
  return false;
}"""

GO_FRAME_JS = """(url) => {
  window.history.pushState({}, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(tmp: Path, leaders: int) -> str:
    """The county year in a SQLite file and an admin account; returns the database URL."""
    db = tmp / "county.db"
    t0 = time.perf_counter()
    counts = load_sqlite(db, build_year(leaders))
    url = f"sqlite:///{db}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "dashboard", "create-user", USERNAME, "--role", "admin", "--db", url],
                   input=PASSWORD + "\n", text=True, check=True, cwd=ROOT, env=env, capture_output=True)
    print(f"county year {YEAR} built and loaded in {time.perf_counter() - t0:.1f} s: {counts}", flush=True)
    return url


class Server:
    """`streamlit run streamlit_app.py` on a free loopback port (as tests/e2e/conftest.py)."""

    def __init__(self, url: str, log: Path) -> None:
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT),
               "LIANHU_PUBLIC_URL": f"http://127.0.0.1:{self.port}/"}
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.headless", "true", "--server.port", str(self.port), "--server.address", "127.0.0.1",
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"streamlit did not start (see {log})")
            time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def _drawn(page: Page, path: str, title: str) -> None:
    page.wait_for_function(DRAWN_JS, arg=[path, title], polling=10, timeout=TIMEOUT_MS)


def sign_in(page: Page, base: str) -> None:
    """Open /frame signed out, sign in; the rerun lands on /frame with the county year."""
    page.goto(f"{base}/frame")
    page.get_by_label("用户名").fill(USERNAME)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    _drawn(page, "frame", "联户考评")
    shown = page.get_by_test_id("stSidebar").get_by_role("combobox", name="考评年度").input_value()
    if shown != f"{YEAR} 年度":  # the county year is the only year, so the box already holds it
        raise SystemExit(f"the sidebar year box shows {shown!r}, not {YEAR} 年度")


def visit_frame(page: Page, base: str) -> float:
    t0 = time.perf_counter()
    page.evaluate(GO_FRAME_JS, f"{base}/frame")
    _drawn(page, "frame", "联户考评")
    return time.perf_counter() - t0


def visit_page(page: Page, url_path: str, title: str) -> float:
    link = page.get_by_test_id("stSidebarNav").locator(f'a[href$="/{url_path}"]')
    link.wait_for(state="visible")
    t0 = time.perf_counter()
    link.click()
    _drawn(page, url_path, title)
    return time.perf_counter() - t0


def one_server(browser, url: str, tmp: Path, run: int, specs) -> dict:
    server = Server(url, tmp / f"streamlit-{run}.log")
    times: dict[str, dict[str, float]] = {"first": {}, "warm": {}}
    frames: list[float] = []
    loads = [load_avg()]
    try:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        sign_in(page, server.base)
        for kind in ("first", "warm"):
            for spec in specs:
                times[kind][spec.title] = visit_page(page, spec.url_path, spec.title)
                frames.append(visit_frame(page, server.base))
            loads.append(load_avg())
        context.close()
    finally:
        server.stop()
    print(f"run {run}: load average {' → '.join(loads)}; slowest first visit "
          f"{max(times['first'].values()):.2f} s, slowest warm {max(times['warm'].values()):.2f} s, "
          f"frame median {statistics.median(frames):.3f} s", flush=True)
    return {"times": times, "frames": frames, "loads": loads}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh servers, each one first-visit and warm pass")
    parser.add_argument("--leaders", type=int, default=COUNTY_LEADERS, help="leaders (default 4,000)")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")
    print(machine(), flush=True)
    print(f"load average at start: {load_avg()}", flush=True)
    specs = pages_for_role(ADMIN)
    with tempfile.TemporaryDirectory(prefix="pages-bench-") as tmp_name:
        tmp = Path(tmp_name)
        url = prepare(tmp, args.leaders)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            runs = [one_server(browser, url, tmp, r + 1, specs) for r in range(args.repeat)]
            browser.close()

    first = {s.title: statistics.median(r["times"]["first"][s.title] for r in runs) for s in specs}
    warm = {s.title: statistics.median(r["times"]["warm"][s.title] for r in runs) for s in specs}
    frame = statistics.median(f for r in runs for f in r["frames"])
    width = max(len(s.title) for s in specs) * 2 + 2
    print(f"\n{'page':<{width - 4}}  first visit s  warm s  warm/frame")
    for spec in specs:
        print(f"{spec.title}{' ' * (width - 2 * len(spec.title))}{first[spec.title]:>11.3f}  "
              f"{warm[spec.title]:>6.3f}  {warm[spec.title] / frame:>10.1f}")
    print(f"{FRAME}{' ' * (width - len(FRAME) - 2)}{'':>11}  {frame:>6.3f}")
    print(f"load average at end: {load_avg()} (median over {args.repeat} fresh servers)")
    slow_first = max(first, key=first.get)
    slow_warm = max(warm, key=warm.get)
    print(f"pages county: slowest first visit {first[slow_first]:.2f} s ({slow_first}), "
          f"slowest warm {warm[slow_warm]:.2f} s ({slow_warm}), frame {frame:.2f} s, "
          f"warm/frame {warm[slow_warm] / frame:.1f}")


if __name__ == "__main__":
    main()
