"""The one orchestrator: articles -> nlp -> extractors -> resolve -> rdf.

``build`` returns a :class:`KnowledgeGraph` wrapping the ``rdflib.Dataset``; the command
line and notebooks are thin shells over it and over :func:`load`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from kgbuild._compat import moved_attribute
from kgbuild.core.config import Settings
from kgbuild.core.counting import DistinctCounter
from kgbuild.core.errors import InputError, KgbuildError
from kgbuild.core.model import Article
from kgbuild.core.namespaces import KG
from kgbuild.execution import extract_results
from kgbuild.execution.step import fewer_collections, frozen_heap
from kgbuild.graph.rdf import KB_GRAPH, article_graph, fact_reports, kb_within, to_graphs
from kgbuild.graph.resolve import ArticleResult, resolve
from kgbuild.inputs.articles import read_articles
from kgbuild.kb.knowledge_base import KnowledgeBase, load_kb
from kgbuild.kg.graph import BuildStats, KnowledgeGraph
from kgbuild.kg.stored import StoreKnowledgeGraph
from kgbuild.store import StoreWriter

__all__ = ["build", "check_build"]


def __getattr__(name: str) -> Any:  # names that moved out (kgbuild._compat)
    return moved_attribute(__name__, name)

log = logging.getLogger(__name__)


def build(sources: Iterable[str | os.PathLike[str]] | str | os.PathLike[str], *,
          settings: Settings | None = None,
          progress: Callable[[int, int | None], None] | None = None,
          on_problem: Callable[[KgbuildError], None] | None = None,
          dask: Any = None,
          store: Any = None,
          prune: bool = False) -> KnowledgeGraph:
    """Build a knowledge graph from article files and folders.

    Args:
        sources: files (.txt, .html, .jsonl) and folders of them.
        settings: run settings (defaults: :class:`kgbuild.core.config.Settings`).
        progress: called with (articles done, total or None) after each article.
        on_problem: called with each skipped input's error (otherwise logged).
        dask: extract on a Dask cluster: a scheduler address, ``"local"``, or a
            ``distributed.Client`` (see :mod:`kgbuild.execution.dask_cluster`).  Otherwise
            ``settings.workers`` processes extract (see :mod:`kgbuild.execution.processes`).
            Either way the graph is the same as a serial build's, byte for byte.
        store: a store folder (see :mod:`kgbuild.store.oxstore`) to build into: only new or
            changed articles are processed, in chunks of ``settings.store_chunk``
            (memory stays flat), each article's graph is replaced atomically, events
            are merged across every article in the store at the end, and the
            store-backed graph is returned.
        prune: with ``store``, remove the graphs of articles no longer in the
            sources (not done when an input was skipped).

    Returns:
        The :class:`KnowledgeGraph`.

    Raises:
        kgbuild.core.errors.InputError: when no article can be read (or, strict, any problem).
        kgbuild.core.errors.StoreError: the store cannot be written, or another process uses it.

    >>> kg = build(["seeds/"])
    >>> kg.stats.articles
    2
    >>> kg.validate().conforms
    True
    """
    settings = settings or Settings()
    started = time.perf_counter()
    stats = BuildStats()

    def problem(err: KgbuildError) -> None:
        from kgbuild.core.errors import InputWarning

        if not isinstance(err, InputWarning):
            stats.skipped += 1
        stats.problems.append(str(err))
        if on_problem is not None:
            on_problem(err)
        else:
            log.warning("%s", err)

    def nothing_read() -> InputError:
        named = sources if not isinstance(sources, (str, os.PathLike)) else [sources]
        return InputError("no article could be read", input=", ".join(map(str, named)),
                          fix="check the messages above; pass .txt, .html or .jsonl files")

    kb = load_kb(settings.kb_paths, world=settings.world)
    # the knowledge base (and all else alive now) out of the collections the build sets
    # off, for the build only
    with frozen_heap():
        stream = read_articles(sources, strict=settings.strict, on_problem=problem,
                               follow_symlinks=settings.follow_symlinks)
        if store is not None:
            with StoreWriter(store) as writer:
                _build_into_store(writer, stream, kb, settings, stats, progress=progress,
                                  dask=dask, prune=prune)
                if not stats.articles and not writer.seen:
                    raise nothing_read()
            stats.seconds = time.perf_counter() - started
            return StoreKnowledgeGraph(store, stats)

        articles: list[Article] = []
        results: list[ArticleResult] = []

        def keep(it: Iterable[Article]) -> Iterable[Article]:
            for a in it:
                articles.append(a)
                yield a

        within = kb_within(kb)
        with fewer_collections():
            for result in extract_results(keep(stream), kb=kb, settings=settings, dask=dask):
                _write_own_graph(result, articles, len(results), within=within)
                results.append(result)
                if progress is not None:
                    progress(len(results), None)
            if not results:
                raise nothing_read()
            resolved = resolve(results)
            graphs = list(to_graphs(resolved, articles, kb))
            triples, counted = _count(graphs, (KG.trigger, KG.stance, KG.outcome))
        stats.articles = len(results)
        stats.triples = triples
        stats.entities = len(resolved.entities)
        stats.events = len(counted[KG.trigger])
        stats.statements = len(counted[KG.stance])
        stats.claims = len(counted[KG.outcome])
        stats.seconds = time.perf_counter() - started
        return KnowledgeGraph(graphs=graphs, stats=stats)


def check_build(kg: KnowledgeGraph, *, shapes: Sequence[str | os.PathLike[str]] = (),
                workers: int = 1, engine: str = "auto") -> Any:
    """The SHACL check ``kgbuild build`` runs after building (``--no-validate`` skips it).

    A store build checks only the article graphs it wrote (``kg.stats.written``) with
    the knowledge-base graph, so an incremental run costs what it adds; a graph file's
    graph is checked whole. The engine is SHACL compiled to SPARQL on Oxigraph unless
    ``engine="pyshacl"`` (see :mod:`kgbuild.check.engines`).

    Returns:
        A :class:`kgbuild.check.validate.ValidationReport`.
    """
    if isinstance(kg, StoreKnowledgeGraph):
        return kg.validate(shapes=shapes, engine=engine, workers=workers,
                           graphs=set(kg.stats.written))
    return kg.validate(shapes=shapes, engine=engine, workers=workers)


def _count(graphs: Sequence[tuple[Any, Sequence[Any]]], properties: Sequence[Any]
           ) -> tuple[int, dict[Any, set[Any]]]:
    """The number of distinct triples in the union of ``graphs``, and the subjects of
    each of ``properties`` in it.

    Two graphs can state the same triple only about a subject both of them have, and
    :func:`kgbuild.graph.rdf.to_graphs` gives each triple once per graph; so only the
    triples of subjects in several graphs (entities, agreements, merged events) are
    put in a set, and the others (mentions, most facts: the bulk) are just counted.
    Hashing a triple costs a Python call per literal in it (rdflib's ``Literal``).

    Args:
        graphs: ``(graph name, triples)`` pairs, no triple twice in one graph.
        properties: the properties whose subjects are wanted.

    Returns:
        The count, and each property's subjects.
    """
    owner: dict[Any, int] = {}
    shared: set[Any] = set()
    for index, (_, triples) in enumerate(graphs):
        for s in {t[0] for t in triples}:
            if owner.setdefault(s, index) != index:
                shared.add(s)
    counted: dict[Any, set[Any]] = {p: set() for p in properties}
    alone = 0
    common: set[Any] = set()
    for _, triples in graphs:
        for t in triples:
            if t[0] in shared:
                common.add(t)
            else:
                alone += 1
            subjects = counted.get(t[1])
            if subjects is not None:
                subjects.add(t[0])
    return alone + len(common), counted


def _write_own_graph(result: ArticleResult, articles: Sequence[Article], index: int, *,
                     within: Mapping[str, Sequence[str]] | None = None) -> None:
    """Write the article's own graph as soon as its result comes back from a worker, and
    read its event reports for the merge across articles when ``within`` is given.

    Workers return records without graphs (their RDF terms cost more to unpickle than the
    graph costs to write here). Written now, while the workers parse the next articles,
    it is not left for the end of the build, when only this process has work.
    ``articles[index]`` is normally the result's article: results come in input order.
    """
    if result.graph is None:
        article = articles[index] if index < len(articles) else None
        if article is None or article.id != result.article_id:
            article = next(a for a in articles if a.id == result.article_id)
        result.graph = article_graph(result, article)
    if within is not None and result.reports is None:
        result.reports = fact_reports(result.article_id, result.graph, within)


def _build_into_store(writer: Any, stream: Iterable[Article], kb: KnowledgeBase,
                      settings: Settings, stats: BuildStats, *,
                      progress: Callable[[int, int | None], None] | None, dask: Any,
                      prune: bool) -> None:
    """Extract the new and changed articles and write them into an open store, a chunk
    of ``settings.store_chunk`` articles at a time (see :mod:`kgbuild.store.oxstore`).

    One extraction stream (one pool of workers) runs through the whole corpus; each
    chunk of its results is resolved, turned into RDF, written and dropped, so
    memory does not grow with the corpus.
    """
    pending: list[Article] = []  # read (perhaps ahead by the workers), not yet written
    results: list[ArticleResult] = []
    # distinct names counted in 8 bytes each: kept as terms, they grew the process with
    # the corpus (kgbuild.core.counting)
    seen = {name: DistinctCounter() for name in ("entities", "events", "statements", "claims")}

    def keep(it: Iterable[Article]) -> Iterable[Article]:
        for a in it:
            pending.append(a)
            yield a

    counted = {KG.trigger: seen["events"], KG.stance: seen["statements"],
               KG.outcome: seen["claims"]}

    def flush() -> None:
        resolved = resolve(results)
        # triples straight to the store: no rdflib Dataset in between; each article's
        # own graph (events are merged across the whole store at the end)
        graphs = list(to_graphs(resolved, pending[:len(results)], kb, merge=False))
        seen["entities"].update(resolved.entities)  # keys: the same entity, the same key
        for _, triples in graphs:
            for s, p, _o in triples:
                counter = counted.get(p)
                if counter is not None:
                    counter.add(s)
        writer.write_graphs(graphs)
        stats.written.extend(str(name) for name, _ in graphs if name != KB_GRAPH)
        stats.articles += len(results)
        del pending[:len(results)]
        results.clear()

    # the open store runs native threads (RocksDB's) that Python does not see: workers
    # start from a clean server, never by forking this process
    for result in extract_results(keep(writer.select(stream)), kb=kb, settings=settings,
                                  dask=dask, start_method="forkserver"):
        _write_own_graph(result, pending, len(results))
        results.append(result)
        if progress is not None:
            progress(stats.articles + len(results), None)
        if len(results) >= settings.store_chunk:
            flush()
    if results:
        flush()
    if prune and stats.skipped:
        log.warning("not pruning the store: %d input(s) could not be read, so their "
                    "articles may still belong in it", stats.skipped)
    elif prune:
        stats.pruned = writer.prune()
    # always, even when nothing was written: a build killed before this step left
    # articles unmerged, and a prune may have taken away one report of an event
    renamed = writer.merge_events(kb, kb_within(kb))
    seen["events"].rename(renamed)
    stats.entities = len(seen["entities"])
    stats.events = len(seen["events"])
    stats.statements = len(seen["statements"])
    stats.claims = len(seen["claims"])
    stats.unchanged = writer.unchanged
    stats.triples = len(writer)
    if settings.store_answers:
        # last: any later change would make them stale (and they would be dropped)
        stats.answers = writer.precompute_answers()


