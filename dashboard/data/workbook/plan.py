"""The import plan's data: what an import does to each sheet (added, changed, unchanged, removed),
shown as the preview before anything is written, and what an accepted import wrote."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.data.roster import RosterEntry
from dashboard.data.workbook.spec import MEMBERS, ROSTER

CHUNK = 900  # ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class RemovedRow:
    """A stored row an import deletes (加减分 and 两委成员 can): sheet, leader (编号 empty for a
    committee member) and what it was."""

    sheet: str
    code: str
    name: str
    what: str

    def line(self) -> str:
        who = f"编号 {self.code} {self.name}" if self.code else self.name
        return f"将删除：{self.sheet} {who}：{self.what}"


@dataclass
class SheetPlan:
    """What an import does to one sheet's data: rows added, changed, unchanged, removed."""

    sheet: str
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: list[RemovedRow] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.sheet}：新增 {self.added} 行，修改 {self.changed} 行，不变 {self.unchanged} 行"
        return text + (f"，删除 {len(self.removed)} 行" if self.removed else "")


@dataclass
class ImportPlan:
    """An import worked out against the database before anything is written.

    ``sheets`` is what the user sees (the preview); the rest is what ``_apply`` writes:
    roster entries to upsert (new or changed only), rows to insert and stored row ids to
    delete per table. Unchanged rows appear in neither, so re-importing the same values
    writes no data row at all.
    """

    year: int
    sheets: dict[str, SheetPlan]
    warnings: list[str] = field(default_factory=list)
    roster: list[RosterEntry] = field(default_factory=list)
    inserts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deletes: dict[str, list[int]] = field(default_factory=dict)
    prior_years: set[int] = field(default_factory=set)

    @property
    def changes(self) -> bool:
        return any(p.added or p.changed or p.removed for p in self.sheets.values())

    @property
    def removed(self) -> list[RemovedRow]:
        return [r for p in self.sheets.values() for r in p.removed]

    def lines(self) -> list[str]:
        """The preview in Chinese: one line per sheet, then every removed row."""
        out = [p.line() for p in self.sheets.values()]
        out += [r.line() for r in self.removed]
        if not self.changes:
            out.append("与系统中的数据完全相同，导入不会改变任何数据")
        return out


@dataclass
class ImportReport:
    """What an accepted import wrote (the plan it carried out)."""

    year: int
    plan: ImportPlan
    warnings: list[str]

    @property
    def roster_inserted(self) -> int:
        return self.plan.sheets[ROSTER].added if ROSTER in self.plan.sheets else 0

    @property
    def roster_updated(self) -> int:
        return self.plan.sheets[ROSTER].changed if ROSTER in self.plan.sheets else 0

    @property
    def counts(self) -> dict[str, int]:
        """Rows of each input sheet in the workbook (added + changed + unchanged)."""
        return {
            name: p.added + p.changed + p.unchanged
            for name, p in self.plan.sheets.items() if name not in (ROSTER, MEMBERS)
        }

    def lines(self) -> list[str]:
        return self.plan.lines()


def squash_rater(name: str) -> str:
    """A committee member's name with every space removed: 「王 明」 and 「王明」 are one member."""
    return re.sub(r"\s+", "", name)


def chunks(items: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
