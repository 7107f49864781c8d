"""agreements.v2: ceasefires, treaties and deals, with date, place, brokers, parties and
provisions.

Mentions: a noun of :data:`kgbuild.nlp.lexicon.AGREEMENT_NOUNS` ("ceasefire", "truce",
"treaty", "accord", "pact", "deal" ...) or a two-word name of
:data:`~kgbuild.nlp.lexicon.AGREEMENT_PHRASES` ("memorandum of understanding", "cessation of
hostilities").  A generic "agreement", "deal" or "accord" counts only with a modifier of
:data:`~kgbuild.nlp.lexicon.AGREEMENT_MODIFIERS` ("peace deal"), a verb of signing, a broker,
parties, or as a definite mention of one already told ("under the agreement").  An
indefinite agreement that is only wished for ("called for a ceasefire") is none.

Slots, read from the mention's phrase and from the verbs of signing
(:data:`~kgbuild.nlp.lexicon.SIGNING_VERBS`) that govern it ("signed a ceasefire", "agreed to
a truce", "an agreement reached in X"); the date, place, brokers and the parties the
sentence names are read by :mod:`~kgbuild.extractors.agreement_slots`:

- date: a date in its phrase ("the 2020 ceasefire", "signed in November 2020") or on
  the verb of signing ("signed ... on 28 July", normalised against the publication
  date, as precise as the text);
- place: "in/at X" on the verb of signing ("signed in Kuala Lumpur"); a settlement only
  when the verb's "in" may name the scope ("agreed a truce in the east");
- brokers: "X-brokered", "brokered/mediated/hosted by X", "under the auspices of X",
  anywhere in the mention's sentence (by side: a government stands for its country);
- parties: "between X and Y", the subjects of the verbs of signing and of undertaking
  ("Thailand and Cambodia signed", "the two sides agreed": the article's two main
  sides), else the sides that statements accuse of violating it or call on to respect it;
- provisions: the undertakings of "agreed/pledged to ..." (each coordinated infinitive
  one provision, as written), the main clause of "Under the agreement, ...", the object
  of "the deal calls for ...", and "an agreement to ..."; an undertaking joins the
  agreement of its sentence, else the last one told, whose parties made it; two or more
  parties agreeing with no agreement told make one.  Events an agreement brought about
  ("an agreement that deployed X") are its ``provides``.

All mentions of one kind with compatible dates in an article are one agreement, and a
definite mention with nothing of its own ("the agreement", "the truce") is the last one
told.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from spacy.tokens import Token

from kgbuild.core.model import Agreement
from kgbuild.extractors.agreement_slots import (
    _agent_parties,
    _between_parties,
    _brokers,
    _brokers_in,
    _date,
    _of_object,
    _place,
    _subject_parties,
)
from kgbuild.extractors.common import hypothetical
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.events import event_at
from kgbuild.extractors.tree import children, conjuncts, subtree
from kgbuild.nlp import lexicon as lx

NAME = "agreements.v2"

_DEFINITE = {"the", "this", "that", "its", "their"}
_EDGE_PUNCT = {".", ",", ";", ":", "!", "?", "-", "\u2014", "\u2013"}
_MODALS = {"would", "will", "could", "should", "might", "may", "must", "shall", "can"}
_GENERIC = "agreement"


@dataclass
class _Mention:
    """One agreement mention and what its sentence says about it."""

    tok: Token
    kind: str
    date: str | None = None
    place: str | None = None
    brokers: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    provisions: list[str] = field(default_factory=list)
    provides: list[str] = field(default_factory=list)
    anaphor: bool = False  # "the agreement" with nothing of its own
    content_of: int | None = None  # token of the agreement this one is the subject of
    provided: bool = False  # a provision of that agreement ("commits X to a ceasefire")
    weak: bool = False  # a bare generic "the deal": it may only refer to one told before


# --- mentions -----------------------------------------------------------------------------
#: The words an agreement mention is headed by (a noun of the tables below, the head of a
#: phrase or compound, a name's head): any other noun has no kind, whatever its dependents.
_HEAD_WORDS = frozenset(
    (
        *lx.AGREEMENT_NOUNS,
        *(head for head, _ in lx.AGREEMENT_PHRASES),
        *(head for _, head in lx.AGREEMENT_COMPOUNDS),
        *lx.AGREEMENT_NAME_HEADS,
    )
)


def _kind(tok: Token) -> str | None:
    if tok.pos_ not in ("NOUN", "PROPN"):
        return None
    if tok.lower_ not in _HEAD_WORDS and tok.lemma_.lower() not in _HEAD_WORDS:
        return None  # asked of every noun: skip reading the dependents of the others
    kind = lx.AGREEMENT_NOUNS.get(tok.lower_) or lx.AGREEMENT_NOUNS.get(tok.lemma_.lower())
    if kind is None:
        obj = _of_object(tok)
        if obj is not None:
            kind = lx.AGREEMENT_PHRASES.get((tok.lemma_.lower(), obj.lemma_.lower()))
    if kind is None:
        for c in tok.lefts:
            if c.dep_ in ("compound", "amod"):
                kind = lx.AGREEMENT_COMPOUNDS.get((c.lower_, tok.lemma_.lower())) or kind
    if kind is None and _is_name(tok):
        kind = _GENERIC
    if kind is None:
        return None
    # "ceasefire agreement": one mention, headed by "agreement"
    if tok.dep_ == "compound" and _kind(tok.head) is not None:
        return None
    if kind == _GENERIC:
        for c in tok.lefts:
            if c.dep_ in ("compound", "amod") and c.lower_ in lx.AGREEMENT_NOUNS:
                kind = lx.AGREEMENT_NOUNS[c.lower_]
    return kind


def _is_name(tok: Token) -> bool:
    """ "the Stockholm Agreement", "the Minsk Protocol": a capitalised agreement head
    with a proper-noun modifier."""
    return (
        tok.lower_ in lx.AGREEMENT_NAME_HEADS
        and tok.text[:1].isupper()
        and not tok.is_sent_start
        and any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in tok.lefts)
    )


def _signing_verbs(tok: Token) -> list[Token]:
    """The verbs of signing that govern the mention ("signed a ceasefire", "agreed to a
    truce") or that it governs ("a deal brokered by X", "an agreement reached in Y")."""
    out: list[Token] = []
    head = tok.head
    if tok.dep_ in ("dobj", "nsubjpass") and head.lemma_.lower() in lx.SIGNING_VERBS:
        out.append(head)
    if (
        tok.dep_ == "pobj"
        and head.dep_ == "prep"
        and head.lower_ in ("to", "on")
        and head.head.lemma_.lower() in lx.SIGNING_VERBS
    ):
        out.append(head.head)
    for c in children(tok):
        if c.dep_ in ("acl", "relcl") and c.lemma_.lower() in lx.SIGNING_VERBS:
            out.append(c)
    if tok.dep_ == "pobj" and head.lower_ == "under":
        # "Under the agreement, reached after talks ...": a participle of signing
        # that the parser hung on the main verb describes the agreement
        main = head.head
        for c in children(main):
            if (
                c.dep_ == "advcl"
                and c.tag_ == "VBN"
                and c.lemma_.lower() in lx.SIGNING_VERBS
                and c.i > tok.i
                and not any(g.dep_.startswith("nsubj") for g in children(c))
            ):
                out.append(c)
    return out


def _is_definite(tok: Token) -> bool:
    return any(c.dep_ in ("det", "poss") and c.lower_ in _DEFINITE for c in children(tok))


def _content_of(tok: Token) -> int | None:
    """ "a memorandum of understanding on a cessation of hostilities", "signed an
    accord on a truce": the agreement whose subject this mention is."""
    if tok.dep_ != "pobj" or tok.head.lower_ not in ("on", "for", "to"):
        return None
    owner = tok.head.head
    if owner.lemma_.lower() in lx.PROVIDING_VERBS:
        # "the deal commits the groups to a ceasefire", "it provides for a truce"
        subj = next((c for c in children(owner) if c.dep_ == "nsubj"), None)
        if subj is not None and _kind(subj) is not None:
            return subj.i
        if subj is not None and subj.lower_ == "it":
            return -1  # the agreement told before
        return None
    if tok.head.lower_ == "to":
        return None
    if _kind(owner) is not None:
        return owner.i
    if owner.lemma_.lower() in lx.SIGNING_VERBS:
        for c in children(owner):
            if c.dep_ in ("dobj", "nsubjpass") and _kind(c) is not None:
                return c.i
    return None


# --- provisions ---------------------------------------------------------------------------
def _clause_text(verb: Token, *, drop: set[int] | None = None) -> str:
    """A clause as written, without its coordinated clauses, its leading "to" and what
    ``drop`` names (token indices)."""
    doc = verb.doc
    skip = set(drop or ())
    for c in children(verb):
        if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"):
            skip.update(t.i for t in subtree(c))
        if c.dep_ == "cc" and any(
            k.dep_ == "conj" and k.pos_ in ("VERB", "AUX") for k in children(verb)
        ):
            skip.add(c.i)
    toks = [t for t in subtree(verb) if t.i not in skip]
    while toks and (
        (toks[0].dep_ == "aux" and toks[0].lower_ == "to") or toks[0].text in _EDGE_PUNCT
        or toks[0].is_space
    ):
        toks = toks[1:]
    while toks and (toks[-1].text in _EDGE_PUNCT or toks[-1].is_space):
        toks = toks[:-1]
    if not toks:
        return ""
    return doc[toks[0].i : toks[-1].i + 1].text.strip()


def _undertakings(verb: Token) -> list[str]:
    """ "agreed to pull back X and to allow Y": one provision per infinitive."""
    out: list[str] = []
    for c in children(verb):
        if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX"):
            for v in (c, *[k for k in conjuncts(c) if k.i > c.i]):
                text = _clause_text(v)
                if text and text not in out:
                    out.append(text)
    return out


def _negated_or_refused(verb: Token) -> bool:
    if any(c.dep_ == "neg" for c in children(verb)):
        return True
    return hypothetical(verb)


# --- the extractor ------------------------------------------------------------------------
def _mentions(ctx: ArticleContext) -> list[_Mention]:
    found: list[_Mention] = []
    pos_names = ctx.pos_names
    for tok in ctx.tokens:
        if pos_names[tok.i] not in ("NOUN", "PROPN"):
            continue  # _kind gives None (its first test, from the article's arrays)
        kind = _kind(tok)
        if kind is None:
            continue
        ev = ctx.span_evidence(ctx.sent(tok), NAME)
        if ctx.excluded(ev.begin, ev.end) or ctx.in_headline(tok):
            continue
        verbs = _signing_verbs(tok)
        date = _date(ctx, tok, verbs)
        indefinite = not any(
            c.dep_ in ("det", "poss") and c.lower_ not in ("a", "an") for c in children(tok)
        )
        realis = any(
            v.tag_ in ("VBD", "VBN")
            and not any(c.dep_ == "aux" and c.lower_ in _MODALS for c in children(v))
            for v in verbs
        )
        if indefinite and hypothetical(tok) and date is None and not realis:
            continue  # "called for an immediate ceasefire": wished, not (yet) agreed
        if indefinite and any(any(c.dep_ == "neg" for c in children(v)) for v in verbs):
            continue  # "did not agree on a ceasefire"
        m = _Mention(tok, kind, date=date)
        m.place = _place(ctx, tok, verbs)
        m.brokers = _brokers(ctx, tok)
        m.parties = _between_parties(ctx, tok)
        for v in verbs:
            if v.lemma_.lower() in ("broker", "mediate"):
                continue  # the subject of "brokered" is the broker, not a party
            for p in _subject_parties(ctx, v, brokers=tuple(m.brokers)):
                if p not in m.parties and p not in m.brokers:
                    m.parties.append(p)
            for p in _agent_parties(ctx, v):
                # "the deal was signed ... by Sudan, South Sudan and Ethiopia"
                if p not in m.parties and p not in m.brokers:
                    m.parties.append(p)
        m.content_of = _content_of(tok)
        m.provided = m.content_of is not None and tok.head.head.lemma_.lower() in lx.PROVIDING_VERBS
        for c in children(tok):
            if c.dep_ == "relcl":
                for v in (c, *conjuncts(c)):
                    k = event_at(ctx, v)
                    if k:
                        m.provides.append(k)
            if c.dep_ == "acl" and c.tag_ == "VB":
                # "an agreement to withdraw troops"
                text = _clause_text(c)
                if text:
                    m.provisions.append(text)
        m.provisions += _providing(tok)
        if tok.dep_ == "pobj" and tok.head.lower_ in ("on", "to") and verbs:
            # "agreed on a complete ceasefire and the withdrawal of troops"
            for w in conjuncts(tok):
                if w.i > tok.i and _kind(w) is None:
                    m.provisions.append(_phrase_text(w))
        own = bool(
            m.date
            or m.brokers
            or m.parties
            or m.place
            or m.provisions
            or any(c.lower_ in lx.AGREEMENT_MODIFIERS for c in tok.lefts)
        )
        # "the agreement", "the truce", "under the agreement, reached after talks
        # hosted by X": a definite mention with no date of its own is one told before
        m.anaphor = _is_definite(tok) and not m.date
        obj = _of_object(tok)
        named = obj is not None and (tok.lemma_.lower(), obj.lemma_.lower()) in lx.AGREEMENT_PHRASES
        if kind == _GENERIC and not (own or verbs or m.anaphor or named):
            continue  # "agreement" alone is too often not a treaty
        m.weak = kind == _GENERIC and not (own or verbs or named or _is_name(tok))
        found.append(m)
    return found


def _providing(tok: Token) -> list[str]:
    """ "the deal calls for X", "the agreement provides for X", "it commits the groups to
    X": X as written (each coordinated "for"/"to" phrase one provision)."""
    out: list[str] = []
    v = tok.head
    if tok.dep_ != "nsubj" or v.lemma_.lower() not in lx.PROVIDING_VERBS:
        return out
    prep = lx.PROVIDING_VERBS[v.lemma_.lower()]
    preps = [c for c in children(v) if c.dep_ == "prep" and prep and c.lower_ == prep]
    preps += [k for c in preps for k in conjuncts(c) if k.dep_ in ("conj", "prep")]
    for c in preps:
        for o in children(c):
            if o.dep_ in ("pobj", "pcomp"):
                out += [_phrase_text(w) for w in (o, *conjuncts(o))]
    for c in children(v):
        if c.i < v.i or c.lemma_.lower() in lx.SIGNING_VERBS:
            continue  # "X signed a deal in Doha; the deal commits ...": not a provision
        if c.dep_ in ("xcomp", "ccomp") or (c.dep_ == "dobj" and not prep):
            if c.pos_ in ("VERB", "AUX"):
                out.append(_clause_text(c))
            else:
                out += [_phrase_text(w) for w in (c, *conjuncts(c))]
        if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and c.tag_ in ("VB", "VBP"):
            out.append(_clause_text(c))  # "... and to join a national dialogue"
    return [t for t in out if t]


def _phrase_text(tok: Token) -> str:
    """A noun phrase as written, without coordinated phrases after a comma or "and"
    that name a provision of their own."""
    doc = tok.doc
    end = tok.right_edge.i
    for c in children(tok):
        if c.dep_ in ("cc", "conj") and c.i > tok.i:
            end = min(end, c.i - 1)
    while end > tok.i and (doc[end].text in _EDGE_PUNCT or doc[end].is_space):
        end -= 1
    return doc[tok.left_edge.i : end + 1].text


def _undertaking_clauses(
    ctx: ArticleContext, brokers: tuple[str, ...] = ()
) -> list[tuple[Token, list[str], list[str]]]:
    """(verb, provisions, parties) of each "X and Y agreed to ..." and of each "Under
    the agreement, <clause>"."""
    out: list[tuple[Token, list[str], list[str]]] = []
    lowers, lemmas = ctx.lowers, ctx.lemmas
    for tok in ctx.tokens:
        # each branch below needs one of these words
        if lemmas[tok.i] not in lx.PROVISION_VERBS and lowers[tok.i] not in ("it", "under"):
            continue
        if ctx.in_headline(tok):
            continue
        if tok.lemma_.lower() in lx.PROVISION_VERBS and tok.pos_ == "VERB":
            if _negated_or_refused(tok):
                continue
            provisions = _undertakings(tok)
            if provisions:
                out.append((tok, provisions, _subject_parties(ctx, tok, brokers=brokers)))
        elif (
            tok.dep_ == "nsubj"
            and tok.lower_ == "it"
            and tok.head.lemma_.lower() in lx.PROVIDING_VERBS
        ):
            # "It provides for the handover of light weapons": the agreement told before
            provisions = _providing(tok)
            if provisions:
                out.append((tok.head, provisions, []))
        elif (
            tok.lower_ == "under"
            and tok.dep_ == "prep"
            and any(_kind(p) is not None or p.lemma_.lower() == "term" for p in children(tok))
            and tok.head.pos_ in ("VERB", "AUX")
            and tok.head.lemma_.lower() not in lx.PROVISION_VERBS
        ):
            main = tok.head
            drop = {t.i for t in subtree(tok)}
            for c in children(main):
                if c.dep_ == "advcl" and c.tag_ == "VBN" and c.i < main.i:
                    drop.update(t.i for t in subtree(c))  # "reached after talks ..."
            text = _clause_text(main, drop=drop)
            if text:
                out.append((main, [text], _subject_parties(ctx, main, brokers=brokers)))
    return out


def _compatible(a: _Mention | Agreement, b: _Mention) -> bool:
    if a.kind != b.kind and _GENERIC not in (a.kind, b.kind):
        return False
    return not a.date or not b.date or a.date[:4] == b.date[:4]


def _merge(ctx: ArticleContext, found: list[_Mention]) -> tuple[list[_Mention], dict[int, int]]:
    """One agreement per kind and compatible date; a definite mention with nothing of
    its own is the last agreement told.  Returns the merged ones and, per mention
    token, the index of its agreement."""
    merged: list[_Mention] = []
    where: dict[int, int] = {}
    last: int | None = None
    for m in found:
        target = None
        if m.content_of is not None and m.content_of in where:
            target = where[m.content_of]
        elif last is not None and (
            m.content_of == -1 or (m.anaphor and _compatible(merged[last], m))
        ):
            target = last
        else:
            for i, g in enumerate(merged):
                if g.kind == m.kind and _compatible(g, m):
                    target = i
                    break
        if target is None and m.weak:
            continue  # "the deal is worth $2 billion": no agreement told before
        if target is None:
            merged.append(m)
            target = len(merged) - 1
        else:
            g = merged[target]
            if g.kind == _GENERIC and m.kind != _GENERIC and not m.provided:
                g.kind = m.kind
            g.date = max([d for d in (g.date, m.date) if d], key=len, default=None)
            g.place = g.place or m.place
            for attr in ("brokers", "parties", "provisions", "provides"):
                lst = getattr(g, attr)
                for x in getattr(m, attr):
                    if x not in lst:
                        lst.append(x)
        where[m.tok.i] = target
        last = target
    return merged, where


def extract(ctx: ArticleContext) -> None:
    found = _mentions(ctx)
    merged, where = _merge(ctx, found)
    found = [m for m in found if m.tok.i in where]
    # undertakings join the agreement of their sentence, else the last one told whose
    # parties made them; two or more parties agreeing with none told make one
    brokers = tuple(dict.fromkeys(b for g in merged for b in g.brokers))
    for verb, provisions, parties in _undertaking_clauses(ctx, brokers):
        sent = ctx.sent(verb)
        here = [where[m.tok.i] for m in found if sent.start <= m.tok.i < sent.end]
        target: int | None = here[0] if here else None
        if target is None:
            before = [where[m.tok.i] for m in found if m.tok.i < verb.i]
            if before:
                g = merged[before[-1]]
                # not when one known actor, no party of it, agrees to something
                # ("Russia agreed to send peacekeepers")
                if len(parties) != 1 or not g.parties or parties[0] in g.parties:
                    target = before[-1]
        if target is None:
            if len(parties) < 2 or verb.lemma_.lower() != "agree":
                continue
            merged.append(_Mention(verb, _GENERIC))
            target = len(merged) - 1
            found.append(merged[target])
            where[verb.i] = target
        g = merged[target]
        for p in parties:
            if p not in g.parties and p not in g.brokers:
                g.parties.append(p)
        for text in provisions:
            if text not in g.provisions:
                g.provisions.append(text)
    # "The talks were facilitated by X and Y." after the agreement: its brokers
    for sent in ctx.sents:
        if any(sent.start <= m.tok.i < sent.end for m in found) or ctx.in_headline(
            ctx.tokens[sent.start]
        ):
            continue
        talks = any(
            t.lower_ in lx.BROKER_WORDS
            and any(
                c.dep_ == "nsubjpass" and c.lemma_.lower() in lx.NEGOTIATION_NOUNS
                for c in children(t)
            )
            for t in ctx.tokens[sent.start : sent.end]
        )
        before = [where[m.tok.i] for m in found if m.tok.i < sent.start]
        if talks and before:
            g = merged[before[-1]]
            for b in _brokers_in(ctx, sent):
                if b not in g.brokers and b not in g.parties:
                    g.brokers.append(b)
    records: list[Agreement] = []
    extra = getattr(ctx, "extra_evidence", {})
    for g in merged:
        key = ctx.next_id("g")
        records.append(
            Agreement(
                key=key,
                evidence=ctx.span_evidence(ctx.sent(g.tok), NAME),
                label="",
                kind=g.kind,
                date=g.date,
                brokers=tuple(g.brokers),
                parties=tuple(g.parties),
                provides=tuple(g.provides),
                place=g.place,
                provisions=tuple(g.provisions),
            )
        )
    for m in found:
        rec = records[where[m.tok.i]]
        ev = ctx.span_evidence(ctx.sent(m.tok), NAME)
        if ev != rec.evidence and ev not in extra.get(rec.key, []):
            extra.setdefault(rec.key, []).append(ev)
    ctx.extra_evidence = extra  # type: ignore[attr-defined]
    by_tok = {m.tok.i: records[where[m.tok.i]] for m in found}
    ctx.agreement_tokens = by_tok  # type: ignore[attr-defined]
    _link_violations(ctx, by_tok)
    for ag in records:
        parties = list(ag.parties)
        if not parties:
            parties = _parties_from_statements(ctx, ag, by_tok)
        year = ag.date[:4] + " " if ag.date else ""
        label = f"{year}{ag.kind} agreement" if ag.kind != _GENERIC else f"{year}agreement"
        ctx.out.agreements.append(replace(ag, label=label, parties=tuple(parties)))


def _parties_from_statements(
    ctx: ArticleContext, ag: Agreement, by_tok: dict[int, Agreement]
) -> list[str]:
    """Parties from statements about the agreement: accused violators, accusers and
    the sides called on to respect it (countries only)."""
    parties: list[str] = []
    for st in ctx.out.statements:
        mentions = [
            i for i, a in by_tok.items() if a.key == ag.key
            and st.evidence.begin <= ctx.doc[i].idx < st.evidence.end
        ]
        if not mentions or st.stance not in ("Accusation", "Appeal"):
            continue
        for k in (st.speaker if st.stance == "Accusation" else None, *st.addressees):
            side = ctx.side_of(k) if k else None
            if (
                side
                and ctx.entities.get(side)
                and ctx.entities[side].kind == "Country"
                and side not in parties
                and side not in ag.brokers  # a broker reporting violations is no party
            ):
                parties.append(side)
    return parties


def _link_violations(ctx: ArticleContext, by_tok: dict[int, Agreement]) -> None:
    """A ceasefire violation whose object names an agreement (or refers back to the one
    just mentioned with "it") violates that agreement."""
    if not by_tok:
        return
    positions = sorted((i, ag.key) for i, ag in by_tok.items())
    tokens = getattr(ctx, "event_tokens", {})
    aliases = getattr(ctx, "event_aliases", {})
    for i, ev in enumerate(ctx.out.events):
        if ev.kind != "CeasefireViolation":
            continue
        trig = [t for k, t in tokens.items() if aliases.get(k, k) == ev.key]
        if not trig:
            continue
        before = [key for pos, key in positions if pos <= max(trig) + 6]
        if before and before[-1] not in ev.violates:
            ctx.out.events[i] = replace(ev, violates=(*ev.violates, before[-1]))
