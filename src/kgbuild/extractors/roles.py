"""roles.v1: a person's post in an organisation, from titles and appositions.

"Ruritania's Security Council Secretary, Jan Novak", "the Polish chairman of the
OSCE, Anna Kowal", "Foreign Minister Jane Doe", "Jane Doe, the spokeswoman of X":
a title noun of :data:`kgbuild.nlp.lexicon.TITLES` in apposition to (or compounded with) a
person gives the post; the organisation is the body named in the title phrase ("of X",
a possessive, or a compound body name), else the title's country.
"""

from __future__ import annotations

from spacy.tokens import Token

from kgbuild.core.model import Role
from kgbuild.extractors.context import ArticleContext
from kgbuild.extractors.tree import children
from kgbuild.kb.knowledge_base import ARMED_KINDS
from kgbuild.nlp import lexicon as lx

NAME = "roles.v1"


def _org(ctx: ArticleContext, title: Token) -> str | None:
    for c in children(title):
        if c.dep_ == "prep" and c.lower_ == "of":
            for o in children(c):
                ref = ctx.ref_for(o)
                if ref is not None and _organisation(ctx, ref.key):
                    return ref.key
    for c in title.lefts:
        if c.dep_ == "compound":
            ref = ctx.ref_at(c)
            if ref is not None and ctx.entities[ref.key].kind in (
                "GovernmentBody",
                "InternationalOrganization",
                "Organization",
                *ARMED_KINDS,
            ):
                return ref.key
    for c in title.lefts:
        if c.dep_ in ("poss", "amod", "compound"):
            ref = ctx.ref_for(c)
            if ref is not None and _organisation(ctx, ref.key):
                return ref.key
    return None


def _organisation(ctx: ArticleContext, key: str) -> bool:
    """A post is held in an actor other than a person: "the governor of X" for a region X
    names a post but no organisation the graph knows (the region is a place)."""
    info = ctx.entities[key]
    return info.is_actor and info.kind != "Person"


def extract(ctx: ArticleContext) -> None:
    seen: set[tuple[str, str]] = set()
    lowers = ctx.lowers  # the article's lower-cased words: one test a token
    for tok in ctx.tokens:
        if lowers[tok.i] not in lx.TITLES or lowers[tok.i] in lx.TITLE_MODIFIERS:
            continue
        persons: list[Token] = []
        for c in children(tok):
            if c.dep_ == "appos":
                persons.append(c)
        if tok.dep_ == "appos":
            persons.append(tok.head)
        if tok.dep_ == "compound" and tok.head.pos_ == "PROPN":
            persons.append(tok.head)
        if not persons:
            # "the chairman of the X, Jane Doe," when the parser misses the apposition
            edge = tok.right_edge.i + 1
            while edge < len(ctx.doc) and ctx.doc[edge].text in (")",):
                edge += 1
            if edge + 1 < len(ctx.doc) and ctx.doc[edge].text == ",":
                nxt = ctx.ref_at(ctx.doc[edge + 1])
                if (
                    nxt is not None
                    and ctx.entities[nxt.key].kind == "Person"
                    and nxt.start == edge + 1
                ):
                    persons.append(ctx.doc[nxt.head])
        for p in persons:
            ref = ctx.ref_for(p)
            if ref is None or ctx.entities[ref.key].kind != "Person":
                continue
            org = _org(ctx, tok)
            if (ref.key, tok.lower_) in seen:
                continue
            seen.add((ref.key, tok.lower_))
            start = min(tok.left_edge.i, p.left_edge.i)
            end = max(tok.i, p.right_edge.i) + 1
            ev = ctx.evidence(
                ctx.doc[start].idx, ctx.doc[end - 1].idx + len(ctx.doc[end - 1].text), NAME
            )
            mods = [
                c.lower_
                for c in tok.lefts
                if c.dep_ in ("compound", "amod") and c.lower_ in lx.TITLE_MODIFIERS
            ]
            title = " ".join([*mods, tok.lower_])  # "prime minister", "foreign minister"
            doc = tok.doc
            if tok.i >= 2 and doc[tok.i - 1].text == "-" and doc[tok.i - 2].lower_ in lx.TITLES:
                title = f"{doc[tok.i - 2].lower_}-{tok.lower_}"  # "secretary-general"
            ctx.out.roles.append(Role(evidence=ev, person=ref.key, title=title, organization=org))
            person = ctx.entities[ref.key]
            if person.country is None and org is not None:
                person.country = ctx.country_of(org)  # an official speaks for the post's country
