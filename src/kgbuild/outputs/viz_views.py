"""The four networkx views of a kgbuild graph: which nodes and edges each one draws.

:func:`to_networkx` turns the RDF graph into a :class:`networkx.MultiDiGraph`:

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

>>> from rdflib import Dataset
>>> to_networkx(Dataset(), view="entities").number_of_nodes()
0
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from rdflib import Dataset, Graph, Literal
from rdflib.namespace import RDF
from rdflib.term import Node

from kgbuild.core.errors import InputError
from kgbuild.core.namespaces import KG, ORG
from kgbuild.outputs.viz_reader import _Builder, _graph_article, _Reader
from kgbuild.outputs.viz_style import _clean, _local_name, _readable, _short

if TYPE_CHECKING:  # pragma: no cover - imported lazily at run time
    import networkx as nx

__all__ = ["VIEWS", "to_networkx"]

#: The views :func:`to_networkx` can make.
VIEWS: tuple[str, ...] = ("entities", "events", "claims", "rdf")

_STANCE_VERBS = {
    "Accusation": "accuses", "Appeal": "appeals to", "Warning": "warns",
    "Denial": "denies to", "Confirmation": "confirms to", "Claim": "tells",
}


def _entities_view(r: _Reader, b: _Builder) -> None:
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


def _events_view(r: _Reader, b: _Builder) -> None:
    g = r.graph
    for event in r.facts(KG.Event):
        b.node(event)
        for agent in g.objects(event, KG.agent):
            b.link(agent, event, _readable(KG.agent), fact=event, predicate=KG.agent)
        b.link_objects(event, (KG.target, KG.place, KG.respondsTo, KG.violates))
    for agreement in r.facts(KG.Agreement):
        for event in g.objects(agreement, KG.provides):
            if event in b.nodes:
                b.link(agreement, event, _readable(KG.provides), fact=agreement,
                       predicate=KG.provides)


def _claims_view(r: _Reader, b: _Builder) -> None:
    g = r.graph
    for statement in r.facts(KG.Statement):
        b.node(statement)
        speaker = g.value(statement, KG.speaker)
        if speaker is None:  # the article's own voice
            speaker = g.value(statement, KG.article)
        if speaker is not None:
            b.link(speaker, statement, "said", fact=statement, predicate=KG.speaker)
        b.link_objects(statement, (KG.about, KG.addressee))
    for claim in r.facts(KG.CasualtyClaim):
        b.node(claim)
        source = g.value(claim, KG.source)
        if source is not None:
            b.link(source, claim, "reported", fact=claim, predicate=KG.source)
        b.link_objects(claim, (KG.about, KG.victim))
    for s, o in sorted(g.subject_objects(KG.contradicts)):
        if s in b.nodes and o in b.nodes:
            b.link(s, o, _readable(KG.contradicts), predicate=KG.contradicts,
                   triple=(s, KG.contradicts, o))


def _rdf_view(r: _Reader, b: _Builder) -> None:
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
    builder = _Builder(reader, view)
    _VIEW_BUILDERS[view](reader, builder)
    return builder.to_graph()
