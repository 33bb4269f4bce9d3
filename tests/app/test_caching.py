"""The engine runs once per (database, year, data revision); a write's revision bump recomputes."""

from __future__ import annotations

from factories import YEAR, build_world

from dashboard.data.db import transaction
from dashboard.data.years import bump_revision
from dashboard.ui import resources
from dashboard.ui.resources import _assessment, cached_assessment


def test_assessment_cached_per_revision(sqlite_engine, monkeypatch):
    """Two reads at revision 0 run the engine once; after a bump (another process's write) again."""
    build_world(sqlite_engine)
    calls: list[int] = []

    def counting(engine, year, scheme=None):
        calls.append(year)
        return f"results {year} #{len(calls)}"

    monkeypatch.setattr(resources, "assess_year", counting)
    _assessment.clear()
    first = cached_assessment(sqlite_engine, YEAR)
    again = cached_assessment(sqlite_engine, YEAR)
    assert first == again == "results 2024 #1"
    with transaction(sqlite_engine) as s:
        bump_revision(s, YEAR)
    assert cached_assessment(sqlite_engine, YEAR) == "results 2024 #2"
    assert calls == [YEAR, YEAR]
    assert cached_assessment(sqlite_engine, 1999) is None  # no such year: nothing computed
    _assessment.clear()
