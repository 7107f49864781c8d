"""Term conversion between rdflib and pyoxigraph, shared by query, store and serve, and
the integer datatypes an Oxigraph round trip loses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

__all__ = ["INTEGER_DERIVED", "from_ox", "integer_datatypes", "memoized", "to_ox"]

#: Datatypes derived from xsd:integer (xsd:integer itself not included). Oxigraph
#: answers them as xsd:integer, so callers normalise rdflib's answers the same way.
INTEGER_DERIVED = frozenset(
    XSD[name]
    for name in (
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)


def to_ox(term: Node) -> Any:
    """The pyoxigraph term for an rdflib IRI, blank node or literal.

    Raises:
        TypeError: for anything else (variables, quoted graphs).

    >>> to_ox(URIRef("http://example.org/a"))
    <NamedNode value=http://example.org/a>
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r} to an Oxigraph term")


def from_ox(term: Any) -> Node:
    """The rdflib term for a pyoxigraph IRI, blank node or literal (the datatype kept as
    written, xsd:string included).

    >>> from_ox(ox.NamedNode("http://example.org/a"))
    rdflib.term.URIRef('http://example.org/a')
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def integer_datatypes(shapes: Graph) -> dict[URIRef, URIRef]:
    """The properties whose shapes ask for a datatype derived from xsd:integer, and that
    datatype.

    Oxigraph stores ``"3"^^xsd:nonNegativeInteger`` as ``"3"^^xsd:integer`` (the same
    value, see :data:`INTEGER_DERIVED`); literals read back from a store get their
    datatype back from this map, since SHACL checks the datatype.

    Args:
        shapes: SHACL shapes.

    Returns:
        Each ``sh:path`` IRI -> the ``sh:datatype`` its shape asks for.

    >>> shapes = Graph().parse(format="turtle", data=(
    ...     "@prefix sh: <http://www.w3.org/ns/shacl#> . "
    ...     "[] sh:path <urn:x:n> ; sh:datatype <http://www.w3.org/2001/XMLSchema#byte> ."))
    >>> integer_datatypes(shapes)
    {rdflib.term.URIRef('urn:x:n'): rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#byte')}
    """
    found: dict[URIRef, URIRef] = {}
    for shape, datatype in shapes.subject_objects(SH.datatype):
        path = shapes.value(shape, SH.path)
        if isinstance(path, URIRef) and datatype in INTEGER_DERIVED:
            found[path] = URIRef(str(datatype))
    return found


def memoized(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``convert`` (:func:`to_ox` or :func:`from_ox`) with each distinct term converted
    once: most terms of a graph recur.

    >>> term = memoized(to_ox)
    >>> term(URIRef("https://example.org/a")) is term(URIRef("https://example.org/a"))
    True
    """
    made: dict[Any, Any] = {}

    def term(node: Any) -> Any:
        found = made.get(node)
        if found is None:
            found = made[node] = convert(node)
        return found

    return term
