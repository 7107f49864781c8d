"""Terms for the Turtle/TriG writer: the grammar's names, escaping, prefixed names, and
every distinct term numbered once (statements sort as tuples of integers)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, Graph
from rdflib.term import Node

from kgbuild.core.oxterms import INTEGER_DERIVED

# term kinds, in output order
_IRI, _BLANK, _LITERAL = 0, 1, 2

Triple = tuple[Node, Node, Node]


#: A statement with its graph; ``None`` (or rdflib's default-graph IRI) is the default graph.
Quad = tuple[Node, Node, Node, Any]


#: ``{"kg": "https://..."}`` or the pairs of ``dataset.namespaces()``.
Prefixes = Mapping[str, str] | Iterable[tuple[str, str]]


class TurtleWriteError(ValueError):
    """A statement that Turtle/TriG cannot write (an IRI with a space, a literal subject...).

    For an IRI the message reads like rdflib's (``"..." does not look like a valid
    URI``), so callers that translate rdflib's error handle this one too.
    """


_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)


_PN_CHARS_U = _PN_CHARS_BASE + "_"


_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"


_PERCENT = "%[0-9A-Fa-f]{2}"


_PN_PREFIX = re.compile(f"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?")


#: PN_LOCAL without PN_LOCAL_ESC: a local part that needs a backslash is written in full,
#: which reads better and avoids parsers that get the escapes wrong.
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PERCENT})"
    f"(?:(?:[{_PN_CHARS}.:]|{_PERCENT})*(?:[{_PN_CHARS}:]|{_PERCENT}))?"
)


#: Characters IRIREF forbids raw (UCHAR escapes of them would give an invalid IRI anyway).
_BAD_IRI = re.compile('[\x00-\x20<>"{}|^`\\\\]')


_XSD = "http://www.w3.org/2001/XMLSchema#"


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


_RDF_TYPE = _RDF + "type"


_RDF_FIRST = _RDF + "first"


_RDF_REST = _RDF + "rest"


_RDF_NIL = _RDF + "nil"


_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


#: Canonical lexical forms that the Turtle shorthands write back unchanged.
_BARE = {
    _XSD + "integer": re.compile(r"0|-?[1-9][0-9]*"),
    _XSD + "decimal": re.compile(r"-?(?:0|[1-9][0-9]*)\.(?:0|[0-9]*[1-9])"),
    _XSD + "double": re.compile(r"-?[1-9]\.(?:0|[0-9]*[1-9])E(?:0|-?[1-9][0-9]*)|0\.0E0"),
    _XSD + "boolean": re.compile(r"true|false"),
}


_NEGATIVE_ZERO_DECIMAL = "-0.0"


#: Datatypes whose literals sort by value among themselves (9 before 10).
_NUMERIC = frozenset({_XSD + name for name in ("integer", "decimal", "double", "float")}
                     | {str(d) for d in INTEGER_DERIVED})


#: Characters escaped in a short string; \t and characters such as U+2028 stay raw.
_SHORT_SPECIAL = re.compile('[\x00-\x08\x0a-\x1f"\\\\]')


#: Characters escaped in a long string (line breaks stay raw, \r does not).
_LONG_SPECIAL = re.compile("[\x00-\x08\x0b-\x1f\\\\]")


#: In a long string a quote is escaped when two more follow, or when only quotes
#: follow up to the end: no run of three, and no quote next to the closing ones.
_LONG_QUOTE = re.compile('"(?=""|"*\\Z)')


_ECHAR = {"\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f"}


#: Inline ``[ ... ]`` blank nodes deeper than this get a label instead (keeps the
#: recursion of the writer bounded).
_MAX_NESTING = 32


_INDENT = "    "


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def _string(lexical: str) -> str:
    """A string literal's quoted form (no datatype or language)."""
    if "\n" in lexical:
        text = _LONG_SPECIAL.sub(_escape_char, lexical)
        return '"""' + _LONG_QUOTE.sub('\\\\"', text) + '"""'
    if _SHORT_SPECIAL.search(lexical) is None:
        return '"' + lexical + '"'
    return '"' + _SHORT_SPECIAL.sub(_escape_char, lexical) + '"'


class _Names:
    """IRIs to their Turtle form, remembering the prefixes used."""

    def __init__(self, prefixes: Prefixes) -> None:
        pairs = prefixes.items() if isinstance(prefixes, Mapping) else prefixes
        chosen: dict[str, str] = {}  # namespace -> prefix
        for prefix, namespace in sorted((str(p), str(n)) for p, n in pairs):
            # sorted: a namespace bound to two prefixes (or, given as pairs, a prefix to two
            # namespaces) keeps the first pair whatever the order they came in
            if (
                _PN_PREFIX.fullmatch(prefix)
                and namespace
                and not _BAD_IRI.search(namespace)
                and namespace not in chosen
                and prefix not in chosen.values()
            ):
                chosen[namespace] = prefix
        self.prefix_of = chosen
        self.used: set[str] = set()
        # Longest namespaces first; the regex backtracks to a shorter namespace when the
        # longer one leaves an invalid local part, so one match finds the best split.
        spaces = sorted(chosen, key=lambda ns: (-len(ns), ns))
        self._split = (
            re.compile(
                "(?:" + "|".join(re.escape(ns) for ns in spaces) + f")(?P<local>{_PN_LOCAL})?"
            ).fullmatch
            if spaces
            else None
        )

    def iri(self, iri: str) -> str:
        """The prefixed name or ``<iri>``.

        Raises:
            TurtleWriteError: for a character IRIs cannot hold.
        """
        if _BAD_IRI.search(iri):
            raise TurtleWriteError(
                f'"{iri}" does not look like a valid URI, I cannot serialize this as '
                "Turtle/TriG (a space or one of <>\"{}|^`\\ or a control character)"
            )
        match = self._split(iri) if self._split is not None else None
        if match is None:
            return "<" + iri + ">"
        start = match.start("local") if match.group("local") is not None else len(iri)
        prefix = self.prefix_of[iri[:start]]
        self.used.add(prefix)
        return prefix + ":" + iri[start:]

    def header(self) -> str:
        """The ``@prefix`` lines of the used prefixes, sorted by prefix."""
        by_prefix = {p: ns for ns, p in self.prefix_of.items() if p in self.used}
        return "".join(f"@prefix {p}: <{by_prefix[p]}> .\n" for p in sorted(by_prefix))


#: A statement as numbers: (graph node or -1 for the default graph, subject node,
#: predicate, object node).
_Numbered = tuple[int, int, int, int]


class _Terms:
    """Every distinct term once, numbered in order of first sight.

    Nodes (subjects, objects, graph names) and predicates are numbered apart, so
    that an IRI used only as a predicate (``rdf:type``, written ``a``) does not
    count as a use of its prefix.
    """

    def __init__(self) -> None:
        self.kinds: list[int] = []
        #: IRI: the IRI; blank node: its id; literal: (lexical, datatype, language)
        self.values: list[Any] = []
        self.iris: dict[str, int] = {}
        self.blanks: dict[str, int] = {}
        self.plain: dict[str, int] = {}
        self.literals: dict[tuple[str, str, str], int] = {}
        self.predicates: dict[str, int] = {}

    def _new(self, kind: int, value: Any) -> int:
        self.kinds.append(kind)
        self.values.append(value)
        return len(self.kinds) - 1

    def iri(self, iri: str) -> int:
        index = self.iris.get(iri)
        if index is None:
            index = self.iris[iri] = self._new(_IRI, iri)
        return index

    def predicate(self, term: Node) -> int:
        if not isinstance(term, URIRef):
            raise TurtleWriteError(f"a predicate must be an IRI in Turtle/TriG, not {term!r}")
        iri = term[:]
        index = self.predicates.get(iri)
        if index is None:
            index = self.predicates[iri] = len(self.predicates)
        return index

    def node(self, term: Node) -> int:
        """The number of any IRI, blank node or literal (the slow path of the loop)."""
        if isinstance(term, URIRef):
            return self.iri(term[:])
        if isinstance(term, BNode):
            key = term[:]
            index = self.blanks.get(key)
            if index is None:
                index = self.blanks[key] = self._new(_BLANK, key)
            return index
        if isinstance(term, Literal):
            language = term.language
            datatype = term.datatype
            value = (term[:], "" if datatype is None else datatype[:], language or "")
            if not value[1] and not value[2]:
                index = self.plain.get(value[0])
                if index is None:
                    index = self.plain[value[0]] = self._new(_LITERAL, value)
                return index
            index = self.literals.get(value)
            if index is None:
                index = self.literals[value] = self._new(_LITERAL, value)
            return index
        raise TurtleWriteError(
            f"cannot write {term!r} in Turtle/TriG (not an IRI, blank node or literal)"
        )

    def subject(self, term: Node) -> int:
        index = self.node(term)
        if self.kinds[index] == _LITERAL:
            raise TurtleWriteError(f"a literal cannot be a subject in Turtle/TriG: {term!r}")
        return index

    def graph(self, graph: Any) -> int:
        if isinstance(graph, Graph):
            graph = graph.identifier
        if graph is None or graph == DATASET_DEFAULT_GRAPH_ID:
            return -1
        index = self.node(graph)
        if self.kinds[index] == _LITERAL:
            raise TurtleWriteError(f"a graph name must be an IRI or a blank node: {graph!r}")
        return index


def _collect(statements: Iterable[Any], terms: _Terms, *, graphs: bool) -> set[_Numbered]:
    """The distinct statements, numbered; graph -1 is the default graph (and every
    statement's graph when ``graphs`` is false)."""
    found: set[_Numbered] = set()
    add = found.add
    iri_get, new_iri = terms.iris.get, terms.iri
    plain_get = terms.plain.get
    predicate_get = terms.predicates.get
    node, subject, predicate, graph_of = terms.node, terms.subject, terms.predicate, terms.graph
    uri_type, literal_type = URIRef, Literal
    # rdflib hands out one object per graph name, in no order: look the object up
    graph_numbers: dict[Any, int] = {}
    graph_get = graph_numbers.get
    g = -1
    for statement in statements:
        if graphs:
            s, p, o, graph = statement
            g = graph_get(graph, -2)
            if g == -2:
                g = graph_numbers[graph] = graph_of(graph)
        else:
            s, p, o = statement
        # The common cases inline (an IRI subject and predicate, an IRI or plain-string
        # object): str slicing gives the plain string, whose hash and comparisons are
        # C code, where rdflib terms compare in Python.
        if type(s) is uri_type:
            key = s[:]
            si = iri_get(key)
            if si is None:
                si = new_iri(key)
        else:
            si = subject(s)
        pi = predicate_get(p[:]) if type(p) is uri_type else None
        if pi is None:
            pi = predicate(p)
        kind = type(o)
        if kind is uri_type:
            key = o[:]
            oi = iri_get(key)
            if oi is None:
                oi = new_iri(key)
        elif kind is literal_type and o.datatype is None and o.language is None:
            oi = plain_get(o[:])
            if oi is None:
                oi = node(o)
        else:
            oi = node(o)
        add((g, si, pi, oi))
    return found


def _predicate_key(iri: str) -> str:
    """rdf:type first, rdfs:label second, then by IRI."""
    if iri == _RDF_TYPE:
        return "0"
    if iri == _RDFS_LABEL:
        return "1"
    return "2" + iri


def _ident(kind: int, value: Any) -> str:
    """A term as a string, one to one (for blank-node keys, not for output)."""
    if kind == _IRI:
        return "<" + value + ">"
    if kind == _LITERAL:
        lexical, datatype, language = value
        return _string(lexical) + ("@" + language if language else "^^<" + datatype + ">")
    return ""
