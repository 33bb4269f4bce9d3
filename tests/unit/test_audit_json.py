"""Audit values are stored as JSON text: dates, fractions and Chinese text survive."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction

from dashboard.data.audit import to_json


def test_to_json_keeps_chinese_and_sorts_keys():
    """Chinese stays readable (no \\u escapes) and keys are sorted, so equal values give equal text."""
    text = to_json({"b": "称职", "a": 1})
    assert text == '{"a": 1, "b": "称职"}'


def test_to_json_writes_dates_and_fractions():
    """A date is ISO text, a datetime keeps its offset, a fraction is written p/q."""
    moment = datetime(2024, 12, 1, 8, 30, tzinfo=timezone(timedelta(hours=8)))
    value = json.loads(to_json({"d": date(2024, 12, 1), "t": moment, "share": Fraction(1, 3)}))
    assert value == {"d": "2024-12-01", "t": "2024-12-01T08:30:00+08:00", "share": "1/3"}


def test_to_json_none_stays_none():
    """An absent old value (a new row) is stored as SQL NULL, not the text 'null'."""
    assert to_json(None) is None
