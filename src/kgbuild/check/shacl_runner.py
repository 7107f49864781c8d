"""Running the compiled SHACL queries on an Oxigraph store and reading their rows into
results, with the messages pySHACL would give them.

Part of :mod:`kgbuild.check.shacl_sparql`.  :class:`_Runner` turns each flagged row into
a :class:`RawResult` (through :class:`_Record`, which gathers the ``sh:detail`` results of
a failed ``sh:node`` later); :class:`_Messages` words the results of shapes without
``sh:message`` as pySHACL does.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from kgbuild.check.shacl_queries import _Check, _Focus, _Query
from kgbuild.check.shacl_shapes import _Shape
from kgbuild.check.shacl_terms import _PY_REGEX, _RANGES, _python_regex, from_ox

__all__ = ["RawResult"]

logger = logging.getLogger(__name__)


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
