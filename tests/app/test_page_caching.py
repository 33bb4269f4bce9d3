"""Pages share their data across sessions per data revision: a write (a new revision) shows at once.

The test world (tests/factories.py build_world) has 6 leaders in three villages and no inputs;
南峪乡/南峪村 has 3 of them (NY-G1 杨卓玛, NY-H1, NY-H2).
"""

from __future__ import annotations

import threading

import altair as alt
import pandas as pd
import pytest
from factories import PASSWORD, YEAR, build_world, build_year
from sqlalchemy import update
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import transaction
from dashboard.data.queries import assess_year
from dashboard.data.years import bump_revision
from dashboard.domain import DUTY_KEYS
from dashboard.ui import charts, resources
from dashboard.ui.prefetch import prefetch_year
from dashboard.ui.resources import _scoped_read
from models import Leader, SelfReport

APP = str(PROJECT_ROOT / "streamlit_app.py")
NANYU = "个人述职 {n}/3 · 一季度 0/3 · 二季度 0/3 · 三季度 0/3 · 四季度 0/3 · 票数达标 0/3"


@pytest.fixture
def app_db(sqlite_engine, monkeypatch):
    build_world(sqlite_engine)
    monkeypatch.setenv("DATABASE_URL", sqlite_engine.url.render_as_string(hide_password=False))
    _scoped_read.clear()
    yield sqlite_engine
    _scoped_read.clear()


def _open(page: str) -> AppTest:
    """A new session: the admin signs in through the frame, then one page runs."""
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="login_username").input("admin")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    at.session_state["year"] = YEAR
    return at.switch_page(f"pages/{page}.py").run()


def _add_self_report(engine, code: str, *, bump: bool) -> None:
    with transaction(engine) as s:
        leader = s.exec(select(Leader).where(Leader.code == code)).one()
        s.add(SelfReport(year=YEAR, leader_id=leader.id, **dict.fromkeys(DUTY_KEYS, 90.0)))
        if bump:
            bump_revision(s, YEAR)


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_completion_shows_a_new_self_report_at_the_next_revision(app_db):
    """南峪村 shows 个人述职 0/3; after a self-report for NY-G1 and a revision bump, 1/3 in a new session."""
    at = _open("completion")
    assert not at.exception
    assert NANYU.format(n=0) in _captions(at)
    _add_self_report(app_db, "NY-G1", bump=True)
    again = _open("completion")
    assert NANYU.format(n=1) in _captions(again)
    assert NANYU.format(n=0) not in _captions(again)


def test_completion_is_shared_until_the_revision_changes(app_db):
    """A row written without a revision bump is not read again: the shared result still says 0/3."""
    assert NANYU.format(n=0) in _captions(_open("completion"))
    _add_self_report(app_db, "NY-H1", bump=False)
    assert NANYU.format(n=0) in _captions(_open("completion"))
    with transaction(app_db) as s:
        bump_revision(s, YEAR)
    assert NANYU.format(n=1) in _captions(_open("completion"))


def test_roster_shows_a_renamed_leader_at_the_next_revision(app_db):
    """杨卓玛 renamed 杨卓玛措 (with the bump every roster write makes) shows in the next session's table."""
    names = _open("roster").dataframe[0].value["姓名"].tolist()
    assert "杨卓玛" in names and len(names) == 6
    with transaction(app_db) as s:
        s.exec(update(Leader).where(Leader.code == "NY-G1").values(name="杨卓玛措"))
        bump_revision(s, YEAR)
    names = _open("roster").dataframe[0].value["姓名"].tolist()
    assert "杨卓玛措" in names and "杨卓玛" not in names and len(names) == 6


def test_chart_spec_built_once_per_input(monkeypatch):
    """The same frame twice builds the chart once; a changed count (3 → 4) builds it again with the new data."""
    calls: list[int] = []

    def bars(frame: pd.DataFrame) -> alt.Chart:
        calls.append(len(frame))
        return alt.Chart(frame).mark_bar().encode(x="grade:N", y="count:Q")

    drawn: list[dict] = []
    monkeypatch.setattr(charts.st, "vega_lite_chart", lambda spec, **kw: drawn.append(spec))
    charts._spec.clear()
    first = pd.DataFrame({"grade": ["优秀", "称职"], "count": [2, 3]})
    charts.draw_chart(bars, first, use_container_width=True)
    charts.draw_chart(bars, first.copy(), use_container_width=True)
    assert calls == [2]
    assert drawn[0] == drawn[1]
    charts.draw_chart(bars, pd.DataFrame({"grade": ["优秀", "称职"], "count": [2, 4]}), use_container_width=True)
    assert calls == [2, 2]
    assert drawn[2]["datasets"] != drawn[0]["datasets"]
    charts._spec.clear()


def test_prefetch_computes_the_year_once_for_the_pages(sqlite_engine, monkeypatch):
    """The background fill runs the engine once; the page then reads G1 100.00 and H1 97.22 from it."""
    build_year(sqlite_engine)
    calls: list[int] = []

    def counting(engine, year):
        calls.append(year)
        return assess_year(engine, year)

    monkeypatch.setattr(resources, "assess_year", counting)
    resources._assessment.clear()
    prefetch_year(sqlite_engine, YEAR, 0)
    prefetch_year(sqlite_engine, YEAR, 0)  # the same revision again: no second thread
    for thread in [t for t in threading.enumerate() if t.name == f"prefetch-{YEAR}-0"]:
        thread.join(timeout=60)
    results = resources.cached_assessment(sqlite_engine, YEAR).results.set_index("code")
    assert calls == [YEAR]
    assert round(float(results.loc["G1", "final"]), 2) == 100.00
    assert round(float(results.loc["H1", "final"]), 2) == 97.22
    resources._assessment.clear()
