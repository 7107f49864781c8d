"""Worker processes: one way to start them, shared by every stage that uses a pool."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence

from kgbuild.core.errors import ConfigError

__all__ = ["process_context"]


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
