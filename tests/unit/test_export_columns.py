"""The column-by-column result export gives byte for byte what the row-by-row path gives.

The reference is the plain path: `results_records` on the frame's rows as a list of dicts
(converted row by row, sorted with `sorted`), then json.dumps(indent=2) or csv.writer.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import OrderedDict

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.data.export import (
    CSV_COLUMNS,
    RESULT_KEYS,
    results_records,
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


def tricky_frame() -> pd.DataFrame:
    """Nulls, NaN, -0.0, unrounded halves, flags as tuple/list/text, roles dict/None/NaN, hostile names."""
    rows = [
        row("H002", name='张"三"\n,第二', township_rank=2, final=74.995, satisfaction=0.91665, pay=-0.0,
            flags=("no_ballots", "veto"), roles={**ROLES, "info": 66.665}),
        row("H001", name="=HYPERLINK(\"x\")", township_rank=2, self=None, mass=float("nan"), flags=["tie_at_cutoff"],
            roles=None),
        row("G010", name="王五", role="网格长", group=None, township="大川镇", pay=None, roles=float("nan")),
        row("H003", name="@SUM(A1)", township_rank=None, final=59.995, grade="基本称职", complete=False,
            award=False, adjustment=True, flags="no_self_report;too_few_ballots", ballots=0, satisfaction=None),
        row("G001", name="+1 %s %d", role="网格长", group="-2", township_rank=1, bonus=1e-7, deduction=12345678.125),
        row("H000", name="李四", township=None, township_rank=3, roles={"info": 1.005}),  # missing duties → null
        row(None, name="", role="网格长", group=None, township_rank=1, grade=None),
    ]
    return pd.DataFrame(rows)


def plain_records(frame: pd.DataFrame) -> list[dict]:
    """The row-by-row path: the rows as a list of dicts go through `_record` and `sorted`."""
    return results_records(frame.to_dict(orient="records"))


def plain_csv(records: list[dict], path) -> bytes:
    write_results_csv(records, path)  # a list of rows takes the csv.writer path, row by row
    return path.read_bytes()


def test_json_equals_json_dumps_of_the_row_by_row_records(tmp_path):
    """write_results_json on a frame writes json.dumps(records, ensure_ascii=False, indent=2) + newline."""
    frame = tricky_frame()
    expected = json.dumps(plain_records(frame), ensure_ascii=False, indent=2) + "\n"
    path = write_results_json(frame, tmp_path / "r.json")
    assert path.read_text(encoding="utf-8") == expected


def test_records_equal_the_row_by_row_records():
    """results_records on a frame equals the row path value for value (repr: -0.0 and 75.0 exact)."""
    frame = tricky_frame()
    fast = results_records(frame)
    assert repr(fast) == repr(plain_records(frame))
    # Hand-worked order: township "" (None) < 南峪乡 < 大川镇 (U+5357 < U+5927); 网格长 first;
    # then township rank (None last), then code (None as "").
    assert [r["code"] for r in fast] == ["H000", None, "G001", "H001", "H002", "H003", "G010"]
    h002 = next(r for r in fast if r["code"] == "H002")
    assert h002["final"] == 75.0 and h002["satisfaction"] == 0.9167  # 74.995 and 0.91665 half up
    assert h002["roles"]["info"] == 66.67 and math.copysign(1.0, h002["pay"]) == -1.0
    h000 = next(r for r in fast if r["code"] == "H000")
    assert h000["roles"] == {"info": 1.01, **{k: None for k in DUTY_KEYS[1:]}}


def test_records_have_their_own_flag_lists_and_role_dicts():
    """Rows sharing a flags tuple still get separate lists and dicts (changing one leaves the others)."""
    frame = pd.DataFrame([row("H001", flags=("veto",)), row("H002", township_rank=2, flags=("veto",))])
    first, second = results_records(frame)
    first["flags"].append("x")
    first["roles"]["info"] = 0.0
    assert second["flags"] == ["veto"] and second["roles"]["info"] == 10.0


def test_csv_equals_the_csv_writer_path(tmp_path):
    """write_results_csv on a frame gives the bytes of csv.writer over the row-by-row records."""
    frame = tricky_frame()
    fast = write_results_csv(frame, tmp_path / "fast.csv").read_bytes()
    assert fast == plain_csv(plain_records(frame), tmp_path / "plain.csv")
    rows = list(csv.reader(io.StringIO(fast.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 8
    h002 = dict(zip(CSV_COLUMNS, rows[5], strict=True))
    assert h002["name"] == '张"三"\n,第二' and h002["final"] == "75.00" and h002["pay"] == "-0.00"


def test_extension_dtypes_give_the_same_text(tmp_path):
    """Nullable Int64 ranks, boolean flags and string columns with NA export like plain values."""
    frame = tricky_frame()
    frame["township_rank"] = frame["township_rank"].astype("Int64")
    frame["award"] = pd.array([True, None, False, True, False, True, None], dtype="boolean")
    frame["grid"] = pd.array(["一", None, "三", "四", "五", "六", "七"], dtype="string")
    frame["ballots"] = frame["ballots"].astype("int32")
    expected = json.dumps(plain_records(frame), ensure_ascii=False, indent=2) + "\n"
    assert write_results_json(frame, tmp_path / "r.json").read_text(encoding="utf-8") == expected
    assert write_results_csv(frame, tmp_path / "f.csv").read_bytes() == plain_csv(plain_records(frame), tmp_path / "p.csv")


def test_empty_frame_gives_empty_list_and_header_only(tmp_path):
    """No rows: the JSON is [] and the CSV only the header line."""
    frame = pd.DataFrame(columns=list(RESULT_KEYS))
    assert write_results_json(frame, tmp_path / "r.json").read_text(encoding="utf-8") == "[]\n"
    assert write_results_csv(frame, tmp_path / "r.csv").read_bytes() == plain_csv([], tmp_path / "p.csv")


TEXT = st.one_of(st.none(), st.sampled_from(["南峪乡", "大川镇", "", "a,b", '"q"', "=1", "-"]), st.text(max_size=4))
SCORE = st.one_of(st.none(), st.just(float("nan")), st.just(-0.0), st.floats(-1e6, 1e6),
                  st.integers(0, 10_000).map(lambda c: c / 100), st.sampled_from([74.995, 59.995, 0.125]))
RANK = st.one_of(st.none(), st.integers(1, 4))
FLAGS = st.one_of(st.just(()), st.lists(st.sampled_from(["veto", "no_ballots", "a,b"]), max_size=2).map(tuple))
ROLE_VALUE = st.one_of(st.none(), st.just(float("nan")),
                       st.fixed_dictionaries({k: st.integers(0, 10_000).map(lambda c: c / 100) for k in DUTY_KEYS}))


@st.composite
def frames(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 8))
    rows = []
    for _ in range(n):
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
def test_any_frame_exports_like_the_row_by_row_path(tmp_path, frame):
    """For random frames (ties, nulls, NaN, -0.0, halves, hostile text) JSON, CSV and records agree."""
    plain = plain_records(frame)
    assert repr(results_records(frame)) == repr(plain)
    expected = json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    assert write_results_json(frame, tmp_path / "r.json").read_text(encoding="utf-8") == expected
    assert write_results_csv(frame, tmp_path / "f.csv").read_bytes() == plain_csv(plain, tmp_path / "p.csv")


def test_engine_results_frame_exports_like_the_row_by_row_path(tmp_path):
    """A frame shaped like the engine's (str columns, tuple flags, roles dicts, cents floats) agrees too."""
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
    plain = plain_records(frame)
    assert repr(results_records(frame)) == repr(plain)
    expected = json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    assert write_results_json(frame, tmp_path / "r.json").read_text(encoding="utf-8") == expected
    assert write_results_csv(frame, tmp_path / "f.csv").read_bytes() == plain_csv(plain, tmp_path / "p.csv")


def test_roles_of_other_mapping_types_take_the_row_path(tmp_path):
    """Roles given as an OrderedDict or a partial dict are converted per row and export the same text."""
    frame = tricky_frame()
    frame["roles"] = [OrderedDict(info=1.005), None, {"unity": 2.5}, float("nan"), dict(ROLES), "x", None]
    plain = plain_records(frame)
    assert repr(results_records(frame)) == repr(plain)
    expected = json.dumps(plain, ensure_ascii=False, indent=2) + "\n"
    assert write_results_json(frame, tmp_path / "r.json").read_text(encoding="utf-8") == expected
    assert write_results_csv(frame, tmp_path / "f.csv").read_bytes() == plain_csv(plain, tmp_path / "p.csv")
    # 1.005 rounds half up to 1.01 (rounded from its shortest repr "1.005"); a str is no mapping: null.
    by_code = {r["code"]: r for r in plain}
    assert by_code["H002"]["roles"] == {"info": 1.01, **{k: None for k in DUTY_KEYS[1:]}}
    assert by_code["H000"]["roles"] is None  # roles "x"
