"""Extraction at scale: a streaming serial loop, or worker processes.

Extraction (spaCy, then every extractor) is the expensive part of a build; resolution
and RDF are cheap passes over small records.  So this module runs extraction and
hands back :class:`~kgbuild.resolve.ArticleResult` records, the small, picklable
summary of one article (keys, mentions, events, statements, claims), never spaCy
Docs.  :func:`kgbuild.pipeline.build` then resolves and writes RDF in its own
process, exactly as in a serial build, so the graph is the same byte for byte.

Memory stays flat: articles are read, parsed and summarised as a stream, at most a
few chunks are in flight, and spaCy's ``memory_zone`` drops the strings and
lexemes each chunk adds to the vocabulary once the chunk is summarised.

Chunks are whole multiples of ``batch_size`` articles, so spaCy sees the very
batches of a serial run whichever process parses them.

>>> from kgbuild.articles import read_articles
>>> from kgbuild.kb import load_kb
>>> arts = list(read_articles(["seeds/"]))
>>> [r.article_id for r in extract_stream(arts, kb=load_kb())] == [a.id for a in arts]
True
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from itertools import islice
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, KgbuildError
from .kb import KnowledgeBase
from .model import Article
from .nlp import DEFAULT_MODEL, load_pipeline

if TYPE_CHECKING:
    from .config import Settings
    from .resolve import ArticleResult

__all__ = [
    "CHUNK_ARTICLES",
    "ZONE_ARTICLES",
    "chunked",
    "default_chunk_size",
    "extract_chunk",
    "extract_in_processes",
    "extract_results",
    "extract_stream",
    "process_context",
]

log = logging.getLogger(__name__)

#: Articles parsed inside one spaCy memory zone (a multiple of the batch size is used).
ZONE_ARTICLES = 256
#: Articles sent to a worker per task (a multiple of the batch size is used).
CHUNK_ARTICLES = 32
# One pipeline per process; spaCy's memory zones are process-wide, so extraction in
# threads of one process (Dask's threaded workers) takes turns.
_LOCK = threading.Lock()
_WORKER: dict[str, Any] = {}


def default_chunk_size(batch_size: int, *, articles: int = 32) -> int:
    """The chunk sent to a worker: about ``articles``, rounded up to whole batches.

    >>> default_chunk_size(4), default_chunk_size(5), default_chunk_size(64)
    (32, 35, 64)
    """
    batches = max(1, -(-articles // batch_size))
    return batches * batch_size


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Split a stream into lists of ``size`` items (the last may be shorter).

    >>> [len(c) for c in chunked(range(10), 4)]
    [4, 4, 2]
    """
    if size < 1:
        raise ValueError(f"chunk size must be at least 1, not {size}")
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _memory_zone(nlp: Any) -> Any:
    zone = getattr(nlp, "memory_zone", None)  # spaCy >= 3.8
    return zone() if zone is not None else nullcontext()


def extract_chunk(articles: Sequence[Article], *, kb: KnowledgeBase,
                  model: str = DEFAULT_MODEL, batch_size: int = 4) -> list[ArticleResult]:
    """Parse and summarise a few articles in this process, inside one memory zone.

    Args:
        articles: the articles, in order.
        kb: the knowledge base the extractors link names against.
        model: the spaCy pipeline's package name (loaded once per process).
        batch_size: articles per ``nlp.pipe`` batch.

    Returns:
        One :class:`~kgbuild.resolve.ArticleResult` per article, in order.

    Raises:
        kgbuild.errors.ConfigError: when the spaCy pipeline is not installed.
    """
    from .pipeline import extract_article  # the orchestrator's per-article step

    nlp = load_pipeline(model)
    out: list[ArticleResult] = []
    with _LOCK, _memory_zone(nlp):
        pairs = ((a.body, a) for a in articles)
        for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            out.append(extract_article(article, doc, kb))
    return out


def extract_stream(articles: Iterable[Article], *, kb: KnowledgeBase,
                   model: str = DEFAULT_MODEL, batch_size: int = 4,
                   zone_articles: int = ZONE_ARTICLES) -> Iterator[ArticleResult]:
    """Extract articles one after another in this process, as a stream.

    Args:
        articles: any iterable of articles; it is consumed lazily.
        kb: the knowledge base.
        model: the spaCy pipeline's package name.
        batch_size: articles per ``nlp.pipe`` batch.
        zone_articles: articles per spaCy memory zone (rounded to whole batches).

    Returns:
        An iterator of :class:`~kgbuild.resolve.ArticleResult`, in input order.
    """
    size = default_chunk_size(batch_size, articles=zone_articles)
    for chunk in chunked(articles, size):
        yield from extract_chunk(chunk, kb=kb, model=model, batch_size=batch_size)


def _init_worker(kb: KnowledgeBase, model: str) -> None:
    """Worker start-up: keep the KB, load the pipeline once (errors surface per task)."""
    _WORKER["kb"] = kb
    _WORKER["model"] = model
    try:
        load_pipeline(model)
    except KgbuildError as exc:  # reported by the first task, which can carry it home
        _WORKER["error"] = exc


def _worker_task(articles: list[Article], batch_size: int) -> list[ArticleResult]:
    error = _WORKER.get("error")
    if error is not None:
        raise error
    return extract_chunk(articles, kb=_WORKER["kb"], model=_WORKER["model"],
                         batch_size=batch_size)


def process_context(start_method: str = "forkserver") -> multiprocessing.context.BaseContext:
    """A multiprocessing context; ``forkserver`` preloads kgbuild and spaCy once.

    Raises:
        kgbuild.errors.ConfigError: when the start method is not available here.
    """
    methods = multiprocessing.get_all_start_methods()
    if start_method not in methods:
        raise ConfigError(f"the start method {start_method!r} is not available here",
                          input=start_method, fix=f"use one of {', '.join(methods)}")
    ctx = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        # import spaCy and kgbuild once in the server; each worker forks from it
        ctx.set_forkserver_preload(["kgbuild.parallel"])
    return ctx


def extract_in_processes(articles: Iterable[Article], *, kb: KnowledgeBase, workers: int,
                         model: str = DEFAULT_MODEL, batch_size: int = 4,
                         chunk_size: int | None = None,
                         start_method: str = "forkserver") -> Iterator[ArticleResult]:
    """Extract articles in ``workers`` processes; results come back in input order.

    Each process loads the spaCy pipeline once and receives the knowledge base
    once.  Chunks of articles go out, :class:`~kgbuild.resolve.ArticleResult`
    records come back; at most ``2 * workers`` chunks are in flight, so the
    input is read as the results are consumed.

    Args:
        articles: any iterable of articles; it is consumed lazily.
        kb: the knowledge base (sent to every worker).
        workers: how many processes (1 or more).
        model: the spaCy pipeline's package name.
        batch_size: articles per ``nlp.pipe`` batch.
        chunk_size: articles per task (rounded up to whole batches); default
            :data:`CHUNK_ARTICLES`.
        start_method: ``"forkserver"`` (default: safe with threads in this
            process, spaCy imported once), ``"spawn"`` or ``"fork"``.

    Returns:
        An iterator of :class:`~kgbuild.resolve.ArticleResult`, in input order.

    Raises:
        kgbuild.errors.ConfigError: a bad ``workers`` or ``start_method``, or the
            pipeline is not installed.
        kgbuild.errors.KgbuildError: when a worker process dies.
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}", input=str(workers),
                          fix="pass --workers 1 or more")
    size = default_chunk_size(batch_size, articles=chunk_size or CHUNK_ARTICLES)
    ctx = process_context(start_method)
    window = 2 * workers
    pending: deque[Future[list[ArticleResult]]] = deque()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                               initializer=_init_worker, initargs=(kb, model))
    try:
        chunks = chunked(articles, size)
        for chunk in chunks:
            pending.append(pool.submit(_worker_task, chunk, batch_size))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BrokenProcessPool as exc:
        raise KgbuildError(
            f"a worker process died during extraction ({exc})", input=f"{workers} workers",
            fix="check the memory available per worker, or rerun with fewer --workers") from exc
    finally:
        for fut in pending:
            fut.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def extract_results(articles: Iterable[Article], *, kb: KnowledgeBase, settings: Settings,
                    dask: Any = None) -> Iterator[ArticleResult]:
    """Extract with the means the settings ask for: this process, workers, or Dask.

    Args:
        articles: the article stream.
        kb: the knowledge base.
        settings: ``workers``, ``model`` and ``batch_size`` are used.
        dask: a scheduler address, ``"local"``, or a ``distributed.Client``;
            None: no Dask.

    Returns:
        An iterator of :class:`~kgbuild.resolve.ArticleResult`, in input order.
    """
    if dask is not None:
        from .distributed import extract_on_dask

        return extract_on_dask(articles, kb=kb, address=dask, model=settings.model,
                               batch_size=settings.batch_size)
    if settings.workers > 1:
        return extract_in_processes(articles, kb=kb, workers=settings.workers,
                                    model=settings.model, batch_size=settings.batch_size)
    return extract_stream(articles, kb=kb, model=settings.model, batch_size=settings.batch_size)
