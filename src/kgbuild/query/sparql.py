"""Run SPARQL SELECT queries over a kgbuild graph, safely, with rdflib or Oxigraph.

Safety rules, whatever the engine:

- ``SERVICE`` is refused (no federated calls leave the machine) unless the
  caller passes ``allow_service=True``;
- ``FROM`` / ``FROM NAMED`` are always refused: rdflib would dereference them
  over the network, and kgbuild queries run over the union of all graphs anyway;
- parameters are bound as RDF terms (rdflib ``initBindings``, Oxigraph
  ``substitutions``), never spliced into the query text, so a value such as
  ``x" } ; DROP ALL #`` is just a string to compare with;
- a query that runs longer than ``timeout`` seconds raises
  :class:`~kgbuild.core.errors.QueryTimeout`;
- a query whose evaluation takes more than ``memory_mb`` MiB (on top of the
  memory the process held once the graph was ready) raises
  :class:`~kgbuild.core.errors.QueryMemoryExceeded`: a watchdog reads the process's
  resident size every :data:`MEMORY_POLL_SECONDS` (Linux ``/proc``; elsewhere
  only the timeout applies).  A cross join of three patterns with ``ORDER BY``
  on the 1,679-triple seed graph grows by gigabytes within seconds;
- a result cut at ``limit`` rows says so (:attr:`QueryResult.truncated`).

Both engines run exactly the text that was checked: ``\\uXXXX`` escapes are
expanded and a lone carriage return becomes a line feed first (rdflib and
Oxigraph disagree on both, and a query could otherwise hide a ``SERVICE`` from
the check that only one engine sees), and a second, lexical check refuses the
``SERVICE`` and ``FROM`` keywords wherever they stand outside strings, IRIs and
comments.

Query files (``queries/*.rq``) start with a comment block that
:func:`list_queries` reads::

    # Question: Which events happened at or within a place?
    # Columns: ?place ?event ?kind ?time
    # Parameters:
    # param: place - label of a place (optional)

A parameter is the query variable of the same name. ``iri`` after the name
(``# param: fact iri - ...``) says that a string value is an IRI, otherwise a
string value is a plain literal.

>>> from rdflib import Graph, Literal, URIRef
>>> g = Graph()
>>> _ = g.add((URIRef("urn:x:a"), URIRef("urn:x:label"), Literal("A")))
>>> result = run_query(g, "SELECT ?s WHERE { ?s <urn:x:label> ?l }", params={"l": "A"})
>>> result.vars, [str(row[0]) for row in result.rows]
(('s',), ['urn:x:a'])
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from pyparsing import ParseException, ParseResults
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Node

from kgbuild.core.errors import QueryError, QueryMemoryExceeded, QueryTimeout
from kgbuild.core.namespaces import PREFIXES
from kgbuild.core.oxterms import INTEGER_DERIVED, to_ox
from kgbuild.core.resources import data_dir

__all__ = [
    "DEFAULT_MEMORY_MB",
    "MEMORY_POLL_SECONDS",
    "MIN_COLUMN_WIDTH",
    "Engine",
    "QueryInfo",
    "QueryParameter",
    "QueryResult",
    "list_queries",
    "named_query",
    "parse_header",
    "run_named_query",
    "run_query",
]

logger = logging.getLogger(__name__)

#: Default memory cap of one query's evaluation, in MiB (``Settings.query_memory_mb``).
DEFAULT_MEMORY_MB = 1024
#: How often the memory watchdog reads the resident size, in seconds.
MEMORY_POLL_SECONDS = 0.02
_MIB = 1024 * 1024
try:
    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
    _PAGE = 4096

Engine = TypingLiteral["rdflib", "oxigraph"]
ParamValue = str | int | float | bool | Decimal | URIRef | Literal

_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_QUERY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$')
_PARAM_LINE = re.compile(
    r"^#\s*param:\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:\s+(?P<kind>iri|literal))?"
    r"\s*(?:[-\u2013:]\s*(?P<description>.*))?$",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------
# Query files and their headers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryParameter:
    """A parameter declared in a query file's header.

    Attributes:
        name: the query variable it binds (without ``?``).
        description: what to pass.
        optional: the query also runs without it (the variable stays free).
        kind: ``"literal"`` (a string value becomes a plain literal) or
            ``"iri"`` (a string value becomes an IRI).
    """

    name: str
    description: str = ""
    optional: bool = True
    kind: str = "literal"


@dataclass(frozen=True)
class QueryInfo:
    """What a query file says about itself in its header.

    Attributes:
        name: the file name without ``.rq``.
        path: the file.
        question: the competency question it answers.
        parameters: the parameters it accepts.
        columns: the projected variable names (without ``?``).
    """

    name: str
    path: Path
    question: str
    parameters: tuple[QueryParameter, ...]
    columns: tuple[str, ...]


def parse_header(sparql: str) -> tuple[str, tuple[str, ...], tuple[QueryParameter, ...]]:
    """Read the leading comment block of a query.

    Args:
        sparql: the query text.

    Returns:
        ``(question, columns, parameters)``; empty values for what is missing.

    >>> parse_header("# Question: Who?\\n# Columns: ?a ?b\\n# param: a iri - x (optional)\\nSELECT")
    ('Who?', ('a', 'b'), (QueryParameter(name='a', description='x', optional=True, kind='iri'),))
    """
    question = ""
    columns: tuple[str, ...] = ()
    parameters: list[QueryParameter] = []
    for raw in sparql.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        body = line.lstrip("#").strip()
        lowered = body.lower()
        if lowered.startswith("question:"):
            question = body.split(":", 1)[1].strip()
        elif lowered.startswith("columns:"):
            columns = tuple(c.lstrip("?$") for c in body.split(":", 1)[1].split() if c.strip())
        elif lowered.startswith("param:"):
            match = _PARAM_LINE.match("# " + body)
            if match is None:
                continue
            description = (match["description"] or "").strip()
            optional = description.lower().endswith("(optional)")
            if optional:
                description = description[: -len("(optional)")].rstrip()
            parameters.append(
                QueryParameter(
                    name=match["name"],
                    description=description,
                    optional=optional,
                    kind=(match["kind"] or "literal").lower(),
                )
            )
    return question, columns, tuple(parameters)


def _queries_dir() -> Path:
    return data_dir("queries")


def named_query(name: str) -> Path:
    """Return the path of a shipped query file.

    Args:
        name: the query's name, with or without ``.rq`` (``"actors"``).

    Returns:
        The file's path.

    Raises:
        QueryError: when no shipped query has that name.

    >>> named_query("actors.rq").name
    'actors.rq'
    """
    stem = name[:-3] if name.endswith(".rq") else name
    folder = _queries_dir()
    path = folder / f"{stem}.rq"
    if not _QUERY_NAME.match(stem) or not path.is_file():
        names = ", ".join(sorted(p.stem for p in folder.glob("*.rq")))
        raise QueryError(
            "no such query",
            input=name,
            fix=f"use one of: {names} (or pass your own .rq file)",
        )
    return path


def list_queries() -> list[QueryInfo]:
    """Describe every shipped query, sorted by name.

    Returns:
        One :class:`QueryInfo` per ``queries/*.rq`` file.
    """
    infos = []
    for path in sorted(_queries_dir().glob("*.rq")):
        question, columns, parameters = parse_header(path.read_text(encoding="utf-8"))
        infos.append(
            QueryInfo(
                name=path.stem,
                path=path,
                question=question,
                parameters=parameters,
                columns=columns,
            )
        )
    return infos


# ---------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryResult:
    """The solutions of a SELECT query.

    Attributes:
        vars: the projected variable names, without ``?``.
        rows: one tuple per solution, aligned with ``vars``; unbound values are None.
            Literals typed ``xsd:string`` are returned as plain literals and
            integer-derived types (``xsd:nonNegativeInteger`` ...) as ``xsd:integer``,
            so that both engines give equal rows.
        truncated: True when the query had more solutions than the row limit
            allowed; ``rows`` holds the first ``limit`` of them.
    """

    vars: tuple[str, ...]
    rows: tuple[tuple[Node | None, ...], ...]
    truncated: bool = False

    def __iter__(self) -> Iterator[tuple[Node | None, ...]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def to_dicts(self) -> list[dict[str, Node | None]]:
        """Return the rows as dictionaries from variable name to term (None when unbound)."""
        return [dict(zip(self.vars, row, strict=True)) for row in self.rows]

    def to_table(self, *, max_width: int | None = 60, width: int | None = None) -> str:
        """Render the rows as a plain-text table with IRIs shortened by kgbuild's prefixes.

        Args:
            max_width: cells longer than this are cut with an ellipsis; None: never.
            width: fit the table into this many characters (a terminal's width)
                by cutting the widest columns first, none below
                :data:`MIN_COLUMN_WIDTH`; it replaces ``max_width``.

        Returns:
            The table, header and rule first, one line per row.

        >>> from rdflib import Literal
        >>> r = QueryResult(vars=("a", "b"), rows=((Literal("x" * 30), Literal("y" * 30)),))
        >>> print(r.to_table(width=40).splitlines()[2])
        xxxxxxxxxxxxxxxxxx…  yyyyyyyyyyyyyyyyyy…
        >>> len(r.to_table(max_width=None).splitlines()[2])
        62
        """
        texts = [[_display(value, None) for value in row] for row in self.rows]
        natural = [len(v) for v in self.vars]
        for row in texts:
            natural = [max(w, len(c)) for w, c in zip(natural, row, strict=True)]
        if width is not None:
            limits = _fit(natural, width)
        else:
            limits = [n if max_width is None else min(n, max_width) for n in natural]
        cells = [[_cut(c, limit) for c, limit in zip(row, limits, strict=True)] for row in texts]
        widths = [len(v) for v in self.vars]
        for row in cells:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
        lines = [
            "  ".join(v.ljust(w) for v, w in zip(self.vars, widths, strict=True)).rstrip(),
            "  ".join("-" * w for w in widths),
        ]
        lines.extend(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
            for row in cells
        )
        more = ", truncated at the row limit" if self.truncated else ""
        lines.append(f"({len(self.rows)} row{'s' if len(self.rows) != 1 else ''}{more})")
        return "\n".join(lines)

    def to_csv(self) -> str:
        """Render as SPARQL 1.1 Query Results CSV (values as plain strings, CRLF lines)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.vars)
        for row in self.rows:
            writer.writerow(["" if value is None else str(value) for value in row])
        return buffer.getvalue()

    def to_tsv(self) -> str:
        """Render as SPARQL 1.1 Query Results TSV (terms in N-Triples syntax)."""
        lines = ["\t".join(f"?{v}" for v in self.vars)]
        for row in self.rows:
            lines.append("\t".join("" if value is None else _ntriples(value) for value in row))
        return "\n".join(lines) + "\n"

    def to_json(self, *, indent: int | None = 2) -> str:
        """Render as SPARQL 1.1 Query Results JSON.

        Args:
            indent: JSON indentation (None: one line).

        Returns:
            The JSON text.
        """
        bindings = []
        for row in self.rows:
            binding: dict[str, dict[str, str]] = {}
            for var, value in zip(self.vars, row, strict=True):
                if value is not None:
                    binding[var] = _json_term(value)
            bindings.append(binding)
        document = {"head": {"vars": list(self.vars)}, "results": {"bindings": bindings}}
        return json.dumps(document, indent=indent, ensure_ascii=False)


#: The narrowest a column is cut to when a table is fitted into a width.
MIN_COLUMN_WIDTH = 12


def _fit(natural: list[int], width: int) -> list[int]:
    """Column widths that fit ``width`` (two spaces between columns): the widest
    column loses a character at a time, none below :data:`MIN_COLUMN_WIDTH`."""
    limits = list(natural)
    budget = width - 2 * (len(limits) - 1)
    while sum(limits) > budget:
        widest = max(range(len(limits)), key=lambda i: limits[i])
        if limits[widest] <= MIN_COLUMN_WIDTH:
            break
        limits[widest] -= 1
    return limits


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "\u2026"


def _display(value: Node | None, max_width: int | None) -> str:
    if value is None:
        text = ""
    elif isinstance(value, URIRef):
        text = _shorten(str(value))
    else:
        text = str(value)
    text = " ".join(text.split())
    return _cut(text, max_width)


def _shorten(iri: str) -> str:
    best = ""
    best_prefix = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, best_prefix = namespace, prefix
    return f"{best_prefix}:{iri[len(best) :]}" if best else iri


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


# ---------------------------------------------------------------------------
# Checking and binding
# ---------------------------------------------------------------------------


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
        raise QueryError(
            f"the SPARQL text has a bad escape ({exc})",
            input=_first_line(sparql),
            fix="write \\uXXXX or \\UXXXXXXXX with a valid code point",
        ) from exc
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
        raise QueryError(
            f"the SPARQL text cannot be parsed (line {exc.lineno}, column {exc.col}: {exc.msg})",
            input=_first_line(sparql),
            fix="correct the syntax; only SELECT queries are accepted",
        ) from exc
    except Exception as exc:  # rdflib raises assorted errors for bad prefixes and the like
        raise QueryError(
            f"the SPARQL text cannot be parsed ({type(exc).__name__}: {exc})",
            input=_first_line(sparql),
            fix="correct the query; declare every prefix it uses",
        ) from exc
    query = parsed[1]
    if getattr(query, "name", "") != "SelectQuery":
        raise QueryError(
            f"only SELECT queries can be run, not {getattr(query, 'name', 'this query form')}",
            input=_first_line(sparql),
            fix="rewrite it as a SELECT query",
        )
    found = _features(parsed) | _lexical_features(sparql)
    if "from" in found:
        raise QueryError(
            "FROM and FROM NAMED are disabled: kgbuild never fetches graphs named in a "
            "query, and queries already run over the union of all graphs",
            input=_first_line(sparql),
            fix="remove the FROM / FROM NAMED clauses",
        )
    if "service" in found and not allow_service:
        raise QueryError(
            "SERVICE is disabled: federated queries would send data to another endpoint",
            input=_first_line(sparql),
            fix="remove the SERVICE clause, or pass allow_service=True if you trust the endpoint",
        )
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
        raise QueryError(
            f"the query needs the parameter(s) {', '.join(missing)}",
            input=_first_line(sparql),
            fix="pass them with params={...} (or --param NAME=VALUE)",
        )
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


# ---------------------------------------------------------------------------
# Engines
# ---------------------------------------------------------------------------


class _Cancelled(Exception):
    """Raised inside an abandoned worker thread to stop its evaluation."""


class _InterruptibleGraph(Graph):
    """An in-memory graph whose triple lookups stop once ``cancel`` is set.

    rdflib's SPARQL engine asks the graph for triples at every step, so a
    timed-out query stops soon after the caller gives up on it instead of
    running on in its abandoned thread.
    """

    def __init__(self, cancel: threading.Event) -> None:
        super().__init__()
        self._cancel = cancel

    def triples(self, triple: Any) -> Any:
        if self._cancel.is_set():
            raise _Cancelled
        for found in super().triples(triple):
            if self._cancel.is_set():
                raise _Cancelled
            yield found


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


def _triples_of(dataset: Dataset | Graph) -> Iterable[tuple[Node, Node, Node]]:
    if isinstance(dataset, Dataset):
        return ((s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None)))
    return iter(dataset)


def _run_rdflib(
    dataset: Dataset | Graph,
    prepared: Any,
    bound: Mapping[str, URIRef | Literal],
    limit: int | None,
    cancel: threading.Event,
    ready: threading.Event,
) -> QueryResult:
    union = _InterruptibleGraph(cancel)
    for triple in _triples_of(dataset):
        union.add(triple)
    ready.set()
    result = union.query(prepared, initBindings={Variable(k): v for k, v in bound.items()})
    variables = tuple(str(v) for v in (result.vars or ()))
    rows: list[tuple[Node | None, ...]] = []
    truncated = False
    for row in result:
        if cancel.is_set():
            raise _Cancelled
        if limit is not None and len(rows) >= limit:
            truncated = True  # one solution more than the limit exists
            break
        rows.append(tuple(_normalise(value) for value in row))  # type: ignore[union-attr]
    return QueryResult(vars=variables, rows=tuple(rows), truncated=truncated)


def _to_ox(term: Node) -> Any:
    try:
        return to_ox(term)
    except TypeError as exc:
        raise QueryError(
            f"cannot pass {term!r} to Oxigraph", fix="use IRIs and literals only"
        ) from exc


def _from_ox(term: Any) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    return Literal(str(term))


def _oxigraph_store(dataset: Dataset | Graph) -> Any:
    store = ox.Store()
    if isinstance(dataset, Dataset):
        data = dataset.serialize(format="nquads", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_QUADS)
    else:
        data = dataset.serialize(format="nt", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


def _run_oxigraph(
    dataset: Dataset | Graph,
    sparql: str,
    projected: frozenset[str],
    bound: Mapping[str, URIRef | Literal],
    limit: int | None,
    cancel: threading.Event,
    ready: threading.Event,
) -> QueryResult:
    store = _oxigraph_store(dataset)
    ready.set()
    if cancel.is_set():
        raise _Cancelled
    # Oxigraph substitutes terms only for projected variables (SEP-0007); any other
    # parameter goes into a trailing VALUES clause written from escaped terms.
    substituted = {k: v for k, v in bound.items() if k in projected}
    rest = {k: v for k, v in bound.items() if k not in projected}
    if rest:
        names = sorted(rest)
        sparql = (
            f"{sparql}\nVALUES ({' '.join('?' + n for n in names)}) "
            f"{{ ({' '.join(_sparql_term(rest[n]) for n in names)}) }}\n"
        )
    try:
        solutions = store.query(
            sparql,
            use_default_graph_as_union=True,
            substitutions={ox.Variable(k): _to_ox(v) for k, v in substituted.items()},
        )
    except SyntaxError as exc:
        raise QueryError(
            f"Oxigraph cannot parse the query ({exc})",
            input=_first_line(sparql),
            fix="correct the SPARQL syntax",
        ) from exc
    variables = tuple(v.value for v in solutions.variables)
    rows: list[tuple[Node | None, ...]] = []
    truncated = False
    solution = None
    try:
        for solution in solutions:
            if cancel.is_set():
                raise _Cancelled
            if limit is not None and len(rows) >= limit:
                truncated = True  # one solution more than the limit exists
                break
            rows.append(tuple(_normalise(_from_ox(solution[v])) for v in variables))
    finally:
        # Oxigraph's solution iterator must be dropped in this thread: an exception
        # handed to the caller's thread would otherwise keep it alive in its frame.
        solutions = solution = None
    return QueryResult(vars=variables, rows=tuple(rows), truncated=truncated)


def rss_bytes(pid: int | None = None) -> int | None:
    """The resident memory of a process (default this one) in bytes; None where
    ``/proc`` cannot tell (not Linux, or the process is gone)."""
    try:
        with open(f"/proc/{pid if pid is not None else 'self'}/statm", "rb") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def memory_exceeded(memory_mb: int, sparql: str, *, where: str = "") -> QueryMemoryExceeded:
    """The error for a query stopped by its memory cap."""
    return QueryMemoryExceeded(
        f"the query needed more than {memory_mb} MiB of memory{where} and was stopped",
        input=_first_line(sparql),
        fix="add a LIMIT, narrower patterns or fewer joins (ORDER BY and GROUP BY over a "
        "cross join hold every row), or raise the cap: --memory-mb / query_memory_mb",
    )


def await_outcome(
    outcome: queue.Queue[tuple[str, Any]],
    *,
    sparql: str,
    timeout: float | None,
    memory_mb: int | None,
    cancel: threading.Event,
    ready: threading.Event,
    timeout_fix: str,
) -> tuple[str, Any]:
    """Wait for a query thread's outcome, enforcing the timeout and the memory cap.

    The memory baseline is taken when ``ready`` is set: the query thread sets it
    once its copy of the graph is made, so the cap counts the evaluation only.

    Raises:
        QueryTimeout: ``timeout`` seconds passed.
        QueryMemoryExceeded: the process grew by more than ``memory_mb`` MiB.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    watch = memory_mb is not None and rss_bytes() is not None
    base: int | None = None
    while True:
        wait: float | None = MEMORY_POLL_SECONDS if watch else None
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                cancel.set()
                raise QueryTimeout(
                    f"the query ran longer than {timeout:g} s and was stopped",
                    input=_first_line(sparql),
                    fix=timeout_fix,
                )
            wait = remaining if wait is None else min(wait, remaining)
        try:
            return outcome.get(timeout=wait)
        except queue.Empty:
            pass
        if watch and memory_mb is not None and ready.is_set():
            now = rss_bytes()
            if now is None:
                continue
            if base is None:
                base = now
            elif now - base > memory_mb * _MIB:
                cancel.set()
                raise memory_exceeded(memory_mb, sparql) from None


def run_query(
    dataset: Dataset | Graph,
    sparql: str,
    *,
    params: Mapping[str, ParamValue] | None = None,
    engine: Engine = "rdflib",
    timeout: float | None = 30,
    limit: int | None = None,
    allow_service: bool = False,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> QueryResult:
    """Run a SELECT query over the union of all graphs of ``dataset``.

    The query runs in a daemon worker thread so that it can be timed out. On
    timeout the thread is abandoned: the rdflib engine notices at its next
    triple lookup and stops; the Oxigraph engine stops at its next solution
    (one long native step may finish first).

    Args:
        dataset: the graph (a dataset's named graphs are merged; no ``GRAPH``
            needed). It is copied for each call, so it may change afterwards.
        sparql: the SELECT query text, with its own PREFIX declarations.
        params: values for query variables, bound as RDF terms; a string
            becomes a plain literal, or an IRI when the header declares the
            parameter ``iri``.
        engine: ``"rdflib"`` (pure Python) or ``"oxigraph"`` (faster).
        timeout: seconds before :class:`QueryTimeout`; None waits forever.
        limit: keep at most this many rows.
        allow_service: permit ``SERVICE`` (federated) calls.
        memory_mb: stop the query when evaluating it takes more than this many
            MiB (beyond the engine's copy of the graph); None: no cap.

    Returns:
        The solutions.

    Raises:
        QueryError: bad syntax, not a SELECT, ``FROM``/``SERVICE`` used, bad
            parameters, unknown engine, or an evaluation error.
        QueryTimeout: the query ran longer than ``timeout``.
        QueryMemoryExceeded: the query took more memory than ``memory_mb``.
    """
    if engine not in ("rdflib", "oxigraph"):
        raise QueryError(
            "unknown query engine", input=str(engine), fix="use 'rdflib' or 'oxigraph'"
        )
    if limit is not None and limit < 0:
        raise QueryError("limit must be >= 0", input=str(limit), fix="pass a non-negative limit")
    sparql = _canonical(sparql)
    parsed = _parse(sparql, allow_service=allow_service)
    bound = _bind(sparql, params)
    try:
        prepared = translateQuery(parsed)
    except Exception as exc:  # unknown prefixes, bad aggregates, ...
        raise QueryError(
            f"the query is not valid SPARQL ({type(exc).__name__}: {exc})",
            input=_first_line(sparql),
            fix="declare every prefix it uses and check grouping and aggregates",
        ) from exc
    # CompValue.get answers the key's name for a missing key: ask the dict.
    projected = frozenset(str(v) for v in (dict.get(prepared.algebra, "PV") or ()))
    cancel = threading.Event()
    ready = threading.Event()  # the engine's copy of the graph is made
    outcome: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            if engine == "rdflib":
                result = _run_rdflib(dataset, prepared, bound, limit, cancel, ready)
            else:
                result = _run_oxigraph(dataset, sparql, projected, bound, limit, cancel,
                                       ready)
        except _Cancelled:
            return
        except BaseException as exc:  # handed over to the caller's thread
            outcome.put(("error", exc))
        else:
            outcome.put(("ok", result))

    logger.debug(
        "running query %r with %s (params: %s)", _first_line(sparql), engine, sorted(bound)
    )
    worker = threading.Thread(target=work, name="kgbuild-query", daemon=True)
    worker.start()
    status, payload = await_outcome(
        outcome, sparql=sparql, timeout=timeout, memory_mb=memory_mb, cancel=cancel,
        ready=ready,
        timeout_fix="add a LIMIT or narrower patterns, use engine='oxigraph', or raise the "
        "timeout",
    )
    if status == "error":
        if isinstance(payload, QueryError):
            raise payload
        raise QueryError(
            f"the query failed while running ({type(payload).__name__}: {payload})",
            input=_first_line(sparql),
            fix="check the functions and datatypes the query uses",
        ) from payload
    result: QueryResult = payload
    logger.debug("query returned %d rows", len(result.rows))
    return result


def run_named_query(
    dataset: Dataset | Graph,
    name: str,
    **options: Any,
) -> QueryResult:
    """Run a shipped query by name; keyword options are those of :func:`run_query`.

    Args:
        dataset: the graph to query.
        name: the query's name (``"events"``).
        **options: passed to :func:`run_query` (params, engine, timeout, limit).

    Returns:
        The solutions.

    Raises:
        QueryError: unknown query name, or any error of :func:`run_query`.
        QueryTimeout: the query ran longer than the timeout.
    """
    sparql = named_query(name).read_text(encoding="utf-8")
    return run_query(dataset, sparql, **options)
