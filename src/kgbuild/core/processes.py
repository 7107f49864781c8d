"""Worker processes: one way to start them, shared by every stage that uses a pool."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any

from kgbuild.core.errors import ConfigError

__all__ = ["WATCH_SECONDS", "process_context", "watch_parent", "watched"]

#: How often a worker checks that the process that started its pool is still alive.
WATCH_SECONDS = 0.5


def process_context(start_method: str = "forkserver", *,
                    preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """A multiprocessing context; ``forkserver`` imports the ``preload`` modules once, in the
    server, and every worker forks from it (spaCy is imported once, not per worker).

    Raises:
        kgbuild.core.errors.ConfigError: when the start method is not available here.
    """
    methods = multiprocessing.get_all_start_methods()
    if start_method not in methods:
        raise ConfigError(f"the start method {start_method!r} is not available here",
                          input=start_method, fix=f"use one of {', '.join(methods)}")
    ctx = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        # import spaCy and kgbuild once in the server; each worker forks from it
        ctx.set_forkserver_preload(list(preload))
    return ctx


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user took the number: ours is gone
        return False
    return True


def watch_parent(pid: int, *, interval: float = WATCH_SECONDS) -> threading.Thread:
    """In a worker: exit as soon as process ``pid`` (the one that started the pool) is gone.

    A pool's workers wait on a queue that they themselves keep open, so when the
    parent is killed outright (SIGKILL, the out-of-memory killer) nothing tells them
    to stop: without this they would live on, holding their memory. A daemon thread
    checks every ``interval`` seconds and ends the process without clean-up (there is
    nobody left to report to).

    Returns:
        The watching thread (already started).
    """

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            if not _alive(pid) or (os.getppid() == 1 and pid != 1):
                os._exit(70)  # EX_SOFTWARE: the parent vanished

    thread = threading.Thread(target=watch, name=f"kgbuild-watch-{pid}", daemon=True)
    thread.start()
    return thread


def _watched_init(pid: int, initializer: Callable[..., Any] | None, args: tuple[Any, ...]
                  ) -> None:
    watch_parent(pid)
    if initializer is not None:
        initializer(*args)


def watched(initializer: Callable[..., Any] | None = None, initargs: tuple[Any, ...] = ()
            ) -> dict[str, Any]:
    """Keyword arguments for ``ProcessPoolExecutor`` whose workers watch this process.

    >>> sorted(watched())
    ['initargs', 'initializer']
    """
    return {"initializer": _watched_init, "initargs": (os.getpid(), initializer, initargs)}
