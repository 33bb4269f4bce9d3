"""The engine's side-by-side steps: run_all's order and errors, the thread setting, and results the
same to the cent with one thread or several (raw aggregation and score_year)."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from functools import partial

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from scoring_builders import YearBuilder, duties
from test_scoring_properties import schemes, years

from dashboard.domain import BONUS, DEDUCTION, DUTY_KEYS, GRADES, VETO
from dashboard.scoring import (
    adjustment_totals,
    committee_aggregates,
    inputs_from_raw,
    mass_counts,
    platform_totals,
    score_year,
)
from dashboard.scoring.parallel import MAX_WORKERS, run_all, workers
from dashboard.scoring.scheme import Scheme

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def threads(count: int):
    """LIANHU_THREADS set to `count` for the block, the previous value restored after."""
    before = os.environ.get("LIANHU_THREADS")
    os.environ["LIANHU_THREADS"] = str(count)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("LIANHU_THREADS", None)
        else:
            os.environ["LIANHU_THREADS"] = before


def test_run_all_returns_results_in_the_order_given():
    """The slowest call first: its result still comes first, and every call ran on a pool thread."""
    names = []

    def call(index: int, pause: float) -> int:
        time.sleep(pause)
        names.append(threading.current_thread().name)
        return index * 10

    with threads(3):
        got = run_all([partial(call, 0, 0.05), partial(call, 1, 0.0), partial(call, 2, 0.01)])
    assert got == [0, 10, 20]
    assert len(names) == 3 and all(name.startswith("engine") for name in names)


def test_run_all_raises_the_error_after_every_call_finished():
    """A failing call's error reaches the caller; the other two calls have still run to the end."""
    finished = []

    def fail() -> None:
        raise ValueError("第 2 步失败")

    def slow() -> None:
        time.sleep(0.05)
        finished.append("slow")

    with threads(2), pytest.raises(ValueError, match="第 2 步失败"):
        run_all([slow, fail, lambda: finished.append("quick")])
    assert sorted(finished) == ["quick", "slow"]


def test_workers_follow_the_setting_and_default_to_the_cores():
    """LIANHU_THREADS=3 → 3; 0 or text → the cores this process may use, at most MAX_WORKERS."""
    cores = len(os.sched_getaffinity(0))
    with threads(3):
        assert workers() == 3
    for bad in ("0", "abc"):
        with threads(bad):
            assert workers() == max(1, min(MAX_WORKERS, cores))


def test_one_thread_calls_in_place():
    """With one thread the calls run on the caller's own thread, in order."""
    seen = []
    with threads(1):
        run_all([lambda: seen.append(threading.current_thread()), lambda: seen.append(threading.current_thread())])
    assert seen == [threading.current_thread()] * 2


def test_inputs_from_raw_worked_example():
    """Two leaders: committee 10/12/14 → n 3, sum 36, min 10, max 14; marks 2 优秀 + 1 弃权; reports 2+3+4 = 9;
    bonus 1.5, deduction 0.5, one veto; no platform rows given → platform not in use."""
    leaders = YearBuilder()
    a = leaders.leader("A")
    b = leaders.leader("B")
    leaders_frame = pd.DataFrame(leaders.leaders)
    committee = pd.DataFrame(
        [{"leader_id": a, "quarter": 1, "rater": r, **duties(v, 5, 5, 5, 5, 5, 5)} for r, v in (("甲", 10), ("乙", 12), ("丙", 14))]
    )
    ballots = pd.DataFrame({"leader_id": [a, a, a], "mark": [GRADES[0], GRADES[0], "弃权"]})
    platform = pd.DataFrame({"leader_id": [b, b, b], "month": [1, 2, 3], "reports": [2, 3, 4]})
    adjustments = pd.DataFrame({"leader_id": [b, b, b], "kind": [BONUS, DEDUCTION, VETO], "points": [1.5, 0.5, None]})

    with threads(2):
        got = inputs_from_raw(2024, leaders_frame, committee_rows=committee, ballots=ballots,
                              platform_rows=platform, adjustment_rows=adjustments)
    row = got.committee.iloc[0]
    assert (row["leader_id"], row["quarter"], row["n"]) == (a, 1, 3)
    assert (row["info_sum"], row["info_min"], row["info_max"]) == (36.0, 10.0, 14.0)
    assert got.mass.set_index("leader_id").loc[a, [GRADES[0], "弃权"]].tolist() == [2, 1]
    assert got.platform.set_index("leader_id").loc[b, "reports"] == 9
    adj = got.adjustments.set_index("leader_id").loc[b]
    assert (adj["bonus_total"], adj["deduction_total"], adj["veto_count"]) == (1.5, 0.5, 1)
    assert got.uses_platform
    without = inputs_from_raw(2024, leaders_frame, committee_rows=committee)
    assert not without.uses_platform and without.mass.empty and without.self_scores.empty


def _raw_year(n: int, seed: int) -> dict[str, pd.DataFrame]:
    """A random year in raw rows, shuffled, with gaps: some leaders lack sheets, marks or months."""
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n + 1) * 7  # sparse ids, as after deletions
    villages = rng.integers(0, max(n // 20, 1), n)
    leaders = pd.DataFrame(
        {
            "leader_id": ids,
            "code": [f"H{i:06d}" for i in rng.permutation(n)],
            "name": [f"人员{i}" for i in range(n)],
            "role": np.where(rng.random(n) < 0.2, "网格长", "联户长"),
            "county": "舟曲县",
            "township": np.where(villages % 3 == 0, "南峪乡", "大川镇"),
            "village": [f"村{v}" for v in villages],
            "grid": "一网格",
            "group": "一组",
            "appointed_on": pd.Timestamp(2020, 1, 1) + pd.to_timedelta(rng.integers(0, 5 * 365, n), unit="D"),
            "status": np.where(rng.random(n) < 0.03, "离任", "在任"),
        }
    )
    rows = int(n * 12)
    committee = pd.DataFrame(
        {
            "leader_id": rng.choice(ids, rows),
            "quarter": rng.integers(1, 5, rows),
            "rater": rng.integers(0, 6, rows).astype(str),
            **{d: rng.integers(0, 1001, rows) / 100 for d in DUTY_KEYS},
        }
    )
    marks = np.array([*GRADES, "弃权"], dtype=object)
    ballots = pd.DataFrame({"leader_id": rng.choice(ids, n * 15), "mark": marks[rng.integers(0, 5, n * 15)]})
    platform = pd.DataFrame({"leader_id": rng.choice(ids, n * 6), "month": rng.integers(1, 13, n * 6),
                             "reports": rng.poisson(2.0, n * 6)})
    kinds = np.array([BONUS, DEDUCTION, VETO], dtype=object)[rng.integers(0, 3, n // 5)]
    adjustments = pd.DataFrame({"leader_id": rng.choice(ids, n // 5), "kind": kinds,
                                "points": np.where(kinds == VETO, np.nan, rng.integers(1, 11, n // 5) / 2)})
    self_ids = ids[rng.random(n) < 0.9]
    self_scores = pd.DataFrame({"leader_id": self_ids, **{d: rng.integers(0, 10001, len(self_ids)) / 100 for d in DUTY_KEYS}})
    return {"leaders": leaders, "committee": committee, "ballots": ballots, "platform": platform,
            "adjustments": adjustments, "self_scores": self_scores}


def _score_raw(raw: dict[str, pd.DataFrame]):
    inputs = inputs_from_raw(2024, raw["leaders"], committee_rows=raw["committee"], ballots=raw["ballots"],
                             platform_rows=raw["platform"], adjustment_rows=raw["adjustments"],
                             self_scores=raw["self_scores"])
    return inputs, score_year(inputs, Scheme.default())


def test_results_the_same_with_one_thread_or_four_on_random_years():
    """Random years of 3,000 leaders: aggregates and every result column identical, 1 thread against 4."""
    for seed in range(4):
        raw = _raw_year(3000, seed)
        score = partial(_score_raw, raw)
        with threads(1):
            one_inputs, one = score()
        with threads(4):
            many_inputs, many = score()
        for name in ("committee", "mass", "platform", "adjustments"):
            pd.testing.assert_frame_equal(getattr(one_inputs, name), getattr(many_inputs, name), check_exact=True)
        pd.testing.assert_frame_equal(one.results, many.results, check_exact=True)
        pd.testing.assert_frame_equal(one.roles, many.roles, check_exact=True)
        assert one.results["final_c"].sum() > 0


def test_inputs_from_raw_equals_each_aggregation_on_its_own():
    """The side-by-side aggregation gives the frames of committee_aggregates, mass_counts, platform_totals,
    adjustment_totals called one after another."""
    raw = _raw_year(2000, 11)
    with threads(4):
        got = inputs_from_raw(2024, raw["leaders"], committee_rows=raw["committee"], ballots=raw["ballots"],
                              platform_rows=raw["platform"], adjustment_rows=raw["adjustments"])
    with threads(1):
        pd.testing.assert_frame_equal(got.committee, committee_aggregates(raw["committee"]), check_exact=True)
    pd.testing.assert_frame_equal(got.mass, mass_counts(raw["ballots"]), check_exact=True)
    pd.testing.assert_frame_equal(got.platform, platform_totals(raw["platform"]), check_exact=True)
    pd.testing.assert_frame_equal(got.adjustments, adjustment_totals(raw["adjustments"]), check_exact=True)


@given(years(min_leaders=1, max_leaders=25), schemes())
@SETTINGS
def test_score_year_the_same_with_one_thread_or_three(b, scheme):
    """Generated years and schemes (the property tests' own): score_year on 1 and on 3 threads agree exactly."""
    inputs = b.inputs()
    with threads(1):
        one = score_year(inputs, scheme)
    with threads(3):
        many = score_year(inputs, scheme)
    pd.testing.assert_frame_equal(one.results, many.results, check_exact=True)
