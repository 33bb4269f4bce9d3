"""`seed-sample` writes every sample year or none, and says per year exactly what it wrote."""

from __future__ import annotations

import re

from cli_checks import fingerprint
from sqlalchemy import func, select

import dashboard.data.sample as sample
from dashboard.cli.main import main
from dashboard.data.db import read_session
from dashboard.data.validation import CellError
from dashboard.data.workbook import WorkbookRejected
from models import AssessmentYear, AuditEvent, BallotMark, CommitteeScore, SelfReport

COUNTED = {"个人述职": SelfReport, "两委打分": CommitteeScore, "群众评议": BallotMark}


def printed_counts(out: str) -> dict[int, dict[str, int]]:
    """Per year the 「名称：N 条」 lines under 「已加载示例数据：南峪乡 Y 年度」."""
    counts: dict[int, dict[str, int]] = {}
    year = None
    for line in out.splitlines():
        if m := re.fullmatch(r"已加载示例数据：南峪乡 (\d{4}) 年度", line):
            year = int(m.group(1))
            counts[year] = {}
        elif year and (m := re.fullmatch(r"  (\S+)：新增 (\d+) 行，修改 0 行，不变 0 行", line)):
            counts[year][m.group(1)] = int(m.group(2))
    return counts


def test_seed_sample_prints_what_each_year_wrote(db_engine, capsys):
    """The printed row counts per year are the rows stored for that year (2023 and 2024)."""
    url = db_engine.url.render_as_string(hide_password=False)
    assert main(["seed-sample", "--db", url]) == 0
    counts = printed_counts(capsys.readouterr().out)
    assert sorted(counts) == [2023, 2024]
    with read_session(db_engine) as s:
        for year in (2023, 2024):
            for name, table in COUNTED.items():
                stored = s.execute(select(func.count()).select_from(table).where(table.year == year)).scalar_one()
                assert counts[year][name] == stored, (year, name)
    # make_sample.py: 2023 has 72 leaders, NYL025 without a self-report → 71; 2024 has 73,
    # NYL016 without one and NYL029 departed → 71.
    assert counts[2023]["个人述职"] == counts[2024]["个人述职"] == 71


def test_seed_sample_with_a_published_year_writes_nothing(db_engine, capsys):
    """2024 公示中: seed-sample exits 2 naming 2024, prints no 「已加载」, and no table changes."""
    url = db_engine.url.render_as_string(hide_password=False)
    assert main(["seed-sample", "--db", url]) == 0
    assert main(["year", "publish", "--year", "2024", "--db", url]) == 0
    capsys.readouterr()
    before = fingerprint(url)

    assert main(["seed-sample", "--db", url]) == 2

    out, err = capsys.readouterr()
    assert "已加载" not in out
    assert "2024 年度正在公示" in err and "未写入任何数据" in err
    assert fingerprint(url) == before


def test_seed_sample_failing_in_a_later_year_says_what_was_written(db_engine, capsys, monkeypatch):
    """When 2024 is refused after 2023 was written (a race), the output lists 2023 as written and 2024 not."""
    url = db_engine.url.render_as_string(hide_password=False)
    real = sample.import_workbook

    def refuse_2024(**kwargs):
        if kwargs["year"] == 2024:
            raise WorkbookRejected([CellError(None, None, None, "年度 2024 已进入公示/定稿，不能导入")])
        return real(**kwargs)

    monkeypatch.setattr(sample, "import_workbook", refuse_2024)

    assert main(["seed-sample", "--db", url]) == 2

    out, err = capsys.readouterr()
    assert list(printed_counts(out)) == [2023]
    assert "2024 年度示例数据未写入（共 1 处错误）" in err and "已写入的年度：2023" in err
    with read_session(db_engine) as s:
        years = s.execute(select(AssessmentYear.year)).scalars().all()
        seeded = s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "seed_sample"))
        assert (years, seeded.scalar_one()) == ([2023], 1)
