"""statements.v2: who said what, with which stance, addressed at whom.

A reporting verb of :data:`kgbuild.nlp.lexicon.REPORTING_VERBS` with a subject that refers
to an actor makes a statement; "according to X" makes a claim of X about its clause.
The content is the verb's clausal complement (or, for a trailing "..., X said", the
main clause); a "that"-clause the parser hung elsewhere ("informed in a statement
issued in the evening that ...") starts at its "that"; what an appeal asks is what
follows its addressee ("urged both sides to de-escalate, resume talks, and ...").  The
quote is the content as written and never cuts a word ("de-escalate").

Stances come from the verb, refined by one rule: a claim whose content reports a
hostile act by another side (not one the speaker's side thwarted) is an accusation of
that side.  A claim about one's own act (the reported clause's subject is the speaker,
its side or its forces, "it", "we") stays a claim unless the text itself names another
side as the doer of a hostile act in it.  Addressees: the object of
accuse/blame/urge/warn/call on, the subject of a demanded clause ("demanded that X
stop"), one per coordinated owner ("Thai and Cambodian forces"), or the other side
that a claim is about.  Conjoined verbs with one stance are one statement; participial
continuations ("..., adding that ...") join the statement they continue.
"""

from __future__ import annotations

from spacy.tokens import Token

from kgbuild.core.model import Statement
from kgbuild.core.names import match_key
from kgbuild.extractors.common import (
    coordinated_owner_countries,
    is_passive,
    prevented,
    subject_of,
    two_main_sides,
)
from kgbuild.extractors.context import ArticleContext, EntityInfo, Ref
from kgbuild.extractors.event_vocabulary import is_violent
from kgbuild.extractors.events import event_at
from kgbuild.extractors.tree import children, conjuncts, subtree
from kgbuild.nlp import lexicon as lx

NAME = "statements.v2"

_HOSTILE = {
    "MilitaryOperation",
    "Attack",
    "Airstrike",
    "CeasefireViolation",
    "TerritorialCapture",
    "Destruction",
}
_BOTH = {"both", "two"}


def _stance(tok: Token) -> str | None:
    lemma = tok.lemma_.lower()
    if lemma == "call" and any(c.lower_ in lx.CALL_PARTICLES for c in children(tok)):
        return "Appeal"
    stance = lx.REPORTING_VERBS.get(lemma)
    if stance is None or tok.pos_ not in ("VERB", "AUX"):
        return None
    has_clause = any(c.dep_ in ("ccomp", "parataxis") for c in children(tok))
    if lemma in lx.NEEDS_CLAUSE and not has_clause:
        return None
    return stance


def _person_for_title(ctx: ArticleContext, tok: Token) -> Ref | None:
    for role in ctx.out.roles:
        if role.evidence.begin <= tok.idx < role.evidence.end:
            for r in ctx.refs:
                if r.key == role.person:
                    return r
    return None


def _speakers(ctx: ArticleContext, verb: Token) -> list[Ref]:
    """The subject of ``verb`` and its coordinated subjects ("Both A and B urged")."""
    first = _speaker(ctx, verb)
    if first is None:
        return []
    out = [first]
    subj = next((c for c in children(verb) if c.dep_ == "nsubj"), None)
    for conj in conjuncts(subj) if subj is not None else ():
        ref = _person_for_title(ctx, conj) or ctx.ref_for(conj)
        if (
            ref is not None
            and ctx.entities[ref.key].is_actor
            and all(ref.key != o.key for o in out)
        ):
            out.append(ref)
    return out


def _speaking_actor(ctx: ArticleContext, ref: Ref | None) -> Ref | None:
    return ctx.acting(ref)


def _adjacent_speaker(ctx: ArticleContext, verb: Token) -> Ref | None:
    """ ", Niger's defense ministry said." when the parser missed the subject: the
    noun phrase between the last comma and the verb (or right after it)."""
    doc = ctx.doc
    sent = ctx.sent(verb)
    start = verb.i
    tokens = ctx.tokens
    while start > sent.start and tokens[start - 1].text not in (",", '"', "”", "'"):
        start -= 1
    if sent.start < start < verb.i:
        phrase = range(start, verb.i)
        heads = [t for t in doc[start : verb.i] if t.head.i not in phrase]
        for h in heads:
            ref = (_person_for_title(ctx, h) if h.lower_ in lx.TITLES else None) or ctx.ref_for(h)
            ref = _speaking_actor(ctx, ref)
            if ref is not None:
                return ref
    for r in ctx.refs:
        if not r.named or not ctx.entities[r.key].is_actor:
            continue
        if r.end == verb.i and (r.start == 0 or ctx.doc[r.start - 1].text in (",", '"', "”", "'")):
            return r
        if r.start == verb.i + 1 and verb.i > 0 and ctx.doc[verb.i - 1].text in (",", '"', "”"):
            return r
    return None


def _speaker(ctx: ArticleContext, verb: Token) -> Ref | None:
    if not any(c.dep_ in ("nsubj", "nsubjpass") for c in children(verb)) and verb.dep_ in (
        "ROOT",
        "parataxis",
    ):
        ref = _adjacent_speaker(ctx, verb)
        if ref is not None:
            return ref
    v = verb
    for _ in range(4):
        for c in children(v):
            if c.dep_ == "nsubj":
                # the subject, or its apposition when the parser took a preceding
                # appositive for the subject ("..., the city, the ombudsman of X said")
                for cand in (c, *[a for a in children(c) if a.dep_ == "appos"]):
                    ref = _person_for_title(ctx, cand) if cand.lower_ in lx.TITLES else None
                    ref = _speaking_actor(ctx, ref or ctx.ref_for(cand))
                    if ref is not None:
                        return ref
                return None
        if v.dep_ in ("conj", "advcl", "xcomp") and v.head.i != v.i:
            v = v.head
            continue
        return None
    return None


def _content(verb: Token) -> list[Token]:
    """What was said: the clausal complement; an object only when there is none
    ("denied the report"; in "told reporters that ..." the object is the hearer)."""
    comps = [c for c in children(verb) if c.dep_ in ("ccomp", "xcomp", "parataxis")]
    obj = next((c for c in children(verb) if c.dep_ == "dobj"), None)
    if (
        not comps
        and obj is not None
        and lx.REPORTING_VERBS.get(verb.lemma_.lower()) in ("Appeal", "Warning")
    ):
        # "urged both sides to de-escalate ...", parsed with "to" as a preposition: the
        # object is the addressee, what follows it is what was asked
        comps = [
            c
            for c in children(verb)
            if c.i > obj.right_edge.i and c.dep_ in ("prep", "advcl", "dep", "xcomp", "oprd")
        ]
    if comps and lx.REPORTING_VERBS.get(verb.lemma_.lower()) in ("Appeal", "Warning"):
        # "urged X to de-escalate, resume talks, and work toward peace": coordinated
        # infinitives the parser hung on the reporting verb belong to what was asked
        last = max(c.right_edge.i for c in comps)
        for c in children(verb):
            if (
                c.dep_ == "conj"
                and c.i > last
                and _stance(c) is None
                and not any(k.dep_ in ("nsubj", "nsubjpass") for k in children(c))
                and (c.tag_ in ("VB", "VBP") or any(k.dep_ == "dobj" for k in children(c)))
            ):
                comps.append(c)
    if not comps:
        comps = [c for c in children(verb) if c.dep_ == "dobj"]
    comps += [
        p
        for c in children(verb)
        if c.dep_ == "prep" and c.lower_ in ("of", "for")
        for p in children(c)
        if p.dep_ in ("pcomp", "pobj")
    ]
    if not comps and verb.dep_ in ("parataxis", "ccomp", "ROOT") and verb.head.i != verb.i:
        comps = [verb.head]  # '"...," X told reporters': the main clause is the content
    if not comps and verb.dep_ == "ROOT":
        # "X did Y, the ministry said": spaCy may attach the main clause as ccomp only
        comps = [c for c in children(verb) if c.dep_ in ("advcl",)]
    return comps


def _tokens(comps: list[Token]) -> list[Token]:
    """The content's tokens, without clauses that are statements of their own ("...,
    while X accused Y of ...")."""
    out: list[Token] = []

    def walk(t: Token, top: bool) -> None:
        if (
            not top
            and t.dep_ in ("advcl", "conj", "parataxis")
            and _stance(t) is not None
            and any(c.dep_ == "nsubj" for c in children(t))
        ):
            return
        out.append(t)
        for c in children(t):
            walk(c, False)

    for c in comps:
        walk(c, True)
    return sorted(set(out), key=lambda t: t.i)


_OPENERS = set("\"“‘'([{")
_CLOSERS = set("\"”’')]},.;:!?")


def _quote_span(ctx: ArticleContext, toks: list[Token]) -> str:
    """The content as written, from its first to its last token, never cutting a word:
    tokens written without a space between them ("de-escalate", "self-defence",
    "co-operation") are kept whole even when the parser split them across clauses."""
    if not toks:
        return ""
    doc = toks[0].doc
    start, end = toks[0].i, toks[-1].i + 1
    sent = ctx.sent(toks[0])
    while (
        start > sent.start
        and not doc[start - 1].whitespace_
        and doc[start - 1].text not in _OPENERS
        and doc[start].text not in _CLOSERS
        and not doc[start - 1].is_space
    ):
        start -= 1
    while (
        end < sent.end
        and not doc[end - 1].whitespace_
        and doc[end].text not in _CLOSERS
        and doc[end - 1].text not in _OPENERS
        and not doc[end].is_space
    ):
        end += 1
    return doc[start:end].text.strip(" ,\"“”‘’'\n")


def _that_clause_start(verb: Token, content: list[Token]) -> list[Token]:
    """Tokens of a "that"-clause the parser hung elsewhere ("informed in a statement
    issued in the evening that its troops thwarted ..."): from the first "that" after
    the verb to where the content begins."""
    if not content or content[0].i <= verb.i:
        return []
    doc = verb.doc
    for i in range(verb.i + 1, content[0].i):
        t = doc[i]
        if _stance(t) is not None:
            return []
        if t.lower_ == "that" and t.dep_ == "mark" and t.head.i != verb.i:
            return [doc[j] for j in range(i, content[0].i) if not doc[j].is_space]
    return []


def _both_sides(ctx: ArticleContext) -> list[str]:
    """The two most mentioned countries of the article ("both sides")."""
    return two_main_sides(ctx)


def _counterpart(ctx: ArticleContext, key: str, country: str) -> str:
    """The entity that is to ``country`` what ``key`` is to its own country ("Armed
    Forces of Thailand" -> "Armed Forces of Cambodia"): one already in the article, else
    the knowledge base's, else the country itself."""
    info = ctx.entities.get(key)
    own = ctx.country_of(key) if info is not None else None
    c_info = ctx.entities.get(country)
    if info is None or own is None or own == key or c_info is None:
        return country
    own_ent = ctx.entities.get(own) or ctx.kb.entities.get(own)
    own_label = own_ent.label if own_ent is not None else None
    if not own_label or own_label not in info.label:
        return country
    wanted = match_key(info.label.replace(own_label, c_info.label))
    for k, e in ctx.entities.items():
        if e.kind == info.kind and e.country == country and match_key(e.label) == wanted:
            return k
    kb_key = ctx.kb.by_label.get(wanted)
    kb_ent = ctx.kb.entities.get(kb_key) if kb_key else None
    if kb_ent is not None and kb_ent.kind == info.kind:
        ctx.entities[kb_ent.key] = EntityInfo(
            kb_ent.key,
            kb_ent.kind,
            kb_ent.label,
            country=country,
            is_actor=kb_ent.is_actor,
            is_place=kb_ent.is_place,
        )
        return kb_ent.key
    return country


def _coordinated_owners(ctx: ArticleContext, head: Token) -> list[str]:
    """ "Malian and Nigerien forces", "Cambodian and Thai troops": one head noun,
    coordinated owners; one addressee per owner."""
    countries = coordinated_owner_countries(ctx, head)
    if not countries:
        return []
    ref = ctx.ref_for(head)
    out: list[str] = []
    for c in countries:
        if ref is not None and ref.key != c and ctx.country_of(ref.key) == c:
            key = ref.key
        elif ref is not None and ctx.entities.get(ref.key) and ctx.entities[ref.key].is_actor:
            key = _counterpart(ctx, ref.key, c)
        else:
            key = c
        if key not in out:
            out.append(key)
    return out


def _addressees(ctx: ArticleContext, verb: Token, stance: str, content: list[Token]) -> list[str]:
    out: list[str] = []
    lemma = verb.lemma_.lower()
    objs = [c for c in children(verb) if c.dep_ in ("dobj", "iobj")]
    objs += [
        p
        for c in children(verb)
        if c.dep_ == "prep" and c.lower_ in ("on", "upon", "to") and lemma in ("call", "appeal")
        for p in children(c)
        if p.dep_ == "pobj"
    ]
    if stance in ("Accusation", "Appeal", "Warning"):
        for o in objs:
            if o.lower_ in ("sides", "parties") and any(c.lower_ in _BOTH for c in children(o)):
                out.extend(_both_sides(ctx))
                continue
            for r0 in ctx.conjuncts_refs(o):
                r = ctx.acting(r0)
                if r is not None and r.key not in out:
                    out.append(r.key)
            for t in (o, *conjuncts(o)):
                for k in _coordinated_owners(ctx, t):
                    if k not in out:
                        out.append(k)
        if stance == "Appeal" and not out:
            for c in children(verb):
                if c.dep_ == "ccomp":
                    for s in children(c):
                        if s.dep_ == "nsubj":
                            for r in ctx.conjuncts_refs(s):
                                if r.key not in out:
                                    out.append(r.key)
                            for t in (s, *conjuncts(s)):
                                for k in _coordinated_owners(ctx, t):
                                    if k not in out:
                                        out.append(k)
                            # "Thai and Cambodian forces": one head, two owners
                            group = getattr(ctx, "_group", {}).get(s.i)
                            for r in group or []:
                                if r is not None and r.key not in out:
                                    out.append(r.key)
    return out


def _hostile_others(
    ctx: ArticleContext,
    speaker_side: str | None,
    content: list[Token],
    *,
    explicit_only: bool = False,
) -> list[str]:
    """Actors of another side than the speaker's that the content says carried out a
    hostile act.  With ``explicit_only``, only those the text names as the act's doer
    (its subject, "by X", "X's attack"), not those inferred for it."""
    out: list[str] = []
    if speaker_side is None:
        return out  # whose side the speaker is on is unknown: no "other side"
    for t in content:
        key = event_at(ctx, t)
        if key is None:
            continue
        ev = next((e for e in ctx.out.events if e.key == key), None)
        if ev is None or not (ev.kind in _HOSTILE or is_violent(ev.kind)) or prevented(t):
            continue
        named = _named_doers(ctx, t) if explicit_only else None
        for a in ev.agents:
            side = ctx.side_of(a)
            if not side or side == speaker_side or a in out:
                continue
            if named is not None and side not in named:
                continue
            out.append(a)
    return out


def _named_doers(ctx: ArticleContext, trigger: Token) -> set[str]:
    """The sides the text itself names as the doer of the event at ``trigger``."""
    cands: list[Token] = []
    subj = subject_of(trigger) if trigger.pos_ in ("VERB", "AUX") else None
    if subj is not None and not is_passive(trigger):
        cands.append(subj)
    for c in children(trigger):
        if c.dep_ in ("poss", "compound", "amod", "nmod"):
            cands.append(c)
        if c.dep_ == "agent" or (c.dep_ == "prep" and c.lower_ == "by"):
            cands += [p for p in children(c) if p.dep_ == "pobj"]
    if trigger.dep_ == "dobj" and trigger.head.lemma_.lower() in lx.LIGHT_VERBS:
        s2 = subject_of(trigger.head)
        if s2 is not None:
            cands.append(s2)  # "X launched an attack"
    out: set[str] = set()
    for c in cands:
        for r in ctx.conjuncts_refs(c):
            side = ctx.side_of(r.key)
            if side:
                out.add(side)
    return out


def _about_own_act(
    ctx: ArticleContext, speaker: Ref, speaker_side: str | None, comps: list[Token]
) -> bool:
    """The reported clause's subject is the speaker, its side or its forces ("the
    ministry said it carried out attacks", "we repelled ..."): a claim about one's own
    act, not an accusation."""
    for c in comps:
        if c.pos_ not in ("VERB", "AUX"):
            continue
        subj = next((s for s in children(c) if s.dep_ in ("nsubj", "nsubjpass")), None)
        if subj is None:
            continue
        if subj.lower_ in ("we", "i"):
            return True
        ref = ctx.ref_for(subj)
        if ref is None:
            return subj.lower_ == "it"
        if ref.key == speaker.key:
            return True
        side = ctx.side_of(ref.key)
        return side is not None and side == speaker_side
    return False


def _main_subject_other(
    ctx: ArticleContext, speaker_side: str | None, comps: list[Token]
) -> list[str]:
    out: list[str] = []
    if speaker_side is None:
        return out  # whose side the speaker is on is unknown: no "other side"
    for c in comps:
        if c.pos_ not in ("VERB", "AUX"):
            continue
        for s in children(c):
            if s.dep_ in ("nsubj",):
                tok = s
                if s.tag_ in ("WDT", "WP") and c.dep_ == "relcl":
                    tok = c.head
                ref = ctx.ref_for(tok)
                if ref is not None:
                    side = ctx.side_of(ref.key)
                    if side and side != speaker_side and ctx.entities[ref.key].is_actor:
                        out.append(ref.key)
    return out


def extract(ctx: ArticleContext) -> None:
    doc = ctx.doc
    made: dict[int, Statement] = {}
    lowers, lemmas = ctx.lowers, ctx.lemmas
    for tok in ctx.tokens:
        lemma = lemmas[tok.i]
        if lemma != "call" and lemma not in lx.REPORTING_VERBS and lowers[tok.i] != "according":
            continue  # neither a stance (see _stance) nor "according to"
        stance = _stance(tok)
        according = False
        if (
            stance is None
            and tok.lower_ == "according"
            and tok.i + 1 < len(doc)
            and doc[tok.i + 1].lower_ == "to"
        ):
            stance, according = "Claim", True
        if stance is None:
            continue
        if according:
            pobj = next((c for c in doc[tok.i + 1].children if c.dep_ == "pobj"), None)
            speaker = None
            if pobj is not None:
                # "according to the X Secretary, Name": the person named
                appos = next((c for c in children(pobj) if c.dep_ == "appos"), None)
                speaker = (ctx.ref_for(appos) if appos is not None else None) or ctx.ref_for(pobj)
            head = tok.head
            while head.dep_ == "prep" and head.head.i != head.i:
                head = head.head
            comps = [head] if head.pos_ in ("VERB", "AUX") else []
            content = [
                t
                for t in _tokens(comps)
                if not (tok.i <= t.i <= (pobj.right_edge.i if pobj is not None else tok.i + 1))
            ]
            verb = tok
        else:
            speakers = _speakers(ctx, tok)
            speaker = speakers[0] if speakers else None
            comps = _content(tok)
            content = _tokens(comps)
            if any(c.i == tok.head.i for c in comps) and tok.head.i != tok.i:
                own = {t.i for t in subtree(tok)}
                content = [t for t in content if t.i not in own]
            verb = tok
        if speaker is None or ctx.in_headline(tok):
            continue  # headlines compress attribution too much to parse reliably
        for extra in [] if according else speakers[1:]:
            ev2 = ctx.span_evidence(ctx.sent(tok), NAME)
            ctx.out.statements.append(
                Statement(
                    key=ctx.next_id("s"),
                    evidence=ev2,
                    speaker=extra.key,
                    stance=stance,
                    verb=tok.text,
                    addressees=tuple(_addressees(ctx, verb, stance, content)),
                    quote=_quote_span(ctx, content) or ctx.sent(tok).text.strip(),
                )
            )
        ev = ctx.span_evidence(ctx.sent(tok), NAME)
        if ctx.excluded(ev.begin, ev.end):
            continue
        speaker_side = ctx.country_of(speaker.key)  # None: whose side is unknown
        addressees = _addressees(ctx, verb, stance, content) if not according else []
        if stance == "Claim":
            own_act = _about_own_act(ctx, speaker, speaker_side, comps)
            others = _hostile_others(ctx, speaker_side, content, explicit_only=own_act)
            if others:
                stance, addressees = "Accusation", others
            else:
                addressees = _main_subject_other(ctx, speaker_side, comps)
        about: list[str] = []
        for t in content:
            k = event_at(ctx, t)
            if k and k not in about:
                about.append(k)
        negated = any(c.dep_ == "neg" for c in children(tok))
        content = [t for t in content if not (speaker.start <= t.i < speaker.end)]
        if not according:
            content = sorted(
                {*content, *_that_clause_start(tok, content)}, key=lambda t: t.i
            )
        st = Statement(
            key=ctx.next_id("s"),
            evidence=ev,
            speaker=speaker.key,
            stance=stance,
            verb=tok.text,
            addressees=tuple(addressees),
            quote=_quote_span(ctx, content) or ctx.sent(tok).text.strip(),
            about=tuple(about),
            negated=negated,
        )
        # "..., adding that": continue the statement of the governing verb
        if tok.dep_ == "advcl" and tok.tag_ == "VBG" and tok.head.i in made:
            continue
        own_subject = any(c.dep_ in ("nsubj", "nsubjpass") for c in children(tok))
        if (
            tok.dep_ == "conj"
            and tok.head.i in made
            and made[tok.head.i].stance == stance
            and not own_subject
        ):
            continue
        made[tok.i] = st
        ctx.statement_tokens = getattr(ctx, "statement_tokens", {})  # type: ignore[attr-defined]
        ctx.statement_tokens[st.key] = tok.i  # type: ignore[attr-defined]
    ctx.out.statements.extend(made[i] for i in sorted(made))


def statement_governing(ctx: ArticleContext, tok: Token) -> Statement | None:
    """The statement whose reporting verb governs ``tok`` (nearest above it)."""
    by_tok = {i: key for key, i in getattr(ctx, "statement_tokens", {}).items()}
    sts = {s.key: s for s in ctx.out.statements}
    t = tok
    for _ in range(12):
        if t.i in by_tok and by_tok[t.i] in sts:
            return sts[by_tok[t.i]]
        # "according to X" attaches below the clause it sources
        for c in children(t):
            if c.lower_ == "according" and c.i in by_tok and by_tok[c.i] in sts:
                return sts[by_tok[c.i]]
        if t.head.i == t.i:
            # a trailing "..., X said" may be attached to the main clause's root
            for c in children(t):
                if (
                    c.i in by_tok
                    and by_tok[c.i] in sts
                    and c.dep_ in ("parataxis", "ccomp", "conj")
                ):
                    return sts[by_tok[c.i]]
            return None
        t = t.head
    return None
