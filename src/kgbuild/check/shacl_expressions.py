"""SPARQL boolean expressions saying whether a node fails a shape or one of its
constraints, for the SHACL compiler.

Part of :mod:`kgbuild.check.shacl_sparql`.  Shapes inside shapes (``sh:node``,
``sh:or``, qualified value shapes...) and the value-level constraints of a top-level
shape become such expressions over the value node; :class:`_Expressions` is the base
of the query generator (:mod:`kgbuild.check.shacl_queries`).
"""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kgbuild.check.shacl_shapes import _ALLOWED_SEVERITIES, _Constraint, _Shape, _ShapeReader
from kgbuild.check.shacl_terms import (
    _NODE_KINDS,
    _PY_REGEX,
    _RANGES,
    _count,
    _iri,
    _Unsupported,
    compare_fails,
    datatype_matches,
    datatype_well_formed,
)


class _Expressions:
    """Writes the SPARQL expressions over one focus or value node of the shapes a
    reader has read."""

    def __init__(self, reader: _ShapeReader, subclasses: dict[Node, list[Node]],
                 regex_ok: dict[tuple[str, str], bool]) -> None:
        self.reader = reader
        self.subclasses = subclasses
        self.regex_ok = regex_ok
        self.counter = 0
        self.stack: list[_Shape] = []

    def fresh(self, hint: str) -> str:
        """A new variable name (without ``?``)."""
        self.counter += 1
        return f"_kg{hint}{self.counter}"

    def classes(self, cls: Node) -> list[Node]:
        """The class and its subclasses in the data."""
        found = self.subclasses.get(cls)
        return found if found is not None else [cls]

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
