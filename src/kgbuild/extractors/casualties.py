"""casualties.v1: reported figures of killed and injured people, attributed to a source.

Found at casualty verbs ("killed three soldiers", "14 others have been injured"),
casualty nouns ("the deaths of at least two soldiers", "suffered any casualties") and
casualty adjectives of a counted noun ("three dead").  The count is read from the
number phrase (digits, number words, "a"/"an" = 1, vague words per ACLED's habit:
"dozens" = 12 at least, "several" = no number), its qualifier from the words before it
("at least", "more than", "about", "up to").  A denial that any casualties occurred
("denied that X suffered any casualties") is a claim with count 0 and qualifier
``none``.  The source is the speaker of the governing reporting verb, else the
previous sentence's speaker when this sentence continues it with no attribution of its
own (news prose keeps attribution running for one sentence), else the article.
Figures repeated in one article (headline and body) are one claim.
"""

from __future__ import annotations

from spacy.tokens import Token

from .. import lexicon as lx
from ..model import CasualtyClaim
from .context import ArticleContext
from .events import event_at
from .statements import statement_governing

NAME = "casualties.v1"

# verbs whose subject suffered the casualties ("X suffered heavy losses")
_SUFFERING = {"suffer", "sustain", "incur", "lose", "take"}
_NUMBER_DEPS = ("nummod", "det", "amod", "quantmod", "compound")


def _count(tok: Token) -> tuple[int | None, str, str] | None:
    """(count, qualifier, words as written) of the noun phrase headed by ``tok``."""
    doc = tok.doc
    nums = [
        c
        for c in tok.children
        if c.dep_ in _NUMBER_DEPS
        and (c.like_num or c.lower_ in lx.NUMBER_WORDS or c.lower_ in lx.VAGUE_COUNTS)
    ]
    if not nums:
        # "Two Azerbaijani soldiers": the parser may hang the number on a modifier
        nums = [
            t
            for t in tok.subtree
            if t.i < tok.i
            and t.dep_ in ("nummod", "compound")
            and (t.like_num or t.lower_ in lx.NUMBER_WORDS)
            and t.lower_ not in ("a", "an")
        ]
    head = tok
    if not nums and (tok.like_num or tok.lower_ in lx.VAGUE_COUNTS or tok.lower_ in ("one",)):
        nums = [tok]
    if not nums:
        return None
    n = nums[0]
    start = n.left_edge.i if n is not head else n.i
    for c in n.children:
        start = min(start, c.left_edge.i)
    words = doc[start : n.i + 1].text
    low = words.lower()
    qualifier = "exact"
    for phrase, q in sorted(lx.QUALIFIER_WORDS.items(), key=lambda kv: -len(kv[0])):
        if low.startswith(phrase + " "):
            qualifier = q
            break
    word = n.lower_
    if word in lx.VAGUE_COUNTS:
        count, q = lx.VAGUE_COUNTS[word]
        return count, q if qualifier == "exact" else qualifier, words
    if word in ("a", "an"):
        return 1, "exact", words
    try:
        value = int(word.replace(",", ""))
    except ValueError:
        value = lx.NUMBER_WORDS.get(word)  # type: ignore[assignment]
    if value is None:
        return None
    return value, qualifier, words


def _victim(ctx: ArticleContext, tok: Token) -> str | None:
    ref = ctx.ref_for(tok)
    if ref is None:
        for c in tok.children:
            if c.dep_ in ("amod", "compound") and ctx.ref_at(c) is not None:
                ref = ctx.ref_at(c)
                break
    if ref is None:
        return None
    info = ctx.entities[ref.key]
    return ref.key if info.is_actor else None


def _source(ctx: ArticleContext, tok: Token) -> tuple[str | None, str | None]:
    st = statement_governing(ctx, tok)
    if st is not None:
        return st.speaker, st.key
    # continuing attribution: the previous sentence was one reported statement
    sents = list(ctx.doc.sents)
    idx = next((i for i, s in enumerate(sents) if s.start <= tok.i < s.end), 0)
    if ctx.in_headline(tok):
        return None, None
    from .statements import _stance

    if any(_stance(t) is not None for t in sents[idx]):
        return None, None  # the sentence has its own attribution, even if unread
    if idx > 0:
        prev = sents[idx - 1]
        sts = [s for s in ctx.out.statements if prev.start_char <= s.evidence.begin < prev.end_char]
        if (
            len(sts) == 1
            and not ctx.in_headline(prev[0])
            and sts[0].stance in ("Claim", "Confirmation")
        ):
            return sts[0].speaker, sts[0].key
    return None, None


def extract(ctx: ArticleContext) -> None:
    doc = ctx.doc
    claims: list[CasualtyClaim] = []
    last_victim: dict[int, str | None] = {}
    for tok in doc:
        lemma, lower = tok.lemma_.lower(), tok.lower_
        found: list[tuple[Token, str, Token | None]] = []  # (anchor, outcome, counted noun)
        if (
            tok.pos_ in ("VERB", "NOUN", "PROPN")
            and (lemma in lx.CASUALTY_VERBS or lower in ("kills", "killed", "wounded", "injured"))
            and tok.tag_ not in ("NNS",)
        ):
            outcome = lx.CASUALTY_VERBS.get(lemma) or lx.CASUALTY_VERBS.get(
                lower.rstrip("sed").rstrip("s"), "killed"
            )
            if lower.startswith("kill"):
                outcome = "killed"
            elif lower.startswith(("wound", "injur")):
                outcome = "injured"

            # "killed and wounded", "killing or wounding": one killed-or-injured figure
            # a partner verb with its own victims ("... were injured and 30 were killed")
            # is a figure of its own
            def own_victims(v: Token) -> bool:
                return any(g.dep_ in ("nsubjpass", "dobj") for g in v.children)

            partners = [
                c
                for c in tok.children
                if c.dep_ == "conj"
                and c.lemma_.lower() in lx.CASUALTY_VERBS
                and not (own_victims(c) and own_victims(tok))
            ]
            if (
                tok.dep_ == "conj"
                and tok.head.lemma_.lower() in lx.CASUALTY_VERBS
                and not (
                    any(g.dep_ in ("nsubjpass", "dobj") for g in tok.children)
                    and any(g.dep_ in ("nsubjpass", "dobj") for g in tok.head.children)
                )
            ):
                continue
            if partners and {lx.CASUALTY_VERBS.get(p.lemma_.lower()) for p in partners} - {outcome}:
                outcome = "killed-or-injured"
            objs = [c for c in tok.children if c.dep_ == "dobj"]
            for p in partners:
                objs += [c for c in p.children if c.dep_ == "dobj"]
            subjs = [c for c in tok.children if c.dep_ == "nsubjpass"]
            for o in objs + subjs:
                found.append((tok, outcome, o))
        elif tok.pos_ == "NOUN" and lemma in lx.CASUALTY_NOUNS:
            outcome = lx.CASUALTY_NOUNS[lemma]
            of = [
                p
                for c in tok.children
                if c.dep_ == "prep" and c.lower_ == "of"
                for p in c.children
                if p.dep_ == "pobj"
            ]
            found.append((tok, outcome, of[0] if of else tok))
        for anchor, outcome, noun in found:
            if noun is None:
                continue
            counted = _count(noun) if noun is not tok else _count(tok)
            # "three of the troops": the number heads the phrase
            victim_tok = noun
            if counted is None and noun.like_num is False:
                counted = None
            if noun.like_num or noun.lower_ in lx.NUMBER_WORDS or noun.lower_ in lx.VAGUE_COUNTS:
                counted = _count(noun)
            negated = False
            if counted is None and noun.lower_ in ("any", "none", "nobody", "anyone", "no"):
                # "denied that any of its soldiers were killed", "none were killed"
                st = statement_governing(ctx, anchor)
                if noun.lower_ in ("none", "nobody", "no") or (
                    st is not None and st.stance == "Denial"
                ):
                    counted = (0, "none", noun.text)
            if counted is None:
                # "denied that X suffered any casualties"
                if any(c.dep_ == "det" and c.lower_ in ("any", "no") for c in noun.children):
                    negated = any(c.dep_ == "det" and c.lower_ == "no" for c in noun.children)
                    st = statement_governing(ctx, anchor)
                    if (st is not None and st.stance == "Denial") or negated:
                        counted = (
                            0,
                            "none",
                            next(c.text for c in noun.children if c.dep_ == "det"),
                        )
                if counted is None:
                    continue
            victim = _victim(ctx, victim_tok)
            if (
                victim is None
                and anchor.pos_ == "NOUN"
                and anchor.head.pos_ == "VERB"
                and anchor.head.lemma_.lower() in _SUFFERING
            ):
                # "the Armenian side suffered any casualties": the subject suffered them
                subj = next((c for c in anchor.head.children if c.dep_ == "nsubj"), None)
                if subj is not None:
                    victim = _victim(ctx, subj)
            if victim is None and noun.lower_ in ("others", "other"):
                victim = last_victim.get(anchor.sent.start)
            if victim is not None:
                last_victim[anchor.sent.start] = victim
            count, qualifier, words = counted
            source, st_key = _source(ctx, anchor)
            if source is None and anchor.head.lemma_.lower() in lx.REPORTING_VERBS:
                # "the ministry reported 51 deaths": a report without a clause
                subj = next((c for c in anchor.head.children if c.dep_ == "nsubj"), None)
                ref = ctx.acting(ctx.ref_for(subj)) if subj is not None else None
                if ref is not None:
                    source = ref.key
            ev = ctx.span_evidence(anchor.sent, NAME)
            if ctx.excluded(ev.begin, ev.end):
                continue
            about = event_at(ctx, anchor)
            if about is None and anchor.dep_ in ("relcl", "acl"):
                # "an attack that killed one soldier": the casualties of that attack
                about = event_at(ctx, anchor.head)
                ev_rec = next((e for e in ctx.out.events if e.key == about), None)
                if (
                    victim is None
                    and ev_rec is not None
                    and ev_rec.targets
                    and noun.lemma_.lower() in lx.FORCE_HEADS
                ):
                    victim = ev_rec.targets[0]  # unnamed victims are on the attacked side
            if about is None:
                for t in anchor.sent:
                    about = event_at(ctx, t)
                    if about:
                        break
            claims.append(
                CasualtyClaim(
                    key=ctx.next_id("c"),
                    evidence=ev,
                    source=source,
                    victim=_side(ctx, victim),
                    outcome=outcome,
                    count=count,
                    count_text=words,
                    qualifier=qualifier,
                    about=about,
                    statement=st_key,
                )
            )
    ctx.out.claims.extend(_dedupe(ctx, claims))


def _side(ctx: ArticleContext, key: str | None) -> str | None:
    return key


def _dedupe(ctx: ArticleContext, claims: list[CasualtyClaim]) -> list[CasualtyClaim]:
    """One claim per (victim side, outcome, count, qualifier); a named source wins over
    the article's own voice."""
    out: dict[tuple, CasualtyClaim] = {}
    extra: dict[str, list] = getattr(ctx, "extra_evidence", {})
    for c in claims:
        sig = (ctx.side_of(c.victim), c.outcome, c.count, c.qualifier)
        prev = out.get(sig)
        if prev is None:
            out[sig] = c
            continue
        if prev.source is not None and c.source is not None and prev.source != c.source:
            out[(*sig, c.source)] = c
            continue
        keep, drop = (c, prev) if prev.source is None and c.source is not None else (prev, c)
        out[sig] = keep
        extra.setdefault(keep.key, []).append(drop.evidence)
    ctx.extra_evidence = extra  # type: ignore[attr-defined]
    return list(out.values())
