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

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib.graph import ConjunctiveGraph, Graph

from kgbuild.outputs.turtle_blanks import (
    _Blanks,
    _canonicalised,
)
from kgbuild.outputs.turtle_terms import (
    _BARE,
    _BLANK,
    _INDENT,
    _IRI,
    _LITERAL,
    _NEGATIVE_ZERO_DECIMAL,
    _NUMERIC,
    _RDF_TYPE,
    Prefixes,
    Quad,
    Triple,
    TurtleWriteError,
    _collect,
    _Names,
    _Numbered,
    _predicate_key,
    _string,
    _Terms,
)

__all__ = [
    "TurtleWriteError",
    "dataset_quads",
    "iter_trig",
    "iter_turtle",
    "write_trig",
    "write_turtle",
]


# ---------------------------------------------------------------------------
# Turtle grammar (https://www.w3.org/TR/turtle/#sec-grammar-grammar)
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Prefixes
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Collecting the statements
# ---------------------------------------------------------------------------


# ---------------------------------------------------------------------------
# Blank nodes
# ---------------------------------------------------------------------------


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
    >>> xsd = "http://www.w3.org/2001/XMLSchema#"
    >>> print(write_trig(quads, prefixes=[("ex", ex), ("xsd", xsd)]).decode(), end="")
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
