"""A fast, deterministic Turtle and TriG writer for rdflib terms.

The same statements give the same bytes whatever order they come in, and a small
change to the graph gives a small change to the file:

- graphs in TriG: the default graph first (as ``{ ... }``), then the named graphs
  by name (IRIs before blank nodes);
- subjects by IRI, blank nodes after the IRIs;
- predicates: ``rdf:type`` first (written ``a``), then ``rdfs:label``, then by IRI,
  grouped with ``;``; objects sorted (IRIs, then blank nodes, then literals by
  lexical form, datatype and language), one per line, grouped with ``,``;
- ``@prefix`` lines sorted by prefix, only for the prefixes the file uses.  An IRI
  is written as a prefixed name when the longest bound namespace it starts with
  leaves a local part that is a Turtle ``PN_LOCAL`` needing no backslash escape
  (``kg:Attack``, ``wd:Q123``, ``ex:a.b``, ``ex:%C3%A9``); otherwise in full
  (``<https://w3id.org/kgbuild/id/entity/country/x>``, local parts with ``/``,
  ``#``, ``=``, a trailing dot...).
- literals: strings in ``"..."``, or ``\"\"\"...\"\"\"`` when they hold a line break;
  ``xsd:integer``, ``xsd:decimal``, ``xsd:double`` and ``xsd:boolean`` bare when
  their lexical form is canonical (``42``, ``-1.5``, ``1.0E3``, ``true``), else
  ``"01"^^xsd:integer``; an explicit ``xsd:string`` is kept (rdflib tells
  ``"x"`` and ``"x"^^xsd:string`` apart).
- blank nodes: one referenced exactly once (in the same graph as its own
  statements) is written inline, ``[ ... ]``, or ``( ... )`` for a well-formed
  RDF list; an unreferenced one as ``[] p o .``; any other (shared, in a cycle,
  a graph name, spread over graphs, nested deeper than 32 levels) gets a label
  hashed from its surroundings by colour refinement (``_:b3f09c1d2e4a5``), never
  from rdflib's random ids.  When refinement cannot tell two labelled nodes
  apart, pyoxigraph's canonicalisation orders them (the only use of pyoxigraph).

Speed comes from doing the string work once per distinct term (a graph has far
fewer distinct terms than statements) and sorting the statements as packed
integers; rdflib's namespace machinery is not used.

>>> from rdflib import Literal, URIRef
>>> ex = "http://example.org/"
>>> triples = [(URIRef(ex + "b"), URIRef(ex + "p"), Literal("two\\nlines")),
...            (URIRef(ex + "a"), URIRef(ex + "p"), Literal(7)),
...            (URIRef(ex + "a"), URIRef(ex + "p"), URIRef(ex + "x/y"))]
>>> print(write_turtle(triples, prefixes={"ex": ex}).decode(), end="")
@prefix ex: <http://example.org/> .
<BLANKLINE>
ex:a ex:p <http://example.org/x/y>,
        7 .
<BLANKLINE>
ex:b ex:p \"\"\"two
lines\"\"\" .
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from rdflib import BNode, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph, Graph
from rdflib.term import Node

__all__ = [
    "TurtleWriteError",
    "dataset_quads",
    "iter_trig",
    "iter_turtle",
    "write_trig",
    "write_turtle",
]

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


# ---------------------------------------------------------------------------
# Turtle grammar (https://www.w3.org/TR/turtle/#sec-grammar-grammar)
# ---------------------------------------------------------------------------

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
_NUMERIC = frozenset(
    _XSD + name
    for name in (
        "integer",
        "decimal",
        "double",
        "float",
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

# term kinds, in output order
_IRI, _BLANK, _LITERAL = 0, 1, 2


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


# ---------------------------------------------------------------------------
# Prefixes
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Collecting the statements
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Blank nodes
# ---------------------------------------------------------------------------


def _predicate_key(iri: str) -> str:
    """rdf:type first, rdfs:label second, then by IRI."""
    if iri == _RDF_TYPE:
        return "0"
    if iri == _RDFS_LABEL:
        return "1"
    return "2" + iri


class _Blanks:
    """Which blank nodes are written inline, which get labels, and their sort keys.

    Attributes:
        nested: blank nodes written inline as ``[ ... ]`` or ``( ... )`` objects.
        roots: unreferenced blank nodes, written as ``[] p o .`` subjects.
        labels: the other blank nodes, with their labels (``_:b...``).
        keys: every blank node's sort key: its label, or its inline text on one line.
        lists: the items of the nested blank nodes that head a well-formed RDF list.
        flat: the other nodes of those lists (written inside the head's ``( ... )``).
        ties: whether refinement left labelled nodes it could not tell apart, whose
            labels then depend on the input's blank node ids.
    """

    def __init__(self, statements: set[_Numbered], terms: _Terms) -> None:
        self.nested: set[int] = set()
        self.roots: set[int] = set()
        self.labels: dict[int, str] = {}
        self.keys: dict[int, str] = {}
        self.lists: dict[int, list[int]] = {}
        self.flat: set[int] = set()
        self.ties = False
        #: the statements of the blank-node components that hold labelled nodes
        self.part: list[_Numbered] = []
        kinds = terms.kinds
        if _BLANK not in kinds:
            return
        blank = {
            t for g, s, _, o in statements for t in (g, s, o) if t >= 0 and kinds[t] == _BLANK
        }
        term_key = [_ident(k, v) for k, v in zip(kinds, terms.values, strict=True)]
        refs: dict[int, list[tuple[int, int]]] = defaultdict(list)  # o -> [(g, s)]
        own: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # s -> [(g, p, o)]
        graph_names: set[int] = set()
        touching: list[_Numbered] = []
        for g, s, p, o in statements:
            if s in blank or o in blank or g in blank:
                touching.append((g, s, p, o))
                if s in blank:
                    own[s].append((g, p, o))
                if o in blank:
                    refs[o].append((g, s))
                if g in blank:
                    graph_names.add(g)

        # inline candidates: referenced once, all own statements in the graph of that
        # reference (TriG cannot nest across graphs), not a graph name
        parent: dict[int, int] = {}
        needs_label: set[int] = set()
        for b in blank:
            where = refs.get(b, [])
            graphs = {g for g, _, _ in own.get(b, [])}
            if b in graph_names:
                needs_label.add(b)
            elif len(where) == 1 and graphs <= {where[0][0]}:
                parent[b] = where[0][1]
            elif not where and len(graphs) == 1:
                self.roots.add(b)
            else:
                needs_label.add(b)

        # well-formed lists: inline nodes with exactly one rdf:first and one rdf:rest,
        # the rest being rdf:nil or another such node
        first = terms.predicates.get(_RDF_FIRST)
        rest = terms.predicates.get(_RDF_REST)
        nil = terms.iris.get(_RDF_NIL)
        list_step: dict[int, tuple[int, int]] = {}  # node -> (item, rest)
        if first is not None and rest is not None and nil is not None:
            for b in parent:
                pairs = {p: o for _, p, o in own.get(b, [])}
                if len(own.get(b, [])) == 2 and set(pairs) == {first, rest}:
                    list_step[b] = (pairs[first], pairs[rest])
        is_list: dict[int, bool] = {}
        for b in list_step:
            chain: dict[int, None] = {}  # ordered set
            node = b
            while node in list_step and node not in is_list and node not in chain:
                chain[node] = None
                node = list_step[node][1]
            ok = node == nil or is_list.get(node, False)
            for member in chain:
                is_list[member] = ok
        # the rest of a list node is written inside the same "( ... )", not deeper
        flat = {list_step[b][1] for b, ok in is_list.items() if ok}

        # which candidates hang from a subject that is written at the top, and how deep
        children: dict[int, list[int]] = defaultdict(list)
        for b, up in parent.items():
            children[up].append(b)
        depth: dict[int, int] = {}
        stack = [(top, 0) for top in children if top not in parent]
        while stack:
            node, level = stack.pop()
            for child in children[node]:
                deeper = level if child in flat else level + 1
                if deeper > _MAX_NESTING:
                    needs_label.add(child)
                    deeper = 0
                depth[child] = deeper
                stack.append((child, deeper))
        for b in parent:
            if b not in needs_label:
                if b in depth:
                    self.nested.add(b)
                else:
                    needs_label.add(b)  # on a cycle of blank nodes, or below one
        for b in self.nested:
            if not is_list.get(b):
                continue
            up = parent[b]
            if up in self.nested and is_list.get(up) and list_step[up][1] == b:
                self.flat.add(b)  # written in its predecessor's "( ... )"
            else:
                items = []
                node = b
                while node != nil:
                    item, node = list_step[node]
                    items.append(item)
                self.lists[b] = items
        if needs_label:
            # A label depends only on the blank nodes connected to its node through
            # statements: refine (and canonicalise, on ties) those components only.
            component = _components(blank, touching)
            wanted = {component[b] for b in needs_label}
            self.part = [
                st
                for st in touching
                if component[next(t for t in (st[1], st[3], st[0]) if t in blank)] in wanted
            ]
            self.labels, self.ties = _labels(
                sorted(needs_label, key=terms.values.__getitem__),
                self.part,
                {b for b in blank if component[b] in wanted},
                term_key,
                list(terms.predicates),
            )
            self.keys.update(self.labels)
        self._inline_keys(own, children, terms, term_key)

    def _inline_keys(
        self,
        own: dict[int, list[tuple[int, int, int]]],
        children: dict[int, list[int]],
        terms: _Terms,
        term_key: list[str],
    ) -> None:
        """One-line texts of the inline and ``[]`` blank nodes, children first."""
        predicates = list(terms.predicates)
        order: list[int] = []
        stack = [top for top in children if top not in self.nested]
        stack.extend(self.roots)
        while stack:  # depth first, parents before children
            node = stack.pop()
            order.append(node)
            stack.extend(c for c in children.get(node, ()) if c in self.nested)
        for node in reversed(order):
            if node in self.flat:
                self.keys[node] = ""  # never sorted or written on its own
                continue
            if node not in self.nested and node not in self.roots:
                continue
            if node in self.lists:
                self.keys[node] = (
                    "(" + " ".join(self.keys.get(i) or term_key[i] for i in self.lists[node]) + ")"
                )
                continue
            pairs = sorted(
                (_predicate_key(predicates[p]), self.keys.get(o) or term_key[o])
                for _, p, o in own.get(node, [])
            )
            self.keys[node] = "[" + " ; ".join(f"{p} {o}" for p, o in pairs) + "]"


def _labels(
    needing: list[int],
    statements: list[_Numbered],
    blank: set[int],
    term_key: list[str],
    predicates: list[str],
) -> tuple[dict[int, str], bool]:
    """Labels from colour refinement, and whether some nodes were left tied.

    Each blank node's colour is a hash of the statements around it, the blank nodes in
    them by their colour of the round before, until the partition of the blank nodes
    stops getting finer (16 rounds at most).  The label is ``b`` and 12 hex digits of
    the colour, so it changes only when the node's surroundings change.  Nodes left
    with the same colour are numbered in the order of ``needing`` (``_2``, ``_3``...).
    """
    around: dict[int, list[_Numbered]] = defaultdict(list)
    for statement in statements:
        for b in {statement[0], statement[1], statement[3]} & blank:
            around[b].append(statement)
    colour = dict.fromkeys(blank, "")

    def name(term: int, me: int, position: int) -> str:
        if position == 2:
            return predicates[term]
        if term == me:
            return "*"
        if term == -1:
            return "D"
        return colour[term] if term in blank else term_key[term]

    classes = 1
    for _ in range(16):
        fresh = {}
        for b in blank:
            signature = sorted(
                "\x1f".join(name(t, b, i) for i, t in enumerate(statement))
                for statement in around[b]
            )
            digest = hashlib.blake2b(colour[b].encode(), digest_size=16)
            for part in signature:
                digest.update(b"\x1e" + part.encode("utf-8", "surrogatepass"))
            fresh[b] = digest.hexdigest()
        colour = fresh
        count = len(set(colour.values()))
        if count == classes:
            break
        classes = count
    labels: dict[int, str] = {}
    taken: dict[str, int] = defaultdict(int)
    ties = False
    for b in sorted(needing, key=colour.__getitem__):
        base = "b" + colour[b][:12]
        taken[base] += 1
        labels[b] = f"_:{base}" if taken[base] == 1 else f"_:{base}_{taken[base]}"
        ties = ties or taken[base] > 1
    return labels, ties


def _components(blank: set[int], statements: list[_Numbered]) -> dict[int, int]:
    """Each blank node's component (blank nodes linked by sharing a statement)."""
    root = {b: b for b in blank}

    def find(b: int) -> int:
        while root[b] != b:
            root[b] = root[root[b]]
            b = root[b]
        return b

    for g, s, _, o in statements:
        linked = [t for t in (g, s, o) if t in blank]
        for other in linked[1:]:
            a, b = find(linked[0]), find(other)
            if a != b:
                root[max(a, b)] = min(a, b)
    return {b: find(b) for b in blank}


def _canonicalised(
    statements: set[_Numbered], part: list[_Numbered], terms: _Terms
) -> set[_Numbered] | None:
    """The statements with the blank nodes of ``part`` (whole components) renamed
    canonically by pyoxigraph, or None when pyoxigraph cannot take them.

    Used only when colour refinement leaves labelled blank nodes tied: numbering tied
    nodes in the canonical names' order makes the output independent of the input's
    blank node ids.  IRIs and literals are passed to pyoxigraph encoded (``urn:x:`` plus
    the percent-encoded IRI, a literal's ``repr``), so that nothing is rejected or merged
    (pyoxigraph treats ``"x"^^xsd:string`` as ``"x"``).
    """
    import pyoxigraph as ox  # only here: most graphs never need it

    kinds, values = terms.kinds, terms.values
    predicates = list(terms.predicates)
    decode: dict[str, int] = {}
    decode_predicate: dict[str, int] = {}

    def encode(t: int) -> Any:
        kind = kinds[t]
        if kind == _BLANK:
            return ox.BlankNode(f"n{t}")
        if kind == _IRI:
            name = "urn:x:" + quote(values[t], safe="")
            decode[name] = t
            return ox.NamedNode(name)
        text = repr(values[t])
        decode[text] = t
        return ox.Literal(text)

    def encode_predicate(p: int) -> Any:
        name = "urn:x:" + quote(predicates[p], safe="")
        decode_predicate[name] = p
        return ox.NamedNode(name)

    touching = set(part)
    try:
        dataset = ox.Dataset(
            ox.Quad(
                encode(s),
                encode_predicate(p),
                encode(o),
                ox.DefaultGraph() if g < 0 else encode(g),
            )
            for g, s, p, o in touching
        )
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    except (ValueError, TypeError):
        return None
    fresh: dict[str, int] = {}

    def back(term: Any) -> int:
        if isinstance(term, ox.BlankNode):
            index = fresh.get(term.value)
            if index is None:
                # not registered under its id: an input blank node may be called "c14n0" too
                index = fresh[term.value] = terms._new(_BLANK, term.value)
            return index
        return decode[term.value]

    renamed = {
        (
            -1 if isinstance(q.graph_name, ox.DefaultGraph) else back(q.graph_name),
            back(q.subject),
            decode_predicate[q.predicate.value],
            back(q.object),
        )
        for q in dataset
    }
    return (statements - touching) | renamed


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


def _literal_text(value: tuple[str, str, str], names: _Names) -> str:
    lexical, datatype, language = value
    if language:
        return _string(lexical) + "@" + language
    if not datatype:
        return _string(lexical)
    bare = _BARE.get(datatype)
    if bare is not None and bare.fullmatch(lexical) and lexical != _NEGATIVE_ZERO_DECIMAL:
        return lexical
    return _string(lexical) + "^^" + names.iri(datatype)


def _literal_order(value: tuple[str, str, str]) -> tuple[Any, ...]:
    """Numbers first, by value (then lexical form and datatype), then the other literals
    by lexical form, datatype and language."""
    lexical, datatype, language = value
    if datatype in _NUMERIC:
        try:
            number = Decimal(lexical.strip())
        except InvalidOperation:
            pass
        else:
            if number.is_finite():
                return (0, number, lexical, datatype, language)
    return (1, 0, lexical, datatype, language)


def _ident(kind: int, value: Any) -> str:
    """A term as a string, one to one (for blank-node keys, not for output)."""
    if kind == _IRI:
        return "<" + value + ">"
    if kind == _LITERAL:
        lexical, datatype, language = value
        return _string(lexical) + ("@" + language if language else "^^<" + datatype + ">")
    return ""


def _write(
    statements: set[_Numbered], terms: _Terms, names: _Names, *, trig: bool
) -> Iterator[str]:
    """The document as text chunks."""
    kinds, values = terms.kinds, terms.values
    count = len(kinds)
    blanks = _Blanks(statements, terms)
    if blanks.ties:
        canonical = _canonicalised(statements, blanks.part, terms)
        if canonical is not None:
            statements = canonical
            blanks = _Blanks(statements, terms)
            count = len(kinds)

    # the order of nodes (subjects, objects, graph names) and of predicates, as ranks
    def sort_key(t: int) -> tuple[Any, ...]:
        kind = kinds[t]
        if kind == _IRI:
            return (_IRI, values[t], "", "")
        if kind == _LITERAL:
            return (_LITERAL, *_literal_order(values[t]))
        # unused blank nodes (renamed by _canonicalised) sort anywhere
        return (_BLANK, ("0" if t in blanks.labels else "1") + blanks.keys.get(t, ""), "", "")

    rank = [0] * count
    for r, t in enumerate(sorted(range(count), key=sort_key)):
        rank[t] = r
    predicates = list(terms.predicates)
    by_predicate = sorted(range(len(predicates)), key=lambda p: _predicate_key(predicates[p]))
    prank = [0] * len(predicates)
    for r, p in enumerate(by_predicate):
        prank[p] = r

    # Each statement packed into one integer whose order is the output order: graph
    # (default first), subject, predicate, object.  Sorting ints is much faster than
    # sorting tuples; the shifted ranks are looked up, not computed per statement.
    bits = max(count + 1, len(predicates), 1).bit_length()
    mask = (1 << bits) - 1
    as_graph = [(r + 1) << 3 * bits for r in rank]
    as_graph.append(0)  # index -1: the default graph, first
    as_subject = [r << 2 * bits for r in rank]
    as_predicate = [r << bits for r in prank]
    packed = sorted(
        [as_graph[g] | as_subject[s] | as_predicate[p] | rank[o] for g, s, p, o in statements]
    )
    del as_graph, as_subject, as_predicate

    # the text of every node, by rank; None for the inline blank nodes
    text: list[str | None] = [None] * count
    for t in range(count):
        kind = kinds[t]
        if kind == _IRI:
            text[rank[t]] = names.iri(values[t])
        elif kind == _LITERAL:
            text[rank[t]] = _literal_text(values[t], names)
        elif t in blanks.labels:
            text[rank[t]] = blanks.labels[t]
        elif t in blanks.roots:
            text[rank[t]] = "[]"
    ptext = [
        "a" if predicates[p] == _RDF_TYPE else names.iri(predicates[p]) for p in by_predicate
    ]

    # the statements of inline blank nodes are written where the node is referenced
    own: dict[int, list[tuple[int, int]]] = defaultdict(list)
    if blanks.nested:
        nested = {rank[b] for b in blanks.nested}
        top = []
        for k in packed:
            s = (k >> 2 * bits) & mask
            if s in nested:
                own[s].append(((k >> bits) & mask, k & mask))
            else:
                top.append(k)
        packed = top
    lists = {rank[b]: [rank[i] for i in items] for b, items in blanks.lists.items()}
    base = _INDENT if trig else ""

    def inline(r: int, level: int) -> str:
        if r in lists:
            return "( " + " ".join(obj(i, level + 1) for i in lists[r]) + " )"
        pairs = own.get(r)
        if not pairs:
            return "[]"
        pred_sep = " ;\n" + base + _INDENT * (1 + 2 * level)
        obj_sep = ",\n" + base + _INDENT * (2 + 2 * level)
        parts = ["[ "]
        last = -1
        for p, o in pairs:
            if p != last:
                if last >= 0:
                    parts.append(pred_sep)
                parts.append(ptext[p] + " " + obj(o, level + 1))
                last = p
            else:
                parts.append(obj_sep + obj(o, level + 1))
        parts.append(" ]")
        return "".join(parts)

    def obj(r: int, level: int) -> str:
        written = text[r]
        return written if written is not None else inline(r, level)

    yield names.header()
    blank_line = bool(names.used)
    graph_open = False
    pred_sep = " ;\n" + base + _INDENT
    obj_sep = ",\n" + base + _INDENT * 2
    last_g = last_s = last_p = -1
    out: list[str] = []
    append = out.append
    g_shift, s_shift = 3 * bits, 2 * bits
    for k in packed:
        g = k >> g_shift
        s = (k >> s_shift) & mask
        p = (k >> bits) & mask
        o = k & mask
        written = text[o]
        if written is None:
            written = inline(o, 1)
        if s != last_s or g != last_g:
            if last_s >= 0:
                append(" .\n")
            if trig and (g != last_g or not graph_open):
                if graph_open:
                    append("}\n")
                if blank_line:
                    append("\n")
                append("{\n" if g == 0 else f"{text[g - 1]} {{\n")
                graph_open = True
            elif blank_line:
                append("\n")
            blank_line = True
            last_g, last_s, last_p = g, s, p
            append(base + text[s] + " " + ptext[p] + " " + written)  # type: ignore[operator]
        elif p != last_p:
            last_p = p
            append(pred_sep + ptext[p] + " " + written)
        else:
            append(obj_sep + written)
        if len(out) >= 8192:
            yield "".join(out)
            out.clear()
    if last_s >= 0:
        append(" .\n")
    if graph_open:
        append("}\n")
    yield "".join(out)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    for chunk in chunks:
        try:
            yield chunk.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end]
            raise TurtleWriteError(
                f"a literal or IRI holds a lone surrogate ({bad!r}), which UTF-8 cannot encode"
            ) from exc


def iter_trig(quads: Iterable[Quad], *, prefixes: Prefixes = ()) -> Iterator[bytes]:
    """Write statements with their graphs as sorted TriG, in UTF-8 chunks.

    Every statement is read before the first chunk (the output is sorted); the chunks
    save holding the whole text.

    Args:
        quads: (subject, predicate, object, graph) rdflib terms; the graph is an IRI,
            a blank node, an rdflib ``Graph`` (its identifier is used), or ``None`` or
            rdflib's default-graph IRI for the default graph.  Repeats are written once.
        prefixes: prefix -> namespace, as a mapping or as pairs such as
            ``dataset.namespaces()``; only those used are written.

    Returns:
        An iterator of byte chunks; their concatenation is the document.

    Raises:
        TurtleWriteError: for an IRI with a character IRIs cannot hold, a literal
            subject or graph name, a predicate that is not an IRI, a term that is
            not an IRI, blank node or literal, or a lone surrogate in a string.
    """
    terms = _Terms()
    statements = _collect(quads, terms, graphs=True)
    yield from _encoded(_write(statements, terms, _Names(prefixes), trig=True))


def iter_turtle(triples: Iterable[Triple], *, prefixes: Prefixes = ()) -> Iterator[bytes]:
    """Write triples as sorted Turtle, in UTF-8 chunks (see :func:`iter_trig`).

    Args:
        triples: (subject, predicate, object) rdflib terms; repeats are written once.
        prefixes: prefix -> namespace, as a mapping or as pairs.

    Returns:
        An iterator of byte chunks.

    Raises:
        TurtleWriteError: as :func:`iter_trig`.
    """
    terms = _Terms()
    statements = _collect(triples, terms, graphs=False)
    yield from _encoded(_write(statements, terms, _Names(prefixes), trig=False))


def write_trig(quads: Iterable[Quad], *, prefixes: Prefixes = ()) -> bytes:
    """Write statements with their graphs as sorted TriG (see :func:`iter_trig`).

    Args:
        quads: (subject, predicate, object, graph) rdflib terms.
        prefixes: prefix -> namespace, as a mapping or as pairs.

    Returns:
        The UTF-8 document.

    Raises:
        TurtleWriteError: as :func:`iter_trig`.

    >>> from rdflib import Literal, URIRef
    >>> ex = "http://example.org/"
    >>> s, p = URIRef(ex + "s"), URIRef(ex + "p")
    >>> decimal = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
    >>> quads = [(s, p, Literal("x", lang="en"), URIRef(ex + "g")),
    ...          (s, p, Literal("1.50", datatype=decimal), None)]
    >>> print(write_trig(quads, prefixes=[("ex", ex), ("xsd", _XSD)]).decode(), end="")
    @prefix ex: <http://example.org/> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <BLANKLINE>
    {
        ex:s ex:p "1.50"^^xsd:decimal .
    }
    <BLANKLINE>
    ex:g {
        ex:s ex:p "x"@en .
    }
    """
    return b"".join(iter_trig(quads, prefixes=prefixes))


def write_turtle(triples: Iterable[Triple], *, prefixes: Prefixes = ()) -> bytes:
    """Write triples as sorted Turtle (see :func:`iter_trig`).

    Args:
        triples: (subject, predicate, object) rdflib terms.
        prefixes: prefix -> namespace, as a mapping or as pairs.

    Returns:
        The UTF-8 document.

    Raises:
        TurtleWriteError: as :func:`iter_trig`.
    """
    return b"".join(iter_turtle(triples, prefixes=prefixes))


def dataset_quads(dataset: Graph) -> Iterator[Quad]:
    """The statements of an rdflib ``Dataset`` (or plain ``Graph``) with their graph names.

    Args:
        dataset: the graph; a plain graph's statements are in the default graph.

    Returns:
        (subject, predicate, object, graph name or None) tuples; for the union of a
        dataset's graphs, as Turtle, pass ``(s, p, o)`` to :func:`write_turtle`.
    """
    if isinstance(dataset, ConjunctiveGraph):  # Dataset too
        for s, p, o, g in dataset.quads((None, None, None, None)):
            yield s, p, o, g
    else:
        for s, p, o in dataset:
            yield s, p, o, None
