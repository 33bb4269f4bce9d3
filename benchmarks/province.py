"""Province-scale benchmark of the scoring engine.

Builds a synthetic year with a fixed seed (vectorised numpy): 300,000 leaders (75 counties of
4,000: 20 townships x 10 villages x 4 grids x (1 网格长 + 4 联户长)), 20 ballot marks, 20
committee rows (4 quarters x 5 members) and 12 platform months per leader, so 6,000,000 +
6,000,000 + 3,600,000 rows; all scale with --leaders. It reports, in one run:

1. engine: the full path of a caller holding RAW frames (inputs_from_raw: committee_aggregates,
   mass_counts, platform_totals and adjustment_totals side by side; then score_year), wall and
   CPU time and peak RSS, with the engine's threads (dashboard.scoring.parallel; LIANHU_THREADS=1
   measures it on one core);
2. duckdb: the same aggregations as ONE hand-written DuckDB SQL query on the same frames
   (committee trimmed per quarter and duty from sum/min/max/count, mass counts per mark,
   platform totals, adjustment totals), timed the same way; and the ratio engine/duckdb — the
   same comparison again on a smaller year (--also-leaders, default 100,000);
3. assess: the year bulk-loaded into an embedded SQLite file (load time reported, not part
   of the target), then ``python -m dashboard assess --year Y --db sqlite:///... --out x.json``
   timed as a subprocess; the same at county size (4,000 leaders).

Peak memory: the peak resident set size (VmHWM, covers numpy/pandas allocations) of this
process during the step, after resetting the high-water mark with /proc/self/clear_refs;
the RSS already held before the step (the input frames) is printed next to it. For the
assess subprocess: its own VmHWM, reset at its start and printed at its exit.

Run: ``.venv/bin/python benchmarks/province.py [--leaders N] [--repeat R] [--skip-sqlite]``.
duckdb is a benchmark-only dependency (the ``bench`` extra). The last line printed is
``ratio engine/duckdb: R`` (best engine time / best duckdb time at --leaders), the line before it
the ratio at --also-leaders.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from dashboard.domain import (  # noqa: E402
    ABSTAIN,
    ACTIVE,
    BONUS,
    DEDUCTION,
    DUTY_KEYS,
    GRADES,
    GRID_LEADER,
    HOUSEHOLD_LEADER,
    RETIRED,
    VETO,
)
from dashboard.scoring import inputs_from_raw, score_year  # noqa: E402
from dashboard.scoring.scheme import Scheme  # noqa: E402

YEAR = 2024
SEED = 20241231
TOWNSHIPS, VILLAGES, GRIDS, GROUPS = 20, 10, 4, 4
PER_GRID = 1 + GROUPS
PER_COUNTY = TOWNSHIPS * VILLAGES * GRIDS * PER_GRID  # 4,000
QUARTERS, RATERS = 4, 5
BALLOTS_PER_LEADER = 20
MONTHS = 12
MARKS = (*GRADES, ABSTAIN)
COUNTY_LEADERS = 4_000


# --- the synthetic year ---------------------------------------------------------------------


def _labels(prefix: str, values: np.ndarray, suffix: str) -> np.ndarray:
    """prefix + value + suffix for an int array, built once per distinct value."""
    uniq, inverse = np.unique(values, return_inverse=True)
    names = np.array([f"{prefix}{v + 1}{suffix}" for v in uniq.tolist()], dtype=object)
    return names[inverse]


def build_year(n: int, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The synthetic year as raw frames (the rows a caller or the database holds)."""
    rng = np.random.default_rng(seed)
    i = np.arange(n, dtype=np.int64)
    leader_id = i + 1
    county, r = np.divmod(i, PER_COUNTY)
    township = r // (VILLAGES * GRIDS * PER_GRID)
    village = (r // (GRIDS * PER_GRID)) % VILLAGES
    grid = (r // PER_GRID) % GRIDS
    slot = r % PER_GRID  # 0: 网格长, 1..4: 联户长 of group slot
    is_grid = slot == 0
    code = np.array(
        [
            (f"G{c:03d}{t:02d}{v}{g}" if s == 0 else f"H{c:03d}{t:02d}{v}{g}{s}")
            for c, t, v, g, s in zip(
                county.tolist(), township.tolist(), village.tolist(), grid.tolist(), slot.tolist(), strict=True
            )
        ],
        dtype=object,
    )
    # Appointed 2010–2023, 3 % during the assessment year (part-year platform target).
    days = rng.integers(0, 14 * 365, n)
    appointed = pd.Timestamp(2010, 1, 1) + pd.to_timedelta(days, unit="D")
    in_year = rng.random(n) < 0.03
    months_in = rng.integers(1, 13, n)
    appointed = np.where(
        in_year, pd.to_datetime({"year": YEAR, "month": months_in, "day": 1}).to_numpy(), appointed.to_numpy()
    )
    status = np.where(rng.random(n) < 0.01, RETIRED, ACTIVE).astype(object)
    leaders = pd.DataFrame(
        {
            "leader_id": leader_id,
            "code": code,
            "name": np.char.add("人员", (i + 1).astype(str)).astype(object),
            "role": np.where(is_grid, GRID_LEADER, HOUSEHOLD_LEADER).astype(object),
            "county": _labels("第", county, "县"),
            "township": _labels("第", township, "乡"),
            "village": _labels("第", village, "村"),
            "grid": _labels("第", grid, "网格"),
            "group": np.where(is_grid, None, _labels("第", slot - 1, "联防组")),
            "appointed_on": appointed.astype("datetime64[ns]"),
            "status": status,
        }
    )
    leaders["gender"] = np.where(i % 2 == 0, "男", "女").astype(object)

    role_max = Scheme.default().role_max
    # Self-reports: 98 % of leaders, whole points 60–100.
    has_self = rng.random(n) < 0.98
    self_scores = pd.DataFrame({"leader_id": leader_id[has_self]})
    for d in DUTY_KEYS:
        self_scores[d] = rng.integers(60, 101, int(has_self.sum())).astype("float64")

    # Committee: per quarter sheet, per member, every leader (rows ordered as entered).
    rows = QUARTERS * RATERS * n
    q_idx, rest = np.divmod(np.arange(rows, dtype=np.int64), RATERS * n)
    rater_idx, pos = np.divmod(rest, n)
    level = rng.uniform(0.55, 1.0, n)[pos]  # each leader has a level, members scatter around it
    committee = pd.DataFrame(
        {
            "leader_id": leader_id[pos],
            "quarter": (q_idx + 1).astype("int64"),
            "rater": pd.Categorical.from_codes(rater_idx, [f"委员{k + 1}" for k in range(RATERS)]),
        }
    )
    for d in DUTY_KEYS:
        top = float(role_max[d])
        score = np.clip(level + rng.normal(0.0, 0.08, rows), 0.0, 1.0) * top
        committee[d] = np.round(score * 2) / 2  # half points

    # Ballots: 20 marks per leader; 2 % of leaders are weak (many 不称职: mass veto).
    weak = rng.random(n) < 0.02
    cdf_good = np.cumsum([0.45, 0.35, 0.10, 0.04, 0.06])
    cdf_weak = np.cumsum([0.05, 0.15, 0.25, 0.50, 0.05])
    bpos = np.repeat(np.arange(n), BALLOTS_PER_LEADER)
    u = rng.random(bpos.size)
    mark_code = np.where(weak[bpos], np.searchsorted(cdf_weak, u), np.searchsorted(cdf_good, u))
    mark_code = np.minimum(mark_code, len(MARKS) - 1).astype("int8")
    ballots = pd.DataFrame(
        {
            "leader_id": leader_id[bpos],
            "ballot": np.tile(np.arange(BALLOTS_PER_LEADER, dtype=np.int16), n),
            "mark": pd.Categorical.from_codes(mark_code, list(MARKS)),
        }
    )

    # Platform: 12 months per leader.
    ppos = np.repeat(np.arange(n), MONTHS)
    platform_rows = pd.DataFrame(
        {
            "leader_id": leader_id[ppos],
            "month": np.tile(np.arange(1, MONTHS + 1, dtype=np.int64), n),
            "reports": rng.poisson(2.2, ppos.size).astype("int64"),
        }
    )

    # Adjustments: 6 % a bonus, 4 % a deduction, 0.3 % a veto.
    parts = []
    for kind, share in ((BONUS, 0.06), (DEDUCTION, 0.04), (VETO, 0.003)):
        who = leader_id[rng.random(n) < share]
        points = np.full(who.size, np.nan) if kind == VETO else rng.integers(1, 11, who.size) / 2
        parts.append(pd.DataFrame({"leader_id": who, "kind": kind, "points": points}))
    adjustments = pd.concat(parts, ignore_index=True)
    adjustments["kind"] = adjustments["kind"].astype(pd.CategoricalDtype([BONUS, DEDUCTION, VETO]))

    prev_code = np.searchsorted(np.cumsum([0.2, 0.65, 0.12, 0.03]), rng.random(n))
    previous = pd.DataFrame({"leader_id": leader_id, "grade": np.array(GRADES, dtype=object)[np.minimum(prev_code, 3)]})
    return {
        "leaders": leaders,
        "self_scores": self_scores,
        "committee": committee,
        "ballots": ballots,
        "platform": platform_rows,
        "adjustments": adjustments,
        "previous_grades": previous,
    }


# --- the two measured steps -----------------------------------------------------------------

ENGINE_LEADER_COLUMNS = (
    "leader_id", "code", "name", "role", "county", "township", "village", "grid", "group", "appointed_on", "status",
)


def engine_step(year: dict[str, pd.DataFrame], scheme: Scheme):
    """A caller with raw frames: raw → aggregates (dashboard.scoring.inputs_from_raw) → score_year."""
    inputs = inputs_from_raw(
        YEAR,
        year["leaders"][list(ENGINE_LEADER_COLUMNS)],
        committee_rows=year["committee"],
        ballots=year["ballots"],
        platform_rows=year["platform"],
        adjustment_rows=year["adjustments"],
        self_scores=year["self_scores"],
        previous_grades=year["previous_grades"],
    )
    return score_year(inputs, scheme)


def duckdb_sql(trim_min_raters: int) -> str:
    """ONE query: committee trimmed per quarter and duty, mass counts, platform and adjustment totals."""
    per_q = ",\n    ".join(
        f"sum({d}) AS {d}_sum, min({d}) AS {d}_min, max({d}) AS {d}_max" for d in DUTY_KEYS
    )
    trimmed = ",\n    ".join(
        f"sum(CASE WHEN n >= {trim_min_raters} THEN ({d}_sum - {d}_min - {d}_max) / (n - 2) "
        f"ELSE {d}_sum / n END) AS {d}" for d in DUTY_KEYS
    )
    marks = ",\n    ".join(f"count(*) FILTER (WHERE mark = '{m}') AS \"{m}\"" for m in MARKS)
    return f"""
WITH cq AS (
  SELECT leader_id, quarter, count(*) AS n,
    {per_q}
  FROM committee WHERE quarter BETWEEN 1 AND 4
  GROUP BY leader_id, quarter
), c AS (
  SELECT leader_id, count(*) AS quarters,
    {trimmed}
  FROM cq GROUP BY leader_id
), m AS (
  SELECT leader_id,
    {marks}
  FROM ballots GROUP BY leader_id
), p AS (
  SELECT leader_id, sum(reports) AS reports FROM platform GROUP BY leader_id
), a AS (
  SELECT leader_id,
    coalesce(sum(points) FILTER (WHERE kind = '{BONUS}'), 0) AS bonus_total,
    coalesce(sum(points) FILTER (WHERE kind = '{DEDUCTION}'), 0) AS deduction_total,
    count(*) FILTER (WHERE kind = '{VETO}') AS veto_count
  FROM adjustments GROUP BY leader_id
)
SELECT l.leader_id, c.* EXCLUDE (leader_id), m.* EXCLUDE (leader_id), p.reports, a.* EXCLUDE (leader_id)
FROM leaders AS l
LEFT JOIN c USING (leader_id) LEFT JOIN m USING (leader_id)
LEFT JOIN p USING (leader_id) LEFT JOIN a USING (leader_id)
"""


def duckdb_step(con, sql: str) -> pd.DataFrame:
    return con.execute(sql).df()


# --- measuring ------------------------------------------------------------------------------


def _rss_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # reset the peak RSS (VmHWM) to the current RSS (Linux ≥ 4.0)
        return True
    except OSError:
        return False


def measure(fn: Callable[[], object]) -> dict[str, float]:
    """Wall time, CPU time, RSS before and peak RSS during one call (MB)."""
    reset = _reset_peak()
    before = _rss_kb("VmRSS") or 0
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _rss_kb("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del out
    return {"wall": wall, "cpu": cpu, "rss_before": before / 1024, "peak": (peak or 0) / 1024}


def summary(label: str, runs: list[dict[str, float]]) -> str:
    walls = [r["wall"] for r in runs]
    best = min(runs, key=lambda r: r["wall"])
    peak = max(r["peak"] for r in runs)
    return (
        f"{label}: best {best['wall']:.2f} s wall ({best['cpu']:.2f} s CPU), median {statistics.median(walls):.2f} s "
        f"over {len(runs)} runs; peak RSS {peak:,.0f} MB (held before the step {best['rss_before']:,.0f} MB, "
        f"step adds ≤ {peak - best['rss_before']:,.0f} MB)"
    )


def load_avg() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024**2:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    import duckdb

    return (
        f"machine: {cpu}, {os.cpu_count()} cores, RAM {mem}; Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}, duckdb {duckdb.__version__}"
    )


# --- the embedded database ------------------------------------------------------------------


def _executemany(con: sqlite3.Connection, sql: str, columns: list, batch: int = 250_000) -> None:
    total = len(columns[0])
    for start in range(0, total, batch):
        stop = min(start + batch, total)
        con.executemany(sql, zip(*(c[start:stop] for c in columns), strict=True))


def load_sqlite(path: Path, year: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Create the schema (migrations), then bulk-insert the year with sqlite3.executemany."""
    from dashboard.data.db import make_engine
    from dashboard.data.migrate import upgrade

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    leaders = year["leaders"]
    n = len(leaders)
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-400000")
    con.execute("BEGIN")
    con.execute(
        "INSERT INTO assessment_year (year, scheme_json, status, revision) VALUES (?, ?, '录入中', 0)",
        (YEAR, Scheme.default().to_json()),
    )
    # Region tree: ids by position, names unique within the parent.
    idx = np.arange(n)
    county, r = np.divmod(idx, PER_COUNTY)
    t_id = county * TOWNSHIPS + r // (VILLAGES * GRIDS * PER_GRID)
    v_id = t_id * VILLAGES + (r // (GRIDS * PER_GRID)) % VILLAGES
    g_id = v_id * GRIDS + (r // PER_GRID) % GRIDS
    slot = r % PER_GRID
    grp_id = g_id * GROUPS + (slot - 1)
    first = lambda ids: np.unique(ids, return_index=True)  # noqa: E731
    c_u, c_i = first(county)
    con.executemany("INSERT INTO county (id, name) VALUES (?, ?)",
                    zip((c_u + 1).tolist(), leaders["county"].to_numpy()[c_i].tolist(), strict=True))
    for table, parent, ids, parent_ids, names in (
        ("township", "county_id", t_id, county, leaders["township"]),
        ("village", "township_id", v_id, t_id, leaders["village"]),
        ("grid", "village_id", g_id, v_id, leaders["grid"]),
    ):
        u, at = first(ids)
        con.executemany(f"INSERT INTO {table} (id, {parent}, name) VALUES (?, ?, ?)",
                        zip((u + 1).tolist(), (parent_ids[at] + 1).tolist(), names.to_numpy()[at].tolist(), strict=True))
    hh = slot > 0
    u, at = first(grp_id[hh])
    con.executemany("INSERT INTO defense_group (id, grid_id, name) VALUES (?, ?, ?)",
                    zip((u + 1).tolist(), (g_id[hh][at] + 1).tolist(), leaders["group"].to_numpy()[hh][at].tolist(),
                        strict=True))
    _executemany(
        con,
        "INSERT INTO leader (id, code, name, gender, role, appointed_on, status, grid_id, group_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            leaders["leader_id"].tolist(), leaders["code"].tolist(), leaders["name"].tolist(),
            leaders["gender"].tolist(), leaders["role"].tolist(),
            pd.to_datetime(leaders["appointed_on"]).dt.strftime("%Y-%m-%d").tolist(), leaders["status"].tolist(),
            (g_id + 1).tolist(), [g if g > 0 else None for g in np.where(hh, grp_id + 1, 0).tolist()],
        ],
    )
    s = year["self_scores"]
    _executemany(
        con,
        f"INSERT INTO self_report (year, leader_id, version, {', '.join(DUTY_KEYS)}) VALUES (?, ?, 1, {', '.join('?' * 7)})",
        [[YEAR] * len(s), s["leader_id"].tolist(), *(s[d].tolist() for d in DUTY_KEYS)],
    )
    # Committee rows in leader order (as an import writes them, sheet by sheet per village).
    c = year["committee"].sort_values(["leader_id", "quarter", "rater"], kind="stable")
    _executemany(
        con,
        f"INSERT INTO committee_score (year, quarter, rater, leader_id, version, {', '.join(DUTY_KEYS)}) "
        f"VALUES (?, ?, ?, ?, 1, {', '.join('?' * 7)})",
        [[YEAR] * len(c), c["quarter"].tolist(), c["rater"].astype(str).tolist(), c["leader_id"].tolist(),
         *(c[d].tolist() for d in DUTY_KEYS)],
    )
    del c
    b = year["ballots"]
    ballot_no = (pd.Series(b["leader_id"].to_numpy() // PER_GRID).astype(str) + "-"
                 + pd.Series(b["ballot"].to_numpy()).astype(str)).tolist()
    _executemany(
        con,
        "INSERT INTO ballot_mark (year, ballot_no, rater_type, leader_id, mark) VALUES (?, ?, '群众代表', ?, ?)",
        [[YEAR] * len(b), ballot_no, b["leader_id"].tolist(), b["mark"].astype(str).tolist()],
    )
    del ballot_no
    p = year["platform"]
    _executemany(
        con,
        "INSERT INTO platform_count (year, leader_id, month, reports) VALUES (?, ?, ?, ?)",
        [[YEAR] * len(p), p["leader_id"].tolist(), p["month"].tolist(), p["reports"].tolist()],
    )
    a = year["adjustments"]
    points = [None if np.isnan(v) else v for v in a["points"].tolist()]
    _executemany(
        con,
        "INSERT INTO adjustment (year, leader_id, kind, points, reason) VALUES (?, ?, ?, ?, '考核调整')",
        [[YEAR] * len(a), a["leader_id"].tolist(), a["kind"].astype(str).tolist(), points],
    )
    g = year["previous_grades"]
    _executemany(con, "INSERT INTO prior_grade (leader_id, year, grade) VALUES (?, ?, ?)",
                 [g["leader_id"].tolist(), [YEAR - 1] * len(g), g["grade"].tolist()])
    con.execute("COMMIT")
    con.execute("ANALYZE")
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("leader", "committee_score", "ballot_mark", "platform_count", "adjustment")}
    con.close()
    return counts


# `python -m dashboard ARGS`, but resetting the peak RSS at start and printing the process's own
# VmHWM to stderr at exit.
_PEAK_REPORTING_MAIN = """
import atexit, runpy, sys
with open('/proc/self/clear_refs', 'w') as fh:
    fh.write('5')
def _peak():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM:'):
            sys.stderr.write('PEAK_KB ' + line.split()[1] + chr(10))
atexit.register(_peak)
sys.argv = ['dashboard', *sys.argv[1:]]
runpy.run_module('dashboard', run_name='__main__', alter_sys=True)
"""


def time_assess(db: Path, out: Path, repeat: int) -> list[dict[str, float]]:
    """`python -m dashboard assess --year Y --db sqlite:///… --out x.json` as a subprocess."""
    args = ["assess", "--year", str(YEAR), "--db", f"sqlite:///{db}", "--out", str(out)]
    cmd = [sys.executable, "-c", _PEAK_REPORTING_MAIN, *args]
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time and peak RSS
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            err.seek(0)
            stderr = err.read().decode(errors="replace")
            if proc.returncode != 0:
                raise SystemExit(f"assess failed ({proc.returncode}): {stderr[-2000:]}")
        peaks = [int(line.split()[1]) for line in stderr.splitlines() if line.startswith("PEAK_KB ")]
        runs.append({
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "rss_before": 0.0,
            # The child's own VmHWM: ru_maxrss would include the high-water mark that a forked
            # child inherits from this (multi-GB) benchmark process.
            "peak": (peaks[-1] if peaks else usage.ru_maxrss) / 1024,
        })
    return runs


def assess_at(n: int, tmp: Path, repeat: int, label: str, year: dict[str, pd.DataFrame] | None = None) -> None:
    year = year if year is not None else build_year(n)
    db = tmp / f"{label}.db"
    t0 = time.perf_counter()
    counts = load_sqlite(db, year)
    print(f"[{label}] SQLite bulk load (not part of the target): {time.perf_counter() - t0:.1f} s, "
          f"{db.stat().st_size / 1e6:,.0f} MB, rows {counts}", flush=True)
    del year
    runs = time_assess(db, tmp / f"{label}.json", repeat)
    print(summary(f"[{label}] assess end to end (subprocess: start, SQL load, score, write JSON)", runs)
          + f"; load average {load_avg()}", flush=True)


# --- main -----------------------------------------------------------------------------------


def compare(year: dict[str, pd.DataFrame], scheme: Scheme, repeat: int, label: str):
    """Check that the engine and DuckDB agree, then time each `repeat` times on the same frames."""
    import duckdb

    con = duckdb.connect()
    for name in ("leaders", "committee", "ballots", "platform", "adjustments"):
        con.register(name, year[name])
    sql = duckdb_sql(scheme.committee_trim_min_raters)
    result = engine_step(year, scheme).results.set_index("leader_id")
    check = duckdb_step(con, sql).set_index("leader_id").loc[result.index]
    total_max = float(sum(scheme.role_max.values()))
    committee_sql = (check[list(DUTY_KEYS)].sum(axis=1) / check["quarters"] * 100 / total_max).to_numpy()
    assert np.allclose(result["committee"].to_numpy(), committee_sql, atol=0.0051), "committee points differ"
    for m in MARKS:
        assert (result[f"marks_{m}"].to_numpy() == check[m].fillna(0).to_numpy()).all(), f"mass counts {m} differ"
    assert (result["reports"].to_numpy() == check["reports"].fillna(0).to_numpy()).all(), "platform totals differ"
    print(f"[{label}] check: engine and DuckDB agree on committee points, mass counts and platform totals "
          f"for {len(result):,} assessed leaders", flush=True)
    del result, check

    engine_runs = [measure(lambda: engine_step(year, scheme)) for _ in range(repeat)]
    print(summary(f"[{label}] engine (raw frames → aggregates → score_year)", engine_runs)
          + f"; load average {load_avg()}", flush=True)
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    duck_runs = [measure(lambda: duckdb_step(con, sql)) for _ in range(repeat)]
    print(summary(f"[{label}] duckdb (one SQL query, {threads} threads)", duck_runs)
          + f"; load average {load_avg()}", flush=True)
    con.close()
    print(f"[{label}] ratio engine/duckdb: {best_ratio(engine_runs, duck_runs):.2f}", flush=True)
    return engine_runs, duck_runs


def best_ratio(engine_runs: list[dict[str, float]], duck_runs: list[dict[str, float]]) -> float:
    return min(r["wall"] for r in engine_runs) / min(r["wall"] for r in duck_runs)



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--leaders", type=int, default=300_000, help="leaders (default 300,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measured step (default 3)")
    parser.add_argument("--skip-sqlite", action="store_true", help="skip the embedded-database part")
    parser.add_argument("--also-leaders", type=int, default=100_000,
                        help="also compare engine and DuckDB at this size (default 100,000; 0: skip)")
    args = parser.parse_args()

    print(machine(), flush=True)
    print(f"load average at start: {load_avg()}", flush=True)
    scheme = Scheme.default()
    t0 = time.perf_counter()
    year = build_year(args.leaders)
    sizes = {k: len(v) for k, v in year.items()}
    print(f"built synthetic year in {time.perf_counter() - t0:.1f} s: {sizes}", flush=True)

    engine_runs, duck_runs = compare(year, scheme, args.repeat, f"{args.leaders:,} leaders")
    ratios = {args.leaders: best_ratio(engine_runs, duck_runs)}
    if 0 < args.also_leaders != args.leaders:
        smaller = build_year(args.also_leaders)
        e_runs, d_runs = compare(smaller, scheme, args.repeat, f"{args.also_leaders:,} leaders")
        ratios[args.also_leaders] = best_ratio(e_runs, d_runs)
        del smaller

    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="province-bench-") as tmp:
            assess_at(args.leaders, Path(tmp), args.repeat, f"{args.leaders} leaders", year)
            del year
            assess_at(COUNTY_LEADERS, Path(tmp), max(args.repeat, 3), f"county {COUNTY_LEADERS} leaders")
    print(f"load average at end: {load_avg()}")
    for n, ratio in sorted(ratios.items()):
        if n != args.leaders:
            print(f"ratio engine/duckdb at {n:,} leaders: {ratio:.2f}")
    print(f"ratio engine/duckdb: {ratios[args.leaders]:.2f}")


if __name__ == "__main__":
    main()
