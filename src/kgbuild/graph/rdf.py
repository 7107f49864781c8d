"""Records to RDF: the only module that knows the ontology's IRIs.

One named graph per article (``kgr:graph/{article id}``) holds what that article states,
with its evidence, and nothing any other article states; ``kgr:graph/kb`` holds the
knowledge base's facts about the entities used; ``kgr:graph/resolution`` records the
events (and agreements) that several articles report.  No blank nodes: every node has a
deterministic IRI.  See ``docs/graph-model.md`` for the shape of the graph.

Cross-article merging works on the graphs, in three steps, so that a build in one go
and a store built chunk by chunk (or killed and rebuilt) end with the same quads:

1. :func:`to_graphs` with ``merge=False`` writes each article's graph from that
   article's records alone, exactly as a build of that article alone would.
2. :func:`fact_reports` reads the event and agreement reports back from those graphs,
   and :func:`kgbuild.graph.resolve.merge_reports` decides, from evidence alone, which of
   them are one event.
3. :func:`apply_merges` gives the reports of one event one IRI (the owner report's):
   every article keeps its own kinds, participants and mentions of it, the owner's
   article alone keeps the single-valued attributes (label, time, date, name), and
   the others' go to the resolution graph, on a record of the article-level report
   (``owl:sameAs`` the shared node, with ``kg:article`` and the reason as
   ``rdfs:comment``).  :func:`undo_merges` restores an article's own graph from its
   records (a store re-decides merges when articles come and go).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache, lru_cache
from urllib.parse import quote

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kgbuild.core.model import Article, Evidence
from kgbuild.core.namespaces import (
    GAF,
    KG,
    KGR,
    NIF,
    ORG,
    OUTCOME,
    PREFIXES,
    QUALIFIER,
    SCHEMA,
    STANCE,
    WGS84,
)
from kgbuild.core.resources import data_dir
from kgbuild.extractors.context import EntityInfo
from kgbuild.graph.resolve import ArticleResult, FactReport, Merge, Resolved, merge_reports
from kgbuild.kb.knowledge_base import KnowledgeBase

__all__ = [
    "KB_GRAPH",
    "RESOLUTION_GRAPH",
    "apply_merges",
    "article_graph",
    "article_iri",
    "dataset_of",
    "dataset_prefixes",
    "fact_reports",
    "graph_iri",
    "kb_within",
    "kb_within_triples",
    "merge_graphs",
    "merged_nodes",
    "node_key",
    "to_dataset",
    "to_graphs",
    "undo_merges",
]

KB_GRAPH = KGR["graph/kb"]
#: the merges of events (and agreements) reported by several articles
RESOLUTION_GRAPH = KGR["graph/resolution"]
_PLACE = {"Region", "Settlement", "Route", "Landform", "Area", "Facility"}
# Superclasses never written through the hierarchy: kg:Actor and kg:Place follow the
# record's is_actor / is_place flags (a country is both), kg:Event is written by the
# event writer, and kg:Source is implied by the others.
_ROOTS = frozenset((KG.Actor, KG.Place, KG.Event, KG.Source))


@lru_cache(maxsize=1)
def _superclasses() -> dict[URIRef, tuple[URIRef, ...]]:
    """Every kg: class of ``ontology/kgbuild.ttl`` with all its kg: superclasses
    (transitively, the roots left out, sorted by IRI), read once.

    Queries use no inference, so the builder writes these types itself: an
    ``ArmedClash`` is also written ``kg:Battle`` and ``kg:Attack``, and a query for
    either finds it.
    """
    graph = Graph().parse(data_dir("ontology") / "kgbuild.ttl", format="turtle")
    namespace = str(KG._NS)
    parents: dict[URIRef, set[URIRef]] = {}
    for child, parent in graph.subject_objects(RDFS.subClassOf):
        if (isinstance(child, URIRef) and isinstance(parent, URIRef)
                and str(child).startswith(namespace) and str(parent).startswith(namespace)):
            parents.setdefault(child, set()).add(parent)
    closure: dict[URIRef, tuple[URIRef, ...]] = {}
    for cls in parents:
        seen: set[URIRef] = set()
        todo = [cls]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        closure[cls] = tuple(sorted(seen - _ROOTS - {cls}, key=str))
    return closure


@cache
def _types(kind: str) -> tuple[URIRef, ...]:
    """The classes a record of ``kind`` is written with: ``kg:{kind}`` first, then its
    kg: superclasses below the roots.  An unknown kind raises ``AttributeError`` from
    the closed namespace, so a misspelt kind never mints a class."""
    cls = KG[kind]
    return (cls, *_superclasses().get(cls, ()))


_PCT = re.compile(r"(%[0-9A-Fa-f]{2})")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _safe(text: str, *, keep: str = "") -> str:
    """Percent-encode ``text`` for an IRI path: only ASCII unreserved characters
    (and ``keep``) stay, so strict parsers accept it; never fails, even on lone
    surrogates (encoded as their bytes, so distinct texts stay distinct)."""
    return quote(text, safe="-._~" + keep, errors="surrogatepass")


def article_iri(article_id: str) -> URIRef:
    return KGR["article/" + _safe(article_id)]


def graph_iri(article_id: str) -> URIRef:
    return KGR["graph/" + _safe(article_id)]


@lru_cache(maxsize=1 << 14)
def _node(key: str) -> URIRef:
    """The IRI of a key; ``%XX`` escapes already in it (keys of KB IRIs) are kept,
    a ``%`` that starts no escape is encoded as ``%25``.  Cached: an entity's key
    comes back at each of its mentions, in every article that names it.  16k keys
    hold what recurs; a bigger cache went on growing the build's process for the
    first few thousand articles (about 250 bytes a key)."""
    if _PLAIN_KEY.fullmatch(key):
        return KGR[key]  # nothing to quote (most keys)
    parts = _PCT.split(key)
    return KGR["".join(p if _PCT.fullmatch(p) else _safe(p, keep="/") for p in parts)]


#: keys made only of what :func:`_safe` keeps (ASCII letters, digits, ``-._~`` and ``/``)
_PLAIN_KEY = re.compile(r"[A-Za-z0-9\-._~/]*")


@lru_cache(maxsize=1 << 12)
def _offset(value: int) -> Literal:
    """A character offset as a literal (made once per value: offsets repeat)."""
    return Literal(value, datatype=XSD.nonNegativeInteger)


@lru_cache(maxsize=1 << 14)
def _plain(text: str) -> Literal:
    """A plain literal of a text that comes back often (an extractor's name, a name as
    written at its mentions, an entity's label, a trigger, a reporting verb, the labels
    made of them), cleaned (see :func:`_clean`)."""
    return Literal(_clean(text))


def _date_literal(value: str) -> Literal:
    if len(value) == 4:
        return Literal(value, datatype=XSD.gYear)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value, datatype=XSD.date)


def _clean(text: str) -> str:
    """Literal text without characters strict parsers reject: lone surrogates become
    U+FFFD, one for one, so offsets into the text stay right."""
    return _SURROGATES.sub("\ufffd", text)


class _Writer:
    """Collects one article graph's triples, each once, and adds them in one call.

    Most triples are stated many times (an entity's type and label at each of its
    mentions); rdflib's memory store is slow per ``add``, so the writer removes the
    repeats first (a dict keeps the first-seen order), and a store build never goes
    through rdflib's store at all.
    """

    def __init__(self, graph: URIRef, article: URIRef) -> None:
        self.graph = graph
        self.article = article
        self.triples: dict[tuple[URIRef, URIRef, URIRef | Literal], None] = {}
        self.subjects: set[URIRef] = set()
        # entities written so far (key, with their country?) -> node: an entity's
        # triples are the same at each of its mentions, so they are written once
        self.written: dict[tuple[str, bool], URIRef] = {}

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.triples[(s, p, o)] = None
        self.subjects.add(s)

    def __len__(self) -> int:
        return len(self.triples)

    def mention(self, node: URIRef, ev: Evidence) -> None:
        # URIRef() would check the text for characters an IRI may not hold; the article's
        # IRI is percent-encoded and the rest is digits, so the term is made directly
        m = _new_str(URIRef, f"{self.article}#char={ev.begin},{ev.end}")
        triples = self.triples
        triples[(m, _TYPE, _MENTION)] = None
        triples[(m, _REFERENCE_CONTEXT, self.article)] = None
        triples[(m, _BEGIN, _offset(ev.begin))] = None
        triples[(m, _END, _offset(ev.end))] = None
        triples[(m, _ANCHOR, _plain(ev.text))] = None
        triples[(m, _EXTRACTOR, _plain(ev.extractor))] = None
        triples[(node, _DENOTED_BY, m)] = None
        triples[(node, _ARTICLE, self.article)] = None
        self.subjects.add(m)
        self.subjects.add(node)


class _Terms:
    """A namespace whose terms are each looked up once.

    ``KG.Event`` runs the namespace's ``__getattr__`` and makes a new term at each
    access, and the writers below name some 90,000 terms per 200 articles; here the
    first access stores the term as an attribute, which later accesses read directly
    (the same term, so the same triples). A name the namespace does not define still
    raises ``AttributeError``, at its first access.
    """

    def __init__(self, namespace: object) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        term: URIRef = getattr(self._namespace, name)
        setattr(self, name, term)
        return term


_KG, _RDF, _RDFS, _SKOS, _SCHEMA = _Terms(KG), _Terms(RDF), _Terms(RDFS), _Terms(SKOS), \
    _Terms(SCHEMA)
_NIF, _ORG, _XSD, _OWL = _Terms(NIF), _Terms(ORG), _Terms(XSD), _Terms(OWL)

_new_str = str.__new__

# the terms of a mention, looked up once (a namespace makes a new term on each access)
_TYPE, _MENTION, _ARTICLE, _EXTRACTOR = _RDF.type, _KG.Mention, _KG.article, _KG.extractor
_REFERENCE_CONTEXT, _BEGIN, _END = _NIF.referenceContext, _NIF.beginIndex, _NIF.endIndex
_ANCHOR, _DENOTED_BY = _NIF.anchorOf, GAF.denotedBy


def _entity(
    w: _Writer, key: str, info: EntityInfo, ents: dict[str, EntityInfo] | None = None
) -> URIRef:
    done = w.written.get((key, ents is not None))
    if done is not None:
        return done
    node = _node(key)
    w.written[(key, ents is not None)] = node
    for cls in _types(info.kind):
        w.add(node, _RDF.type, cls)
    if info.is_actor:
        w.add(node, _RDF.type, _KG.Actor)
    if info.is_place:
        w.add(node, _RDF.type, _KG.Place)
    w.add(node, _RDFS.label, _plain(info.label))
    if info.country and info.country != key and ents is not None and info.country in ents:
        w.add(node, _KG.country, _entity(w, info.country, ents[info.country]))
    w.add(node, _KG.article, w.article)
    return node


def _article(w: _Writer, art: Article) -> None:
    a = w.article
    w.add(a, _RDF.type, _KG.Article)
    w.add(a, _RDFS.label, Literal(_clean(art.title or art.id)))
    w.add(a, _SCHEMA.headline, Literal(_clean(art.title or art.id)))
    w.add(a, _KG.fileName, Literal(_clean(art.id)))
    digest = hashlib.sha256(art.text.encode("utf-8", "surrogatepass")).hexdigest()
    w.add(a, _KG.contentHash, Literal("sha256:" + digest))
    w.add(a, _NIF.isString, Literal(_clean(art.text)))
    if art.url:
        w.add(a, _SCHEMA.url, Literal(art.url, datatype=_XSD.anyURI))
    if art.published:
        w.add(a, _SCHEMA.datePublished, Literal(art.published.isoformat(), datatype=_XSD.date))
    if art.publisher:
        w.add(a, _SCHEMA.publisher, Literal(_clean(art.publisher)))


def article_graph(r: ArticleResult, art: Article) -> list[Triple]:
    """The triples of one article's own named graph: they depend on this article alone
    (its records and text), so the worker process that extracted it can write them."""
    return list(_write_article(r, art).triples)


def _write_article(r: ArticleResult, art: Article) -> _Writer:
    w = _Writer(graph_iri(r.article_id), article_iri(r.article_id))
    _article(w, art)
    ents = r.entities  # what this article says about them: its labels, its countries

    def ent(key: str | None) -> URIRef | None:
        if key is None or key not in ents:
            return None
        return _entity(w, key, ents[key], ents)

    def link(node: URIRef, prop: URIRef, *keys: str | None) -> None:
        """``node prop entity`` for each key that names an entity of this article."""
        for key in keys:
            if (n := ent(key)) is not None:
                w.add(node, prop, n)

    for m in r.mentions:
        node = ent(m.key)
        if node is not None:
            w.mention(node, m.evidence)
            if m.surface and m.surface != ents[m.key].label:
                w.add(node, _SKOS.altLabel, _plain(m.surface))
    for e in r.events:
        node = _node(e.key)
        w.mention(node, e.evidence)
        if (node, _RDF.type, _KG.Event) in w.triples:
            continue
        for cls in _types(e.kind):
            w.add(node, _RDF.type, cls)
        w.add(node, _RDF.type, _KG.Event)
        w.add(node, _RDFS.label, _plain(f"{e.name or e.kind} ({e.trigger})"))
        w.add(node, _KG.trigger, _plain(e.trigger))
        link(node, _KG.agent, *e.agents)
        link(node, _KG.target, *e.targets)
        link(node, _KG.place, *e.places)
        if e.time_text:
            w.add(node, _KG.timeText, _plain(e.time_text))
        if e.date:
            w.add(node, _KG.date, _date_literal(e.date))
        if e.name:
            w.add(node, _KG.name, _plain(e.name))
        if e.responds_to:
            w.add(node, _KG.respondsTo, _node(e.responds_to))
        for g in e.violates:
            w.add(node, _KG.violates, _node(g))
    source_article = w.article
    for s in r.statements:
        node = _node(s.key)
        w.add(node, _RDF.type, _KG.Statement)
        w.add(node, _RDFS.label, _plain(f"{s.stance} ({s.verb})"))
        link(node, _KG.speaker, s.speaker)
        w.add(node, _KG.stance, STANCE[s.stance])
        w.add(node, _KG.reportingVerb, _plain(s.verb))
        link(node, _KG.addressee, *s.addressees)
        w.add(node, _KG.quote, Literal(_clean(s.quote)))
        for k in s.about:
            w.add(node, _KG.about, _node(k))
        w.mention(node, s.evidence)
    for c in r.claims:
        node = _node(c.key)
        w.add(node, _RDF.type, _KG.CasualtyClaim)
        w.add(node, _RDFS.label, _plain(f"{c.count_text} {c.outcome}"))
        src = ent(c.source) if c.source else None
        w.add(node, _KG.source, src if src is not None else source_article)
        link(node, _KG.victim, c.victim)
        w.add(node, _KG.outcome, OUTCOME[c.outcome])
        if c.count is not None:
            w.add(node, _KG.count, Literal(c.count, datatype=_XSD.integer))
        w.add(node, _KG.countText, _plain(c.count_text))
        w.add(node, _KG.qualifier, QUALIFIER[c.qualifier])
        if c.victim_group:
            w.add(node, _KG.victimGroup, _plain(c.victim_group))
        link(node, _KG.victimSide, c.victim_side)
        if c.about:
            w.add(node, _KG.about, _node(c.about))
        w.mention(node, c.evidence)
    for agr in r.agreements:
        node = _node(agr.key)
        w.mention(node, agr.evidence)
        if (node, _RDF.type, _KG.Agreement) in w.triples:
            continue
        w.add(node, _RDF.type, _KG.Agreement)
        w.add(node, _RDFS.label, _plain(agr.label))
        if agr.date:
            w.add(node, _KG.date, _date_literal(agr.date))
        link(node, _KG.broker, *agr.brokers)
        link(node, _KG.party, *agr.parties)
        for k in agr.provides:
            w.add(node, _KG.provides, _node(k))
        link(node, _KG.signingPlace, agr.place)
        for text in agr.provisions:
            w.add(node, _KG.provision, Literal(_clean(text)))
    for role in r.roles:
        ident = f"{role.person}|{role.title}|{role.organization}".encode()
        post_key = f"post/{hashlib.sha1(ident).hexdigest()[:16]}"
        node = _node(post_key)
        person = ent(role.person)
        if person is None:
            continue
        w.add(node, _RDF.type, _KG.Post)
        w.add(node, _RDF.type, _ORG.Post)
        org_label = ents[role.organization].label if role.organization in ents else ""
        w.add(
            node,
            _RDFS.label,
            _plain(f"{role.title.capitalize()}{', ' + org_label if org_label else ''}"),
        )
        w.add(node, _KG.roleTitle, _plain(role.title))
        w.add(node, _ORG.heldBy, person)
        w.add(person, _ORG.holds, node)
        link(node, _ORG.postIn, role.organization)
        w.mention(node, role.evidence)
    for pl in r.place_links:
        place, other = ent(pl.place), ent(pl.other)
        if place is not None and other is not None:
            w.add(place, KG[pl.relation], other)
    for con in r.contradictions:
        node = _node(
            "contradiction/"
            + hashlib.sha1(f"{con.a}|{con.b}|{con.topic}".encode()).hexdigest()[:16]
        )
        w.add(node, _RDF.type, _KG.Contradiction)
        w.add(node, _KG.claimA, _node(con.a))
        w.add(node, _KG.claimB, _node(con.b))
        w.add(node, _KG.topic, _plain(con.topic))
        w.add(node, _RDFS.label, _plain(con.topic))
        w.add(_node(con.a), _KG.contradicts, _node(con.b))
        w.add(node, _KG.article, w.article)
    for key, evs in r.evidence.items():
        node = _node(key)
        if node in w.subjects:
            for ev in evs:
                w.mention(node, ev)
    return w


def _write_kb(res: Resolved, kb: KnowledgeBase) -> _Writer:
    w = _Writer(KB_GRAPH, KB_GRAPH)
    for key in sorted(res.entities):
        ent = kb.entities.get(key)
        info = res.entities[key]
        node = _node(key)
        for alt in sorted(info.alt_labels):
            # compared with the KB's label only: the label an article composed for a
            # minted entity depends on which article came first
            if ent is None or alt != ent.label:
                w.add(node, _SKOS.altLabel, Literal(_clean(alt)))
        if ent is None:
            continue
        for alt in ent.alt_labels:
            w.add(node, _SKOS.altLabel, Literal(alt))
        for s in ent.same_as:
            w.add(node, _OWL.sameAs, URIRef(s))
        if ent.lat is not None and ent.long is not None:
            w.add(node, WGS84.lat, Literal(str(ent.lat), datatype=_XSD.decimal))
            w.add(node, WGS84.long, Literal(str(ent.long), datatype=_XSD.decimal))
    for triple in kb_within_triples(kb, {_node(k) for k in res.entities}):
        w.add(*triple)
    return w


def kb_within_triples(kb: KnowledgeBase, present: set[URIRef]) -> list[Triple]:
    """The knowledge base's "lies within" links between the entities ``present`` (their
    IRIs): the knowledge-base graph states a link only when both ends are in the graph,
    whichever articles (or chunks of a store build) brought them in."""
    out: list[Triple] = []
    for key in sorted(kb.entities):
        node = _node(key)
        if node not in present:
            continue
        for other in kb.entities[key].within:
            if _node(other) in present:
                out.append((node, KG.within, _node(other)))
    return out


Triple = tuple[URIRef, URIRef, URIRef | Literal]

#: what a node has at most one of (see ontology/shapes.ttl): when several articles report
#: one event or agreement, only the owner report's article states these of it
_SINGLE = (RDFS.label, KG.timeText, KG.date, KG.name)
_KGR = str(KGR)
_KG_ONTOLOGY = str(KG.Event)[: -len("Event")]


def node_key(node: URIRef | str) -> str:
    """The key of one of kgbuild's IRIs (its path after ``kgr:``), as the merge rules
    read it.

    >>> node_key(KGR["event/1d08"])
    'event/1d08'
    """
    text = str(node)
    return text[len(_KGR):] if text.startswith(_KGR) else text


def kb_within(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Each knowledge-base place's key (as :func:`node_key` gives it) -> the keys of
    the places it lies within, directly."""
    return {node_key(_node(k)): tuple(node_key(_node(o)) for o in e.within)
            for k, e in kb.entities.items() if e.within}


#: what :func:`fact_reports` reads of a graph
_REPORT_PROPERTIES = frozenset((_RDF.type, _KG.within, _KG.country, _KG.agent, _KG.target,
                                _KG.place, _KG.date, _KG.timeText, _KG.name))
# the terms fact_reports reads, looked up once (a namespace attribute costs a call each
# time, and it reads them for every subject of every article); the very terms the writers
# above use, so that in a graph written in this process they are found by identity, without
# rdflib's equality test (a Python call)
(_R_within, _R_COUNTRY, _R_country, _R_AGREEMENT, _R_EVENT, _R_agent, _R_target, _R_place,
 _R_date, _R_timeText, _R_name, _R_TYPE) = (
    _KG.within, _KG.Country, _KG.country, _KG.Agreement, _KG.Event, _KG.agent, _KG.target,
    _KG.place, _KG.date, _KG.timeText, _KG.name, _RDF.type)


def fact_reports(article_id: str, triples: Iterable[Triple],
                 within: Mapping[str, Sequence[str]]) -> list[FactReport]:
    """The event and agreement reports of one article's own graph, for
    :func:`kgbuild.graph.resolve.merge_reports`.

    Args:
        article_id: the article.
        triples: its graph as :func:`to_graphs` writes it with ``merge=False`` (or as
            :func:`undo_merges` restores it); only types, participants, times, names,
            countries and ``kg:within`` links are read.
        within: the knowledge base's "lies within" links (:func:`kb_within`).
    """
    # only the properties read below are kept (most triples are of mentions), but every
    # subject, in the order it first comes: the reports come out in that order
    by_s: dict[URIRef, dict[URIRef, list[URIRef | Literal]]] = {}
    for s, p, o in triples:
        props = by_s.get(s)
        if props is None:
            props = by_s[s] = {}
        if p in _REPORT_PROPERTIES:
            props.setdefault(p, []).append(o)
    links: dict[str, set[str]] = {}
    for s, props in by_s.items():
        for o in props.get(_R_within, ()):
            links.setdefault(node_key(s), set()).add(node_key(o))

    def side(x: URIRef | Literal) -> str | None:
        props = by_s.get(x, {})  # type: ignore[call-overload]
        if _R_COUNTRY in props.get(_R_TYPE, ()):
            return node_key(x)
        countries = props.get(_R_country, ())
        return node_key(countries[0]) if countries else None

    def ancestors(place: str) -> set[str]:
        seen: set[str] = set()
        todo = [place]
        while todo:
            current = todo.pop()
            for o in (*within.get(current, ()), *links.get(current, ())):
                if o not in seen and o != place:
                    seen.add(o)
                    todo.append(o)
        return seen

    def one(props: dict[URIRef, list[URIRef | Literal]], p: URIRef) -> str | None:
        values = sorted(str(v) for v in props.get(p, ()))
        return values[0] if values else None

    out: list[FactReport] = []
    for s, props in by_s.items():
        types = props.get(_R_TYPE, ())
        if _R_AGREEMENT in types:
            out.append(FactReport(article_id, node_key(s), "Agreement",
                                  date=one(props, _R_date)))
            continue
        if _R_EVENT not in types:
            continue
        kinds = sorted(str(t)[len(_KG_ONTOLOGY):] for t in types
                       if t != _R_EVENT and str(t).startswith(_KG_ONTOLOGY))
        agents = props.get(_R_agent, ())
        targets = props.get(_R_target, ())
        places = frozenset(node_key(p) for p in props.get(_R_place, ()))
        out.append(FactReport(
            article_id, node_key(s), kinds[0] if kinds else "Event",
            agents=frozenset(node_key(a) for a in agents),
            agent_sides=frozenset(x for x in map(side, agents) if x),
            targets=frozenset(node_key(t) for t in targets),
            target_sides=frozenset(x for x in map(side, targets) if x),
            places=places,
            within=frozenset((p, o) for p in places for o in ancestors(p)),
            date=one(props, _R_date), time_text=one(props, _R_timeText),
            name=one(props, _R_name)))
    return out


def _record_node(m: Merge) -> URIRef:
    """The node that stands for an article's own report in the resolution graph: the
    event's article-level IRI, or (an agreement shares its IRI already) one made from
    the agreement's and the article's."""
    if m.key != m.into:
        return _node(m.key)
    return KGR[f"{m.into}/report/{_safe(m.article_id)}"]


def apply_merges(article_id: str, triples: Sequence[Triple], merges: Iterable[Merge]
                 ) -> tuple[list[Triple], list[Triple]]:
    """One article's graph with its merged reports folded into the shared nodes.

    Returns:
        The article's triples (an event renamed to the shared IRI; for a report that
        is not the owner, without its single-valued attributes) and the records of
        its non-owner reports for the resolution graph.
    """
    rename: dict[URIRef | Literal, URIRef] = {}
    strip: dict[URIRef, Merge] = {}
    for m in merges:
        if m.owner:
            continue
        into = _node(m.into)
        if m.key != m.into:
            rename[_node(m.key)] = into
        strip[into] = m
    if not strip:
        return list(triples), []
    out: dict[Triple, None] = {}
    records: dict[Triple, None] = {}
    for s, p, o in triples:
        s2 = rename.get(s, s)
        o2 = rename.get(o, o)
        m = strip.get(s2)  # type: ignore[call-overload]
        if m is not None and p in _SINGLE:
            records[(_record_node(m), p, o)] = None
            continue
        out[(s2, p, o2)] = None  # type: ignore[index]
    airi = article_iri(article_id)
    for into, m in sorted(strip.items()):
        rec = _record_node(m)
        records[(rec, OWL.sameAs, into)] = None
        records[(rec, KG.article, airi)] = None
        if m.reason:
            records[(rec, RDFS.comment, Literal(m.reason))] = None
    return list(out), list(records)


def merged_nodes(merges: Iterable[Merge]) -> set[URIRef]:
    """The nodes of an article graph that :func:`apply_merges` renames or strips for
    ``merges``: each report's article-level IRI and the shared node's IRI.

    Every triple :func:`apply_merges` (or :func:`undo_merges`, with the records'
    subjects and ``owl:sameAs`` objects) changes has one of these as subject or object,
    so a store rewrites only the triples that touch them.
    """
    return {node for m in merges for node in (_node(m.key), _node(m.into))}


def undo_merges(triples: Sequence[Triple], records: Sequence[Triple]) -> list[Triple]:
    """An article's own graph back from its stored graph and its records in the
    resolution graph (the inverse of :func:`apply_merges`).

    A record applies only while the article's graph holds the shared node without a
    label, as :func:`apply_merges` leaves it; records of an older version of the
    article (rewritten since) are ignored.
    """
    by_rec: dict[URIRef | Literal, dict[URIRef, list[URIRef | Literal]]] = {}
    for s, p, o in records:
        by_rec.setdefault(s, {}).setdefault(p, []).append(o)
    present = {(s, o) for s, p, o in triples if p == RDF.type}
    labelled = {s for s, p, _o in triples if p == RDFS.label}
    rename: dict[URIRef | Literal, URIRef] = {}
    restore: list[Triple] = []
    for rec, props in sorted(by_rec.items()):
        for into in props.get(OWL.sameAs, ()):
            if into in labelled:
                continue
            if (into, KG.Event) in present:
                rename[into] = rec  # type: ignore[assignment]
                node = rec
            elif (into, KG.Agreement) in present:
                node = into
            else:
                continue
            restore.extend((node, p, o) for p in _SINGLE  # type: ignore[misc]
                           for o in props.get(p, ()))
    if not rename and not restore:
        return list(triples)
    out = {(rename.get(s, s), p, rename.get(o, o)): None for s, p, o in triples}
    out.update(dict.fromkeys(restore))
    return list(out)  # type: ignore[arg-type]


def merge_graphs(graphs: Sequence[tuple[str, Sequence[Triple]]],
                 within: Mapping[str, Sequence[str]], *,
                 reports: Mapping[str, Sequence[FactReport]] | None = None,
                 ) -> tuple[list[tuple[str, list[Triple]]], list[Triple]]:
    """Merge the reports of the same events across article graphs.

    Args:
        graphs: ``(article id, its own graph's triples)`` pairs.
        within: the knowledge base's "lies within" links (:func:`kb_within`).
        reports: article id -> :func:`fact_reports` of its graph with ``within``, for the
            articles whose reports were read already (a build reads them as each
            article's graph is written); the others' are read here.

    Returns:
        The article graphs after :func:`apply_merges`, in the same order, and the
        resolution graph's triples (sorted).
    """
    known = reports or {}
    merges = merge_reports([
        r for aid, triples in graphs
        for r in (known[aid] if aid in known else fact_reports(aid, triples, within))])
    by_article: dict[str, list[Merge]] = {}
    for m in merges.values():
        by_article.setdefault(m.article_id, []).append(m)
    out: list[tuple[str, list[Triple]]] = []
    resolution: set[Triple] = set()
    for aid, triples in graphs:
        merged, records = apply_merges(aid, triples, by_article.get(aid, ()))
        out.append((aid, merged))
        resolution.update(records)
    return out, sorted(resolution)


def to_graphs(res: Resolved, articles: Iterable[Article], kb: KnowledgeBase, *,
              merge: bool = True) -> Iterator[tuple[URIRef, list[Triple]]]:
    """The resolved corpus as (graph IRI, triples) pairs: each article's graph in
    the order of ``res.articles``, then the knowledge-base graph, then (when some
    articles report the same events) the resolution graph.  Each triple appears once
    per graph.

    With ``merge=False`` each article's graph is its own, as if it were built alone,
    and no resolution graph is made (a store merges across all its articles at the
    end of a build: :meth:`kgbuild.store.oxstore.StoreWriter.merge_events`).
    """
    by_id = {a.id: a for a in articles}
    own = [(r.article_id, r.graph if r.graph is not None else
            article_graph(r, by_id[r.article_id])) for r in res.articles]
    resolution: list[Triple] = []
    if merge:
        read = {r.article_id: r.reports for r in res.articles if r.reports is not None}
        own, resolution = merge_graphs(own, kb_within(kb), reports=read)
    for aid, triples in own:
        yield graph_iri(aid), triples
    w = _write_kb(res, kb)
    yield w.graph, list(w.triples)
    if resolution:
        yield RESOLUTION_GRAPH, resolution


def to_dataset(res: Resolved, articles: Iterable[Article], kb: KnowledgeBase) -> Dataset:
    """Write the resolved corpus as an ``rdflib.Dataset`` (default graph = union)."""
    return dataset_of(to_graphs(res, articles, kb))


@cache
def dataset_prefixes() -> tuple[tuple[str, URIRef], ...]:
    """The prefixes a Dataset of :func:`dataset_of` has bound: rdflib's own, then kgbuild's
    (so a file written without making the Dataset uses the very same prefixed names)."""
    return tuple(dataset_of(()).namespaces())


def dataset_of(graphs: Iterable[tuple[URIRef, Sequence[Triple]]]) -> Dataset:
    """An ``rdflib.Dataset`` (default graph = union) of (graph IRI, triples) pairs, with
    kgbuild's prefixes bound."""
    ds = Dataset(default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    for name, triples in graphs:
        g = ds.graph(name)
        g.addN((s, p, o, g) for s, p, o in triples)
    return ds
