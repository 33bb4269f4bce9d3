"""Time reading, validating and importing a county-sized data workbook into SQLite.

4,000 leaders (800 网格长, 3,200 联户长 in 20 townships), 80,000 ballot marks, committee
sheets (4 quarters x 5 members x 4,000 leaders = 80,000 rows), 48,000 platform counts and
4,000 self-reports. Run: ``.venv/bin/python benchmarks/import_county.py [--db URL]``.
Not part of the test suite; prints the timings.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402

from dashboard.data.db import make_engine  # noqa: E402
from dashboard.data.migrate import upgrade  # noqa: E402
from dashboard.data.workbook import (  # noqa: E402
    BALLOTS,
    COMMITTEE,
    PLATFORM,
    ROSTER,
    SELF_REPORT,
    SHEETS,
    import_workbook,
    parse_workbook,
    read_workbook,
)
from dashboard.domain import DUTIES  # noqa: E402
from dashboard.scoring.scheme import Scheme  # noqa: E402

TOWNSHIPS, VILLAGES, GRIDS, GROUPS = 20, 10, 4, 4  # 800 grids, 3,200 groups
BALLOTS_PER_LEADER = 20
RATERS = 5


def build(path: Path, seed: int = 7) -> dict[str, int]:
    """Write the county workbook with openpyxl's write-only mode; returns rows per sheet."""
    rng = random.Random(seed)
    role_max = Scheme.default().role_max
    book = Workbook(write_only=True)
    sheets = {name: book.create_sheet(name) for name in (ROSTER, SELF_REPORT, COMMITTEE, BALLOTS, PLATFORM)}
    for name, ws in sheets.items():
        ws.append(list(SHEETS[name].columns))
    counts = dict.fromkeys(sheets, 0)

    def put(name, row):
        sheets[name].append([row.get(c) for c in SHEETS[name].columns])
        counts[name] += 1

    leaders = []
    for t in range(TOWNSHIPS):
        for v in range(VILLAGES):
            for g in range(GRIDS):
                place = {"乡镇": f"第{t + 1}乡", "村": f"第{v + 1}村", "网格": f"第{g + 1}网格"}
                leaders.append((f"G{t:02d}{v:02d}{g}", "网格长", None, place))
                for h in range(GROUPS):
                    leaders.append((f"H{t:02d}{v:02d}{g}{h}", "联户长", f"第{h + 1}联防组", place))
    for i, (code, role, group, place) in enumerate(leaders):
        name = f"人员{i:04d}"
        put(ROSTER, {"编号": code, "姓名": name, "性别": "男女"[i % 2], "职务": role, "联防组": group,
                     "任职日期": date(2020, 1 + i % 12, 1), "状态": "在任", **place})
        put(SELF_REPORT, {"编号": code, "姓名": name, **{c: rng.randint(60, 100) for c in DUTIES.values()}})
        for q in range(1, 5):
            for r in range(RATERS):
                put(COMMITTEE, {"季度": q, "评分人": f"委员{r}", "编号": code, "姓名": name,
                                **{c: round(role_max[k] * rng.uniform(0.6, 1.0) * 2) / 2 for k, c in DUTIES.items()}})
        for b in range(BALLOTS_PER_LEADER):
            put(BALLOTS, {"票号": f"{code[:6]}-{b:03d}", "评议人类别": "群众代表", "编号": code, "姓名": name,
                          "评价": rng.choice(["优秀", "称职", "称职", "基本称职", "不称职", "弃权"])})
        for m in range(1, 13):
            put(PLATFORM, {"编号": code, "姓名": name, "月份": m, "上报数": rng.randint(0, 8)})
    book.save(path)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "county.xlsx"
        t0 = time.perf_counter()
        counts = build(path)
        print(f"built workbook: {counts} in {time.perf_counter() - t0:.1f} s ({path.stat().st_size / 1e6:.1f} MB)")

        # CPU time next to wall time: on a shared machine the wall clock also measures the neighbours.
        t0, c0 = time.perf_counter(), time.process_time()
        raw = read_workbook(path)
        print(f"read: {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU")
        t0, c0 = time.perf_counter(), time.process_time()
        parsed = parse_workbook(raw, year=2024, role_max=Scheme.default().role_max, known_names={})
        print(f"validate: {time.perf_counter() - t0:.2f} s wall, {time.process_time() - c0:.2f} s CPU")
        assert not parsed.errors, parsed.errors[:5]

        url = args.db or f"sqlite:///{Path(tmp) / 'county.db'}"
        engine = make_engine(url)
        upgrade(engine)
        for label in ("first import (empty database)", "re-import (replaces everything)"):
            t0, c0 = time.perf_counter(), time.process_time()
            report = import_workbook(engine=engine, source=path, year=2024)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(f"{label}: {wall:.2f} s wall, {cpu:.2f} s CPU end to end (read + validate + write), counts {report.counts}")
        engine.dispose()


if __name__ == "__main__":
    main()
