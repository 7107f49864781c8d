"""Run SPARQL SELECT queries over a kgbuild graph, safely, with rdflib or Oxigraph.

Safety rules, whatever the engine:

- ``SERVICE`` is refused (no federated calls leave the machine) unless the
  caller passes ``allow_service=True``;
- ``FROM`` / ``FROM NAMED`` are always refused: rdflib would dereference them
  over the network, and kgbuild queries run over the union of all graphs anyway;
- parameters are bound as RDF terms (rdflib ``initBindings``, Oxigraph
  ``substitutions``), never spliced into the query text, so a value such as
  ``x" } ; DROP ALL #`` is just a string to compare with;
- a query that runs longer than ``timeout`` seconds raises
  :class:`~kgbuild.core.errors.QueryTimeout`;
- a query whose evaluation takes more than ``memory_mb`` MiB (on top of the
  memory the process held once the graph was ready) raises
  :class:`~kgbuild.core.errors.QueryMemoryExceeded`: a watchdog reads the process's
  resident size every :data:`MEMORY_POLL_SECONDS` (Linux ``/proc``; elsewhere
  only the timeout applies).  A cross join of three patterns with ``ORDER BY``
  on the 1,679-triple seed graph grows by gigabytes within seconds;
- a result cut at ``limit`` rows says so (:attr:`QueryResult.truncated`).

Both engines run exactly the text that was checked: ``\\uXXXX`` escapes are
expanded and a lone carriage return becomes a line feed first (rdflib and
Oxigraph disagree on both, and a query could otherwise hide a ``SERVICE`` from
the check that only one engine sees), and a second, lexical check refuses the
``SERVICE`` and ``FROM`` keywords wherever they stand outside strings, IRIs and
comments.

This module runs a query (:func:`run_query`, :func:`run_named_query`) and is the
public face of the package's modules, from the lowest up:
:mod:`~kgbuild.query.catalogue` (the shipped queries and their headers),
:mod:`~kgbuild.query.terms` (terms as query text and as answers),
:mod:`~kgbuild.query.results` (:class:`QueryResult` and its renderings),
:mod:`~kgbuild.query.checks` (the safety rules and parameter binding),
:mod:`~kgbuild.query.limits` (time and memory limits) and
:mod:`~kgbuild.query.engines` (rdflib and Oxigraph).

>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("urn:x:a"), URIRef("urn:x:label"), Literal("A")))
>>> result = run_query(g, "SELECT ?s WHERE { ?s <urn:x:label> ?l }", params={"l": "A"})
>>> result.vars, [str(row[0]) for row in result.rows]
(('s',), ['urn:x:a'])
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import Dataset, Graph

from kgbuild.core.errors import QueryError
from kgbuild.query.catalogue import (
    QueryInfo,
    QueryParameter,
    list_queries,
    named_query,
    parse_header,
)
from kgbuild.query.checks import ParamValue, _check, _first_line
from kgbuild.query.engines import _failed, _run_oxigraph, _run_rdflib
from kgbuild.query.limits import DEFAULT_MEMORY_MB, MEMORY_POLL_SECONDS, _run_bounded
from kgbuild.query.results import MIN_COLUMN_WIDTH, QueryResult

__all__ = [
    "DEFAULT_MEMORY_MB",
    "MEMORY_POLL_SECONDS",
    "MIN_COLUMN_WIDTH",
    "Engine",
    "QueryInfo",
    "QueryParameter",
    "QueryResult",
    "list_queries",
    "named_query",
    "parse_header",
    "run_named_query",
    "run_query",
]

logger = logging.getLogger(__name__)

Engine = TypingLiteral["rdflib", "oxigraph"]


def run_query(
    dataset: Dataset | Graph,
    sparql: str,
    *,
    params: Mapping[str, ParamValue] | None = None,
    engine: Engine = "rdflib",
    timeout: float | None = 30,
    limit: int | None = None,
    allow_service: bool = False,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> QueryResult:
    """Run a SELECT query over the union of all graphs of ``dataset``.

    The query runs in a daemon worker thread so that it can be timed out. On
    timeout the thread is abandoned: the rdflib engine notices at its next
    triple lookup and stops; the Oxigraph engine stops at its next solution
    (one long native step may finish first).

    Args:
        dataset: the graph (a dataset's named graphs are merged; no ``GRAPH``
            needed). It is copied for each call, so it may change afterwards.
        sparql: the SELECT query text, with its own PREFIX declarations.
        params: values for query variables, bound as RDF terms; a string
            becomes a plain literal, or an IRI when the header declares the
            parameter ``iri``.
        engine: ``"rdflib"`` (pure Python) or ``"oxigraph"`` (faster).
        timeout: seconds before :class:`QueryTimeout`; None waits forever.
        limit: keep at most this many rows.
        allow_service: permit ``SERVICE`` (federated) calls.
        memory_mb: stop the query when evaluating it takes more than this many
            MiB (beyond the engine's copy of the graph); None: no cap.

    Returns:
        The solutions.

    Raises:
        QueryError: bad syntax, not a SELECT, ``FROM``/``SERVICE`` used, bad
            parameters, unknown engine, or an evaluation error.
        QueryTimeout: the query ran longer than ``timeout``.
        QueryMemoryExceeded: the query took more memory than ``memory_mb``.
    """
    if engine not in ("rdflib", "oxigraph"):
        raise QueryError(
            "unknown query engine", input=str(engine), fix="use 'rdflib' or 'oxigraph'"
        )
    checked = _check(sparql, params, limit=limit, allow_service=allow_service)
    sparql = checked.sparql

    run = _run_rdflib if engine == "rdflib" else _run_oxigraph

    def work(cancel: threading.Event, ready: threading.Event) -> QueryResult:
        return run(dataset, checked, limit, cancel, ready)

    logger.debug(
        "running query %r with %s (params: %s)", _first_line(sparql), engine,
        sorted(checked.bound)
    )
    status, payload = _run_bounded(
        work, sparql=sparql, timeout=timeout, memory_mb=memory_mb, thread_name="kgbuild-query",
        timeout_fix="add a LIMIT or narrower patterns, use engine='oxigraph', or raise the "
        "timeout",
    )
    if status == "error":
        if isinstance(payload, QueryError):
            raise payload
        raise _failed(payload, sparql) from payload
    result: QueryResult = payload
    logger.debug("query returned %d rows", len(result.rows))
    return result


def run_named_query(
    dataset: Dataset | Graph,
    name: str,
    **options: Any,
) -> QueryResult:
    """Run a shipped query by name; keyword options are those of :func:`run_query`.

    Args:
        dataset: the graph to query.
        name: the query's name (``"events"``).
        **options: passed to :func:`run_query` (params, engine, timeout, limit).

    Returns:
        The solutions.

    Raises:
        QueryError: unknown query name, or any error of :func:`run_query`.
        QueryTimeout: the query ran longer than the timeout.
    """
    sparql = named_query(name).read_text(encoding="utf-8")
    return run_query(dataset, sparql, **options)
