"""agreements.v1: ceasefires, treaties and deals, with date, broker, parties, provisions.

An agreement noun of :data:`kgbuild.lexicon.AGREEMENT_NOUNS` ("ceasefire", "truce",
"treaty", "deal" ...) is an agreement mention.  Its date comes from a year modifier
("the 2020 ceasefire") or a time phrase attached to it ("signed in November 2020"); its
broker from "X-brokered"/"brokered by X"/"mediated by X"; its parties from "between X
and Y", and otherwise from the statements about it: the sides accused of violating it,
the accusers, and the sides called on to respect it.  "an agreement that deployed X"
records the deployment as a provision.  All mentions of the same kind with compatible
dates in one article are one agreement.
"""

from __future__ import annotations

import re

from spacy.tokens import Token

from .. import lexicon as lx
from ..model import Agreement
from ..timex import normalize_time
from .common import hypothetical
from .context import ArticleContext
from .events import event_at

NAME = "agreements.v1"


_SIGNING = {"sign", "conclude", "reach", "agree", "broker", "seal", "strike", "adopt", "mediate"}


def _date(ctx: ArticleContext, tok: Token) -> str | None:
    """The agreement's date: in its own phrase ("the 2020 ceasefire", "signed in
    November 2020"); a day-relative date only under a verb of signing."""
    for t in tok.subtree:
        if t.ent_type_ == "DATE":
            ent = next((e for e in tok.doc.ents if e.start <= t.i < e.end), None)
            if ent is None:
                continue
            iso = normalize_time(ent.text, None)
            if iso is None:
                # "on Friday": only when it dates the signing itself
                head = ent.root.head.head if ent.root.head.dep_ == "prep" else ent.root.head
                if head.lemma_.lower() not in _SIGNING:
                    continue
                iso = normalize_time(ent.text, ctx.article.published)
            elif len(iso) == 10 and ctx.article.published is None:
                pass
            if iso:
                return iso
    for c in tok.lefts:
        if re.fullmatch(r"(19|20)\d\d", c.text):
            return c.text
    return None


def _brokers(ctx: ArticleContext, tok: Token) -> list[str]:
    out: list[str] = []
    doc = tok.doc
    for t in tok.lefts:
        for s in t.subtree:
            if (
                s.lower_ in ("brokered", "mediated", "backed")
                and s.i >= 2
                and doc[s.i - 1].text == "-"
            ):
                ref = ctx.ref_at(doc[s.i - 2])
                if ref is not None:
                    out.append(ref.key)
    for c in tok.children:
        if c.lower_ in ("brokered", "mediated"):
            for p in c.children:
                if p.dep_ == "agent" or p.lower_ == "by":
                    for o in p.children:
                        ref = ctx.ref_for(o)
                        if ref is not None:
                            out.append(ref.key)
    return out


def _parties(ctx: ArticleContext, tok: Token) -> list[str]:
    """ "between X and Y" in the agreement's phrase; the subjects of a verb of signing
    whose object it is ("X and Y signed a ceasefire")."""
    out: list[str] = []
    for c in tok.subtree:
        if c.dep_ == "prep" and c.lower_ == "between" and c.head.dep_ not in ("relcl",):
            for o in c.children:
                for r in ctx.conjuncts_refs(o):
                    side = ctx.side_of(r.key) or r.key
                    if side not in out:
                        out.append(side)
    if tok.dep_ == "dobj" and tok.head.lemma_.lower() in _SIGNING:
        subj = next((c for c in tok.head.children if c.dep_ == "nsubj"), None)
        if subj is not None:
            for r in ctx.conjuncts_refs(subj):
                side = ctx.side_of(r.key) or r.key
                if side not in out:
                    out.append(side)
    return out


def _link_violations(
    ctx: ArticleContext, found: list[tuple[Token, Agreement]], merged: list[Agreement]
) -> None:
    """A ceasefire violation whose object names an agreement (or refers back to the one
    just mentioned with "it") violates that agreement."""
    from dataclasses import replace as _replace

    if not merged:
        return
    positions = sorted((tok.i, ag.key) for tok, ag in found)
    alias = {
        ag.key: m.key
        for ag in (a for _, a in found)
        for m in merged
        if m.kind == ag.kind and (not m.date or not ag.date or m.date[:4] == ag.date[:4])
    }
    tokens = getattr(ctx, "event_tokens", {})
    aliases = getattr(ctx, "event_aliases", {})
    for i, ev in enumerate(ctx.out.events):
        if ev.kind != "CeasefireViolation":
            continue
        trig = [t for k, t in tokens.items() if aliases.get(k, k) == ev.key]
        if not trig:
            continue
        before = [key for pos, key in positions if pos <= max(trig) + 6]
        if before:
            target = alias.get(before[-1], before[-1])
            ctx.out.events[i] = _replace(ev, violates=(*ev.violates, target))


def extract(ctx: ArticleContext) -> None:
    found: list[tuple[Token, Agreement]] = []
    for tok in ctx.doc:
        kind = lx.AGREEMENT_NOUNS.get(tok.lower_) or lx.AGREEMENT_NOUNS.get(tok.lemma_.lower())
        if kind is None or tok.pos_ not in ("NOUN", "PROPN"):
            continue
        # "ceasefire agreement": one mention, headed by "agreement"
        if tok.dep_ == "compound" and (lx.AGREEMENT_NOUNS.get(tok.head.lower_) is not None):
            continue
        if kind == "agreement":
            for c in tok.lefts:
                if c.dep_ == "compound" and c.lower_ in lx.AGREEMENT_NOUNS:
                    kind = lx.AGREEMENT_NOUNS[c.lower_]
        if kind == "agreement" and not any(
            c.lower_ in ("peace", "ceasefire", "truce") for c in tok.lefts
        ):
            continue  # "agreement" alone is too often not a treaty
        ev = ctx.span_evidence(tok.sent, NAME)
        if ctx.excluded(ev.begin, ev.end) or ctx.in_headline(tok):
            continue
        indefinite = not any(
            c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an") for c in tok.children
        )
        if indefinite and hypothetical(tok) and _date(ctx, tok) is None:
            continue  # "called for an immediate ceasefire": wished, not (yet) agreed
        provides = []
        for c in tok.children:
            if c.dep_ == "relcl":
                for v in (c, *c.conjuncts):
                    k = event_at(ctx, v)
                    if k:
                        provides.append(k)
        found.append(
            (
                tok,
                Agreement(
                    key=ctx.next_id("g"),
                    evidence=ev,
                    label="",
                    kind=kind,
                    date=_date(ctx, tok),
                    brokers=tuple(_brokers(ctx, tok)),
                    parties=tuple(_parties(ctx, tok)),
                    provides=tuple(provides),
                ),
            )
        )
    merged: list[Agreement] = []
    extra = getattr(ctx, "extra_evidence", {})
    for _tok, ag in found:
        target = None
        for i, m in enumerate(merged):
            if m.kind == ag.kind and (not m.date or not ag.date or m.date[:4] == ag.date[:4]):
                target = i
                break
        if target is None:
            merged.append(ag)
            continue
        m = merged[target]
        date = max([d for d in (m.date, ag.date) if d], key=len, default=None)
        merged[target] = Agreement(
            key=m.key,
            evidence=m.evidence,
            label="",
            kind=m.kind,
            date=date,
            brokers=tuple(dict.fromkeys([*m.brokers, *ag.brokers])),
            parties=tuple(dict.fromkeys([*m.parties, *ag.parties])),
            provides=tuple(dict.fromkeys([*m.provides, *ag.provides])),
        )
        extra.setdefault(m.key, []).append(ag.evidence)
    ctx.extra_evidence = extra  # type: ignore[attr-defined]
    ctx.agreement_tokens = {tok.i: ag for tok, ag in found}  # type: ignore[attr-defined]
    _link_violations(ctx, found, merged)
    # parties from statements about the agreement: accused violators, accusers, addressees
    sent_of = {}
    for ag in merged:
        parties = list(ag.parties)
        if not parties:
            for st in ctx.out.statements:
                mentions = [t for t, a in found if st.evidence.begin <= t.idx < st.evidence.end]
                if not mentions:
                    continue
                if st.stance in ("Accusation", "Appeal"):
                    for k in (st.speaker if st.stance == "Accusation" else None, *st.addressees):
                        side = ctx.side_of(k) if k else None
                        if (
                            side
                            and ctx.entities.get(side)
                            and ctx.entities[side].kind == "Country"
                            and side not in parties
                        ):
                            parties.append(side)
        label = (
            f"{ag.date[:4] + ' ' if ag.date else ''}{ag.kind} agreement"
            if ag.kind != "agreement"
            else f"{ag.date[:4] + ' ' if ag.date else ''}agreement"
        )
        ctx.out.agreements.append(
            Agreement(
                key=ag.key,
                evidence=ag.evidence,
                label=label,
                kind=ag.kind,
                date=ag.date,
                brokers=ag.brokers,
                parties=tuple(parties),
                provides=ag.provides,
            )
        )
    del sent_of
