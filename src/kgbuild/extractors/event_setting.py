"""Where, when and on whose word an event happened: its places, time and source.

Step 3 of :mod:`kgbuild.extractors.events`, after the participants.  Places are the
place references of the event's clause, innermost first ("near Z, R": both, and Z
within R); the time is the clause's own time expression or the date that opens its
sentence or paragraph; the source is "according to X" or the subject of a reporting or
recording verb the event is told under.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from kgbuild.extractors.common import governing_verb, subject_of, time_phrase
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.event_participants import _Roles
from kgbuild.extractors.event_syntax import pruned_subtree
from kgbuild.extractors.event_triggers import _Match
from kgbuild.extractors.event_vocabulary import _in_word_list, _lem
from kgbuild.extractors.tree import children, subtree
from kgbuild.nlp import lexicon as lx
from kgbuild.nlp.timex import normalize_time

_LOCATIVE = {
    "in",
    "near",
    "at",
    "outside",
    "inside",
    "around",
    "along",
    "across",
    "between",
    "within",
    "into",
    "on",
    "off",
    "from",
    "towards",
    "toward",
    "through",
}


def _places(ctx: ArticleContext, m: _Match, roles: _Roles, sent_events: list[int]) -> list[str]:
    """Place references of the event's clause, innermost first."""
    tok = m.head
    verb = governing_verb(tok) if tok.pos_ != "VERB" else tok
    toks: list[Token] = []
    if m.rule.pos == "noun":
        toks.extend(pruned_subtree(tok, keep_places=ctx))
        if verb is not None and tok.dep_ in ("dobj", "conj", "nsubj", "nsubjpass"):
            toks.extend(
                t
                for c in children(verb)
                if c.dep_ in ("prep", "npadvmod", "advmod") and tok not in subtree(c)
                for t in pruned_subtree(c, keep_places=ctx)
            )
    else:
        toks.extend(
            t
            for c in children(tok)
            if c.dep_ in ("prep", "dobj", "advmod", "npadvmod", "nsubjpass", "agent", "oprd")
            for t in pruned_subtree(c, keep_places=ctx)
        )
    for t in m.tokens:
        if t.i != tok.i:
            toks.extend(pruned_subtree(t, keep_places=ctx))
    out = list(roles.place_refs)
    for key in _place_refs(ctx, toks):
        if key not in out:
            out.append(key)
    if not out and verb is not None:
        # "positions stationed in X opened fire": where the agent is
        subj = subject_of(verb)
        if subj is not None:
            for c in children(subj):
                if c.dep_ == "acl":
                    out = _place_refs(ctx, pruned_subtree(c, keep_places=ctx))
    if not out and len(sent_events) == 1:
        # the one event of its sentence: "in Z" anywhere in it
        locs = [
            t
            for p in ctx.sent_tokens(tok)
            if p.dep_ == "prep" and p.lower_ in _LOCATIVE
            for c in children(p)
            if c.dep_ == "pobj"
            for t in pruned_subtree(c, keep_places=ctx)
        ]
        out = _place_refs(ctx, locs)
    return out


def _place_refs(ctx: ArticleContext, toks: list[Token]) -> list[str]:
    out: list[str] = []
    for t in toks:
        ref = ctx.ref_at(t)
        if ref is None or ref.head != t.i:
            continue
        info = ctx.entities.get(ref.key)
        if info is not None and info.is_place and info.kind != "Country" and ref.key not in out:
            out.append(ref.key)
    return out


def _within_links(ctx: ArticleContext, places: list[str], sent: Span) -> list[tuple[str, str]]:
    """ "near Z, R": Z lies within R, for places of the event written "Z, R"."""
    links: list[tuple[str, str]] = []
    if not places:
        return links
    by_key = {r.key: r for r in ctx.refs_in(sent.start, sent.end) if r.key in places}
    for r in by_key.values():
        nxt = r.end
        if nxt + 1 < len(ctx.doc) and ctx.doc[nxt].text == ",":
            after = ctx.ref_at(ctx.doc[nxt + 1])
            if (
                after is not None
                and after.key != r.key
                and after.start == nxt + 1
                and after.key in places
            ):
                links.append((r.key, after.key))
    return links


def _source(ctx: ArticleContext, tok: Token) -> str | None:
    """Who reports the event: "according to X", or the subject of a reporting or
    recording verb the event is the object or complement of."""
    # the article's Tokens and lower-cased words (iterating the Span makes new Tokens)
    lowers = ctx.lowers
    for t in ctx.sent_tokens(tok):
        if lowers[t.i] == "according" and t.i + 1 < len(tok.doc) and lowers[t.i + 1] == "to":
            for p in tok.doc[t.i + 1].children:
                if p.dep_ == "pobj":
                    ref = ctx.ref_for(p)
                    if ref is not None and ctx.entities[ref.key].is_actor:
                        return ref.key
    t = tok
    for _ in range(6):
        if t.head.i == t.i:
            break
        up = t.head
        if (
            up.pos_ == "VERB"
            and (_lem(up) in lx.REPORTING_VERBS or _in_word_list(up, "record"))
            and t.dep_ in ("dobj", "ccomp", "nsubjpass", "xcomp", "conj", "pobj")
        ):
            subj = next((c for c in children(up) if c.dep_ == "nsubj"), None)
            if subj is not None:
                ref = ctx.ref_for(subj)
                if ref is not None and ctx.entities[ref.key].is_actor:
                    acting = ctx.acting(ref)
                    return acting.key if acting is not None else ref.key
            return None
        t = up
    return None


def _time(ctx: ArticleContext, tok: Token) -> tuple[str | None, str | None]:
    """The event's time expression and ISO value: the clause's own, or the date that
    opens its sentence when that is more precise ("On 9 February 2021, the army said it
    had taken over several rebel bases during an operation launched in late January")."""
    tp = time_phrase(ctx, tok)
    text = tp.text if tp is not None else None
    iso = normalize_time(text, ctx.article.published) if text else None
    opening = _sentence_opening(ctx, ctx.sent(tok))
    if opening is not None:
        o_iso = normalize_time(opening.text, ctx.article.published)
        inside = tp is not None and opening.start <= tp.start and tp.end <= opening.end
        if o_iso and (iso is None or len(o_iso) > len(iso) or inside):
            return opening.text, o_iso  # "Between 3 and 5 May 2021, ...": the whole range
    return text, iso


def _sentence_opening(ctx: ArticleContext, sent: Span) -> Span | None:
    """A date that opens ``sent`` ("On 12 March 2019, ...", "Between 3 and 5 May 2021,")."""
    if not len(sent) or sent[0].lower_ not in ("on", "between", "around", "from", "in", "at"):
        return None
    dated = [t for t in sent[:10] if t.ent_type_ in ("DATE", "TIME")]
    if not dated:
        return None
    return ctx.doc[sent.start : dated[-1].i + 1]


def _opening_time(ctx: ArticleContext, sent: Span) -> tuple[str | None, str | None]:
    """The time that opens ``sent``'s paragraph ("On 12 March 2019, ..."), which sets the
    scene of the sentences after it."""
    doc = ctx.doc
    tokens = ctx.tokens
    start = sent.start
    first = sent
    for s in ctx.sents:
        if s.start > start:
            break
        if (
            s.start == 0
            or "\n" in tokens[s.start - 1].text_with_ws
            or tokens[s.start - 1].is_space
        ):
            first = s
    if first.start == sent.start:
        return None, None
    opening = [
        t for t in tokens[first.start : min(first.start + 8, first.end)] if t.ent_type_ == "DATE"
    ]
    if not opening or tokens[first.start].lower_ not in (
        "on", "in", "between", "around", "from", "at"
    ):
        return None, None
    span = doc[opening[0].i : opening[-1].i + 1]
    iso = normalize_time(span.text, ctx.article.published)
    return (span.text, iso) if iso else (None, None)
