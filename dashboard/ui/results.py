"""Shared plumbing of the result pages: the year's cached assessment cut to the user's scope,
downloads built once per (year, revision), and the leader hand-over from rankings to detail.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from dashboard.data.export.award_book import write_award_workbook
from dashboard.data.export.files import write_results_xlsx
from dashboard.data.export.records import write_people_csv
from dashboard.data.queries import load_year_inputs
from dashboard.scoring import score_year
from dashboard.scoring.scheme import Scheme
from dashboard.services.results import ResultScope, result_scope, scope_results
from dashboard.ui import state
from dashboard.ui.resources import cached_assessment, current_revision, year_revisions

DETAIL_PAGE = "pages/leader_detail.py"
DETAIL_CODE_KEY = "detail_code"


@dataclass(frozen=True)
class YearResults:
    """One year's results as the signed-in user may see them."""

    year: int
    revision: int
    scheme: Scheme
    scope: ResultScope
    results: pd.DataFrame  # scoped rows of the engine's results frame
    assessment: object  # the full (unscoped) assessment, for exports and explanations


def year_results(engine: Engine, *, year: int | None = None) -> YearResults:
    """The selected (or given) year's results cut to the user's scope; stops the page if none."""
    state.require_user()
    year = year or state.require_year()
    assessment = cached_assessment(engine, year)
    if assessment is None:
        st.info(f"没有 {year} 年度的考评数据。")
        st.stop()
    scope = state.read(engine, result_scope)
    results = scope_results(assessment.results, scope)
    return YearResults(
        year=year,
        revision=current_revision(engine, year) or 0,
        scheme=assessment.scheme,
        scope=scope,
        results=results,
        assessment=assessment,
    )


def other_years_results(
    engine: Engine, *, year: int, scope: ResultScope
) -> dict[int, pd.DataFrame]:
    """Scoped results of the other assessment years before `year` (cached per year and revision)."""
    out: dict[int, pd.DataFrame] = {}
    for other in year_revisions(engine):
        if other < year:
            assessment = cached_assessment(engine, other)
            if assessment is not None:
                out[other] = scope_results(assessment.results, scope)
    return out


def open_detail(code: str) -> None:
    """Go to the leader's 述职档案 (the code travels in session state and the URL)."""
    st.session_state[DETAIL_CODE_KEY] = code
    st.switch_page(DETAIL_PAGE, query_params={"code": code})


def _write_to_bytes(writer, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"out{suffix}"
        writer(path)
        return path.read_bytes()


@st.cache_data(show_spinner="正在生成文件…", max_entries=32)
def _award_workbook(
    _assessment, url: str, year: int, revision: int, scope_key: str, _results
) -> bytes:
    return _write_to_bytes(
        lambda p: write_award_workbook(_results, year=year, path=p, scheme=_assessment.scheme),
        ".xlsx",
    )


@st.cache_data(show_spinner="正在生成文件…", max_entries=32)
def _results_file(
    url: str, year: int, revision: int, scope_key: str, suffix: str, _results
) -> bytes:
    # People get Chinese headers and 是/否 in the CSV too (the command line keeps interface keys).
    writer = {".csv": write_people_csv, ".xlsx": write_results_xlsx}[suffix]
    return _write_to_bytes(lambda p: writer(_results, p), suffix)


def _scope_key(scope: ResultScope) -> str:
    return repr((scope.township, sorted(scope.villages) if scope.villages is not None else None))


def award_workbook_bytes(engine: Engine, data: YearResults) -> bytes:
    """The award workbook of the results the user sees (for an unscoped user: the `awards` file)."""
    url = engine.url.render_as_string(hide_password=True)
    results = data.assessment if data.scope.everything else data.results
    return _award_workbook(
        data.assessment, url, data.year, data.revision, _scope_key(data.scope), results
    )


def results_file_bytes(engine: Engine, data: YearResults, suffix: str) -> bytes:
    """The results the user sees as CSV or XLSX (interfaces.md)."""
    url = engine.url.render_as_string(hide_password=True)
    return _results_file(
        url, data.year, data.revision, _scope_key(data.scope), suffix, data.results
    )


@st.cache_data(show_spinner="正在读取本年度数据…", max_entries=4)
def _year_inputs(_engine: Engine, url: str, year: int, revision: int):
    return load_year_inputs(_engine, year)


@st.cache_data(show_spinner="正在按调整后的方案计算…", max_entries=16)
def _whatif_results(
    _engine: Engine, url: str, year: int, revision: int, scheme_json: str
) -> pd.DataFrame:
    inputs = _year_inputs(_engine, url, year, revision)
    return score_year(inputs, Scheme.from_json(scheme_json)).results


def whatif_results(engine: Engine, data: YearResults, scheme: Scheme) -> pd.DataFrame:
    """The year's results under a changed copy of the scheme (nothing is saved), cut to the scope."""
    url = engine.url.render_as_string(hide_password=True)
    results = _whatif_results(engine, url, data.year, data.revision, scheme.to_json())
    return scope_results(results, data.scope)


@st.cache_data(show_spinner=False, max_entries=128)
def _derived(url: str, year: int, revision: int, scope_key: str, name: str, extra: str, _fn, _args):
    return _fn(*_args)


def derived(engine: Engine, data: YearResults, name: str, fn, *args, extra: str = ""):
    """A view derived from the year's results, computed once per (year, revision, scope, name, extra).

    `args` are not hashed (they are the big frames); `name` and `extra` say what is computed.
    """
    url = engine.url.render_as_string(hide_password=True)
    return _derived(url, data.year, data.revision, _scope_key(data.scope), name, extra, fn, args)
