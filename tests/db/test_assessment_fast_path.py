"""The database path of `assess` (SQL GROUP BY read into typed arrays, lightweight Core tables)
against the raw-frame path and the exact Fraction oracle, on random years and schemes, on SQLite
and PostgreSQL: every field equal."""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlmodel import SQLModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "unit"))

from scoring_builders import YearBuilder  # noqa: E402
from test_assessment import store  # noqa: E402
from test_scoring_properties import PLACES, oracle  # noqa: E402

from dashboard.data.db import transaction  # noqa: E402
from dashboard.data.queries import assess_year  # noqa: E402
from dashboard.domain import DUTY_KEYS, GRADES  # noqa: E402
from dashboard.scoring import score_year  # noqa: E402
from dashboard.scoring.scheme import Scheme  # noqa: E402

pytestmark = pytest.mark.db

ROLE_MAX = {"info": 30, "service": 15, "publicity": 10, "mediation": 20, "sanitation": 10, "patrol": 15, "unity": 10}


def random_scheme(rng: random.Random) -> Scheme:
    """A scheme with the settings that change the arithmetic drawn at random."""
    return Scheme.from_dict(
        {
            "weights": {k: rng.choice([0, 0.1, 0.2, 0.3, 0.5, 1]) for k in ("self", "mass", "committee")}
            | {"platform": rng.choice([0.1, 0.15, 0.2])},
            "role_max": {"info": rng.choice([20, 12.5, 30]), "unity": rng.choice([10, 7])},
            "committee": {"trim_min_raters": rng.randint(3, 6)},
            "mass": {
                "min_ballots": rng.randint(1, 6),
                "trim_min_ballots": rng.randint(3, 6),
                "veto_share": rng.choice(["1/3", "1/4", 0.5, "2/7"]),
                "points": {"称职": rng.choice([80, 75.5, 85])},
            },
            "platform": {"monthly_target": rng.choice([4, 3, 2.5])},
            "bonus_cap": rng.choice([0, 2.5, 5]),
            "award": {"ratio": rng.choice([0.2, 0.29, 0.5, 1]), "scope": rng.choice(["village", "township", "county"])},
        }
    )


def random_year(rng: random.Random, leaders: int) -> YearBuilder:
    """Leaders with random self reports, committee sheets (1–7 raters), ballots, reports, adjustments."""
    b = YearBuilder()
    for i in range(leaders):
        township, village = rng.choice(PLACES)
        lid = b.leader(f"L{i:03d}", role=rng.choice(["联户长", "网格长"]), township=township, village=village,
                       appointed_on=rng.choice([date(2019, 5, 1), date(2024, 3, 9), date(2024, 11, 30)]),
                       status="离任" if rng.random() < 0.05 else "在任")
        cents = lambda high: rng.randint(0, int(high * 100)) / 100  # noqa: E731
        if rng.random() < 0.8:
            b.self_report(lid, {d: cents(100) for d in DUTY_KEYS})
        for quarter in rng.sample(range(1, 5), rng.randint(0, 4)):
            for r in range(rng.randint(1, 7)):
                b.committee(lid, quarter, f"r{r}", {d: cents(ROLE_MAX[d] / 2) for d in DUTY_KEYS})
        b.ballots(lid, *rng.choices([*GRADES, "弃权"], k=rng.randint(0, 12)))
        for month in rng.sample(range(1, 13), rng.randint(0, 3)):
            b.platform(lid, month, rng.randint(0, 30))
        for kind in rng.choices(["加分", "减分", "一票否决"], k=rng.randint(0, 2)):
            b.adjustment(lid, kind, None if kind == "一票否决" else rng.randint(1, 600) / 100)
        if rng.random() < 0.5:
            b.previous_grade(lid, rng.choice(GRADES))
    return b


def _empty_database(engine) -> None:
    with transaction(engine) as s:
        for table in reversed(SQLModel.metadata.sorted_tables):
            s.execute(table.delete())


def _c(value) -> int | None:
    return None if value != value else round(value * 100)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_database_path_equals_raw_frames_and_exact_oracle(db_engine, seed):
    """Random years of 2–40 leaders: assess_year equals score_year on raw frames in every field, and the oracle."""
    rng = random.Random(seed)
    for _ in range(4):
        _empty_database(db_engine)
        b = random_year(rng, rng.randint(2, 40))
        scheme = random_scheme(rng)
        ids = store(db_engine, b, scheme=scheme)
        db = assess_year(db_engine, 2024).results
        mem = score_year(b.inputs(), scheme).results
        mem = mem.assign(leader_id=mem["leader_id"].map(ids))
        assert db.columns.tolist() == mem.columns.tolist()
        assert db["roles"].tolist() == mem["roles"].tolist()
        plain = [c for c in db.columns if c != "roles"]
        pd.testing.assert_frame_equal(db[plain].astype(object), mem[plain].astype(object), check_exact=True)
        expected = oracle(b, scheme)
        frame = db.set_index("code")
        assert set(frame.index) == {ld["code"] for ld in b.leaders if ld["status"] == "在任"}
        for code in frame.index:
            for key in ("self", "committee", "mass", "platform", "final"):
                assert _c(frame.loc[code, key]) == expected[code][key], (seed, code, key)
            assert frame.loc[code, "grade"] == expected[code]["grade"], (seed, code)
