"""Online mass evaluation in a real browser: an official's round of 30 slips for 东山村, three
phone votes, a refused fourth use, turnout, the engine's mass scores and the audit trail."""

from __future__ import annotations

import re
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from e2e_steps import choose_option
from playwright.sync_api import Page, expect
from test_app_browser import _open, _select_year, _settle, _sign_in

from dashboard.data.db import make_engine
from dashboard.data.queries import assess_year

pytestmark = pytest.mark.e2e

YEAR = 2024
POINTS = {"优秀": 100, "称职": 80, "基本称职": 60, "不称职": 40}
VOTES = ("优秀", "不称职", "基本称职")  # every leader gets this mark on ballots 1, 2, 3


def _counts(db_path: Path) -> dict[str, dict[str, int]]:
    """Valid marks per 东山村 leader code and mark, straight from the database."""
    with sqlite3.connect(db_path) as conn:
        rows = conn.execute(
            "SELECT l.code, b.mark, count(*) FROM ballot_mark b JOIN leader l ON l.id = b.leader_id "
            "JOIN grid g ON g.id = l.grid_id JOIN village v ON v.id = g.village_id "
            "WHERE b.year = ? AND v.name = '东山村' AND b.mark <> '弃权' GROUP BY l.code, b.mark",
            (YEAR,),
        ).fetchall()
    out: dict[str, dict[str, int]] = {}
    for code, mark, n in rows:
        out.setdefault(code, {})[mark] = n
    return out


def _mass_by_hand(counts: dict[str, int]) -> float:
    """scoring.md 3.3: n ≥ 5 drops one highest and one lowest mark, mean of the rest, 2 decimals half up."""
    marks = sorted(p for mark, n in counts.items() for p in [POINTS[mark]] * n)
    if len(marks) >= 5:
        marks = marks[1:-1]
    mean = Decimal(sum(marks)) / Decimal(len(marks))
    return float(mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_official_round_phone_votes_turnout_and_scores(page: Page, browser, e2e_db, tmp_path: Path):
    """30 slips for 东山村; three phone votes count exactly as the rules say; a spent code is refused."""
    before = _counts(e2e_db[1])
    _sign_in(page, "official")
    _select_year(page, YEAR)
    _open(page, "在线评议")
    choose_option(page, page.get_by_test_id("stSelectbox").filter(has_text="村").last, "南峪乡/东山村")
    expect(page.get_by_label("评议票张数")).to_have_value("30")
    page.get_by_role("button", name="发起评议并生成评议票").click()
    _settle(page)
    expect(page.get_by_text("共 30 张评议票")).to_be_visible()
    with page.expect_download() as caught:
        page.get_by_role("button", name="下载评议票（A4 打印）").click()
    sheet = Path(caught.value.path()).read_text("utf-8")
    urls = re.findall(r'class="slip"><svg[^>]*>.*?</svg>', sheet)
    codes = re.findall(r'<p class="code">([2-9A-Z]{5})-([2-9A-Z]{5})</p>', sheet)
    assert len(codes) == 30 and len(urls) == 30 and len(set(codes)) == 30
    assert sheet.count("<svg") == 30

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    vote = phone.new_page()
    base = page.url.split("/online-vote")[0]
    for (a, b), mark in zip(codes[:3], VOTES, strict=True):
        vote.goto(f"{base}/vote?c={a}{b}")
        expect(vote.locator("h1")).to_contain_text("东山村群众评议（群众代表）")
        groups = vote.locator("fieldset")
        voted = groups.count()
        assert voted >= 1
        for i in range(voted):
            groups.nth(i).get_by_text(mark, exact=True).click()
        vote.get_by_role("button", name="提交评议").click()
        expect(vote.get_by_role("status")).to_contain_text("提交成功")
    vote.goto(f"{base}/vote?c={codes[0][0]}-{codes[0][1]}")
    expect(vote.get_by_role("alert")).to_have_text("该评议码已经使用过，每张评议票只能投一次")
    expect(vote.locator("fieldset")).to_have_count(0)
    assert vote.evaluate("document.documentElement.scrollWidth") <= 390
    phone.close()

    page.reload()
    _settle(page)
    _select_year(page, YEAR)
    expect(page.get_by_test_id("stMetric").filter(has_text="已投票")).to_contain_text("3")

    after = _counts(e2e_db[1])
    results = assess_year(make_engine(e2e_db[0]), YEAR).results.set_index("code")
    assert len(after) == voted
    for code, counts in after.items():
        for mark in VOTES:
            assert counts.get(mark, 0) == before.get(code, {}).get(mark, 0) + 1
        assert results.loc[code, "mass"] == pytest.approx(_mass_by_hand(counts))

    _open(page, "操作日志")
    expect(page.get_by_test_id("stDataFrame")).to_contain_text("发起在线评议")


def _get(url: str, client: str) -> str:
    request = urllib.request.Request(url, headers={"X-Forwarded-For": client})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.read().decode("utf-8")


def test_wrong_codes_are_limited_per_client(app_url: str):
    """Ten wrong codes from one client address (via the loopback proxy header) block it; another is not blocked."""
    for n in range(10):
        assert "评议码不正确" in _get(f"{app_url}/vote?c=WRONG{n:05d}", "203.0.113.9")
    assert "输入错误次数过多" in _get(f"{app_url}/vote?c=ANYTHING22", "203.0.113.9")
    assert "评议码不正确" in _get(f"{app_url}/vote?c=ANYTHING22", "203.0.113.10")
    page = _get(f"{app_url}/vote", "203.0.113.10")
    assert "请输入评议票上的 10 位评议码" in page and "<script" not in page


def test_incomplete_ballot_comes_back_with_its_marks(app_url: str, e2e_db):
    """A POST missing marks re-shows the ballot with the error and the marks already chosen; the code stays good."""
    from sqlmodel import select

    from dashboard.data.db import transaction
    from dashboard.services import rounds
    from models import User, Village

    engine = make_engine(e2e_db[0])
    with transaction(engine) as s:
        admin = s.exec(select(User).where(User.username == "demo-admin")).one()
        vid = s.exec(select(Village.id).where(Village.name == "东山村")).one()
        code = rounds.open_round(session=s, user=admin, year=YEAR, rater_type="党员代表", slips=1,
                                 village_id=vid).slips[0].code
    ballot = _get(f"{app_url}/vote?c={code}", "198.51.100.7")
    first = re.search(r'name="(m\d+)"', ballot).group(1)
    body = urllib.parse.urlencode({"c": code, first: "称职"}).encode()
    request = urllib.request.Request(f"{app_url}/vote", data=body, method="POST")
    try:
        page = urllib.request.urlopen(request, timeout=30).read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        page = exc.read().decode("utf-8")
    assert "还有人未选择" in page
    assert f'name="{first}" value="称职" checked' in page
    assert "该评议码已经使用过" not in _get(f"{app_url}/vote?c={code}", "198.51.100.7")
