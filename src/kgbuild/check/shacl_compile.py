"""Compiling a SHACL shapes graph to SPARQL (:func:`compile_shapes`), and running the
compiled shapes on an Oxigraph store (:meth:`CompiledShapes.run`).

Part of :mod:`kgbuild.check.shacl_sparql`.  Compiling reads the shapes, writes and parses
each top-level shape's queries once to find what cannot be compiled, and keeps the rest;
a run finds each shape's focus nodes first, then writes its queries for them (VALUES
blocks for few, whole-path scans for many) and reads the results.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kgbuild.check.shacl_queries import _Focus, _Generator, _Query
from kgbuild.check.shacl_runner import RawResult, _Messages, _Runner
from kgbuild.check.shacl_shapes import (
    Unsupported,
    UnsupportedShapes,
    _Shape,
    _ShapeReader,
    _short,
)
from kgbuild.check.shacl_terms import _iri, _Unsupported, _writable, from_ox
from kgbuild.core.oxterms import integer_datatypes

__all__ = ["CompiledShapes", "compile_shapes"]

logger = logging.getLogger(__name__)


@dataclass
class CompiledShapes:
    """The shapes of a shapes graph, compiled to SPARQL.

    Attributes:
        shapes_graph: the shapes graph compiled.
        unsupported: the top-level shapes the compiler leaves out, and why.
    """

    shapes_graph: Graph
    unsupported: tuple[Unsupported, ...]
    _reader: _ShapeReader = field(repr=False)
    _top: list[_Shape] = field(repr=False)
    _regex_ok: dict[tuple[str, str], bool] = field(repr=False)
    _cache: dict[Any, list[_Query]] = field(default_factory=dict, repr=False)

    @property
    def unsupported_shapes(self) -> frozenset[Node]:
        """The top-level shapes left out (to check with pySHACL)."""
        return frozenset(p.shape for p in self.unsupported)

    @property
    def shapes(self) -> tuple[Node, ...]:
        """The top-level shapes compiled."""
        return tuple(s.node for s in self._top)

    def queries(self, subclasses: dict[Node, list[Node]] | None = None, *,
                graphs: Collection[str] | None = None) -> list[str]:
        """The SPARQL queries of a run over all graphs, every shape read by scans (to
        read and to debug; :meth:`run` writes the focus nodes of shapes with few of
        them in VALUES blocks instead, and compiles ``sh:node`` details when needed).

        Args:
            subclasses: class -> the class and its subclasses in the data (default: none).
            graphs: the queries for a run limited to these named graphs.

        Returns:
            One query per constraint, shape and focus context.
        """
        return [q.text for q in self._queries(subclasses or {}, graphs)]

    def _queries(self, subclasses: dict[Node, list[Node]], graphs: Collection[str] | None
                 ) -> list[_Query]:
        names = _graph_names(graphs)
        key = (names, tuple(sorted(((k, tuple(v)) for k, v in subclasses.items()),
                                   key=str)))
        cached = self._cache.get(key)
        if cached is None:
            generator = _Generator(self._reader, subclasses, self._regex_ok, graphs=names)
            for shape in self._top:
                f = generator.fresh("f")
                # few focus nodes (some graphs): look their values up; else read each
                # path whole and join by hash
                generator.emit(shape, _Focus(generator.target_pattern(shape, f), f),
                               scan=names is None)
            if len(self._cache) > 16:
                self._cache.clear()
            cached = self._cache[key] = generator.queries
        return cached

    #: Focus nodes per VALUES block.
    FOCUS_BATCH = 5000
    #: A shape with more focus nodes (in a run over all graphs) has its paths read whole:
    #: its focus nodes and their values are then a large part of the graph.
    FOCUS_LOOKUPS = 2000

    def _focused_queries(self, store: Any, options: dict[str, Any],
                         subclasses: dict[Node, list[Node]], graphs: Collection[str] | None
                         ) -> list[_Query]:
        """The queries of a run.

        Each shape's focus nodes are found first.  When there are few (or the run is
        limited to some graphs), they are written in VALUES blocks from which every
        value is looked up; Oxigraph would otherwise join the paths of a query with
        each other before the focus nodes.  When there are many, each path is read
        whole and joined to them by hash.
        """
        names = _graph_names(graphs)
        generator = _Generator(self._reader, subclasses, self._regex_ok, graphs=names)
        subjects = None if names is None else _subjects(store, names)
        listed = (subjects is not None and len(subjects) <= self.FOCUS_BATCH
                  and not any(isinstance(s, ox.BlankNode) for s in subjects))
        for shape in self._top:
            f = generator.fresh("f")
            pattern = generator.target_pattern(shape, f)
            if subjects is None:  # just enough to know whether they are few
                query = f"SELECT ?{f} WHERE {{ {pattern} }} LIMIT {self.FOCUS_LOOKUPS + 1}"
            elif listed:  # each subject of the graphs checked against the targets
                rows = " ".join(str(s) for s in subjects)
                query = (f"SELECT ?{f} WHERE {{ VALUES ?{f} {{ {rows} }} "
                         f"FILTER EXISTS {{ {generator.targets(shape, f)} }} }}")
            else:  # every focus node, kept when a subject of the graphs
                query = (f"SELECT ?{f} WHERE "
                         f"{{ {generator.target_pattern(shape, f, limited=False)} }}")
            foci = [row[f] for row in store.query(query, **options)]
            if subjects is not None and not listed:
                foci = [node for node in foci if node in subjects]
            if not foci:
                continue
            if subjects is None and len(foci) > self.FOCUS_LOOKUPS:
                generator.emit(shape, _Focus(pattern, f), scan=True)
            elif any(isinstance(node, ox.BlankNode) for node in foci):
                generator.emit(shape, _Focus(pattern, f), scan=False)  # no VALUES for those
            else:
                for start in range(0, len(foci), self.FOCUS_BATCH):
                    chunk = " ".join(str(n) for n in foci[start:start + self.FOCUS_BATCH])
                    generator.emit(shape, _Focus(f"VALUES ?{f} {{ {chunk} }}", f), scan=False)
        return generator.queries

    def run(self, store: Any, *, graphs: Collection[str] | None = None,
            union: bool | None = None, namespaces: Iterable[tuple[str, Any]] = ()
            ) -> list[RawResult]:
        """Validate the graphs of ``store`` against the compiled shapes.

        Args:
            store: a ``pyoxigraph.Store``.
            graphs: check only focus nodes that are the subject of a triple in these named
                graphs (IRIs); constraints still read every graph.  None: all focus nodes.
            union: True: read the union of all graphs (``use_default_graph_as_union``);
                False: read the default graph alone (a kgbuild store keeps the union
                there); None: False when the default graph holds the triples of the
                named graphs (checked on a sample).
            namespaces: prefixes of the data (beside kgbuild's), for the messages of
                shapes without ``sh:message``, which pySHACL words with them.

        Returns:
            The top-level results, in the order of the compiled queries (``sh:node``
            results carry the results of the node shape on their value as details).
        """
        if union is None:
            union = not _default_graph_is_union(store)
        options: dict[str, Any] = {"use_default_graph_as_union": union}
        subclasses = _subclasses(store, options)
        runner = _Runner(store, options, integer_datatypes(self.shapes_graph),
                         _Messages(self.shapes_graph, namespaces))
        queries = self._focused_queries(store, options, subclasses, graphs)
        records = [r for q in queries for r in runner.execute(q)]
        # sh:node details, one level at a time, for the failing values only
        todo = [r for r in records if r.check.constraint.parameter == SH.node]
        while todo:
            todo = runner.details(todo, lambda: _Generator(self._reader, subclasses,
                                                             self._regex_ok))
        return [r.freeze() for r in records]


def _subjects(store: Any, graphs: Sequence[str]) -> set[Any]:
    """The subjects of the triples of some named graphs (pyoxigraph terms)."""
    if not graphs:
        return set()
    names = " ".join(f"<{name}>" for name in graphs)
    query = f"SELECT DISTINCT ?s WHERE {{ VALUES ?g {{ {names} }} GRAPH ?g {{ ?s ?p ?o }} }}"
    return {row["s"] for row in store.query(query)}


def _graph_names(graphs: Collection[str] | None) -> tuple[str, ...] | None:
    """The graph IRIs, sorted, once each (None stays None).

    Raises:
        ValueError: for a name SPARQL cannot write as an IRI.
    """
    if graphs is None:
        return None
    names = tuple(sorted(set(graphs)))
    for name in names:
        try:
            _iri(URIRef(name))
        except _Unsupported as exc:
            raise ValueError(f"graph name not usable in SPARQL: {name!r}") from exc
    return names


def _subclasses(store: Any, options: dict[str, Any]) -> dict[Node, list[Node]]:
    """Each class that has subclasses in the data -> itself and its subclasses."""
    direct: dict[Node, set[Node]] = {}
    for row in store.query(f"SELECT DISTINCT ?s ?o WHERE {{ ?s <{RDFS.subClassOf}> ?o }}",
                           **options):
        sub, sup = from_ox(row["s"]), from_ox(row["o"])
        if _writable(sub) and _writable(sup):
            direct.setdefault(sup, set()).add(sub)
    closure: dict[Node, list[Node]] = {}
    for cls in direct:
        seen = {cls}
        todo = [cls]
        while todo:
            for sub in direct.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        closure[cls] = [cls, *sorted(seen - {cls}, key=str)]
    return closure


def _default_graph_is_union(store: Any) -> bool:
    """Whether the store's default graph holds the triples of its named graphs (a
    kgbuild store keeps its union there); an empty default graph does not."""
    from kgbuild.check.batched import _default_graph_is_union as check

    return bool(check(store))


def _regex_support(reader: _ShapeReader) -> dict[tuple[str, str], bool]:
    """Which ``sh:pattern`` patterns Oxigraph compiles (a probe query each)."""
    probe = ox.Store()
    found: dict[tuple[str, str], bool] = {}
    for shape in reader.shapes.values():
        for c in shape.constraints:
            if c.parameter != SH.pattern:
                continue
            pattern = str(c.value)
            flags = "".join(x for x in "im" if x in c.extra["flags"].lower())
            try:
                rows = list(probe.query(f"SELECT (REGEX(\"\", {Literal(pattern).n3()}, "
                                        f"{Literal(flags).n3()}) AS ?ok) {{}}"))
                found[(pattern, flags)] = bool(rows) and rows[0]["ok"] is not None
            except SyntaxError:
                found[(pattern, flags)] = False
    return found


def compile_shapes(shapes: Graph, *, strict: bool = False) -> CompiledShapes:
    """Compile the shapes of ``shapes`` to SPARQL queries.

    Args:
        shapes: the shapes graph.
        strict: raise when a shape uses a feature the compiler does not cover
            (default: leave that shape out and list it in ``unsupported``).

    Returns:
        The compiled shapes.

    Raises:
        UnsupportedShapes: with ``strict``, listing every unsupported shape and feature.
    """
    reader = _ShapeReader(shapes)
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    candidates = {s for p in targets for s in shapes.subjects(p, None)}
    candidates |= {s for s in shapes.subjects(RDF.type, None)
                   if (s, RDF.type, SH.NodeShape) in shapes
                   or (s, RDF.type, SH.PropertyShape) in shapes}
    problems: list[Unsupported] = []
    # rules change the data graph and functions the queries, for every shape: leave all
    # shapes to pySHACL then
    advanced = sorted({_short(shapes, p) for p in (SH.rule, SH.target)
                       if any(True for _ in shapes.subjects(p, None))}
                      | {_short(shapes, k) for k in (SH.SPARQLFunction, SH.SPARQLTargetType,
                                                      SH.JSFunction, SH.JSTargetType)
                         if any(True for _ in shapes.subjects(RDF.type, k))})
    for node in sorted(candidates, key=str):
        reader.shape(node)
    regex_ok = _regex_support(reader)
    top: list[_Shape] = []
    empty = ox.Store()
    for node in sorted(candidates, key=str):
        shape = reader.shape(node)
        if not shape.has_targets or shape.deactivated:
            continue
        if advanced:
            problems.append(Unsupported(node, f"SHACL-AF ({', '.join(advanced)})"))
            continue
        generator = _Generator(reader, {}, regex_ok)
        try:
            f = generator.fresh("f")
            generator.emit(shape, _Focus(generator.target_pattern(shape, f), f), scan=True)
            f = generator.fresh("f")
            generator.graphs = ("urn:x-kgbuild:graph",)
            generator.emit(shape, _Focus(generator.target_pattern(shape, f), f), scan=False)
            f = generator.fresh("f")
            generator.emit(shape, _Focus(f"VALUES ?{f} {{ <urn:x-kgbuild:node> }}", f))
            # the details of sh:node results are compiled while running: compile them once
            done: set[Node] = set()
            for query in generator.queries:
                for check in query.checks:
                    node_shape = check.constraint.value
                    if check.constraint.parameter == SH.node and node_shape not in done:
                        done.add(node_shape)
                        index, var = generator.fresh("p"), generator.fresh("d")
                        generator.emit(reader.shape(node_shape), _Focus(
                            f"VALUES (?{index} ?{var}) {{ (0 <urn:x-kgbuild:node>) }}", var,
                            (index,)))
            for query in generator.queries:
                if not query.python_regex:
                    empty.query(query.text)  # Oxigraph parses every query it will run
        except _Unsupported as exc:
            problems.append(Unsupported(node, str(exc)))
            continue
        except SyntaxError as exc:
            problems.append(Unsupported(node, f"compiled query does not parse: {exc}"))
            continue
        top.append(shape)
    if strict and problems:
        raise UnsupportedShapes(problems)
    for problem in problems:
        logger.info("SPARQL validation leaves shape %s to pySHACL: %s", problem.shape,
                    problem.feature)
    return CompiledShapes(shapes_graph=shapes, unsupported=tuple(problems), _reader=reader,
                          _top=top, _regex_ok=regex_ok)
