"""The per-article step, and the serial strategy that runs it in this process.

:func:`extract_article` runs every extractor over one parsed article and summarises
it as an :class:`~kgbuild.graph.resolve.ArticleResult`; :func:`extract_chunk` parses a
few articles with spaCy and applies it.  The serial strategy (:func:`extract_stream`),
the process pool (:mod:`kgbuild.execution.processes`) and Dask
(:mod:`kgbuild.execution.dask_cluster`) all call :func:`extract_chunk`, so the graph is
the same byte for byte whichever runs it.
"""

from __future__ import annotations

import gc
import multiprocessing
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from itertools import islice
from typing import Any

from kgbuild.core.model import Article, Extraction
from kgbuild.extractors import run_extractors
from kgbuild.extractors.context import ArticleContext
from kgbuild.graph.rdf import article_graph
from kgbuild.graph.resolve import ArticleResult, summarize_article
from kgbuild.kb.knowledge_base import KnowledgeBase
from kgbuild.nlp.spacy_pipeline import DEFAULT_MODEL, load_pipeline

__all__ = [
    "CHUNK_ARTICLES",
    "ZONE_ARTICLES",
    "chunked",
    "default_chunk_size",
    "extract_article",
    "extract_chunk",
    "extract_stream",
    "fewer_collections",
    "freeze_long_lived",
    "frozen_heap",
]

#: Articles parsed inside one spaCy memory zone (a multiple of the batch size is used).
ZONE_ARTICLES = 256
# One pipeline per process; spaCy's memory zones are process-wide, so extraction in
# threads of one process (Dask's threaded workers) takes turns.
_LOCK = threading.Lock()


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


_FROZEN: set[str] = set()


def freeze_long_lived(what: str) -> None:
    """In a worker process, once per ``what`` (``"kb"``, ``"pipeline"``), just after
    loading it: take every object alive now out of the garbage collector's generations.

    The knowledge base and spaCy's pipeline (with the modules, some 200,000 objects)
    live as long as the worker, and the objects a chunk makes set off full
    collections that would walk them all again (a tenth of the extractors' time).
    Only in a worker process, which exists to extract: in any other process the
    objects alive at that moment may include a user's (an open store among them),
    which would never be collected; :func:`frozen_heap` is for those.
    """
    if what not in _FROZEN and multiprocessing.parent_process() is not None:
        _FROZEN.add(what)
        gc.freeze()


@contextmanager
def frozen_heap() -> Iterator[None]:
    """For the block: the objects alive at its start leave the garbage collector's
    generations (so the collections the block sets off do not walk them again), and
    go back at its end (nothing alive now is kept for ever)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


#: Allocations between two young-generation collections while a chunk is extracted
#: (Python's default is 700): the extractors make many short-lived objects (tokens,
#: spans, lists), and collecting them 30 times less often costs no memory to speak of.
GC_YOUNG = 20_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect the young generation every :data:`GC_YOUNG` allocations, then restore.

    Used around extraction, and by :func:`kgbuild.pipeline.build` around the whole
    build: with Python's default, the full collections that the records and triples
    of a corpus set off cost the main process more than the rest of its work.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_YOUNG), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _memory_zone(nlp: Any) -> Any:
    zone = getattr(nlp, "memory_zone", None)  # spaCy >= 3.8
    return zone() if zone is not None else nullcontext()


def extract_chunk(articles: Sequence[Article], *, kb: KnowledgeBase,
                  model: str = DEFAULT_MODEL, batch_size: int = 4,
                  graphs: bool = True) -> list[ArticleResult]:
    """Parse and summarise a few articles in this process, inside one memory zone.

    Args:
        articles: the articles, in order.
        kb: the knowledge base the extractors link names against.
        model: the spaCy pipeline's package name (loaded once per process).
        batch_size: articles per ``nlp.pipe`` batch.
        graphs: also write each article's own graph (see :func:`extract_article`).

    Returns:
        One :class:`~kgbuild.graph.resolve.ArticleResult` per article, in order.

    Raises:
        kgbuild.core.errors.ConfigError: when the spaCy pipeline is not installed.
    """
    nlp = load_pipeline(model)
    freeze_long_lived("pipeline")
    out: list[ArticleResult] = []
    with _LOCK, _memory_zone(nlp), fewer_collections():
        pairs = ((a.body, a) for a in articles)
        for doc, article in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            out.append(extract_article(article, doc, kb, graph=graphs))
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
        An iterator of :class:`~kgbuild.graph.resolve.ArticleResult`, in input order.
    """
    size = default_chunk_size(batch_size, articles=zone_articles)
    for chunk in chunked(articles, size):
        yield from extract_chunk(chunk, kb=kb, model=model, batch_size=batch_size)


def extract_article(article: Article, doc: Any, kb: KnowledgeBase, *,
                    graph: bool = True) -> ArticleResult:
    """Run every extractor over one parsed article and give its facts global keys.

    Args:
        article: the article.
        doc: its body, parsed.
        kb: the knowledge base.
        graph: also write the article's own graph into ``result.graph``. Worker
            processes leave it out: its RDF terms cost more to unpickle in the main
            process than the graph costs to write there from the small records
            (:func:`kgbuild.graph.rdf.to_graphs` writes it when it is missing).

    Returns:
        The article's :class:`~kgbuild.graph.resolve.ArticleResult`.
    """
    ctx = ArticleContext(article, doc, kb, Extraction(article))
    run_extractors(ctx)
    result = summarize_article(ctx)
    if graph:
        result.graph = article_graph(result, article)
    return result


#: Articles sent to a worker per task (a multiple of the batch size is used).
CHUNK_ARTICLES = 32
