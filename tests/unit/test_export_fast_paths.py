"""The fast paths of the result export give exactly what the plain json/Decimal code gives."""

from __future__ import annotations

import json
import math
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from dashboard.data.export import results_json_text, round_half_up

RECORDS = [
    {
        "code": "G001", "name": "张\"三\"\n", "group": None, "self": 88.5, "final": 74.995, "ballots": 20,
        "satisfaction": 0.8, "complete": True, "award": False, "pay": None, "flags": [],
        "roles": {"info": 75.0, "unity": 10.25}, "neg": -0.0, "tab": "=a\tb", "empty": {},
    },
    {"code": "H002", "flags": ["no_ballots", "veto"], "roles": None, "big": 12345678901234567890, "tiny": 1e-7},
]


def test_results_json_text_equals_json_dumps_indent_2():
    """The hand-written writer produces the same bytes as json.dumps(indent=2, ensure_ascii=False)."""
    assert results_json_text(RECORDS) == json.dumps(RECORDS, ensure_ascii=False, indent=2)
    assert results_json_text([]) == json.dumps([], ensure_ascii=False, indent=2)  # "[]"


@given(
    st.lists(
        st.dictionaries(
            st.text(max_size=5),
            st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
                      st.lists(st.text(max_size=4), max_size=3)),
            max_size=4,
        ),
        max_size=4,
    )
)
def test_results_json_text_equals_json_dumps_for_any_flat_records(records):
    """For any records of scalars and string lists the text equals json.dumps(indent=2)."""
    assert results_json_text(records) == json.dumps(records, ensure_ascii=False, indent=2)


VALUE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
                  st.lists(st.text(max_size=4), max_size=3),
                  st.dictionaries(st.text(max_size=3), st.floats(allow_nan=False), max_size=2))


@given(st.lists(st.fixed_dictionaries({"code": VALUE, "final": VALUE, "flags": VALUE, "roles": VALUE}), max_size=5))
def test_results_json_text_equals_json_dumps_for_rows_with_the_same_keys(records):
    """Rows sharing their keys (the column-by-column path) give the same text as json.dumps(indent=2)."""
    assert results_json_text(records) == json.dumps(records, ensure_ascii=False, indent=2)


def test_results_json_text_column_path_on_result_like_rows():
    """Two result-like rows with the same keys: nested roles, empty and non-empty flags, null."""
    rows = [
        {"code": "G001", "final": 74.99, "flags": [], "roles": {"info": 75.0}, "pay": None},
        {"code": "H\"2", "final": 60.0, "flags": ["veto"], "roles": None, "pay": 1200.5},
    ]
    assert results_json_text(rows) == json.dumps(rows, ensure_ascii=False, indent=2)


def _decimal_round(value: float, places: int) -> float:
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9), st.sampled_from([2, 4]))
def test_round_half_up_fast_path_equals_decimal_rounding(value, places):
    """round_half_up gives the exact-decimal half-up result whether or not the fast path applies."""
    assert round_half_up(value, places) == _decimal_round(value, places)


def test_round_half_up_keeps_hand_worked_halves():
    """74.995 → 75.0 and 0.12345 → 0.1235 (4 places); 75.25 is returned unchanged."""
    assert round_half_up(74.995) == 75.0  # exact decimal 74.995 rounds half up
    assert round_half_up(0.12345, 4) == 0.1235
    assert round_half_up(75.25) == 75.25
    assert math.copysign(1.0, round_half_up(-0.0)) == -1.0  # -0.0 stays -0.0, as Decimal gives
