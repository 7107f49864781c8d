"""Resolution across articles: one node per entity, event and agreement, stable keys.

- Entities already carry deterministic keys (KB key, or kind + normalised name), so the
  same entity in two articles is one node; labels come from the KB, else from the
  canonical form the extractor composed.
- Events, statements, claims and posts get keys from a hash of their article and
  evidence offsets, so the same input always gives the same IRIs.
- Events reported in several articles are merged when they are of the same family,
  their agents' sides overlap, and their dates do not disagree; each event merges with
  at most one event of another article, and never across kinds' families.
- Agreements of one kind and year are one agreement.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

from .extractors.context import ArticleContext, EntityInfo
from .extractors.events import FAMILIES, merge_events
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
from .names import slugify

__all__ = ["ArticleResult", "Resolved", "resolve", "summarize_article"]


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
    """The whole corpus after resolution."""

    articles: list[ArticleResult]
    entities: dict[str, EntityInfo] = field(default_factory=dict)
    event_alias: dict[str, str] = field(default_factory=dict)  # event key -> surviving key
    events: dict[str, Event] = field(default_factory=dict)  # merged, by key
    agreements: dict[str, Agreement] = field(default_factory=dict)  # merged, by key
    owner: dict[str, str] = field(
        default_factory=dict
    )  # fact key -> article writing its attributes


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


def _sides(entities: dict[str, EntityInfo], keys: tuple[str, ...]) -> set[str]:
    """The countries the actors stand for; actors of no known country are left out."""
    out = set()
    for k in keys:
        info = entities.get(k)
        if info is None:
            continue
        if info.kind == "Country":
            out.add(k)
        elif info.country:
            out.add(info.country)
    return out


def _same_event(entities: dict[str, EntityInfo], a: Event, b: Event) -> bool:
    """Two reports of one event: same family, no disagreement on the agents' side, the
    targets' side or the date, and positive agreement: the agents' side, or else (an
    agent of unknown country) the targets' side together with the same day."""
    if FAMILIES.get(a.kind, a.kind) != FAMILIES.get(b.kind, b.kind):
        return False
    if not a.agents or not b.agents:
        return False
    sa, sb = _sides(entities, a.agents), _sides(entities, b.agents)
    if sa and sb and not (sa & sb):
        return False
    ta, tb = _sides(entities, a.targets), _sides(entities, b.targets)
    if ta and tb and not (ta & tb):
        return False
    if a.date and b.date and not (a.date.startswith(b.date) or b.date.startswith(a.date)):
        return False
    ma, mb = _month_day(a), _month_day(b)
    if ma and mb and ma != mb:
        return False
    if sa & sb:
        return True
    return bool(ta & tb) and ma is not None and ma == mb


def _month_day(e: Event) -> str | None:
    from datetime import date as _d

    from .timex import normalize_time

    value = e.date or (normalize_time(e.time_text, _d(2000, 12, 31)) if e.time_text else None)
    return value[5:] if value and len(value) == 10 else None


def _time_agrees(a: Event, b: Event) -> int:
    """1 when both events carry a day and it is the same month and day."""
    ma, mb = _month_day(a), _month_day(b)
    return int(ma is not None and ma == mb)


def resolve(results: list[ArticleResult]) -> Resolved:
    """Merge entities and cross-article events; returns the corpus view."""
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
    # cross-article events: greedy, in article order, one partner per article; among
    # candidates prefer the one whose time agrees, then the same kind, then a named one
    survivors: list[tuple[str, Event]] = []
    for r in results:
        taken: set[str] = set()
        for e in r.events:
            best: tuple[tuple[int, int, int], int] | None = None
            for j, (aid, s) in enumerate(survivors):
                if aid == r.article_id or s.key in taken or not _same_event(res.entities, s, e):
                    continue
                rank = (_time_agrees(s, e), int(s.kind == e.kind), int(bool(s.name or e.name)))
                if best is None or rank > best[0]:
                    best = (rank, j)
            if best is None:
                survivors.append((r.article_id, e))
                continue
            aid, s = survivors[best[1]]
            taken.add(s.key)
            res.event_alias[e.key] = s.key
            survivors[best[1]] = (aid, merge_events(s, e))
    for r in results:
        for i, e in enumerate(r.events):
            target = res.event_alias.get(e.key)
            if target:
                r.events[i] = replace(e, key=target)
        for _lst_name in ("statements",):
            for i, s in enumerate(r.statements):
                r.statements[i] = replace(
                    s, about=tuple(res.event_alias.get(k, k) for k in s.about)
                )
        for i, c in enumerate(r.claims):
            if c.about:
                r.claims[i] = replace(c, about=res.event_alias.get(c.about, c.about))
        for i, g in enumerate(r.agreements):
            r.agreements[i] = replace(
                g, provides=tuple(res.event_alias.get(k, k) for k in g.provides)
            )
    for r in results:
        for e in r.events:
            cur = res.events.get(e.key)
            res.events[e.key] = e if cur is None else merge_events(cur, e)
            res.owner.setdefault(e.key, r.article_id)
        for g in r.agreements:
            cur_g = res.agreements.get(g.key)
            if cur_g is None:
                res.agreements[g.key] = g
            else:
                date = max([d for d in (cur_g.date, g.date) if d], key=len, default=None)
                res.agreements[g.key] = replace(
                    cur_g,
                    date=date,
                    brokers=tuple(dict.fromkeys([*cur_g.brokers, *g.brokers])),
                    parties=tuple(dict.fromkeys([*cur_g.parties, *g.parties])),
                    provides=tuple(dict.fromkeys([*cur_g.provides, *g.provides])),
                    place=cur_g.place or g.place,
                    provisions=tuple(dict.fromkeys([*cur_g.provisions, *g.provisions])),
                )
            res.owner.setdefault(g.key, r.article_id)
    return res
