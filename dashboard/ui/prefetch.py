"""The year's shared results computed in the background as soon as a session shows the year.

The result pages (排名, 述职档案, 总览, 表彰, 季度考评, 月度上报) all start from the year's assessment
and its four quarters, cached per (database, year, data revision) for every session. The frame
starts one background thread per (database, year, revision) that fills those caches while the
user is still on the landing page, so the first visit of a result page finds them ready. A page
that comes first simply waits for the same value (Streamlit holds one compute lock per cache
entry, so nothing is computed twice). The thread has no session: it draws nothing, and a failure
is logged and left to the page, which computes the value itself and shows the error.

The machine has few cores and one interpreter lock: a fill running while a page's script runs
slows that page down. So the thread steps aside: before each of its steps (the assessment, each
quarter) it waits until no page script of any session is running (`page_running` marks them),
at most a few seconds, so a busy server still gets its results filled.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from dashboard.scoring.quarter import QUARTERS
from dashboard.ui import quarter, resources

log = logging.getLogger(__name__)


class _SessionlessThread(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" warning for the prefetch threads (they have none by design)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not threading.current_thread().name.startswith("prefetch-")


logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_SessionlessThread())
_started: set[tuple[str, int, int]] = set()
_started_lock = threading.Lock()
_running = 0  # page scripts running now, all sessions
_running_lock = threading.Lock()
IDLE_POLL_S = 0.02
MAX_WAIT_S = 3.0


@contextmanager
def page_running() -> Iterator[None]:
    """Marks a page script as running while the block runs (the fill waits for none)."""
    global _running
    with _running_lock:
        _running += 1
    try:
        yield
    finally:
        with _running_lock:
            _running -= 1


def _wait_idle(max_wait: float = MAX_WAIT_S) -> None:
    """Until no page script runs, or `max_wait` seconds."""
    deadline = time.monotonic() + max_wait
    while _running > 0 and time.monotonic() < deadline:
        time.sleep(IDLE_POLL_S)


def _fill(engine: Engine, url: str, year: int, revision: int) -> None:
    try:
        _wait_idle()
        resources._assessment(engine, url, year, revision)
        for q in QUARTERS:
            _wait_idle()
            quarter._quarter(engine, url, year, q, revision)
    except Exception:  # the page computes it again and shows the error to its user
        log.exception("background computation of %s (revision %s) failed", year, revision)


def prefetch_year(engine: Engine, year: int, revision: int) -> None:
    """Start filling the year's result caches unless already started for this revision."""
    url = engine.url.render_as_string(hide_password=True)
    key = (url, year, revision)
    with _started_lock:
        if key in _started:
            return
        _started.add(key)
    threading.Thread(target=_fill, args=(engine, url, year, revision), name=f"prefetch-{year}-{revision}",
                     daemon=True).start()
