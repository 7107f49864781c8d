"""The two engines a checked query runs on: rdflib over an interruptible copy of the graph,
and Oxigraph over an in-memory store (or, through :func:`_collect`, a store on disk).

Both answer rows in the same form (:func:`kgbuild.query.terms._normalise`), stop at
``limit`` rows saying whether more existed, and stop with :class:`_Cancelled` once the
caller has given up on them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef, Variable
from rdflib.term import Node

from kgbuild.core.errors import QueryError
from kgbuild.core.oxterms import memoized, to_ox
from kgbuild.query.checks import _Checked, _query_error
from kgbuild.query.limits import _Cancelled
from kgbuild.query.ordering import collect_ordered, plan_order
from kgbuild.query.results import QueryResult
from kgbuild.query.terms import _normalise, _ox_answer, _sparql_term

__all__: list[str] = []


def _failed(exc: BaseException, sparql: str) -> QueryError:
    """The error for a query whose evaluation raised ``exc`` (not a kgbuild error)."""
    return _query_error(f"the query failed while running ({type(exc).__name__}: {exc})", sparql,
                        "check the functions and datatypes the query uses")


def _unparsable(exc: SyntaxError, sparql: str) -> QueryError:
    """The error for a query that rdflib parsed and Oxigraph cannot."""
    return _query_error(f"Oxigraph cannot parse the query ({exc})", sparql,
                        "correct the SPARQL syntax")


def _first_rows(solutions: Iterable[Any], row: Callable[[Any], tuple[Node | None, ...]],
                limit: int | None, cancel: threading.Event
                ) -> tuple[tuple[tuple[Node | None, ...], ...], bool]:
    """The rows of the first ``limit`` solutions (None: all), and whether more existed.

    Raises:
        _Cancelled: ``cancel`` was set.
    """
    rows: list[tuple[Node | None, ...]] = []
    truncated = False
    solution = None
    try:
        for solution in solutions:
            if cancel.is_set():
                raise _Cancelled
            if limit is not None and len(rows) >= limit:
                truncated = True  # one solution more than the limit exists
                break
            rows.append(row(solution))
    finally:
        # Oxigraph's solution iterator must be dropped in this thread: an exception
        # handed to the caller's thread would otherwise keep it alive in its frame.
        solutions = solution = None
    return tuple(rows), truncated


# --------------------------------------------------------------------------- rdflib


class _InterruptibleGraph(Graph):
    """An in-memory graph whose triple lookups stop once ``cancel`` is set.

    rdflib's SPARQL engine asks the graph for triples at every step, so a
    timed-out query stops soon after the caller gives up on it instead of
    running on in its abandoned thread.
    """

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self._cancel = cancel

    def triples(self, triple: Any) -> Any:
        if self._cancel.is_set():
            raise _Cancelled
        for found in super().triples(triple):
            if self._cancel.is_set():
                raise _Cancelled
            yield found


def _triples_of(dataset: Dataset | Graph) -> Iterable[tuple[Node, Node, Node]]:
    if isinstance(dataset, Dataset):
        return ((s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None)))
    return iter(dataset)


def _run_rdflib(dataset: Dataset | Graph, checked: _Checked, limit: int | None,
                cancel: threading.Event, ready: threading.Event) -> QueryResult:
    """Run ``checked`` with rdflib over a copy of ``dataset``'s union; ``ready`` is set once
    the copy is made."""
    union = _InterruptibleGraph(cancel)
    for triple in _triples_of(dataset):
        union.add(triple)
    ready.set()
    result = union.query(checked.prepared,
                         initBindings={Variable(k): v for k, v in checked.bound.items()})
    variables = tuple(str(v) for v in (result.vars or ()))
    rows, truncated = _first_rows(result, lambda row: tuple(_normalise(v) for v in row), limit,
                                  cancel)
    return QueryResult(vars=variables, rows=rows, truncated=truncated)


# --------------------------------------------------------------------------- Oxigraph


def _oxigraph_inputs(sparql: str, projected: frozenset[str],
                     bound: Mapping[str, URIRef | Literal]) -> tuple[str, dict[Any, Any]]:
    """The text and the substitutions Oxigraph runs for a checked query.

    Oxigraph substitutes terms only for projected variables (SEP-0007); any other
    parameter goes into a trailing VALUES clause written from escaped terms.
    """
    rest = {k: v for k, v in bound.items() if k not in projected}
    if rest:
        names = sorted(rest)
        sparql = (
            f"{sparql}\nVALUES ({' '.join('?' + n for n in names)}) "
            f"{{ ({' '.join(_sparql_term(rest[n]) for n in names)}) }}\n"
        )
    return sparql, {ox.Variable(k): to_ox(v) for k, v in bound.items() if k in projected}


def _collect(solutions: Any, limit: int | None, cancel: threading.Event) -> QueryResult:
    """The rows of Oxigraph's ``solutions``, at most ``limit`` of them.

    Raises:
        _Cancelled: ``cancel`` was set.
    """
    variables = tuple(v.value for v in solutions.variables)
    convert = memoized(_ox_answer)
    try:
        rows, truncated = _first_rows(
            solutions, lambda solution: tuple(map(convert, solution)), limit, cancel)
    finally:
        solutions = None  # dropped in this thread (see _first_rows)
    return QueryResult(vars=variables, rows=rows, truncated=truncated)


def _run_on_store(store: Any, checked: _Checked, limit: int | None, cancel: threading.Event,
                  *, union: bool) -> QueryResult:
    """Run ``checked`` on an Oxigraph ``store``: a query sorted by variables runs unsorted
    and its rows are sorted in Python (:mod:`kgbuild.query.ordering`), any other as it is.

    Raises:
        SyntaxError: Oxigraph cannot parse the query.
        _Cancelled: ``cancel`` was set.
    """
    plan = plan_order(checked.sparql, checked.prepared.algebra)
    if plan is not None:
        text, substitutions = _oxigraph_inputs(plan.sparql, checked.projected, checked.bound)
        try:
            solutions = store.query(text, use_default_graph_as_union=union,
                                    substitutions=substitutions)
        except SyntaxError:
            solutions = None  # the rewritten text: let the original speak for itself
        if solutions is not None:
            try:
                result = collect_ordered(solutions, plan, limit, cancel)
            finally:
                solutions = None  # dropped in this thread (see _first_rows)
            if result is not None:
                return result
    text, substitutions = _oxigraph_inputs(checked.sparql, checked.projected, checked.bound)
    return _collect(store.query(text, use_default_graph_as_union=union,
                                substitutions=substitutions), limit, cancel)


def _oxigraph_store(dataset: Dataset | Graph) -> Any:
    store = ox.Store()
    if isinstance(dataset, Dataset):
        data = dataset.serialize(format="nquads", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_QUADS)
    else:
        data = dataset.serialize(format="nt", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


def _run_oxigraph(dataset: Dataset | Graph, checked: _Checked, limit: int | None,
                  cancel: threading.Event, ready: threading.Event) -> QueryResult:
    """Run ``checked`` with Oxigraph over a copy of ``dataset``; ``ready`` is set once the
    copy is made."""
    store = _oxigraph_store(dataset)
    ready.set()
    if cancel.is_set():
        raise _Cancelled
    try:
        return _run_on_store(store, checked, limit, cancel, union=True)
    except SyntaxError as exc:
        raise _unparsable(exc, checked.sparql) from exc
