"""entities.v1: actors and places named in the text, plus in-article coreference.

Method, in order of trust (a token belongs to at most one named reference):

1. Knowledge-base names: every label and alias of the KB, matched case-insensitively.
2. Compositional phrases: an owner (a country name, its demonym, a possessive or a
   possessive pronoun) plus a body noun ("Niger's defense ministry", "the Malian
   Ministry of Defense", "Nigerien troops", "its peacekeeping force") give a government
   body or an armed force of that owner with a canonical label ("Ministry of Defense of
   X", "Armed Forces of X"); "the X side" is the owner itself.
3. Place patterns: "the village of X", "X region", "X corridor", "the region of X".
4. Named-entity spans of spaCy's model not covered above (never in the headline, whose
   title case confuses it): PERSON (two or more words), ORG, GPE, LOC, FAC.
5. Anaphors: "it", "its", "they", "their" resolve to a *subject* reference of an
   agreeing kind (organisations and places for "it", organisations for "they", people
   for "he"/"she") in the same sentence before the pronoun or in the previous two
   sentences, the main clause's subject first, then the most recent; "the ministry",
   "the Nigerien ministry", "the army" resolve to the most recent ministry (of that
   country, when one is named) in the last four sentences, "the region", "the
   territory", "the village" to the most recent place of that kind in the last eight.
   With no agreeing candidate in reach nothing is resolved: a wrong merge is worse
   than a missed one.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from kgbuild.core.model import Mention
from kgbuild.core.names import match_key
from kgbuild.extractors.context import ArticleContext, Ref
from kgbuild.extractors.entity_keys import composed_entity, minted_key, register_entity
from kgbuild.extractors.tree import children, conjuncts, doc_text
from kgbuild.kb.knowledge_base import ARMED_KINDS, KBEntity, KnowledgeBase
from kgbuild.nlp import lexicon as lx

NAME = "entities.v1"

_SINGULAR_ANAPHORS = {"it", "its"}
_PLURAL_ANAPHORS = {"they", "their", "them"}
_PERSON_ANAPHORS = {"he", "his", "him", "she", "her"}
_ORG_KINDS = {
    "GovernmentBody",
    "Country",
    "Organization",
    "InternationalOrganization",
    "MonitoringMission",
    *ARMED_KINDS,
}
_MEMBERSHIP = {"member", "members", "part", "parts", "unit", "units", "some", "one", "none", "all"}
_KIND_OF_LABEL = {
    "ner:PERSON": "Person",
    "ner:ORG": "Organization",
    "ner:GPE": "Settlement",
    "ner:LOC": "Area",
    "ner:FAC": "Facility",
    "ner:NORP": "PopulationGroup",
}


class _NameIndex:
    """Every KB name and demonym as a tuple of lower-cased tokens -> entity keys.

    A plain dictionary rather than spaCy's PhraseMatcher: the matcher keeps its keys in
    the vocab's string store, and strings added inside a spaCy memory zone (used for
    long runs) are freed when the zone closes.
    """

    def __init__(self, ctx: ArticleContext) -> None:
        words_of = _tokenizer_for(ctx.doc.vocab)
        self.names: dict[tuple[str, ...], list[str]] = {}
        # short all-capital names ("IS", "RSF") match only in capitals: "is" is no group
        self.exact: dict[tuple[str, ...], list[str]] = {}
        for key, ent in sorted(ctx.kb.entities.items()):
            for name in sorted({ent.label, *ent.alt_labels}):
                texts, lowers = words_of(name)
                if _acronym(name):
                    self.exact.setdefault(texts, []).append(key)
                    continue
                self._add(lowers, key)
        for key in sorted(set(ctx.kb.demonyms.values())):
            for word in sorted(ctx.kb.entities[key].demonyms):
                self._add(words_of(word)[1], "demonym:" + key)
        self.longest = max((len(k) for k in self.names), default=0)
        # every proper prefix of a name: a run of words that starts no name ends the search
        self.prefixes: set[tuple[str, ...]] = {
            words[:n] for words in self.names for n in range(1, len(words))
        }
        # the longest name starting with each first word: most words start no name
        self.from_first: dict[str, int] = {}
        for words in self.names:
            self.from_first[words[0]] = max(self.from_first.get(words[0], 0), len(words))

    def _add(self, words: tuple[str, ...], key: str) -> None:
        keys = self.names.setdefault(words, [])
        if key not in keys:
            keys.append(key)

    def __call__(self, tokens: list[Token],
                 lower: list[str] | None = None) -> list[tuple[str, int, int]]:
        """(key, start, end) of every name in ``tokens`` (the Doc's tokens in order);
        ``lower``: their ``lower_``, when the caller has them."""
        if lower is None:
            lower = [t.lower_ for t in tokens]
        out = []
        names, prefixes, from_first = self.names, self.prefixes, self.from_first
        size = len(lower)
        for i, word in enumerate(lower):
            longest = from_first.get(word, 0)
            if longest:  # else no name starts with this word
                for n in range(1, min(longest, size - i) + 1):
                    words = tuple(lower[i : i + n])
                    for key in names.get(words, ()):
                        out.append((key, i, i + n))
                    if words not in prefixes:
                        break  # no longer name starts with these words
            if tokens[i].is_upper:
                for key in self.exact.get((tokens[i].text,), ()):
                    out.append((key, i, i + 1))
        return out


def _acronym(name: str) -> bool:
    """A short name written in capitals ("IS", "RSF", "M23"), matched case-sensitively."""
    letters = [c for c in name if c.isalpha()]
    return " " not in name and name.isupper() and 0 < len(letters) <= 5


_indexes: dict[int, _NameIndex] = {}


def _matcher(ctx: ArticleContext) -> _NameIndex:
    """The name index of ``ctx.kb``, built once per knowledge base."""
    ident = id(ctx.kb)
    if ident not in _indexes:
        _indexes[ident] = _NameIndex(ctx)
    return _indexes[ident]


def _tokenizer_for(vocab):  # type: ignore[no-untyped-def]
    """A function giving the words of a name as the pipeline's tokenizer splits it: their
    texts and their lower-cased forms."""
    from kgbuild.nlp.spacy_pipeline import load_pipeline

    nlp = load_pipeline()
    make_doc = nlp.make_doc
    rules = nlp.tokenizer.rules  # special cases ("cannot" -> "can", "not")

    def words_of(name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        chunks = name.split(" ")
        # letters between single spaces, no chunk a special case: the tokenizer splits on
        # the spaces only (no prefix, suffix or infix rule matches a letter), and a token's
        # lower form is str.lower; tokenizing the 10,000 names of the KB cost 0.2 s
        if all(c.isalpha() and c not in rules for c in chunks):
            return tuple(chunks), tuple(c.lower() for c in chunks)
        toks = make_doc(name)
        return tuple(t.text for t in toks), tuple(t.lower_ for t in toks)

    return words_of










def _kb_entity(kb: KnowledgeBase, key: str) -> KBEntity | None:
    return kb.entities.get(key)








def _strip_det(span: Span) -> Span:
    start = span.start
    while (
        start < span.end - 1
        and span.doc[start].dep_ in ("det", "predet")
        and span.doc[start].lower_ in ("the", "a", "an", "this", "that", "these", "those")
    ):
        start += 1
    return span.doc[start : span.end]


def _surface(span: Span) -> str:
    s = _strip_det(span)  # Span.text, sliced from the article's text (made once per article)
    text = doc_text(s.doc)[s.start_char : s.end_char] if len(s) else ""
    return text.replace("\n", " ").strip()


# --- 1. knowledge-base names --------------------------------------------------------------
def _kb_names(ctx: ArticleContext) -> None:
    doc = ctx.doc
    tokens = ctx.tokens  # doc[i] would make a new Token on each test
    spans = [(start, end, key) for key, start, end in _matcher(ctx)(ctx.tokens, ctx.lowers)]
    # longest first; then leftmost
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0], s[2]))
    taken: set[int] = set()
    for start, end, key in spans:
        if any(i in taken for i in range(start, end)):
            continue
        # a name must not be a part of a longer capitalised name ("Niamey Street")
        if (
            end < len(doc)
            and tokens[end].is_title
            and tokens[end].pos_ == "PROPN"
            and not key.startswith("demonym:")
            and tokens[end].lower_ not in lx.PLACE_HEADS
            and tokens[end].lower_ not in lx.FORCE_HEADS
            and tokens[end].lower_ not in lx.BODY_HEADS
            and tokens[end].lower_ not in lx.TITLES
        ):
            continue
        if (
            start > 0
            and tokens[start - 1].pos_ == "PROPN"
            and tokens[start - 1].is_title
            and not key.startswith("demonym:")
            and tokens[start - 1].head.i in range(start, end)
            and tokens[start - 1].dep_ == "compound"
        ):
            continue  # "Tarvosh Defense Army" is not the KB's "Defense Army"
        taken.update(range(start, end))
        span = doc[start:end]
        if key.startswith("demonym:"):
            ckey = key.split(":", 1)[1]
            ent = ctx.kb.entities[ckey]
            register_entity(ctx, ckey, ent.kind, ent.label, kb_ent=ent)
            ctx.add_ref(Ref(ckey, ent.kind, start, end, span.root.i, "demonym", span.text))
            continue
        ent = ctx.kb.entities[key]
        register_entity(ctx, key, ent.kind, ent.label, surface=_surface(span), kb_ent=ent)
        ctx.add_ref(Ref(key, ent.kind, start, end, span.root.i, "kb", span.text))
        if ent.country and ent.kind != "Country" and len(span) > 1:
            # "Hungarian troops": the demonym inside the name also names the country
            for tok in span:
                owner = ctx.kb.country_of_demonym(tok.text) if tok.is_title else None
                if owner is not None and owner.key == ent.country:
                    register_entity(ctx, owner.key, owner.kind, owner.label, kb_ent=owner)
                    ctx.add_ref(
                        Ref(owner.key, owner.kind, tok.i, tok.i + 1, tok.i, "demonym", tok.text)
                    )
                    break


# --- 2. compositional phrases ---------------------------------------------------------------
def _owner(ctx: ArticleContext, head: Token) -> tuple[Ref | None, list[Token]]:
    """The owner of a body noun and the modifier tokens that name it."""
    mods: list[Token] = []
    owner: Ref | None = None
    for child in head.lefts:
        if child.dep_ == "poss":
            if child.lower_ in ("its", "their", "his", "her"):
                owner = _resolve_pronoun(ctx, child)
            else:
                owner = ctx.ref_for(child)
            mods.append(child)
        elif child.dep_ in ("amod", "compound", "nmod", "npadvmod"):
            ref = ctx.ref_at(child)
            if (
                ref is not None
                and ref.kind in ("Country", "GovernmentBody", "Region")
                and owner is None
            ):
                owner = ref
            mods.append(child)
            # coordinated demonyms: "Thai and Cambodian forces" handled by caller
    if owner is None and head.dep_ == "compound" and head.head.lower_ in lx.TITLES:
        # "Mali's Security Council Secretary": the possessive sits on the title
        for child in head.head.lefts:
            if child.dep_ == "poss" and child.lower_ not in ("its", "their", "his", "her"):
                ref = ctx.ref_for(child)
                if ref is not None and ref.kind in ("Country", "GovernmentBody", "Region"):
                    owner = ref
                    mods.append(child)
    if owner is None:
        for child in head.rights:
            if child.dep_ == "prep" and child.lower_ in ("of", "in"):
                for pobj in children(child):
                    if pobj.dep_ == "pobj":
                        ref = ctx.ref_for(pobj)
                        if ref is not None and ref.kind in ("Country", "GovernmentBody", "Region"):
                            owner = ref
    return owner, mods


def _ministry_type(head: Token) -> str | None:
    for child in children(head):
        if child.dep_ in ("compound", "amod") and child.lower_ in lx.MINISTRY_TYPES:
            return lx.MINISTRY_TYPES[child.lower_]
        if child.dep_ == "prep" and child.lower_ == "of":
            for pobj in children(child):
                if pobj.lower_ in lx.MINISTRY_TYPES:
                    return lx.MINISTRY_TYPES[pobj.lower_]
                if pobj.lower_ == "affairs":
                    for c in children(pobj):
                        if c.lower_ in lx.MINISTRY_TYPES:
                            return lx.MINISTRY_TYPES[c.lower_]
    return None


def _body_label(ctx: ArticleContext, head: Token, owner_key: str) -> tuple[str, str] | None:
    """(kind, canonical label) of a body or force noun owned by ``owner_key``."""
    owner = ctx.entities.get(owner_key)
    if owner is None:
        return None
    if (
        owner.kind == "GovernmentBody"
        and owner.country
        and (head.lower_ in lx.FORCE_HEADS or head.lemma_.lower() in lx.FORCE_HEADS)
    ):
        # "its soldiers" of a ministry: the forces of the ministry's country
        owner_key = owner.country
        if owner_key not in ctx.entities and owner_key in ctx.kb.entities:
            kb_country = ctx.kb.entities[owner_key]
            register_entity(ctx, owner_key, kb_country.kind, kb_country.label, kb_ent=kb_country)
        owner = ctx.entities.get(owner_key) or owner
    c = owner.label
    lower = head.lower_
    lemma = head.lemma_.lower()
    if lower in lx.FORCE_HEADS or lemma in lx.FORCE_HEADS:
        peace = lemma in lx.PEACEKEEPING_HEADS or any(
            ch.lower_.startswith("peacekeep") for ch in children(head)
        )
        if owner.kind in ARMED_KINDS:
            return owner.kind, owner.label  # "its fighters" of a group are the group
        if peace:
            dem = (
                ctx.kb.demonym_of(owner_key)
                or getattr(ctx, "local_demonyms", {}).get(owner_key)
                or c
            )
            return "ArmedForce", f"{dem} peacekeeping contingent"
        if owner.kind == "Country":
            if any(ch.lemma_.lower() == "police" for ch in children(head)):
                return "PoliceForce", f"Police Forces of {c}"  # "police forces of X"
            return "StateForce", f"Armed Forces of {c}"
        words = [
            t.text for t in head.lefts if t.dep_ in ("amod", "compound") and ctx.ref_at(t) is None
        ]
        return "ArmedForce", " ".join([c, *words, head.text]).strip()
    if lemma == "ministry" or lower == "ministry":
        t = _ministry_type(head)
        if t is None:
            return None  # untyped: an anaphor, resolved by salience
        return "GovernmentBody", f"Ministry of {t} of {c}"
    if lower in ("government", "authorities", "authority", "cabinet", "officials"):
        if owner.kind == "GovernmentBody":
            return "GovernmentBody", owner.label
        return "GovernmentBody", f"Government of {c}"
    if lower in ("parliament", "presidency"):
        return "GovernmentBody", f"{head.text.capitalize()} of {c}"
    if lower in ("council", "service", "office", "committee"):
        words = [
            t.text
            for t in head.lefts
            if t.dep_ in ("compound", "amod") and ctx.ref_at(t) is None and t.is_title
        ]
        if not words:
            return None
        return "GovernmentBody", " ".join([*words, head.text]) + f" of {c}"
    return None


def _compose(ctx: ArticleContext) -> None:
    doc = ctx.doc
    # the article's arrays: most tokens are left at the first test
    pos_names, lowers, lemmas = ctx.pos_names, ctx.lowers, ctx.lemmas
    for i, tok in enumerate(ctx.tokens):
        if pos_names[i] not in ("NOUN", "PROPN"):
            continue
        lower, lemma = lowers[i], lemmas[i]
        is_body = lower in lx.BODY_HEADS or lemma in lx.BODY_HEADS
        is_force = lower in lx.FORCE_HEADS or lemma in lx.FORCE_HEADS
        is_side = lower in lx.SIDE_HEADS
        if not (is_body or is_force or is_side):
            continue
        existing = ctx.ref_at(tok)
        if existing is not None and existing.how in ("kb", "local"):
            continue
        if tok.i in ctx._head:
            continue
        owner, mods = _owner(ctx, tok)
        owners = [owner] if owner is not None else []
        # "Thai and Cambodian forces": demonyms coordinated under one head;
        # "military forces of Thailand and Cambodia": owners coordinated after "of"
        of_objects = [
            p for c in tok.rights if c.dep_ == "prep" and c.lower_ == "of"
            for p in children(c) if p.dep_ == "pobj"
        ]
        for m in [*mods, *of_objects]:
            for conj in conjuncts(m):
                r = ctx.ref_at(conj)
                if r is not None and r.kind == "Country" and all(r.key != o.key for o in owners):
                    owners.append(r)
        if not owners:
            continue
        for own in owners:
            if is_side:
                if tok.i not in ctx._head:
                    _add_compose_ref(ctx, tok, own.key, own.kind, mods)
                continue
            res = _body_label(ctx, tok, own.key)
            if res is None:
                continue
            key, kind, label = composed_entity(ctx, *res)
            country = ctx.country_of(own.key)
            span = _phrase_span(tok, mods)
            register_entity(
                ctx,
                key,
                kind,
                label,
                surface=_surface(span),
                country=country,
                kb_ent=ctx.kb.entities.get(key),
            )
            if len(owners) == 1:
                ctx.add_ref(Ref(key, kind, span.start, span.end, tok.i, "compose", span.text))
            else:
                # one reference per owner, anchored on the owner's modifier
                o = doc[own.start : own.end]
                ctx.add_ref(
                    Ref(
                        key,
                        kind,
                        o.start,
                        o.end,
                        own.head if own.head != tok.i else o.start,
                        "compose",
                        span.text,
                    )
                )
                if own is owners[-1]:
                    pass
        if len(owners) > 1:
            # the head token itself refers to all of them; remember the group
            ctx._group = getattr(ctx, "_group", {})  # type: ignore[attr-defined]
            ctx._group[tok.i] = [ctx._head.get(o.head) for o in owners]  # type: ignore[attr-defined]


def _phrase_span(head: Token, mods: list[Token]) -> Span:
    doc = head.doc
    start = min([head.i, *[m.left_edge.i for m in mods]])
    end = head.i + 1
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            end = max(end, child.right_edge.i + 1)
            break
    while start < end and doc[start].dep_ in ("det", "predet"):
        start += 1
    return doc[start:end]


def _add_compose_ref(
    ctx: ArticleContext, tok: Token, key: str, kind: str, mods: list[Token]
) -> None:
    span = _phrase_span(tok, mods)
    info = ctx.entities.get(key)
    if info is not None and match_key(span.text) != match_key(info.label):
        info.alt_labels.add(_surface(span))
    ctx.add_ref(Ref(key, kind, span.start, span.end, tok.i, "compose", span.text))


# --- 3. place patterns -------------------------------------------------------------------------
def _propn_run(tok: Token) -> Span | None:
    """The run of proper nouns ending at or starting from ``tok`` (a name)."""
    doc = tok.doc
    if not (tok.pos_ == "PROPN" or tok.is_title):
        return None
    start = tok.i
    while (
        start > 0
        and (doc[start - 1].pos_ == "PROPN" or (doc[start - 1].text == "-" and start > 1))
        and doc[start - 1].dep_ in ("compound", "punct", "amod", "nmod")
    ):
        start -= 1
    end = tok.i + 1
    while (
        end < len(doc)
        and doc[end].pos_ == "PROPN"
        and doc[end].is_title
        and doc[end].head.i in range(start, end + 2)
    ):
        end += 1
    return doc[start:end]


def _places(ctx: ArticleContext) -> None:
    doc = ctx.doc
    lowers = ctx.lowers
    for tok in ctx.tokens:
        lower = lowers[tok.i]
        # "the village of X", "the region of X"
        if lower in lx.PLACE_OF_HEADS and tok.pos_ == "NOUN":
            for prep in tok.rights:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    for pobj in children(prep):
                        if pobj.dep_ != "pobj":
                            continue
                        ref = ctx.ref_for(pobj)
                        if ref is not None:
                            if ref.how == "kb" and tok.i not in ctx._head:
                                ctx.add_ref(
                                    Ref(
                                        ref.key,
                                        ref.kind,
                                        tok.i,
                                        ref.end,
                                        tok.i,
                                        "pattern",
                                        doc[tok.i : ref.end].text,
                                    )
                                )
                            continue
                        run = _propn_run(pobj)
                        if run is not None and not ctx.covered(run.start, run.end):
                            kind = lx.PLACE_OF_HEADS[lower]
                            _new_named(ctx, run, kind, tok.i)
        # "X region", "X corridor"
        if lower in lx.PLACE_HEADS and tok.pos_ in ("NOUN", "PROPN"):
            comps = [
                c
                for c in tok.lefts
                if c.dep_ in ("compound", "nmod", "amod") and (c.pos_ == "PROPN" or c.is_title)
            ]
            if not comps or tok.i in ctx._head:
                continue
            start = min(c.left_edge.i for c in comps)
            while doc[start].dep_ == "det":
                start += 1
            span = doc[start : tok.i + 1]
            if ctx.covered(tok.i, tok.i + 1):
                continue
            inner = ctx.ref_at(comps[-1])
            kind = lx.PLACE_HEADS[lower]
            if inner is not None and inner.kind == kind:
                # "the Zorvan region" is the region itself
                ctx.add_ref(
                    Ref(inner.key, inner.kind, span.start, span.end, tok.i, "pattern", span.text)
                )
                continue
            if inner is not None and inner.kind not in ("Settlement", "Region", "Route", "Country"):
                continue
            name_span = doc[span.start : span.end]
            label = f"{_surface(name_span[:-1])} {tok.text.lower()}"
            kb_hits = [e for e in ctx.kb.lookup(label) if e.is_place]
            bare = _surface(name_span[:-1])
            if not kb_hits:
                # "Kwale county" is the KB's Kwale, "Kunduz city" the gazetteer's Kunduz
                kb_hits = [e for e in ctx.kb.lookup(bare) if e.kind == kind]
            if not kb_hits and kind == "Settlement":
                place = _world_place(ctx, bare)
                kb_hits = [place] if place is not None else []
            if kind == "Settlement":
                label = bare  # "Mopti town" is the town of Mopti
            if kb_hits:
                ent = kb_hits[0]
                register_entity(ctx, ent.key, ent.kind, ent.label, surface=label, kb_ent=ent)
                ctx.add_ref(
                    Ref(ent.key, ent.kind, span.start, span.end, tok.i, "pattern", span.text)
                )
                continue
            key = minted_key(kind, label)
            register_entity(ctx, key, kind, label)
            ctx.add_ref(Ref(key, kind, span.start, span.end, tok.i, "pattern", span.text))
    # generic place nouns ("the line of contact", "commanding heights")
    lower_text = doc_text(doc).lower()
    for phrase, kind in sorted(lx.GENERIC_PLACES.items(), key=lambda kv: -len(kv[0])):
        start = 0
        while True:
            pos = lower_text.find(phrase, start)
            if pos < 0:
                break
            start = pos + len(phrase)
            span = doc.char_span(pos, pos + len(phrase), alignment_mode="strict")
            if span is None or ctx.covered(span.start, span.end):
                continue
            key = minted_key(kind, phrase)
            register_entity(ctx, key, kind, phrase)
            ctx.add_ref(Ref(key, kind, span.start, span.end, span.root.i, "pattern", span.text))


def _world_place(ctx: ArticleContext, name: str) -> KBEntity | None:
    """The gazetteer's settlement ``name`` in the countries the article names so far."""
    resolve = getattr(ctx.kb, "resolve_place", None)
    if resolve is None:
        return None
    place: KBEntity | None = resolve(name, countries=sorted(ctx.named_countries()))
    return place


def _new_named(ctx: ArticleContext, span: Span, kind: str, head: int | None = None) -> None:
    label = _surface(span)
    hits = [e for e in ctx.kb.lookup(label)]
    if not hits and kind == "Settlement":
        place = _world_place(ctx, label)
        hits = [place] if place is not None else []
    if hits:
        ent = hits[0]
        key, kind, label = ent.key, ent.kind, ent.label
    else:
        ent = None
        key = minted_key(kind, label)
    register_entity(ctx, key, kind, label, surface=_surface(span), kb_ent=ent)
    ctx.add_ref(
        Ref(
            key,
            kind,
            span.start,
            span.end,
            span.root.i if head is None else head,
            "pattern",
            span.text,
        )
    )


# --- 4. named-entity spans ---------------------------------------------------------------------
def _ner(ctx: ArticleContext) -> None:
    for ent in ctx.ents:
        if ent.label_ not in ("PERSON", "ORG", "GPE", "LOC", "FAC"):
            continue
        if ctx.in_headline(ent[0]) or ctx.covered(ent.start, ent.end):
            continue
        span = _strip_det(ent)
        if ctx.excluded(span.start_char, span.end_char):
            continue
        words = [t for t in span if t.is_alpha]
        if not words or not all(
            t.is_title or t.is_upper
            for t in words
            if t.pos_ != "ADP" and t.lower_ not in ("and", "of", "for", "the")
        ):
            continue
        head_lower = span.root.lower_
        if head_lower in lx.EVENT_NOUNS or any(t.lower_ in lx.EVENT_NOUNS for t in span[:1]):
            continue  # "Operation Storm" is an event name
        if ent.label_ == "PERSON":
            if len(words) < 2 or any(
                t.lower_ in lx.PLACE_HEADS or t.lower_ in lx.TITLES for t in span
            ):
                continue
            if span.end < len(ctx.doc) and ctx.doc[span.end].lower_ in lx.PLACE_HEADS:
                continue
            kind = "Person"
        elif ent.label_ == "ORG":
            if head_lower in lx.FORCE_HEADS:
                kind = "ArmedForce"
            elif head_lower in lx.BODY_HEADS or head_lower == "ministry":
                kind = "GovernmentBody"
            else:
                kind = "Organization"
        else:
            kind = _KIND_OF_LABEL["ner:" + ent.label_]
        _new_named(ctx, span, kind)


# --- 5. anaphors -------------------------------------------------------------------------------
def _subject_candidates(ctx: ArticleContext, tok: Token) -> list[Ref]:
    """Named references in subject position, most recent first, same or previous two
    sentences (headline excluded)."""
    tokens = ctx.tokens
    n = ctx.sent_number(tok.i)
    # the sentence and the two before it
    sents = ctx.sents[max(n - 2, 0) : n + 1]
    cands: list[Ref] = []
    for s in reversed(sents):
        if ctx.in_headline(tokens[s.start]) and not ctx.in_headline(tok):
            continue
        found = []
        for r in ctx.refs:
            if not (s.start <= r.head < s.end) or r.head >= tok.i:
                continue
            h = tokens[r.head]
            # the phrase's syntactic head: climb through compound/poss/of-phrases
            top = h
            while top.dep_ in ("compound", "amod", "poss", "pobj", "nmod") and top.head.i != top.i:
                if top.dep_ == "pobj" and top.head.lower_ != "of":
                    break
                top = top.head if top.dep_ != "pobj" else top.head.head
            if top.dep_ in ("nsubj", "nsubjpass"):
                found.append((r, top.head.dep_ == "ROOT" or top.head == s.root))
        # the subject of the main clause is the most salient, then the most recent
        found.sort(key=lambda rm: (not rm[1], -rm[0].head))
        cands.extend(r for r, _ in found)
    return cands


def _resolve_pronoun(ctx: ArticleContext, tok: Token) -> Ref | None:
    lower = tok.lower_
    if lower in _SINGULAR_ANAPHORS or lower in _PLURAL_ANAPHORS:
        kinds = _ORG_KINDS | {"Region", "Settlement"} if lower in _SINGULAR_ANAPHORS else _ORG_KINDS
    elif lower in _PERSON_ANAPHORS:
        kinds = {"Person"}
    else:
        return None
    for cand in _subject_candidates(ctx, tok):
        if cand.kind in kinds and cand.how != "pronoun":
            if cand.head == tok.i:
                continue
            return cand
    return None


#: body nouns a definite description refers back with ("the ministry", "the army")
_DESCRIPTION_HEADS = frozenset(("ministry", "army", "government"))


def _anaphors(ctx: ArticleContext) -> None:
    pos_names = ctx.pos_names
    for tok in ctx.tokens:
        # only pronouns and nouns refer back (the tests below read nothing else)
        if pos_names[tok.i] not in ("PRON", "NOUN"):
            continue
        if tok.i in ctx._head or ctx.covered(tok.i, tok.i + 1):
            continue
        if tok.pos_ == "PRON" and tok.dep_ in ("nsubj", "nsubjpass", "dobj", "pobj", "poss"):
            ref = _resolve_pronoun(ctx, tok)
            if ref is not None:
                ctx.add_ref(Ref(ref.key, ref.kind, tok.i, tok.i + 1, tok.i, "pronoun", tok.text))
            continue
        # "the ministry", "the Nigerien ministry", "the region": definite descriptions
        if tok.pos_ != "NOUN":
            continue
        lower = tok.lower_
        if lower not in _DESCRIPTION_HEADS and lower not in lx.PLACE_ANAPHORS:
            continue  # no other noun refers back below: skip reading its children
        if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in children(tok)):
            continue
        owner = None
        for c in tok.lefts:
            r = ctx.ref_at(c)
            if r is not None and r.kind == "Country":
                owner = r.key
        cands: list[Ref] = []
        if lower == "ministry" or lower in ("army", "government"):
            kinds = {"GovernmentBody"} if lower != "army" else set(ARMED_KINDS)
            cands = [
                r
                for r in _recent_refs(ctx, tok)
                if r.kind in kinds
                and r.named
                and lower in ctx.entities[r.key].label.lower()
                and (owner is None or ctx.country_of(r.key) == owner)
            ]
        elif lower in lx.PLACE_ANAPHORS:
            recent = _recent_refs(ctx, tok, window=8)
            for kind in lx.PLACE_ANAPHORS[lower]:  # in order of preference
                cands = [r for r in recent if r.kind == kind and r.named]
                if cands:
                    break
        if cands:
            r = cands[0]
            ctx.add_ref(Ref(r.key, r.kind, tok.i, tok.i + 1, tok.i, "anaphor", tok.text))


def _recent_refs(ctx: ArticleContext, tok: Token, window: int = 4) -> list[Ref]:
    """Named references before ``tok`` within ``window`` sentences, most recent first."""
    n = ctx.sent_number(tok.i)
    lo = ctx.sents[max(n + 1 - window, 0)].start
    tokens = ctx.tokens
    # ctx.in_headline, inlined: asked of every reference in the window
    b, e = ctx.article.title_span
    end = tok.i
    refs = [r for r in ctx.refs if lo <= r.head < end and not b <= tokens[r.head].idx < e]
    return sorted(refs, key=lambda r: -r.head)


def extract(ctx: ArticleContext) -> None:
    """Find entity references and record one Mention per named reference."""
    from kgbuild.extractors import actors, localnames

    _kb_names(ctx)
    _places(ctx)
    localnames.extract(ctx)
    _compose(ctx)
    _ner(ctx)
    _anaphors(ctx)
    # later compositions may depend on resolved pronouns ("its troops")
    _compose(ctx)
    actors.extract(ctx)
    places = [r for r in ctx.refs if r.how == "pattern" and ctx.entities[r.key].is_place]
    for ref in sorted(ctx.refs, key=lambda r: (r.start, r.end, r.key)):
        if not ref.named:
            continue
        if any(
            p is not ref
            and p.key != ref.key
            and p.start <= ref.start
            and ref.end <= p.end
            and ctx.entities[ref.key].is_place
            and not ctx.entities[ref.key].is_actor
            for p in places
        ):
            continue  # "Zorvan" inside "the Zorvan region" only names the region
        span = ctx.doc[ref.start : ref.end]
        ev = ctx.span_evidence(span, NAME)
        if ctx.excluded(ev.begin, ev.end) or not ev.text:
            continue
        info = ctx.entities[ref.key]
        ctx.out.mentions.append(
            Mention(
                evidence=ev,
                kind=info.kind,
                key=ref.key,
                label=info.label,
                surface=_surface(span),
                country=info.country,
                is_place=info.is_place,
                is_actor=info.is_actor,
            )
        )
