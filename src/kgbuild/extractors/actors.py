"""Actors the text describes without naming them: civilians, protesters, unnamed armed
groups, and the police or soldiers of a country.

Part of ``entities.v1`` (run after names, compositions and anaphors).  The word lists are
data (``rules/actor_nouns.tsv``, ``rules/unidentified_modifiers.txt``); the rules are:

1. A noun phrase whose head is a listed word (or a listed "modifier head" pair such as
   "security forces", "armed men") and that no earlier rule resolved denotes a group
   actor of the listed kind.
2. Armed-group words with an "unknown/unidentified/suspected ..." modifier denote an
   ``UnidentifiedArmedGroup``; "Houthi fighters", "al-Shabaab militants": a named group
   in the phrase is the actor itself.
3. State forces ("police", "soldiers", "security forces") belong to the country the
   phrase names (a demonym, a possessive, "X police" for a place X of a known country),
   else to the article's one country (the only country named or implied by the places
   it names); their label is then "Police Forces of X" / "Armed Forces of X", like the
   compositional rule's.  Without a country they get no reference here: the casualty
   and event extractors infer the side from the sentence.
4. Groups the text does not name are one node per article and wording ("villagers" twice
   in a report are one group; "villagers" in two reports are two groups), labelled with
   the words of the phrase without determiners and numbers ("six children" ->
   "children").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Token

from kgbuild.core.names import slugify
from kgbuild.extractors.context import ArticleContext, Ref
from kgbuild.extractors.entity_keys import composed_entity, register_entity
from kgbuild.extractors.tree import children, conjuncts, subtree
from kgbuild.kb.knowledge_base import ARMED_KINDS

__all__ = ["ActorNoun", "actor_nouns", "article_country", "extract"]

_RULES = Path(__file__).resolve().parent / "rules"
_ARMED_KINDS = {"NonStateArmedGroup", "UnidentifiedArmedGroup"}
_GROUP_KINDS = {
    "NonStateArmedGroup",
    "UnidentifiedArmedGroup",
    "RebelGroup",
    "PoliticalMilitia",
    "IdentityMilitia",
}
_FORCE_KINDS = {"ArmedForce", "StateForce", "PoliceForce", "ExternalForce"}
_STATE_LABEL = {"PoliceForce": "Police Forces of {c}", "StateForce": "Armed Forces of {c}"}
# words dropped from a group's label: determiners, numbers, vague quantities
_LABEL_SKIP = {"det", "nummod", "predet", "quantmod", "poss", "case", "punct"}


@dataclass(frozen=True)
class ActorNoun:
    """One entry of ``rules/actor_nouns.tsv``."""

    head: str
    modifier: str | None
    kind: str
    scope: str  # "article" | "state"


def _read_lines(name: str) -> list[list[str]]:
    rows = []
    for line in (_RULES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rows.append([c.strip() for c in line.split("\t")])
    return rows


@lru_cache(maxsize=1)
def actor_nouns() -> dict[str, list[ActorNoun]]:
    """The table of generic actor nouns, by head word."""
    table: dict[str, list[ActorNoun]] = {}
    for cols in _read_lines("actor_nouns.tsv"):
        words = cols[0].split()
        head, mod = words[-1], (" ".join(words[:-1]) or None)
        entry = ActorNoun(head, mod, cols[1], cols[2] if len(cols) > 2 else "article")
        table.setdefault(head, []).append(entry)
    # two-word entries first: "armed men" before "men"
    for entries in table.values():
        entries.sort(key=lambda e: e.modifier is None)
    return table


@lru_cache(maxsize=1)
def unidentified_modifiers() -> frozenset[str]:
    return frozenset(cols[0].lower() for cols in _read_lines("unidentified_modifiers.txt"))


@lru_cache(maxsize=1)
def actor_verbs() -> dict[str, str]:
    """Verb lemma -> the kind its subject group of people takes (``rules/actor_verbs.tsv``)."""
    return {cols[0].lower(): cols[1] for cols in _read_lines("actor_verbs.tsv")}


def _kind_by_deed(tok: Token) -> str | None:
    """Protesters or Rioters when the group is the subject of a protest or riot verb
    ("thousands of people marched"), through "of" and coordinated verbs."""
    head = tok
    while head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.pos_ in (
        "NOUN",
        "NUM",
    ):
        head = head.head.head  # "thousands of people"
    if head.dep_ not in ("nsubj", "nsubjpass") or head.head.pos_ != "VERB":
        return None
    verbs = actor_verbs()
    for verb in (head.head, *conjuncts(head.head)):
        kind = verbs.get(verb.lemma_.lower())
        if kind is not None:
            return kind
    return None


def _entry_for(tok: Token) -> ActorNoun | None:
    table = actor_nouns()
    entries = table.get(tok.lemma_.lower()) or table.get(tok.lower_)
    if not entries:
        return None
    mods = {c.lower_ for c in children(tok) if c.dep_ in ("compound", "amod", "nmod")}
    mods |= {c.lemma_.lower() for c in children(tok) if c.dep_ in ("compound", "amod", "nmod")}
    for e in entries:
        if e.modifier is None or e.modifier in mods:
            return e
    return None


def article_country(ctx: ArticleContext) -> str | None:
    """The one country an article is about, when it names or implies only one.

    Countries named (or by demonym) and the countries of the places it names are
    pooled; with exactly one distinct country that is it, otherwise there is none.
    """
    cached = getattr(ctx, "_article_country", False)
    if cached is not False:
        return cached  # type: ignore[no-any-return]
    seen = ctx.named_countries()
    country = next(iter(seen)) if len(seen) == 1 else None
    ctx._article_country = country  # type: ignore[attr-defined]
    return country


def _owner_country(ctx: ArticleContext, tok: Token) -> str | None:
    """The country a state-force phrase names: "Kenyan police", "Mali's army",
    "Nairobi police" (the country of a known place)."""
    for c in children(tok):
        if c.dep_ not in ("amod", "compound", "poss", "nmod"):
            continue
        ref = ctx.ref_at(c)
        if ref is None:
            continue
        info = ctx.entities.get(ref.key)
        if info is None:
            continue
        if info.kind == "Country":
            return ref.key
        if info.country and (info.is_place or info.kind in ("GovernmentBody", *ARMED_KINDS)):
            return info.country
    for c in tok.rights:  # "the police of Kenya"
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in children(c):
                ref = ctx.ref_at(p)
                if ref is not None and ctx.entities[ref.key].kind == "Country":
                    return ref.key
    return None


def _named_group(ctx: ArticleContext, tok: Token) -> Ref | None:
    """A named armed group or force the phrase is part of: "al-Shabaab militants",
    "fighters of the Arakan Army", "soldiers of the Malian army"."""
    for c in children(tok):
        if c.dep_ in ("compound", "amod", "nmod", "poss"):
            ref = ctx.ref_at(c)
            if ref is not None and ref.kind in _GROUP_KINDS and ref.named:
                return ref
    for c in tok.rights:
        if c.dep_ == "prep" and c.lower_ == "of":
            for p in children(c):
                ref = ctx.ref_at(p) if p.dep_ == "pobj" else None
                if ref is not None and ref.named and (
                    ref.kind in _GROUP_KINDS or ref.kind in _FORCE_KINDS
                ):
                    return ref
    return None


def _label(tok: Token) -> str:
    """The words of the phrase up to its head, without determiners, numbers or verbs;
    proper names keep their case ("Orma ethnic group", "unidentified gunmen")."""
    words = [
        t
        for t in subtree(tok)
        if t.i <= tok.i
        and (
            t.i == tok.i
            or (
                t.dep_ in ("amod", "compound", "nmod")
                and t.pos_ in ("ADJ", "NOUN", "PROPN")
                and (t.head.i == tok.i or t.head.dep_ in ("compound", "amod"))
            )
        )
        and not t.like_num
    ]
    text = " ".join(
        t.text
        if t.pos_ == "PROPN"
        or (t.is_title and (t.i != t.sent.start or t.ent_type_ in ("NORP", "GPE", "ORG")))
        else t.lower_
        for t in words
    )
    return text.replace("\n", " ").strip() or tok.lower_


@lru_cache(maxsize=1)
def _communal() -> tuple[frozenset[str], frozenset[str]]:
    rows = _read_lines("communal.tsv")
    heads = frozenset(r[1] for r in rows if r[0] == "head")
    cues = frozenset(r[1] for r in rows if r[0] == "cue")
    return heads, cues


def _people_names(ctx: ArticleContext, head: Token) -> list[Token]:
    """The peoples' names a group noun carries: "the Ogiek and Kipsigi groups",
    "between Kalenjin and Maasais groups" (the noun parsed as a conjunct)."""
    names = [
        c
        for c in children(head)
        if c.dep_ in ("nmod", "compound", "amod") and c.pos_ == "PROPN" and c.is_title
    ]
    if not names and head.dep_ == "conj" and head.head.pos_ == "PROPN":
        names = [head.head]
    out: list[Token] = []
    for n in names:
        for t in (n, *conjuncts(n)):
            if t.pos_ != "PROPN" or not t.is_title or t.i == head.i or t in out:
                continue
            ref = ctx.ref_at(t)
            info = ctx.entities.get(ref.key) if ref is not None else None
            if info is not None and (info.kind == "Country" or info.kind in _GROUP_KINDS):
                continue  # "Kenyan herders" are Kenya's; "al-Shabaab militias" the group
            if info is not None and info.is_place and ctx.kb.entities.get(ref.key) is not None:
                continue  # a known place; a place guessed from the model's label is not
            out.append(t)
    return out


def _communal_groups(ctx: ArticleContext, slug: str) -> None:
    """One group node per people named with a group noun (``rules/communal.tsv``)."""
    heads, cues = _communal()
    lowers, pos_names = ctx.lowers, ctx.pos_names  # the article's arrays: one test a token
    for tok in ctx.tokens:
        if lowers[tok.i] not in heads or pos_names[tok.i] != "NOUN" or ctx.in_headline(tok):
            continue
        names = _people_names(ctx, tok)
        if not names:
            continue
        sent = ctx.sent(tok)
        violent = any(t.lemma_.lower() in cues for t in ctx.tokens[sent.start : sent.end])
        kind = "IdentityMilitia" if violent else "Civilians"
        noun = tok.lemma_.lower() if tok.lower_ not in ("youths", "herders") else tok.lower_
        for name in names:
            label = f"{name.text} {noun}"
            key = f"entity/{kind.lower()}/{slug}-{slugify(label)}"
            register_entity(ctx, key, kind, label)
            ctx.add_ref(Ref(key, kind, name.i, name.i + 1, name.i, "generic", name.text))


def extract(ctx: ArticleContext) -> None:
    """Add references for the unnamed group actors of the article."""
    doc = ctx.doc
    unknown = unidentified_modifiers()
    slug = slugify(ctx.article.id.rsplit(".", 1)[0])
    _communal_groups(ctx, slug)
    pos_names = ctx.pos_names
    for tok in ctx.tokens:
        if pos_names[tok.i] not in ("NOUN", "PROPN") or tok.dep_ == "compound":
            continue
        if tok.i in ctx._head or ctx.covered(tok.i, tok.i + 1):
            continue
        if tok.i in getattr(ctx, "_group", {}):
            continue  # "Thai and Cambodian troops": composed, one reference per owner
        if ctx.in_headline(tok) or ctx.excluded(tok.idx, tok.idx + len(tok)):
            continue
        entry = _entry_for(tok)
        if entry is None:
            continue
        group = _named_group(ctx, tok)
        start = min([tok.i, *[c.left_edge.i for c in tok.lefts if c.dep_ not in _LABEL_SKIP]])
        if group is not None:
            ctx.add_ref(
                Ref(group.key, group.kind, start, tok.i + 1, tok.i, "compose", tok.text)
            )
            continue
        kind = entry.kind
        mods = {c.lower_ for c in children(tok) if c.dep_ in ("amod", "compound", "advmod")}
        if kind in _ARMED_KINDS and mods & unknown:
            kind = "UnidentifiedArmedGroup"
        if kind == "Civilians":
            kind = _kind_by_deed(tok) or kind
        country = None
        if entry.scope == "state":
            country = _owner_country(ctx, tok) or article_country(ctx)
            if country is None:
                # whose soldiers? later extractors infer the side from the sentence
                continue
        owner = ctx.entities.get(country) if country else None
        owner_label = owner.label if owner else None
        if owner_label is None and country is not None:
            kb_country = ctx.kb.entities.get(country)  # implied by the places named
            owner_label = kb_country.label if kb_country is not None else None
        if owner_label is not None:
            key, kind, label = composed_entity(ctx, kind, _STATE_LABEL[kind].format(c=owner_label))
            if key in ctx.entities:
                kind = ctx.entities[key].kind
        else:
            label = _label(tok)
            key = f"entity/{kind.lower()}/{slug}-{slugify(label)}"
        register_entity(ctx, key, kind, label, country=country)
        span = doc[start : tok.i + 1]
        ctx.add_ref(Ref(key, kind, span.start, span.end, tok.i, "generic", span.text))
