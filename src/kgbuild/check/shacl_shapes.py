"""The shapes graph read into shape and constraint records for the SHACL compiler, and
the report of the shapes it cannot compile.

Part of :mod:`kgbuild.check.shacl_sparql`.  :class:`_ShapeReader` reads each shape once
(nested shapes included) into a :class:`_Shape`; what the compiler does not cover is
noted on the shape (``problems``) rather than raised, so that compiling reports every
shape it leaves to pySHACL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection as RDFCollection
from rdflib.namespace import OWL, RDF, RDFS, SH
from rdflib.term import Node

from kgbuild.check.shacl_terms import _RANGES, _int_value, _path_sparql, _Unsupported

__all__ = ["Unsupported", "UnsupportedShapes"]


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


_SUPPORTED = frozenset({
    SH["class"], SH.datatype, SH.nodeKind, SH.minCount, SH.maxCount, *_RANGES,
    SH.minLength, SH.maxLength, SH.pattern, SH["in"], SH.hasValue, SH.node, SH["not"],
    SH["or"], SH["and"], SH.xone, SH.qualifiedValueShape, SH.equals, SH.disjoint,
    SH.lessThan, SH.lessThanOrEquals, SH.sparql, SH.property,
})


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
