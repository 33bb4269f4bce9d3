"""A damaged, full or read-only database: Chinese messages, exit 2, no traceback, no leftover files."""

from __future__ import annotations

import hashlib
import os
import resource
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cli_checks import cli
from factories import build_year

from dashboard.data.backup import backup
from dashboard.data.config import PROJECT_ROOT
from dashboard.data.db import make_engine
from dashboard.data.migrate import upgrade

SAMPLE_2024 = str(PROJECT_ROOT / "sample_data" / "nanyu_2024.xlsx")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def small_database(folder: Path) -> Path:
    """The tiny township year in a SQLite file, checkpointed into the one file (no -wal left)."""
    path = folder / "lianhu.db"
    engine = make_engine(f"sqlite:///{path}")

    upgrade(engine)
    build_year(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


def random_bytes(folder: Path) -> Path:
    path = folder / "lianhu.db"
    path.write_bytes(hashlib.sha256(b"seed").digest() * 256)  # 8 KiB that are not a database
    return path


def truncated(folder: Path) -> Path:
    path = small_database(folder)
    path.write_bytes(path.read_bytes()[:12_288])  # header and three pages of a larger file
    return path


@pytest.mark.parametrize("damage", [random_bytes, truncated], ids=["random-bytes", "truncated"])
@pytest.mark.parametrize(
    "command",
    [
        ["backup", "--out", "{dir}/out/b.db"],
        ["assess", "--year", "2024"],
        ["import", SAMPLE_2024, "--year", "2024"],
        ["restore", "{dir}/good.backup"],
        ["restore", "{dir}/good.backup", "--force"],
        ["year", "status"],
    ],
    ids=["backup", "assess", "import", "restore", "restore-force", "year-status"],
)
def test_damaged_database_file_exits_2_in_chinese(tmp_path, damage, command):
    """Every command on a damaged file says it is damaged (Chinese), exit 2; file and folders untouched."""
    source = tmp_path / "src"
    source.mkdir()
    backup(f"sqlite:///{small_database(source)}", tmp_path / "good.backup")
    (tmp_path / "out").mkdir()
    db = damage(tmp_path)
    before, files = digest(db), listing(tmp_path)

    args = [a.replace("{dir}", str(tmp_path)) for a in command]
    done = cli(*args, "--db", f"sqlite:///{db}")

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "已损坏" in done.stderr and str(db) in done.stderr
    assert digest(db) == before
    assert listing(tmp_path) == files
    assert listing(tmp_path / "out") == []


def _file_size_limit(limit: int):
    def apply() -> None:
        # Writing past RLIMIT_FSIZE fails with EFBIG, as on a full disk (the signal would kill).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("db_url", ["sqlite", "postgresql"], indirect=True)
def test_backup_on_a_full_disk_exits_2_without_part_file(db_url, tmp_path):
    """A backup that cannot be written past 4 KiB: exit 2 with a Chinese message, no file left behind."""
    engine = make_engine(db_url)
    build_year(engine)
    engine.dispose()
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    done = cli("backup", "--out", str(out_dir / "b.backup"), "--db", db_url, preexec_fn=_file_size_limit(4096))

    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("错误：")
    assert "磁盘空间不足或文件大小超出限制" in done.stderr
    assert listing(out_dir) == []


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make a file or folder read-only for the commands run inside.

    Root ignores file modes, so as root the path is bind-mounted read-only over itself;
    otherwise its mode drops the write bits.
    """
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    subprocess.run(["mount", "--bind", str(path), str(path)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True)


@pytest.mark.parametrize("read_only_folder", [False, True], ids=["file", "folder"])
def test_read_only_database_reads_work_writes_refused(tmp_path, tmp_path_factory, read_only_folder):
    """`assess` and `backup` run on a read-only database; publish, import and restore say it is read-only."""
    db = small_database(tmp_path)
    before, files = digest(db), listing(tmp_path)
    url = f"sqlite:///{db}"
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    older = backup(url, elsewhere / "older.backup")

    with read_only(tmp_path if read_only_folder else db):
        assert not os.access(db, os.W_OK)
        assessed = cli("assess", "--year", "2024", "--db", url)
        copied = cli("backup", "--out", str(elsewhere / "copy.backup"), "--db", url)
        writes = [
            cli(*write, "--db", url)
            for write in (["year", "publish", "--year", "2024"], ["import", SAMPLE_2024, "--year", "2024"],
                          ["restore", str(older), "--force"])
        ]

    assert assessed.returncode == 0, assessed.stderr
    # G1 杨卓玛 100.00 优秀 (factories.build_year: committee share 1.00, self-report and ballots 100).
    row = next(line for line in assessed.stdout.splitlines() if "杨卓玛" in line)
    assert "100.00" in row and "优秀" in row
    assert copied.returncode == 0, copied.stderr
    assert digest(elsewhere / "copy.backup") == digest(older)  # nothing changed in between
    for done in writes:
        assert done.returncode == 2, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert "是只读的" in done.stderr, done.stderr
    assert digest(db) == before
    left = [name for name in listing(tmp_path) if name not in files]
    if read_only_folder:
        assert left == []
    else:
        # In a writable folder a reader of a WAL database keeps SQLite's shared-memory files,
        # which coordinate it with writers; the -wal holds nothing.
        assert left in ([], ["lianhu.db-shm", "lianhu.db-wal"])
        wal = tmp_path / "lianhu.db-wal"
        assert not wal.exists() or wal.stat().st_size == 0
