"""What an agreement mention's sentence says of it: its date, place, brokers and parties.

The slots of :mod:`kgbuild.extractors.agreements` (its docstring says what each reads),
read from the mention's phrase and from the verbs of signing that govern it, with the
participial adjuncts of those verbs ("Meeting in Geneva on Friday, X signed ...").  A
party or broker is named by the side it stands for (:func:`_party_key`).
"""

from __future__ import annotations

import re

from spacy.tokens import Span, Token

from kgbuild.extractors.common import (
    coordinated_owner_countries,
    is_both_sides,
    two_main_sides,
)
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.tree import children, conjuncts, subtree
from kgbuild.nlp import lexicon as lx
from kgbuild.nlp.timex import normalize_time


def _of_object(tok: Token) -> Token | None:
    for c in children(tok):
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in children(c):
                if p.dep_ == "pobj":
                    return p
    return None


def _circumstances(verbs: list[Token]) -> list[Token]:
    """The verbs of signing and their participial adjuncts without a subject of their
    own ("Meeting in Geneva on Friday, X signed ...", "..., meeting at the crossing"):
    where and when they say the signing happened."""
    out = list(verbs)
    for v in verbs:
        for c in children(v):
            if (
                (c.dep_ == "advcl" or _misparsed_adjunct(c))
                and not any(k.dep_.startswith("nsubj") for k in children(c))
                and c.lemma_.lower() not in lx.SIGNING_VERBS
            ):
                out.append(c)
    return out


def _misparsed_adjunct(tok: Token) -> bool:
    """ "Meeting in Geneva on Friday, X and Y signed ...": a participle the parser took
    for a second subject of the verb."""
    if tok.dep_ != "nsubj":
        return False
    others = [c for c in children(tok.head) if c.dep_ == "nsubj" and c.i != tok.i]
    return tok.tag_ == "VBG" or (
        bool(others) and tok.i < others[0].i and tok.lower_.endswith("ing")
    )


def _ent_at(ctx: ArticleContext, tok: Token) -> object | None:
    return next((e for e in ctx.ents if e.start <= tok.i < e.end), None)


def _date(ctx: ArticleContext, tok: Token, verbs: list[Token]) -> str | None:
    """The agreement's date: in its own phrase ("the 2020 ceasefire", "signed in November
    2020"); on a verb of signing ("signed ... on 28 July"), resolved against the
    publication date."""
    published = ctx.article.published
    own = [t for t in subtree(tok) if t.ent_type_ == "DATE"]
    for t in own:
        ent = _ent_at(ctx, t)
        if ent is None:
            continue
        iso = normalize_time(ent.text, None)  # type: ignore[attr-defined]
        if iso is None:
            # "on Friday": only when it dates the signing itself
            root = ent.root  # type: ignore[attr-defined]
            head = root.head.head if root.head.dep_ == "prep" else root.head
            if head.lemma_.lower() not in lx.SIGNING_VERBS:
                continue
            iso = normalize_time(ent.text, published)  # type: ignore[attr-defined]
        if iso:
            return iso
    for v in _circumstances(verbs):
        for c in children(v):
            if c.dep_ not in ("prep", "npadvmod"):
                continue
            for t in (c, *subtree(c)):
                if t.ent_type_ == "DATE":
                    ent = _ent_at(ctx, t)
                    text = ent.text if ent is not None else t.text  # type: ignore[attr-defined]
                elif t.lower_ in lx.WEEKDAYS:
                    text = t.text  # a weekday the model did not tag
                else:
                    continue
                iso = normalize_time(text, published)
                if iso:
                    return iso
    for c in tok.lefts:
        if re.fullmatch(r"(19|20)\d\d", c.text):
            return c.text
    return None


def _place(ctx: ArticleContext, tok: Token, verbs: list[Token]) -> str | None:
    """Where it was signed: "in/at X" on a verb of signing, or on the mention when a
    verb of signing governs it and X is a settlement ("signed a ceasefire in Doha")."""

    def place_of(prep: Token, *, settlement_only: bool) -> str | None:
        # "at the UN post in Naqoura": the first named place inside the phrase
        for p in subtree(prep):
            if p.i == prep.i or p.dep_ != "pobj":
                continue
            ref = ctx.ref_for(p)
            if ref is None:
                continue
            info = ctx.entities.get(ref.key)
            if info is None or not info.is_place:
                continue
            # "Place": a place the knowledge base does not know, of no finer kind
            if settlement_only and info.kind not in ("Settlement", "Facility", "Place"):
                continue
            return ref.key
        return None

    for v in _circumstances(verbs):
        loose = v.lemma_.lower() in lx.SIGNING_VERBS_LOOSE_PLACE or v not in verbs
        for c in children(v):
            if c.dep_ == "prep" and c.lower_ in ("in", "at"):
                key = place_of(c, settlement_only=loose)
                if key:
                    return key
    if verbs:
        # "signed a ceasefire in Doha", "an agreement on the border at the UN post in
        # Naqoura": a settlement inside the agreement's own phrase
        clauses = {t.i for c in children(tok) if c.dep_ in ("relcl", "acl") for t in subtree(c)}
        for c in subtree(tok):
            if c.i not in clauses and c.dep_ == "prep" and c.lower_ in ("in", "at"):
                key = place_of(c, settlement_only=True)
                if key:
                    return key
    return None


def _party_key(ctx: ArticleContext, key: str) -> str:
    """An agreement's party or broker: a person as named, a government body or force by
    the country it stands for, any other actor as itself."""
    info = ctx.entities.get(key)
    if info is not None and info.kind == "Person":
        return key
    return ctx.side_of(key) or key


def _brokers(ctx: ArticleContext, tok: Token) -> list[str]:
    """ "X-brokered", "brokered/mediated/hosted by X", "under the auspices of X", "under
    Qatari mediation", "with Norway as facilitator", in the mention's sentence."""
    return _brokers_in(ctx, ctx.sent(tok))


def _brokers_in(ctx: ArticleContext, sent: Span) -> list[str]:
    out: list[str] = []
    tokens = ctx.tokens

    def add(ref_tok: Token) -> None:
        for r in ctx.conjuncts_refs(ref_tok):
            r2 = ctx.acting(r)
            if r2 is None:
                continue
            key = _party_key(ctx, r2.key)
            if key not in out:
                out.append(key)

    for s in tokens[sent.start : sent.end]:
        low = s.lower_
        if low in lx.BROKER_ROLES and s.dep_ == "pobj" and s.head.lower_ == "as":
            # "with Cuba and Norway as guarantors", "..., with Norway as facilitator"
            holder = s.head.head
            if holder.dep_ == "pobj" and holder.head.lower_ == "with":
                add(holder)
            elif holder.pos_ in ("VERB", "AUX"):
                for c in children(holder):
                    if c.dep_ == "prep" and c.lower_ == "with":
                        for o in children(c):
                            if o.dep_ == "pobj":
                                add(o)
            continue
        if low in lx.BROKER_WORDS:
            if s.i >= 2 and tokens[s.i - 1].text in ("-", "\u2010", "\u2011"):
                ref = ctx.ref_at(tokens[s.i - 2])
                if ref is not None:
                    add(tokens[ref.head])
            for p in children(s):
                if p.dep_ == "agent" or (p.dep_ == "prep" and p.lower_ == "by"):
                    for o in children(p):
                        if o.dep_ == "pobj":
                            add(o)
        elif low in lx.BROKER_NOUNS:
            for p in children(s):
                if p.dep_ == "prep" and p.lower_ in ("of", "by"):
                    for o in children(p):
                        if o.dep_ == "pobj":
                            add(o)
                elif p.dep_ in ("amod", "compound", "poss", "nmod") and ctx.ref_at(p):
                    add(p)  # "under Qatari mediation"
    return out


def _subject_parties(
    ctx: ArticleContext, verb: Token, *, brokers: tuple[str, ...] = ()
) -> list[str]:
    """The sides that make an agreement: the verb's subject and its conjuncts ("the two
    sides": the article's two main sides other than the brokers)."""
    def subject(v: Token) -> Token | None:
        # not a participle the parser took for a subject ("Meeting in Geneva, X signed")
        subjects = [c for c in children(v) if c.dep_ == "nsubj" and not _misparsed_adjunct(c)]
        return subjects[0] if subjects else None

    subj = subject(verb)
    v = verb
    while subj is None and v.dep_ in ("conj", "xcomp") and v.head.i != v.i:
        v = v.head
        subj = subject(v)
    if subj is None:
        return []
    if is_both_sides(subj):
        return two_main_sides(ctx, exclude=brokers)
    return _actor_parties(ctx, subj)


def _actor_parties(ctx: ArticleContext, head: Token) -> list[str]:
    """The sides a noun phrase names: "Thailand and Cambodia", "the presidents of Rwanda
    and the DRC", "the Kyrgyz and Tajik security services"."""
    out: list[str] = []

    def add(key: str) -> None:
        if key not in out:
            out.append(key)

    for t in (head, *conjuncts(head)):
        refs = ctx.conjuncts_refs(t)
        of = _of_object(t)
        if of is not None and (not refs or ctx.ref_at(t) is None):
            refs = ctx.conjuncts_refs(of)  # "delegations of A and B"
        for r in refs:
            r2 = ctx.acting(r)
            if r2 is not None:
                add(_party_key(ctx, r2.key))
        for c in coordinated_owner_countries(ctx, t):
            add(c)
    return out


def _agent_parties(ctx: ArticleContext, verb: Token) -> list[str]:
    """The by-agents of a passive verb of signing ("was signed by X and Y")."""
    out: list[str] = []
    if verb.lemma_.lower() in ("broker", "mediate") or not any(
        c.dep_ in ("auxpass", "nsubjpass") for c in children(verb)
    ):
        return out
    for c in children(verb):
        if c.dep_ == "agent":
            for o in children(c):
                if o.dep_ != "pobj":
                    continue
                for key in _actor_parties(ctx, o):
                    if key not in out:
                        out.append(key)
    return out


def _between_parties(ctx: ArticleContext, tok: Token) -> list[str]:
    out: list[str] = []
    for c in subtree(tok):
        if c.dep_ == "prep" and c.lower_ == "between" and c.head.dep_ not in ("relcl",):
            for o in children(c):
                for r in ctx.conjuncts_refs(o):
                    side = ctx.side_of(r.key) or r.key
                    if side not in out:
                        out.append(side)
    return out
