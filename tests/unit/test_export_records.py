"""Result rows as JSON and CSV: the values of any results frame, checked against a plain
row-by-row reading of interfaces.md (json.loads and csv.reader on the written files)."""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.data.export.records import (
    CSV_COLUMNS,
    RESULT_KEYS,
    results_records,
    round_half_up,
    write_people_csv,
    write_results_csv,
    write_results_json,
)
from dashboard.domain import DUTY_KEYS

ROLES = {k: 10.0 + i for i, k in enumerate(DUTY_KEYS)}


def row(code, **changes) -> dict:
    """A result row with every interface key (a 联户长 of 南峪乡 ranked 1 unless changed)."""
    base = {
        "code": code, "name": "张三", "role": "联户长", "township": "南峪乡", "village": "江盘村",
        "grid": "第一网格", "group": "第一联防组", "self": 90.0, "mass": 88.0, "committee": 92.5,
        "platform": 80.0, "ballots": 12, "satisfaction": 0.9167, "bonus": 2.0, "deduction": 0.0,
        "final": 93.35, "grade": "优秀", "complete": True, "village_rank": 1, "township_rank": 1,
        "county_rank": 1, "award": True, "adjustment": False, "pay": 1008.0, "flags": (),
        "roles": dict(ROLES),
    }
    base.update(changes)
    return base


# --- the reference: interfaces.md read row by row ---------------------------------------------


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _half_up(v, places: int):
    if _missing(v):
        return None
    return float(Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def reference(frame: pd.DataFrame) -> list[dict]:
    """Each row converted on its own (scores 2 places half up, satisfaction 4, nulls, flags list,
    roles dict), sorted by township, 网格长 first, township rank (none last), code."""
    out = []
    for r in frame.to_dict("records"):
        rec = {}
        for key in RESULT_KEYS:
            v = r[key]
            if key in ("code", "name", "role", "township", "village", "grid", "group", "grade"):
                rec[key] = None if _missing(v) else str(v)
            elif key in ("self", "mass", "committee", "platform", "bonus", "deduction", "final", "pay"):
                rec[key] = _half_up(v, 2)
            elif key == "satisfaction":
                rec[key] = _half_up(v, 4)
            elif key in ("ballots", "village_rank", "township_rank", "county_rank"):
                rec[key] = None if _missing(v) else int(v)
            elif key in ("complete", "award", "adjustment"):
                rec[key] = False if _missing(v) else bool(v)
            elif key == "flags":
                rec[key] = [] if _missing(v) else ([f for f in v.split(";") if f] if isinstance(v, str) else list(v))
            else:
                rec[key] = {k: _half_up(v.get(k), 2) for k in DUTY_KEYS} if isinstance(v, dict) else None
        out.append(rec)
    return sorted(out, key=lambda r: (
        r["township"] or "", 0 if r["role"] == "网格长" else 1,
        math.inf if r["township_rank"] is None else r["township_rank"], r["code"] or "",
    ))


def csv_cell(key: str, value) -> str:
    """How the reference value reads back from the CSV (formula text guarded with ')."""
    if value is None:
        return ""
    if key == "satisfaction":
        return f"{value:.4f}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        value = ";".join(value)
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")) else text


def expected_csv(records: list[dict]) -> list[list[str]]:
    rows = []
    for r in records:
        cells = [csv_cell(k, r[k]) for k in RESULT_KEYS[:-1]]
        cells += ["" if r["roles"] is None else csv_cell("role", r["roles"][k]) for k in DUTY_KEYS]
        rows.append(cells)
    return rows


def read_csv(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def assert_files_match_reference(frame: pd.DataFrame, tmp_path) -> list[dict]:
    expected = reference(frame)
    data = json.loads(write_results_json(frame, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data == expected
    assert [list(r) for r in data] == [list(RESULT_KEYS)] * len(data)
    # Whole numbers stay whole in the file (3, not 3.0), as their types say.
    assert [[type(r[k]) for k in RESULT_KEYS] for r in data] == [[type(r[k]) for k in RESULT_KEYS] for r in expected]
    rows = read_csv(write_results_csv(frame, tmp_path / "r.csv"))
    assert rows[0] == list(CSV_COLUMNS)
    assert rows[1:] == expected_csv(expected)
    return data


# --- tests ----------------------------------------------------------------------------------


def tricky_frame() -> pd.DataFrame:
    """Nulls, NaN, -0.0, unrounded halves, flags as tuple/list/text, roles dict/None/NaN, hostile names."""
    return pd.DataFrame([
        row("H002", name='张"三"\n,第二', township_rank=2, final=74.995, satisfaction=0.91665, pay=-0.0,
            flags=("no_ballots", "veto"), roles={**ROLES, "info": 66.665}),
        row("H001", name='=HYPERLINK("x")', township_rank=2, self=None, mass=float("nan"),
            flags=["tie_at_cutoff"], roles=None),
        row("G010", name="王五", role="网格长", group=None, township="大川镇", pay=None, roles=float("nan")),
        row("H003", name="@SUM(A1)", township_rank=None, final=59.995, grade="基本称职", complete=False,
            award=False, adjustment=True, flags="no_self_report;too_few_ballots", ballots=0, satisfaction=None),
        row("G001", name="+1 %s %d", role="网格长", group="-2", township_rank=1, bonus=1e-7, deduction=12345678.125),
        row("H000", name="李四", township=None, township_rank=3, roles={"info": 1.005}),
        row(None, name="", role="网格长", group=None, township_rank=1, grade=None),
    ])


def test_json_and_csv_of_a_tricky_frame_hold_the_reference_values(tmp_path):
    """Halves round up (74.995 → 75.0, 0.91665 → 0.9167, 1.005 → 1.01); order and nulls as documented."""
    data = assert_files_match_reference(tricky_frame(), tmp_path)
    # township None sorts as "" (first), then 南峪乡 < 大川镇 (U+5357 < U+5927); 网格长 first;
    # township rank (none last); code.
    assert [r["code"] for r in data] == ["H000", None, "G001", "H001", "H002", "H003", "G010"]
    h002 = data[4]
    assert h002["final"] == 75.0 and h002["satisfaction"] == 0.9167 and h002["roles"]["info"] == 66.67
    assert data[0]["roles"] == {"info": 1.01, **{k: None for k in DUTY_KEYS[1:]}}
    assert data[5]["flags"] == ["no_self_report", "too_few_ballots"] and data[5]["satisfaction"] is None


def test_csv_guards_formula_text_and_joins_flags(tmp_path):
    """CSV: a name starting with = gets a ', flags are joined with ';', a quoted comma survives."""
    rows = read_csv(write_results_csv(tricky_frame(), tmp_path / "r.csv"))
    by_code = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert by_code["H001"]["name"] == "'=HYPERLINK(\"x\")"
    assert by_code["H002"]["name"] == '张"三"\n,第二' and by_code["H002"]["flags"] == "no_ballots;veto"
    assert by_code["H002"]["final"] == "75.00" and by_code["H002"]["pay"] == "-0.00"
    assert by_code["G001"]["group"] == "'-2" and by_code["G001"]["deduction"] == "12345678.13"


def test_records_have_their_own_flag_lists_and_role_dicts():
    """Rows sharing a flags tuple still get separate lists and dicts (changing one leaves the others)."""
    frame = pd.DataFrame([row("H001", flags=("veto",)), row("H002", township_rank=2, flags=("veto",))])
    first, second = results_records(frame)
    first["flags"].append("x")
    first["roles"]["info"] = 0.0
    assert second["flags"] == ["veto"] and second["roles"]["info"] == 10.0


def test_extension_dtypes_export_like_plain_values(tmp_path):
    """Nullable Int64 ranks, boolean flags and string columns with NA give the reference values."""
    frame = tricky_frame()
    frame["township_rank"] = frame["township_rank"].astype("Int64")
    frame["award"] = pd.array([True, None, False, True, False, True, None], dtype="boolean")
    frame["grid"] = pd.array(["一", None, "三", "四", "五", "六", "七"], dtype="string")
    frame["ballots"] = frame["ballots"].astype("int32")
    assert_files_match_reference(frame, tmp_path)


def test_empty_frame_gives_empty_list_and_header_only(tmp_path):
    """No rows: the JSON is [] and the CSV only the header line."""
    frame = pd.DataFrame(columns=list(RESULT_KEYS))
    assert json.loads(write_results_json(frame, tmp_path / "r.json").read_text(encoding="utf-8")) == []
    assert read_csv(write_results_csv(frame, tmp_path / "r.csv")) == [list(CSV_COLUMNS)]


def test_missing_interface_column_is_refused():
    """A frame without `final` is refused with the Chinese list of missing columns."""
    frame = pd.DataFrame([row("H1")]).drop(columns=["final"])
    try:
        results_records(frame)
    except ValueError as exc:
        assert str(exc) == "结果表缺少列：final"
    else:
        raise AssertionError("a frame without final was accepted")


def test_round_half_up_keeps_hand_worked_halves():
    """74.995 → 75.0, 0.12345 → 0.1235 (4 places), 89.995 → 90.0; 75.25 unchanged; NaN → None."""
    assert round_half_up(74.995) == 75.0
    assert round_half_up(0.12345, 4) == 0.1235
    assert round_half_up(89.995) == 90.0
    assert round_half_up(75.25) == 75.25
    assert round_half_up(float("nan")) is None


TEXT = st.one_of(st.none(), st.sampled_from(["南峪乡", "大川镇", "", "a,b", '"q"', "=1", "-"]), st.text(max_size=4))
SCORE = st.one_of(st.none(), st.just(float("nan")), st.just(-0.0), st.floats(-1e6, 1e6),
                  st.integers(0, 10_000).map(lambda c: c / 100), st.sampled_from([74.995, 59.995, 0.125]))
RANK = st.one_of(st.none(), st.integers(1, 4))
FLAGS = st.one_of(st.just(()), st.lists(st.sampled_from(["veto", "no_ballots", "a,b"]), max_size=2).map(tuple))
ROLE_VALUE = st.one_of(st.none(), st.just(float("nan")),
                       st.fixed_dictionaries({k: st.integers(0, 10_000).map(lambda c: c / 100) for k in DUTY_KEYS}))


@st.composite
def frames(draw) -> pd.DataFrame:
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        rows.append(row(
            draw(st.one_of(st.none(), st.sampled_from(["G1", "G2", "H1", "H2", "H10", ""]))),
            name=draw(TEXT), role=draw(st.sampled_from(["网格长", "联户长", None])),
            township=draw(st.one_of(st.none(), st.sampled_from(["南峪乡", "大川镇", ""]))),
            group=draw(TEXT), self=draw(SCORE), final=draw(SCORE), pay=draw(SCORE), satisfaction=draw(SCORE),
            township_rank=draw(RANK), village_rank=draw(RANK), ballots=draw(st.integers(0, 30)),
            complete=draw(st.booleans()), flags=draw(FLAGS), roles=draw(ROLE_VALUE),
        ))
    return pd.DataFrame(rows, columns=list(row("x")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(frames())
def test_any_frame_exports_the_reference_values(tmp_path, frame):
    """For random frames (ties, nulls, NaN, -0.0, halves, hostile text) JSON and CSV hold the reference values."""
    assert_files_match_reference(frame, tmp_path)


def test_engine_shaped_frame_exports_the_reference_values(tmp_path):
    """500 rows shaped like the engine's (str columns, tuple flags, roles dicts, whole cents) agree too."""
    rng = np.random.default_rng(7)
    n = 500
    cents = rng.integers(0, 10_001, size=(n, 4))
    frame = pd.DataFrame({
        "code": [f"H{i:05d}" for i in rng.permutation(n)],
        "name": rng.choice(["张三", "李四", "马忠义"], n), "role": rng.choice(["网格长", "联户长"], n),
        "township": rng.choice(["南峪乡", "大川镇"], n), "village": "江盘村", "grid": "第一网格",
        "group": rng.choice(np.array(["第一联防组", None], dtype=object), n),
        "self": cents[:, 0] / 100, "mass": np.where(cents[:, 1] % 7 == 0, np.nan, cents[:, 1] / 100),
        "committee": cents[:, 2] / 100, "platform": np.nan, "ballots": rng.integers(0, 30, n),
        "satisfaction": rng.integers(0, 10_001, n) / 10_000, "bonus": 0.0, "deduction": 1.5,
        "final": cents[:, 3] / 100, "grade": rng.choice(["优秀", "称职"], n), "complete": rng.random(n) < 0.9,
        "village_rank": rng.integers(1, 20, n), "township_rank": rng.integers(1, 50, n), "county_rank": 1,
        "award": rng.random(n) < 0.1, "adjustment": False, "pay": np.where(rng.random(n) < 0.5, np.nan, 840.0),
        "flags": [("veto",) if i % 9 == 0 else () for i in range(n)],
        "roles": [None if i % 11 == 0 else {k: int(c) / 100 for k, c in zip(DUTY_KEYS, rng.integers(0, 3001, 7), strict=True)}
                  for i in range(n)],
    })
    assert_files_match_reference(frame, tmp_path)


def test_people_csv_has_chinese_headers_yes_no_and_flag_names(tmp_path):
    """The app's CSV: headers 编号…最终得分, 是/否 instead of true/false, flags 无群众评议票、…, same cells otherwise."""
    people = read_csv(write_people_csv(tricky_frame(), tmp_path / "p.csv"))
    plain_rows = read_csv(write_results_csv(tricky_frame(), tmp_path / "r.csv"))
    assert people[0][:3] == ["编号", "姓名", "职务"] and "最终得分" in people[0] and "数据完整" in people[0]
    by_code = {r[0]: dict(zip(people[0], r, strict=True)) for r in people[1:]}
    plain = {r[0]: dict(zip(plain_rows[0], r, strict=True)) for r in plain_rows[1:]}
    assert {by_code[c]["数据完整"] for c in by_code} <= {"是", "否"}
    assert by_code["H002"]["数据完整"] == {"true": "是", "false": "否"}[plain["H002"]["complete"]]
    assert by_code["H002"]["提示"] == "无群众评议票、一票否决"
    assert by_code["H002"]["最终得分"] == plain["H002"]["final"] == "75.00"
    assert by_code["H001"]["姓名"] == "'=HYPERLINK(\"x\")"
