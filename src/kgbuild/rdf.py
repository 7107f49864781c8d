"""Records to RDF: the only module that knows the ontology's IRIs.

One named graph per article (``kgr:graph/{article id}``) holds everything that article
states, with its evidence; ``kgr:graph/kb`` holds the knowledge base's facts about the
entities used.  No blank nodes: every node has a deterministic IRI.  See
``docs/graph-model.md`` for the shape of the graph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from urllib.parse import quote

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from .extractors.context import EntityInfo
from .kb import KnowledgeBase
from .model import Article, Evidence
from .namespaces import GAF, KG, KGR, NIF, ORG, OUTCOME, PREFIXES, QUALIFIER, SCHEMA, STANCE, WGS84
from .resolve import ArticleResult, Resolved
from .resources import data_dir

__all__ = ["KB_GRAPH", "article_iri", "graph_iri", "to_dataset"]

KB_GRAPH = KGR["graph/kb"]
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


@lru_cache(maxsize=None)
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


def _node(key: str) -> URIRef:
    """The IRI of a key; ``%XX`` escapes already in it (keys of KB IRIs) are kept,
    a ``%`` that starts no escape is encoded as ``%25``."""
    parts = _PCT.split(key)
    return KGR["".join(p if _PCT.fullmatch(p) else _safe(p, keep="/") for p in parts)]


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

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.triples[(s, p, o)] = None
        self.subjects.add(s)

    def __len__(self) -> int:
        return len(self.triples)

    def mention(self, node: URIRef, ev: Evidence) -> None:
        m = URIRef(f"{self.article}#char={ev.begin},{ev.end}")
        self.add(m, RDF.type, KG.Mention)
        self.add(m, NIF.referenceContext, self.article)
        self.add(m, NIF.beginIndex, Literal(ev.begin, datatype=XSD.nonNegativeInteger))
        self.add(m, NIF.endIndex, Literal(ev.end, datatype=XSD.nonNegativeInteger))
        self.add(m, NIF.anchorOf, Literal(_clean(ev.text)))
        self.add(m, KG.extractor, Literal(ev.extractor))
        self.add(node, GAF.denotedBy, m)
        self.add(node, KG.article, self.article)


def _entity(
    w: _Writer, key: str, info: EntityInfo, ents: dict[str, EntityInfo] | None = None
) -> URIRef:
    node = _node(key)
    for cls in _types(info.kind):
        w.add(node, RDF.type, cls)
    if info.is_actor:
        w.add(node, RDF.type, KG.Actor)
    if info.is_place:
        w.add(node, RDF.type, KG.Place)
    w.add(node, RDFS.label, Literal(_clean(info.label)))
    if info.country and info.country != key and ents is not None and info.country in ents:
        w.add(node, KG.country, _entity(w, info.country, ents[info.country]))
    w.add(node, KG.article, w.article)
    return node


def _article(w: _Writer, art: Article) -> None:
    a = w.article
    w.add(a, RDF.type, KG.Article)
    w.add(a, RDFS.label, Literal(_clean(art.title or art.id)))
    w.add(a, SCHEMA.headline, Literal(_clean(art.title or art.id)))
    w.add(a, KG.fileName, Literal(_clean(art.id)))
    digest = hashlib.sha256(art.text.encode("utf-8", "surrogatepass")).hexdigest()
    w.add(a, KG.contentHash, Literal("sha256:" + digest))
    w.add(a, NIF.isString, Literal(_clean(art.text)))
    if art.url:
        w.add(a, SCHEMA.url, Literal(art.url, datatype=XSD.anyURI))
    if art.published:
        w.add(a, SCHEMA.datePublished, Literal(art.published.isoformat(), datatype=XSD.date))
    if art.publisher:
        w.add(a, SCHEMA.publisher, Literal(_clean(art.publisher)))


def _write_article(res: Resolved, r: ArticleResult, art: Article) -> _Writer:
    w = _Writer(graph_iri(r.article_id), article_iri(r.article_id))
    _article(w, art)
    ents = res.entities

    def ent(key: str | None) -> URIRef | None:
        if key is None or key not in ents:
            return None
        return _entity(w, key, ents[key], ents)

    for m in r.mentions:
        node = ent(m.key)
        if node is not None:
            w.mention(node, m.evidence)
            if m.surface and m.surface != ents[m.key].label:
                w.add(node, SKOS.altLabel, Literal(_clean(m.surface)))
    for local_e in r.events:
        node = _node(local_e.key)
        w.mention(node, local_e.evidence)
        if res.owner.get(local_e.key) != r.article_id or (node, RDF.type, KG.Event) in w.triples:
            continue  # the first article reporting it holds the merged attributes
        e = res.events[local_e.key]
        for cls in _types(e.kind):
            w.add(node, RDF.type, cls)
        w.add(node, RDF.type, KG.Event)
        w.add(node, RDFS.label, Literal(_clean(f"{e.name or e.kind} ({e.trigger})")))
        w.add(node, KG.trigger, Literal(_clean(e.trigger)))
        for a in e.agents:
            if (n := ent(a)) is not None:
                w.add(node, KG.agent, n)
        for t in e.targets:
            if (n := ent(t)) is not None:
                w.add(node, KG.target, n)
        for p in e.places:
            if (n := ent(p)) is not None:
                w.add(node, KG.place, n)
        if e.time_text:
            w.add(node, KG.timeText, Literal(_clean(e.time_text)))
        if e.date:
            w.add(node, KG.date, _date_literal(e.date))
        if e.name:
            w.add(node, KG.name, Literal(_clean(e.name)))
        if e.responds_to:
            w.add(node, KG.respondsTo, _node(e.responds_to))
        for g in e.violates:
            w.add(node, KG.violates, _node(g))
    source_article = w.article
    for s in r.statements:
        node = _node(s.key)
        w.add(node, RDF.type, KG.Statement)
        w.add(node, RDFS.label, Literal(_clean(f"{s.stance} ({s.verb})")))
        if (n := ent(s.speaker)) is not None:
            w.add(node, KG.speaker, n)
        w.add(node, KG.stance, STANCE[s.stance])
        w.add(node, KG.reportingVerb, Literal(_clean(s.verb)))
        for a in s.addressees:
            if (n := ent(a)) is not None:
                w.add(node, KG.addressee, n)
        w.add(node, KG.quote, Literal(_clean(s.quote)))
        for k in s.about:
            w.add(node, KG.about, _node(k))
        w.mention(node, s.evidence)
    for c in r.claims:
        node = _node(c.key)
        w.add(node, RDF.type, KG.CasualtyClaim)
        w.add(node, RDFS.label, Literal(_clean(f"{c.count_text} {c.outcome}")))
        src = ent(c.source) if c.source else None
        w.add(node, KG.source, src if src is not None else source_article)
        if (n := ent(c.victim)) is not None:
            w.add(node, KG.victim, n)
        w.add(node, KG.outcome, OUTCOME[c.outcome])
        if c.count is not None:
            w.add(node, KG.count, Literal(c.count, datatype=XSD.integer))
        w.add(node, KG.countText, Literal(_clean(c.count_text)))
        w.add(node, KG.qualifier, QUALIFIER[c.qualifier])
        if c.victim_group:
            w.add(node, KG.victimGroup, Literal(_clean(c.victim_group)))
        if (n := ent(c.victim_side)) is not None:
            w.add(node, KG.victimSide, n)
        if c.about:
            w.add(node, KG.about, _node(c.about))
        w.mention(node, c.evidence)
    for local_g in r.agreements:
        node = _node(local_g.key)
        w.mention(node, local_g.evidence)
        if (res.owner.get(local_g.key) != r.article_id
                or (node, RDF.type, KG.Agreement) in w.triples):
            continue
        agr = res.agreements[local_g.key]
        w.add(node, RDF.type, KG.Agreement)
        w.add(node, RDFS.label, Literal(_clean(agr.label)))
        if agr.date:
            w.add(node, KG.date, _date_literal(agr.date))
        for b in agr.brokers:
            if (n := ent(b)) is not None:
                w.add(node, KG.broker, n)
        for p in agr.parties:
            if (n := ent(p)) is not None:
                w.add(node, KG.party, n)
        for k in agr.provides:
            w.add(node, KG.provides, _node(k))
        if (n := ent(agr.place)) is not None:
            w.add(node, KG.signingPlace, n)
        for text in agr.provisions:
            w.add(node, KG.provision, Literal(_clean(text)))
    for role in r.roles:
        ident = f"{role.person}|{role.title}|{role.organization}".encode()
        post_key = f"post/{hashlib.sha1(ident).hexdigest()[:16]}"
        node = _node(post_key)
        person = ent(role.person)
        if person is None:
            continue
        w.add(node, RDF.type, KG.Post)
        w.add(node, RDF.type, ORG.Post)
        org_label = ents[role.organization].label if role.organization in ents else ""
        w.add(
            node,
            RDFS.label,
            Literal(_clean(f"{role.title.capitalize()}{', ' + org_label if org_label else ''}")),
        )
        w.add(node, KG.roleTitle, Literal(_clean(role.title)))
        w.add(node, ORG.heldBy, person)
        w.add(person, ORG.holds, node)
        if (n := ent(role.organization)) is not None:
            w.add(node, ORG.postIn, n)
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
        w.add(node, RDF.type, KG.Contradiction)
        w.add(node, KG.claimA, _node(con.a))
        w.add(node, KG.claimB, _node(con.b))
        w.add(node, KG.topic, Literal(_clean(con.topic)))
        w.add(node, RDFS.label, Literal(_clean(con.topic)))
        w.add(_node(con.a), KG.contradicts, _node(con.b))
        w.add(node, KG.article, w.article)
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
            if alt != info.label:
                w.add(node, SKOS.altLabel, Literal(_clean(alt)))
        if ent is None:
            continue
        for alt in ent.alt_labels:
            w.add(node, SKOS.altLabel, Literal(alt))
        for s in ent.same_as:
            w.add(node, OWL.sameAs, URIRef(s))
        if ent.lat is not None and ent.long is not None:
            w.add(node, WGS84.lat, Literal(str(ent.lat), datatype=XSD.decimal))
            w.add(node, WGS84.long, Literal(str(ent.long), datatype=XSD.decimal))
        for other in ent.within:
            if other in res.entities:
                w.add(node, KG.within, _node(other))
    return w


Triple = tuple[URIRef, URIRef, URIRef | Literal]


def to_graphs(res: Resolved, articles: Iterable[Article], kb: KnowledgeBase
              ) -> Iterator[tuple[URIRef, list[Triple]]]:
    """The resolved corpus as (graph IRI, triples) pairs: each article's graph in
    the order of ``res.articles``, then the knowledge-base graph.  Each triple
    appears once per graph."""
    by_id = {a.id: a for a in articles}
    for r in res.articles:
        w = _write_article(res, r, by_id[r.article_id])
        yield w.graph, list(w.triples)
    w = _write_kb(res, kb)
    yield w.graph, list(w.triples)


def to_dataset(res: Resolved, articles: Iterable[Article], kb: KnowledgeBase) -> Dataset:
    """Write the resolved corpus as an ``rdflib.Dataset`` (default graph = union)."""
    ds = Dataset(default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    for name, triples in to_graphs(res, articles, kb):
        g = ds.graph(name)
        g.addN((s, p, o, g) for s, p, o in triples)
    return ds
