"""The event rule tables as the engine reads them: classes, families, word lists, sides.

The classes of ``event_classes.tsv`` grouped as the engine needs them (violent,
protests, generic attacks, coreference families); the named word lists of
``event_words.tsv``, matched against a token's forms (its lemma, its word, the word
without a regular inflection); the side a noun phrase stands for (state, police,
non-state, civilian, crowd, rioter).  The tables themselves are loaded by
:mod:`kgbuild.extractors.event_rules`.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Token

from kgbuild.extractors.context import ArticleContext, Ref
from kgbuild.extractors.event_rules import EventRules, load_rules
from kgbuild.extractors.tree import children, current

_RULES: EventRules = load_rules()
#: class -> coreference family ("the attack" may be an earlier clash or shelling).
FAMILIES: dict[str, str] = {name: c.family for name, c in _RULES.classes.items()}
#: Classes refined by weapon and participants.
_GENERIC_ATTACKS = {"Attack", "MilitaryOperation"}
#: violence told without a weapon or a means: the classes the sides alone refine to
_PLAIN_VIOLENCE = {"Attack", "AttackOnCivilians", "ArmedClash"}
_PROTESTS = {c for c, f in FAMILIES.items() if f == "protest"}
_VIOLENT = {n for n, c in _RULES.classes.items() if c.violent}
_MILITARY = _VIOLENT | {"Deployment", "Mobilization", "BaseEstablished"}
_ARMED = {"state", "police", "nonstate", "armed"}
_CROWD = {"crowd", "rioter", "mob"}


def _lem(tok: Token) -> str:
    return tok.lemma_.lower()


def _forms(tok: Token) -> tuple[str, ...]:
    """The lemma, the lower-cased word, and the word without a regular inflection: the
    small model's lemmatiser misses some ("raped" -> "rap", "Rioters" -> "Rioters").

    Asked a hundred thousand times per 200 articles, mostly of the same tokens: kept per
    token of the Doc being read (see :func:`kgbuild.extractors.tree.reading`)."""
    tree = current()
    if tree is not None and tree.doc is tok.doc:
        table = tree.forms
        got = table[tok.i]
        if got is None:
            got = table[tok.i] = _word_forms(tok.lemma_, tok.lower_)
        return got
    return _word_forms(tok.lemma_, tok.lower_)


@lru_cache(maxsize=65536)
def _word_forms(lemma: str, low: str) -> tuple[str, ...]:
    out = [lemma.lower(), low]
    for suffix, repl in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
    ):
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            out.append(low[: len(low) - len(suffix)] + repl)
    return tuple(dict.fromkeys(out))


def is_violent(cls: str) -> bool:
    """True for classes of violent acts (a calm report yields none of them)."""
    return cls in _VIOLENT


def _in_word_list(tok: Token, name: str) -> bool:
    words = _RULES.lists.get(name)
    if not words:
        return False
    if any(f in words for f in _forms(tok)):
        return True
    mods = _RULES.phrases.get(name, {}).get(_lem(tok))
    return bool(mods) and any(_lem(c) in mods or c.lower_ in mods for c in children(tok))


def side_of_token(ctx: ArticleContext, tok: Token, *, depth: int = 0) -> str | None:
    """The side a noun phrase stands for: state, police, nonstate, civilian, crowd,
    rioter, or None.  An entity's kind decides first (the entity extractor's kinds,
    mapped in ``event_words.tsv`` under ``kindcat``); then the phrase's modifiers
    ("government forces", "armed men"); then its head noun ("villagers", "militants");
    then a partitive ("a group of protesters")."""
    if depth > 3:
        return None
    ref = ctx.ref_at(tok)
    if ref is None and tok.dep_ != "compound":
        ref = ctx.ref_for(tok)
    if ref is not None:
        side = side_of_ref(ctx, ref)
        if side is not None:
            return side
    for c in children(tok):
        if c.dep_ in ("amod", "compound", "nmod"):
            v = _RULES.value("modcat", _lem(c)) or _RULES.value("modcat", c.lower_)
            if v is not None:
                return v
    v = next((x for x in (_RULES.value("category", f) for f in _forms(tok)) if x), None)
    if v is not None and not (v == "nonstate" and _lem(tok) == "group"):
        return v
    for c in children(tok):
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in children(c):
                if p.dep_ == "pobj":
                    inner = side_of_token(ctx, p, depth=depth + 1)
                    if inner is not None:
                        return inner
    return v


def side_of_ref(ctx: ArticleContext, ref: Ref) -> str | None:
    """The side of an entity from its kind (unknown kinds: None)."""
    info = ctx.entities.get(ref.key)
    kind = info.kind if info is not None else ref.kind
    return _RULES.value("kindcat", kind.lower())


def _is_trigger_word(tok: Token) -> bool:
    """True when ``tok`` could head an event (an index entry of its part of speech)."""
    pos = "verb" if tok.pos_ == "VERB" else "noun"
    for key in (_lem(tok), tok.lower_):
        for rule in _RULES.by_word.get(key, ()):
            if len(rule.words) == 1 and rule.pos == pos and rule.cls != "OtherDevelopment":
                return True
    return False
