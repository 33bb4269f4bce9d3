"""User mistakes on the command line (output path, database address) exit 2 with Chinese text, no traceback."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from dashboard.cli.main import main
from dashboard.data.db import make_engine

pytestmark = pytest.mark.db


@pytest.fixture
def url(db_engine) -> str:
    """URL of an empty, migrated database (SQLite and PostgreSQL) with the sample township."""
    u = db_engine.url.render_as_string(hide_password=False)
    assert main(["seed-sample", "--db", u]) == 0
    return u


@pytest.mark.parametrize("command", ["template", "assess", "awards"])
def test_output_path_that_is_a_folder_exits_2(url, tmp_path, capsys, command):
    """`--out` naming an existing folder (here one called x.xlsx) is refused, nothing written."""
    folder = tmp_path / "x.xlsx"
    folder.mkdir()
    capsys.readouterr()
    year = [] if command == "template" else ["--year", "2024"]
    assert main([command, *year, "--out", str(folder), "--db", url]) == 2
    err = capsys.readouterr().err
    assert "是一个文件夹" in err and str(folder) in err
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("command", ["template", "assess"])
def test_output_path_in_missing_folder_exits_2(url, tmp_path, capsys, command):
    """`--out` inside a folder that does not exist is refused with the folder problem named."""
    out = tmp_path / "没有这个文件夹" / "x.xlsx"
    capsys.readouterr()
    year = [] if command == "template" else ["--year", "2024"]
    assert main([command, *year, "--out", str(out), "--db", url]) == 2
    assert "所在的文件夹不存在" in capsys.readouterr().err
    assert not out.parent.exists()


def test_template_with_other_extension_exits_2(url, tmp_path, capsys):
    """`template --out t.csv` would write an .xlsx under a .csv name: refused, nothing written."""
    out = tmp_path / "t.csv"
    capsys.readouterr()
    assert main(["template", "--out", str(out), "--db", url]) == 2
    assert ".xlsx" in capsys.readouterr().err
    assert not out.exists()


def test_database_not_initialised_exits_2(tmp_path, capsys):
    """A SQLite file without the schema: assess asks the user to run init-db."""
    db = f"sqlite:///{tmp_path / 'empty.db'}"
    assert main(["assess", "--year", "2024", "--db", db]) == 2
    assert "init-db" in capsys.readouterr().err


def test_postgres_database_not_initialised_exits_2(capsys):
    """An empty PostgreSQL database without the schema: assess asks the user to run init-db."""
    admin_url = os.environ.get("TEST_POSTGRES_URL")
    if not admin_url:
        pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL cases need a server")
    name = f"lianhu_empty_{uuid.uuid4().hex[:10]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        assert main(["assess", "--year", "2024", "--db", db]) == 2
        assert "init-db" in capsys.readouterr().err
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_unreachable_postgres_exits_2(capsys):
    """A PostgreSQL address where no server listens (port 1): exit 2 with a Chinese message."""
    assert main(["init-db", "--db", "postgresql+psycopg://nobody@127.0.0.1:1/x"]) == 2
    assert "无法打开或连接数据库" in capsys.readouterr().err


def test_malformed_database_address_exits_2(capsys):
    """An address of an unknown kind (foo://bar) is refused as an invalid database address."""
    assert main(["assess", "--year", "2024", "--db", "foo://bar"]) == 2
    assert "数据库地址无效" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["assess", "--year", "99999999999999999999"],
        ["template", "--year", "99999999999999999999", "--out", "{tmp}/t.xlsx"],
        ["import", "{tmp}/t.xlsx", "--year", "99999999999999999999"],
        ["awards", "--year", "99999999999999999999", "--out", "{tmp}/a.xlsx"],
        ["year", "publish", "--year", "99999999999999999999"],
    ],
)
def test_year_too_large_for_the_database_exits_2(db_engine, tmp_path, capsys, argv):
    """A year of 20 digits (a typing slip) is refused as not a year, not with an overflow traceback."""
    url = db_engine.url.render_as_string(hide_password=False)
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main([*args, "--db", url]) == 2
    assert "应为年份" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["assess"], "错误：缺少必需的参数：--year（用 python -m dashboard assess --help 查看用法）"),
        (["assess", "--year"], "错误：--year 后面缺少取值"),
        (["awards", "--year", "abc", "--out", "a.xlsx"], "错误：--year 应为年份（如 2024），实际为 'abc'"),
        (["assess", "--year", "2024", "zz"], "错误：无法识别的参数：zz"),
        (["year", "close", "--year", "2024"], "错误：步骤 无效：'close'（可选：'publish', 'finalize', 'reopen', 'status'）"),
        (["bogus"], "错误：命令 无效：'bogus'"),
    ],
)
def test_refused_arguments_are_explained_in_chinese(tmp_path, capsys, argv, message):
    """argparse's own refusals (missing, unknown, invalid value or choice) exit 2 with one Chinese line, no usage dump."""
    assert main([*argv, "--db", f"sqlite:///{tmp_path / 'x.db'}"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message)
    assert "usage" not in captured.err and "error" not in captured.err and captured.out == ""
    assert list(tmp_path.iterdir()) == []  # nothing created


@pytest.mark.parametrize("command", [["assess", "--year", "2024"], ["year", "status"], ["template", "--out", "t.xlsx"]])
def test_missing_sqlite_file_is_not_created(tmp_path, capsys, command):
    """A mistyped --db naming no file: exit 2 pointing at init-db, and no empty database left behind."""
    db = tmp_path / "typo.db"
    args = [a if a != "t.xlsx" else str(tmp_path / "t.xlsx") for a in command]
    assert main([*args, "--db", f"sqlite:///{db}"]) == 2
    err = capsys.readouterr().err
    assert "不存在" in err and "init-db" in err
    assert not db.exists()


@pytest.mark.parametrize("command", ["assess", "awards"])
def test_missing_scheme_file_reported_in_chinese(url, tmp_path, capsys, command):
    """`--scheme` naming no file: exit 2 with 「方案文件 … 不存在」, no English OS text."""
    scheme = tmp_path / "没有的方案.json"
    out = ["--out", str(tmp_path / "a.xlsx")] if command == "awards" else []
    capsys.readouterr()
    assert main([command, "--year", "2024", "--scheme", str(scheme), *out, "--db", url]) == 2
    err = capsys.readouterr().err
    assert f"方案文件 {scheme} 不存在" in err
    assert "No such file" not in err
