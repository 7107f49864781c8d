"""Merging the reports of the same events across every article of a store, in bounded
memory and in transactions of a bounded size
(:meth:`kgbuild.store.oxstore.StoreWriter.merge_events`).

The decision is made over all the articles at once (:func:`kgbuild.graph.resolve.merge_reports`
must see every report), but nothing else is held for all of them:

1. **Reports.**  Article by article, the triples the merge rules read are looked up in the
   article's graph, its own graph is restored from its records in the resolution graph
   (:func:`kgbuild.graph.rdf.undo_merges`), and its reports the rules may link
   (:func:`~kgbuild.graph.resolve.mergeable`: agreements, and events with a day or a name)
   are kept as :class:`~kgbuild.graph.resolve.FactReport` records of interned strings: no
   rdflib term outlives an article.
2. **Decision.**  :func:`~kgbuild.graph.resolve.merge_reports` over all the reports; then the
   reports are dropped and only the merges, by article, are kept.
3. **Deltas.**  Article by article again: the triples of its graph that touch a node the
   merges (old or new) rename or strip (:func:`kgbuild.graph.rdf.merged_nodes`) are read,
   restored and merged anew (:func:`kgbuild.graph.rdf.apply_merges`); the difference with
   what is stored, in the article's graph and in its records, is that article's delta.
4. **Transactions.**  The deltas of whole articles are written in SPARQL updates of about
   ``KGBUILD_STORE_TRANSACTION_QUADS`` changed quads (:data:`DELTA_QUADS`) and at most
   :data:`MERGE_GRAPHS` articles each.  One update removes the old triples from the
   articles' graphs and records, takes out of the union (the default graph) those no graph
   holds any more, and inserts the new ones into both.

**Why a kill at any point is harmless.**  Each update changes an article's graph and that
article's records (linked to it by ``kg:article``) together, all or nothing, and keeps the
union exact.  So after every update, for every article, :func:`~kgbuild.graph.rdf.undo_merges`
of its stored graph with its stored records is the article's own graph, as before the
merge.  The next build reads exactly the same reports, takes the same decision (it depends
only on the set of reports) and writes what is left; records of articles no longer in the
store are removed last, on their own (nothing reads them).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from kgbuild.core.namespaces import KG, KGR
from kgbuild.core.oxterms import from_ox, memoized, to_ox
from kgbuild.graph.rdf import (
    KB_GRAPH,
    RESOLUTION_GRAPH,
    apply_merges,
    fact_reports,
    kb_within_triples,
    merged_nodes,
    undo_merges,
)
from kgbuild.graph.resolve import FactReport, Merge, merge_reports, mergeable

__all__ = ["DELTA_QUADS", "MERGE_GRAPHS", "kb_links", "merge_graphs_limit", "merge_store_events"]

log = logging.getLogger(__name__)

#: changed quads one merge transaction holds at most (whole articles; one article's delta
#: may pass it alone); ``KGBUILD_STORE_TRANSACTION_QUADS`` overrides it, as for writes
DELTA_QUADS = 20_000

#: articles one merge transaction rewrites at most; the environment variable
#: ``KGBUILD_STORE_MERGE_GRAPHS`` overrides it (1: one article per transaction)
MERGE_GRAPHS = 250

OxTriple = tuple[Any, Any, Any]
Triple = tuple[Node, Node, Node]

_RESOLUTION = ox.NamedNode(str(RESOLUTION_GRAPH))
_KB = ox.NamedNode(str(KB_GRAPH))
_TYPE = ox.NamedNode(str(RDF.type))
_ARTICLE = ox.NamedNode(str(KG.article))
_SAME_AS = ox.NamedNode(str(OWL.sameAs))
_REPORTED = (ox.NamedNode(str(KG.Event)), ox.NamedNode(str(KG.Agreement)))
_COUNTRY = ox.NamedNode(str(KG.Country))
_LINKS = (ox.NamedNode(str(KG.country)), ox.NamedNode(str(KG.within)))
_ENTITY_CLASSES = (ox.NamedNode(str(KG.Actor)), ox.NamedNode(str(KG.Place)))
#: what :func:`kgbuild.graph.rdf.fact_reports` and :func:`kgbuild.graph.rdf.undo_merges`
#: read of an event or agreement
_REPORT_PREDICATES = frozenset(ox.NamedNode(str(p)) for p in (
    RDF.type, KG.agent, KG.target, KG.place, KG.date, KG.timeText, KG.name, RDFS.label))


def merge_graphs_limit() -> int:
    """Articles per merge transaction: :data:`MERGE_GRAPHS`, or ``KGBUILD_STORE_MERGE_GRAPHS``."""
    value = os.environ.get("KGBUILD_STORE_MERGE_GRAPHS", "")
    try:
        return max(1, int(value)) if value else MERGE_GRAPHS
    except ValueError:
        from kgbuild.core.errors import ConfigError

        raise ConfigError("KGBUILD_STORE_MERGE_GRAPHS must be a whole number", input=value,
                          fix="set it to a number of articles, e.g. 250, or unset it") from None


# --------------------------------------------------------------------------- reading


def article_nodes(store: Any) -> list[tuple[str, str, str]]:
    """(graph IRI, article id, article node IRI) of every article graph, sorted."""
    out: list[tuple[str, str, str]] = []
    article, file_name = KG.Article, KG.fileName
    for row in store.query(
            f"SELECT ?g ?a ?f WHERE {{ GRAPH ?g {{ ?a a <{article}> ; <{file_name}> ?f }} }}"):
        if row["g"] not in (_KB, _RESOLUTION):
            out.append((row["g"].value, row["f"].value, row["a"].value))
    out.sort()
    return out


def _records(store: Any, article: str) -> list[OxTriple]:
    """The article's records in the resolution graph: every triple of each record node
    linked to it by ``kg:article``."""
    out: dict[OxTriple, None] = {}
    for link in store.quads_for_pattern(None, _ARTICLE, ox.NamedNode(article), _RESOLUTION):
        for q in store.quads_for_pattern(link.subject, None, None, _RESOLUTION):
            out[(q.subject, q.predicate, q.object)] = None
    return list(out)


def _report_triples(store: Any, graph: Any) -> list[OxTriple]:
    """The triples of an article graph that the merge rules read: the types, participants,
    times, names and labels of its events and agreements, its countries, its "within"
    links, and which of its nodes are countries."""
    out: dict[OxTriple, None] = {}
    for cls in _REPORTED:
        for typed in store.quads_for_pattern(None, _TYPE, cls, graph):
            for q in store.quads_for_pattern(typed.subject, None, None, graph):
                if q.predicate in _REPORT_PREDICATES:
                    out[(q.subject, q.predicate, q.object)] = None
    for predicate in _LINKS:
        for q in store.quads_for_pattern(None, predicate, None, graph):
            out[(q.subject, q.predicate, q.object)] = None
    for q in store.quads_for_pattern(None, _TYPE, _COUNTRY, graph):
        out[(q.subject, q.predicate, q.object)] = None
    return list(out)


def _touching(store: Any, graph: Any, nodes: Iterable[URIRef]) -> list[OxTriple]:
    """The triples of ``graph`` with one of ``nodes`` as subject or object."""
    out: dict[OxTriple, None] = {}
    for node in nodes:
        term = ox.NamedNode(str(node))
        for q in store.quads_for_pattern(term, None, None, graph):
            out[(q.subject, q.predicate, q.object)] = None
        for q in store.quads_for_pattern(None, None, term, graph):
            out[(q.subject, q.predicate, q.object)] = None
    return list(out)


def _rdf(triples: Sequence[OxTriple]) -> dict[Triple, OxTriple]:
    """rdflib triples -> the stored triples they were read from (deletions name the stored
    terms, whatever rdflib makes of a literal)."""
    term = memoized(from_ox)
    return {(term(s), term(p), term(o)): (s, p, o) for s, p, o in triples}


_EMPTY: frozenset[Any] = frozenset()


class _Compact:
    """Interns the strings and sets of reports: thousands of reports name the same
    entities, places and kinds."""

    def __init__(self) -> None:
        self.sets: dict[frozenset[Any], frozenset[Any]] = {}

    def _set(self, items: frozenset[Any]) -> frozenset[Any]:
        if not items:
            return _EMPTY  # (each frozenset() call makes a new one)
        items = frozenset(tuple(map(_intern, i)) if isinstance(i, tuple) else _intern(i)
                          for i in items)
        return self.sets.setdefault(items, items)

    def report(self, r: FactReport) -> FactReport:
        return FactReport(
            _intern(r.article_id), _intern(r.key), _intern(r.kind),
            agents=self._set(r.agents), agent_sides=self._set(r.agent_sides),
            targets=self._set(r.targets), target_sides=self._set(r.target_sides),
            places=self._set(r.places), within=self._set(r.within),
            date=_intern(r.date), time_text=_intern(r.time_text), name=_intern(r.name))


def _intern(text: Any) -> Any:
    return sys.intern(str(text)) if text is not None else None


def _reports(store: Any, articles: Sequence[tuple[str, str, str]],
             within: Mapping[str, Sequence[str]]) -> list[FactReport]:
    """The reports of every article, each read from its own graph (restored from its
    records), article by article."""
    compact = _Compact()
    out: list[FactReport] = []
    for graph, aid, article in articles:
        triples = _report_triples(store, ox.NamedNode(graph))
        if not triples:
            continue
        own = undo_merges(list(_rdf(triples)), list(_rdf(_records(store, article))))  # type: ignore[arg-type]
        # only the reports the rules may link (kept as interned strings)
        out.extend(compact.report(r) for r in fact_reports(aid, own, within)  # type: ignore[arg-type]
                   if mergeable(r))
    return out


# --------------------------------------------------------------------------- deltas


class _Delta:
    """What one article's merges change: triples out of and into its graph and the
    resolution graph."""

    __slots__ = ("added", "added_records", "graph", "removed", "removed_records")

    def __init__(self, graph: str) -> None:
        self.graph = graph
        self.removed: list[OxTriple] = []
        self.added: list[OxTriple] = []
        self.removed_records: list[OxTriple] = []
        self.added_records: list[OxTriple] = []

    def __len__(self) -> int:
        return (len(self.removed) + len(self.added) + len(self.removed_records)
                + len(self.added_records))


def _delta(store: Any, graph: str, aid: str, article: str, merges: Sequence[Merge]
           ) -> _Delta | None:
    """The change ``merges`` (the article's whole share of the decision) make to an
    article's graph and records, or None when there is none."""
    stored_records = _records(store, article)
    if not merges and not stored_records:
        return None  # nothing merged now nor before: the graph is the article's own
    records = _rdf(stored_records)
    nodes = merged_nodes(merges)
    nodes.update(s for s, _p, _o in records if isinstance(s, URIRef))
    nodes.update(o for _s, p, o in records if p == OWL.sameAs and isinstance(o, URIRef))
    # every triple undo_merges and apply_merges change touches one of these nodes, and
    # they see all the triples of each node they change: the rest of the graph stays
    stored = _rdf(_touching(store, ox.NamedNode(graph), nodes))
    own = undo_merges(list(stored), list(records))  # type: ignore[arg-type]
    wanted, wanted_records = apply_merges(aid, own, merges)  # type: ignore[arg-type]
    delta = _Delta(graph)
    _diff(stored, wanted, delta.removed, delta.added)
    _diff(records, wanted_records, delta.removed_records, delta.added_records)  # type: ignore[arg-type]
    return delta if len(delta) else None


def _diff(stored: Mapping[Triple, OxTriple], wanted: Iterable[Triple],
          removed: list[OxTriple], added: list[OxTriple]) -> None:
    keep = set(wanted)
    removed.extend(t for r, t in stored.items() if r not in keep)
    added.extend((to_ox(s), to_ox(p), to_ox(o)) for s, p, o in keep if (s, p, o) not in stored)


def _nt(triple: OxTriple) -> str:
    s, p, o = triple
    return f"{s} {p} {o}"


def _update(deltas: Sequence[_Delta], orphans: Sequence[OxTriple] = ()) -> str:
    """One SPARQL update that applies ``deltas`` (and removes ``orphans``, records of no
    article in the store) to the graphs, the resolution graph and the union."""
    removed_records = [t for d in deltas for t in d.removed_records] + list(orphans)
    added_records = [t for d in deltas for t in d.added_records]
    out_blocks = [f"GRAPH {ox.NamedNode(d.graph)} {{\n" + "".join(
        f"{_nt(t)} .\n" for t in d.removed) + "}" for d in deltas if d.removed]
    in_blocks = [f"GRAPH {ox.NamedNode(d.graph)} {{\n" + "".join(
        f"{_nt(t)} .\n" for t in d.added) + "}" for d in deltas if d.added]
    if removed_records:
        out_blocks.append(f"GRAPH {_RESOLUTION} {{\n"
                          + "".join(f"{_nt(t)} .\n" for t in removed_records) + "}")
    if added_records:
        in_blocks.append(f"GRAPH {_RESOLUTION} {{\n"
                         + "".join(f"{_nt(t)} .\n" for t in added_records) + "}")
    gone = dict.fromkeys([t for d in deltas for t in d.removed] + removed_records)
    came = dict.fromkeys([t for d in deltas for t in d.added] + added_records)
    ops: list[str] = []
    if out_blocks:
        ops.append("DELETE DATA {\n" + "\n".join(out_blocks) + "\n}")
    if gone:
        # after the graphs lost them: out of the union, those no graph holds any more
        rows = "".join(f"({_nt(t)})\n" for t in gone)
        ops.append("DELETE { ?s ?p ?o } WHERE { VALUES (?s ?p ?o) {\n" + rows
                   + "} FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
    if in_blocks:
        ops.append("INSERT DATA {\n" + "".join(f"{_nt(t)} .\n" for t in came)
                   + "\n".join(in_blocks) + "\n}")
    return " ;\n".join(ops)


def _orphan_records(store: Any, articles: set[str]) -> list[OxTriple]:
    """Triples of the resolution graph on record nodes linked to no article in the store
    (their article was pruned, or a build killed long ago left them)."""
    out: list[OxTriple] = []
    last: Any = None
    orphan = False
    for q in store.quads_for_pattern(None, None, None, _RESOLUTION):
        if q.subject != last:
            last = q.subject
            orphan = not any(link.object.value in articles for link in store.quads_for_pattern(
                q.subject, _ARTICLE, None, _RESOLUTION))
        if orphan:
            out.append((q.subject, q.predicate, q.object))
    return out


# --------------------------------------------------------------------------- the whole step


def merge_store_events(store: Any, within: Mapping[str, Sequence[str]], *,
                       write: Callable[[str, int, int], None],
                       quads: int = DELTA_QUADS, graphs: int | None = None) -> dict[str, str]:
    """Merge the reports of the same events across every article of ``store``.

    Args:
        store: the open ``pyoxigraph.Store``.
        within: the knowledge base's "lies within" links (:func:`kgbuild.graph.rdf.kb_within`).
        write: runs one SPARQL update (all or nothing), given its text, the number of
            articles it rewrites and of quads it changes.
        quads: about how many changed quads one update holds (whole articles).
        graphs: at most this many articles per update (default :func:`merge_graphs_limit`).

    Returns:
        The IRI of each article-level event report now folded into another event's IRI
        -> that IRI.
    """
    graphs = graphs or merge_graphs_limit()
    articles = article_nodes(store)
    merges = merge_reports(_reports(store, articles, within))
    by_article: dict[str, list[Merge]] = {}
    renamed: dict[str, str] = {}
    for m in merges.values():
        by_article.setdefault(m.article_id, []).append(m)
        if m.key != m.into:
            renamed[str(KGR[m.key])] = str(KGR[m.into])
    del merges
    batch: list[_Delta] = []
    size = 0
    rewritten = 0
    for graph, aid, article in articles:
        delta = _delta(store, graph, aid, article, by_article.pop(aid, ()))
        if delta is None:
            continue
        batch.append(delta)
        size += len(delta)
        if size >= quads or len(batch) >= graphs:
            write(_update(batch), len(batch), size)
            rewritten += len(batch)
            batch, size = [], 0
    if batch:
        write(_update(batch), len(batch), size)
        rewritten += len(batch)
    orphans = _orphan_records(store, {article for _g, _a, article in articles})
    for start in range(0, len(orphans), quads):
        part = orphans[start:start + quads]
        write(_update((), part), 0, len(part))
    log.debug("merged events: rewrote %d article graph(s), removed %d orphan record "
              "triple(s)", rewritten, len(orphans))
    return renamed


def kb_links(store: Any, kb: Any, within: Mapping[str, Sequence[str]]) -> list[Triple]:
    """The knowledge base's "within" links between entities that any articles of the
    store hold (:func:`kgbuild.graph.rdf.kb_within_triples`): only the places the
    knowledge base links are looked up, not every entity of the store."""
    candidates = {URIRef(str(KGR) + key) for key in within}
    candidates.update(URIRef(str(KGR) + o) for outer in within.values() for o in outer)
    present = {node for node in candidates if _present(store, node)}
    return kb_within_triples(kb, present)  # type: ignore[arg-type]


def _present(store: Any, node: URIRef) -> bool:
    """An article graph types ``node`` an actor or a place (the union holds what they do)."""
    term = ox.NamedNode(str(node))
    return any(next(iter(store.quads_for_pattern(term, _TYPE, cls, ox.DefaultGraph())), None)
               is not None for cls in _ENTITY_CLASSES)
