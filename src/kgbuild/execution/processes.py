"""Extraction at scale: a streaming serial loop, or worker processes.

Extraction (spaCy, then every extractor) is the expensive part of a build; resolution
and RDF are cheap passes over small records.  So this module runs extraction and
hands back :class:`~kgbuild.graph.resolve.ArticleResult` records, the small, picklable
summary of one article (keys, mentions, events, statements, claims), never spaCy
Docs.  :func:`kgbuild.pipeline.build` then resolves and writes RDF in its own
process, exactly as in a serial build, so the graph is the same byte for byte.

Memory stays flat: articles are read, parsed and summarised as a stream, at most a
few chunks are in flight, and spaCy's ``memory_zone`` drops the strings and
lexemes each chunk adds to the vocabulary once the chunk is summarised.

Chunks are whole multiples of ``batch_size`` articles, so spaCy sees the very
batches of a serial run whichever process parses them.

"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from kgbuild._compat import moved_attribute
from kgbuild.core.errors import ConfigError, KgbuildError
from kgbuild.core.model import Article
from kgbuild.core.processes import process_context, watched
from kgbuild.execution import transport
from kgbuild.execution.step import CHUNK_ARTICLES, default_chunk_size, extract_chunk
from kgbuild.kb.knowledge_base import KnowledgeBase
from kgbuild.nlp.spacy_pipeline import DEFAULT_MODEL, load_pipeline

if TYPE_CHECKING:
    from kgbuild.graph.resolve import ArticleResult

__all__ = ["extract_in_processes", "start_method_for", "tapered"]


def __getattr__(name: str) -> Any:  # names that moved out (kgbuild._compat)
    return moved_attribute(__name__, name)

log = logging.getLogger(__name__)

_WORKER: dict[str, Any] = {}


def _init_worker(kb: KnowledgeBase, model: str) -> None:
    """Worker start-up: keep the KB, load the pipeline once (errors surface per task)."""
    _WORKER["kb"] = kb
    _WORKER["model"] = model
    try:
        load_pipeline(model)
    except KgbuildError as exc:  # reported by the first task, which can carry it home
        _WORKER["error"] = exc


def _worker_task(articles: list[Article], batch_size: int) -> bytes:
    """Extract a chunk; the results come back pickled by :mod:`kgbuild.execution.transport`
    (:func:`_results` unpickles them)."""
    error = _WORKER.get("error")
    if error is not None:
        raise error
    # no graphs: the main process writes them from the records faster than it
    # could unpickle their RDF terms (see kgbuild.execution.step.extract_article)
    return transport.dumps(extract_chunk(articles, kb=_WORKER["kb"], model=_WORKER["model"],
                                         batch_size=batch_size, graphs=False))


def _results(future: Future[bytes]) -> list[ArticleResult]:
    results: list[ArticleResult] = transport.loads(future.result())
    return results


def start_method_for(requested: str = "auto") -> str:
    """The start method to use: ``"auto"`` is ``"fork"`` when this process runs no
    other Python thread and the platform forks, else ``"forkserver"``.

    A forked worker starts at once with this process's spaCy pipeline (when it has
    loaded one), its knowledge base and its name index, as spaCy's own
    ``nlp.pipe(n_process=...)`` does; forking a process with threads can deadlock, so
    then the workers fork from a clean server instead (spaCy imported once there).

    >>> start_method_for("spawn")
    'spawn'
    """
    if requested != "auto":
        return requested
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return "fork"
    return "forkserver"


#: The smallest chunk :func:`tapered` cuts at the end of the stream (rounded up to whole
#: batches): a smaller one costs more in memory-zone and task overhead than it balances.
LAST_CHUNK_ARTICLES = 8


def tapered(articles: Iterable[Article], size: int, *, batch_size: int, workers: int
            ) -> Iterator[list[Article]]:
    """Split a stream into chunks of ``size`` articles, then smaller ones at its end.

    The workers finish together only if the last chunks are small: with chunks of 32
    articles (about two seconds of one worker's time) one worker idled for a second,
    on average, while the other parsed the last chunk. So up to ``workers * size``
    articles are read ahead, and once the stream has ended what is left goes out in
    chunks of about a ``2 * workers``-th of it, whole batches, down to
    :data:`LAST_CHUNK_ARTICLES`. Big chunks otherwise: each chunk is one memory zone,
    and closing a zone costs a few milliseconds.

    Args:
        articles: the stream, consumed lazily.
        size: the chunk size (a multiple of ``batch_size``, or 1).
        batch_size: articles per ``nlp.pipe`` batch: chunks stay whole batches.
        workers: how many processes share the chunks.

    Returns:
        An iterator of lists of articles, in input order.

    >>> [len(c) for c in tapered(range(200), 32, batch_size=4, workers=2)]
    [32, 32, 32, 32, 20, 16, 12, 8, 8, 8]
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    smallest = min(size, default_chunk_size(batch_size, articles=LAST_CHUNK_ARTICLES))
    ahead: deque[Article] = deque()
    it = iter(articles)
    ended = False
    while True:
        while not ended and len(ahead) < workers * size + size:
            article = next(it, _END)
            if article is _END:
                ended = True
            else:
                ahead.append(article)
        if not ahead:
            return
        take = size
        if ended:
            share = default_chunk_size(batch_size, articles=-(-len(ahead) // (2 * workers)))
            take = max(smallest, min(size, share))
        yield [ahead.popleft() for _ in range(min(take, len(ahead)))]


_END: Any = object()


def extract_in_processes(articles: Iterable[Article], *, kb: KnowledgeBase, workers: int,
                         model: str = DEFAULT_MODEL, batch_size: int = 4,
                         chunk_size: int | None = None,
                         start_method: str = "auto") -> Iterator[ArticleResult]:
    """Extract articles in ``workers`` processes; results come back in input order.

    Each process loads the spaCy pipeline once and receives the knowledge base
    once.  Chunks of articles go out, :class:`~kgbuild.graph.resolve.ArticleResult`
    records come back; at most ``2 * workers`` chunks are in flight, and
    ``workers + 1`` chunks' worth of articles read ahead (see :func:`tapered`), so
    the input is read as the results are consumed.

    Args:
        articles: any iterable of articles; it is consumed lazily.
        kb: the knowledge base (sent to every worker).
        workers: how many processes (1 or more).
        model: the spaCy pipeline's package name.
        batch_size: articles per ``nlp.pipe`` batch.
        chunk_size: articles per task (rounded up to whole batches); default
            :data:`CHUNK_ARTICLES`.
        start_method: ``"auto"`` (default: see :func:`start_method_for`),
            ``"fork"``, ``"forkserver"`` (safe with threads in this process, spaCy
            imported once) or ``"spawn"``.

    Returns:
        An iterator of :class:`~kgbuild.graph.resolve.ArticleResult`, in input order.

    Raises:
        kgbuild.core.errors.ConfigError: a bad ``workers`` or ``start_method``, or the
            pipeline is not installed.
        kgbuild.core.errors.KgbuildError: when a worker process dies.
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}", input=str(workers),
                          fix="pass --workers 1 or more")
    size = default_chunk_size(batch_size, articles=chunk_size or CHUNK_ARTICLES)
    ctx = process_context(start_method_for(start_method), preload=[__name__])
    window = 2 * workers
    pending: deque[Future[bytes]] = deque()
    # the workers exit by themselves if this process is killed (core.processes.watch_parent)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               **watched(_init_worker, (kb, model)))
    try:
        chunks = tapered(articles, size, batch_size=batch_size, workers=workers)
        for chunk in chunks:
            pending.append(pool.submit(_worker_task, chunk, batch_size))
            if len(pending) >= window:
                yield from _results(pending.popleft())
        while pending:
            yield from _results(pending.popleft())
    except BrokenProcessPool as exc:
        raise KgbuildError(
            f"a worker process died during extraction ({exc})", input=f"{workers} workers",
            fix="check the memory available per worker, or rerun with fewer --workers") from exc
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


