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

Each process parses and harvests the shapes once, and in each batch the shapes
check only the nodes the batch owns (the others are there to be looked at); on a
2-core machine a million quads take about 35 CPU-seconds per 100k quads, nearly
all of it pySHACL's (a 1,600-article store, 2 workers: see the benchmark).  A
store is read with ``quads_for_pattern``; when its default graph holds the union
of its graphs, as kgbuild's store keeps it, lookups about a node read that graph
alone.

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
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kgbuild.check.validate import (
    KGSH,
    SEVERITIES,
    ValidationReport,
    ValidationResult,
    _parse_into,
    _PreparedQueryGraph,
    _result,
    default_shapes_path,
)
from kgbuild.core.errors import ConfigError
from kgbuild.core.namespaces import GAF, KG, KGR, PREFIXES
from kgbuild.core.oxterms import integer_datatypes
from kgbuild.graph.rdf import KB_GRAPH

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


def _integer_datatypes(shapes: Sequence[str]) -> dict[URIRef, URIRef]:
    """Properties whose shapes (the shipped ones and ``shapes``) ask for a datatype
    derived from xsd:integer (see :func:`kgbuild.core.oxterms.integer_datatypes`)."""
    graph = Graph().parse(default_shapes_path(), format="turtle")
    for extra in shapes:
        _parse_into(graph, Path(extra))
    return integer_datatypes(graph)


class _Union:
    """Triples of a Dataset or a pyoxigraph Store, over all graphs, by subject.

    Batches are assembled in the source's own terms (rdflib terms for a Dataset,
    pyoxigraph terms for a store: comparing and hashing those costs no Python
    code), and only the triples a batch keeps become rdflib terms, each term once
    per batch (:meth:`rdflib_triples`).  A Dataset is indexed once (rdflib's
    lookups across graphs are slow); a store is asked each time (Oxigraph's are
    fast, and the data stays on disk).  A kgbuild store keeps the union of its
    graphs in its default graph: when the default graph holds the triples of the
    store's named graphs (checked on a sample), lookups about a node read it
    alone, else they read every graph.
    """

    def __init__(self, source: Any, shapes: Sequence[str] = ()) -> None:
        self.source = source
        self.is_dataset = isinstance(source, Dataset)
        self.integers: dict[Any, URIRef] = {}
        self.index: dict[Any, list[tuple[Any, Any, Any]]] = {}
        self.subjects: dict[str, set[Any]] = {}
        self.graph: Any = None  # the graph lookups read (a store's); None: all
        if self.is_dataset:
            self.type: Any = RDF.type
            self.evidence: frozenset[Any] = _EVIDENCE_LINKS
            self.article: Any = KG.article
            self.file_name: Any = KG.fileName
            index: dict[Any, set[tuple[Any, Any, Any]]] = {}
            for s, p, o, g in source.quads((None, None, None, None)):
                index.setdefault(s, set()).add((s, p, o))
                if isinstance(s, URIRef):
                    name = str(getattr(g, "identifier", g))
                    self.subjects.setdefault(name, set()).add(s)
            self.index = {s: list(triples) for s, triples in index.items()}
        else:
            import pyoxigraph as ox

            self.type = ox.NamedNode(str(RDF.type))
            self.evidence = frozenset(ox.NamedNode(str(p)) for p in _EVIDENCE_LINKS)
            self.article = ox.NamedNode(str(KG.article))
            self.file_name = ox.NamedNode(str(KG.fileName))
            self.integers = {ox.NamedNode(str(p)): d
                             for p, d in _integer_datatypes(shapes).items()}
            if _default_graph_is_union(source):
                self.graph = ox.DefaultGraph()

    def is_iri(self, term: Any) -> bool:
        if self.is_dataset:
            return isinstance(term, URIRef)
        import pyoxigraph as ox

        return isinstance(term, ox.NamedNode)

    def is_literal(self, term: Any) -> bool:
        if self.is_dataset:
            return isinstance(term, Literal)
        import pyoxigraph as ox

        return isinstance(term, ox.Literal)

    def text(self, term: Any) -> str:
        """An IRI's text (a pyoxigraph term's ``str`` is its N-Triples form)."""
        return str(term) if self.is_dataset else term.value

    def subjects_of(self, name: str) -> set[Any]:
        if self.is_dataset:
            return set(self.subjects.get(name, ()))
        import pyoxigraph as ox

        return {q.subject
                for q in self.source.quads_for_pattern(None, None, None, ox.NamedNode(name))
                if isinstance(q.subject, ox.NamedNode)}

    def types(self, node: Any) -> set[Any]:
        if self.is_dataset:
            return {o for _, p, o in self.index.get(node, ()) if p == RDF.type}
        return {q.object for q in self.source.quads_for_pattern(
            node, self.type, None, self.graph)}

    def about(self, node: Any) -> Sequence[tuple[Any, Any, Any]]:
        if self.is_dataset:
            return self.index.get(node, [])
        quads = self.source.quads_for_pattern(node, None, None, self.graph)
        if self.graph is not None:
            return [(node, q.predicate, q.object) for q in quads]
        return list({(node, q.predicate, q.object) for q in quads})

    def rdflib_triples(self, triples: Iterable[tuple[Any, Any, Any]]
                       ) -> list[tuple[Node, Node, Node]]:
        """The triples in rdflib terms; each distinct term is made once (pickling
        then sends it once)."""
        if self.is_dataset:
            return list(triples)
        from kgbuild.core.oxterms import from_ox as _from_ox

        made: dict[Any, Node] = {}
        out: list[tuple[Node, Node, Node]] = []
        for s, p, o in triples:
            rs = made.get(s)
            if rs is None:
                rs = made[s] = _from_ox(s)
            rp = made.get(p)
            if rp is None:
                rp = made[p] = _from_ox(p)
            ro = made.get(o)
            if ro is None:
                ro = made[o] = _from_ox(o)
            datatype = self.integers.get(p)
            if datatype is not None and isinstance(ro, Literal) and ro.datatype == XSD.integer:
                ro = Literal(str(ro), datatype=datatype)  # "3"^^xsd:integer read back
            out.append((rs, rp, ro))
        return out

    def rdflib_nodes(self, nodes: Iterable[Any]) -> set[URIRef]:
        if self.is_dataset:
            return set(nodes)
        return {URIRef(n.value) for n in nodes}

    def native(self, node: URIRef) -> Any:
        if self.is_dataset:
            return node
        import pyoxigraph as ox

        return ox.NamedNode(str(node))


def _default_graph_is_union(store: Any, sample: int = 2) -> bool:
    """Whether a store's default graph holds the triples of its named graphs
    (kgbuild's stores keep their union there); checked on the first and last
    ``sample`` named graphs, read in full."""
    import pyoxigraph as ox

    default = ox.DefaultGraph()
    if next(iter(store.quads_for_pattern(None, None, None, default)), None) is None:
        return False
    names = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)),
                   key=lambda g: g.value)
    for name in {*names[:sample], *names[-sample:]}:
        for q in store.quads_for_pattern(None, None, None, name):
            if ox.Quad(q.subject, q.predicate, q.object, default) not in store:
                return False
    return True


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
        kgbuild.core.errors.ConfigError: when ``batch_articles`` is below 1.
    """
    for triples, owned in _batches(_Union(source, shapes), batch_articles=batch_articles):
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        yield graph, set(owned)


def _batches(union: _Union, *, batch_articles: int, graphs: Collection[str] | None = None
             ) -> Iterator[tuple[list[tuple[Node, Node, Node]], frozenset[URIRef]]]:
    """Batches as lists of rdflib triples and the nodes they own (see
    :func:`article_batches`); only the article graphs in ``graphs`` when given."""
    if batch_articles < 1:
        raise ConfigError(f"batch_articles must be at least 1, not {batch_articles}",
                          input=str(batch_articles), fix="pass 1 or more")
    names = _graph_names(union.source)
    if graphs is not None:
        names = [n for n in names if n in graphs]
    groups = [names[i:i + batch_articles] for i in range(0, len(names), batch_articles)]
    groups.append([str(KB_GRAPH)])
    done: set[Any] = set()
    rdf_type, evidence_links, is_iri = union.type, union.evidence, union.is_iri
    for group in groups:
        owned: set[Any] = set()
        for name in group:
            owned |= union.subjects_of(name)
        owned -= done
        done |= owned
        if not owned:
            continue
        batch: dict[tuple[Any, Any, Any], None] = {}  # a set that keeps its order
        pointed: set[Any] = set()
        for node in owned:
            entity = union.text(node).startswith(_ENTITY_PREFIX)
            elsewhere: dict[Any, list[tuple[Any, Any, Any]]] = {}
            here: set[Any] = set()  # evidence links that stay inside the batch
            for triple in union.about(node):
                obj = triple[2]
                evidence = entity and triple[1] in evidence_links
                if obj not in owned and is_iri(obj):
                    if evidence:
                        elsewhere.setdefault(triple[1], []).append(triple)
                        continue
                    pointed.add(obj)
                elif evidence:
                    here.add(triple[1])
                batch[triple] = None
            for link, links in elsewhere.items():
                if link in here:
                    continue  # evidence in other batches is checked with its article
                for triple in links:  # no evidence here: keep the links, typed
                    batch[triple] = None
                    for kind in union.types(triple[2]):
                        batch[(triple[2], rdf_type, kind)] = None
        for obj in pointed:
            triples = union.about(obj)
            small = len(triples) <= DESCRIBE_LIMIT
            for triple in triples:
                target = triple[2]
                if (small or triple[1] == rdf_type or target in owned or target in pointed
                        or union.is_literal(target)):
                    batch[triple] = None
        yield union.rdflib_triples(batch), frozenset(union.rdflib_nodes(owned))


class _Checker:
    """pySHACL set up once per process for one list of shapes files.

    :func:`kgbuild.validate.validate` parses the shapes and lets pySHACL harvest
    them on every call, and checks every node the shapes target.  A batch holds
    many nodes it does not own (the nodes its own point to, described so that
    ``sh:class`` and ``sh:node`` see them); checking those too made a batch cost
    several times its share.  Here the shapes are parsed and harvested once, and
    each top-level shape checks only the targets the batch owns; nested shapes
    (``sh:node``, ``sh:or``, ``sh:qualifiedValueShape``) still see the whole batch.
    The options are those of :func:`kgbuild.validate.validate` without the
    ontology (no inference, SHACL-AF on, warnings and infos allowed, no
    ``abort_on_first``).
    """

    def __init__(self, shapes: tuple[str, ...]) -> None:
        from pyshacl.monkey import apply_patches
        from pyshacl.pytypes import SHACLExecutor
        from pyshacl.shapes_graph import ShapesGraph
        from pyshacl.validator import assign_baked_in

        apply_patches()  # type: ignore[no-untyped-call]  # as pyshacl.validate does
        assign_baked_in()  # type: ignore[no-untyped-call]
        _index_constraint_parameters()
        self.graph = Graph()
        for path in (default_shapes_path(), *map(Path, shapes)):
            _parse_into(self.graph, path)
        self.shapes_graph = ShapesGraph(self.graph, False, logging.getLogger("pyshacl"))
        self.executor = SHACLExecutor(advanced_mode=True, abort_on_first=False,
                                      allow_infos=True, allow_warnings=True)
        self.shapes = list(self.shapes_graph.shapes)
        self.advanced = _prepare_advanced(self.executor, self.shapes_graph, self.shapes)

    def check(self, triples: list[tuple[Node, Node, Node]], owned: frozenset[URIRef]
              ) -> tuple[list[ValidationResult], list[tuple[Node, Node, Node]]]:
        from pyshacl import Validator
        from pyshacl.graph_abstraction import DataGraph

        data = _BatchGraph()
        for triple in triples:
            data.add(triple)
        target = DataGraph.from_rdflib(data)
        functions, rules = self.advanced
        if functions:
            from pyshacl.functions import apply_functions

            apply_functions(self.executor, functions, target)
        try:
            if rules:
                from pyshacl.rules import apply_rules

                apply_rules(self.executor, rules, target)
            conforms = True
            reports: list[Any] = []
            for shape in self.shapes:
                focus = [n for n in shape.focus_nodes(target) if n in owned]
                if not focus:
                    continue
                shape_conforms, found = shape.validate(self.executor, target, focus=focus)
                conforms = conforms and shape_conforms
                reports.extend(found)
        finally:
            if functions:
                from pyshacl.functions import unapply_functions

                unapply_functions(functions, target)
        report, _ = Validator.create_validation_report(self.shapes_graph, conforms, reports)
        results: list[ValidationResult] = []
        kept = Graph()
        for node in report.subjects(RDF.type, SH.ValidationResult):
            # top-level shapes check owned nodes only: every result is about one
            if report.value(node, SH.focusNode) in owned:
                results.append(_result(report, node, self.graph, data))
                _copy_description(report, node, kept)
        return results, list(kept)


class _IndexedList(list[Any]):
    """A list whose ``in`` is a set lookup (equal answers: rdflib terms hash as
    they compare)."""

    def __init__(self, items: Iterable[Any] = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> _IndexedList:
        return _IndexedList(self)

    def append(self, item: Any) -> None:
        super().append(item)
        self._members.add(item)


def _index_constraint_parameters() -> None:
    """Let pySHACL find a shape's constraint parameters by set lookups.

    For every focus node and every property shape, ``pyshacl.shape.Shape.validate``
    tests each predicate of the shape for membership in the list of the ~40 SHACL
    constraint parameters: a third of a batch's time went to rdflib's ``__eq__``
    there.  pySHACL keeps that list in ``pyshacl.shape.module.CONSTRAINT_PARAMS``
    (it fills it on first use, and copies and appends to it in SHACL-AF mode); put
    an indexed list with the same items there.  Nothing changes when a pySHACL
    version keeps it elsewhere.
    """
    try:
        from pyshacl import shape as shape_module
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:  # pragma: no cover - another pySHACL layout
        return
    module = getattr(shape_module, "module", None)
    current = getattr(module, "CONSTRAINT_PARAMS", None)
    if module is None or (isinstance(current, tuple) and isinstance(current[0], _IndexedList)):
        return
    if not isinstance(ALL_CONSTRAINT_PARAMETERS, list) or current not in (
            None, (ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP)):
        return  # pragma: no cover - another pySHACL layout
    module.CONSTRAINT_PARAMS = (
        _IndexedList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)


def _prepare_advanced(executor: Any, shapes_graph: Any, shapes: list[Any]
                      ) -> tuple[Sequence[Any], Any]:
    """What ``pyshacl.Validator.run`` does for SHACL-AF before validating, once:
    custom target types, and the functions and rules to apply to every data graph
    (kgbuild's shapes have none)."""
    from pyshacl.functions import gather_functions
    from pyshacl.rules import gather_rules
    from pyshacl.target import apply_target_types, gather_target_types

    target_types = gather_target_types(shapes_graph)
    functions = gather_functions(executor, shapes_graph)
    rules = gather_rules(executor, shapes_graph)
    for shape in shapes:
        shape.set_advanced(True)
    apply_target_types(target_types)
    return functions, rules


class _BatchGraph(_PreparedQueryGraph):
    """A batch's data graph; SPARQL constraints are prepared once per process
    (every batch graph has the same prefixes, rdflib's defaults)."""

    _shared: ClassVar[dict[str, Any]] = {}

    def __init__(self) -> None:
        super().__init__()
        self._prepared = self._shared


#: One :class:`_Checker` per list of shapes files, in each process.
_CHECKERS: dict[tuple[str, ...], _Checker] = {}


def _validate_batch(triples: list[tuple[Node, Node, Node]], owned: frozenset[URIRef],
                    shapes: tuple[str, ...]
                    ) -> tuple[list[ValidationResult], list[tuple[Node, Node, Node]]]:
    """Validate one batch: results about the nodes it owns, and their report triples."""
    checker = _CHECKERS.get(shapes)
    if checker is None:
        checker = _CHECKERS[shapes] = _Checker(shapes)
    return checker.check(triples, owned)


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


def _merge(parts: Iterable[tuple[list[ValidationResult], list[tuple[Node, Node, Node]]]]
           ) -> ValidationReport:
    merged: dict[tuple[str, ...], ValidationResult] = {}
    report_graph = Graph()
    for prefix, namespace in PREFIXES.items():
        report_graph.bind(prefix, namespace)
    report_graph.bind("kgsh", KGSH)
    for found, report_triples in parts:
        # every focus node is owned by one batch, so a result is found once
        for result in found:
            merged.setdefault(_key(result), result)
        for triple in report_triples:
            report_graph.add(triple)
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
                        start_method: str = "forkserver",
                        graphs: Collection[str] | None = None) -> ValidationReport:
    """Validate a kgbuild graph batch by batch (see the module's description).

    Args:
        source: an ``rdflib.Dataset`` or a ``pyoxigraph.Store`` written by kgbuild.
        shapes: extra shapes files, besides the shipped ones.
        batch_articles: article graphs per batch.
        workers: processes validating batches at once.
        start_method: how worker processes start (see
            :func:`kgbuild.execution.processes.extract_in_processes`).
        graphs: check only these article graphs (IRIs) and the knowledge-base
            graph, for example the articles a store build has just written.

    Returns:
        One :class:`~kgbuild.check.validate.ValidationReport` for the whole graph; a
        result found in several batches is listed once.

    Raises:
        kgbuild.core.errors.ConfigError: for a bad ``batch_articles`` or ``workers``.
        kgbuild.core.errors.RDFInputError: when a shapes file cannot be read.
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}", input=str(workers),
                          fix="pass 1 or more")
    shape_files = tuple(str(s) for s in shapes)
    union = _Union(source, shape_files)
    batches = _batches(union, batch_articles=batch_articles, graphs=graphs)
    if workers == 1:
        parts = (_validate_batch(triples, owned, shape_files) for triples, owned in batches)
        return _with_entity_articles(_merge(parts), union)
    from kgbuild.core.processes import process_context, watched

    done: list[tuple[list[ValidationResult], list[tuple[Node, Node, Node]]]] = []
    pending: deque[Future[tuple[list[ValidationResult], list[tuple[Node, Node, Node]]]]] = (
        deque())
    context = process_context(start_method, preload=[__name__])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, **watched()) as pool:
        for triples, owned in batches:
            pending.append(pool.submit(_validate_batch, triples, owned, shape_files))
            while len(pending) >= 2 * workers:
                done.append(pending.popleft().result())
        done.extend(f.result() for f in pending)
    return _with_entity_articles(_merge(done), union)


def _with_entity_articles(report: ValidationReport, union: _Union) -> ValidationReport:
    """Name every article an entity comes from (a batch sees only its own)."""
    names: dict[Node, tuple[str, ...]] = {}

    def articles(entity: URIRef) -> tuple[str, ...]:
        if entity not in names:
            found = {union.text(name)
                     for _, p, article in union.about(union.native(entity))
                     if p == union.article
                     for _, q, name in union.about(article)
                     if q == union.file_name and union.is_literal(name)}
            names[entity] = tuple(sorted(found))
        return names[entity]

    results = tuple(
        replace(r, articles=tuple(sorted({*r.articles, *articles(r.focus)})))
        if isinstance(r.focus, URIRef) and str(r.focus).startswith(_ENTITY_PREFIX) else r
        for r in report.results)
    return ValidationReport(conforms=report.conforms, results=results, graph=report.graph)
