"""Read a kgbuild RDF graph for the views: an index of its triples, nodes and evidence.

:class:`_Reader` indexes one graph (or one article of it): which named graphs state
each triple, the node attributes a view shows (label, kind, group, articles, KB link,
evidence sentences), and the sentence around each text mention. :class:`_Builder`
collects a view's nodes and merged edges and makes the networkx graph;
:mod:`kgbuild.outputs.viz_views` says which nodes and edges each view has.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kgbuild.core.errors import InputError
from kgbuild.core.namespaces import GAF, KG, NIF, PREFIXES, SCHEMA
from kgbuild.outputs.viz_style import (
    _EVENT_KINDS,
    _KIND_ORDER,
    KIND_COLORS,
    _clean,
    _local_name,
    _readable,
    _require,
    _short,
)

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    import networkx as nx


_SENTENCE_START = re.compile(r"(?:(?<=[.!?])[\"'\u201d\u2019)]*[ \t]+|\n\s*)")


@dataclass
class _Edge:
    facts: set[str] = field(default_factory=set)
    passages: set[tuple[str, int, int]] = field(default_factory=set)
    sentences: dict[tuple[str, int, int], tuple[str, str]] = field(default_factory=dict)
    graphs: set[str] = field(default_factory=set)
    predicate: str = ""


class _Reader:
    """An index of one graph (or one article of it) for building views."""

    def __init__(self, data: Dataset | Graph, article: str | None) -> None:
        self.graph = Graph()
        self.triple_graphs: dict[tuple[Node, Node, Node], set[str]] = defaultdict(set)
        if isinstance(data, Dataset):
            for s, p, o, ctx in data.quads((None, None, None, None)):
                self.graph.add((s, p, o))
                self.triple_graphs[(s, p, o)].add(str(getattr(ctx, "identifier", ctx)))
        else:
            for s, p, o in data:
                self.graph.add((s, p, o))
                self.triple_graphs[(s, p, o)].add("")
        g = self.graph
        self.article_names: dict[Node, str] = {}
        for a in g.subjects(RDF.type, KG.Article):
            name = g.value(a, KG.fileName)
            self.article_names[a] = str(name) if name is not None else _local_name(str(a))
        self.scope = self._resolve_article(article)
        self._texts: dict[Node, str] = {}
        self._starts: dict[Node, list[int]] = {}
        self._attrs: dict[Node, dict[str, Any]] = {}

    def _resolve_article(self, article: str | None) -> Node | None:
        if article is None:
            return None
        wanted = str(article)
        for iri, name in self.article_names.items():
            if wanted in (name, str(iri), Path(name).stem):
                return iri
        known = ", ".join(sorted(self.article_names.values())) or "(the graph has no article)"
        raise InputError("no such article in the graph", input=wanted,
                         fix=f"pass one of these file names: {known}")

    # --- scope -------------------------------------------------------------

    def in_scope(self, node: Node) -> bool:
        """True when ``node`` belongs to the chosen article (always, for the whole graph)."""
        if self.scope is None:
            return True
        g = self.graph
        return (node == self.scope or (node, KG.article, self.scope) in g
                or (node, NIF.referenceContext, self.scope) in g)

    def facts(self, cls: URIRef) -> list[Node]:
        return sorted((s for s in set(self.graph.subjects(RDF.type, cls)) if self.in_scope(s)),
                      key=str)

    def has_type(self, node: Node, *classes: URIRef) -> bool:
        return any((node, RDF.type, c) in self.graph for c in classes)

    def is_entity(self, node: Node) -> bool:
        return self.has_type(node, KG.Actor, KG.Place)

    def entities(self) -> list[Node]:
        found = set(self.graph.subjects(RDF.type, KG.Actor)) | set(
            self.graph.subjects(RDF.type, KG.Place))
        return sorted((e for e in found if (e, KG.article, None) in self.graph
                       and self.in_scope(e)), key=str)

    # --- evidence ----------------------------------------------------------

    def _text(self, article: Node) -> str:
        if article not in self._texts:
            value = self.graph.value(article, NIF.isString)
            text = str(value) if value is not None else ""
            self._texts[article] = text
            self._starts[article] = [0] + [m.end() for m in _SENTENCE_START.finditer(text)]
        return self._texts[article]

    def passages(self, node: Node) -> list[tuple[tuple[str, int, int], tuple[str, str]]]:
        """The mentions of ``node`` in scope as ``(key, (article name, sentence))``."""
        g = self.graph
        found = []
        for mention in g.objects(node, GAF.denotedBy):
            article = g.value(mention, NIF.referenceContext)
            if article is None or (self.scope is not None and article != self.scope):
                continue
            begin, end = g.value(mention, NIF.beginIndex), g.value(mention, NIF.endIndex)
            anchor = g.value(mention, NIF.anchorOf)
            name = self.article_names.get(article, _local_name(str(article)))
            if not isinstance(begin, Literal) or not isinstance(end, Literal):
                if anchor is not None:
                    found.append(((name, 0, 0), (name, _clean(str(anchor)))))
                continue
            b, e = int(begin), int(end)
            found.append(((name, b, e), (name, self._sentence(article, b, e, anchor))))
        return sorted(found)

    def _sentence(self, article: Node, begin: int, end: int, anchor: Node | None) -> str:
        """The sentence(s) around characters ``begin:end`` of an article."""
        text = self._text(article)
        if not text or end > len(text) or begin >= end:
            return _clean(str(anchor or ""))
        starts = self._starts[article]
        first = starts[bisect.bisect_right(starts, begin) - 1]
        after = bisect.bisect_left(starts, end)
        last = starts[after] if after < len(starts) else len(text)
        return _clean(text[first:last])

    # --- nodes -------------------------------------------------------------

    def attrs(self, node: Node) -> dict[str, Any]:
        """The networkx attributes of a node (listed in :mod:`kgbuild.outputs.viz_views`)."""
        if node in self._attrs:
            return self._attrs[node]
        g = self.graph
        types = sorted(str(t) for t in g.objects(node, RDF.type))
        kind, group = "", ""
        for name, grp in _KIND_ORDER:
            if str(KG[name]) in types:
                kind, group = name, grp
                break
        if not kind:
            if any(str(node).startswith(PREFIXES[p]) for p in ("stance", "outcome", "qualifier")):
                kind, group = "Concept", "concept"
            else:
                kind = _local_name(types[0]) if types else "Resource"
                group = "other"
        label = self._label(node, kind)
        if kind == "Article":
            articles = [self.article_names.get(node, _local_name(str(node)))]
        elif kind == "Mention":
            ctx = g.value(node, NIF.referenceContext)
            articles = [self.article_names.get(ctx, _local_name(str(ctx)))] if ctx else []
        else:
            articles = sorted({self.article_names.get(a, _local_name(str(a)))
                               for a in g.objects(node, KG.article)})
        same = sorted(str(o) for o in g.objects(node, OWL.sameAs))
        attrs: dict[str, Any] = {
            "label": label,
            "kind": kind,
            "kind_label": _readable(KG[kind]) if kind in KIND_COLORS else kind.lower(),
            "group": group,
            "n_articles": len(articles),
            "articles": articles,
            "kb": same[0] if same else "",
            "iri": str(node),
            "sentences": [s for _, s in self.passages(node)],
        }
        self._attrs[node] = attrs
        return attrs

    def _label(self, node: Node, kind: str) -> str:
        g = self.graph
        quote = g.value(node, KG.quote)
        stance = g.value(node, KG.stance)
        if kind == "Statement" and quote is not None and stance is not None:
            # "accusation: that they launched …" says more than "Accusation (said)"
            return _clean(f"{_readable(stance)}: {quote}", limit=48)
        for prop in (RDFS.label, SKOS.prefLabel, SCHEMA.headline, KG.name, NIF.anchorOf):
            value = g.value(node, prop)
            if value is not None:
                text = _clean(str(value))
                if kind == "CasualtyClaim":
                    victim = g.value(node, KG.victim)
                    if victim is not None:
                        text = f"{text} ({self.attrs(victim)['label']})"
                return text
        if kind == "Post":
            title = g.value(node, KG.roleTitle)
            if title is not None:
                return _clean(str(title))
        if kind in _EVENT_KINDS or kind == "Event":
            trigger = g.value(node, KG.trigger)
            return f"{_readable(KG[kind])} ({trigger})" if trigger else _readable(KG[kind])
        return _readable(node) if not str(node).startswith(PREFIXES["kgr"]) else _short(str(node))

    def fact_kind(self, fact: Node) -> str:
        attrs = self.attrs(fact)
        return attrs["kind_label"] if attrs["kind"] != "Event" else "event"


class _Builder:
    """Collects nodes and merged edges, then makes the networkx graph."""

    def __init__(self, reader: _Reader, view: str) -> None:
        self.reader = reader
        self.view = view
        self.nodes: dict[Node, None] = {}
        self.edges: dict[tuple[Node, Node, str], _Edge] = {}

    def node(self, node: Node) -> None:
        self.nodes.setdefault(node, None)

    def link(self, source: Node, target: Node, label: str, *, fact: Node | None = None,
             predicate: Node | None = None, triple: tuple[Node, Node, Node] | None = None
             ) -> None:
        """Add (or strengthen) the edge ``source -label-> target``.

        Args:
            source: the edge's start.
            target: the edge's end.
            label: its readable label (parallel edges with the same label merge).
            fact: the event, statement or claim behind it; its passages are the evidence.
            predicate: the RDF property the edge stands for, when there is one.
            triple: a plain triple behind it; the graphs stating it are the evidence.
        """
        if source == target:
            return
        self.node(source)
        self.node(target)
        edge = self.edges.setdefault((source, target, label), _Edge())
        if predicate is not None and not edge.predicate:
            edge.predicate = str(predicate)
        if fact is not None:
            edge.facts.add(str(fact))
            for key, sentence in self.reader.passages(fact):
                edge.passages.add(key)
                edge.sentences[key] = sentence
        if triple is not None:
            edge.graphs |= self.reader.triple_graphs.get(triple, set())

    def link_objects(self, fact: Node, properties: Sequence[URIRef]) -> None:
        """Link ``fact`` to the objects of each of ``properties``, labelled by the property.

        Args:
            fact: the event, statement or claim; its passages are the evidence.
            properties: the RDF properties to follow, in this order.
        """
        for prop in properties:
            for other in self.reader.graph.objects(fact, prop):
                self.link(fact, other, _readable(prop), fact=fact, predicate=prop)

    def to_graph(self) -> nx.MultiDiGraph:
        nx = _require("networkx", feature="to_networkx")
        r = self.reader
        graph = nx.MultiDiGraph(view=self.view,
                                article=r.article_names.get(r.scope) if r.scope else None)
        for node in sorted(self.nodes, key=str):
            graph.add_node(str(node), **r.attrs(node))
        for (source, target, label), edge in sorted(self.edges.items(),
                                                    key=lambda i: tuple(map(str, i[0]))):
            sentences = [edge.sentences[k] for k in sorted(edge.sentences)]
            graph.add_edge(
                str(source), str(target), key=label,
                label=label,
                predicate=edge.predicate,
                evidence=max(len(edge.passages), len(edge.graphs), 1),
                sentences=sentences,
                articles=sorted({a for a, _ in sentences}
                                | {_graph_article(g) for g in edge.graphs} - {""}),
                facts=sorted(edge.facts),
            )
        return graph


def _graph_article(graph_iri: str) -> str:
    marker = "/graph/"
    if marker in graph_iri:
        name = graph_iri.rsplit(marker, 1)[1]
        return "" if name == "kb" else name
    return ""
