"""Pure scoring 考核计分 (scoring.md): year inputs as DataFrames + a Scheme → results frame;
quarter inputs → the quarterly rows of section 10 (一季一考评).

No Streamlit and no database here; dashboard.data.queries loads the inputs from the database.
"""

from dashboard.scoring.engine import (
    COMPONENT_KEYS,
    ROLE_COLUMNS,
    ScoringResult,
    assessed_leaders,
    score_year,
)
from dashboard.scoring.inputs import (
    MARK_COLUMNS,
    YearInputs,
    adjustment_totals,
    committee_aggregates,
    inputs_from_raw,
    mass_counts,
    platform_totals,
)
from dashboard.scoring.orders import SCOPE_KEYS
from dashboard.scoring.quarter import QuarterInputs, QuarterResult, score_quarter, score_quarters

__all__ = [
    "COMPONENT_KEYS",
    "MARK_COLUMNS",
    "QuarterInputs",
    "QuarterResult",
    "ROLE_COLUMNS",
    "SCOPE_KEYS",
    "ScoringResult",
    "YearInputs",
    "adjustment_totals",
    "assessed_leaders",
    "committee_aggregates",
    "inputs_from_raw",
    "mass_counts",
    "platform_totals",
    "score_quarter",
    "score_quarters",
    "score_year",
]
