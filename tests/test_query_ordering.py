"""ORDER BY sorted in Python (kgbuild.query.ordering) against Oxigraph's own ORDER BY.

A sorted query runs unsorted in Oxigraph and its rows are sorted in Python. What is
checked:

- every shipped query, on the seeds' store and on a store of generated articles (with
  reports of the same events), is planned for the Python sort, and answers the rows
  Oxigraph's ORDER BY gives, in the same order up to ties: the rewritten query's rows
  (hidden sort keys included) sorted both ways have the same sequence of keys and the
  same rows within each run of equal keys; the final answers (DISTINCT, columns) are
  the same rows with the same sequence of key values;
- hand-made values of every kind (unbound, blank nodes, IRIs, strings, language
  strings, booleans, other datatypes, integers and decimals, doubles and floats, dates,
  date-times, years, year-months), with ties, ascending and descending, hidden keys,
  DISTINCT, LIMIT and OFFSET, sort as Oxigraph sorts them;
- what Python does not order as Oxigraph does (a key mixing numbers and strings, NaN,
  time zones, times, durations, ORDER BY expressions, REDUCED, a grouped query sorted by
  a variable it does not project) is left to Oxigraph, and the answer is still Oxigraph's;
- the rewriting finds the clauses of the outer query only (not those of sub-queries,
  strings or comments), keeps a trailing VALUES clause, and any other surprise leaves
  the query to Oxigraph.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import kgbuild
from kgbuild.query import list_queries
from kgbuild.query.checks import _check
from kgbuild.query.engines import _collect, _oxigraph_inputs
from kgbuild.query.ordering import OrderPlan, order_rows, plan_order
from kgbuild.store import database_path, query_store

QUERIES = list_queries()
EX = "https://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _plan(sparql: str) -> OrderPlan | None:
    checked = _check(sparql, None, limit=None, allow_service=False)
    return plan_order(checked.sparql, checked.prepared.algebra)


def _oxigraph_sorted(store: Any, sparql: str, *, union: bool, limit: int | None = None) -> Any:
    """The answer with Oxigraph's own ORDER BY (kgbuild's conversion of the rows)."""
    checked = _check(sparql, None, limit=limit, allow_service=False)
    text, substitutions = _oxigraph_inputs(checked.sparql, checked.projected, checked.bound)
    return _collect(store.query(text, use_default_graph_as_union=union,
                                substitutions=substitutions), limit, threading.Event())


def _rows(store: Any, sparql: str, *, union: bool) -> tuple[list[str], list[tuple[Any, ...]]]:
    """The variables and rows (pyoxigraph terms) of a query run by Oxigraph as it is.

    The solutions are dropped here: pyoxigraph refuses to free them in another thread
    (a query thread's garbage collection, should they end up in a reference cycle)."""
    solutions = store.query(sparql, use_default_graph_as_union=union)
    variables = [v.value for v in solutions.variables]
    rows = [tuple(s) for s in solutions]
    del solutions
    return variables, rows


def _runs(rows: Sequence[tuple[Any, ...]], key: Any) -> list[tuple[Any, Counter[Any]]]:
    """Consecutive rows with equal keys: (key, the rows as a multiset)."""
    out: list[tuple[Any, Counter[Any]]] = []
    for row in rows:
        k = key(row)
        if out and out[-1][0] == k:
            out[-1][1][row] += 1
        else:
            out.append((k, Counter([row])))
    return out


def assert_sorted_like_oxigraph(store: Any, sparql: str, *, union: bool) -> int:
    """The Python sort of ``sparql`` equals Oxigraph's ORDER BY up to ties.

    Returns:
        The number of ties met (rows sharing their keys with a neighbour).
    """
    plan = _plan(sparql)
    assert plan is not None, "the query is not planned for the Python sort"
    # 1. the rewritten query's rows, hidden keys included, sorted both ways
    variables, rows = _rows(store, plan.sparql, union=union)
    flat = dataclasses.replace(plan, hidden=(), distinct=False, offset=0, limit=None)
    ours = order_rows(variables, rows, flat)
    assert ours is not None, "the keys hold values the Python sort leaves to Oxigraph"
    order_by = " ".join(f"DESC(?{k})" if d else f"?{k}" for k, d in plan.keys)
    _, theirs = _rows(store, f"{plan.sparql}\nORDER BY {order_by}", union=union)
    index = [variables.index(k) for k, _ in plan.keys]

    def key(row: tuple[Any, ...]) -> tuple[Any, ...]:
        return tuple(row[i] for i in index)

    assert Counter(ours) == Counter(theirs)
    assert _runs(ours, key) == _runs(theirs, key)
    ties = sum(sum(c.values()) - 1 for _, c in _runs(ours, key))
    # 2. the answers, as kgbuild gives them and as Oxigraph's ORDER BY gives them
    mine = query_store(store, sparql, timeout=None, union=union)
    reference = _oxigraph_sorted(store, sparql, union=union)
    assert mine.vars == reference.vars
    assert Counter(mine.rows) == Counter(reference.rows)
    shown = [mine.vars.index(k) for k, _ in plan.keys if k in mine.vars]
    assert ([tuple(r[i] for i in shown) for r in mine.rows]
            == [tuple(r[i] for i in shown) for r in reference.rows])
    return ties


# --- every shipped query, on two built stores --------------------------------------------------


@pytest.fixture(scope="module")
def seeds_store(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> Any:
    folder = tmp_path_factory.mktemp("seeds") / "kg"
    kgbuild.build([seeds_dir], store=folder).close()
    return ox.Store.read_only(str(database_path(folder)))


@pytest.fixture(scope="module")
def generated_store(tmp_path_factory: pytest.TempPathFactory, shared_events: Any) -> Any:
    corpus = tmp_path_factory.mktemp("generated") / "corpus"
    shared_events.synthetic(corpus, 40, seed=3)
    shared_events(corpus, 3)  # reports of the same events: merged across articles
    folder = corpus.parent / "kg"
    kgbuild.build([corpus], store=folder).close()
    return ox.Store.read_only(str(database_path(folder)))


@pytest.mark.parametrize("info", QUERIES, ids=[info.name for info in QUERIES])
def test_every_shipped_query_is_sorted_in_python(info: Any) -> None:
    assert _plan(info.path.read_text(encoding="utf-8")) is not None


@pytest.mark.parametrize("info", QUERIES, ids=[info.name for info in QUERIES])
def test_shipped_queries_sort_like_oxigraph_on_the_seeds(seeds_store: Any, info: Any) -> None:
    assert_sorted_like_oxigraph(seeds_store, info.path.read_text(encoding="utf-8"), union=False)


@pytest.mark.parametrize("info", QUERIES, ids=[info.name for info in QUERIES])
def test_shipped_queries_sort_like_oxigraph_on_generated_articles(generated_store: Any,
                                                                  info: Any) -> None:
    assert_sorted_like_oxigraph(generated_store, info.path.read_text(encoding="utf-8"),
                                union=False)


def test_the_generated_store_has_ties_and_unbound_keys(generated_store: Any) -> None:
    """The shipped queries meet ties and unbound sort keys on the generated store."""
    ties = 0
    unbound = 0
    for info in QUERIES:
        sparql = info.path.read_text(encoding="utf-8")
        ties += assert_sorted_like_oxigraph(generated_store, sparql, union=False)
        plan = _plan(sparql)
        assert plan is not None
        result = query_store(generated_store, sparql, timeout=None, union=False)
        keys = [result.vars.index(k) for k, _ in plan.keys if k in result.vars]
        unbound += sum(1 for row in result.rows for i in keys if row[i] is None)
    assert ties > 0
    assert unbound > 0


# --- hand-made values --------------------------------------------------------------------------


def _literal(value: str, datatype: str | None = None, language: str | None = None) -> Any:
    if language:
        return ox.Literal(value, language=language)
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype
                                                       if ":" not in datatype else datatype))
    return ox.Literal(value)


#: values of each kind Python orders itself; each list repeats a value (a tie)
KINDS: dict[str, list[Any]] = {
    "text": [_literal("b"), _literal("a"), _literal("a", language="en"),
             _literal("a", language="de"), _literal("B", language="en"), _literal(""),
             _literal("\u00e9t\u00e9"), _literal("e\u0301"), _literal("\U0001F600"),
             _literal("true", "boolean"), _literal("0", "boolean"),
             _literal("x", "urn:x:type"), _literal("a", "urn:x:type"), _literal("b")],
    "exact": [_literal("10", "integer"), _literal("9", "integer"), _literal("-3", "integer"),
              _literal("2.5", "decimal"), _literal("-0.5", "decimal"),
              _literal("7", "nonNegativeInteger"), _literal("10", "integer"),
              _literal("10.0", "decimal")],
    "binary": [_literal("1.5E0", "double"), _literal("-2E3", "double"), _literal("INF", "double"),
               _literal("-INF", "double"), _literal("0.1", "float"), _literal("0.1", "double"),
               _literal("1.5E0", "double")],
    "dateTime": [_literal("2021-03-01T10:00:00", "dateTime"),
                 _literal("2021-03-01T09:30:00.5", "dateTime"),
                 _literal("1999-12-31T23:59:59", "dateTime"),
                 _literal("2021-03-01T10:00:00", "dateTime")],
    "date": [_literal("2021-03-10", "date"), _literal("2021-03-02", "date"),
             _literal("10000-01-01", "date"), _literal("-0044-03-15", "date"),
             _literal("2021-03-02", "date")],
    "gYearMonth": [_literal("2021-03", "gYearMonth"), _literal("2020-12", "gYearMonth"),
                   _literal("2021-03", "gYearMonth")],
    "gYear": [_literal("2021", "gYear"), _literal("10000", "gYear"), _literal("-0001", "gYear"),
              _literal("2021", "gYear")],
}
#: values Python leaves to Oxigraph (alone or mixed with the kind named)
UNSURE: dict[str, list[Any]] = {
    "numbers and strings": [_literal("10", "integer"), _literal("9"), _literal("a")],
    "exact and binary numbers": [_literal("1", "integer"), _literal("1.5E0", "double")],
    "dates and years": [_literal("2021-03-02", "date"), _literal("2021", "gYear")],
    "NaN": [_literal("NaN", "double"), _literal("1.0E0", "double")],
    "time zones": [_literal("2021-03-02Z", "date"), _literal("2021-03-01+05:00", "date")],
    "times": [_literal("10:00:00", "time"), _literal("09:00:00", "time")],
    "durations": [_literal("P10D", "duration"), _literal("P9D", "duration")],
}


def _store_of(values: list[Any]) -> Any:
    """Subjects s0, s1... of class ex:T, each with one ex:v value (a repeated value is a
    tie), blank nodes and IRIs among them, and two subjects without a value."""
    store = ox.Store()
    kind = ox.NamedNode(EX + "T")
    objects = [*values, ox.NamedNode(EX + "o1"), ox.BlankNode("b1"), ox.NamedNode(EX + "o0")]
    for i, value in enumerate(objects):
        subject = ox.NamedNode(f"{EX}s{i:02d}")
        store.add(ox.Quad(subject, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          kind))
        store.add(ox.Quad(subject, ox.NamedNode(EX + "v"), value))
        store.add(ox.Quad(subject, ox.NamedNode(EX + "group"), ox.Literal(str(i % 3))))
    for i in range(2):  # unbound ?v
        subject = ox.NamedNode(f"{EX}u{i}")
        store.add(ox.Quad(subject, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          kind))
        store.add(ox.Quad(subject, ox.NamedNode(EX + "group"), ox.Literal(str(i))))
    return store


_BODY = (f"WHERE {{ ?s a <{EX}T> ; <{EX}group> ?g . OPTIONAL {{ ?s <{EX}v> ?v }} }}")
HAND_QUERIES = {
    "ascending": f"SELECT ?s ?v {_BODY} ORDER BY ?v ?s",
    "descending": f"SELECT ?s ?v {_BODY} ORDER BY DESC(?v) ?s",
    "ties kept": f"SELECT ?s ?v {_BODY} ORDER BY ?v",
    "two keys": f"SELECT ?g ?v ?s {_BODY} ORDER BY ASC(?g) DESC(?v)",
    "hidden key, distinct": f"SELECT DISTINCT ?g {_BODY} ORDER BY DESC(?v) ?g",
    "hidden key": f"SELECT ?s {_BODY} ORDER BY ?v ?s",
    "slice": f"SELECT ?s ?v {_BODY} ORDER BY ?v ?s LIMIT 5 OFFSET 3",
}


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("name", list(HAND_QUERIES))
def test_values_of_each_kind_sort_like_oxigraph(kind: str, name: str) -> None:
    store = _store_of(KINDS[kind])
    assert_sorted_like_oxigraph(store, HAND_QUERIES[name], union=True)


@pytest.mark.parametrize("name", list(HAND_QUERIES))
def test_slices_and_distinct_equal_oxigraph_exactly_without_ties(name: str) -> None:
    # distinct values, so no ties: the answers are equal row for row
    values = [_literal(str(n), "integer") for n in (5, 3, 11, 7, 2, 13, 17, 19)]
    store = _store_of(values)
    sparql = HAND_QUERIES[name].replace("ORDER BY ?v", "ORDER BY ?v ?s") \
        if name in ("ties kept",) else HAND_QUERIES[name]
    plan = _plan(sparql)
    assert plan is not None
    mine = query_store(store, sparql, timeout=None)
    reference = _oxigraph_sorted(store, sparql, union=True)
    if name != "two keys" and "distinct" not in name:
        assert mine.rows == reference.rows
    else:
        assert Counter(mine.rows) == Counter(reference.rows)


@pytest.mark.parametrize("case", list(UNSURE))
def test_values_python_is_unsure_of_are_left_to_oxigraph(case: str) -> None:
    store = _store_of(UNSURE[case])
    sparql = HAND_QUERIES["ascending"]
    plan = _plan(sparql)
    assert plan is not None
    variables, rows = _rows(store, plan.sparql, union=True)
    assert order_rows(variables, rows, plan) is None
    mine = query_store(store, sparql, timeout=None)
    reference = _oxigraph_sorted(store, sparql, union=True)
    assert mine.vars == reference.vars
    assert Counter(mine.rows) == Counter(reference.rows)
    # Oxigraph sorted them: the keys come in its order (its ties may differ)
    assert [r[1] for r in mine.rows] == [r[1] for r in reference.rows]


def test_the_row_limit_cuts_the_sorted_answer() -> None:
    store = _store_of(KINDS["exact"])
    sparql = HAND_QUERIES["ascending"]
    full = query_store(store, sparql, timeout=None)
    page = query_store(store, sparql, timeout=None, limit=4)
    assert page.rows == full.rows[:4] and page.truncated
    assert not query_store(store, sparql, timeout=None, limit=len(full.rows)).truncated


def test_parameters_bound_to_sort_keys_and_hidden_keys() -> None:
    store = _store_of(KINDS["text"])
    # ?g is bound by substitution (projected); ?v, a hidden key, by a VALUES clause
    sparql = f"SELECT ?s ?g {_BODY} ORDER BY ?g ?v ?s"
    for params in ({"g": "1"}, {"v": "a"}):
        mine = query_store(store, sparql, params=params, timeout=None)
        checked = _check(sparql, params, limit=None, allow_service=False)
        text, substitutions = _oxigraph_inputs(checked.sparql, checked.projected,
                                               checked.bound)
        reference = _collect(store.query(text, substitutions=substitutions), None,
                             threading.Event())
        assert mine.rows and mine.rows == reference.rows


# --- planning ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("sparql", "why"), [
    (f"SELECT ?s {_BODY} ORDER BY STR(?v)", "an expression"),
    (f"SELECT ?s {_BODY} ORDER BY (-?v)", "an expression"),
    (f"SELECT REDUCED ?s {_BODY} ORDER BY ?v", "REDUCED"),
    (f"SELECT ?g (COUNT(?s) AS ?n) {_BODY} GROUP BY ?g ORDER BY ?v", "grouped, hidden key"),
    (f"SELECT ?s ?v {_BODY}", "no ORDER BY"),
    (f"SELECT ?s ?v {_BODY} LIMIT 3", "no ORDER BY"),
])
def test_queries_left_to_oxigraph(sparql: str, why: str) -> None:
    assert _plan(sparql) is None, why


def test_grouped_query_sorted_by_its_columns() -> None:
    store = _store_of(KINDS["exact"])
    sparql = (f"SELECT ?g (COUNT(?v) AS ?n) {_BODY} GROUP BY ?g "
              "ORDER BY DESC(?n) ?g LIMIT 2")
    plan = _plan(sparql)
    assert plan is not None and plan.hidden == () and plan.limit == 2
    assert "ORDER" not in plan.sparql.upper() and "LIMIT" not in plan.sparql.upper()
    assert query_store(store, sparql, timeout=None).rows \
        == _oxigraph_sorted(store, sparql, union=True).rows


def test_only_the_outer_clauses_are_rewritten() -> None:
    sparql = (
        "# ORDER BY ?nothing LIMIT 1 in a comment\n"
        "PREFIX ex: <https://example.org/>\n"
        "select distinct ?s (\"order by ?x limit 2\" AS ?note) where {\n"
        "  { SELECT ?s ?v WHERE { ?s ex:v ?v } ORDER BY ?v LIMIT 100 }\n"
        "  FILTER (?v != \"LIMIT 3 OFFSET 4\")\n"
        "}\n"
        "order by desc(?v) ?s  # the outer order\n"
        "limit 10 offset 2\n"
        "VALUES ?s { ex:a ex:b }\n"
    )
    plan = _plan(sparql)
    assert plan is not None
    assert plan.keys == (("v", True), ("s", False))
    assert plan.hidden == ("v",) and plan.distinct
    assert (plan.offset, plan.limit) == (2, 10)
    text = plan.sparql
    assert "ORDER BY ?v LIMIT 100" in text  # the sub-query keeps its own
    assert "order by ?x limit 2" in text and "LIMIT 3 OFFSET 4" in text
    assert "# ORDER BY ?nothing LIMIT 1 in a comment" in text
    assert "desc(?v)" not in text and "limit 10" not in text and "offset 2" not in text
    assert "VALUES ?s { ex:a ex:b }" in text
    assert 'AS ?note) ?v where {' in text


def test_planning_is_remembered() -> None:
    sparql = HAND_QUERIES["hidden key"]
    assert _plan(sparql) is _plan(sparql)
