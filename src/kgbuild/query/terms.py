"""RDF terms as query text and as answers: SPARQL and result-format spellings that
cannot break out of their token, and the one form both engines answer a term in.
"""

from __future__ import annotations

import re
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kgbuild.core.errors import QueryError
from kgbuild.core.oxterms import INTEGER_DERIVED, from_ox

__all__: list[str] = []

_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$')


def _escape_string(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("'", "\\'")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
        .replace("\b", "\\b")
        .replace("\f", "\\f")
    )


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


def _sparql_term(term: URIRef | Literal) -> str:
    """Write a term as SPARQL text that cannot break out of its token.

    IRIs were checked against :data:`_IRI` (no ``<>"{}|\\^`` or spaces);
    literal text is escaped per the SPARQL ECHAR rules.
    """
    if isinstance(term, URIRef):
        if not _IRI.match(str(term)):
            raise QueryError("not a valid absolute IRI", input=str(term)[:120])
        return f"<{term}>"
    text = f'"{_escape_string(str(term))}"'
    if term.language:
        if not _LANGUAGE_TAG.match(term.language):
            raise QueryError("not a valid language tag", input=term.language)
        return f"{text}@{term.language}"
    if term.datatype is not None and term.datatype != XSD.string:
        if not _IRI.match(str(term.datatype)):
            raise QueryError("not a valid datatype IRI", input=str(term.datatype)[:120])
        return f"{text}^^<{term.datatype}>"
    return text


def _ntriples(value: Node) -> str:
    if isinstance(value, URIRef):
        return f"<{value}>"
    if isinstance(value, BNode):
        return f"_:{value}"
    if isinstance(value, Literal):
        text = f'"{_escape_string(str(value))}"'
        if value.language:
            return f"{text}@{value.language}"
        if value.datatype is not None and value.datatype != XSD.string:
            return f"{text}^^<{value.datatype}>"
        return text
    return str(value)


def _json_term(value: Node) -> dict[str, str]:
    if isinstance(value, URIRef):
        return {"type": "uri", "value": str(value)}
    if isinstance(value, BNode):
        return {"type": "bnode", "value": str(value)}
    if isinstance(value, Literal):
        term = {"type": "literal", "value": str(value)}
        if value.language:
            term["xml:lang"] = value.language
        elif value.datatype is not None and value.datatype != XSD.string:
            term["datatype"] = str(value.datatype)
        return term
    return {"type": "literal", "value": str(value)}


#: Datatypes derived from xsd:integer. Oxigraph answers them as xsd:integer, so
#: rdflib's answers are normalised the same way and both engines agree.
_INTEGER_TYPES = INTEGER_DERIVED


def _normalise(term: Node | None) -> Node | None:
    if isinstance(term, Literal) and not term.language:
        if term.datatype == XSD.string:
            return Literal(str(term))
        if term.datatype in _INTEGER_TYPES:
            return Literal(str(term), datatype=XSD.integer)
    return term


def _ox_answer(term: Any) -> Node | None:
    """An Oxigraph solution's value as rdflib answers it (see :func:`_normalise`): None
    when unbound, and any other kind of term (a quoted triple) as a plain literal."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        return _normalise(from_ox(term))
    return Literal(str(term))

