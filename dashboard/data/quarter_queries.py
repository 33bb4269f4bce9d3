"""The quarterly assessment 季度考评 from the database: SQL aggregates → scoring.quarter.

Reuses the year pipeline's queries: the committee aggregate per leader and quarter is the one
`load_year_inputs` uses (count, sum, min, max per duty); the platform counts are summed per
leader and month so that any quarter can be cut from them.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from dashboard.data.queries import (
    _Query,
    _stored_scheme_text,
    committee_inputs,
    load_leaders,
    platform_count,
    year_scheme,
)
from dashboard.scoring.quarter import QuarterInputs, QuarterResult, score_quarter
from dashboard.scoring.scheme import Scheme


def platform_months(engine: Engine, year: int) -> pd.DataFrame:
    """综治E通 reports per leader and month of the year (leader_id, month, reports)."""
    frame = _Query(engine).frame(
        select(platform_count.c.leader_id, platform_count.c.month, func.sum(platform_count.c.reports))
        .where(platform_count.c.year == year)
        .group_by(platform_count.c.leader_id, platform_count.c.month),
        ("leader_id", "month", "reports"),
    )
    for col in ("month", "reports"):
        frame[col] = pd.to_numeric(frame[col]).astype("int64")
    return frame


def load_quarter_inputs(engine: Engine, year: int) -> QuarterInputs:
    """What section 10 needs for any quarter of the year, aggregated in SQL."""
    months = platform_months(engine, year)
    return QuarterInputs(
        year=year,
        leaders=load_leaders(engine),
        committee=committee_inputs(engine, year),
        platform_months=months,
        platform_in_use=len(months) > 0,
    )


def assess_quarter(engine: Engine, year: int, quarter: int, scheme: Scheme | None = None) -> QuarterResult:
    """One quarter's rows with the year's stored scheme, or the scheme given."""
    if scheme is None:
        scheme = year_scheme(engine, year)
    else:
        _stored_scheme_text(engine, year)  # the year must exist
    return score_quarter(load_quarter_inputs(engine, year), quarter, scheme)
