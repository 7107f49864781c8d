"""Blank nodes for the Turtle/TriG writer: which to nest as ``[ ... ]`` or write as a
list, and stable labels for the others (never rdflib's random ids)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any
from urllib.parse import quote

from kgbuild.outputs.turtle_terms import (
    _BLANK,
    _IRI,
    _MAX_NESTING,
    _RDF_FIRST,
    _RDF_NIL,
    _RDF_REST,
    _ident,
    _Numbered,
    _predicate_key,
    _Terms,
)


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
