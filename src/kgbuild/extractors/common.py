"""Syntactic helpers shared by the extractors (no vocabulary of names here)."""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from kgbuild.extractors.context import ArticleContext, Ref
from kgbuild.extractors.tree import children, conjuncts, doc_text, subtree
from kgbuild.nlp.timex import normalize_time

_TIME_EDGE_WORDS = {
    "early",
    "late",
    "on",
    "in",
    "during",
    "at",
    "by",
    "since",
    "until",
    "throughout",
}
_MODALS = {"would", "will", "could", "should", "might", "may", "must", "shall"}
_PREVENTING = {
    "thwart",
    "repel",
    "repulse",
    "prevent",
    "foil",
    "suppress",
    "stop",
    "halt",
    "avert",
    "block",
    "deny",
    "reject",
}
_HYPOTHETICAL_HEADS = {
    "warn",
    "threaten",
    "urge",
    "demand",
    "call",
    "appeal",
    "ask",
    "stop",
    "avoid",
    "refrain",
    "prevent",
    "deny",
    "refute",
    # intentions and plans are not yet acts ("aimed to establish new positions")
    "aim",
    "plan",
    "intend",
    "seek",
    "want",
    "hope",
    "vow",
    "pledge",
    "promise",
    "prepare",
    # generic aims: "to put an end to raiding", "to curb attacks"
    "end",
    "curb",
    "combat",
    "counter",
    "tackle",
    "eradicate",
    # orders are not yet acts ("ordered its fighters to carry out attacks")
    "order",
    "instruct",
    "command",
    "authorize",
    "authorise",
}
# Modifiers of an event noun that make it unreal or not yet real ("possible attacks").
_UNREAL_MODIFIERS = {
    "possible",
    "potential",
    "planned",
    "future",
    "imminent",
    "feared",
    "hypothetical",
    "would-be",
    "foiled",
    "thwarted",
}


def governing_verb(tok: Token) -> Token | None:
    """The nearest verb above ``tok`` (the token itself when it is a verb)."""
    t = tok
    for _ in range(12):
        if t.pos_ in ("VERB", "AUX"):
            return t
        if t.head.i == t.i:
            return None
        t = t.head
    return None


def subject_of(verb: Token) -> Token | None:
    """The subject of ``verb``, following conjunctions and auxiliaries upwards."""
    v: Token | None = verb
    for _ in range(6):
        if v is None:
            return None
        for child in children(v):
            if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
                return child
        if v.dep_ == "pcomp" and v.head.dep_ == "prep" and v.head.head.pos_ == "VERB":
            # "accused Mali of violating": the object of the matrix verb
            obj = next((c for c in children(v.head.head) if c.dep_ == "dobj"), None)
            if obj is not None:
                return obj
        if v.dep_ in ("conj", "xcomp", "advcl") and v.head.i != v.i:
            v = v.head
            continue
        if v.dep_ == "relcl":
            return v.head
        return None
    return None


def is_passive(verb: Token) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in children(verb))


def hypothetical(tok: Token) -> bool:
    """True when ``tok`` sits in a clause that is wished, warned about or modal.

    Looks up from the trigger through its own clause and the clauses it is a complement
    of ("urged X to stop the attacks"), but not across an adverbial or coordinated
    clause, which states its own facts ("..., while X accused Y of violating it").
    """
    t = tok
    for _ in range(10):
        if any(c.dep_ == "aux" and c.lower_ in _MODALS for c in children(t)):
            return True
        if t.lemma_.lower() in _HYPOTHETICAL_HEADS and t.i != tok.i:
            return True
        if t.i == tok.i and any(
            (c.dep_ == "det" and c.lower_ in ("any", "no"))
            or (c.dep_ in ("amod", "compound") and c.lower_ in _UNREAL_MODIFIERS)
            for c in children(t)
        ):
            return True
        if t.i == tok.i and t.dep_ == "pobj" and t.head.lower_ == "without":
            return True  # "a protest without violence"
        if (
            t.i != tok.i
            and t.dep_ == "advcl"
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in children(t))
        ) or (
            t.dep_ == "advcl"
            and t.i == tok.i
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in children(t))
            and any(c.dep_ == "mark" and c.lower_ in ("in", "so") for c in children(t))
        ):
            return True  # a purpose: "signed a truce to put an end to raiding"
        if t.dep_ == "advcl" and any(
            c.dep_ == "mark" and c.lower_ in ("if", "unless", "lest") for c in children(t)
        ):
            return True  # a condition: "would not engage unless attacked"
        clause_edge = t.dep_ in ("advcl", "parataxis", "relcl") or (
            t.dep_ == "conj" and t.pos_ in ("VERB", "AUX")
        )
        if t.dep_ == "relcl" and t.head.lower_ in ("anyone", "anybody", "whoever", "everyone"):
            return True  # "anyone who caused violence": nobody in particular
        if t.head.i == t.i or clause_edge:
            return False
        t = t.head
    return False


def prevented(tok: Token) -> bool:
    """True when the event ``tok`` names was thwarted, repelled or prevented."""
    t = tok
    for _ in range(4):
        if t.head.i == t.i:
            return False
        t = t.head
        if t.lemma_.lower() in _PREVENTING:
            return True
        if t.pos_ == "VERB":
            return False
    return False


def _sentence_times(ctx: ArticleContext, sent: Span) -> list[Span]:
    """The time expressions of ``sent`` (model entities and lexical ones), made once per
    sentence: every event of the sentence asks for them."""
    cache: dict[int, list[Span]] = ctx.__dict__.setdefault("_sentence_times", {})
    if sent.start not in cache:
        ents = [e for e in ctx.ents_in(sent) if e.label_ in ("DATE", "TIME")]
        ents += _lexical_times(ctx, sent, ents)
        cache[sent.start] = [e for e in ents if _is_time(ctx, e) and not _dates_an_agreement(e)]
    return cache[sent.start]


def time_phrase(ctx: ArticleContext, tok: Token) -> Span | None:
    """The time expression that best belongs to ``tok``'s clause, with its preposition
    ("early on Wednesday morning"), or None."""
    sent = ctx.sent(tok)
    verb = governing_verb(tok) or tok
    ents = _sentence_times(ctx, sent)
    if not ents:
        return None
    clause = {t.i for t in subtree(verb)}
    inside = [e for e in ents if e.root.i in clause]
    if (
        not inside
        and verb.dep_ == "advcl"
        and any(c.lower_ in ("when", "as", "while") for c in children(verb))
    ):
        # "... were killed on Thursday when forces shelled ...": the main clause's time
        main = {t.i for t in subtree(verb.head)} - clause
        inside = [e for e in ents if e.root.i in main]
    if not inside and verb.dep_ == "ccomp" and verb.head.i > verb.i:
        # "X arrested Y in Z on Thursday, the minister said": a time written inside the
        # reported clause, before the trailing reporting verb, is the event's
        head = verb.head
        subj = next((c for c in children(head) if c.dep_ == "nsubj"), None)
        limit = subj.left_edge.i if subj is not None and subj.i > verb.i else head.i
        inside = [e for e in ents if verb.i < e.start and e.end <= limit]
    if not inside:
        # a sentence-level adverbial ("Back in 2020, ...") attached to the main verb
        # (not the date of a report: "..., the ministry said on Tuesday")
        from kgbuild.nlp.lexicon import REPORTING_VERBS

        inside = []
        for e in ents:
            gov = governing_verb(e.root)  # once per entity (Span.root scans the span)
            if gov is not None and gov.dep_ == "ROOT" and gov.lemma_.lower() not in REPORTING_VERBS:
                inside.append(e)
    if not inside:
        return None
    # the most specific time first ("during Friday prayers on 8 October 2021": the date),
    # then a written date over a relative one, then the nearest
    chosen = max(inside, key=lambda e: (*_specificity(ctx, e), -abs(e.root.i - tok.i)))
    start, end = chosen.start, chosen.end
    doc = tok.doc
    # join an adjacent TIME entity ("Wednesday" + "morning")
    for e in ents:
        if e.start == end:
            end = e.end
    while start > sent.start and doc[start - 1].lower_ in _TIME_EDGE_WORDS:
        start -= 1
    if (
        start > sent.start
        and doc[start - 1].like_num
        and doc[start - 1].text.isdigit()
        and int(doc[start - 1].text) <= 31
    ):
        start -= 1  # "10 June 2022" where the model tagged "June 2022"
        while start > sent.start and doc[start - 1].lower_ in _TIME_EDGE_WORDS:
            start -= 1
    if chosen.label_ == "TIME" and not any(ch.isdigit() for ch in chosen.text):
        # "the evening", "the day" alone are too vague; "last night" is not
        resolvable = normalize_time(chosen.text, ctx.article.published or _ANY_DAY) is not None
        if not resolvable and not any(
            e.label_ == "DATE" for e in ents if e.start <= end and e.end >= start
        ):
            return None
    return doc[start:end]


def _specificity(ctx: ArticleContext, ent: Span) -> tuple[int, int]:
    """(length of the ISO value it resolves to: 10 a day, 7 a month, 4 a year; 1 when the
    text has a year written)."""
    iso = normalize_time(ent.text, ctx.article.published or _ANY_DAY)
    written = int(any(t.like_num and len(t.text) == 4 for t in ent))
    return (len(iso) if iso else 0, written)


_ANY_DAY = __import__("datetime").date(2000, 1, 5)
_DAY_WORDS = {"yesterday", "today", "tonight"}
_PERIODS = {"night", "morning", "evening", "afternoon", "week", "month", "year"}


def _lexical_times(ctx: ArticleContext, sent: Span, found: list[Span]) -> list[Span]:
    """Time words the model did not tag: weekdays, "yesterday", "last night"."""
    from kgbuild.nlp.lexicon import WEEKDAYS

    taken = {i for e in found for i in range(e.start, e.end)}
    out: list[Span] = []
    doc = sent.doc
    tokens = ctx.tokens
    lowers = ctx.lowers
    for t in tokens[sent.start : sent.end]:
        if t.i in taken:
            continue
        low = lowers[t.i]
        # the cheap word test first: the entity type only matters for time words
        if low in WEEKDAYS or low in _DAY_WORDS:
            start = t.i
        elif low in _PERIODS and t.i > sent.start and lowers[t.i - 1] in ("last", "this"):
            start = t.i - 1
        else:
            continue
        if t.ent_type_ in ("PERSON", "ORG", "FAC", "GPE"):
            continue  # "activist Sunday Igboho"
        out.append(Span(doc, start, t.i + 1, label="DATE"))
    return out


def _dates_an_agreement(ent: Span) -> bool:
    """ "the 2020 ceasefire", "a deal signed in May 2021": the date of an agreement."""
    from kgbuild.nlp.lexicon import AGREEMENT_NOUNS

    t = ent.root
    for _ in range(4):
        if t.lower_ in AGREEMENT_NOUNS:
            return True
        if t.head.i == t.i or (t.pos_ == "VERB" and t.dep_ not in ("acl", "relcl")):
            return False
        t = t.head
    return False


def _is_time(ctx: ArticleContext, ent: Span) -> bool:
    """A DATE/TIME entity that names a point or period (not "44-day-long")."""
    from kgbuild.nlp.lexicon import MONTHS, WEEKDAYS

    low = ent.text.lower()
    if any(
        w in low
        for w in (
            *MONTHS,
            *WEEKDAYS,
            "yesterday",
            "today",
            "tonight",
            "morning",
            "evening",
            "night",
            "last month",
            "last year",
            "last week",
            "this month",
            "this year",
            "afternoon",
        )
    ):
        return True
    return normalize_time(ent.text, ctx.article.published or _ANY_DAY) is not None and (
        "-" not in ent.text
    )


def actor_side(ctx: ArticleContext, ref: Ref | None) -> str | None:
    return None if ref is None else ctx.side_of(ref.key)


_REMARK_END = ".;\n"
_BRACKETS = {"(": ")", "[": "]"}


def coder_remark_spans(doc: Doc) -> tuple[tuple[int, int], ...]:
    """Character spans of dataset coders' remarks inside the text, such as ACLED's
    "Fatalities coded as 3.", "(fatalities spread between 2 locations)",
    "[size=no report]" or "Fatalities unknown.".

    Such remarks describe how a row was coded, not what happened: no extractor should
    read a casualty figure or an event from them.  A remark runs from its pattern (see
    :data:`kgbuild.nlp.lexicon.CODER_REMARKS`) to the end of its sentence, or to the closing
    bracket when it sits inside brackets (the bracket included).  Computed once per Doc
    and kept in ``doc.user_data``.

    >>> import spacy
    >>> doc = spacy.blank("en")("Rebels attacked Gao. 3 killed. Fatalities coded as 3.")
    >>> [doc.text[b:e] for b, e in coder_remark_spans(doc)]
    ['Fatalities coded as 3.']
    """
    cached = doc.user_data.get("kgbuild.coder_remarks")
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    import re

    from kgbuild.nlp.lexicon import CODER_REMARKS

    text = doc_text(doc)
    spans: list[tuple[int, int]] = []
    for pattern in CODER_REMARKS:
        for m in re.finditer(pattern, text, flags=re.IGNORECASE):
            begin, end = m.start(), m.end()
            # inside brackets: the whole bracketed remark
            opener = max(text.rfind("(", 0, begin), text.rfind("[", 0, begin))
            closer = text.find(_BRACKETS.get(text[opener], ")"), end) if opener >= 0 else -1
            inside = (
                opener >= 0
                and closer >= 0
                and not any(ch in _REMARK_END for ch in text[opener:begin])
                and text.find(")" if text[opener] == "(" else "]", opener, begin) < 0
            )
            if inside:
                begin, end = opener, max(end, closer + 1)
            elif text[begin] != "[":
                # to the end of its sentence
                stop = len(text)
                for ch in _REMARK_END:
                    k = text.find(ch, end)
                    if k >= 0:
                        stop = min(stop, k + (ch != "\n"))
                end = stop
            spans.append((begin, end))
    merged: list[tuple[int, int]] = []
    for b, e in sorted(spans):
        if merged and b <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((b, e))
    result = tuple(merged)
    doc.user_data["kgbuild.coder_remarks"] = result
    return result


def in_coder_remark(tok: Token) -> bool:
    """True when ``tok`` lies inside a coder's remark (see :func:`coder_remark_spans`)."""
    return any(b <= tok.idx < e for b, e in coder_remark_spans(tok.doc))


def two_main_sides(ctx: ArticleContext, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """The two countries the article names most often: what "both sides", "the two
    sides" and "the parties" refer to (``exclude``: countries that cannot be meant, such
    as an agreement's brokers).  Empty when the article names fewer than two."""
    counts: dict[str, int] = {}
    for r in ctx.refs:
        side = ctx.country_of(r.key)
        if side and r.named and side not in exclude:
            counts[side] = counts.get(side, 0) + 1
    ranked = sorted(counts, key=lambda k: (-counts[k], k))
    return ranked[:2] if len(ranked) >= 2 else []


def coordinated_owner_countries(ctx: ArticleContext, head: Token) -> list[str]:
    """ "Thai and Cambodian forces", "the Kyrgyz and Tajik security services": the
    countries of coordinated modifiers under one head noun (two or more, else none)."""
    countries: list[str] = []
    for m in children(head):
        if m.dep_ not in ("amod", "nmod", "compound", "poss"):
            continue
        for t in (m, *conjuncts(m)):
            r = ctx.ref_at(t)
            c = ctx.country_of(r.key) if r is not None else None
            if c and c not in countries:
                countries.append(c)
    return countries if len(countries) >= 2 else []


def is_both_sides(tok: Token) -> bool:
    """ "both sides", "the two sides", "both countries", "the parties"."""
    from kgbuild.nlp.lexicon import BOTH_SIDES_NOUNS

    if tok.lower_ not in BOTH_SIDES_NOUNS:
        return False
    if any(c.lower_ in ("both", "two") for c in children(tok)):
        return True
    # "the parties" (to the conflict): plural and definite
    return tok.lower_ in ("parties", "sides") and any(
        c.dep_ == "det" and c.lower_ == "the" for c in children(tok)
    )
