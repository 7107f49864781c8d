"""SHACL validation compiled to SPARQL and run on Oxigraph, reporting what pySHACL reports.

pySHACL checks a graph one focus node at a time, in Python, over rdflib's in-memory
graph; a million quads take it minutes.  This module translates the constraints of a
shapes graph into SPARQL ``SELECT`` queries that find the failing focus nodes (and
values) of a shape all at once, and runs them on a ``pyoxigraph.Store``.  The results
are assembled as pySHACL assembles them for :func:`kgbuild.check.validate.validate` (SHACL-AF
on, warnings and infos allowed, no inference): the same focus nodes, result paths,
values, severities, source shapes and constraint components, the shapes' ``sh:message``
texts (SPARQL-constraint messages with their ``{?var}`` filled in), pySHACL's own
wording for the common constraints of shapes without a message, and the ``sh:detail``
results of ``sh:node``.

How the queries are shaped (Oxigraph looks a pattern up once per row it joins with,
and reads a whole index range fast):

- Each top-level shape (one with targets) gets one query for the values of all its
  paths, with one boolean per value-level constraint, and one for the counts
  (``sh:minCount``, ``sh:maxCount``, ``sh:hasValue``, qualified counts); SPARQL,
  ``sh:equals`` and ``sh:lessThan`` constraints get one each.
- A shape with many focus nodes reads each of its paths whole (an index scan) and
  joins the focus nodes by hash; one with few has its focus nodes written in VALUES
  blocks, and their values looked up.  A run limited to some named graphs (the
  articles a store build wrote) finds the subjects of those graphs once, and checks
  the focus nodes among them by lookups.
- The store's default graph is read when it holds the union of the named graphs (as
  in kgbuild's stores): Oxigraph reads it several times faster than
  ``use_default_graph_as_union``.
- Shapes inside shapes (``sh:node``, ``sh:or``, qualified value shapes...) become
  boolean expressions (``EXISTS`` / ``NOT EXISTS``) over the value.  The details of a
  failed ``sh:node`` are computed afterwards, for the failing values only.

Covered (every feature ``ontology/shapes.ttl`` uses, and more):

- targets: ``sh:targetClass`` (instances of subclasses too, through
  ``rdfs:subClassOf`` in the data graph), implicit class targets (a shape that is
  an ``rdfs:Class``), ``sh:targetNode``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``;
- paths: predicates, ``sh:inversePath``, sequences, ``sh:alternativePath``,
  ``sh:zeroOrMorePath``, ``sh:oneOrMorePath``, ``sh:zeroOrOnePath``;
- constraints: ``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:minCount``,
  ``sh:maxCount``, ``sh:minInclusive``, ``sh:maxInclusive``, ``sh:minExclusive``,
  ``sh:maxExclusive``, ``sh:minLength``, ``sh:maxLength``, ``sh:pattern`` (with
  ``sh:flags``), ``sh:in``, ``sh:hasValue``, ``sh:equals``, ``sh:disjoint``,
  ``sh:lessThan``, ``sh:lessThanOrEquals``, ``sh:node`` (with pySHACL's nested
  ``sh:detail`` results), ``sh:property``, ``sh:or``, ``sh:and``, ``sh:not``,
  ``sh:xone``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` /
  ``sh:qualifiedMaxCount`` / ``sh:qualifiedValueShapesDisjoint``, and SPARQL-based
  constraints (``sh:sparql`` with ``sh:select``, ``sh:prefixes`` / ``sh:declare``,
  ``$this``, ``$PATH``, ``$currentShape``, ``?failure``, ``?path``, ``?value``);
- ``sh:severity``, ``sh:message``, ``sh:deactivated``.

Not covered, reported by :func:`compile_shapes` (the shape is then left to pySHACL,
see :func:`validate_store`): ``sh:closed``, ``sh:languageIn``, ``sh:uniqueLang``,
SHACL-AF rules, functions, custom targets and expressions, custom constraint
components, recursive shapes, SPARQL constraints inside ``sh:node`` / ``sh:or`` /
... (nested), nested ``sh:minCount`` above 3 or ``sh:maxCount`` above 2, and
constants that are blank nodes.

Known differences from pySHACL, all about literals the store rewrites or parses
its own way:

- Oxigraph keeps integer literals of a datatype derived from ``xsd:integer`` (such
  as ``"3"^^xsd:nonNegativeInteger``) as ``xsd:integer``.  ``sh:datatype D`` for
  such a ``D`` therefore accepts an ``xsd:integer`` value within ``D``'s range
  (pySHACL on an rdflib graph would reject a genuine ``xsd:integer``), and values
  reported on such a property get ``D`` back (as :mod:`kgbuild.check.batched`
  does).  Valid literals come back in canonical form (``"+3"`` as ``"3"``).
- A literal of ``sh:datatype`` whose lexical form Oxigraph cannot parse is checked
  again with rdflib (pySHACL's judge); one that Oxigraph parses is taken as valid.
  Inside nested shapes (``sh:or`` members...) Oxigraph's judgement is used alone.
- ``sh:pattern`` runs Oxigraph's regular expressions (Rust syntax), and Python's
  when Oxigraph cannot compile the pattern; both search anywhere in the string.
- Comparisons (``sh:minInclusive``..., ``sh:lessThan``...) between literals of
  incomparable datatypes (a date and a number) count as failures; pySHACL orders
  them by rdflib's rules (by datatype IRI) or stops with an error.
- A literal typed ``xsd:string`` is reported as a plain literal (Oxigraph, like
  RDF 1.1, does not tell them apart).

>>> from rdflib import Graph
>>> compile_shapes(Graph()).unsupported
()
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection as RDFCollection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgbuild.core.oxterms import INTEGER_DERIVED, to_ox
from kgbuild.core.oxterms import from_ox as _from_ox_typed

if TYPE_CHECKING:  # imported when used: kgbuild.check.validate loads pySHACL
    from kgbuild.check.validate import ValidationReport

__all__ = [
    "CompiledShapes",
    "RawResult",
    "Unsupported",
    "UnsupportedShapes",
    "compile_shapes",
    "load_store",
    "validate_dataset",
    "validate_store",
]

logger = logging.getLogger(__name__)

#: Severities with which pySHACL, run as kgbuild runs it (``allow_warnings`` and
#: ``allow_infos``), still lets a shape conform; this decides ``sh:or``, ``sh:not``,
#: ``sh:and``, ``sh:xone`` and qualified counts over nested shapes.
_ALLOWED_SEVERITIES = frozenset({SH.Warning, SH.Info})

#: Shape predicates in the SHACL namespace that are not constraints of their own.
_NOT_CONSTRAINTS = frozenset({
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.severity,
    SH.message, SH.name, SH.description, SH.deactivated, SH.path, SH.order, SH.group,
    SH.defaultValue, SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint, SH.declare, SH.prefixes,
})

#: Value-level comparisons: parameter -> (SPARQL operator the value must satisfy, component).
_RANGES: dict[Node, tuple[str, URIRef]] = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
}

_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}

#: Inclusive value ranges of the datatypes derived from xsd:integer.
_INTEGER_RANGES: dict[Node, tuple[int | None, int | None]] = {
    XSD.nonNegativeInteger: (0, None), XSD.positiveInteger: (1, None),
    XSD.nonPositiveInteger: (None, 0), XSD.negativeInteger: (None, -1),
    XSD.long: (-(2**63), 2**63 - 1), XSD.int: (-(2**31), 2**31 - 1),
    XSD.short: (-(2**15), 2**15 - 1), XSD.byte: (-128, 127),
    XSD.unsignedLong: (0, 2**64 - 1), XSD.unsignedInt: (0, 2**32 - 1),
    XSD.unsignedShort: (0, 2**16 - 1), XSD.unsignedByte: (0, 255),
}

#: How Oxigraph tells a well-formed literal of a datatype from an ill-formed one
#: (it keeps the lexical forms it cannot parse as they are).
_WELL_FORMED: dict[Node, str] = {
    **{d: "isNumeric({v})" for d in (XSD.integer, XSD.decimal, XSD.double, XSD.float)},
    XSD.date: "COALESCE(YEAR({v}) = YEAR({v}), false)",
    XSD.dateTime: "COALESCE(YEAR({v}) = YEAR({v}), false)",
    XSD.time: "COALESCE(HOURS({v}) = HOURS({v}), false)",
    XSD.boolean: "COALESCE(<http://www.w3.org/2001/XMLSchema#boolean>({v}) || true, false)",
}

#: Literal datatypes whose values pySHACL compares as strings (sh:lessThan...).
_STRING_TYPES = (XSD.string, RDF.langString, XSD.anyURI, XSD.normalizedString, XSD.token)

#: The IRI of the custom SPARQL function that runs Python's ``re`` for patterns
#: Oxigraph cannot compile.
_PY_REGEX = "urn:kgbuild:shacl-sparql:python-regex"

_PATH_VAR = re.compile(r"([\s{}()])[$?]PATH\b")
_SHAPE_VAR = re.compile(r"([\s{}()])[$?]currentShape\b")
_SHAPES_GRAPH_VAR = re.compile(r"[$?]shapesGraph\b")
_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*\n|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*", re.I)
_SELECT_HEAD = re.compile(r"\A\s*SELECT\s+(DISTINCT\s+|REDUCED\s+)?(.*?)\s*(WHERE\b|\{)",
                          re.I | re.S)
_MSG_VAR = re.compile(r"{[?$]([^{}]+)}")


class _Unsupported(Exception):
    """A feature the compiler does not translate, raised while compiling one shape."""


@dataclass(frozen=True)
class Unsupported:
    """A shape the compiler leaves to pySHACL, and why.

    Attributes:
        shape: the top-level shape (one with targets) that cannot be compiled.
        feature: what stops it (for example ``"sh:closed"``).
    """

    shape: Node
    feature: str

    def __str__(self) -> str:
        return f"{self.shape.n3()}: {self.feature}"


class UnsupportedShapes(Exception):
    """The shapes use SHACL features the SPARQL compiler does not cover.

    Attributes:
        problems: one :class:`Unsupported` per shape and feature.
    """

    def __init__(self, problems: Sequence[Unsupported]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(str(p) for p in self.problems[:10])
        more = f" and {len(self.problems) - 10} more" if len(self.problems) > 10 else ""
        super().__init__(f"{len(self.problems)} unsupported shape feature(s): {listed}{more}")


@dataclass(frozen=True)
class RawResult:
    """One validation result as pySHACL would write it in its report graph.

    Attributes:
        focus: the focus node.
        path: the result path (the shape's ``sh:path`` node, or a SPARQL ``?path``).
        value: the value node, or None (cardinality, ``sh:hasValue`` on a path...).
        source_shape: the shape whose constraint failed.
        component: the constraint component IRI.
        severity: the shape's severity (``sh:Violation`` by default).
        messages: the result messages.
        source_constraint: the ``sh:sparql`` node of a SPARQL-based constraint.
        details: the results of a failed ``sh:node`` shape on the value (``sh:detail``).
    """

    focus: Node
    path: Node | None
    value: Node | None
    source_shape: Node
    component: URIRef
    severity: Node
    messages: tuple[Literal, ...]
    source_constraint: Node | None = None
    details: tuple[RawResult, ...] = ()


# --------------------------------------------------------------------------- shapes


@dataclass(eq=False)
class _Constraint:
    """One constraint of a shape: its parameter and the values it needs."""

    parameter: URIRef
    value: Node
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class _Shape:
    """A shape of the shapes graph, read once."""

    node: Node
    is_property: bool
    path: Node | None
    path_sparql: str
    severity: Node
    messages: tuple[Literal, ...]
    deactivated: bool
    constraints: list[_Constraint] = field(default_factory=list)
    properties: list[_Shape] = field(default_factory=list)
    targets: dict[URIRef, list[Node]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def has_targets(self) -> bool:
        return any(self.targets.values())


def _short(graph: Graph, node: Node) -> str:
    try:
        return graph.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)
    except Exception:  # an IRI no prefix fits
        return f"<{node}>"


class _ShapeReader:
    """Reads the shapes of an rdflib graph into :class:`_Shape` objects."""

    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.shapes: dict[Node, _Shape] = {}
        self.custom_parameters = {
            path
            for component in graph.subjects(RDF.type, SH.ConstraintComponent)
            for parameter in graph.objects(component, SH.parameter)
            for path in graph.objects(parameter, SH.path)
        }

    def shape(self, node: Node) -> _Shape:
        found = self.shapes.get(node)
        if found is not None:
            return found
        g = self.g
        path = g.value(node, SH.path)
        is_property = path is not None or (node, RDF.type, SH.PropertyShape) in g
        problems: list[str] = []
        path_sparql = ""
        if is_property:
            if path is None:
                problems.append("property shape without sh:path")
            else:
                try:
                    path_sparql = _path_sparql(g, path)
                except _Unsupported as exc:
                    problems.append(str(exc))
        deactivated = any(isinstance(d, Literal) and d.value is True
                          for d in g.objects(node, SH.deactivated))
        shape = _Shape(
            node=node, is_property=is_property, path=path, path_sparql=path_sparql,
            severity=g.value(node, SH.severity) or SH.Violation,
            messages=tuple(sorted((m for m in g.objects(node, SH.message)
                                   if isinstance(m, Literal)), key=str)),
            deactivated=deactivated, problems=problems)
        self.shapes[node] = shape  # before reading children: shapes may refer to each other
        shape.targets = {p: list(g.objects(node, p)) for p in (
            SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)}
        if self._implicit_class_target(node):
            shape.targets[SH.targetClass] = [*shape.targets[SH.targetClass], node]
        for predicate, value in sorted(g.predicate_objects(node), key=lambda po: (str(po[0]),
                                                                              str(po[1]))):
            self._read(shape, predicate, value)
        return shape

    def _implicit_class_target(self, node: Node) -> bool:
        classes = {RDFS.Class, *self.g.subjects(RDFS.subClassOf, RDFS.Class)}
        return any(t in classes for t in self.g.objects(node, RDF.type))

    def _read(self, shape: _Shape, predicate: Node, value: Node) -> None:
        g = self.g
        if predicate in self.custom_parameters:
            shape.problems.append(f"custom constraint component parameter {_short(g, predicate)}")
            return
        if not isinstance(predicate, URIRef) or not str(predicate).startswith(str(SH)):
            return  # rdfs:label and the like
        if predicate in _NOT_CONSTRAINTS:
            return
        if predicate == SH.property:
            shape.properties.append(self.shape(value))
            return
        if predicate in (SH.node, SH["not"]):
            self.shape(value)
        elif predicate in (SH["or"], SH["and"], SH.xone):
            members = list(RDFCollection(g, value)) if isinstance(value, BNode) else []
            if not members:
                shape.problems.append(f"{_short(g, predicate)} without a list of shapes")
                return
            for member in members:
                self.shape(member)
            shape.constraints.append(_Constraint(predicate, value, {"members": members}))
            return
        elif predicate == SH.qualifiedValueShape:
            self.shape(value)
            extra: dict[str, Any] = {
                "min": _int_value(g.value(shape.node, SH.qualifiedMinCount)),
                "max": _int_value(g.value(shape.node, SH.qualifiedMaxCount)),
                "siblings": self._siblings(shape.node, value),
            }
            if extra["min"] is None and extra["max"] is None:
                return  # no count: pySHACL makes no constraint of it either
            shape.constraints.append(_Constraint(predicate, value, extra))
            return
        elif predicate == SH["in"]:
            members = list(RDFCollection(g, value)) if isinstance(value, BNode) else []
            shape.constraints.append(_Constraint(predicate, value, {"members": members}))
            return
        elif predicate == SH.pattern:
            flags = g.value(shape.node, SH.flags)
            shape.constraints.append(_Constraint(predicate, value,
                                                 {"flags": str(flags) if flags else ""}))
            return
        elif predicate == SH.sparql:
            shape.constraints.append(_Constraint(predicate, value, self._sparql(shape, value)))
            return
        elif predicate not in _SUPPORTED:
            shape.problems.append(_short(g, predicate))
            return
        shape.constraints.append(_Constraint(predicate, value))

    def _siblings(self, node: Node, own: Node) -> list[Node]:
        g = self.g
        if not any(isinstance(d, Literal) and d.value is True
                   for d in g.objects(node, SH.qualifiedValueShapesDisjoint)):
            return []
        found: set[Node] = set()
        for parent in g.subjects(SH.property, node):
            for sibling in g.objects(parent, SH.property):
                for qualified in g.objects(sibling, SH.qualifiedValueShape):
                    if qualified != own:
                        found.add(qualified)
        for sibling in found:
            self.shape(sibling)
        return sorted(found, key=str)

    def _sparql(self, shape: _Shape, node: Node) -> dict[str, Any]:
        g = self.g
        select = g.value(node, SH.select)
        info: dict[str, Any] = {
            "deactivated": any(isinstance(d, Literal) and d.value is True
                               for d in g.objects(node, SH.deactivated)),
            "messages": tuple(sorted((m for m in g.objects(node, SH.message)
                                      if isinstance(m, Literal)), key=str)),
        }
        if not isinstance(select, Literal):
            info["problem"] = "sh:sparql without sh:select (sh:ask...)"
            return info
        info["select"] = str(select)
        info["prefixes"] = self._prefixes(node)
        return info

    def _prefixes(self, node: Node) -> dict[str, str]:
        """The prefixes of a SPARQL constraint as pySHACL collects them: rdf, rdfs and owl,
        then the ``sh:declare`` of its ``sh:prefixes`` nodes (and of the ontologies)."""
        g = self.g
        prefixes = {"rdf": str(RDF), "rdfs": str(RDFS), "owl": str(OWL)}
        ontologies = set(g.subjects(RDF.type, OWL.Ontology))
        everywhere = {d for o in ontologies for d in g.objects(o, SH.declare)}
        for holder in g.objects(node, SH.prefixes):
            own = set(g.objects(holder, SH.declare))
            for declaration in (own if own and holder in ontologies else own | everywhere):
                prefix = g.value(declaration, SH.prefix)
                namespace = g.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    prefixes[str(prefix)] = str(namespace)
        return prefixes


_SUPPORTED = frozenset({
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, *_RANGES,
    SH.minLength, SH.maxLength, SH.pattern, SH["in"], SH.hasValue, SH.node, SH["not"],
    SH["or"], SH["and"], SH.xone, SH.qualifiedValueShape, SH.equals, SH.disjoint,
    SH.lessThan, SH.lessThanOrEquals, SH.sparql, SH.property,
})


_XSD_STRING = ox.NamedNode(str(XSD.string))


def from_ox(term: Any) -> Node:
    """The rdflib term for a pyoxigraph term; an ``xsd:string`` literal is a plain
    literal, as rdflib parses ``"x"`` and as pySHACL reports it."""
    if isinstance(term, ox.Literal) and term.datatype == _XSD_STRING:
        return Literal(term.value)
    return _from_ox_typed(term)


def _int_value(node: Node | None) -> int | None:
    if isinstance(node, Literal) and isinstance(node.value, int):
        return int(node.value)
    return None


def _iri(node: Node) -> str:
    """An IRI or literal as SPARQL text."""
    if isinstance(node, URIRef):
        text = str(node)
        if re.search(r'[\s<>"{}|^`\\]', text):
            raise _Unsupported(f"IRI not writable in SPARQL: {text!r}")
        return f"<{text}>"
    if isinstance(node, Literal):
        return node.n3()
    raise _Unsupported("a blank node used as a constant")


def _writable(node: Node) -> bool:
    """Whether a node is an IRI SPARQL can write."""
    try:
        return isinstance(node, URIRef) and bool(_iri(node))
    except _Unsupported:
        return False


def _path_sparql(g: Graph, path: Node, depth: int = 0) -> str:
    """The SPARQL property path for a SHACL path."""
    if depth > 20:
        raise _Unsupported("sh:path too deep")
    if isinstance(path, URIRef):
        return _iri(path)
    if not isinstance(path, BNode):
        raise _Unsupported("sh:path that is a literal")
    if (path, RDF.first, None) in g:
        items = list(RDFCollection(g, path))
        if len(items) < 2:
            raise _Unsupported("sequence path of fewer than two steps")
        return "(" + "/".join(_path_sparql(g, i, depth + 1) for i in items) + ")"
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = g.value(path, predicate)
        if inner is not None:
            return "(" + template.format(_path_sparql(g, inner, depth + 1)) + ")"
    alternatives = g.value(path, SH.alternativePath)
    if alternatives is not None:
        items = list(RDFCollection(g, alternatives))
        if not items:
            raise _Unsupported("empty sh:alternativePath")
        return "(" + "|".join(_path_sparql(g, i, depth + 1) for i in items) + ")"
    raise _Unsupported("unrecognised sh:path")


# --------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class _Focus:
    """Where focus nodes come from: a SPARQL pattern binding ``var`` (and the focus
    and value variables of the enclosing results, ``outer``)."""

    pattern: str
    var: str
    outer: tuple[str, ...] = ()

    @property
    def listed(self) -> bool:
        """Whether the focus nodes are written out (a VALUES block): Oxigraph then
        looks patterns up from them, inside UNION branches too."""
        return self.pattern.startswith("VALUES")


@dataclass(eq=False)
class _Check:
    """One constraint of one shape inside a compiled query: the query's variable that
    says whether it fails on a row."""

    shape: _Shape
    constraint: _Constraint
    component: URIRef
    flag: str | None = None  # None: every row of the query is a result of this check
    recheck_var: str | None = None  # sh:datatype: the literal has the datatype itself
    with_value: bool = True


@dataclass(eq=False)
class _Query:
    """One compiled SPARQL query and how to read its rows into results."""

    text: str
    focus: _Focus
    checks: list[_Check]
    value_var: str | None = None
    python_regex: bool = False
    sparql: dict[str, Any] | None = None
    #: the variable that numbers the parent results of a detail query
    parent_var: str | None = None


class _Generator:
    """Writes the SPARQL queries of the top-level shapes."""

    def __init__(self, reader: _ShapeReader, subclasses: dict[Node, list[Node]],
                 regex_ok: dict[tuple[str, str], bool], *,
                 graphs: Sequence[str] | None = None) -> None:
        self.reader = reader
        self.subclasses = subclasses
        self.regex_ok = regex_ok
        self.graphs = graphs
        self.counter = 0
        self.queries: list[_Query] = []
        self.stack: list[_Shape] = []

    def fresh(self, hint: str) -> str:
        self.counter += 1
        return f"_kg{hint}{self.counter}"

    # ---- targets

    def classes(self, cls: Node) -> list[Node]:
        found = self.subclasses.get(cls)
        return found if found is not None else [cls]

    def target_pattern(self, shape: _Shape, var: str, *, limited: bool = True) -> str:
        """A subquery binding ``var`` to each focus node of ``shape`` (that is a subject
        in the generator's graphs, if any, unless not ``limited``)."""
        union = self.targets(shape, var)
        if self.graphs is not None and limited:
            # the subjects of the given named graphs first (read graph by graph), each
            # then checked against the targets
            g = self.fresh("g")
            names = " ".join(f"<{name}>" for name in self.graphs)
            graph = (f"VALUES ?{g} {{ {names} }} "
                     f"GRAPH ?{g} {{ ?{var} ?{self.fresh('p')} ?{self.fresh('o')} }}")
            return (f"{{ SELECT ?{var} WHERE {{ {{ SELECT DISTINCT ?{var} WHERE {{ {graph} }} }} "
                    f"FILTER EXISTS {{ {union} }} }} }}")
        return f"{{ SELECT DISTINCT ?{var} WHERE {{ {union} }} }}"

    def targets(self, shape: _Shape, var: str) -> str:
        """A pattern binding ``var`` to the targets of ``shape`` (possibly repeated)."""
        parts: list[str] = []
        classes = sorted({c for t in shape.targets[SH.targetClass] for c in self.classes(t)},
                         key=str)
        if classes:
            kind = self.fresh("c")
            parts.append(f"VALUES ?{kind} {{ {' '.join(_iri(c) for c in classes)} }} "
                         f"?{var} <{RDF.type}> ?{kind} .")
        nodes = shape.targets[SH.targetNode]
        if nodes:
            parts.append(f"VALUES ?{var} {{ {' '.join(_iri(n) for n in nodes)} }}")
        for predicate in shape.targets[SH.targetSubjectsOf]:
            parts.append(f"?{var} {_iri(predicate)} ?{self.fresh('o')} .")
        for predicate in shape.targets[SH.targetObjectsOf]:
            parts.append(f"?{self.fresh('s')} {_iri(predicate)} ?{var} .")
        return " UNION ".join(f"{{ {p} }}" for p in parts)

    # ---- expressions over one focus / value node

    def values(self, shape: _Shape, f: str, v: str) -> str:
        """A pattern binding ``?v`` to each value node of ``shape`` for focus ``?f``."""
        if shape.is_property:
            return f"?{f} {shape.path_sparql} ?{v} ."
        return f"BIND(?{f} AS ?{v})"

    def enter(self, shape: _Shape) -> None:
        if shape in self.stack:
            raise _Unsupported(f"recursive shape {shape.node.n3()}")
        if len(self.stack) > 30:
            raise _Unsupported("shapes nested too deep")
        if shape.problems:
            raise _Unsupported(shape.problems[0])
        self.stack.append(shape)

    def has_reports(self, shape: _Shape, f: str) -> str:
        """True when validating ``?f`` against ``shape`` gives any result."""
        return self._reports(shape, f, strict=True)

    def conforms(self, shape: _Shape, f: str) -> str:
        """pySHACL's conformance of ``?f`` to ``shape`` (warnings and infos allowed)."""
        if shape.deactivated or shape.severity in _ALLOWED_SEVERITIES:
            return "true"
        return f"!({self._reports(shape, f, strict=False)})"

    def _reports(self, shape: _Shape, f: str, *, strict: bool) -> str:
        if shape.deactivated:
            return "false"
        self.enter(shape)
        try:
            parts: list[str] = []
            if strict or shape.severity not in _ALLOWED_SEVERITIES:
                parts.extend(self.fails(shape, c, f) for c in shape.constraints)
            for child in shape.properties:
                if shape.is_property:
                    x = self.fresh("x")
                    inner = self._reports(child, x, strict=strict)
                    parts.append(f"EXISTS {{ {self.values(shape, f, x)} FILTER({inner}) }}")
                else:
                    parts.append(self._reports(child, f, strict=strict))
        finally:
            self.stack.pop()
        parts = [p for p in parts if p != "false"]
        return " || ".join(f"({p})" for p in parts) if parts else "false"

    def fails(self, shape: _Shape, c: _Constraint, f: str) -> str:
        """True when constraint ``c`` of ``shape`` gives a result for focus ``?f``."""
        p = c.parameter
        if p == SH.minCount:
            n = _count(c.value)
            if n == 0:
                return "false"
            if n > 3:
                raise _Unsupported("nested sh:minCount above 3")
            return f"!({self._distinct_values(shape, f, n)})"
        if p == SH.maxCount:
            n = _count(c.value)
            if n > 2:
                raise _Unsupported("nested sh:maxCount above 2")
            return self._distinct_values(shape, f, n + 1)
        if p == SH.hasValue and shape.is_property:
            return f"NOT EXISTS {{ ?{f} {shape.path_sparql} {_iri(c.value)} }}"
        if p == SH.qualifiedValueShape:
            parts = []
            if c.extra["min"] is not None and c.extra["min"] > 0:
                if c.extra["min"] > 3:
                    raise _Unsupported("nested sh:qualifiedMinCount above 3")
                enough = self._distinct_values(shape, f, c.extra["min"], c)
                parts.append(f"!({enough})")
            if c.extra["max"] is not None:
                if c.extra["max"] > 2:
                    raise _Unsupported("nested sh:qualifiedMaxCount above 2")
                parts.append(self._distinct_values(shape, f, c.extra["max"] + 1, c))
            return " || ".join(f"({x})" for x in parts) if parts else "false"
        if p == SH.sparql:
            raise _Unsupported("SPARQL constraint in a nested shape")
        if p == SH.equals:
            v = self.fresh("v")
            w = self.fresh("w")
            return (f"EXISTS {{ {self.values(shape, f, v)} FILTER NOT EXISTS "
                    f"{{ ?{f} {_iri(c.value)} ?{v} }} }} || EXISTS {{ ?{f} {_iri(c.value)} ?{w} "
                    f"FILTER NOT EXISTS {{ {self.values(shape, f, w)} }} }}")
        if not shape.is_property:
            return self.value_fails(c, f, f)  # a node shape's value is its focus node
        v = self.fresh("v")
        return f"EXISTS {{ {self.values(shape, f, v)} FILTER({self.value_fails(c, f, v)}) }}"

    def _distinct_values(self, shape: _Shape, f: str, n: int,
                         qualified: _Constraint | None = None) -> str:
        """True when ``?f`` has at least ``n`` distinct values (conforming to the
        qualified value shape of ``qualified``, if given)."""
        names = [self.fresh("n") for _ in range(n)]
        patterns = []
        for name in names:
            patterns.append(self.values(shape, f, name))
            if qualified is not None:
                patterns.append(f"FILTER({self.qualified(qualified, name)})")
        distinct = [f"!sameTerm(?{a}, ?{b})" for i, a in enumerate(names) for b in names[i + 1:]]
        if distinct:
            patterns.append(f"FILTER({' && '.join(distinct)})")
        return f"EXISTS {{ {' '.join(patterns)} }}"

    def qualified(self, c: _Constraint, v: str) -> str:
        own = self.conforms(self.shape_of(c.value), v)
        siblings = [self.conforms(self.shape_of(s), v) for s in c.extra["siblings"]]
        if siblings:
            return f"({own}) && !({' || '.join(f'({s})' for s in siblings)})"
        return own

    def shape_of(self, node: Node) -> _Shape:
        return self.reader.shape(node)

    def value_fails(self, c: _Constraint, f: str, v: str) -> str:
        """True when value ``?v`` (of focus ``?f``) fails the value-level constraint ``c``."""
        p, value = c.parameter, c.value
        var = f"?{v}"
        if p == SH["class"]:
            classes = self.classes(value)
            if len(classes) == 1:
                return f"NOT EXISTS {{ {var} <{RDF.type}> {_iri(classes[0])} }}"
            kind = self.fresh("c")
            return (f"NOT EXISTS {{ VALUES ?{kind} {{ {' '.join(_iri(k) for k in classes)} }} "
                    f"{var} <{RDF.type}> ?{kind} }}")
        if p == SH.datatype:
            well_formed = datatype_well_formed(value, var)
            if well_formed == "true":
                return f"!{datatype_matches(value, var)}"
            return f"!({datatype_matches(value, var)} && {well_formed})"
        if p == SH.nodeKind:
            if value not in _NODE_KINDS:
                raise _Unsupported(f"sh:nodeKind {value}")
            return f"!{_NODE_KINDS[value].format(v=var)}"
        if p in _RANGES:
            return f"!COALESCE({var} {_RANGES[p][0]} {_iri(value)}, false)"
        if p in (SH.minLength, SH.maxLength):
            n = _count(value)
            op = "<" if p == SH.minLength else ">"
            return f"isBlank({var}) || STRLEN(STR({var})) {op} {n}"
        if p == SH.pattern:
            return f"isBlank({var}) || !{self.regex(c, var)}"
        if p == SH["in"]:
            members = c.extra["members"]
            if not members:
                return "true"
            return "!(" + " || ".join(f"sameTerm({var}, {_iri(m)})" for m in members) + ")"
        if p == SH.hasValue:  # on a node shape: the focus node itself
            return f"!sameTerm({var}, {_iri(value)})"
        if p == SH.node:
            return self.has_reports(self.shape_of(value), v)
        if p == SH["not"]:
            return self.conforms(self.shape_of(value), v)
        if p in (SH["or"], SH["and"], SH.xone):
            members = [self.conforms(self.shape_of(m), v) for m in c.extra["members"]]
            if p == SH["or"]:
                return "!(" + " || ".join(f"({m})" for m in members) + ")"
            if p == SH["and"]:
                return "!(" + " && ".join(f"({m})" for m in members) + ")"
            return "(" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") != 1"
        if p == SH.disjoint:
            return f"EXISTS {{ ?{f} {_iri(value)} {var} }}"
        if p in (SH.lessThan, SH.lessThanOrEquals):
            w = self.fresh("w")
            return f"EXISTS {{ ?{f} {_iri(value)} ?{w} FILTER({compare_fails(p, var, '?' + w)}) }}"
        raise _Unsupported(f"constraint {p}")  # pragma: no cover - _SUPPORTED lists the rest

    def regex(self, c: _Constraint, var: str) -> str:
        pattern = str(c.value)
        flags = "".join(x for x in "im" if x in c.extra["flags"].lower())
        if self.regex_ok.get((pattern, flags), True):
            return f"REGEX(STR({var}), {Literal(pattern).n3()}, {Literal(flags).n3()})"
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _Unsupported(f"sh:pattern {pattern!r} does not compile: {exc}") from exc
        return f"<{_PY_REGEX}>(STR({var}), {Literal(pattern).n3()}, {Literal(flags).n3()})"

    # ---- top-level queries

    def add(self, text: str, focus: _Focus, checks: list[_Check], **extra: Any) -> None:
        if focus.outer and focus.outer[0].startswith("_kgp"):
            extra.setdefault("parent_var", focus.outer[0])
        self.queries.append(_Query(text, focus, checks, python_regex=_PY_REGEX in text,
                                   **extra))

    def emit(self, shape: _Shape, focus: _Focus, *, scan: bool = False) -> None:
        """Add the queries that find the results of ``shape`` on the focus nodes of
        ``focus``: one for the values of all its paths, one for their counts, and one
        for each SPARQL, ``sh:equals`` and ``sh:lessThan`` constraint.

        With ``scan``, each path is read whole (an index scan) and joined to the focus
        nodes by hash; otherwise it is looked up from each focus node (better for few
        focus nodes).
        """
        if shape.deactivated:
            return
        owners = [shape] if shape.is_property else [shape, *shape.properties]
        self.enter(shape)
        try:
            value_checks: list[tuple[_Shape, _Constraint]] = []
            count_checks: list[tuple[_Shape, _Constraint]] = []
            for owner in owners:
                if owner.deactivated:
                    continue
                if owner is not shape:
                    self.enter(owner)
                try:
                    for c in owner.constraints:
                        kind = _kind(owner, c)
                        if kind == "value":
                            value_checks.append((owner, c))
                        elif kind == "count":
                            count_checks.append((owner, c))
                        elif kind == "sparql":
                            self.emit_sparql(owner, c, focus, scan=scan)
                        else:
                            self.emit_pair(owner, c, focus)
                    if owner.is_property:
                        for child in owner.properties:
                            v = self.fresh("v")
                            keep = _vars(_unique((*focus.outer, focus.var, v)))
                            inner = _Focus(f"{{ SELECT DISTINCT {keep} WHERE {{ {focus.pattern} "
                                           f"{self.values(owner, focus.var, v)} }} }}",
                                           v, (*focus.outer, focus.var))
                            self.emit(child, inner)
                finally:
                    if owner is not shape:
                        self.stack.pop()
            self.emit_values(value_checks, focus, scan=scan)
            self.emit_counts(count_checks, focus, scan=scan)
        finally:
            self.stack.pop()

    def emit_values(self, checks: list[tuple[_Shape, _Constraint]], focus: _Focus, *,
                    scan: bool) -> None:
        """The query that flags every failing value of the value-level checks."""
        f = focus.var
        scanned: dict[str, list[tuple[_Shape, _Constraint]]] = {}
        looked_up: dict[str, list[tuple[_Shape, _Constraint]]] = {}
        own: list[tuple[_Shape, _Constraint]] = []
        for owner, c in checks:
            if not owner.is_property:
                own.append((owner, c))
            elif scan and _scannable(owner.path_sparql):
                scanned.setdefault(owner.path_sparql, []).append((owner, c))
            else:
                looked_up.setdefault(owner.path_sparql, []).append((owner, c))
        if own:  # a node shape's own value is its focus node
            v = self.fresh("v")
            self.values_query(focus, {"": own}, v, f"{focus.pattern} BIND(?{f} AS ?{v})",
                              branch=None)
        for groups, scanning in ((scanned, True), (looked_up, False)):
            if not groups:
                continue
            v = self.fresh("v")
            k = self.fresh("k")
            branches = []
            for i, path in enumerate(groups):
                if scanning:
                    branches.append(f"{{ {{ SELECT ?{f} ?{v} WHERE {{ ?{f} {path} ?{v} }} }} "
                                    f"BIND({i} AS ?{k}) }}")
                elif focus.listed:
                    branches.append(f"{{ ?{f} {path} ?{v} . BIND({i} AS ?{k}) }}")
                else:
                    # the focus pattern in each branch: a branch alone would read the
                    # whole path before the join
                    branches.append(f"{{ {focus.pattern} ?{f} {path} ?{v} . BIND({i} AS ?{k}) }}")
            source = " UNION ".join(branches)
            if not scanning and focus.listed:
                source = f"{focus.pattern} {source}"
            if scanning:
                inside = self.fresh("in")
                source += (f" OPTIONAL {{ SELECT ?{f} ?{inside} WHERE {{ {focus.pattern} "
                           f"BIND(true AS ?{inside}) }} }} FILTER(BOUND(?{inside}))")
            self.values_query(focus, groups, v, source, branch=k)

    def values_query(self, focus: _Focus, groups: dict[str, list[tuple[_Shape, _Constraint]]],
                     v: str, source: str, *, branch: str | None) -> None:
        f = focus.var
        binds: list[str] = []
        checks: list[_Check] = []
        head = [*focus.outer, f, v]
        for i, items in enumerate(groups.values()):
            for owner, c in items:
                flag = self.fresh("r")
                fails = self.value_fails(c, f, v)
                if branch is not None:
                    binds.append(f"BIND(IF(?{branch} = {i}, COALESCE({fails}, false), false) "
                                 f"AS ?{flag})")
                else:
                    binds.append(f"BIND(COALESCE({fails}, false) AS ?{flag})")
                # pySHACL reports sh:hasValue without a value, on node shapes too
                check = _Check(owner, c, _component(c.parameter), flag,
                               with_value=c.parameter != SH.hasValue)
                if c.parameter == SH.datatype and (c.value in _WELL_FORMED
                                                   or c.value in INTEGER_DERIVED):
                    # a literal of the datatype that Oxigraph could not parse is judged
                    # again by rdflib, pySHACL's judge (the two parsers differ at the edges)
                    check.recheck_var = self.fresh("rc")
                    exact = datatype_matches(c.value, f"?{v}", exact=True)
                    binds.append(f"BIND(COALESCE({exact}, false) AS ?{check.recheck_var})")
                    head.append(check.recheck_var)
                head.append(flag)
                checks.append(check)
        flags = " || ".join(f"?{c.flag}" for c in checks)
        text = (f"SELECT DISTINCT {_vars(_unique(head))} WHERE {{ {source} {' '.join(binds)} "
                f"FILTER({flags}) }}")
        self.add(text, focus, checks, value_var=v)

    def emit_counts(self, checks: list[tuple[_Shape, _Constraint]], focus: _Focus, *,
                    scan: bool) -> None:
        """The query that flags the focus nodes failing a cardinality, ``sh:hasValue``
        or qualified-count check."""
        f = focus.var
        joins: list[str] = []
        binds: list[str] = []
        made: list[_Check] = []
        counted: dict[str, str] = {}
        for owner, c in checks:
            for part, component in _count_parts(c):
                if scan and _scannable(owner.path_sparql):
                    fails = self.scanned_count_fails(owner, part, f, joins, counted)
                else:
                    limits = {SH.minCount: 3, SH.maxCount: 2}
                    if part.parameter in limits and _count(part.value) > limits[part.parameter]:
                        self.emit_large_count(owner, part, focus)
                        continue
                    fails = self.fails(owner, part, f)
                if fails == "false":
                    continue
                flag = self.fresh("x")
                binds.append(f"BIND(COALESCE({fails}, false) AS ?{flag})")
                made.append(_Check(owner, c, component, flag, with_value=False))
        if not made:
            return
        if counted:
            # one scan of every counted path, grouped by focus node: cheaper than a
            # grouped scan per path
            x, k = self.fresh("vv"), self.fresh("k")
            union = " UNION ".join(f"{{ ?{f} {path} ?{x} BIND({i} AS ?{k}) }}"
                                   for i, path in enumerate(counted))
            sums = " ".join(f"(SUM(IF(?{k} = {i}, 1, 0)) AS ?{number})"
                            for i, number in enumerate(counted.values()))
            joins.insert(0, f"OPTIONAL {{ SELECT ?{f} {sums} WHERE {{ SELECT DISTINCT ?{f} "
                            f"?{k} ?{x} WHERE {{ {union} }} }} GROUP BY ?{f} }}")
        flags = " || ".join(f"?{c.flag}" for c in made)
        head = _vars(_unique((*focus.outer, f, *(c.flag or "" for c in made))))
        text = (f"SELECT DISTINCT {head} WHERE {{ {focus.pattern} {' '.join(joins)} "
                f"{' '.join(binds)} FILTER({flags}) }}")
        self.add(text, focus, made)

    def scanned_count_fails(self, owner: _Shape, c: _Constraint, f: str, joins: list[str],
                            counted: dict[str, str]) -> str:
        """SPARQL over the focus variable: the count check ``c`` fails.  Counts come
        from one grouped scan of the path per query, joined by hash."""
        p = c.parameter
        path = owner.path_sparql
        x = self.fresh("vv")
        if p == SH.hasValue:
            flag = self.fresh("h")
            joins.append(f"OPTIONAL {{ SELECT DISTINCT ?{f} ?{flag} WHERE {{ ?{f} {path} "
                         f"{_iri(c.value)} BIND(true AS ?{flag}) }} }}")
            return f"!BOUND(?{flag})"
        if p == SH.qualifiedValueShape:
            number = self.fresh("q")
            condition = self.qualified(c, x)
            joins.append(f"OPTIONAL {{ SELECT ?{f} (COUNT(DISTINCT ?{x}) AS ?{number}) WHERE "
                         f"{{ ?{f} {path} ?{x} FILTER({condition}) }} GROUP BY ?{f} }}")
            parts = []
            if c.extra["min"] is not None and c.extra["min"] > 0:
                parts.append(f"COALESCE(?{number}, 0) < {c.extra['min']}")
            if c.extra["max"] is not None:
                parts.append(f"COALESCE(?{number}, 0) > {c.extra['max']}")
            return " || ".join(parts) if parts else "false"
        number = counted.get(path)
        if number is None:  # counted by the query's one scan of all its paths
            number = counted[path] = self.fresh("n")
        n = _count(c.value)
        if p == SH.minCount:
            return "false" if n == 0 else f"COALESCE(?{number}, 0) < {n}"
        return f"COALESCE(?{number}, 0) > {n}"

    def emit_large_count(self, shape: _Shape, c: _Constraint, focus: _Focus) -> None:
        """A cardinality too large for nested patterns: GROUP BY on its own."""
        f = focus.var
        outer = _unique((*focus.outer, f))
        v = self.fresh("v")
        n = _count(c.value)
        if c.parameter == SH.minCount:
            text = (f"SELECT {_vars(outer)} WHERE {{ {focus.pattern} OPTIONAL {{ "
                    f"{self.values(shape, f, v)} }} }} GROUP BY {_vars(outer)} "
                    f"HAVING (COUNT(DISTINCT ?{v}) < {n})")
        else:
            text = (f"SELECT {_vars(outer)} WHERE {{ {focus.pattern} {self.values(shape, f, v)} }}"
                    f" GROUP BY {_vars(outer)} HAVING (COUNT(DISTINCT ?{v}) > {n})")
        self.add(text, focus, [_Check(shape, c, _component(c.parameter), with_value=False)])

    def emit_pair(self, shape: _Shape, c: _Constraint, focus: _Focus) -> None:
        """``sh:equals`` (values missing on either side) and ``sh:lessThan`` /
        ``sh:lessThanOrEquals`` (one result per value and per other value it is not
        below, as pySHACL reports them)."""
        f = focus.var
        other = _iri(c.value)
        v = self.fresh("v")
        head = _unique((*focus.outer, f, v))
        check = _Check(shape, c, _component(c.parameter))
        if c.parameter == SH.equals:
            for body in (f"{self.values(shape, f, v)} FILTER NOT EXISTS {{ ?{f} {other} ?{v} }}",
                         f"?{f} {other} ?{v} . FILTER NOT EXISTS {{ {self.values(shape, f, v)} }}"):
                text = f"SELECT DISTINCT {_vars(head)} WHERE {{ {focus.pattern} {body} }}"
                self.add(text, focus, [check], value_var=v)
            return
        w = self.fresh("w")
        text = (f"SELECT DISTINCT {_vars((*head, w))} WHERE {{ {focus.pattern} "
                f"{self.values(shape, f, v)} ?{f} {other} ?{w} . "
                f"FILTER({compare_fails(c.parameter, '?' + v, '?' + w)}) }}")
        self.add(text, focus, [check], value_var=v)

    def emit_sparql(self, shape: _Shape, c: _Constraint, focus: _Focus, *,
                    scan: bool = False) -> None:
        """A SPARQL-based constraint: its query joined to the focus nodes through
        ``?this`` (by hash after running it whole, with ``scan``)."""
        info = c.extra
        if info.get("deactivated"):
            return
        if "problem" in info:
            raise _Unsupported(info["problem"])
        select: str = info["select"]
        if _SHAPES_GRAPH_VAR.search(select):
            raise _Unsupported("$shapesGraph in a SPARQL constraint")
        if shape.is_property:
            select = _PATH_VAR.sub(lambda m: m.group(1) + shape.path_sparql, select)
        elif _PATH_VAR.search(select):
            raise _Unsupported("$PATH in the SPARQL constraint of a node shape")
        if _SHAPE_VAR.search(select):
            iri = _iri(shape.node)
            select = _SHAPE_VAR.sub(lambda m: m.group(1) + iri, select)
        prologue_match = _PROLOGUE.match(select)
        own_prologue = prologue_match.group(0) if prologue_match else ""
        body = select[len(own_prologue):]
        head = _SELECT_HEAD.match(body)
        if head is None:
            raise _Unsupported("sh:select that is not a SELECT query")
        projected = head.group(2)
        names = set(re.findall(r"[?$](\w+)", projected)) if projected.strip() != "*" else None
        projects_this = names is None or "this" in names
        if names is not None and "this" not in names:
            # the focus node joins the query through ?this: project it
            start = head.start(2)
            body = body[:start] + "?this " + body[start:]
        # pySHACL's queries also see the data graph's prefixes (kgbuild's and rdflib's)
        known = {**_fallback_prefixes(), **info["prefixes"]}
        _check_this_bound(known, select)
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in known.items())
        f = focus.var
        if scan and not focus.outer:
            inside = self.fresh("in")
            text = (f"{prefixes}{own_prologue}\nSELECT DISTINCT * WHERE {{ {{ {body} }} "
                    f"OPTIONAL {{ SELECT (?{f} AS ?this) ?{inside} WHERE {{ {focus.pattern} "
                    f"BIND(true AS ?{inside}) }} }} FILTER(BOUND(?{inside})) }}")
            internal = {inside}
            focus = _Focus(focus.pattern, "this")
        else:
            group = _single_group(body[head.end(2):]) if names and "(" not in projected else None
            if group is not None:
                # a plain SELECT: its pattern inlined after the focus nodes, so that each
                # is looked up from them (a subquery would be read whole first)
                keep = _vars((*focus.outer, f))
                head_vars = _vars(_unique((*focus.outer, "this", *sorted(names or ()))))
                text = (f"{prefixes}{own_prologue}\nSELECT DISTINCT {head_vars} WHERE {{ "
                        f"{{ SELECT {keep} (?{f} AS ?this) WHERE {{ {focus.pattern} }} }} "
                        f"{group} }}")
                focus = _Focus(focus.pattern, "this", focus.outer)
            else:
                text = (f"{prefixes}{own_prologue}\nSELECT DISTINCT * WHERE {{ "
                        f"{{ {focus.pattern} BIND(?{f} AS ?this) }} {{ {body} }} }}")
            internal = set((*focus.outer, f))
        self.add(text, focus, [_Check(shape, c, SH.SPARQLConstraintComponent)],
                 sparql={**info, "projects_this": projects_this, "internal": internal})


#: Strings, IRIs and comments of a SPARQL text (braces inside them do not count), and braces.
_SPARQL_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r'|<[^\s<>"{}|^`\\]*>|#[^\n]*|[{}]')


def _single_group(text: str) -> str | None:
    """The content of ``WHERE { ... }`` when nothing follows the group (no GROUP BY,
    ORDER BY, LIMIT...), else None."""
    text = re.sub(r"\A\s*WHERE\b", "", text.strip(), flags=re.I).strip()
    if not text.startswith("{"):
        return None
    depth = 0
    for token in _SPARQL_TOKENS.finditer(text):
        if token.group(0) == "{":
            depth += 1
        elif token.group(0) == "}":
            depth -= 1
            if depth == 0:
                return text[1:token.start()] if not text[token.end():].strip() else None
    return None


def _kind(shape: _Shape, c: _Constraint) -> str:
    """How a constraint is compiled: per value, per focus node (counts), or alone."""
    p = c.parameter
    if p in (SH.minCount, SH.maxCount, SH.qualifiedValueShape) or (
            p == SH.hasValue and shape.is_property):
        return "count"
    if p == SH.sparql:
        return "sparql"
    if p in (SH.equals, SH.lessThan, SH.lessThanOrEquals):
        return "pair"
    return "value"


def _count_parts(c: _Constraint) -> list[tuple[_Constraint, URIRef]]:
    """A count check and its component; a qualified count with both bounds is two."""
    if c.parameter != SH.qualifiedValueShape:
        return [(c, _component(c.parameter))]
    parts = []
    if c.extra["min"] is not None and c.extra["min"] > 0:
        parts.append((_Constraint(c.parameter, c.value, {**c.extra, "max": None}),
                      SH.QualifiedMinCountConstraintComponent))
    if c.extra["max"] is not None:
        parts.append((_Constraint(c.parameter, c.value, {**c.extra, "min": None}),
                      SH.QualifiedMaxCountConstraintComponent))
    return parts


def _scannable(path: str) -> bool:
    """Whether a path can be read whole: no closure (``*``, ``+``, ``?``), which would
    start from every node of the graph."""
    return not re.search(r"\)[*+?]", path)


def _fallback_prefixes() -> dict[str, str]:
    """The prefixes kgbuild's data graph binds (rdflib's defaults and kgbuild's)."""
    from kgbuild.core.namespaces import PREFIXES

    found = {str(p): str(ns) for p, ns in Graph().namespaces() if p}
    found.update({p: str(ns) for p, ns in PREFIXES.items() if p})
    return found


def _check_this_bound(prefixes: dict[str, str], select: str) -> None:
    """Refuse a SPARQL constraint whose ``$this`` is not bound by its own pattern.

    The compiled query joins the constraint's results with the focus nodes instead
    of running it once per focus node with ``$this`` pre-bound; the two agree when
    ``$this`` is bound by a triple pattern outside ``OPTIONAL``, ``FILTER`` and
    ``MINUS`` (as in kgbuild's shapes).
    """
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    try:
        query = prepareQuery(select, initNs=prefixes)
    except Exception as exc:
        raise _Unsupported(f"SPARQL constraint that rdflib cannot parse: {exc}") from exc
    this = Variable("this")

    def bound(node: Any) -> bool:
        if not isinstance(node, CompValue):
            return False
        name = node.name
        if name == "BGP":
            return any(this in triple for triple in node.triples)
        if name in ("Join",):
            return bound(node.p1) or bound(node.p2)
        if name in ("LeftJoin", "Minus"):
            return bound(node.p1)
        if name == "Union":
            return bound(node.p1) and bound(node.p2)
        if name in ("Filter", "Extend", "Project", "Distinct", "Reduced", "Slice", "OrderBy",
                    "Group", "AggregateJoin", "ToMultiSet", "Graph", "SelectQuery", "SubSelect"):
            return bound(node.p)
        return False

    if not bound(query.algebra):
        raise _Unsupported("SPARQL constraint whose $this is not bound by a triple pattern")


def datatype_matches(datatype: Node, var: str, *, exact: bool = False) -> str:
    """SPARQL: the literal ``var`` has ``datatype`` (an integer in range for a derived
    integer datatype, which Oxigraph stores as xsd:integer; ``exact``: the datatype itself)."""
    if datatype == RDFS.Literal:
        return f"isLiteral({var})"
    if datatype == RDF.langString:
        return f"(isLiteral({var}) && LANG({var}) != \"\")"
    own = f"(isLiteral({var}) && sameTerm(DATATYPE({var}), {_iri(datatype)}))"
    if datatype in INTEGER_DERIVED and not exact:
        low, high = _INTEGER_RANGES.get(datatype, (None, None))
        checks = [f"sameTerm(DATATYPE({var}), <{XSD.integer}>)", f"isNumeric({var})"]
        if low is not None:
            checks.append(f"{var} >= {low}")
        if high is not None:
            checks.append(f"{var} <= {high}")
        return f"({own} || (isLiteral({var}) && COALESCE({' && '.join(checks)}, false)))"
    return own


def datatype_well_formed(datatype: Node, var: str) -> str:
    """SPARQL: Oxigraph parsed the literal ``var`` (true for datatypes it cannot check)."""
    template = _WELL_FORMED.get(datatype)
    if datatype in INTEGER_DERIVED:
        template = _WELL_FORMED[XSD.integer]
    return template.format(v=var) if template else "true"


def compare_fails(parameter: Node, v: str, w: str) -> str:
    """SPARQL: value ``v`` is not below (or equal to) ``w`` as pySHACL compares them:
    IRIs and string literals as strings, other literals by value, blank nodes never."""
    strings = ", ".join(_iri(t) for t in _STRING_TYPES)

    def textual(x: str) -> str:
        return f"(isIRI({x}) || (isLiteral({x}) && DATATYPE({x}) IN ({strings})))"

    op = "<" if parameter == SH.lessThan else "<="
    return (f"!COALESCE(IF({textual(v)} && {textual(w)}, STR({v}) {op} STR({w}), "
            f"IF({textual(v)} || {textual(w)} || isBlank({v}) || isBlank({w}), false, "
            f"{v} {op} {w})), false)")


def _count(node: Node) -> int:
    value = _int_value(node)
    if value is None or value < 0:
        raise _Unsupported(f"count that is not a non-negative integer: {node!r}")
    return value


def _component(parameter: Node) -> URIRef:
    names: dict[Node, str] = {SH["class"]: "Class", SH["in"]: "In", SH["not"]: "Not",
                              SH["or"]: "Or", SH["and"]: "And", SH.xone: "Xone"}
    name = names.get(parameter)
    if name is None:
        local = str(parameter)[len(str(SH)):]
        name = local[0].upper() + local[1:]
    return SH[f"{name}ConstraintComponent"]


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _vars(names: Iterable[str]) -> str:
    return " ".join(f"?{n}" for n in names)


# --------------------------------------------------------------------------- running


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
        runner = _Runner(store, options, _integer_paths(self._reader),
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


@dataclass(eq=False)
class _Record:
    """A result being assembled (its sh:node details come later)."""

    check: _Check
    focus: Node
    value: Node | None
    raw_value: Any
    path: Node | None
    messages: tuple[Literal, ...]
    source_constraint: Node | None = None
    details: list[_Record] = field(default_factory=list)

    def freeze(self) -> RawResult:
        shape = self.check.shape
        return RawResult(focus=self.focus, path=self.path, value=self.value,
                         source_shape=shape.node, component=self.check.component,
                         severity=shape.severity, messages=self.messages,
                         source_constraint=self.source_constraint,
                         details=tuple(d.freeze() for d in self.details))


class _Runner:
    """Runs compiled queries on a store and reads their rows."""

    #: Parent results per query of sh:node details (their values go in a VALUES block).
    DETAIL_BATCH = 2000

    def __init__(self, store: Any, options: dict[str, Any], integer_paths: dict[Node, URIRef],
                 messages: _Messages) -> None:
        self.store = store
        self.messages = messages
        self.options = options
        self.integer_paths = integer_paths
        self.converted: dict[Any, Node] = {}
        self.failed: set[tuple[int, Node]] = set()  # ?failure: once per focus node

    def term(self, value: Any) -> Node | None:
        if value is None:
            return None
        known = self.converted.get(value)
        if known is None:
            known = self.converted[value] = from_ox(value)
        return known

    def rows(self, query: _Query) -> tuple[list[str], Any]:
        kwargs = dict(self.options)
        if query.python_regex:
            kwargs["custom_functions"] = {ox.NamedNode(_PY_REGEX): _python_regex}
        solutions = self.store.query(query.text, **kwargs)
        return [v.value for v in solutions.variables], solutions

    def execute(self, query: _Query, parents: Sequence[_Record] = ()) -> list[_Record]:
        """The results of a query; those of a detail query are also added to the
        details of their parent (numbered by the query's ``parent_var``)."""
        names, solutions = self.rows(query)
        found: list[_Record] = []
        for row in solutions:
            for record in self.read(query, row, names):
                if query.parent_var is not None and parents:
                    parents[int(row[query.parent_var].value)].details.append(record)
                found.append(record)
        return found

    def details(self, parents: list[_Record], generator: Any) -> list[_Record]:
        """Add to each failed ``sh:node`` result the results of its node shape on its
        value; return the new ``sh:node`` results among them."""
        new: list[_Record] = []
        by_shape: dict[Node, list[_Record]] = {}
        for record in parents:
            if isinstance(record.raw_value, ox.BlankNode):
                logger.warning("no sh:detail for a blank node value (%s)", record.value)
                continue
            by_shape.setdefault(record.check.constraint.value, []).append(record)
        for node, records in by_shape.items():
            for start in range(0, len(records), self.DETAIL_BATCH):
                batch = records[start:start + self.DETAIL_BATCH]
                maker = generator()
                index, var = maker.fresh("p"), maker.fresh("d")
                rows = " ".join(f"({i} {r.raw_value})" for i, r in enumerate(batch))
                maker.emit(maker.shape_of(node),
                           _Focus(f"VALUES (?{index} ?{var}) {{ {rows} }}", var, (index,)))
                for query in maker.queries:
                    new.extend(self.execute(query, batch))
        return [r for r in new if r.check.constraint.parameter == SH.node]

    def read(self, query: _Query, row: Any, names: list[str]) -> Iterator[_Record]:
        focus = self.term(row[query.focus.var])
        if focus is None:  # pragma: no cover - the focus variable is always bound
            return
        if query.sparql is not None:
            yield from self.sparql_records(query, row, names, focus)
            return
        raw = row[query.value_var] if query.value_var else None
        value = self.term(raw)
        for check in query.checks:
            if check.flag is not None:
                flag = row[check.flag]
                if flag is None or flag.value != "true":
                    continue
            shape = check.shape
            path = shape.path if shape.is_property else None
            shown = value if check.with_value else None
            if check.recheck_var is not None:
                exact = row[check.recheck_var]
                if (exact is not None and exact.value == "true" and isinstance(value, Literal)
                        and _rdflib_datatype_ok(value, URIRef(str(check.constraint.value)))):
                    continue
            if (isinstance(shown, Literal) and shown.datatype == XSD.integer
                    and path in self.integer_paths):
                # Oxigraph stores derived integers as xsd:integer: give the datatype back
                shown = Literal(str(shown), datatype=self.integer_paths[path])
            yield _Record(check, focus, shown, raw if check.with_value else None, path,
                          shape.messages or (self.messages.generic(check, focus, shown),))

    def sparql_records(self, query: _Query, row: Any, names: list[str], focus: Node
                       ) -> Iterator[_Record]:
        """The result of one row of a SPARQL-based constraint, as pySHACL reads it."""
        info = query.sparql or {}
        check = query.checks[0]
        shape = check.shape
        path = shape.path if shape.is_property else None
        bound = {n: self.term(row[n]) for n in names
                 if n not in info["internal"] and row[n] is not None}
        own_value = focus if not shape.is_property else None
        failure = bound.pop("failure", None)
        row_path = bound.pop("path", None)
        value = bound.pop("value", None)
        this = bound.pop("this", None)
        if not info["projects_this"]:
            this = None  # the query's own rows have no ?this: the compiled query added it
        source = check.constraint.value
        if failure is not None:
            key = (id(query), focus)
            if key in self.failed:
                return
            self.failed.add(key)
            yield _Record(check, focus, own_value, None, path,
                          _sparql_messages(shape, info, dict(bound)), source)
            return
        if row_path is None and value is None and this is None:
            return  # pySHACL ignores such rows
        result_value = value if value is not None else own_value
        values = dict(bound)
        for name, node in (("this", this), ("path", row_path), ("value", result_value)):
            if node is not None:
                values[name] = node
        yield _Record(check, this or focus, result_value, None,
                      row_path if row_path is not None else path,
                      _sparql_messages(shape, info, values), source)


def _sparql_messages(shape: _Shape, info: dict[str, Any], values: dict[str, Node]
                     ) -> tuple[Literal, ...]:
    """pySHACL's messages of a SPARQL result: the constraint's, then the shape's, each
    with ``{?var}`` / ``{$var}`` replaced by the text of the row's values."""
    own: tuple[Literal, ...] = info["messages"]
    texts = [m for m in own if m not in shape.messages]
    texts += list(shape.messages)
    if not texts:
        return (Literal("Validation result of a SPARQL constraint"),)
    out = []
    for message in texts:
        text = str(message)
        for name, value in values.items():
            text = re.sub("{[?$]" + re.escape(name) + "}", lambda _m, v=value: str(v), text)
        out.append(Literal(text))
    return tuple(dict.fromkeys(out))


class _Messages:
    """pySHACL's own messages for results of shapes without ``sh:message``."""

    def __init__(self, shapes: Graph, namespaces: Iterable[tuple[str, Any]] = ()) -> None:
        from kgbuild.core.namespaces import PREFIXES

        self.shapes = shapes
        # focus nodes are written with the prefixes of the data graph, as
        # kgbuild.check.validate.union_graph binds them
        self.data = Graph()
        for prefix, namespace in PREFIXES.items():
            self.data.bind(prefix, namespace)
        for prefix, namespace in namespaces:
            self.data.bind(prefix, namespace, override=False)

    def text(self, graph: Graph, node: Node) -> str:
        from pyshacl.rdfutil import stringify_node

        return str(stringify_node(graph, node))

    def generic(self, check: _Check, focus: Node, value: Node | None) -> Literal:
        c, shape = check.constraint, check.shape
        p = c.parameter
        same = list(self.shapes.objects(shape.node, p))
        path = self.text(self.shapes, shape.path) if shape.is_property and shape.path else None
        text: str | None = None
        if p in (SH.minCount, SH.maxCount):
            word = "Less" if p == SH.minCount else "More"
            on = self.text(self.data, focus) + (f"->{path}" if path else "")
            text = f"{word} than {c.value} values on {on}"
        elif len(same) > 1:
            text = None  # pySHACL lists every value of the parameter, in its own order
        elif p == SH.datatype:
            text = f"Value is not Literal with datatype {self.text(self.shapes, c.value)}"
        elif p == SH["class"]:
            text = f"Value does not have class {self.text(self.shapes, c.value)}"
        elif p == SH.nodeKind:
            text = f"Value is not of Node Kind {self.text(self.shapes, c.value)}"
        elif p == SH.pattern:
            text = f"Value does not match pattern '{c.value}'"
        elif p in _RANGES:
            text = f"Value is not {_RANGES[p][0]} {self.text(self.shapes, c.value)}"
        elif p in (SH.minLength, SH.maxLength):
            op = ">=" if p == SH.minLength else "<="
            text = f"String length not {op} {self.text(self.data, c.value)}"
        elif p == SH.hasValue:
            wanted = [self.text(self.shapes, c.value)]
            if path:
                text = (f"Node {self.text(self.data, focus)}->{path} does not contain a value "
                        f"in the set: {wanted}")
            else:
                text = (f"Node {self.text(self.data, focus)} value is not a in the set of "
                        f"values: {wanted}")
        elif p == SH.node:
            text = (f"Value does not conform to Shape {self.text(self.shapes, c.value)}. "
                    "See details for more information.")
        if text is None:
            name = str(check.component).rsplit("#", 1)[-1]
            shown = f" {value.n3()}" if value is not None else ""
            text = f"Value{shown} fails {name}" if shown else f"Focus node fails {name}"
        return Literal(text)


def _rdflib_datatype_ok(value: Literal, datatype: URIRef) -> bool:
    """pySHACL's sh:datatype check of a literal of that datatype (rdflib parses it)."""
    literal = Literal(str(value), datatype=datatype)
    if getattr(literal, "ill_typed", None) is True:
        return False
    expected: dict[URIRef, type | tuple[type, ...]] = {
        XSD.string: (str, bytes), XSD.integer: int, XSD.float: float, XSD.decimal: Decimal,
        XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime,
    }
    kind = expected.get(datatype)
    return kind is None or isinstance(literal.value, kind)


def _python_regex(text: Any, pattern: Any, flags: Any) -> Any:
    """SPARQL function: Python's ``re.search`` (pySHACL's matcher) for a pattern Oxigraph
    cannot compile."""
    options = 0
    if "i" in flags.value:
        options |= re.I
    if "m" in flags.value:
        options |= re.M
    return ox.Literal("true" if re.search(pattern.value, text.value, options) else "false",
                      datatype=ox.NamedNode(str(XSD.boolean)))


def _integer_paths(reader: _ShapeReader) -> dict[Node, URIRef]:
    """Predicates whose shapes ask for a datatype derived from xsd:integer."""
    found: dict[Node, URIRef] = {}
    for shape in reader.shapes.values():
        for c in shape.constraints:
            if (c.parameter == SH.datatype and c.value in INTEGER_DERIVED
                    and isinstance(shape.path, URIRef)):
                found[shape.path] = URIRef(str(c.value))
    return found


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


# --------------------------------------------------------------------------- reports


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


def _shapes_graph(shapes: Sequence[Path | str]) -> Graph:
    from kgbuild.check.validate import _parse_into, default_shapes_path

    graph = Graph()
    for path in (default_shapes_path(), *map(Path, shapes)):
        _parse_into(graph, path)
    return graph


#: Compiled shapes by the shapes files (and their sizes and times) they come from.
_COMPILED: dict[tuple[tuple[str, int, int], ...], CompiledShapes] = {}


def _compiled(shapes: Sequence[Path | str]) -> CompiledShapes:
    from kgbuild.check.validate import default_shapes_path

    key = []
    for path in (default_shapes_path(), *map(Path, shapes)):
        try:
            stat = Path(path).stat()
            key.append((str(path), stat.st_size, stat.st_mtime_ns))
        except OSError:
            key.append((str(path), -1, -1))  # _parse_into reports the missing file
    found = _COMPILED.get(tuple(key))
    if found is None:
        found = _COMPILED[tuple(key)] = compile_shapes(_shapes_graph(shapes))
    return found


def validate_store(store: Any, *, shapes: Sequence[Path | str] = (),
                   graphs: Collection[str] | None = None, union: bool | None = None,
                   fallback: bool = True) -> ValidationReport:
    """Validate a pyoxigraph store against kgbuild's shapes with SPARQL queries.

    Args:
        store: a ``pyoxigraph.Store`` (a kgbuild store, or any).
        shapes: extra shapes files, used besides the shipped ``ontology/shapes.ttl``.
        graphs: check only the focus nodes that are the subject of a triple in these
            named graphs (for example the articles a store build has just written);
            the constraints still read every graph.
        union: see :meth:`CompiledShapes.run` (None: find out).
        fallback: check the shapes the compiler does not cover with pySHACL (on an
            rdflib copy of the graph); False: leave them unchecked.  Either way the
            report graph names them (``kgsh:uncompiledShape``) and says how they were
            checked, and a warning is logged.

    Returns:
        A :class:`kgbuild.check.validate.ValidationReport` with the results pySHACL gives.

    Raises:
        kgbuild.errors.RDFInputError: when a shapes file is missing or cannot be parsed.
    """
    compiled = _compiled(shapes)
    return _validate(store, compiled, graphs=graphs, union=union, fallback=fallback, data=None)


def validate_dataset(data: Dataset | Graph, *, shapes: Sequence[Path | str] = (),
                     graphs: Collection[str] | None = None, fallback: bool = True
                     ) -> ValidationReport:
    """Validate an rdflib dataset or graph (the union of its graphs) with SPARQL queries.

    The quads are copied into an in-memory Oxigraph store first (see
    :func:`validate_store` for the arguments).

    Args:
        data: the graph to check.
        shapes: extra shapes files.
        graphs: check only focus nodes stated in these named graphs.
        fallback: check uncovered shapes with pySHACL (on ``data`` itself).

    Returns:
        A :class:`kgbuild.check.validate.ValidationReport`.

    Raises:
        kgbuild.errors.RDFInputError: when a shapes file is missing or cannot be parsed.

    >>> validate_dataset(Graph()).conforms
    True
    """
    compiled = _compiled(shapes)
    store = load_store(data, named=graphs is not None)
    return _validate(store, compiled, graphs=graphs, union=False, fallback=fallback, data=data)


def load_store(data: Dataset | Graph, *, named: bool = False) -> ox.Store:
    """Copy an rdflib dataset or graph into a new in-memory Oxigraph store.

    Args:
        data: the quads to copy.
        named: also keep the named graphs (needed to restrict focus nodes to some
            graphs); the default graph always holds the union of all graphs.

    Returns:
        The store.
    """
    store = ox.Store()
    made: dict[Node, Any] = {}

    def term(node: Node) -> Any:
        found = made.get(node)
        if found is None:
            found = made[node] = to_ox(node)
        return found

    default = ox.DefaultGraph()

    def quads() -> Iterator[Any]:
        if isinstance(data, Dataset):
            for s, p, o, g in data.quads((None, None, None, None)):
                triple = (term(s), term(p), term(o))
                yield ox.Quad(*triple, default)
                name = getattr(g, "identifier", g)
                if named and isinstance(name, URIRef) and not str(name).startswith(
                        "urn:x-rdflib:"):
                    yield ox.Quad(*triple, term(name))
        else:
            for s, p, o in data:
                yield ox.Quad(term(s), term(p), term(o), default)

    store.extend(quads())
    return store


def _validate(store: Any, compiled: CompiledShapes, *, graphs: Collection[str] | None,
              union: bool | None, fallback: bool, data: Dataset | Graph | None
              ) -> ValidationReport:
    from kgbuild.check.validate import KGSH

    if union is None:
        union = not _default_graph_is_union(store)
    namespaces = list(data.namespaces()) if data is not None else []
    results = compiled.run(store, graphs=graphs, union=union, namespaces=namespaces)
    graph, root, nodes = _report_graph(results, compiled.shapes_graph)
    options: dict[str, Any] = {"use_default_graph_as_union": union}
    if compiled.unsupported:
        left = sorted(compiled.unsupported_shapes, key=str)
        for shape in left:
            graph.add((root, KGSH.uncompiledShape, shape))
        how = "checked with pySHACL" if fallback else "NOT checked"
        reasons = "; ".join(str(p) for p in compiled.unsupported)
        graph.add((root, RDFS.comment, Literal(
            f"{len(left)} shape(s) use SHACL features the SPARQL compiler does not cover "
            f"and were {how}: {reasons}")))
        logger.warning("%d shape(s) not compiled to SPARQL, %s: %s", len(left), how, reasons)
        if fallback:
            _merge_pyshacl(graph, root, compiled, store, options, graphs, data)
    foci = {o for o in graph.objects(None, SH.focusNode)}
    described = _describe_foci(store, options, foci)
    report = _validation_report(graph, compiled.shapes_graph, described, nodes)
    logger.info("SPARQL validation: %s",
                ", ".join(f"{v} {k}" for k, v in report.counts().items()))
    return report


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
        integers = _integer_paths(compiled._reader)
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
