"""Small builders for scoring tests: raw rows in, aggregate YearInputs out (pure pandas)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dashboard.domain import DUTY_KEYS
from dashboard.scoring import (
    YearInputs,
    adjustment_totals,
    committee_aggregates,
    mass_counts,
    platform_totals,
)
from dashboard.scoring.inputs import empty_previous_grades, empty_self_scores

YEAR = 2024


def duties(*values: float) -> dict[str, float]:
    """Seven duty scores in the order info, service, publicity, mediation, sanitation, patrol, unity."""
    assert len(values) == 7
    return dict(zip(DUTY_KEYS, values, strict=True))


@dataclass
class YearBuilder:
    year: int = YEAR
    leaders: list[dict] = field(default_factory=list)
    self_rows: list[dict] = field(default_factory=list)
    committee_rows: list[dict] = field(default_factory=list)
    ballot_rows: list[dict] = field(default_factory=list)
    platform_rows: list[dict] = field(default_factory=list)
    adjustment_rows: list[dict] = field(default_factory=list)
    previous: list[dict] = field(default_factory=list)
    platform_in_use: bool | None = None

    def leader(self, code: str, *, role: str = "联户长", township: str = "南峪乡", village: str = "江盘村",
               county: str = "舟曲县", grid: str = "一网格", group: str | None = "一组",
               appointed_on: date = date(2020, 1, 1), status: str = "在任", name: str | None = None) -> int:
        leader_id = len(self.leaders) + 1
        self.leaders.append(
            {"leader_id": leader_id, "code": code, "name": name or f"姓名{code}", "role": role,
             "county": county, "township": township, "village": village, "grid": grid,
             "group": None if role == "网格长" else group, "appointed_on": appointed_on, "status": status}
        )
        return leader_id

    def self_report(self, leader_id: int, scores: dict[str, float]) -> None:
        self.self_rows.append({"leader_id": leader_id, **scores})

    def committee(self, leader_id: int, quarter: int, rater: str, scores: dict[str, float]) -> None:
        self.committee_rows.append({"leader_id": leader_id, "quarter": quarter, "rater": rater, **scores})

    def ballots(self, leader_id: int, *marks: str) -> None:
        start = len(self.ballot_rows)
        for i, mark in enumerate(marks):
            self.ballot_rows.append({"leader_id": leader_id, "ballot_no": f"B{start + i}", "mark": mark})

    def platform(self, leader_id: int, month: int, reports: int) -> None:
        self.platform_rows.append({"leader_id": leader_id, "month": month, "reports": reports})

    def adjustment(self, leader_id: int, kind: str, points: float | None = None) -> None:
        self.adjustment_rows.append({"leader_id": leader_id, "kind": kind, "points": points})

    def previous_grade(self, leader_id: int, grade: str) -> None:
        self.previous.append({"leader_id": leader_id, "grade": grade})

    def raw(self, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
        rows = getattr(self, name)
        return pd.DataFrame(rows) if rows else pd.DataFrame({c: [] for c in columns})

    def inputs(self) -> YearInputs:
        self_frame = pd.DataFrame(self.self_rows) if self.self_rows else empty_self_scores()
        prev = pd.DataFrame(self.previous) if self.previous else empty_previous_grades()
        return YearInputs(
            year=self.year,
            leaders=pd.DataFrame(self.leaders),
            self_scores=self_frame,
            committee=committee_aggregates(self.raw("committee_rows", ("leader_id", "quarter", "rater", *DUTY_KEYS))),
            mass=mass_counts(self.raw("ballot_rows", ("leader_id", "ballot_no", "mark"))),
            platform=platform_totals(self.raw("platform_rows", ("leader_id", "month", "reports"))),
            adjustments=adjustment_totals(self.raw("adjustment_rows", ("leader_id", "kind", "points"))),
            previous_grades=prev,
            platform_in_use=self.platform_in_use,
        )
