"""Reading a store: opening it read-only, the readers open in this process, the size of
its union, its literals with their integer datatypes restored, and SELECT queries run on
it in place.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Literal, URIRef

from kgbuild.core.errors import KgbuildError
from kgbuild.core.oxterms import integer_datatypes
from kgbuild.query.checks import _check
from kgbuild.query.engines import _failed, _run_on_store, _unparsable
from kgbuild.query.limits import _run_bounded
from kgbuild.query.ordering import plan_order
from kgbuild.query.results import QueryResult
from kgbuild.store.answers import cache_key, generation, load_answer, save_answer
from kgbuild.store.layout import _open_failed, damaged_store, database_path

__all__ = ["query_store"]


def _triple_count(store: Any) -> int:
    """The size of a kgbuild store's default graph: its distinct triples."""
    for row in store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):
        return int(row[0].value)
    return 0


@functools.cache
def _integer_datatypes() -> dict[URIRef, URIRef]:
    """Properties whose shipped shape asks for a datatype derived from xsd:integer."""
    from rdflib import Graph

    from kgbuild.check.validate import default_shapes_path

    return integer_datatypes(Graph().parse(default_shapes_path(), format="turtle"))


def _restore_datatypes(ds: Dataset) -> None:
    """Give integer literals back the derived datatype the shapes ask for.

    Oxigraph stores every integer-derived literal (``"3"^^xsd:nonNegativeInteger``)
    as ``xsd:integer``; the value is the same, but SHACL checks the datatype.
    """
    from rdflib.namespace import XSD

    datatypes = _integer_datatypes()
    for graph in ds.graphs():
        for predicate, datatype in datatypes.items():
            for s, p, o in list(graph.triples((None, predicate, None))):
                if isinstance(o, Literal) and o.datatype == XSD.integer:
                    graph.remove((s, p, o))
                    graph.add((s, p, Literal(str(o), datatype=datatype)))


def _open_read_only(path: Path) -> Any:
    db = database_path(path)
    if not (db / "CURRENT").exists():
        # The first build was stopped before it stored anything: an empty store.
        return ox.Store()
    try:
        return ox.Store.read_only(str(db))
    except (OSError, RuntimeError) as exc:
        raise _open_failed(db, exc, writing=False) from exc


#: open readers in this process; a writer in this process closes them first (they
#: reopen on their next use), so ``kg = build(store=d)`` does not block the next build.
_READERS: weakref.WeakSet[Any] = weakref.WeakSet()  # kgbuild.kg.stored.StoreKnowledgeGraph


def _suspend_readers(path: Path) -> None:
    target = path.resolve()
    for reader in list(_READERS):
        if reader.path.resolve() == target:
            reader._suspend()


def query_store(store: Any, sparql: str, *, params: Mapping[str, Any] | None = None,
                timeout: float | None = 30, limit: int | None = None,
                allow_service: bool = False, union: bool = True,
                memory_mb: int | None = 1024,
                source: str | os.PathLike[str] | None = None, answers: bool = True) -> Any:
    """Run a SELECT query on a ``pyoxigraph.Store`` over the union of its graphs.

    ``union=False`` queries the default graph alone: a kgbuild store keeps the union
    of its article graphs there (see :class:`StoreWriter`), which Oxigraph queries
    many times faster than its union of named graphs.

    The same rules as :func:`kgbuild.query.sparql.run_query` apply (SELECT only, no
    ``FROM``, ``SERVICE`` refused unless allowed, parameters bound as terms,
    ``timeout``, ``limit`` and ``memory_mb``), but the store is queried in place,
    not copied.

    ``source``, the store's folder, names the store in errors; and its answers kept
    beside it (:mod:`kgbuild.store.answers`) are read back, and new ones kept, unless
    ``answers`` is False.  A caller that gives ``source`` holds the store's reader lock
    (:func:`~kgbuild.store.layout.reader_lock`) for the ``store`` it queries, as
    :class:`~kgbuild.kg.stored.StoreKnowledgeGraph` does, or is its writer.

    Returns:
        A :class:`kgbuild.query.sparql.QueryResult`.

    Raises:
        QueryError: as :func:`kgbuild.query.sparql.run_query`.
        QueryTimeout: the query ran longer than ``timeout``.
        QueryMemoryExceeded: the query took more than ``memory_mb`` MiB.

    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("urn:x:a"), ox.NamedNode("urn:x:p"), ox.Literal("A"),
    ...                   ox.NamedNode("urn:x:g")))
    >>> [str(row[0]) for row in query_store(store, "SELECT ?s WHERE { ?s ?p ?o }")]
    ['urn:x:a']
    """
    # The checks, the engine's inputs and rows, and the limits are kgbuild.query's; only
    # the store differs: it is queried in place, not copied.
    checked = _check(sparql, params, limit=limit, allow_service=allow_service)
    sparql = checked.sparql
    # answers kept beside the store (kgbuild.store.answers): read back while the data is
    # the same; the generation is read before the query runs
    kept = generation(source) if source is not None and answers else None
    key = None if kept is None else cache_key(
        sparql, checked.prepared.algebra, checked.bound, union=union,
        allow_service=allow_service)
    if kept is not None and key is not None:
        hit = load_answer(source, kept, key, limit=limit)  # type: ignore[arg-type]
        if hit is not None:
            return hit
    # a sorted query reads every row anyway: then the whole answer is made, and kept
    whole = key is not None and (limit is None
                                 or plan_order(sparql, checked.prepared.algebra) is not None)

    def work(cancel: threading.Event, ready: threading.Event) -> QueryResult:
        # a sorted query runs unsorted and is sorted in Python (kgbuild.query.ordering);
        # Oxigraph's solutions are dropped in this thread
        return _run_on_store(store, checked, None if whole else limit, cancel, union=union)

    status, payload = _run_bounded(
        work, sparql=sparql, timeout=timeout, memory_mb=memory_mb,
        thread_name="kgbuild-store-query", in_place=True,
        timeout_fix="add a LIMIT or narrower patterns, or raise the timeout",
    )
    if status == "error":
        if isinstance(payload, KgbuildError):
            raise payload
        if isinstance(payload, RuntimeError) and source is not None:
            raise damaged_store(source, payload) from payload
        if isinstance(payload, SyntaxError):
            raise _unparsable(payload, sparql) from payload
        raise _failed(payload, sparql) from payload
    result: QueryResult = payload
    if whole and kept is not None and key is not None:
        save_answer(source, kept, key, result)  # type: ignore[arg-type]
        if limit is not None and len(result.rows) > limit:
            result = QueryResult(vars=result.vars, rows=result.rows[:limit], truncated=True)
    return result
