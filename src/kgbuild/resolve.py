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

Nothing here writes another article's facts into an article: :mod:`kgbuild.rdf` writes
each article's graph from that article's records alone, and puts the merges in the
resolution graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .extractors.context import ArticleContext, EntityInfo
from .extractors.events import FAMILIES
from .model import (
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
from .names import match_key, slugify
from .timex import calendar_day

__all__ = [
    "ArticleResult",
    "FactReport",
    "Merge",
    "Resolved",
    "merge_reports",
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
        local[g.key] = (
            f"agreement/{slugify(g.kind)}-{g.date[:4]}"
            if g.date
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
        used.update(a for a in (c.source, c.victim) if a)
    for g in agreements:
        used.update((*g.brokers, *g.parties))
    for r in ctx.out.roles:
        used.update(a for a in (r.person, r.organization) if a)
    for pl in ctx.out.place_links:
        used.update((pl.place, pl.other))
    for k in list(used):
        info = ctx.entities.get(k)
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


def _places_meet(a: FactReport, b: FactReport) -> str | None:
    """How the most precise places of two reports meet: the same place, or one within
    the other; None when they do not ("village A" and "village B" of one district)."""
    fa, fb = a.finest, b.finest
    same = sorted(fa & fb)
    if same:
        return f"the same place ({same[0]})"
    for x, y in ((a, b), (b, a)):
        for outer in sorted(x.finest & y.scope):
            inner = sorted(p for p in y.finest if (p, outer) in y.within)
            return f"one place within the other ({inner[0] if inner else '?'} in {outer})"
    return None


def _conflict(a: FactReport, b: FactReport) -> bool:
    """Evidence that two reports cannot be of one event."""
    if a.article_id == b.article_id or a.family != b.family:
        return True
    if a.agent_sides and b.agent_sides and not a.agent_sides & b.agent_sides:
        return True
    if a.target_sides and b.target_sides and not a.target_sides & b.target_sides:
        return True
    if a.name and b.name and a.name_key != b.name_key:
        return True
    ya, yb = a.year, b.year
    if ya is not None and yb is not None and ya != yb:
        return True
    if a.date and b.date and not (a.date.startswith(b.date) or b.date.startswith(a.date)):
        return True
    da, db = a.day, b.day
    if da is not None and db is not None and da[1:] != db[1:]:
        return True
    named = a.name is not None and a.name_key == b.name_key
    return bool(a.places and b.places and not named and _places_meet(a, b) is None)


def _link(a: FactReport, b: FactReport) -> tuple[int, str] | None:
    """Positive evidence that two reports tell one event, ranked (lower is stronger),
    with the reason; None when the evidence does not support it."""
    if _conflict(a, b):
        return None
    if a.name and a.name_key == b.name_key:
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

    # candidate pairs: reports of one family and one name, or on one calendar day with
    # an agent or a target (or their side) in common; nothing else can link
    buckets: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for ident, r in events.items():
        day = r.day
        if day is not None:
            tokens = {f"a:{t}" for t in r.agents | r.agent_sides}
            tokens |= {f"t:{t}" for t in r.targets | r.target_sides}
            for token in sorted(tokens):
                buckets.setdefault(("day", r.family, str(day[1]), str(day[2]), token),
                                   []).append(ident)
        if r.name_key:
            buckets.setdefault(("name", r.family, r.name_key), []).append(ident)
    edges: set[tuple[int, tuple[str, str], tuple[str, str], str]] = set()
    tried: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    for idents in buckets.values():
        idents.sort()
        for i, x in enumerate(idents):
            for y in idents[i + 1:]:
                if (x, y) in tried:
                    continue
                tried.add((x, y))
                link = _link(events[x], events[y])
                if link is not None:
                    edges.add((link[0], x, y, link[1]))
    parent: dict[tuple[str, str], tuple[str, str]] = {}
    members: dict[tuple[str, str], list[tuple[str, str]]] = {}
    reasons: dict[tuple[str, str], list[str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for _rank, x, y, reason in sorted(edges):
        rx, ry = find(x), find(y)
        if rx == ry:
            continue
        mx, my = members.get(rx, [rx]), members.get(ry, [ry])
        if any(_conflict(events[p], events[q]) for p in mx for q in my):
            continue
        root, other = min(rx, ry), max(rx, ry)
        parent[other] = root
        members[root] = sorted(mx + my)
        members.pop(other, None)
        reasons.setdefault(x, []).append(f"{reason}; with {y[1]} of {y[0]}")
        reasons.setdefault(y, []).append(f"{reason}; with {x[1]} of {x[0]}")
    for group in members.values():
        owner = min((events[i] for i in group), key=_owner_rank)
        for ident in group:
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
