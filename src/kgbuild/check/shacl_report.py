"""kgbuild's validation report from the results of the compiled SHACL queries: pySHACL's
report graph, the focus nodes described from the store, the
:class:`~kgbuild.check.validate.ValidationReport`, and pySHACL's results for the shapes
left uncompiled merged in.

Part of :mod:`kgbuild.check.shacl_sparql`.  :mod:`kgbuild.check.validate` and
:mod:`kgbuild.check.batched` (which load pySHACL) are imported inside the functions
that need them, so that importing this module does not load pySHACL.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgbuild.check.shacl_compile import CompiledShapes
from kgbuild.check.shacl_runner import RawResult
from kgbuild.check.shacl_shapes import _ALLOWED_SEVERITIES
from kgbuild.check.shacl_terms import _iri, _writable, from_ox
from kgbuild.core.oxterms import integer_datatypes, to_ox

if TYPE_CHECKING:  # imported when used: kgbuild.check.validate loads pySHACL
    from kgbuild.check.validate import ValidationReport


def _report_graph(results: Sequence[RawResult], shapes: Graph
                  ) -> tuple[Graph, BNode, list[tuple[RawResult, BNode]]]:
    """pySHACL's report graph for ``results``: a ``sh:ValidationReport`` whose
    ``sh:result`` nodes carry the focus node, path, value, source shape, component,
    severity and messages; blank-node shapes, paths and SPARQL constraints are copied
    from the shapes graph with their identifiers, as pySHACL copies them."""
    from kgbuild.check.batched import _copy_description
    from kgbuild.check.validate import KGSH
    from kgbuild.core.namespaces import PREFIXES

    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    graph.bind("kgsh", KGSH)
    root = BNode()
    graph.add((root, RDF.type, SH.ValidationReport))
    # pySHACL (warnings and infos allowed) conforms unless a result has another severity
    conforms = not any(r.severity not in _ALLOWED_SEVERITIES for r in results)
    graph.add((root, SH.conforms, Literal(conforms)))
    copied: set[Node] = set()
    nodes: list[tuple[RawResult, BNode]] = []

    def shape_node(node: Node | None) -> Node | None:
        if isinstance(node, BNode) and node not in copied:
            copied.add(node)
            _copy_description(shapes, node, graph)
        return node

    def add(result: RawResult) -> BNode:
        node = BNode()
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.sourceConstraintComponent, result.component))
        graph.add((node, SH.sourceShape, shape_node(result.source_shape) or BNode()))
        graph.add((node, SH.resultSeverity, result.severity))
        graph.add((node, SH.focusNode, result.focus))
        if result.value is not None:
            graph.add((node, SH.value, result.value))
        path = shape_node(result.path)
        if path is not None:
            graph.add((node, SH.resultPath, path))
        constraint = shape_node(result.source_constraint)
        if constraint is not None:
            graph.add((node, SH.sourceConstraint, constraint))
        for message in result.messages:
            graph.add((node, SH.resultMessage, message))
        for detail in result.details:
            graph.add((node, SH.detail, add(detail)))
        nodes.append((result, node))
        return node

    for result in results:
        graph.add((root, SH.result, add(result)))
    return graph, root, nodes


def _describe_foci(store: Any, options: dict[str, Any], foci: Iterable[Node]) -> Graph:
    """The triples :func:`kgbuild.check.validate._result` reads about focus nodes (labels and
    the articles they come from), fetched from the store into a small graph."""
    from kgbuild.core.namespaces import KG, NIF

    graph = Graph()
    nodes = {f for f in foci if isinstance(f, URIRef | BNode)}
    fetch = _Fetcher(store, options)
    claims: set[Node] = set()
    articles: set[Node] = set()
    wanted: list[tuple[URIRef, Node | None]] = [
        (RDFS.label, None), (KG.article, None), (NIF.referenceContext, None),
        (KG.claimA, None), (KG.claimB, None), (RDF.type, KG.Article)]
    for s, p, o in fetch.triples(nodes, wanted):
        if p == RDF.type:
            articles.add(s)
        elif p in (KG.claimA, KG.claimB):
            claims.add(o)
        elif p in (KG.article, NIF.referenceContext):
            articles.add(o)
        graph.add((s, p, o))
    for triple in fetch.triples(claims, [(KG.article, None)]):
        graph.add(triple)
        articles.add(triple[2])
    for triple in fetch.triples(articles, [(KG.fileName, None)]):
        graph.add(triple)
    return graph


class _Fetcher:
    """Reads the triples of given subjects and predicates from a store."""

    def __init__(self, store: Any, options: dict[str, Any]) -> None:
        self.store = store
        self.options = {k: v for k, v in options.items() if k != "named_graphs"}
        self.made: dict[Any, Node] = {}

    def term(self, value: Any) -> Node:
        found = self.made.get(value)
        if found is None:
            found = self.made[value] = from_ox(value)
        return found

    def triples(self, subjects: Iterable[Node], wanted: Sequence[tuple[URIRef, Node | None]]
                ) -> list[tuple[Node, Node, Node]]:
        """The triples of ``subjects`` with each (predicate, object or None: any):
        IRIs by SPARQL (a VALUES block of a few hundred joined to one pattern is
        read as lookups), blank nodes by pattern."""
        subjects = list(subjects)
        iris = sorted(s for s in subjects if _writable(s))
        out: list[tuple[Node, Node, Node]] = []
        for start in range(0, len(iris), 500):
            chunk = " ".join(_iri(s) for s in iris[start:start + 500])
            for predicate, obj in wanted:
                target = "?o" if obj is None else _iri(obj)
                query = (f"SELECT DISTINCT ?s ?o WHERE {{ VALUES ?s {{ {chunk} }} "
                         f"?s {_iri(predicate)} {target} }}")
                for row in self.store.query(query, **self.options):
                    out.append((self.term(row["s"]), predicate,
                                obj if obj is not None else self.term(row["o"])))
        graph = None if self.options.get("use_default_graph_as_union") else ox.DefaultGraph()
        for node in subjects:
            if not _writable(node):  # blank nodes, and IRIs SPARQL cannot write
                for predicate, obj in wanted:
                    target = None if obj is None else to_ox(obj)
                    for quad in self.store.quads_for_pattern(to_ox(node), to_ox(predicate),
                                                             target, graph):
                        out.append((node, predicate, self.term(quad.object)))
        return out


def _sort_key(result: Any) -> tuple[Any, ...]:
    # the order of kgbuild.check.validate.validate
    from kgbuild.check.validate import SEVERITIES

    return (SEVERITIES.index(result.severity) if result.severity in SEVERITIES
            else len(SEVERITIES), str(result.shape), str(result.focus), str(result.path),
            str(result.value))


def _validation_report(graph: Graph, shapes: Graph, data: Graph,
                       nodes: Sequence[tuple[RawResult, BNode]]) -> ValidationReport:
    """kgbuild's :class:`~kgbuild.check.validate.ValidationReport` of a report graph.

    The compiled results are read as :func:`kgbuild.check.validate._result` reads a pySHACL
    report (with its helpers for shape names, labels and articles, each looked up
    once per shape or focus node); other results of the graph (pySHACL's, for the
    shapes left to it) by ``_result`` itself.
    """
    from kgbuild.check.validate import (
        _SEVERITY_NAMES,
        ValidationReport,
        ValidationResult,
        _article_nodes,
        _articles,
        _label,
        _result,
        _shape_name,
    )

    names: dict[Node, str] = {}
    about: dict[Node, tuple[str, tuple[str, ...], set[Node]]] = {}
    results = []
    for raw, node in nodes:
        shape = raw.source_shape
        if shape not in names:
            names[shape] = _shape_name(shapes, shape)
        focus = raw.focus
        if focus not in about:
            about[focus] = (_label(data, focus), _articles(data, focus),
                            _article_nodes(data, focus))
        label, articles, article_nodes = about[focus]
        for article in article_nodes:  # as _result: the report graph names every article
            graph.add((node, RDFS.seeAlso, article))
        results.append(ValidationResult(
            severity=_SEVERITY_NAMES.get(raw.severity, str(raw.severity)), shape=shape,
            shape_name=names[shape], focus=focus, focus_label=label, path=raw.path,
            value=raw.value, message="; ".join(sorted(str(m) for m in set(raw.messages))),
            constraint=raw.component, articles=articles))
    compiled = {node for _, node in nodes}
    results.extend(_result(graph, node, shapes, data)
                   for node in set(graph.subjects(RDF.type, SH.ValidationResult))
                   if node not in compiled)
    ordered = tuple(sorted(results, key=_sort_key))
    conforms = not any(r.severity == "Violation" for r in ordered)
    return ValidationReport(conforms=conforms, results=ordered, graph=graph)


def _merge_pyshacl(graph: Graph, root: Node, compiled: CompiledShapes, store: Any,
                   options: dict[str, Any], graphs: Collection[str] | None,
                   data: Dataset | Graph | None) -> None:
    """Check the uncompiled shapes with pySHACL and add its results to ``graph``."""
    import pyshacl

    from kgbuild.check.batched import _copy_description
    from kgbuild.check.validate import union_graph

    shapes = Graph()
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    compiled_nodes = set(compiled.shapes)
    for s, p, o in compiled.shapes_graph:
        if s in compiled_nodes and (p in targets or (p == RDF.type and o == RDFS.Class)):
            continue  # checked by the compiled queries
        shapes.add((s, p, o))
    for prefix, namespace in compiled.shapes_graph.namespaces():
        shapes.bind(prefix, namespace)
    if data is not None:
        rdf = union_graph(data)
    else:
        rdf = Graph()
        source = None if options.get("use_default_graph_as_union") else ox.DefaultGraph()
        integers = integer_datatypes(compiled.shapes_graph)
        for quad in store.quads_for_pattern(None, None, None, source):
            s, p, o = from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)
            if isinstance(o, Literal) and o.datatype == XSD.integer and p in integers:
                o = Literal(str(o), datatype=integers[p])  # as kgbuild.check.batched does
            rdf.add((s, p, o))
    _, report, _ = pyshacl.validate(rdf, shacl_graph=shapes, inference="none", advanced=True,
                                    allow_warnings=True, allow_infos=True,
                                    abort_on_first=False, inplace=True)
    allowed: set[Node] | None = None
    if graphs is not None:
        allowed = {from_ox(q.subject) for g in graphs
                   for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))}
    for pyshacl_root in report.subjects(RDF.type, SH.ValidationReport):
        for node in report.objects(pyshacl_root, SH.result):
            if allowed is not None and report.value(node, SH.focusNode) not in allowed:
                continue
            _copy_description(report, node, graph)
            graph.add((root, SH.result, node))
    if any(True for _ in graph.objects(root, SH.result)):
        conforms = not any(graph.value(n, SH.resultSeverity) not in _ALLOWED_SEVERITIES
                           for n in graph.objects(root, SH.result))
        graph.set((root, SH.conforms, Literal(conforms)))
