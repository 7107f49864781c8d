"""SHACL validation of large graphs: article graphs in batches, on several cores.

pySHACL works through a graph one focus node at a time, in Python, and keeps the
whole data graph in rdflib's memory: a million triples take a single core a
quarter of an hour and several gigabytes.  kgbuild's graphs split naturally: every
fact lives in the named graph of the article that states it, and the shapes look
at most two steps away from a focus node (a mention's article text, the type of
an event a statement is about).  So :func:`validate_in_batches` checks a few
article graphs at a time, each batch together with

- the knowledge-base graph (entity descriptions every article may point to), and
- the ``rdf:type`` of every node the batch points to but does not describe (an
  event merged into another article's graph, a statement a contradiction links),

in as many processes as asked, and merges the reports.  Memory is bounded by the
batch, and the time grows linearly with the graph.

What a batch cannot see: a count across article graphs.  Each article graph
describes the nodes it mentions completely, and resolution gives every node one
label, one kind and one country, so the shipped shapes find the same problems both
ways; the tests compare the two reports on the seeds and a generated corpus.  Use
:func:`kgbuild.validate.validate` when a graph was edited by hand.

>>> from rdflib import Dataset
>>> validate_in_batches(Dataset()).conforms
True
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from .errors import ConfigError
from .namespaces import GAF, KG, KGR, PREFIXES
from .rdf import KB_GRAPH
from .validate import (
    KGSH,
    SEVERITIES,
    ValidationReport,
    ValidationResult,
    default_shapes_path,
    validate,
)

__all__ = ["article_batches", "validate_in_batches"]

log = logging.getLogger(__name__)

_KEY_FIELDS = ("severity", "shape_name", "focus", "path", "value", "message", "constraint")


def _graph_names(source: Any) -> list[str]:
    """Names of the article graphs (every named graph but the KB graph), sorted."""
    if isinstance(source, Dataset):
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        names = {str(g.identifier) for g in source.graphs()
                 if isinstance(g.identifier, URIRef) and g.identifier != DATASET_DEFAULT_GRAPH_ID}
    else:  # a pyoxigraph.Store
        names = {g.value for g in source.named_graphs() if hasattr(g, "value")}
    names.discard(str(KB_GRAPH))
    return sorted(names)


_DERIVED_INTEGERS = frozenset(XSD[n] for n in (
    "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger", "long",
    "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"))


def _integer_datatypes(shapes: Sequence[str]) -> dict[Node, URIRef]:
    """Properties whose shapes ask for a datatype derived from xsd:integer.

    Oxigraph stores ``"3"^^xsd:nonNegativeInteger`` as ``"3"^^xsd:integer`` (the
    same value); read from a store, such literals get the datatype back.
    """
    graph = Graph().parse(default_shapes_path(), format="turtle")
    for extra in shapes:
        graph.parse(extra)
    found: dict[Node, URIRef] = {}
    for shape, datatype in graph.subject_objects(SH.datatype):
        path = graph.value(shape, SH.path)
        if isinstance(path, URIRef) and datatype in _DERIVED_INTEGERS:
            found[path] = URIRef(str(datatype))
    return found


class _Union:
    """Triples of a Dataset or a pyoxigraph Store, over all graphs, by subject."""

    def __init__(self, source: Any, shapes: Sequence[str] = ()) -> None:
        self.source = source
        self.is_dataset = isinstance(source, Dataset)
        self.integers = {} if self.is_dataset else _integer_datatypes(shapes)

    def subjects_of(self, name: str) -> set[URIRef]:
        if self.is_dataset:
            return {s for s in self.source.graph(URIRef(name)).subjects()
                    if isinstance(s, URIRef)}
        import pyoxigraph as ox

        return {URIRef(q.subject.value)
                for q in self.source.quads_for_pattern(None, None, None, ox.NamedNode(name))
                if isinstance(q.subject, ox.NamedNode)}

    def types(self, node: URIRef) -> set[Node]:
        if self.is_dataset:
            return {o for _, _, o, _ in self.source.quads((node, RDF.type, None, None))}
        import pyoxigraph as ox

        return {URIRef(q.object.value) for q in self.source.quads_for_pattern(
            ox.NamedNode(str(node)), ox.NamedNode(str(RDF.type)), None, None)}

    def about(self, node: URIRef) -> set[tuple[Node, Node, Node]]:
        if self.is_dataset:
            return {(s, p, o) for s, p, o, _ in self.source.quads((node, None, None, None))}
        import pyoxigraph as ox

        out: set[tuple[Node, Node, Node]] = set()
        for q in self.source.quads_for_pattern(ox.NamedNode(str(node)), None, None, None):
            predicate, obj = URIRef(q.predicate.value), _from_ox(q.object)
            datatype = self.integers.get(predicate)
            if datatype is not None and isinstance(obj, Literal) and obj.datatype == XSD.integer:
                obj = Literal(str(obj), datatype=datatype)
            out.add((node, predicate, obj))
        return out


def _from_ox(term: Any) -> Node:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


#: A node pointed to is described in full when it has at most this many triples;
#: a bigger one (an entity named in many articles) brings its types, its literals and
#: its links to nodes of the batch, not its links to every article that names it.
DESCRIBE_LIMIT = 64
#: Links from an entity to its evidence; those into other batches are left out.
_EVIDENCE_LINKS = frozenset({GAF.denotedBy, KG.article})
_ENTITY_PREFIX = str(KGR["entity/"])


def article_batches(source: Any, *, batch_articles: int = 25, shapes: Sequence[str] = ()
                    ) -> Iterator[tuple[Graph, set[URIRef]]]:
    """Yield self-contained batches of a kgbuild graph and the focus nodes each owns.

    Every subject of the graph is owned by exactly one batch: the first whose
    article graphs state something about it (the knowledge-base graph comes last).
    A batch holds every triple about its owned nodes, from all graphs, and the
    nodes they point to: in full when small (a fact's mentions, a mention's
    article, a contradiction's claims), else their types, literals and links into
    the batch (see :data:`DESCRIBE_LIMIT`).  An entity's links to mentions and
    articles of other batches are left out: an entity named in every article would
    otherwise bring the whole corpus into its batch.

    Args:
        source: an ``rdflib.Dataset`` or a ``pyoxigraph.Store`` written by kgbuild.
        batch_articles: article graphs per batch.
        shapes: extra shapes files (their integer datatypes are restored from a store).

    Returns:
        An iterator of (rdflib Graph, owned focus nodes).

    Raises:
        kgbuild.errors.ConfigError: when ``batch_articles`` is below 1.
    """
    if batch_articles < 1:
        raise ConfigError(f"batch_articles must be at least 1, not {batch_articles}",
                          input=str(batch_articles), fix="pass 1 or more")
    union = _Union(source, shapes)
    names = _graph_names(source)
    groups = [names[i:i + batch_articles] for i in range(0, len(names), batch_articles)]
    groups.append([str(KB_GRAPH)])
    done: set[URIRef] = set()
    for group in groups:
        owned: set[URIRef] = set()
        for name in group:
            owned |= union.subjects_of(name)
        owned -= done
        done |= owned
        if not owned:
            continue
        batch = Graph()
        pointed: set[URIRef] = set()
        for node in owned:
            entity = str(node).startswith(_ENTITY_PREFIX)
            elsewhere: dict[Node, list[tuple[Node, Node, Node]]] = {}
            triples: Iterable[tuple[Node, Node, Node]]
            for triple in union.about(node):
                obj = triple[2]
                if isinstance(obj, URIRef) and obj not in owned:
                    if entity and triple[1] in _EVIDENCE_LINKS:
                        elsewhere.setdefault(triple[1], []).append(triple)
                        continue
                    pointed.add(obj)
                batch.add(triple)
            for link, triples in elsewhere.items():
                if (node, link, None) in batch:
                    continue  # evidence in other batches is checked with its article
                for triple in triples:  # no evidence here: keep the links, typed
                    batch.add(triple)
                    for kind in union.types(triple[2]):  # type: ignore[arg-type]
                        batch.add((triple[2], RDF.type, kind))
        for obj in pointed:
            triples = union.about(obj)
            small = len(triples) <= DESCRIBE_LIMIT
            for triple in triples:
                target = triple[2]
                if (small or triple[1] == RDF.type or isinstance(target, Literal)
                        or target in owned or target in pointed):
                    batch.add(triple)
        yield batch, owned


def _validate_batch(data: bytes, owned: frozenset[str],
                    shapes: Sequence[str]) -> tuple[list[ValidationResult], bytes]:
    """Validate one batch; keep the results about the nodes it owns."""
    graph = Graph().parse(data=data, format="nt")
    report = validate(graph, shapes=[Path(s) for s in shapes])
    kept = Graph()
    for node in report.graph.subjects(RDF.type, SH.ValidationResult):
        if str(report.graph.value(node, SH.focusNode)) in owned:
            _copy_description(report.graph, node, kept)
    results = [r for r in report.results if str(r.focus) in owned]
    return results, kept.serialize(format="nt", encoding="utf-8")


def _copy_description(source: Graph, node: Node, into: Graph) -> None:
    """Copy a node's triples, following blank nodes (its concise bounded description)."""
    todo = [node]
    seen: set[Node] = set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for _, p, o in source.triples((current, None, None)):
            into.add((current, p, o))
            if isinstance(o, BNode):
                todo.append(o)


def _key(result: ValidationResult) -> tuple[str, ...]:
    # anonymous shapes get new blank nodes in every batch: compare them by name
    shape = "" if isinstance(result.shape, BNode) else str(result.shape)
    return (shape, *(str(getattr(result, f)) for f in _KEY_FIELDS))


def _merge(parts: Iterable[tuple[list[ValidationResult], bytes]]) -> ValidationReport:
    merged: dict[tuple[str, ...], ValidationResult] = {}
    report_graph = Graph()
    for prefix, namespace in PREFIXES.items():
        report_graph.bind(prefix, namespace)
    report_graph.bind("kgsh", KGSH)
    kept_focus: set[tuple[str, ...]] = set()
    for found, data in parts:
        part = Graph().parse(data=data, format="nt") if data else Graph()
        for result in found:
            key = _key(result)
            seen = merged.get(key)
            if seen is None:
                merged[key] = result
            elif set(result.articles) - set(seen.articles):
                merged[key] = replace(seen, articles=tuple(sorted({*seen.articles,
                                                                   *result.articles})))
        for node in part.subjects(RDF.type, SH.ValidationResult):
            ident = tuple(str(part.value(node, p)) for p in (
                SH.focusNode, SH.resultPath, SH.value, SH.sourceConstraintComponent,
                SH.resultMessage, SH.resultSeverity))
            ident = (*ident, "" if isinstance(part.value(node, SH.sourceShape), BNode)
                     else str(part.value(node, SH.sourceShape)))
            if ident not in kept_focus:
                kept_focus.add(ident)
                _copy_description(part, node, report_graph)
    results = tuple(sorted(
        merged.values(),
        key=lambda r: (SEVERITIES.index(r.severity) if r.severity in SEVERITIES
                       else len(SEVERITIES), str(r.shape), str(r.focus), str(r.path),
                       str(r.value))))
    conforms = not any(r.severity == "Violation" for r in results)
    root = BNode()
    report_graph.add((root, RDF.type, SH.ValidationReport))
    report_graph.add((root, SH.conforms, Literal(conforms)))
    for node in list(report_graph.subjects(RDF.type, SH.ValidationResult)):
        report_graph.add((root, SH.result, node))
    return ValidationReport(conforms=conforms, results=results, graph=report_graph)


def validate_in_batches(source: Any, *, shapes: Sequence[str | Path] = (),
                        batch_articles: int = 25, workers: int = 1,
                        start_method: str = "forkserver") -> ValidationReport:
    """Validate a kgbuild graph batch by batch (see the module's description).

    Args:
        source: an ``rdflib.Dataset`` or a ``pyoxigraph.Store`` written by kgbuild.
        shapes: extra shapes files, besides the shipped ones.
        batch_articles: article graphs per batch.
        workers: processes validating batches at once.
        start_method: how worker processes start (see
            :func:`kgbuild.parallel.extract_in_processes`).

    Returns:
        One :class:`~kgbuild.validate.ValidationReport` for the whole graph; a
        result found in several batches is listed once.

    Raises:
        kgbuild.errors.ConfigError: for a bad ``batch_articles`` or ``workers``.
        kgbuild.errors.RDFInputError: when a shapes file cannot be read.
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}", input=str(workers),
                          fix="pass 1 or more")
    shape_files = [str(s) for s in shapes]
    batches = ((b.serialize(format="nt", encoding="utf-8"), frozenset(map(str, owned)))
               for b, owned in article_batches(source, batch_articles=batch_articles,
                                               shapes=shape_files))
    if workers == 1:
        return _with_entity_articles(
            _merge(_validate_batch(data, owned, shape_files) for data, owned in batches), source)
    from .parallel import process_context

    parts: list[tuple[list[ValidationResult], bytes]] = []
    pending: list[Future[tuple[list[ValidationResult], bytes]]] = []
    with ProcessPoolExecutor(max_workers=workers, mp_context=process_context(start_method)) as pool:
        for data, owned in batches:
            pending.append(pool.submit(_validate_batch, data, owned, shape_files))
            while len(pending) >= 2 * workers:
                parts.append(pending.pop(0).result())
        parts.extend(f.result() for f in pending)
    return _with_entity_articles(_merge(parts), source)


def _with_entity_articles(report: ValidationReport, source: Any) -> ValidationReport:
    """Name every article an entity comes from (a batch sees only its own)."""
    union = _Union(source)
    names: dict[Node, tuple[str, ...]] = {}

    def articles(entity: URIRef) -> tuple[str, ...]:
        if entity not in names:
            found = {str(name)
                     for _, p, article in union.about(entity) if p == KG.article
                     for _, q, name in union.about(article)  # type: ignore[arg-type]
                     if q == KG.fileName and isinstance(name, Literal)}
            names[entity] = tuple(sorted(found))
        return names[entity]

    results = tuple(
        replace(r, articles=tuple(sorted({*r.articles, *articles(r.focus)})))
        if isinstance(r.focus, URIRef) and str(r.focus).startswith(_ENTITY_PREFIX) else r
        for r in report.results)
    return ValidationReport(conforms=report.conforms, results=results, graph=report.graph)
