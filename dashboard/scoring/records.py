"""Result rows as records (interfaces.md): JSON objects and CSV rows with the exact keys."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pandas as pd

from dashboard.domain import DUTY_KEYS

RESULT_KEYS: tuple[str, ...] = (
    "code", "name", "role", "township", "village", "grid", "group",
    "self", "mass", "committee", "platform", "ballots", "satisfaction",
    "bonus", "deduction", "final", "grade", "complete",
    "village_rank", "township_rank", "county_rank", "award", "adjustment", "pay",
    "flags", "roles",
)
CSV_KEYS: tuple[str, ...] = (*RESULT_KEYS[:-1], *(f"role_{d}" for d in DUTY_KEYS))
_SCORES_2 = ("self", "mass", "committee", "platform", "bonus", "deduction", "final", "pay")
_INTS = ("ballots", "village_rank", "township_rank", "county_rank")
_BOOLS = ("complete", "award", "adjustment")


def _number(value, digits: int):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return round(float(value), digits)


def _text(value):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def results_records(frame: pd.DataFrame) -> list[dict]:
    """One dict per result row with exactly the interfaces.md keys; null for absent values."""
    records = []
    role_cols = [f"role_{d}" for d in DUTY_KEYS]
    for row in frame.to_dict("records"):
        rec = {
            "code": str(row["code"]),
            "name": _text(row["name"]),
            "role": row["role"],
            "township": _text(row["township"]),
            "village": _text(row["village"]),
            "grid": _text(row["grid"]),
            "group": _text(row["group"]),
        }
        for key in ("self", "mass", "committee", "platform"):
            rec[key] = _number(row[key], 2)
        rec["ballots"] = int(row["ballots"])
        rec["satisfaction"] = _number(row["satisfaction"], 4)
        for key in ("bonus", "deduction", "final"):
            rec[key] = _number(row[key], 2)
        rec["grade"] = row["grade"]
        rec["complete"] = bool(row["complete"])
        for key in ("village_rank", "township_rank", "county_rank"):
            rec[key] = int(row[key])
        rec["award"] = bool(row["award"])
        rec["adjustment"] = bool(row["adjustment"])
        rec["pay"] = _number(row["pay"], 2)
        rec["flags"] = list(row["flags"])
        profile = {d: _number(row[c], 2) for d, c in zip(DUTY_KEYS, role_cols, strict=True)}
        rec["roles"] = None if profile[DUTY_KEYS[0]] is None else profile
        records.append(rec)
    return records


def results_json(frame: pd.DataFrame) -> str:
    return json.dumps(results_records(frame), ensure_ascii=False, indent=1)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return value


def results_csv(frame: pd.DataFrame) -> str:
    """CSV text (header = interfaces.md keys, roles as role_… columns, flags joined by ';')."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_KEYS)
    for rec in results_records(frame):
        roles = rec.pop("roles") or {}
        row = [_csv_cell(rec[k]) for k in RESULT_KEYS[:-1]]
        row += [_csv_cell(roles.get(d)) for d in DUTY_KEYS]
        writer.writerow(row)
    return buf.getvalue()


def write_results_json(frame: pd.DataFrame, path: str | Path) -> None:
    Path(path).write_text(results_json(frame), encoding="utf-8")


def write_results_csv(frame: pd.DataFrame, path: str | Path) -> None:
    """UTF-8 with BOM so that Excel opens the Chinese text correctly."""
    Path(path).write_text(results_csv(frame), encoding="utf-8-sig", newline="")
