"""Batched SHACL validation (kgbuild.check.batched) against whole-graph pySHACL.

The tests in test_parallel.py cover Datasets, a store without a default graph and
workers; these cover stores that keep the union of their graphs in the default
graph (as kgbuild's store does), the per-process pySHACL set-up and its
constraint-parameter index.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS

import kgbuild
from kgbuild.check.batched import _default_graph_is_union, _Union, validate_in_batches
from kgbuild.check.validate import ValidationReport

ox = pytest.importorskip("pyoxigraph")


def _keys(report: ValidationReport) -> set[tuple[str, ...]]:
    return {(r.severity, r.shape_name, str(r.focus), r.focus_label, str(r.path), str(r.value),
             r.message, *r.articles) for r in report}


@pytest.fixture(scope="module")
def seeds_kg(seeds_dir: Path) -> Any:
    return kgbuild.build([seeds_dir])


def _store(kg: Any, *, union: bool) -> Any:
    """The graph in a store; with ``union``, its default graph also holds every triple."""
    store = ox.Store()
    store.load(kg.serialize(None, format="nquads"), format=ox.RdfFormat.N_QUADS)
    if union:
        store.extend([ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                      for q in store.quads_for_pattern(None, None, None, None)])
    return store


def test_a_store_with_the_union_in_its_default_graph_is_read_there(seeds_kg: Any) -> None:
    store = _store(seeds_kg, union=True)
    assert _default_graph_is_union(store)
    assert isinstance(_Union(store).graph, ox.DefaultGraph)
    whole = seeds_kg.validate()
    for batch in (1, 3):
        batched = validate_in_batches(store, batch_articles=batch)
        assert _keys(batched) == _keys(whole)
        assert batched.counts() == whole.counts()


def test_a_store_without_the_union_is_read_from_every_graph(seeds_kg: Any) -> None:
    store = _store(seeds_kg, union=False)
    assert not _default_graph_is_union(store)
    assert _Union(store).graph is None
    # a default graph that holds something else is not taken for the union
    store.add(ox.Quad(ox.NamedNode("urn:x:note"), ox.NamedNode(str(RDFS.comment)),
                      ox.Literal("not the union"), ox.DefaultGraph()))
    assert not _default_graph_is_union(store)
    assert _Union(store).graph is None
    assert _keys(validate_in_batches(store, batch_articles=1)) == _keys(seeds_kg.validate())


def test_a_violation_across_article_graphs_is_found_in_a_union_store(
        seeds_kg_with_a_second_label: Any) -> None:
    kg = seeds_kg_with_a_second_label
    whole = kg.validate()
    assert not whole.conforms
    for union in (True, False):
        batched = validate_in_batches(_store(kg, union=union), batch_articles=1)
        assert not batched.conforms
        assert _keys(batched) == _keys(whole)
        assert len(batched.by_severity("Violation")) == len(whole.by_severity("Violation"))


def test_each_result_is_reported_once_in_the_report_graph(seeds_kg: Any) -> None:
    from rdflib.namespace import RDF, SH

    batched = validate_in_batches(_store(seeds_kg, union=True), batch_articles=1)
    nodes = list(batched.graph.subjects(RDF.type, SH.ValidationResult))
    assert len(nodes) == len(batched)
    assert {batched.graph.value(n, SH.focusNode) for n in nodes} == {r.focus for r in batched}
    roots = list(batched.graph.subjects(RDF.type, SH.ValidationReport))
    assert len(roots) == 1  # the batches' own report nodes are left out
    assert len(list(batched.graph.objects(roots[0], SH.result))) == len(nodes)


def test_indexed_parameter_list_answers_like_a_list() -> None:
    from kgbuild.check.batched import _IndexedList

    items = [URIRef("urn:a"), URIRef("urn:b")]
    indexed = _IndexedList(items)
    assert indexed == items and URIRef("urn:a") in indexed and URIRef("urn:c") not in indexed
    assert Literal("urn:a") not in indexed  # a literal is not equal to the IRI
    copy = indexed.copy()
    copy.append(URIRef("urn:c"))
    assert URIRef("urn:c") in copy and URIRef("urn:c") not in indexed
    assert isinstance(copy, _IndexedList) and copy == [*items, URIRef("urn:c")]


def test_pyshacl_is_set_up_once_per_process_with_the_same_parameters(seeds_kg: Any) -> None:
    from pyshacl import shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

    from kgbuild.check import batched as validate_scale

    validate_in_batches(seeds_kg.dataset, batch_articles=2)
    checker = validate_scale._CHECKERS[()]
    validate_in_batches(seeds_kg.dataset, batch_articles=1)
    assert validate_scale._CHECKERS[()] is checker  # shapes parsed and harvested once
    params, _ = shape_module.module.CONSTRAINT_PARAMS
    assert list(params) == list(ALL_CONSTRAINT_PARAMETERS)


@pytest.mark.slow
def test_a_union_store_in_workers(seeds_kg: Any) -> None:
    store = _store(seeds_kg, union=True)
    batched = validate_in_batches(store, batch_articles=1, workers=2)
    assert _keys(batched) == _keys(seeds_kg.validate())
