"""Start-up of the command line: how long `assess` takes before it does any work, and end to end
on the bundled sample township (72 leaders), where start-up is nearly all of it.

1. imports: a fresh interpreter importing what `python -m dashboard assess` imports
   (dashboard.cli.main and dashboard.cli.results with the JSON writer, hence pandas, SQLAlchemy
   Core, orjson; not SQLModel, the models, openpyxl or alembic), wall time;
2. assess: ``python -m dashboard assess --year 2024 --db sqlite:///… --out x.json`` on a fresh
   SQLite file loaded with ``seed-sample``, wall time.

Run: ``.venv/bin/python benchmarks/startup.py [--repeat R]``; best and median of R runs each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORTS = "import dashboard.cli.main, dashboard.cli.results, dashboard.data.export.records"


def _timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - t0


def _report(label: str, runs: list[float]) -> None:
    print(f"{label}: best {min(runs):.2f} s, median {statistics.median(runs):.2f} s ({len(runs)} runs); "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per step (default 5)")
    args = parser.parse_args()
    _report("imports of the assess command", [_timed([sys.executable, "-c", IMPORTS]) for _ in range(args.repeat)])
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as tmp:
        db = f"sqlite:///{Path(tmp) / 'sample.db'}"
        for command in (["init-db"], ["seed-sample"]):
            subprocess.run([sys.executable, "-m", "dashboard", *command, "--db", db], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        assess = [sys.executable, "-m", "dashboard", "assess", "--year", "2024", "--db", db,
                  "--out", str(Path(tmp) / "x.json")]
        _report("assess --out x.json, sample township", [_timed(assess) for _ in range(args.repeat)])


if __name__ == "__main__":
    main()
