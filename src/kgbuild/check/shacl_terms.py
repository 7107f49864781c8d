"""SPARQL text for what the SHACL compiler writes of RDF: IRIs and literals, SHACL
paths, and the tests on one value (datatypes, node kinds, comparisons, patterns).

Part of :mod:`kgbuild.check.shacl_sparql`; the lowest of its modules.  A feature the
compiler cannot write raises :class:`_Unsupported`, which leaves the shape to pySHACL.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection as RDFCollection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kgbuild.core.oxterms import INTEGER_DERIVED
from kgbuild.core.oxterms import from_ox as _from_ox_typed

__all__ = ["compare_fails", "datatype_matches", "datatype_well_formed", "from_ox"]


class _Unsupported(Exception):
    """A feature the compiler does not translate, raised while compiling one shape."""


#: Value-level comparisons: parameter -> (SPARQL operator the value must satisfy, component).
_RANGES: dict[Node, tuple[str, URIRef]] = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
}


#: ``sh:nodeKind`` values -> the SPARQL test a value ``{v}`` of that kind passes.
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


_XSD_STRING = ox.NamedNode(str(XSD.string))


def from_ox(term: Any) -> Node:
    """The rdflib term for a pyoxigraph term; an ``xsd:string`` literal is a plain
    literal, as rdflib parses ``"x"`` and as pySHACL reports it."""
    if isinstance(term, ox.Literal) and term.datatype == _XSD_STRING:
        return Literal(term.value)
    return _from_ox_typed(term)


def _int_value(node: Node | None) -> int | None:
    """The integer of an integer literal, else None."""
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


def _count(node: Node) -> int:
    """The count a cardinality constraint asks for (a non-negative integer)."""
    value = _int_value(node)
    if value is None or value < 0:
        raise _Unsupported(f"count that is not a non-negative integer: {node!r}")
    return value


def datatype_matches(datatype: Node, var: str, *, exact: bool = False) -> str:
    """SPARQL: the literal ``var`` has ``datatype`` (an integer in range for a derived
    integer datatype, which Oxigraph stores as xsd:integer; ``exact``: the datatype itself).

    >>> datatype_matches(XSD.string, "?v")
    '(isLiteral(?v) && sameTerm(DATATYPE(?v), <http://www.w3.org/2001/XMLSchema#string>))'
    """
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
    """SPARQL: Oxigraph parsed the literal ``var`` (true for datatypes it cannot check).

    >>> datatype_well_formed(XSD.byte, "?v"), datatype_well_formed(XSD.anyURI, "?v")
    ('isNumeric(?v)', 'true')
    """
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
