"""The year's shared results computed in the background as soon as a session shows the year.

The result pages (排名, 述职档案, 总览, 表彰, 季度考评, 月度上报) all start from the year's assessment
and its four quarters, cached per (database, year, data revision) for every session. The frame
starts one background thread per (database, year, revision) that fills those caches while the
user is still on the landing page, so the first visit of a result page finds them ready. A page
that comes first simply waits for the same value (Streamlit holds one compute lock per cache
entry, so nothing is computed twice). The thread has no session: it draws nothing, and a failure
is logged and left to the page, which computes the value itself and shows the error.
"""

from __future__ import annotations

import logging
import threading

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


def _fill(engine: Engine, url: str, year: int, revision: int) -> None:
    try:
        resources._assessment(engine, url, year, revision)
        for q in QUARTERS:
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
