"""Checking a query before it runs: one canonical text for both engines, SELECT only,
no ``FROM`` and no ``SERVICE`` (parsed and lexical checks), and parameters bound as
RDF terms after they are checked against the query and its header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pyparsing import ParseException, ParseResults
from rdflib import BNode, Literal, URIRef
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

from kgbuild.core.errors import QueryError
from kgbuild.query.catalogue import parse_header
from kgbuild.query.terms import _IRI

__all__ = ["ParamValue"]

ParamValue = str | int | float | bool | Decimal | URIRef | Literal

_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _canonical(sparql: str) -> str:
    """The text both engines run: ``\\u`` escapes expanded, lone CRs made LFs.

    rdflib expands codepoint escapes before parsing (as SPARQL 1.1 says) while
    Oxigraph expands them only inside strings and IRIs, and rdflib ends a ``#``
    comment only at a line feed while Oxigraph also ends it at a carriage
    return.  Running the same canonical text in both removes the differences.
    """
    try:
        text = expandUnicodeEscapes(sparql)
    except ValueError as exc:
        raise _query_error(f"the SPARQL text has a bad escape ({exc})", sparql,
                           "write \\uXXXX or \\UXXXXXXXX with a valid code point") from exc
    return re.sub(r"\r(?!\n)", "\n", text)


#: SPARQL tokens that cannot hold a keyword: comments, strings, IRIs, variables.
_OPAQUE = re.compile(
    r"#[^\r\n]*"  # comment
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'  # long strings
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'  # short strings
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'  # IRIs
    r"|[?$]\w+",  # variables
    re.DOTALL,
)
_WORD = re.compile(r"[\w:.%\\-]+")


def _lexical_features(sparql: str) -> set[str]:
    """Find ``SERVICE`` and ``FROM`` keywords by scanning tokens, as a second check.

    Words holding a ``:`` are prefixed names, never keywords; other words are
    split at ``.`` and ``-`` so that a keyword glued to a full stop is found.
    A stray quote or ``<`` is skipped as one character, so text the scanner
    cannot read is searched rather than ignored.
    """
    found: set[str] = set()
    pos = 0
    while pos < len(sparql):
        opaque = _OPAQUE.match(sparql, pos)
        if opaque is not None and opaque.end() > pos:
            pos = opaque.end()
            continue
        word = _WORD.match(sparql, pos)
        if word is None:
            pos += 1
            continue
        pos = word.end()
        if ":" in word.group():
            continue
        for piece in re.split(r"[.\\%-]", word.group().lower()):
            if piece == "service":
                found.add("service")
            elif piece == "from":
                found.add("from")
    return found


def _parse(sparql: str, *, allow_service: bool) -> Any:
    """Parse with rdflib's SPARQL grammar and enforce the safety rules.

    ``sparql`` must already be :func:`_canonical`.
    """
    try:
        parsed = parseQuery(sparql)
    except ParseException as exc:
        raise _query_error(
            f"the SPARQL text cannot be parsed (line {exc.lineno}, column {exc.col}: {exc.msg})",
            sparql, "correct the syntax; only SELECT queries are accepted") from exc
    except Exception as exc:  # rdflib raises assorted errors for bad prefixes and the like
        raise _query_error(f"the SPARQL text cannot be parsed ({type(exc).__name__}: {exc})",
                           sparql, "correct the query; declare every prefix it uses") from exc
    query = parsed[1]
    if getattr(query, "name", "") != "SelectQuery":
        raise _query_error(
            f"only SELECT queries can be run, not {getattr(query, 'name', 'this query form')}",
            sparql, "rewrite it as a SELECT query")
    found = _features(parsed) | _lexical_features(sparql)
    if "from" in found:
        raise _query_error("FROM and FROM NAMED are disabled: kgbuild never fetches graphs "
                           "named in a query, and queries already run over the union of all "
                           "graphs", sparql, "remove the FROM / FROM NAMED clauses")
    if "service" in found and not allow_service:
        raise _query_error(
            "SERVICE is disabled: federated queries would send data to another endpoint", sparql,
            "remove the SERVICE clause, or pass allow_service=True if you trust the endpoint")
    return parsed


def _features(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            if item.name == "ServiceGraphPattern":
                found.add("service")
            # CompValue.get answers the key's name for a missing key: ask the dict.
            if dict.get(item, "datasetClause"):
                found.add("from")
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)
    return found


def _first_line(sparql: str) -> str:
    for line in sparql.splitlines():
        stripped = line.strip()
        if (
            stripped
            and not stripped.startswith("#")
            and not re.match(r"(?i)(prefix|base)\s", stripped)
        ):
            return stripped[:80]
    return "<empty query>"


def _query_error(message: str, sparql: str, fix: str) -> QueryError:
    """A :class:`QueryError` about the query ``sparql``, which it names by its first line."""
    return QueryError(message, input=_first_line(sparql), fix=fix)


def _mentions_variable(sparql: str, name: str) -> bool:
    return re.search(rf"[?$]{re.escape(name)}(?![A-Za-z0-9_])", sparql) is not None


def _bind(sparql: str, params: Mapping[str, ParamValue] | None) -> dict[str, URIRef | Literal]:
    """Check the parameters against the query and turn them into RDF terms."""
    _, _, declared = parse_header(sparql)
    by_name = {p.name: p for p in declared}
    bound: dict[str, URIRef | Literal] = {}
    for name, value in (params or {}).items():
        if not _VAR_NAME.match(name):
            raise QueryError(
                "a parameter name must be a SPARQL variable name (letters, digits, _)",
                input=name,
                fix="pass the variable's name without '?'",
            )
        if by_name and name not in by_name:
            raise QueryError(
                "the query declares no such parameter",
                input=name,
                fix=f"use one of: {', '.join(sorted(by_name))}",
            )
        if not _mentions_variable(sparql, name):
            raise QueryError(
                "the query has no variable of that name to bind",
                input=name,
                fix="check the spelling against the query's variables",
            )
        kind = by_name[name].kind if name in by_name else "literal"
        bound[name] = _to_term(name, value, kind)
    missing = [p.name for p in declared if not p.optional and p.name not in bound]
    if missing:
        raise _query_error(f"the query needs the parameter(s) {', '.join(missing)}", sparql,
                           "pass them with params={...} (or --param NAME=VALUE)")
    return bound


def _to_term(name: str, value: ParamValue, kind: str) -> URIRef | Literal:
    if isinstance(value, URIRef):
        term: URIRef | Literal = value
    elif isinstance(value, Literal):
        return value
    elif isinstance(value, BNode):
        raise QueryError(
            "a blank node cannot be a parameter value", input=name, fix="pass an IRI or a literal"
        )
    elif isinstance(value, str) and kind == "iri":
        term = URIRef(value)
    elif isinstance(value, str | int | float | bool | Decimal):
        return Literal(value)
    else:
        raise QueryError(
            f"unsupported parameter value of type {type(value).__name__}",
            input=name,
            fix="pass a string, a number or an rdflib URIRef / Literal",
        )
    if not _IRI.match(str(term)):
        raise QueryError(
            "not a valid absolute IRI",
            input=f"{name}={value!s}"[:120],
            fix="pass a full IRI such as https://w3id.org/kgbuild/id/event/...",
        )
    return term


@dataclass(frozen=True)
class _Checked:
    """A query that passed the checks, ready for either engine.

    Attributes:
        sparql: the canonical text (:func:`_canonical`): the text that runs.
        bound: the parameters as RDF terms.
        prepared: rdflib's translation of the query.
        projected: the names of the variables the query projects.
    """

    sparql: str
    bound: dict[str, URIRef | Literal]
    prepared: Any
    projected: frozenset[str]


def _check(sparql: str, params: Mapping[str, ParamValue] | None, *, limit: int | None,
           allow_service: bool) -> _Checked:
    """Check the row limit, the query and its parameters, in that order.

    Raises:
        QueryError: a negative limit, or what :func:`_parse` and :func:`_bind` refuse, or
            a query rdflib cannot translate (unknown prefixes, bad aggregates...).
    """
    if limit is not None and limit < 0:
        raise QueryError("limit must be >= 0", input=str(limit), fix="pass a non-negative limit")
    sparql = _canonical(sparql)
    parsed = _parse(sparql, allow_service=allow_service)
    bound = _bind(sparql, params)
    try:
        prepared = translateQuery(parsed)
    except Exception as exc:  # unknown prefixes, bad aggregates, ...
        raise _query_error(f"the query is not valid SPARQL ({type(exc).__name__}: {exc})", sparql,
                           "declare every prefix it uses and check grouping and aggregates"
                           ) from exc
    # CompValue.get answers the key's name for a missing key: ask the dict.
    projected = frozenset(str(v) for v in (dict.get(prepared.algebra, "PV") or ()))
    return _Checked(sparql=sparql, bound=bound, prepared=prepared, projected=projected)
