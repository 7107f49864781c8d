"""See a kgbuild graph: networkx views, an offline interactive page, static figures, tables.

Four views turn the RDF graph into a :class:`networkx.MultiDiGraph` (:func:`to_networkx`):

``entities``
    actors and places; an edge for each shared event (``attack on``, ``attack at``), each
    statement (``accuses``, ``appeals to``, ``... about``), each casualty report
    (``reports casualties of``) and each place or membership link (``within``,
    ``connects``, ``country``, ``secretary of``).
``events``
    event nodes with ``agent`` (actor -> event), ``target`` and ``place`` (event -> ...)
    edges, plus ``responds to``, ``violates`` and ``provides``.
``claims``
    statements and casualty claims with their speakers or sources (``said``,
    ``reported``), what they are ``about``, the ``victim`` of a casualty figure, the
    ``addressee`` of a statement, and ``contradicts`` between claims.
``rdf``
    every triple whose object is an IRI; ``rdf:type`` and literal values become node
    attributes (``types``, ``literals``).

Nodes carry ``label``, ``kind`` (the most specific class, ``"Country"``), ``kind_label``
(``"country"``), ``group`` (actor, place, event, statement, claim, agreement, article,
post, mention, concept, other), ``n_articles`` and ``articles`` (file names), ``kb`` (the
``owl:sameAs`` link or ``""``), ``iri`` and ``sentences`` (``(article, sentence)`` pairs
of the evidence). Edges are keyed by their readable ``label`` and carry ``evidence`` (how
many passages, or graphs for plain triples, back them), ``sentences``, ``articles`` and
``facts`` (the IRIs of the events, statements or claims behind them).

From a view, :func:`to_html` writes a standalone interactive page (vis-network through
pyvis, every script and style in line, so it works offline and survives exporting a
notebook to HTML), :func:`show` wraps that page for Jupyter, and :func:`draw` makes a
static matplotlib figure (PNG, SVG or PDF) whose labels do not overlap.
:func:`to_dataframe`, :func:`timeline_figure` and :func:`casualty_figure` make the
tables and charts of ``notebooks/explore.ipynb``.

pyvis, matplotlib and pandas are optional: ``pip install 'kgbuild[viz]'``.

>>> from rdflib import Dataset
>>> to_networkx(Dataset(), view="entities").number_of_nodes()
0
"""

from __future__ import annotations

import bisect
import html
import io
import json
import logging
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from kgbuild.core.errors import InputError, KgbuildError
from kgbuild.core.namespaces import GAF, KG, NIF, ORG, PREFIXES, SCHEMA
from kgbuild.core.resources import data_dir

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    import networkx as nx
    from matplotlib.figure import Figure

__all__ = [
    "GROUP_MARKERS",
    "GROUP_SHAPES",
    "KIND_COLORS",
    "STATIC_SUFFIXES",
    "VIEWS",
    "GraphView",
    "casualty_figure",
    "draw",
    "remote_resources",
    "resolve_query_text",
    "show",
    "timeline_figure",
    "to_dataframe",
    "to_html",
    "to_networkx",
    "write",
]

log = logging.getLogger(__name__)

#: The views :func:`to_networkx` can make.
VIEWS: tuple[str, ...] = ("entities", "events", "claims", "rdf")
#: File suffixes :func:`draw` can write (``.html`` is written by :func:`to_html`).
STATIC_SUFFIXES: tuple[str, ...] = (".png", ".svg", ".pdf")

_VIZ_EXTRA = "pip install 'kgbuild[viz]'"


def _require(module: str, *, feature: str) -> Any:
    """Import an optional dependency or say how to install it."""
    try:
        return import_module(module)
    except ImportError as exc:
        package = module.split(".")[0]
        raise KgbuildError(
            f"{feature} needs the optional package {package!r}, which is not installed",
            input=package,
            fix=_VIZ_EXTRA,
        ) from exc


# ---------------------------------------------------------------------------
# Kinds: groups, colours and shapes
# ---------------------------------------------------------------------------

_ACTOR_KINDS = ("Country", "GovernmentBody", "ArmedForce", "Person",
                "InternationalOrganization", "Organization", "PopulationGroup")
_PLACE_KINDS = ("Region", "Settlement", "Route", "Landform", "Area", "Facility")
_EVENT_KINDS = ("Airstrike", "Attack", "MilitaryOperation", "CeasefireViolation",
                "TerritorialCapture", "Destruction", "Mobilization", "Deployment", "War")
# Checked in this order: the first class a node has decides its kind and group.
_KIND_ORDER: tuple[tuple[str, str], ...] = (
    ("Article", "article"),
    ("Mention", "mention"),
    ("CasualtyClaim", "claim"),
    ("Statement", "statement"),
    ("Contradiction", "other"),
    ("Agreement", "agreement"),
    ("Post", "post"),
    *((k, "event") for k in _EVENT_KINDS),
    ("Event", "event"),
    *((k, "actor") for k in _ACTOR_KINDS),
    *((k, "place") for k in _PLACE_KINDS),
    ("Actor", "actor"),
    ("Place", "place"),
)

#: Node colour by kind; kinds of one group share a hue family.
KIND_COLORS: dict[str, str] = {
    # actors: blues, purples, reds
    "Country": "#1f5fa8", "GovernmentBody": "#4c9be8", "ArmedForce": "#c0392b",
    "Person": "#8e44ad", "InternationalOrganization": "#16a2b8", "Organization": "#5d6d7e",
    "PopulationGroup": "#b7950b", "Actor": "#2e86c1",
    # places: greens and browns
    "Region": "#239b56", "Settlement": "#58d68d", "Route": "#935116", "Landform": "#a0785a",
    "Area": "#7dcea0", "Facility": "#4d5656", "Place": "#27ae60",
    # events: oranges
    "Attack": "#e67e22", "Airstrike": "#d35400", "MilitaryOperation": "#f39c12",
    "CeasefireViolation": "#f5b041", "TerritorialCapture": "#ba4a00",
    "Destruction": "#873600", "Mobilization": "#f8c471", "Deployment": "#dc7633",
    "War": "#6e2c00", "Event": "#eb984e",
    # statements, claims and the rest
    "Statement": "#d63384", "CasualtyClaim": "#a61e4d", "Contradiction": "#ff0054",
    "Agreement": "#6c5ce7", "Post": "#bb8fce", "Article": "#34495e", "Mention": "#bfc9ca",
}
_GROUP_COLORS = {"concept": "#95a5a6", "other": "#aab7b8"}
#: vis-network shape by group (labels stay outside these shapes).
GROUP_SHAPES: dict[str, str] = {
    "actor": "dot", "place": "square", "event": "diamond", "statement": "triangle",
    "claim": "star", "agreement": "hexagon", "article": "triangleDown", "post": "dot",
    "mention": "dot", "concept": "dot", "other": "dot",
}
#: matplotlib marker by group, matching :data:`GROUP_SHAPES`.
GROUP_MARKERS: dict[str, str] = {
    "actor": "o", "place": "s", "event": "D", "statement": "^", "claim": "*",
    "agreement": "h", "article": "v", "post": "p", "mention": ".", "concept": ".",
    "other": ".",
}

_STANCE_VERBS = {
    "Accusation": "accuses", "Appeal": "appeals to", "Warning": "warns",
    "Denial": "denies to", "Confirmation": "confirms to", "Claim": "tells",
}


@lru_cache(maxsize=1)
def _ontology_labels() -> dict[str, str]:
    """English labels of the ontology's classes, properties and vocabulary concepts."""
    labels: dict[str, str] = {}
    folder = data_dir("ontology")
    g = Graph()
    for name in ("kgbuild.ttl", "vocab.ttl"):
        path = folder / name
        if path.is_file():
            g.parse(path, format="turtle")
    for prop in (SKOS.prefLabel, RDFS.label):
        for s, o in g.subject_objects(prop):
            if isinstance(o, Literal) and o.language in (None, "en"):
                labels.setdefault(str(s), str(o))
    return labels


def _local_name(iri: str) -> str:
    return re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri


def _short(iri: str) -> str:
    best, prefix = "", ""
    for name, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, prefix = namespace, name
    return f"{prefix}:{iri[len(best):]}" if best else iri


def _readable(iri: Node) -> str:
    """A term's label from the ontology, else its local name split into words."""
    text = str(iri)
    found = _ontology_labels().get(text)
    if found:
        return found
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", _local_name(text))
    return words.replace("-", " ").replace("_", " ").lower()


def _clean(text: str, *, limit: int | None = None) -> str:
    """One line of text: control characters and runs of white space become one space."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "\u2026"
    return text


# ---------------------------------------------------------------------------
# Reading the RDF graph
# ---------------------------------------------------------------------------

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
        """The networkx attributes of a node (see the module docstring)."""
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


def _entities_view(r: _Reader) -> _Builder:
    b = _Builder(r, "entities")
    g = r.graph
    for entity in r.entities():
        b.node(entity)
    for event in r.facts(KG.Event):
        kind = r.fact_kind(event)
        agents = sorted((a for a in g.objects(event, KG.agent) if r.is_entity(a)), key=str)
        targets = sorted((t for t in g.objects(event, KG.target) if r.is_entity(t)), key=str)
        places = sorted((p for p in g.objects(event, KG.place) if r.is_entity(p)), key=str)
        for agent in agents:
            for target in targets:
                b.link(agent, target, f"{kind} on", fact=event)
        for who in agents + targets:
            for place in places:
                b.link(who, place, f"{kind} at", fact=event)
    for statement in r.facts(KG.Statement):
        speaker = g.value(statement, KG.speaker)
        if speaker is None or not r.is_entity(speaker):
            continue
        stance = g.value(statement, KG.stance)
        stance_name = _local_name(str(stance)) if stance is not None else "Claim"
        verb = _STANCE_VERBS.get(stance_name, "tells")
        for addressee in g.objects(statement, KG.addressee):
            if r.is_entity(addressee):
                b.link(speaker, addressee, verb, fact=statement)
        for about in g.objects(statement, KG.about):
            if r.is_entity(about):
                b.link(speaker, about, f"{_readable(stance) if stance else 'claim'} about",
                       fact=statement)
    for claim in r.facts(KG.CasualtyClaim):
        source, victim = g.value(claim, KG.source), g.value(claim, KG.victim)
        if source is not None and victim is not None and r.is_entity(source) \
                and r.is_entity(victim):
            b.link(source, victim, "reports casualties of", fact=claim)
    for prop in (KG.within, KG.connects, KG.country):
        for s, o in sorted(g.subject_objects(prop)):
            if r.is_entity(s) and r.is_entity(o) and (s in b.nodes or o in b.nodes):
                b.link(s, o, _readable(prop), predicate=prop, triple=(s, prop, o))
    for post in r.facts(KG.Post):
        title = g.value(post, KG.roleTitle)
        role = _clean(str(title)) if title is not None else "post"
        holders = set(g.objects(post, ORG.heldBy)) | set(g.subjects(ORG.holds, post))
        for holder in sorted(holders, key=str):
            for organization in sorted(g.objects(post, ORG.postIn), key=str):
                b.link(holder, organization, f"{role} of", fact=post)
    return b


def _events_view(r: _Reader) -> _Builder:
    b = _Builder(r, "events")
    g = r.graph
    for event in r.facts(KG.Event):
        b.node(event)
        for agent in g.objects(event, KG.agent):
            b.link(agent, event, _readable(KG.agent), fact=event, predicate=KG.agent)
        for prop in (KG.target, KG.place, KG.respondsTo, KG.violates):
            for other in g.objects(event, prop):
                b.link(event, other, _readable(prop), fact=event, predicate=prop)
    for agreement in r.facts(KG.Agreement):
        for event in g.objects(agreement, KG.provides):
            if event in b.nodes:
                b.link(agreement, event, _readable(KG.provides), fact=agreement,
                       predicate=KG.provides)
    return b


def _claims_view(r: _Reader) -> _Builder:
    b = _Builder(r, "claims")
    g = r.graph
    for statement in r.facts(KG.Statement):
        b.node(statement)
        speaker = g.value(statement, KG.speaker)
        if speaker is None:  # the article's own voice
            speaker = g.value(statement, KG.article)
        if speaker is not None:
            b.link(speaker, statement, "said", fact=statement, predicate=KG.speaker)
        for prop in (KG.about, KG.addressee):
            for other in g.objects(statement, prop):
                b.link(statement, other, _readable(prop), fact=statement, predicate=prop)
    for claim in r.facts(KG.CasualtyClaim):
        b.node(claim)
        source = g.value(claim, KG.source)
        if source is not None:
            b.link(source, claim, "reported", fact=claim, predicate=KG.source)
        for prop in (KG.about, KG.victim):
            for other in g.objects(claim, prop):
                b.link(claim, other, _readable(prop), fact=claim, predicate=prop)
    for s, o in sorted(g.subject_objects(KG.contradicts)):
        if s in b.nodes and o in b.nodes:
            b.link(s, o, _readable(KG.contradicts), predicate=KG.contradicts,
                   triple=(s, KG.contradicts, o))
    return b


def _rdf_view(r: _Reader) -> _Builder:
    b = _Builder(r, "rdf")
    literals: dict[Node, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    types: dict[Node, list[str]] = defaultdict(list)
    own_graph = ""
    if r.scope is not None:
        # with named graphs, an article's triples are those of its graph (plus the KB's
        # facts about its nodes); without, those whose subject belongs to the article
        name = r.article_names.get(r.scope, "")
        own_graph = next((g for gs in r.triple_graphs.values() for g in gs
                          if _graph_article(g) == name), "")
    for s, p, o in sorted(r.graph):
        if own_graph:
            graphs = r.triple_graphs.get((s, p, o), set())
            if own_graph not in graphs and not (
                    any(g.endswith("/graph/kb") for g in graphs) and r.in_scope(s)):
                continue
        elif not r.in_scope(s):
            continue
        if p == RDF.type:
            types[s].append(_short(str(o)))
            b.node(s)
        elif isinstance(o, Literal):
            literals[s][_short(str(p))].append(_clean(str(o), limit=200))
            b.node(s)
        else:
            b.link(s, o, _short(str(p)), predicate=p, triple=(s, p, o))
    for node in b.nodes:
        attrs = r.attrs(node)
        attrs["types"] = types.get(node, [])
        attrs["literals"] = {k: list(v) for k, v in literals.get(node, {}).items()}
    return b


_VIEW_BUILDERS = {"entities": _entities_view, "events": _events_view,
                  "claims": _claims_view, "rdf": _rdf_view}


def _check_view(view: str) -> None:
    if view not in VIEWS:
        raise InputError("unknown view", input=str(view), fix=f"use one of {', '.join(VIEWS)}")


def to_networkx(data: Dataset | Graph, *, view: str = "entities",
                article: str | None = None) -> nx.MultiDiGraph:
    """Make a networkx view of a kgbuild graph.

    Args:
        data: the graph (a ``Dataset``'s named graphs are merged).
        view: ``"entities"``, ``"events"``, ``"claims"`` or ``"rdf"`` (see the module
            docstring).
        article: only the facts of this article: its file name (``"001_x.txt"``), the
            name without suffix, or its IRI. Node attributes such as ``n_articles``
            still describe the whole graph; ``sentences`` come from this article only.

    Returns:
        A ``networkx.MultiDiGraph`` whose node ids are IRIs and whose edge keys are the
        edge labels; ``graph.graph`` holds ``view`` and ``article``.

    Raises:
        kgbuild.core.errors.InputError: unknown view, or no such article in the graph.

    >>> from rdflib import Dataset
    >>> ds = Dataset()
    >>> _ = ds.parse(format="turtle", data='''
    ... @prefix kg: <https://w3id.org/kgbuild/ontology#> .
    ... @prefix kgr: <https://w3id.org/kgbuild/id/> .
    ... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ... kgr:e a kg:Attack, kg:Event ; kg:agent kgr:n ; kg:target kgr:s ; kg:article kgr:a .
    ... kgr:n a kg:Actor, kg:Country ; rdfs:label "Northland" ; kg:article kgr:a .
    ... kgr:s a kg:Actor, kg:Country ; rdfs:label "Southland" ; kg:article kgr:a .
    ... ''')
    >>> g = to_networkx(ds, view="entities")
    >>> [(g.nodes[u]["label"], key, g.nodes[v]["label"]) for u, v, key in g.edges(keys=True)]
    [('Northland', 'attack on', 'Southland')]
    """
    _check_view(view)
    reader = _Reader(data, article)
    return _VIEW_BUILDERS[view](reader).to_graph()


# ---------------------------------------------------------------------------
# Interactive page (vis-network through pyvis, everything in line)
# ---------------------------------------------------------------------------

# Tags that make a browser fetch something: a remote src/href on these is a request.
_RESOURCE_TAG = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object|image|use)\b[^>]*?"
    r"\b(?:src|href|data|srcset|xlink:href)\s*=\s*[\"']?\s*(?:https?:)?//[^\s\"'>]*",
    re.IGNORECASE,
)
_REMOTE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>\s*</script\s*>", re.IGNORECASE)
_REMOTE_LINK = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.IGNORECASE | re.DOTALL)
_CSS_REMOTE = re.compile(r"(?:url\(\s*[\"']?\s*(?:https?:)?//|@import\s+[\"'](?:https?:)?//)",
                         re.IGNORECASE)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)


def remote_resources(page: str) -> list[str]:
    """The remote resources an HTML page would load: tags with remote ``src``/``href``
    and remote ``url(...)``/``@import`` in its style blocks.

    Text inside scripts (data, licence comments, the SVG namespace) is not a resource.

    >>> remote_resources('<script src="https://cdn.example/x.js"></script><p>https://a</p>')
    ['<script src="https://cdn.example/x.js']
    """
    found = [m.group(0)[:200] for m in _RESOURCE_TAG.finditer(page)]
    for block in _STYLE_BLOCK.finditer(page):
        found += [m.group(0) for m in _CSS_REMOTE.finditer(block.group(1))]
    return found


def _script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _color(attrs: Mapping[str, Any]) -> str:
    return KIND_COLORS.get(attrs.get("kind", ""), _GROUP_COLORS.get(attrs.get("group", ""),
                                                                     "#aab7b8"))


def _tooltip_lines(sentences: Sequence[Sequence[str]], *, most: int = 6) -> list[str]:
    lines = [f"\u2022 [{article}] {_clean(text, limit=400)}"
             for article, text in list(sentences)[:most]]
    if len(sentences) > most:
        lines.append(f"\u2026 and {len(sentences) - most} more")
    return lines


def _node_tooltip(attrs: Mapping[str, Any], degree: int) -> str:
    lines = [_clean(str(attrs.get("label", "")), limit=300)]
    n = attrs.get("n_articles", 0)
    facts = [str(attrs.get("kind_label", "")), f"{n} article{'s' if n != 1 else ''}",
             f"{degree} link{'s' if degree != 1 else ''}"]
    lines.append(" \u00b7 ".join(f for f in facts if f))
    if attrs.get("kb"):
        lines.append(f"KB: {attrs['kb']}")
    if attrs.get("articles"):
        lines.append("Articles: " + ", ".join(attrs["articles"]))
    lines.append(f"IRI: {attrs.get('iri', '')}")
    sentences = attrs.get("sentences") or []
    if sentences:
        lines.append("Evidence:")
        lines += _tooltip_lines(sentences)
    return "\n".join(lines)


def _edge_tooltip(source: str, target: str, edges: Sequence[Mapping[str, Any]]) -> str:
    lines = [f"{_clean(source, limit=80)} \u2192 {_clean(target, limit=80)}"]
    for data in edges:
        ev = data.get("evidence", 1)
        lines.append(f"{data.get('label', '')} ({ev} piece{'s' if ev != 1 else ''} of evidence)")
        lines += _tooltip_lines(data.get("sentences") or [], most=4)
        if not data.get("sentences") and data.get("articles"):
            lines.append("Stated in: " + ", ".join(data["articles"]))
    return "\n".join(lines)


_PAGE_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1b2631; }
#kg-header { padding: 8px 12px; border-bottom: 1px solid #d5d8dc; }
#kg-header h1 { font-size: 18px; margin: 0 0 4px 0; }
#kg-header .kg-meta { font-size: 12px; color: #566573; }
#kg-controls { font-size: 12px; padding: 6px 12px; display: flex; flex-wrap: wrap;
               gap: 4px 14px; align-items: center; border-bottom: 1px solid #eaecee; }
#kg-controls label { cursor: pointer; white-space: nowrap; }
.kg-swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
             margin: 0 3px 0 2px; vertical-align: middle; }
#mynetwork { float: none !important; border: 0 !important; }
.card { border: 0; }
div.vis-tooltip { white-space: pre-wrap !important; max-width: 520px; font-size: 12px;
                  line-height: 1.35; font-family: inherit; }
#kg-details { font-size: 12px; padding: 8px 12px; white-space: pre-wrap;
              border-top: 1px solid #d5d8dc; min-height: 2em; color: #283747; }
"""

_PAGE_JS = """
(function () {
  var legend = %(legend)s;
  var articles = %(articles)s;
  var hiddenKinds = {};
  var onlyArticle = "";
  var controls = document.getElementById("kg-controls");
  function apply() {
    var updates = [];
    nodes.forEach(function (n) {
      var hide = !!hiddenKinds[n.kgKind] ||
        (onlyArticle !== "" && (n.kgArticles || []).indexOf(onlyArticle) < 0);
      if (!!n.hidden !== hide) { updates.push({id: n.id, hidden: hide}); }
    });
    if (updates.length) { nodes.update(updates); }
  }
  legend.forEach(function (item) {
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox"; box.checked = true;
    box.addEventListener("change", function () {
      hiddenKinds[item.kind] = !box.checked; apply();
    });
    var swatch = document.createElement("span");
    swatch.className = "kg-swatch"; swatch.style.background = item.color;
    label.appendChild(box); label.appendChild(swatch);
    label.appendChild(document.createTextNode(item.text + " (" + item.count + ")"));
    controls.appendChild(label);
  });
  if (articles.length > 1) {
    var select = document.createElement("select");
    var all = document.createElement("option");
    all.value = ""; all.textContent = "all articles"; select.appendChild(all);
    articles.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name; option.textContent = name; select.appendChild(option);
    });
    select.addEventListener("change", function () { onlyArticle = select.value; apply(); });
    var wrap = document.createElement("label");
    wrap.appendChild(document.createTextNode("article: "));
    wrap.appendChild(select);
    controls.appendChild(wrap);
  }
  var details = document.getElementById("kg-details");
  network.on("click", function (params) {
    var text = "";
    if (params.nodes.length) { text = nodes.get(params.nodes[0]).title || ""; }
    else if (params.edges.length) { text = edges.get(params.edges[0]).title || ""; }
    details.textContent = text || "Click a node or an edge to read the evidence behind it.";
  });
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({physics: {enabled: false}});
    network.fit();
    document.body.setAttribute("data-kg-ready", "1");
  });
  window.kgReady = function () { return document.body.getAttribute("data-kg-ready") === "1"; };
})();
"""


def _vis_options(n_nodes: int) -> dict[str, Any]:
    return {
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -45, "centralGravity": 0.012,
                                 "springLength": 90, "springConstant": 0.06,
                                 "avoidOverlap": 0.5},
            "stabilization": {"enabled": True, "iterations": min(1000, 200 + 4 * n_nodes),
                              "fit": True},
        },
        "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False,
                        "multiselect": False},
        "edges": {"smooth": {"enabled": True, "type": "dynamic"},
                  "font": {"size": 13, "color": "#566573", "strokeWidth": 3,
                           "align": "middle"},
                  "color": {"color": "#95a5a6", "highlight": "#1b2631", "hover": "#34495e"},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
        "nodes": {"font": {"size": 20, "face": "system-ui, sans-serif",
                           "strokeWidth": 4, "strokeColor": "#ffffff"},
                  "borderWidth": 1},
    }


def to_html(graph: nx.MultiDiGraph, *, title: str | None = None,
            height: str = "720px", edge_labels: bool = True) -> str:
    """Render a view as a standalone interactive HTML page that works offline.

    The page is made with pyvis (``cdn_resources="in_line"``): vis-network's script and
    style are in the page; pyvis's remaining CDN ``<script>``/``<link>`` tags (Bootstrap)
    are removed, and the page is checked to load nothing from the network. Nodes are
    coloured by kind and shaped by group; hovering shows the label, kind, articles, KB
    link and evidence sentences; clicking shows them below the graph; check boxes hide
    kinds and a menu keeps one article. Labels and tooltips are never parsed as HTML:
    the data is JSON with ``<``, ``>`` and ``&`` escaped, and tooltips are set as text.

    Args:
        graph: a view from :func:`to_networkx`.
        title: the page's heading (default: the view's name and size).
        height: CSS height of the drawing area.
        edge_labels: write the edge labels along the edges.

    Returns:
        The page, as text.

    Raises:
        kgbuild.core.errors.KgbuildError: pyvis is not installed, or the page would still
            load something from the network (a pyvis version kgbuild does not know).
    """
    network_mod = _require("pyvis.network", feature="the interactive view")
    view = graph.graph.get("view", "graph")
    article = graph.graph.get("article")
    heading = title or (f"kgbuild: {view} view" + (f" of {article}" if article else ""))
    net = network_mod.Network(height=height, width="100%", directed=True,
                              cdn_resources="in_line", heading="")
    degree = dict(graph.degree())
    top = max(degree.values(), default=1) or 1
    kinds: Counter[str] = Counter()
    kind_info: dict[str, tuple[str, str]] = {}
    all_articles: set[str] = set()
    for node, attrs in graph.nodes(data=True):
        kind = str(attrs.get("kind", ""))
        kinds[kind] += 1
        kind_info[kind] = (str(attrs.get("kind_label", kind)), _color(attrs))
        all_articles.update(attrs.get("articles") or [])
        # pyvis switches to an innerHTML popup when a title contains "href"; a word
        # joiner keeps tooltips on vis-network's text-only path.
        tooltip = _node_tooltip(attrs, degree.get(node, 0)).replace("href", "hre\u2060f")
        net.add_node(
            str(node),
            label=_clean(str(attrs.get("label", node)), limit=42),
            title=tooltip,
            color=_color(attrs),
            shape=GROUP_SHAPES.get(str(attrs.get("group", "")), "dot"),
            size=10 + 18 * math.sqrt(degree.get(node, 0) / top),
            kgKind=kind,
            kgArticles=list(attrs.get("articles") or []),
        )
    merged: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for source, target, data in graph.edges(data=True):
        merged[(str(source), str(target))].append(data)
    for (source, target), datas in sorted(merged.items()):
        label = "; ".join(str(d.get("label", "")) for d in datas)
        evidence = sum(int(d.get("evidence", 1)) for d in datas)
        options: dict[str, Any] = {
            "title": _edge_tooltip(str(graph.nodes[source].get("label", source)),
                                   str(graph.nodes[target].get("label", target)), datas),
            "width": 1 + 1.5 * math.log2(evidence),
        }
        if edge_labels:
            options["label"] = _clean(label, limit=48)
        # pyvis refuses a second edge between the same pair, so parallel edges were merged.
        net.add_edge(source, target, **options)
    net.set_options(json.dumps(_vis_options(graph.number_of_nodes())))
    page = net.generate_html(notebook=False)
    page = _REMOTE_SCRIPT.sub("", page)
    page = _REMOTE_LINK.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    legend = [{"kind": k, "text": kind_info[k][0], "color": kind_info[k][1], "count": kinds[k]}
              for k in sorted(kinds, key=lambda k: (-kinds[k], k))]
    meta = (f"{graph.number_of_nodes()} nodes, {graph.number_of_edges()} edges"
            f"{' from ' + str(len(all_articles)) + ' articles' if all_articles else ''}."
            " Hover for evidence, click to pin it below, drag to move, scroll to zoom.")
    header = (f'<div id="kg-header"><h1>{html.escape(heading)}</h1>'
              f'<div class="kg-meta">{html.escape(meta)}</div></div>'
              '<div id="kg-controls"></div>')
    script = _PAGE_JS % {"legend": _script_json(legend),
                         "articles": _script_json(sorted(all_articles))}
    page = page.replace("<head>", f"<head>\n<title>{html.escape(heading)}</title>"
                        f'\n<meta name="viewport" content="width=device-width">', 1)
    page = page.replace("</head>", f"<style>{_PAGE_CSS}</style>\n</head>", 1)
    page = page.replace("<body>", f"<body>\n{header}", 1)
    tail = ('<div id="kg-details">Click a node or an edge to read the evidence behind it.'
            f"</div>\n<script>{script}</script>\n</body>")
    head, sep, rest = page.rpartition("</body>")
    if not sep:
        raise KgbuildError("pyvis wrote a page without </body>", input="pyvis",
                           fix="install a pyvis 0.3.x release: pip install 'pyvis>=0.3,<0.4'")
    page = head + tail + rest
    remote = remote_resources(page)
    if remote:
        raise KgbuildError(
            f"the interactive page would still load {len(remote)} resource(s) from the "
            f"network: {remote[:3]}",
            input="pyvis",
            fix="install a pyvis 0.3.x release: pip install 'pyvis>=0.3,<0.4'",
        )
    return page


class GraphView:
    """An interactive view for Jupyter: shows itself in an ``<iframe srcdoc>``.

    The page is inside the notebook output (no file, no server, no CDN), so the view
    still works after the notebook is exported to HTML.

    Attributes:
        html: the standalone page (:func:`to_html`).
        height: the frame's height in pixels.
    """

    def __init__(self, page: str, *, height: int = 780) -> None:
        self.html = page
        self.height = height

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #d5d8dc" '
                'sandbox="allow-scripts" title="kgbuild graph view"></iframe>')

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the standalone page to ``path`` (atomically) and return the path."""
        from kgbuild.core.files import write_atomic

        target = Path(path)
        write_atomic(target, self.html.encode("utf-8"))
        return target

    def __repr__(self) -> str:
        return f"<GraphView {len(self.html)} characters of HTML>"


def show(graph: nx.MultiDiGraph, *, title: str | None = None, height: int = 720,
         edge_labels: bool = True) -> GraphView:
    """Make an interactive view for a notebook (the last expression of a cell shows it).

    Args:
        graph: a view from :func:`to_networkx`.
        title: the heading shown above the graph.
        height: height of the drawing area, in pixels.
        edge_labels: write the edge labels along the edges.

    Returns:
        A :class:`GraphView`; ``.save("graph.html")`` writes the page.
    """
    page = to_html(graph, title=title, height=f"{int(height)}px", edge_labels=edge_labels)
    return GraphView(page, height=int(height) + 190)


# ---------------------------------------------------------------------------
# Static figure (matplotlib, Agg)
# ---------------------------------------------------------------------------


def _new_figure(width: float, height: float) -> Figure:
    _require("matplotlib", feature="drawing")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout=None)
    FigureCanvasAgg(fig)  # attaches itself: drawing never needs a display
    return fig


_STRESS_LIMIT = 160  # stress majorisation works on n x n matrices; bigger parts use springs


def _stress_layout(graph: Any) -> dict[str, tuple[float, float]]:
    """Stress majorisation (as Graphviz's neato): graph distances become drawn distances.

    Starts from classical multidimensional scaling, so the result is the same every
    time; groups of nodes that are far apart in the graph are far apart in the picture.
    """
    np = _require("numpy", feature="drawing")
    nx = _require("networkx", feature="drawing")
    nodes = sorted(graph.nodes)
    n = len(nodes)
    index = {v: i for i, v in enumerate(nodes)}
    dist = np.full((n, n), float(n))
    for source, lengths in nx.all_pairs_shortest_path_length(graph):
        for target, length in lengths.items():
            dist[index[source], index[target]] = float(length)
    np.fill_diagonal(dist, 0.0)
    # classical MDS start
    sq = dist ** 2
    centre = np.eye(n) - np.full((n, n), 1.0 / n)
    values, vectors = np.linalg.eigh(-0.5 * centre @ sq @ centre)
    order = np.argsort(values)[::-1][:2]
    x = vectors[:, order] * np.sqrt(np.maximum(values[order], 1e-9))
    for k in range(2):  # eigenvectors have no sign of their own: fix one
        if x[np.argmax(np.abs(x[:, k])), k] < 0:
            x[:, k] = -x[:, k]
    x += np.outer(np.arange(n) % 7 - 3, [1e-3, -1e-3])  # no two identical starts
    with np.errstate(divide="ignore"):
        weights = np.where(dist > 0, dist ** -2.0, 0.0)
    lap = -weights.copy()
    np.fill_diagonal(lap, weights.sum(axis=1))
    lap_inv = np.linalg.pinv(lap)
    previous = math.inf
    for _ in range(300):
        diff = x[:, None, :] - x[None, :, :]
        drawn = np.sqrt((diff ** 2).sum(axis=2))
        with np.errstate(divide="ignore", invalid="ignore"):
            b = np.where(drawn > 1e-9, -weights * dist / drawn, 0.0)
        np.fill_diagonal(b, 0.0)
        np.fill_diagonal(b, -b.sum(axis=1))
        x = lap_inv @ (b @ x)
        stress = float((weights * (drawn - dist) ** 2).sum())
        if previous - stress < 1e-5 * max(previous, 1e-9):
            break
        previous = stress
    return {v: (float(x[i, 0]), float(x[i, 1])) for i, v in enumerate(nodes)}


def _component_layout(graph: nx.MultiDiGraph, seed: int) -> dict[str, tuple[float, float]]:
    """Lay out each connected part on its own, then pack the parts in rows.

    Separate parts never overlap, and big parts get more room than small ones.
    """
    nx = _require("networkx", feature="drawing")
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    parts = sorted((sorted(c) for c in nx.connected_components(simple)),
                   key=lambda c: (-len(c), c[0]))
    boxes: list[tuple[list[str], dict[str, tuple[float, float]], float]] = []
    singles = [c[0] for c in parts if len(c) == 1]
    for part in parts:
        if len(part) == 1:
            continue
        sub = simple.subgraph(part)
        size = math.sqrt(len(part))
        if len(part) == 2:
            raw = {part[0]: (-0.5, 0.0), part[1]: (0.5, 0.0)}
        elif len(part) <= _STRESS_LIMIT:
            raw = _stress_layout(sub)
        else:
            start = nx.circular_layout(sorted(sub.nodes))
            raw = nx.spring_layout(sub, pos=start, seed=seed, iterations=300,
                                   k=1.4 / math.sqrt(len(part)), weight=None)
        xs = [p[0] for p in raw.values()]
        ys = [p[1] for p in raw.values()]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        pos = {n: ((float(p[0]) - cx) / span * size, (float(p[1]) - cy) / span * size)
               for n, p in raw.items()}
        boxes.append((part, pos, size))
    if singles:  # isolated nodes go in a grid of their own
        cols = max(1, math.ceil(math.sqrt(len(singles) * 2)))
        rows = math.ceil(len(singles) / cols)
        size = max(cols, rows) * 0.55
        pos = {n: ((i % cols) * 0.55 - (cols - 1) * 0.275, -(i // cols) * 0.55
                   + (rows - 1) * 0.275) for i, n in enumerate(singles)}
        boxes.append((singles, pos, size))
    # shelf packing by the parts' real extents: rows about as wide as the drawing is tall
    extents = []
    for _, pos, _ in boxes:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        extents.append((min(xs), max(ys), max(max(xs) - min(xs), 0.5),
                        max(max(ys) - min(ys), 0.5)))
    row_width = max(max((e[2] for e in extents), default=1.0),
                    1.3 * math.sqrt(sum(e[2] * e[3] for e in extents)))
    placed: dict[str, tuple[float, float]] = {}
    x = y = 0.0
    row_height = 0.0
    gap = 0.6
    for (_, pos, _), (left, top, w, h) in zip(boxes, extents, strict=True):
        if x > 0 and x + w > row_width:
            x, y = 0.0, y - row_height - gap
            row_height = 0.0
        for n, (px, py) in pos.items():
            placed[n] = (x + px - left, y + py - top)
        x += w + gap
        row_height = max(row_height, h)
    return placed


def _spread(centers: Any, half_w: Any, half_h: Any, *, iterations: int = 2000) -> Any:
    """Move rectangles apart until none overlap (or ``iterations`` runs out).

    Each overlapping pair is pushed apart along the axis where it overlaps least, half
    the overlap each. There are no walls: the picture grows to what the labels need.
    """
    np = _require("numpy", feature="drawing")
    pos = np.array(centers, dtype=float)
    n = len(pos)
    if n < 2:
        return pos
    index = np.arange(n)
    tie = np.sign(index[:, None] - index[None, :])  # identical centres still separate
    sum_w = half_w[:, None] + half_w[None, :]
    sum_h = half_h[:, None] + half_h[None, :]
    eps = 1e-3
    for _ in range(iterations):
        dx = pos[:, None, 0] - pos[None, :, 0]
        dy = pos[:, None, 1] - pos[None, :, 1]
        ox = sum_w - np.abs(dx)
        oy = sum_h - np.abs(dy)
        overlap = (ox > 0) & (oy > 0)
        np.fill_diagonal(overlap, False)
        if not overlap.any():
            break
        sx = np.where(dx == 0, tie, np.sign(dx))
        sy = np.where(dy == 0, tie, np.sign(dy))
        pos[:, 0] += np.where(overlap & (ox <= oy), (ox / 2 + eps) * sx, 0.0).sum(axis=1)
        pos[:, 1] += np.where(overlap & (ox > oy), (oy / 2 + eps) * sy, 0.0).sum(axis=1)
    return pos


def _overlapping_pairs(centers: Any, half_w: Any, half_h: Any) -> int:
    np = _require("numpy", feature="drawing")
    dx = np.abs(centers[:, None, 0] - centers[None, :, 0])
    dy = np.abs(centers[:, None, 1] - centers[None, :, 1])
    overlap = ((half_w[:, None] + half_w[None, :]) - dx > 1e-9) & (
        (half_h[:, None] + half_h[None, :]) - dy > 1e-9)
    np.fill_diagonal(overlap, False)
    return int(overlap.sum() // 2)


def _wrap(label: str, width: int = 22, lines: int = 2) -> str:
    words, out, line = label.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        out[-1] = _clean(out[-1] + " \u2026", limit=width + 1)
    return "\n".join(out)


_EDGE_PALETTE = ("#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98", "#17a589",
                 "#a04000", "#2e4053")
_MAX_PIXELS = 9000  # longest side of a PNG; bigger figures get a lower resolution


def _text_sizes(labels: Sequence[str], font_size: float) -> list[tuple[float, float]]:
    """Width and height of each label, in inches."""
    fig = _new_figure(4, 4)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    sizes = []
    for text in labels:
        artist = fig.text(0.5, 0.5, text, fontsize=font_size, ha="center", va="top",
                          linespacing=1.1)
        ext = artist.get_window_extent(renderer)
        artist.remove()
        sizes.append((ext.width / fig.dpi, ext.height / fig.dpi))
    return sizes


def draw(graph: nx.MultiDiGraph, *, path: str | os.PathLike[str] | None = None,
         title: str | None = None, dpi: int = 200, seed: int = 7,
         font_size: float = 9.0) -> Figure:
    """Draw a view as a static figure for reports, and optionally save it.

    Each connected part is laid out on its own by stress majorisation (graph distance
    becomes drawn distance, as in Graphviz's neato; deterministic), and the parts are
    packed side by side, so clusters stay apart. Layout happens in inches at the final
    font size: each label sits below its node, and label boxes are pushed apart until
    none overlap; the figure then takes the size the labels need, so labels keep
    ``font_size`` points and stay readable when the picture is scaled to the width of
    a page (seed-size views are 9 to 15 inches wide). Node colour and marker follow the
    kind, edge colour the relation; the legends on the right say which is which.

    Args:
        graph: a view from :func:`to_networkx`.
        path: write the figure here; ``.png``, ``.svg`` or ``.pdf`` (atomically).
        title: the heading (default: the view's name and size).
        dpi: resolution of a PNG (lowered for very large figures).
        seed: seed of the spring layout used for parts of more than 160 nodes.
        font_size: label size in points.

    Returns:
        The matplotlib ``Figure`` (shown inline by Jupyter). ``figure.kg_overlaps`` is
        the number of label pairs that still overlap (0 unless the graph is huge).

    Raises:
        kgbuild.core.errors.InputError: ``path`` has another suffix, or its folder is missing.
        kgbuild.core.errors.KgbuildError: matplotlib is not installed.
    """
    if path is not None:
        suffix = Path(path).suffix.lower()
        if suffix not in STATIC_SUFFIXES:
            raise InputError(f"cannot draw a picture as {suffix or '(no suffix)'!r}",
                             input=str(path),
                             fix=f"end the file name with one of {', '.join(STATIC_SUFFIXES)}"
                             " (or write .html with to_html)")
    np = _require("numpy", feature="drawing")
    _require("matplotlib", feature="drawing")
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    n = graph.number_of_nodes()
    view = graph.graph.get("view", "graph")
    article = graph.graph.get("article")
    heading = title or (f"kgbuild {view} view" + (f" of {article}" if article else "")
                        + f": {n} nodes, {graph.number_of_edges()} edges")
    nodes = sorted(graph.nodes, key=str)
    labels = [_wrap(_clean(str(graph.nodes[v].get("label", v)), limit=60)) for v in nodes]
    # --- positions in inches, labels at their final size
    marker_in = 7.0 / 72  # marker diameter
    pad_w, pad_h = 5 / 72, 3 / 72
    sizes = _text_sizes(labels, font_size)
    half_w = np.array([max(w, marker_in) / 2 + pad_w for w, _ in sizes])
    half_h = np.array([(h + marker_in) / 2 + pad_h for _, h in sizes])
    centers = np.zeros((n, 2))
    if n > 1:
        layout = _component_layout(graph, seed)
        raw = np.array([layout[v] for v in nodes], dtype=float)
        # one unit of graph distance = a little more than a typical label
        index = {v: i for i, v in enumerate(nodes)}
        lengths = [float(np.hypot(*(raw[index[u]] - raw[index[v]])))
                   for u, v in graph.edges() if u != v]
        unit = float(np.median(lengths)) if lengths else 1.0
        scale = 1.4 * float(np.median(2 * half_w)) / max(unit, 1e-9)
        centers = _spread(raw * scale, half_w, half_h)
    overlaps = _overlapping_pairs(centers, half_w, half_h) if n > 1 else 0
    if n:
        lo = (centers - np.stack([half_w, half_h], axis=1)).min(axis=0)
        hi = (centers + np.stack([half_w, half_h], axis=1)).max(axis=0)
    else:
        lo, hi = np.zeros(2), np.ones(2)
    content_w, content_h = float(hi[0] - lo[0]), float(hi[1] - lo[1])
    # --- the figure: title band on top, graph on the left, legends on the right
    kinds_seen: dict[str, tuple[str, str, str]] = {}
    for v in nodes:
        attrs = graph.nodes[v]
        kinds_seen.setdefault(str(attrs.get("kind", "")),
                              (str(attrs.get("kind_label", "")), _color(attrs),
                               GROUP_MARKERS.get(str(attrs.get("group", "other")), "o")))
    relation_count: Counter[str] = Counter(str(d.get("label", ""))
                                           for _, _, d in graph.edges(data=True))
    colored = [lab for lab, _ in relation_count.most_common(len(_EDGE_PALETTE))]
    edge_color = {lab: _EDGE_PALETTE[i] for i, lab in enumerate(colored)}
    legend_rows = len(kinds_seen) + len(colored) + 4
    longest = max([len(x[0]) for x in kinds_seen.values()] + [len(c) for c in colored] + [8])
    legend_w = 0.6 + longest * font_size * 0.55 / 72
    margin, title_h = 0.25, (font_size + 10) / 72 + 0.2
    fig_w = content_w + legend_w + 3 * margin
    fig_h = max(content_h + title_h + 2 * margin, legend_rows * font_size * 1.9 / 72 + title_h,
                3.0)
    fig = _new_figure(fig_w, fig_h)
    ax = fig.add_axes((margin / fig_w, margin / fig_h, content_w / fig_w, content_h / fig_h))
    ax.set_xlim(float(lo[0]), float(hi[0]))
    ax.set_ylim(float(lo[1]), float(hi[1]))
    ax.set_axis_off()
    marker_pos = {v: (centers[i, 0], centers[i, 1] + half_h[i] - pad_h - marker_in / 2)
                  for i, v in enumerate(nodes)}
    # --- edges, coloured by relation (the most frequent relations get colours)
    pair_seen: Counter[tuple[str, str]] = Counter()
    marker_pt = marker_in * 72
    for u, v, data in sorted(graph.edges(data=True),
                             key=lambda e: (str(e[0]), str(e[1]), str(e[2].get("label")))):
        if u == v:
            continue
        k = pair_seen[(u, v)] + pair_seen[(v, u)]
        pair_seen[(u, v)] += 1
        rad = 0.08 + 0.12 * k if k or graph.has_edge(v, u) else 0.0
        lab = str(data.get("label", ""))
        ev = max(int(data.get("evidence", 1)), 1)
        ax.add_patch(FancyArrowPatch(
            marker_pos[u], marker_pos[v], arrowstyle="-|>", mutation_scale=8,
            shrinkA=marker_pt * 0.8, shrinkB=marker_pt * 0.8,
            connectionstyle=f"arc3,rad={rad:.2f}", color=edge_color.get(lab, "#b2babb"),
            linewidth=0.7 + 0.5 * math.log2(ev), alpha=0.75, zorder=1))
    # --- nodes (marker by group, colour by kind) and their labels
    for i, v in enumerate(nodes):
        attrs = graph.nodes[v]
        marker = GROUP_MARKERS.get(str(attrs.get("group", "other")), "o")
        mx, my = marker_pos[v]
        ax.plot([mx], [my], marker=marker, markersize=marker_pt * (1.5 if marker == "*" else 1),
                color=_color(attrs), markeredgecolor="white", markeredgewidth=0.6,
                zorder=3, linestyle="none")
        ax.text(centers[i, 0], my - marker_in / 2 - pad_h / 2, labels[i], fontsize=font_size,
                ha="center", va="top", linespacing=1.1, zorder=4, color="#17202a",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.8,
                      "edgecolor": "none"})
    fig.text(margin / fig_w, 1 - 0.12 / fig_h, heading, ha="left", va="top",
             fontsize=font_size + 3, fontweight="bold")
    legend_x = 1 - margin / fig_w
    handles = [Line2D([], [], marker=m, color=c, linestyle="none", markersize=7,
                      label=lab or k) for k, (lab, c, m) in sorted(kinds_seen.items())]
    if handles:
        fig.legend(handles=handles, loc="upper right",
                   bbox_to_anchor=(legend_x, 1 - title_h / fig_h), fontsize=font_size,
                   title="kind", title_fontsize=font_size, frameon=False, alignment="left")
    edge_handles = [Line2D([], [], color=edge_color[lab], linewidth=1.6, label=lab)
                    for lab in colored]
    if len(relation_count) > len(colored):
        edge_handles.append(Line2D([], [], color="#b2babb", linewidth=1.6, label="other"))
    if edge_handles:
        fig.legend(handles=edge_handles, loc="lower right",
                   bbox_to_anchor=(legend_x, margin / fig_h), fontsize=font_size,
                   title="relation", title_fontsize=font_size, frameon=False,
                   alignment="left")
    fig.kg_overlaps = overlaps  # type: ignore[attr-defined]
    if overlaps:
        log.warning("%d label pairs still overlap; draw fewer nodes (article=..., a smaller"
                    " view)", overlaps)
    if path is not None:
        _save_figure(fig, Path(path), dpi=min(dpi, int(_MAX_PIXELS / max(fig_w, fig_h))))
    return fig


def _save_figure(fig: Figure, path: Path, *, dpi: int) -> None:
    from matplotlib import rc_context

    from kgbuild.core.files import write_atomic

    buffer = io.BytesIO()
    fmt = path.suffix.lower().lstrip(".")
    # no timestamps, no random SVG ids: the same graph gives the same file
    metadata: dict[str, Any] = {"png": {"Software": None}, "svg": {"Date": None},
                                "pdf": {"CreationDate": None, "ModDate": None}}.get(fmt, {})
    with rc_context({"svg.hashsalt": "kgbuild"}):
        fig.savefig(buffer, format=fmt, dpi=dpi, facecolor="white", metadata=metadata)
    write_atomic(path, buffer.getvalue())


def write(graph: nx.MultiDiGraph, path: str | os.PathLike[str], *,
          title: str | None = None) -> Path:
    """Write a view to ``.html`` (interactive page) or ``.png``/``.svg``/``.pdf``.

    Args:
        graph: a view from :func:`to_networkx`.
        path: the file; its suffix chooses the format.
        title: the heading.

    Returns:
        The path written.

    Raises:
        kgbuild.core.errors.InputError: unknown suffix or missing folder.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix in (".html", ".htm"):
        from kgbuild.core.files import write_atomic

        write_atomic(target, to_html(graph, title=title).encode("utf-8"))
    elif suffix in STATIC_SUFFIXES:
        if not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise InputError("the output folder does not exist", input=str(target.parent),
                             fix="create it first or write elsewhere")
        draw(graph, path=target, title=title)
    else:
        raise InputError(f"cannot tell the picture format from {suffix or '(no suffix)'!r}",
                         input=str(target),
                         fix="end the file name with .html, .png, .svg or .pdf")
    return target


# ---------------------------------------------------------------------------
# Tables and charts for notebooks
# ---------------------------------------------------------------------------

_NUMERIC = re.compile(r"#(?:integer|decimal|double|float|nonNegativeInteger|int|long|short|"
                      r"positiveInteger|unsignedInt|boolean)$")


def _cell(value: Node | None, shorten: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, Literal):
        if value.datatype is not None and _NUMERIC.search(str(value.datatype)):
            python = value.toPython()
            if isinstance(python, (int, float, bool)):
                return python
            try:
                return float(python)
            except (TypeError, ValueError):
                return str(value)
        return str(value)
    text = str(value)
    return _short(text) if shorten and isinstance(value, URIRef) else text


def to_dataframe(result: Any, *, shorten: bool = False) -> Any:
    """Turn a :class:`kgbuild.query.sparql.QueryResult` into a pandas ``DataFrame``.

    Numbers become Python numbers; IRIs, dates and other literals become strings
    (dates of mixed precision such as ``2020`` and ``2022-08-03`` stay comparable);
    unbound values become ``None``.

    Args:
        result: the rows (``kg.query(...)``).
        shorten: write IRIs with kgbuild's prefixes (``kgr:event/…``).

    Returns:
        One column per query variable, one row per solution.

    Raises:
        kgbuild.core.errors.KgbuildError: pandas is not installed.

    >>> from kgbuild.query.sparql import QueryResult
    >>> from rdflib import Literal, URIRef
    >>> r = QueryResult(vars=("s", "n"), rows=((URIRef("https://w3id.org/kgbuild/id/x"),
    ...                                           Literal(3)),))
    >>> to_dataframe(r, shorten=True).to_dict("records")
    [{'s': 'kgr:x', 'n': 3}]
    """
    pd = _require("pandas", feature="query_df")
    columns = list(result.vars)
    rows = [[_cell(v, shorten) for v in row] for row in result.rows]
    return pd.DataFrame(rows, columns=columns)


_QUERY_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*(?:\.rq)?$")


def resolve_query_text(query: str) -> str:
    """A shipped query's text when ``query`` is a bare name (``"events"``), else ``query``."""
    if _QUERY_NAME.match(query.strip()):
        from kgbuild.query.sparql import named_query

        return named_query(query.strip()).read_text(encoding="utf-8")
    return query


def _run(data: Dataset | Graph, name: str) -> Any:
    from kgbuild.query.sparql import run_named_query

    return run_named_query(data, name, timeout=60)


def _date_span(value: str) -> tuple[date, date] | None:
    """The first and last day an ISO date, year-month or year stands for."""
    m = re.fullmatch(r"(-?\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value.strip()[:10])
    if not m:
        return None
    year = int(m.group(1))
    if m.group(3):
        day = date(year, int(m.group(2)), int(m.group(3)))
        return day, day
    if m.group(2):
        month = int(m.group(2))
        last = date(year + (month == 12), month % 12 + 1, 1)
        return date(year, month, 1), date.fromordinal(last.toordinal() - 1)
    return date(year, 1, 1), date(year, 12, 31)


def timeline_figure(data: Dataset | Graph, *, width: float = 11.0) -> Figure:
    """A timeline of the dated events: a dot for a day, a bar for a month or a year.

    Events whose date is not known are counted in the title, not drawn.

    Args:
        data: the graph.
        width: figure width in inches.

    Returns:
        The matplotlib ``Figure``.
    """
    result = _run(data, "timeline")
    rows: dict[str, dict[str, Any]] = {}
    undated = set()
    for row in result.to_dicts():
        event = str(row["event"])
        span = _date_span(str(row["date"])) if row.get("date") is not None else None
        if span is None:
            undated.add(event)
            continue
        kind = _local_name(str(row["kind"])) if row.get("kind") is not None else "Event"
        place = str(row["place"]) if row.get("place") is not None else ""
        entry = rows.setdefault(event, {"span": span, "kind": kind, "places": set(),
                                        "label": _clean(str(row.get("label")
                                                            or _readable(KG[kind]))),
                                        "date": str(row["date"])})
        if place:
            entry["places"].add(place)
    undated -= set(rows)
    items = sorted(rows.values(), key=lambda e: (e["span"][0], e["span"][1], e["label"]))
    height = max(3.0, 0.42 * len(items) + 1.6)
    fig = _new_figure(width, height)
    ax = fig.add_axes((0.36, 0.14, 0.6, 0.76))
    mdates = _require("matplotlib.dates", feature="the timeline")

    for i, e in enumerate(items):
        start, end = e["span"]
        color = KIND_COLORS.get(e["kind"], KIND_COLORS["Event"])
        y = len(items) - 1 - i
        if start == end:
            ax.plot([mdates.date2num(start)], [y], "o", color=color, markersize=8)
        else:
            ax.barh(y, mdates.date2num(end) - mdates.date2num(start) + 1,
                    left=mdates.date2num(start), height=0.5, color=color, alpha=0.75)
        ax.text(mdates.date2num(end) + 8, y, e["date"], va="center", fontsize=8,
                color="#566573")
    ax.set_yticks(range(len(items)))
    ax.set_yticklabels([_clean(f"{e['label']}" + (f" \u2014 {', '.join(sorted(e['places']))}"
                                                   if e["places"] else ""), limit=60)
                        for e in reversed(items)], fontsize=9)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(axis="x", color="#eaecee")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if items:
        lo = min(mdates.date2num(e["span"][0]) for e in items)
        hi = max(mdates.date2num(e["span"][1]) for e in items)
        pad = max(30.0, (hi - lo) * 0.08)
        ax.set_xlim(lo - pad, hi + pad * 2.5)
    else:
        ax.text(0.5, 0.5, "no dated events", transform=ax.transAxes, ha="center")
    fig.suptitle(f"Timeline of events ({len(items)} dated"
                 + (f", {len(undated)} undated not shown" if undated else "") + ")",
                 x=0.01, ha="left", fontsize=12, fontweight="bold")
    fig.text(0.01, 0.02, "dot: a day; bar: the month or year the article gives",
             fontsize=8, color="#566573")
    return fig


def casualty_figure(data: Dataset | Graph, *, width: float = 11.0) -> Figure:
    """Compare the casualty figures that different sources give, side by side.

    One group of bars per side and outcome (``Armed Forces of Armenia, killed``), one
    bar per source; each bar is labelled with the figure as written and its qualifier
    (``at least``). A figure without a number (``several``) is a hatched stub.

    Args:
        data: the graph.
        width: figure width in inches.

    Returns:
        The matplotlib ``Figure``.
    """
    result = _run(data, "casualties")
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in result.to_dicts():
        victim = str(row["victim"]) if row.get("victim") is not None else "(side not given)"
        outcome = _readable(row["outcome"]) if row.get("outcome") is not None else "?"
        count = row.get("count")
        groups[(victim, outcome)].append({
            "source": _clean(str(row.get("source") or "(unknown source)"), limit=48),
            "count": int(count) if count is not None else None,
            "qualifier": _readable(row["qualifier"]) if row.get("qualifier") is not None
            else "",
        })
    keys = sorted(groups)
    sources = sorted({c["source"] for k in keys for c in groups[k]})
    palette = ("#2471a3", "#c0392b", "#229954", "#d68910", "#7d3c98", "#17a589", "#a04000",
               "#5d6d7e")
    colors = {s: palette[i % len(palette)] for i, s in enumerate(sources)}
    n_bars = sum(len(groups[k]) for k in keys)
    fig = _new_figure(width, max(3.0, 0.38 * n_bars + 0.5 * len(keys) + 1.6))
    ax = fig.add_axes((0.3, 0.1, 0.45, 0.8))
    y = 0.0
    ticks, tick_labels = [], []
    top = max((c["count"] or 0 for k in keys for c in groups[k]), default=1) or 1
    for key in keys:
        claims = sorted(groups[key], key=lambda c: (c["source"], c["count"] or -1))
        start = y
        for c in claims:
            value = c["count"] if c["count"] is not None else top * 0.04
            ax.barh(y, value, height=0.8, color=colors[c["source"]],
                    hatch="//" if c["count"] is None else None,
                    alpha=0.55 if c["count"] is None else 0.9, edgecolor="white")
            shown = "several" if c["count"] is None else str(c["count"])
            if c["qualifier"] == "none":
                shown = "none (0)"
            elif c["qualifier"] and c["qualifier"] not in ("exact", "several"):
                shown = f"{c['qualifier']} {shown}"
            ax.text(value + top * 0.02, y, shown, va="center", fontsize=9)
            y += 1
        ticks.append((start + y - 1) / 2)
        tick_labels.append(f"{key[0]}\n{key[1]}")
        y += 0.8
    ax.set_yticks(ticks)
    ax.set_yticklabels(tick_labels, fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.3)
    ax.set_xlabel("people (as reported)")
    ax.grid(axis="x", color="#eaecee")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=colors[s], label=s) for s in sources], title="source",
              loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9, frameon=False)
    if not keys:
        ax.text(0.5, 0.5, "no casualty claims", transform=ax.transAxes, ha="center")
    fig.suptitle("Casualty figures by source", x=0.01, ha="left", fontsize=12,
                 fontweight="bold")
    return fig
