"""Independent numpy steps of the engine run side by side on the machine's cores.

numpy releases the GIL inside bincount, ufunc.at, sorting, take and most array arithmetic, so
steps that share no output (one duty's statistics, one component of the score) run in threads
use every core of a township laptop or server, as a columnar database does. The arithmetic of
each step is unchanged, so the results are the same to the cent with one thread or many.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

# More threads than this gain little on the engine's steps and crowd a shared server.
MAX_WORKERS = 4


def workers() -> int:
    """Threads to use: the cores this process may run on, at most MAX_WORKERS (LIANHU_THREADS overrides)."""
    wanted = os.environ.get("LIANHU_THREADS", "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return int(wanted)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


def run_all(calls: list[Callable[[], Any]]) -> list[Any]:
    """Call each zero-argument function, several at a time; the results in the order given.

    The first exception raised by a call is raised here, after every call has finished.
    """
    threads = min(workers(), len(calls))
    if threads <= 1:
        return [call() for call in calls]
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="engine") as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]
