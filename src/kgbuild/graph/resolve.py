"""Resolution across articles: one node per entity, event and agreement, stable keys.

- Entities already carry deterministic keys (KB key, or kind + normalised name), so the
  same entity in two articles is one node; labels come from the KB, else from the
  canonical form the extractor composed.
- Events, statements, claims and posts get keys from a hash of their article and
  evidence offsets, so the same input always gives the same IRIs.
- Agreements of one kind and year are one agreement (their key says so).
- Events reported in several articles are merged by :func:`merge_reports`, from
  evidence alone (see its docstring for the rules).  It reads :class:`FactReport`
  records, one per article-level event, whichever way they were obtained (from the
  extractors' records, or read back from a store), and its answer depends only on the
  set of reports: not on their order, nor on how a build was cut into chunks.

Nothing here writes another article's facts into an article: :mod:`kgbuild.graph.rdf` writes
each article's graph from that article's records alone, and puts the merges in the
resolution graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from kgbuild.core.model import (
    Agreement,
    CasualtyClaim,
    Contradiction,
    Event,
    Evidence,
    Mention,
    PlaceLink,
    Role,
    Statement,
)
from kgbuild.core.names import match_key, slugify
from kgbuild.extractors.context import ArticleContext, EntityInfo
from kgbuild.extractors.event_vocabulary import FAMILIES
from kgbuild.nlp.timex import calendar_day

__all__ = [
    "ArticleResult",
    "FactReport",
    "Merge",
    "Resolved",
    "merge_reports",
    "mergeable",
    "resolve",
    "summarize_article",
]


@dataclass
class ArticleResult:
    """What one article contributes, with article-independent keys."""

    article_id: str
    entities: dict[str, EntityInfo]
    mentions: list[Mention]
    events: list[Event]
    statements: list[Statement]
    claims: list[CasualtyClaim]
    agreements: list[Agreement]
    roles: list[Role]
    place_links: list[PlaceLink]
    contradictions: list[Contradiction]
    evidence: dict[str, list[Evidence]]  # fact key -> extra evidence
    #: the article's own named graph, when the process that extracted it also wrote it
    #: (:func:`kgbuild.graph.rdf.article_graph`; it depends on this article alone)
    graph: list[tuple[Any, Any, Any]] | None = None
    #: the event and agreement reports read back from ``graph``
    #: (:func:`kgbuild.graph.rdf.fact_reports`), when they were read as it was written
    reports: list[Any] | None = None


@dataclass
class Resolved:
    """The whole corpus after entity resolution: each article's records, and the
    entities of all articles (what the knowledge-base graph describes)."""

    articles: list[ArticleResult]
    entities: dict[str, EntityInfo] = field(default_factory=dict)


def _h(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def summarize_article(ctx: ArticleContext) -> ArticleResult:
    """Give the article's facts global, deterministic keys."""
    aid = ctx.article.id
    local: dict[str, str] = {}
    aliases = getattr(ctx, "event_aliases", {})
    for e in ctx.out.events:
        local[e.key] = f"event/{_h(aid, e.evidence.begin, e.evidence.end, e.trigger, e.kind)}"
    for k, v in aliases.items():
        if v in local:
            local[k] = local[v]
    for s in ctx.out.statements:
        local[s.key] = f"statement/{_h(aid, s.evidence.begin, s.verb, s.stance, s.speaker)}"
    for c in ctx.out.claims:
        local[c.key] = (
            f"claim/{_h(aid, c.evidence.begin, c.outcome, c.count, c.qualifier, c.victim)}"
        )
    for g in ctx.out.agreements:
        # one agreement across articles: the same kind, year and parties ("the 2020
        # ceasefire between A and B"); without a year or parties the report stands alone
        parties = sorted({k.rsplit("/", 1)[-1] for k in g.parties})
        local[g.key] = (
            f"agreement/{slugify(g.kind)}-{g.date[:4]}-{'-'.join(parties)}"
            if g.date and parties
            else f"agreement/{slugify(g.kind)}-{_h(aid, g.evidence.begin)}"
        )

    def m(k: str | None) -> str | None:
        return local.get(k, k) if k else k

    def ms(ks: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(local.get(k, k) for k in ks))

    events = [
        replace(e, key=local[e.key], responds_to=m(e.responds_to), violates=ms(e.violates))
        for e in ctx.out.events
    ]
    statements = [replace(s, key=local[s.key], about=ms(s.about)) for s in ctx.out.statements]
    claims = [
        replace(c, key=local[c.key], about=m(c.about), statement=m(c.statement))
        for c in ctx.out.claims
    ]
    agreements = [replace(g, key=local[g.key], provides=ms(g.provides)) for g in ctx.out.agreements]
    contradictions = [
        Contradiction(local.get(c.a, c.a), local.get(c.b, c.b), c.topic)
        for c in ctx.out.contradictions
    ]
    evidence = {local.get(k, k): v for k, v in getattr(ctx, "extra_evidence", {}).items()}
    used = {mm.key for mm in ctx.out.mentions}
    for e in events:
        used.update(e.agents, e.targets, e.places)
    for s in statements:
        used.update(a for a in (s.speaker, *s.addressees) if a)
    for c in claims:
        used.update(a for a in (c.source, c.victim, c.victim_side) if a)
    for g in agreements:
        used.update((*g.brokers, *g.parties, *([g.place] if g.place else [])))
    for r in ctx.out.roles:
        used.update(a for a in (r.person, r.organization) if a)
    for pl in ctx.out.place_links:
        used.update((pl.place, pl.other))
    mentioned = {m.key for m in ctx.out.mentions}
    for k in list(used):
        info = ctx.entities.get(k)
        if info is not None and info.country and info.country not in mentioned:
            # "police" in a report that names only Nairobi: the label says whose police,
            # but a country the article never names has no evidence to stand on here
            info.country = None
        # a body's or a force's country is part of what it is; a person's nationality
        # is not what the article says about them, so it is not pulled in
        if info is not None and info.country and info.kind != "Person":
            used.add(info.country)
            if info.country not in ctx.entities:
                # the country of a known body, never named itself: take it from the KB
                kb_ent = ctx.kb.entities.get(info.country)
                if kb_ent is not None:
                    ctx.entities[info.country] = EntityInfo(
                        kb_ent.key,
                        kb_ent.kind,
                        kb_ent.label,
                        is_actor=kb_ent.is_actor,
                        is_place=kb_ent.is_place,
                    )
                else:
                    info.country = None
    entities = {k: v for k, v in ctx.entities.items() if k in used}
    return ArticleResult(
        aid,
        entities,
        list(ctx.out.mentions),
        events,
        statements,
        claims,
        agreements,
        list(ctx.out.roles),
        list(ctx.out.place_links),
        contradictions,
        evidence,
    )


def resolve(results: list[ArticleResult]) -> Resolved:
    """Gather the entities of all articles (one record per key) for the knowledge-base
    graph and the counts; each article's own records are left as they are."""
    results = sorted(results, key=lambda r: r.article_id)
    res = Resolved(results)
    for r in results:
        for k, info in sorted(r.entities.items()):
            cur = res.entities.get(k)
            if cur is None:
                res.entities[k] = EntityInfo(
                    k,
                    info.kind,
                    info.label,
                    set(info.alt_labels),
                    info.country,
                    info.is_actor,
                    info.is_place,
                )
            else:
                cur.alt_labels |= info.alt_labels
                cur.country = cur.country or info.country
    return res


# --------------------------------------------------------------------------- merging


@dataclass(frozen=True, slots=True)
class FactReport:
    """One article's report of an event or an agreement, as the merge rules read it.

    ``key`` is the article-level key (for an agreement, its shared key); entity keys
    are plain keys; ``agent_sides``/``target_sides`` are the countries the article
    gives its agents and targets; ``within`` pairs each place with every place it lies
    within (knowledge base, and the article's own "within" links), transitively.
    """

    article_id: str
    key: str
    kind: str  # an event kind, or "Agreement"
    agents: frozenset[str] = frozenset()
    agent_sides: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    target_sides: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    within: frozenset[tuple[str, str]] = frozenset()
    date: str | None = None  # ISO 8601, as precise as the article resolved it
    time_text: str | None = None
    name: str | None = None

    @property
    def family(self) -> str:
        return FAMILIES.get(self.kind, self.kind)

    @property
    def day(self) -> tuple[int | None, int, int] | None:
        """The calendar day: from a resolved full date, else from a date written out
        in the time expression (year unknown); a bare weekday gives none."""
        if self.date and len(self.date) == 10:
            return int(self.date[:4]), int(self.date[5:7]), int(self.date[8:10])
        return calendar_day(self.time_text) if self.time_text else None

    @property
    def year(self) -> int | None:
        if self.date:
            return int(self.date[:4])
        day = self.day
        return day[0] if day else None

    @property
    def ident(self) -> tuple[str, str]:
        return self.article_id, self.key

    @property
    def name_key(self) -> str | None:
        return match_key(self.name) if self.name else None

    @property
    def finest(self) -> frozenset[str]:
        """The most precise places: those no other place of the report lies within."""
        outer = {o for p, o in self.within if p in self.places}
        return self.places - outer

    @property
    def scope(self) -> frozenset[str]:
        """The places and everything they lie within."""
        return self.places | {o for p, o in self.within if p in self.places}


@dataclass(frozen=True, slots=True)
class Merge:
    """One article-level record folded into a node several articles share.

    ``into`` is the key of the shared node.  The ``owner`` record's article keeps the
    node's single-valued attributes (label, time, date, name); the others state only
    their own participants, kinds and mentions, and their single-valued attributes go
    to the resolution graph with ``reason``.
    """

    article_id: str
    key: str
    into: str
    owner: bool
    reason: str


@dataclass(frozen=True, slots=True)
class _Sig:
    """What the merge rules read of a report, computed once (reports of one article or
    of many may share it: the rules compare these, then the articles)."""

    family: str
    agents: frozenset[str]
    agent_sides: frozenset[str]
    targets: frozenset[str]
    target_sides: frozenset[str]
    places: frozenset[str]
    finest: frozenset[str]
    scope: frozenset[str]
    within: frozenset[tuple[str, str]]
    day: tuple[int | None, int, int] | None
    year: int | None
    date: str | None
    name_key: str | None


def _sig(r: FactReport) -> _Sig:
    return _Sig(r.family, r.agents, r.agent_sides, r.targets, r.target_sides, r.places,
                r.finest, r.scope, r.within, r.day, r.year, r.date, r.name_key)


def _places_meet(a: _Sig, b: _Sig) -> str | None:
    """How the most precise places of two reports meet: the same place, or one within
    the other; None when they do not ("village A" and "village B" of one district)."""
    same = sorted(a.finest & b.finest)
    if same:
        return f"the same place ({same[0]})"
    for x, y in ((a, b), (b, a)):
        for outer in sorted(x.finest & y.scope):
            inner = sorted(p for p in y.finest if (p, outer) in y.within)
            return f"one place within the other ({inner[0] if inner else '?'} in {outer})"
    return None


def _conflict(a: _Sig, b: _Sig) -> bool:
    """Evidence that two reports (of different articles) cannot be of one event."""
    if a.family != b.family:
        return True
    if a.agent_sides and b.agent_sides and not a.agent_sides & b.agent_sides:
        return True
    if a.target_sides and b.target_sides and not a.target_sides & b.target_sides:
        return True
    if a.name_key and b.name_key and a.name_key != b.name_key:
        return True
    if a.year is not None and b.year is not None and a.year != b.year:
        return True
    if a.date and b.date and not (a.date.startswith(b.date) or b.date.startswith(a.date)):
        return True
    if a.day is not None and b.day is not None and a.day[1:] != b.day[1:]:
        return True
    named = a.name_key is not None and a.name_key == b.name_key
    return bool(a.places and b.places and not named and _places_meet(a, b) is None)


def _link(a: _Sig, b: _Sig) -> tuple[int, str] | None:
    """Positive evidence that two reports (of different articles) tell one event,
    ranked (lower is stronger), with the reason; None when the evidence does not
    support it."""
    if _conflict(a, b):
        return None
    if a.name_key and a.name_key == b.name_key:
        return 0, f"the same family ({a.family}) and the same name ({a.name_key})"
    da, db = a.day, b.day
    if da is None or db is None:
        return None  # undated, or a weekday no publication date anchors
    agents = sorted(a.agents & b.agents) or sorted(a.agent_sides & b.agent_sides)
    targets = sorted(a.targets & b.targets) or sorted(a.target_sides & b.target_sides)
    if not agents and not targets:
        return None  # agents merely compatible (a side unknown) say nothing by themselves
    reason = [f"the same family ({a.family})", f"the same day (--{da[1]:02d}-{da[2]:02d})"]
    reason.append(f"agents on the same side ({agents[0]})" if agents
                  else "agents of no known side")
    if a.places and b.places:
        meet = _places_meet(a, b)
        if meet is None:  # pragma: no cover - _conflict rules it out
            return None
        reason.append(meet)
        rank = 1 if meet.startswith("the same") else 2
    else:
        if not targets:
            return None
        reason.append("no place to compare")
        rank = 3
    if targets and (not agents or rank == 3):
        reason.append(f"targets on the same side ({targets[0]})")
    if not agents:
        rank += 3
    return rank, ", ".join(reason)


def _owner_rank(r: FactReport) -> tuple[int, int, str, str]:
    """The report whose article keeps the shared node's attributes: the most precise
    date, then a name, then the first article."""
    precision = 0 if r.date and len(r.date) == 10 else 1 if r.day else 2 if r.date else 3
    return precision, 0 if r.name else 1, r.article_id, r.key


def mergeable(report: FactReport) -> bool:
    """Whether :func:`merge_reports` may fold ``report`` into a group: an agreement always
    (another article may share its key), an event only with a calendar day or a name.

    The rules link nothing else, so leaving the other reports out changes no merge (a
    store that decides over many articles keeps only these in memory).

    >>> mergeable(FactReport("a.txt", "event/1", "Attack"))
    False
    >>> mergeable(FactReport("a.txt", "event/1", "Attack", date="2021-03-04"))
    True
    """
    return report.kind == "Agreement" or report.day is not None or bool(report.name_key)


def merge_reports(reports: Iterable[FactReport]) -> dict[tuple[str, str], Merge]:
    """Decide which article-level reports tell the same event or agreement.

    Two event reports of different articles are linked when the evidence supports it:
    the same family of kinds, and either the same name (a named operation), or the same
    calendar day (a resolved date, or a date written out; a weekday that no publication
    date anchors is no day, and an undated event links to nothing), agents in common
    or on the same side (or, when an agent's side is unknown, targets in common or on
    the same side), and the same place or one within the other (when either has no
    place, targets in common or on the same side).  Links are taken strongest
    first; two groups join only when no pair across them conflicts (two reports of one
    article, different sides, years, days or unrelated places), so a chain of
    reports never glues two different events together.  Agreements share a node by
    their key already; they are grouped so that one article keeps their attributes.

    The answer depends only on the set of reports, never on their order.

    Returns:
        A :class:`Merge` for every report in a group of two or more, by
        ``(article_id, key)``.
    """
    events: dict[tuple[str, str], FactReport] = {}
    agreements: dict[str, list[FactReport]] = {}
    for r in reports:
        if r.kind == "Agreement":
            agreements.setdefault(r.key, []).append(r)
        else:
            events[r.ident] = r
    out: dict[tuple[str, str], Merge] = {}
    sigs = {ident: _sig(r) for ident, r in events.items()}
    links: dict[tuple[_Sig, _Sig], tuple[int, str] | None] = {}
    conflicts: dict[tuple[_Sig, _Sig], bool] = {}

    def link(a: _Sig, b: _Sig) -> tuple[int, str] | None:
        if (a, b) not in links:
            links[(a, b)] = _link(a, b)
        return links[(a, b)]

    def conflict(a: _Sig, b: _Sig) -> bool:
        if (a, b) not in conflicts:
            conflicts[(a, b)] = conflicts[(b, a)] = _conflict(a, b)
        return conflicts[(a, b)]

    # candidate pairs: reports of one family and one name, or on one calendar day with
    # an agent or a target (or their side) in common; nothing else can link
    buckets: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for ident in events:
        sig = sigs[ident]
        if sig.day is not None:
            tokens = {f"a:{t}" for t in sig.agents | sig.agent_sides}
            tokens |= {f"t:{t}" for t in sig.targets | sig.target_sides}
            for token in sorted(tokens):
                buckets.setdefault(("day", sig.family, str(sig.day[1]), str(sig.day[2]), token),
                                   []).append(ident)
        if sig.name_key:
            buckets.setdefault(("name", sig.family, sig.name_key), []).append(ident)
    edges: set[tuple[int, tuple[str, str], tuple[str, str], str]] = set()

    def add(x: tuple[str, str], y: tuple[str, str], found: tuple[int, str]) -> None:
        a, b = min(x, y), max(x, y)
        edges.add((found[0], a, b, found[1]))

    for bucket, idents in buckets.items():
        # reports that read alike are one class: a chain links its members (each to the
        # nearest earlier one of another article), and one link joins two classes, so
        # a bucket of thousands of like reports stays linear
        classes: dict[_Sig, list[tuple[str, str]]] = {}
        for ident in sorted(idents):
            classes.setdefault(sigs[ident], []).append(ident)
        order = sorted(classes, key=lambda c: classes[c][0])
        by_finest: dict[str, list[_Sig]] = {}
        by_scope: dict[str, list[_Sig]] = {}
        for c in order:
            for place in c.finest:
                by_finest.setdefault(place, []).append(c)
            for place in c.scope:
                by_scope.setdefault(place, []).append(c)
        placeless = [c for c in order if not c.places]
        for c in order:
            members = classes[c]
            found = link(c, c)
            if found is not None:
                for i in range(1, len(members)):
                    prev = next((m for m in reversed(members[:i]) if m[0] != members[i][0]),
                                None)
                    if prev is not None:
                        add(prev, members[i], found)
            if c.places and bucket[0] == "day":
                # on a day, the places must meet: one's most precise place in the other's scope
                others = {o for place in c.scope for o in by_finest.get(place, ())}
                others.update(o for place in c.finest for o in by_scope.get(place, ()))
                others.update(placeless)
            else:
                others = set(order)
            for o in others:
                if classes[o][0] <= members[0]:
                    continue  # each pair of classes once, from its first class
                found = link(c, o)
                if found is None:
                    continue
                # one link between the classes: the chains carry it to their members
                pair = next(((x, y) for x in members for y in classes[o] if x[0] != y[0]),
                            None)
                if pair is not None:
                    add(*pair, found)
    parent: dict[tuple[str, str], tuple[str, str]] = {}
    groups: dict[tuple[str, str], tuple[list[tuple[str, str]], set[str], set[_Sig]]] = {}
    reasons: dict[tuple[str, str], list[str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for _rank, x, y, reason in sorted(edges):
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        gx = groups.get(rx) or ([rx], {rx[0]}, {sigs[rx]})
        gy = groups.get(ry) or ([ry], {ry[0]}, {sigs[ry]})
        if gx[1] & gy[1] or any(conflict(p, q) for p in gx[2] for q in gy[2]):
            continue  # two reports of one article, or a pair that cannot be one event
        root, other = min(rx, ry), max(rx, ry)
        parent[other] = root
        groups[root] = (gx[0] + gy[0], gx[1] | gy[1], gx[2] | gy[2])
        groups.pop(other, None)
        reasons.setdefault(x, []).append(f"{reason}; with {y[1]} of {y[0]}")
        reasons.setdefault(y, []).append(f"{reason}; with {x[1]} of {x[0]}")
    for group, _articles, _sigs in groups.values():
        owner = min((events[i] for i in group), key=_owner_rank)
        for ident in sorted(group):
            out[ident] = Merge(ident[0], ident[1], owner.key, ident == owner.ident,
                               " | ".join(sorted(reasons.get(ident, []))))
    for key, group in agreements.items():
        if len({r.article_id for r in group}) < 2:
            continue
        owner = min(group, key=lambda r: (-len(r.date or ""), r.article_id))
        for r in group:
            out[r.ident] = Merge(r.article_id, key, key, r.article_id == owner.article_id,
                                 f"the same kind and year ({key})")
    return out
