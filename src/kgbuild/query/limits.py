"""Time and memory limits of a query: it runs in a daemon thread while the caller waits,
watching the clock and the process's resident size, and gives up on it at either limit.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from kgbuild.core.errors import QueryMemoryExceeded, QueryTimeout
from kgbuild.query.checks import _first_line

__all__ = ["DEFAULT_MEMORY_MB", "MEMORY_POLL_SECONDS", "await_outcome", "memory_exceeded",
           "rss_bytes"]

#: Default memory cap of one query's evaluation, in MiB (``Settings.query_memory_mb``).
DEFAULT_MEMORY_MB = 1024
#: How often the memory watchdog reads the resident size, in seconds.
MEMORY_POLL_SECONDS = 0.02
_MIB = 1024 * 1024
try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
    _PAGE = 4096


class _Cancelled(Exception):
    """Raised inside an abandoned worker thread to stop its evaluation."""

def rss_bytes(pid: int | None = None) -> int | None:
    """The resident memory of a process (default this one) in bytes; None where
    ``/proc`` cannot tell (not Linux, or the process is gone)."""
    try:
        with open(f"/proc/{pid if pid is not None else 'self'}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def memory_exceeded(memory_mb: int, sparql: str, *, where: str = "") -> QueryMemoryExceeded:
    """The error for a query stopped by its memory cap."""
    return QueryMemoryExceeded(
        f"the query needed more than {memory_mb} MiB of memory{where} and was stopped",
        input=_first_line(sparql),
        fix="add a LIMIT, narrower patterns or fewer joins (ORDER BY and GROUP BY over a "
        "cross join hold every row), or raise the cap: --memory-mb / query_memory_mb",
    )


def await_outcome(
    outcome: queue.Queue[tuple[str, Any]],
    *,
    sparql: str,
    timeout: float | None,
    memory_mb: int | None,
    cancel: threading.Event,
    ready: threading.Event,
    timeout_fix: str,
) -> tuple[str, Any]:
    """Wait for a query thread's outcome, enforcing the timeout and the memory cap.

    The memory baseline is taken when ``ready`` is set: the query thread sets it
    once its copy of the graph is made, so the cap counts the evaluation only.

    Raises:
        QueryTimeout: ``timeout`` seconds passed.
        QueryMemoryExceeded: the process grew by more than ``memory_mb`` MiB.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    watch = memory_mb is not None and rss_bytes() is not None
    base: int | None = None
    while True:
        wait: float | None = MEMORY_POLL_SECONDS if watch else None
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                cancel.set()
                raise QueryTimeout(
                    f"the query ran longer than {timeout:g} s and was stopped",
                    input=_first_line(sparql),
                    fix=timeout_fix,
                )
            wait = remaining if wait is None else min(wait, remaining)
        try:
            return outcome.get(timeout=wait)
        except queue.Empty:
            pass
        if watch and memory_mb is not None and ready.is_set():
            now = rss_bytes()
            if now is None:
                continue
            if base is None:
                base = now
            elif now - base > memory_mb * _MIB:
                cancel.set()
                raise memory_exceeded(memory_mb, sparql) from None



def _run_bounded(work: Callable[[threading.Event, threading.Event], Any], *, sparql: str,
                 timeout: float | None, memory_mb: int | None, timeout_fix: str,
                 thread_name: str, in_place: bool = False) -> tuple[str, Any]:
    """Run ``work(cancel, ready)`` in a daemon thread within the time and memory limits.

    ``work`` sets ``ready`` once its copy of the graph is made (``in_place``: there is no
    copy, ``ready`` is set before it starts), stops with :class:`_Cancelled` once
    ``cancel`` is set, and returns the result.

    Returns:
        ``("ok", result)``, or ``("error", exception)`` for what ``work`` raised.

    Raises:
        QueryTimeout, QueryMemoryExceeded: as :func:`await_outcome`.
    """
    cancel = threading.Event()
    ready = threading.Event()
    outcome: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)

    def target() -> None:
        try:
            result = work(cancel, ready)
        except _Cancelled:
            return
        except BaseException as exc:  # handed over to the caller's thread
            outcome.put(("error", exc))
        else:
            outcome.put(("ok", result))

    worker = threading.Thread(target=target, name=thread_name, daemon=True)
    if in_place:
        ready.set()
    worker.start()
    result = await_outcome(outcome, sparql=sparql, timeout=timeout, memory_mb=memory_mb,
                           cancel=cancel, ready=ready, timeout_fix=timeout_fix)
    # the worker has handed its outcome over and is ending: let it drop what it holds (a
    # store the caller closes next, whose database lock would otherwise outlive it)
    worker.join(timeout=1.0)
    return result
