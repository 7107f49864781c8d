"""Every query in ``queries/`` over the graph of the seed articles, on two SPARQL engines.

The seeds are built once for the module. Each query runs on rdflib and on pyoxigraph and
must give the same columns (those its header declares) and the same rows. Queries with
parameters also run with a value taken from the seed graph: the most frequent value of
the parameter's column in the query's own unparameterised answer; the bound answer must
be the same on both engines and equal the unbound rows that have that value.

The module also checks the OWL 2 RL closure of the ontology plus the seed graph is
consistent (issue 4): no member of ``owl:Nothing`` and no error reported by owlrl.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import owlrl
import pytest
from rdflib import Dataset, Graph, Namespace
from rdflib.namespace import OWL, RDF
from rdflib.term import Node

import kgbuild
from kgbuild.query import QueryInfo, QueryResult, list_queries, run_query

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("rdflib", "oxigraph")
QUERIES = list_queries()
PARAMETERISED = [
    pytest.param(info, param.name, id=f"{info.name}:{param.name}")
    for info in QUERIES
    for param in info.parameters
]
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")  # owlrl's error messages


@pytest.fixture(scope="module")
def seed_graph(seeds_dir: Path) -> Dataset:
    return kgbuild.build([seeds_dir]).dataset


def run(dataset: Dataset, info: QueryInfo, engine: str, **params: str) -> QueryResult:
    return run_query(
        dataset,
        info.path.read_text(encoding="utf-8"),
        params=params or None,
        engine=engine,  # type: ignore[arg-type]
        timeout=120,
    )


def rows(result: QueryResult) -> list[str]:
    return sorted(map(repr, result.rows))


def test_the_library_is_complete() -> None:
    """The ten contract queries and the analyst's library are all there."""
    assert len(QUERIES) >= 18
    assert len(PARAMETERISED) >= 5


@pytest.mark.parametrize("info", QUERIES, ids=[info.name for info in QUERIES])
def test_engines_agree_on_the_seed_graph(seed_graph: Dataset, info: QueryInfo) -> None:
    by_engine = {engine: run(seed_graph, info, engine) for engine in ENGINES}
    rdflib_result, oxigraph_result = by_engine["rdflib"], by_engine["oxigraph"]
    assert rdflib_result.vars == oxigraph_result.vars == info.columns
    assert rows(rdflib_result) == rows(oxigraph_result)


def sample_value(seed_graph: Dataset, info: QueryInfo, name: str) -> Node:
    """The most frequent value of the parameter's column in the unbound answer."""
    assert name in info.columns, f"{info.name}: parameter {name} is not a column"
    result = run(seed_graph, info, "rdflib")
    column = info.columns.index(name)
    counts = Counter(row[column] for row in result.rows if row[column] is not None)
    if not counts:
        pytest.fail(f"{info.name} gives no value for ?{name} on the seed graph")
    return sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))[0][0]


@pytest.mark.parametrize(("info", "name"), PARAMETERISED)
def test_parameterised_queries_agree_on_the_seed_graph(
    seed_graph: Dataset, info: QueryInfo, name: str
) -> None:
    value = sample_value(seed_graph, info, name)
    bound = {engine: run(seed_graph, info, engine, **{name: str(value)}) for engine in ENGINES}
    assert bound["rdflib"].rows, f"{info.name} with {name}={value!s} gives nothing"
    assert rows(bound["rdflib"]) == rows(bound["oxigraph"])
    unbound = run(seed_graph, info, "rdflib")
    column = info.columns.index(name)
    expected = sorted(repr(row) for row in unbound.rows if row[column] == value)
    assert rows(bound["rdflib"]) == expected


def test_owl_rl_closure_of_ontology_and_seed_graph_is_consistent(seed_graph: Dataset) -> None:
    graph = Graph()
    for s, p, o, _ in seed_graph.quads((None, None, None, None)):
        graph.add((s, p, o))
    graph.parse(ROOT / "ontology" / "kgbuild.ttl", format="turtle")
    graph.parse(ROOT / "ontology" / "vocab.ttl", format="turtle")
    before = len(graph)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    assert len(graph) > before  # the closure drew conclusions
    assert not list(graph.subjects(RDF.type, OWL.Nothing))
    errors = [str(graph.value(n, ERR.error)) for n in graph.subjects(RDF.type, ERR.ErrorMessage)]
    assert errors == []
