"""Compute the shipped queries' answers for a store, in this process or in a child.

A build ends by computing the answers of the shipped queries and keeping them beside the
store (:mod:`kgbuild.store.answers`), so that each query's first run reads them back. The
rows of one answer are held while they are sorted and written, so the memory this step
needs grows with the store: on a 10k-article store the largest answers took the build's
process from 633 to 1,415 MB. On a store of more than :data:`CHILD_TRIPLES` triples the
answers are therefore computed in a child process, which opens the database read-only
after the writer has closed it (the writer keeps the store's exclusive lock meanwhile, so
nothing else writes). The build's own process then stays at the size the build needed,
and the child's memory is returned to the system when it exits.

The child's work is :func:`compute_answers`; :func:`compute_in_child` starts it and
returns what it kept (its peak resident size goes to the log).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Sequence
from pathlib import Path

__all__ = ["CHILD_TRIPLES", "compute_answers", "compute_in_child", "shipped_query_texts"]

log = logging.getLogger(__name__)

#: stores with more triples than this compute their answers in a child process; below it
#: the start of a child (about a second) costs more than the memory it saves
CHILD_TRIPLES = 100_000


def shipped_query_texts() -> list[str]:
    """The text of every shipped query, in the order :func:`kgbuild.query.list_queries` gives."""
    from kgbuild.query import list_queries

    return [info.path.read_text(encoding="utf-8") for info in list_queries()]


def compute_answers(store: object, folder: str | os.PathLike[str], queries: Sequence[str], *,
                    timeout: float | None) -> int:
    """Run each query on ``store`` and keep its answer beside the store in ``folder``.

    Args:
        store: an open ``pyoxigraph.Store`` of the store in ``folder``.
        folder: the kgbuild store's folder (where the answers are kept).
        queries: query texts without parameters.
        timeout: seconds allowed to each; one that takes longer, or fails, is not kept.

    Returns:
        The number of answers kept.
    """
    from kgbuild.core.errors import KgbuildError
    from kgbuild.store.reading import query_store

    kept = 0
    for text in queries:
        try:
            query_store(store, text, timeout=timeout, union=False, source=folder)
        except KgbuildError as exc:
            # the text only: a log record that kept the exception would keep its frames,
            # and with them this store's database open after the writer
            log.info("answer not precomputed (%s)", str(exc))
            continue
        kept += 1
    return kept


def _peak_rss_mb() -> float:
    """This process's peak resident size (``VmHWM``; Linux), else NaN."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _child(database: str, folder: str, queries: Sequence[str], timeout: float | None,
           out: multiprocessing.connection.Connection) -> None:
    import pyoxigraph as ox

    from kgbuild.core.processes import watch_parent

    # a child whose build was killed has nobody to keep answers for
    watch_parent(os.getppid())
    store = ox.Store.read_only(database)
    kept = compute_answers(store, folder, queries, timeout=timeout)
    del store
    out.send((kept, _peak_rss_mb()))
    out.close()


def compute_in_child(database: str | os.PathLike[str], folder: str | os.PathLike[str],
                     queries: Sequence[str], *, timeout: float | None) -> int:
    """Compute and keep the answers in a child process that opens ``database`` read-only.

    The caller must hold the store's exclusive lock and have closed its own handle on the
    database: a read-only handle beside a writing one is undefined in RocksDB.

    Args:
        database: the Oxigraph database folder inside the store.
        folder: the kgbuild store's folder.
        queries: query texts without parameters.
        timeout: seconds allowed to each query.

    Returns:
        The number of answers kept; 0 when the child failed (answers are a cache: a
        build does not fail for want of them). The child's peak size is logged.
    """
    from kgbuild.core.processes import process_context

    # never a plain fork: the writer's process runs RocksDB's native threads
    forkserver = "forkserver" in multiprocessing.get_all_start_methods()
    context = process_context("forkserver" if forkserver else "spawn",
                              preload=["kgbuild.store.precompute"])
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, name="kgbuild-answers", daemon=True,
                              args=(str(database), str(Path(folder)), list(queries), timeout,
                                    send))
    process.start()
    send.close()  # only the child writes: its end closing tells us it is gone
    try:
        kept, peak = receive.recv()
    except EOFError:
        kept, peak = 0, float("nan")
    finally:
        receive.close()
        process.join()
    if process.exitcode != 0:
        log.warning("answers not precomputed: their process ended with code %s",
                    process.exitcode)
        return 0
    log.info("%d answers computed in a child process (peak %.0f MB)", kept, peak)
    return int(kept)
