"""The page table: which pages each role may use."""

from __future__ import annotations

from pathlib import Path

from dashboard.data.config import PROJECT_ROOT
from dashboard.ui.navigation import ENTRY_PAGES, PAGES, pages_for_role, sections_for_role


def _keys(role: str) -> set[str]:
    return {p.key for p in pages_for_role(role)}


INPUT_PAGES = {"self_report", "committee", "ballots", "platform", "adjustments"}


def test_entry_pages_are_the_five_inputs():
    """The entry pages are exactly self-report, committee, ballots, platform and adjustments."""
    assert set(ENTRY_PAGES) == INPUT_PAGES
    assert [PAGES[k].title for k in ENTRY_PAGES] == ["个人述职", "两委打分", "群众评议", "平台上报", "加减分"]


def test_admin_gets_every_page():
    """An admin may use every page of the table but the two pages of a leader's own account."""
    assert _keys("admin") == set(PAGES) - {"my_self_report", "my_record"}


def test_leader_gets_only_his_own_pages():
    """A 本人 account sees his own self-report and 述职档案, nothing else (no results, no entry)."""
    assert [p.key for p in pages_for_role("leader")] == ["my_self_report", "my_record"]


def test_assessor_gets_entry_import_completion_roster():
    """An assessor enters scores, imports, and sees completion and the roster."""
    assert INPUT_PAGES | {"data_import", "completion", "roster"} <= _keys("assessor")


def test_viewer_gets_no_entry_page():
    """A viewer sees completion and the roster but no entry page and no import."""
    assert {"completion", "roster"} <= _keys("viewer")
    assert not _keys("viewer") & (INPUT_PAGES | {"data_import"})


def test_official_gets_import_but_no_entry_page():
    """An official sees completion, roster and import, but no score-entry page."""
    assert {"completion", "roster", "data_import"} <= _keys("official")
    assert not _keys("official") & INPUT_PAGES


def test_default_page_is_completion_for_entry_roles():
    """The first page (the default) of admins and assessors is 完成情况."""
    assert pages_for_role("admin")[0].key == pages_for_role("assessor")[0].key == "completion"


def test_unknown_role_gets_nothing():
    """A role outside the four gets no page at all."""
    assert pages_for_role("guest") == []


def test_every_page_file_exists_with_unique_url():
    """Each page file exists under pages/ and every URL path is distinct."""
    for spec in PAGES.values():
        assert (PROJECT_ROOT / spec.path).is_file(), spec.path
        assert Path(spec.path).parent.name == "pages"
    assert len({p.url_path for p in PAGES.values()}) == len(PAGES)


def test_sections_hold_every_page_once():
    """Grouping by menu section keeps every page of the role exactly once."""
    for role in ("admin", "assessor", "viewer", "official"):
        grouped = [p.key for specs in sections_for_role(role).values() for p in specs]
        assert sorted(grouped) == sorted(_keys(role))
    assert "数据录入" not in sections_for_role("viewer")
