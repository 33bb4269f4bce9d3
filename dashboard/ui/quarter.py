"""Plumbing of the quarter views (季度考评, the trend on 述职档案, 月度上报): the year's quarter
inputs cached per (year, data revision), each quarter's rows per (year, quarter, revision),
cut to the user's scope like the year results; the notice built once per scope.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st
from sqlalchemy.engine import Engine

from dashboard.data.export.quarter_book import write_quarter_notice
from dashboard.data.quarter_queries import load_quarter_inputs
from dashboard.data.queries import year_scheme
from dashboard.scoring.quarter import QUARTERS, QuarterInputs, QuarterResult, score_quarter
from dashboard.scoring.scheme import Scheme
from dashboard.services.results import (
    ResultScope,
    quarter_notice_scope,
    result_scope,
    scope_results,
)
from dashboard.ui import state
from dashboard.ui.resources import current_revision
from dashboard.ui.results import _scope_key, _write_to_bytes


@dataclass(frozen=True)
class QuarterData:
    """One year's quarter rows (all four quarters) as the signed-in user may see them."""

    year: int
    revision: int
    scheme: Scheme
    scope: ResultScope
    platform_in_use: bool
    trend: pd.DataFrame  # scoped rows of score_quarters: one per listed leader and quarter
    leaders: pd.DataFrame  # scoped leaders frame (for the platform watch)
    platform_months: pd.DataFrame  # reports per leader and month (all of the year's)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@st.cache_data(show_spinner="正在读取季度考评数据…", max_entries=8)
def _inputs(_engine: Engine, url: str, year: int, revision: int) -> tuple[QuarterInputs, Scheme]:
    return load_quarter_inputs(_engine, year), year_scheme(_engine, year)


@st.cache_data(show_spinner="正在计算季度考评…", max_entries=32)
def _quarter(_engine: Engine, url: str, year: int, quarter: int, revision: int) -> QuarterResult:
    inputs, scheme = _inputs(_engine, url, year, revision)
    return score_quarter(inputs, quarter, scheme)


def quarter_result(engine: Engine, year: int, quarter: int, revision: int) -> QuarterResult:
    """One quarter of the year (all leaders), computed once per (database, year, quarter, revision)."""
    return _quarter(engine, _url(engine), year, quarter, revision)


@st.cache_data(show_spinner="正在计算季度考评…", max_entries=32)
def _scoped(url: str, year: int, revision: int, scope_key: str, _engine: Engine, _scope: ResultScope):
    # One copy per visit of what the pages use, not of the year's inputs and all four quarters.
    inputs, scheme = _inputs(_engine, url, year, revision)
    trend = pd.concat(
        [scope_results(_quarter(_engine, url, year, q, revision).rows, _scope) for q in QUARTERS],
        ignore_index=True,
    )
    return scheme, inputs.uses_platform, trend, scope_results(inputs.leaders, _scope), inputs.platform_months


def quarter_data(engine: Engine, *, year: int | None = None) -> QuarterData:
    """The selected year's quarters cut to the user's scope; stops the page if the year is unknown.

    Cut once per (database, year, revision, scope) for every session.
    """
    state.require_user()
    year = year or state.require_year()
    revision = current_revision(engine, year)
    if revision is None:
        st.info(f"没有 {year} 年度的考评数据。")
        st.stop()
    scope = state.read(engine, result_scope)
    scheme, platform_in_use, trend, leaders, platform_months = _scoped(
        _url(engine), year, revision, _scope_key(scope), engine, scope
    )
    return QuarterData(
        year=year,
        revision=revision,
        scheme=scheme,
        scope=scope,
        platform_in_use=platform_in_use,
        trend=trend,
        leaders=leaders,
        platform_months=platform_months,
    )


@st.cache_data(show_spinner="正在生成季度考评通报…", max_entries=16)
def _notice(url: str, year: int, quarter: int, revision: int, scope_key: str, _result: QuarterResult) -> bytes:
    return _write_to_bytes(lambda p: write_quarter_notice(_result, p), ".xlsx")


def notice_scope(engine: Engine) -> ResultScope:
    """The scope of the user's 季度考评通报; the service refuses roles other than official and admin.

    Read while the page runs: the download's data is built later, outside the page's run,
    where the signed-in user is not at hand.
    """
    return state.read(engine, quarter_notice_scope)


def notice_bytes(engine: Engine, data: QuarterData, quarter: int, scope: ResultScope) -> bytes:
    """The 季度考评通报 of the quarter cut to `scope` (from notice_scope), built once per scope."""
    full = quarter_result(engine, data.year, quarter, data.revision)
    rows = full.rows if scope.everything else scope_results(full.rows, scope).reset_index(drop=True)
    result = QuarterResult(
        year=full.year, quarter=quarter, scheme=full.scheme, rows=rows, platform_in_use=full.platform_in_use
    )
    return _notice(_url(engine), data.year, quarter, data.revision, _scope_key(scope), result)
